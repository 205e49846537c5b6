"""Command line: ``python -m advisor {compare,capacity,count,advise,report} …``.

Each command prints one JSON object with ``--json`` and a readable table without. Any bad input
exits 2 with one line ``error: …`` on stderr saying how to fix the call; never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from collections.abc import Sequence

from pricing import AdvisorError, capacity as replica_capacity, load_catalog

from .jsonsafe import json_safe

__all__ = ["main", "build_parser"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump
        sub = self.prog.split()[-1]
        hint = "python -m advisor --help" if sub == "advisor" else f"python -m advisor {sub} --help"
        raise _UsageError(f"{message} (see `{hint}`)")


class _UsageError(Exception):
    pass


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def _positive(kind):
    def parse(text: str):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if v < 0 or (isinstance(v, float) and not math.isfinite(v)):
            raise argparse.ArgumentTypeError(f"{text!r} must be >= 0")
        return v
    return parse


def _emit(obj: dict, as_json: bool, table: str) -> None:
    if as_json:
        json.dump(json_safe(obj), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(table.rstrip() + "\n")


def _fmt(v, spec: str = ".4g", none: str = "-") -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return none
    return format(v, spec)


def _table(rows: list[dict], cols: list[tuple[str, str, str]]) -> str:
    """cols: (key, header, format spec)."""
    def cell(v, f):
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return "-"
        return _fmt(v, f) if f else str(v)

    cells = [[h for _, h, _ in cols]] + [[cell(r.get(k), f) for k, _, f in cols] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cols))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# scenario flags shared by compare / advise / report


def _add_price_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", type=_date, help="price date YYYY-MM-DD (default: today)")
    p.add_argument("--prices", action="append", default=[], metavar="YAML",
                   help="your own catalog YAML (negotiated prices, your GPU price), merged over ours; repeatable")


def _add_workload_flags(p: argparse.ArgumentParser, required: bool) -> None:
    p.add_argument("--requests-per-day", type=_positive(float), required=required)
    p.add_argument("--prompt-tokens", type=_positive(float), required=required, help="mean prompt tokens per request")
    p.add_argument("--completion-tokens", type=_positive(float), required=required,
                   help="mean completion tokens per request")
    p.add_argument("--cached-tokens", type=_positive(float), default=0.0,
                   help="mean cached prompt tokens per request (part of --prompt-tokens)")
    p.add_argument("--peak-to-mean", type=float, help="busiest hour / mean hour request rate (default 2)")
    p.add_argument("--ft-token-ratio", type=float,
                   help="7B-tokenizer tokens per API token (default 1; logs measure it, ~1.13 for English prose)")


def _add_scenario_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--baseline", help="the API model you pay for today (default: newest GPT-4-class on the date)")
    p.add_argument("--option", dest="options", action="append", default=[], metavar="ID",
                   help="an option to price: API id, hosted id (openpipe/mistral-7b) or selfhost/<model>@<gpu>[:provider]; "
                        "repeatable (default: all hosted fine-tunes and Mistral-7B on five GPUs)")
    p.add_argument("--horizon-months", type=int, default=12)
    p.add_argument("--growth-per-month", type=float, default=0.0, help="monthly volume growth, 0.05 = +5%%")
    p.add_argument("--batch", action="store_true", help="the baseline runs through the Batch API (50%% off)")
    p.add_argument("--precision", default="bf16", choices=["bf16", "fp16", "fp8", "int8", "int4"])
    p.add_argument("--scale-to-zero", action="store_true", help="self-hosted replicas autoscale to zero")
    p.add_argument("--itl-target-ms", type=_positive(float), help="self-hosted inter-token latency target")
    p.add_argument("--ttft-target-ms", type=_positive(float), help="self-hosted time-to-first-token target")
    p.add_argument("--training-examples", type=_positive(int))
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--retrains-per-year", type=_positive(float), default=4.0)
    p.add_argument("--prompt-changes-per-month", type=_positive(float))
    p.add_argument("--labelling-usd", type=_positive(float), default=0.0, help="data/labelling/eval cost per training run")
    p.add_argument("--engineering-usd", type=_positive(float), default=0.0, help="one-off integration cost")
    p.add_argument("--ops-usd-per-month", type=_positive(float), default=0.0, help="self-hosting operations cost")
    p.add_argument("--needs-deep-reasoning", action="store_true", help="the task needs GPT-4-level reasoning")
    p.add_argument("--out-of-domain", action="store_true", help="inputs drift outside what the logs show")


def _scenario_from_args(a, workload):
    from .scenario import Scenario

    return Scenario(
        workload=workload, baseline=a.baseline, options=tuple(a.options), horizon_months=a.horizon_months,
        growth_per_month=a.growth_per_month, as_of=a.as_of, batch=a.batch, precision=a.precision,
        scale_to_zero=a.scale_to_zero,
        itl_target_s=None if a.itl_target_ms is None else a.itl_target_ms / 1000.0,
        ttft_target_s=None if a.ttft_target_ms is None else a.ttft_target_ms / 1000.0,
        training_examples=a.training_examples, epochs=a.epochs, retrains_per_year=a.retrains_per_year,
        prompt_changes_per_month=a.prompt_changes_per_month, labelling_usd_per_run=a.labelling_usd,
        engineering_usd=a.engineering_usd, selfhost_ops_usd_per_month=a.ops_usd_per_month,
        needs_deep_reasoning=a.needs_deep_reasoning, out_of_domain=a.out_of_domain, price_files=tuple(a.prices))


def _typed_workload(a):
    from .workload import Workload

    return Workload.typed(a.requests_per_day, a.prompt_tokens, a.completion_tokens, cached_tokens=a.cached_tokens,
                          peak_to_mean=a.peak_to_mean, ft_token_ratio=a.ft_token_ratio)


_OPTION_KEYS = ("name", "kind", "usd_per_request", "usd_per_month", "ttft_s", "e2e_s", "one_off_usd",
                "recurring_usd_per_month", "usd_horizon", "savings_ratio", "break_even_requests_per_day",
                "payback_month", "gpus", "itl_s", "meets_latency", "notes", "source")

_OPTION_COLS = [("name", "option", ""), ("kind", "kind", ""), ("usd_per_request", "USD/request", ".5f"),
                ("usd_per_month", "USD/month", ",.0f"), ("savings_ratio", "x cheaper", ".1f"),
                ("one_off_usd", "one-off USD", ",.0f"), ("break_even_requests_per_day", "break-even req/day", ",.0f"),
                ("ttft_s", "TTFT s", ".2f"), ("e2e_s", "e2e s", ".1f"), ("gpus", "GPUs", ".0f")]


def _option_rows(df) -> list[dict]:
    return [{k: r[k] for k in _OPTION_KEYS} for r in df.to_dict("records")]


def _cmd_compare(a) -> int:
    from .compare import compare

    scenario = _scenario_from_args(a, _typed_workload(a))
    df = compare(scenario)
    rows = _option_rows(df)
    base = next(r["name"] for r in rows if df.loc[df["name"] == r["name"], "baseline"].iloc[0])
    out = {"baseline": base, "as_of": df.attrs.get("as_of"), "requests_per_day": a.requests_per_day,
           "options": rows, "assumptions": scenario.assumptions()}
    table = _table(rows, _OPTION_COLS)
    notes = "\n".join(f"  - {n}" for n in scenario.assumptions())
    _emit(out, a.json, f"prices as of {out['as_of']}; baseline {base}\n\n{table}\n"
                       + (f"\nassumptions:\n{notes}\n" if notes else ""))
    return 0


def _cmd_capacity(a) -> int:
    cat = load_catalog(a.as_of, overrides=a.prices)
    model, gpu = cat.open_model(a.model), cat.gpu(a.gpu)
    cap = replica_capacity(model, gpu, a.input_tokens, a.output_tokens, precision=a.precision,
                           concurrency=a.concurrency)
    out = {"model": model.id, "gpu": gpu.id, "precision": a.precision, "input_tokens": a.input_tokens,
           "output_tokens": a.output_tokens, "concurrency": cap.concurrency,
           "output_tokens_per_s": cap.output_tokens_per_s, "requests_per_s": cap.requests_per_s,
           "ttft_s": cap.ttft_s, "itl_s": cap.itl_s, "e2e_s": cap.e2e_s, "max_concurrency": cap.max_concurrency,
           "kv_capacity_tokens": cap.kv_capacity_tokens, "weights_gb": cap.weights_gb}
    table = "\n".join(f"{k:>22}: {_fmt(v, ',.4g') if isinstance(v, float) else v}" for k, v in out.items())
    _emit(out, a.json, table)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m advisor",
                description="Would a fine-tuned 7B model be cheaper and faster than GPT-4 for this prompt, and when "
                            "does it pay off? Count tokens from logs, price every option, get the verdict.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    c = sub.add_parser("compare", help="price every option on typed numbers")
    _add_workload_flags(c, required=True)
    _add_scenario_flags(c)
    _add_price_flags(c)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=_cmd_compare)

    k = sub.add_parser("capacity", help="one GPU replica's throughput and latency for a model")
    k.add_argument("--model", required=True, help="open model id, e.g. mistral-7b")
    k.add_argument("--gpu", required=True, help="GPU id, e.g. a100-80gb")
    k.add_argument("--precision", default="bf16", choices=["bf16", "fp16", "fp8", "int8", "int4"])
    k.add_argument("--input-tokens", type=_positive(float), required=True)
    k.add_argument("--output-tokens", type=_positive(float), required=True)
    mode = k.add_mutually_exclusive_group(required=True)
    mode.add_argument("--max-throughput", action="store_true", help="at the largest batch memory allows")
    mode.add_argument("--concurrency", type=int, help="at this many concurrent requests")
    _add_price_flags(k)
    k.add_argument("--json", action="store_true")
    k.set_defaults(func=_cmd_capacity)

    from . import advise_cli, cli_logs

    cli_logs.register(sub, _helpers())
    advise_cli.register(sub, _add_workload_flags, _add_scenario_flags, _add_price_flags, _helpers())
    return p


def _helpers():
    return {"emit": _emit, "table": _table, "fmt": _fmt, "scenario_from_args": _scenario_from_args,
            "typed_workload": _typed_workload, "option_rows": _option_rows, "option_cols": _OPTION_COLS}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except _UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except AdvisorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
