"""The ``prices`` command: what the catalog prices on a date, with sources, so nobody has to read YAML.

``python -m advisor prices [--as-of DATE] [--kind api|hosted|gpu|model] [--all-providers] [--prices YAML] [--json]``

One row per price in force: API models (and, marked ``shut down``, models retired before the date
that a baseline can still name), hosted fine-tunes (per token, and dedicated deployments per GPU-hour, kind
``hosted``), and GPU-hours per provider. A hosted fine-tune closed to new training on the date says so
(``training``: open / existing_customers / closed, ``trainable``, ``training_closes``). ``--all-providers``
adds every model of genai-prices' bundled data (Claude, Gemini, Mistral...), marked as such.

Shutdowns are shown as known on the date: a live model whose shutdown was announced by then is
marked ``shuts down <date>`` (``shutdown`` and ``shutdown_announced`` in ``--json``); before the
announcement the row is as it was then (no shutdown, no ``until`` for the last period, no successors).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.cli.common import emit, table_text

if TYPE_CHECKING:
    from pricing import Catalog

__all__ = ["register", "price_rows"]

KINDS = ("api", "hosted", "gpu", "model")  # "model": the open models and GPUs `capacity` takes (specs, no price)
_SOURCE_CHARS = 90  # table only; --json carries the whole source


def _shutdown_fields(e) -> dict:
    """The shutdown known on the catalog date and the day it was announced (None, None before any notice)."""
    notice = e.shutdown_notice
    return {"shutdown": None if e.shutdown is None else str(e.shutdown),
            "shutdown_announced": None if notice is None else str(notice.announced),
            "shutdown_source": None if notice is None else notice.source}


def _status(e, live: str = "live") -> str:
    return live if e.shutdown is None else f"{live}, shuts down {e.shutdown}"


def _api_row(m, status: str) -> dict:
    p = m.price
    return {"id": m.id, "kind": "api", "provider": m.provider, "status": status,
            "input_usd_per_mtok": p.input_usd_per_mtok, "cached_input_usd_per_mtok": p.cached_input_usd_per_mtok,
            "output_usd_per_mtok": p.output_usd_per_mtok, "batch_discount": p.batch_discount,
            "effective": str(p.effective), "until": None if p.until is None else str(p.until),
            "successors": list(m.successors) if m.shutdown is not None else [], **_shutdown_fields(m),
            "reasoning": m.reasoning, "source": p.source}


def _hosted_status(h) -> str:
    status = _status(h)
    if h.training == "existing_customers":
        status += ", training for existing customers only" + (f" until {h.training_closes}" if h.training_closes else "")
    elif h.training == "closed":
        status += ", training closed"
    return status


def _deployment_row(d) -> dict:
    p = d.price
    return {"id": d.id, "kind": "hosted", "provider": d.provider, "status": "live, dedicated",
            "usd_per_hour": p.usd_per_gpu_hour, "gpu": d.gpu, "billing": d.billing,
            "training_usd_per_mtok": p.training_usd_per_mtok, "base_models": list(d.base_models),
            "adapters_per_deployment": d.adapters_per_deployment, "scale_to_zero": d.scale_to_zero,
            "min_replicas": d.min_replicas, "cold_start_s": d.cold_start_s, "trainable": True,
            "effective": str(p.effective), "until": None if p.until is None else str(p.until), "source": p.source}


def price_rows(cat: Catalog, kind: str | None = None, *, all_providers: bool = False) -> list[dict]:
    from pricing.genai import genai_models, genai_version  # loaded on use: building the parser stays light

    """Rows for every price in force on ``cat.as_of`` (see the module docstring)."""
    rows: list[dict] = []
    if kind in (None, "api"):
        rows += [_api_row(m, _status(m)) for m in sorted(cat.api_models.values(), key=lambda m: m.id)]
        rows += [_api_row(m, f"shut down {m.shutdown}") for m in sorted(cat.retired.values(), key=lambda m: m.id)]
        if all_providers:
            models, refused = genai_models(cat.as_of)
            rows += [_api_row(m, "genai-prices") for m in sorted(models, key=lambda m: m.id)
                     if cat.api_id(m.id.partition("/")[2]) is None and cat.api_id(m.id) is None]  # ours win
            if refused:
                rows.append({"id": f"({refused} genai-prices models)", "kind": "api", "status": "not priced",
                             "source": f"genai-prices {genai_version()}: no per-token price in force on {cat.as_of} "
                                       "(image, audio or per-request pricing, or released later)"})
    if kind in (None, "hosted"):
        for h in sorted(cat.hosted.values(), key=lambda h: h.id):
            p = h.price
            assert p is not None, "the catalog holds hosted endpoints with a price in force"
            rows.append({"id": h.id, "kind": "hosted", "provider": h.provider, "status": _hosted_status(h),
                         "input_usd_per_mtok": p.input_usd_per_mtok, "output_usd_per_mtok": p.output_usd_per_mtok,
                         "training_usd_per_mtok": p.training_usd_per_mtok, "base_model": h.base_model,
                         "training": h.training, "trainable": h.trainable,
                         "training_closes": None if h.training_closes is None else str(h.training_closes),
                         "effective": str(p.effective), "until": None if p.until is None else str(p.until),
                         **_shutdown_fields(h), "source": p.source})
        rows += [_deployment_row(d) for d in sorted(cat.deployments.values(), key=lambda d: d.id)]
    if kind in (None, "gpu"):
        for g in sorted(cat.gpus.values(), key=lambda g: g.id):
            for gp in sorted(g.prices.values(), key=lambda p: p.provider):
                rows.append({"id": f"{g.id}@{gp.provider}", "kind": "gpu", "provider": gp.provider, "status": "live",
                             "usd_per_hour": gp.usd_per_hour, "billing": gp.billing, "memory_gb": g.memory_gb,
                             "effective": str(gp.effective), "until": None if gp.until is None else str(gp.until),
                             "source": gp.source})
    if kind == "model":
        rows += model_rows(cat)
    return rows


def model_rows(cat: Catalog) -> list[dict]:
    """What ``capacity --model M --gpu G`` takes: each open model's shape and each GPU's specs, with sources."""
    rows: list[dict] = []
    for m in sorted(cat.open_models.values(), key=lambda m: m.id):
        rows.append({"id": m.id, "kind": "open model", "status": "capacity --model", "params_b": m.params_b,
                     "layers": m.layers, "kv_heads": m.kv_heads, "head_dim": m.head_dim,
                     "context_tokens": m.context_tokens, "tokenizer": m.tokenizer, "aliases": list(m.aliases),
                     "effective": None, "until": None, "source": m.source})
    for g in sorted(cat.gpus.values(), key=lambda g: g.id):
        rows.append({"id": g.id, "kind": "gpu spec", "status": "capacity --gpu", "name": g.name,
                     "memory_gb": g.memory_gb, "hbm_gb_per_s": g.hbm_gb_per_s, "bf16_tflops": g.bf16_tflops,
                     "fp8_tflops": g.fp8_tflops, "priced_by": sorted(g.prices), "effective": None, "until": None,
                     "source": g.source})
    return rows


def _price_text(r: dict) -> str:
    if r.get("kind") == "open model":
        return f"{r['params_b']:g}B params, {r['layers']} layers, {r['context_tokens']:,} ctx, {r['tokenizer']}"
    if r.get("kind") == "gpu spec":
        fp8 = "" if r.get("fp8_tflops") is None else f", fp8 {r['fp8_tflops']:g}"
        return f"{r['memory_gb']:g} GB, {r['hbm_gb_per_s']:g} GB/s, bf16 {r['bf16_tflops']:g} TFLOP/s{fp8}"
    if r.get("usd_per_hour") is not None:
        text = f"{r['usd_per_hour']:g} USD/GPU-h" + (f" {r['gpu']}" if r.get("gpu") else "")
        text += {"per_second": " (per second)", "per_minute": " (per minute)"}.get(str(r.get("billing")), "")
        return text + (f" / train {r['training_usd_per_mtok']:g} USD/1M tok" if r.get("gpu") else "")
    if r.get("input_usd_per_mtok") is None:
        return "-"
    cached = r.get("cached_input_usd_per_mtok")
    text = f"in {r['input_usd_per_mtok']:g}" + (f" / cached {cached:g}" if cached is not None else "")
    text += f" / out {r['output_usd_per_mtok']:g}"
    if r.get("training_usd_per_mtok") is not None:
        text += f" / train {r['training_usd_per_mtok']:g}"
    return text + " USD/1M tok"


def _cmd_prices(a) -> int:
    from pricing import load_catalog
    from pricing.genai import genai_version

    cat = load_catalog(a.as_of, overrides=a.prices)
    rows = price_rows(cat, a.kind, all_providers=a.all_providers)
    shown = [{**r, "price": _price_text(r),
              "source": r["source"] if len(r["source"]) <= _SOURCE_CHARS else r["source"][:_SOURCE_CHARS - 3] + "..."}
             for r in rows]
    table = table_text(shown, [("id", "id", ""), ("kind", "kind", ""), ("status", "status", ""), ("price", "price", ""),
                               ("effective", "effective", ""), ("until", "until", ""), ("source", "source", "")])
    hint = "" if a.all_providers else \
        ("\n(models of other providers, e.g. Claude or Gemini, are priced from genai-prices' bundled data: "
         "--all-providers)")
    emit({"as_of": str(cat.as_of), "kind": a.kind, "genai_prices": genai_version(), "rows": rows}, a.json,
              f"prices as of {cat.as_of} (USD; --json for full sources)\n{table}{hint}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("prices", help="list what the catalog prices on a date, with sources")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="price date (default: today)")
    p.add_argument("--kind", choices=KINDS, help="only API models, hosted fine-tunes (per token, and dedicated "
                   "deployments per GPU-hour), GPU-hours, or (model) the open models and GPUs that `capacity` takes, "
                   "with their specs")
    p.add_argument("--all-providers", action="store_true",
                   help="also every model in genai-prices' bundled data (Anthropic, Google, Mistral, ...)")
    p.add_argument("--prices", action="append", default=[], metavar="YAML",
                   help="your own catalog YAML, merged over ours; repeatable")
    p.add_argument("--json", action="store_true", help="print one strict JSON object instead of a table")
    p.set_defaults(func=_cmd_prices)
