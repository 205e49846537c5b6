"""Load, validate and date-resolve the pricing catalog (``pricing/data/*.yaml``).

Conventions: prices are USD per 1M tokens (``*_usd_per_mtok``) or USD per GPU-hour
(``usd_per_hour``). A price period is in force on day ``d`` when ``effective <= d < until``
(``until`` absent = still in force). History is kept: ``load_catalog(as_of=date(2024, 3, 28))``
answers with the prices of that day; an entry with no period in force that day is absent from
the resolved catalog (it did not exist yet, or was withdrawn).

User override files have the same shape as ours and are merged over them: an entry with a new
``id`` is added; an entry with a known ``id`` replaces the fields it gives, and its ``prices``
replace ours wholesale (for GPUs: ours of the same provider), so a negotiated price is stated
once with its own ``effective`` date and ``source``.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from .errors import CatalogError, UnknownEntryError, close_matches

__all__ = [
    "ApiModel",
    "ApiPrice",
    "Catalog",
    "Gpu",
    "GpuPrice",
    "HostedEndpoint",
    "HostedPrice",
    "Latency",
    "OpenModel",
    "load_catalog",
    "DATA_DIR",
]

DATA_DIR = Path(__file__).with_name("data")

# ---------------------------------------------------------------------------------------------
# Resolved entries (what the math sees)


@dataclass(frozen=True)
class Latency:
    """Typical API latency: time to first token and decode speed, with the measurement's source."""

    output_tokens_per_s: float | None
    source: str
    ttft_s: float | None = None


@dataclass(frozen=True)
class ApiPrice:
    """API prices in force on the catalog date (USD per 1M tokens)."""

    input_usd_per_mtok: float
    output_usd_per_mtok: float
    cached_input_usd_per_mtok: float | None
    effective: dt.date
    until: dt.date | None
    source: str
    batch_discount: float = 0.0  # fraction off with the Batch API, 0 when it did not exist
    batch_source: str | None = None


@dataclass(frozen=True)
class ApiModel:
    id: str
    aliases: tuple[str, ...]
    provider: str
    encoding: str
    context_tokens: int
    price: ApiPrice
    latency: Latency | None


@dataclass(frozen=True)
class HostedPrice:
    """Per-token prices of a hosted fine-tuned endpoint (USD per 1M tokens of its own tokenizer)."""

    input_usd_per_mtok: float
    output_usd_per_mtok: float
    training_usd_per_mtok: float | None  # per 1M training tokens (dataset tokens x epochs)
    effective: dt.date
    until: dt.date | None
    source: str


@dataclass(frozen=True)
class HostedEndpoint:
    id: str
    aliases: tuple[str, ...]
    provider: str
    base_model: str
    tokenizer: str
    price: HostedPrice
    serving_gpu: str | None
    latency: Latency | None


@dataclass(frozen=True)
class GpuPrice:
    provider: str
    usd_per_hour: float
    effective: dt.date
    until: dt.date | None
    source: str
    billing: str = "hourly"  # or "per_second" (serverless)


@dataclass(frozen=True)
class Gpu:
    id: str
    name: str
    memory_gb: float
    hbm_gb_per_s: float
    bf16_tflops: float
    fp8_tflops: float | None
    source: str
    prices: Mapping[str, GpuPrice]  # provider -> price in force

    def cheapest(self) -> GpuPrice:
        """The lowest hourly price in force (raises when no provider has one)."""
        if not self.prices:
            raise UnknownEntryError(f"GPU {self.id!r} has no hourly price on the catalog date; add one in an override file")
        return min(self.prices.values(), key=lambda p: p.usd_per_hour)


@dataclass(frozen=True)
class OpenModel:
    id: str
    aliases: tuple[str, ...]
    params_b: float
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    ffn: int
    vocab: int
    context_tokens: int
    tokenizer: str
    source: str

    @property
    def params(self) -> float:
        return self.params_b * 1e9


# ---------------------------------------------------------------------------------------------
# Schema: section -> (entry fields: required?, type), (price-period fields)

_NUM = (int, float)
_S = {
    "api_models": {
        "entry": {"id": (True, str), "aliases": (False, list), "provider": (True, str), "encoding": (True, str),
                  "context_tokens": (True, int), "prices": (True, list), "latency": (False, dict)},
        "period": {"effective": (True, dt.date), "until": (False, dt.date), "input_usd_per_mtok": (True, _NUM),
                   "output_usd_per_mtok": (True, _NUM), "cached_input_usd_per_mtok": (False, _NUM), "source": (True, str)},
    },
    "hosted": {
        "entry": {"id": (True, str), "aliases": (False, list), "provider": (True, str), "base_model": (True, str),
                  "tokenizer": (True, str), "serving_gpu": (False, str), "prices": (True, list), "latency": (False, dict)},
        "period": {"effective": (True, dt.date), "until": (False, dt.date), "input_usd_per_mtok": (True, _NUM),
                   "output_usd_per_mtok": (True, _NUM), "training_usd_per_mtok": (False, _NUM), "source": (True, str)},
    },
    "gpus": {
        "entry": {"id": (True, str), "name": (True, str), "memory_gb": (True, _NUM), "hbm_gb_per_s": (True, _NUM),
                  "bf16_tflops": (True, _NUM), "fp8_tflops": (False, _NUM), "source": (True, str), "prices": (False, list),
                  "aliases": (False, list)},
        "period": {"provider": (True, str), "usd_per_hour": (True, _NUM), "billing": (False, str),
                   "effective": (True, dt.date), "until": (False, dt.date), "source": (True, str)},
    },
    "open_models": {
        "entry": {"id": (True, str), "aliases": (False, list), "params_b": (True, _NUM), "layers": (True, int),
                  "hidden": (True, int), "heads": (True, int), "kv_heads": (True, int), "head_dim": (True, int),
                  "ffn": (True, int), "vocab": (True, int), "context_tokens": (True, int), "tokenizer": (True, str),
                  "source": (True, str)},
        "period": {},
    },
    "batch_api": {
        "entry": {"provider": (True, str), "discount": (True, _NUM), "effective": (True, dt.date),
                  "until": (False, dt.date), "source": (True, str)},
        "period": {},
    },
}
_LATENCY = {"output_tokens_per_s": (False, _NUM), "ttft_s": (False, _NUM), "source": (True, str)}
_SECTIONS = tuple(_S)


def _check_fields(obj: Any, schema: Mapping[str, tuple[bool, Any]], where: str) -> None:
    if not isinstance(obj, dict):
        raise CatalogError(f"{where}: expected a mapping of fields, got {type(obj).__name__}")
    for key in obj:
        if key not in schema:
            hint = close_matches(str(key), schema)
            raise CatalogError(f"{where}: unknown field {key!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                               + f"; allowed: {', '.join(schema)}")
    for key, (required, typ) in schema.items():
        if key not in obj or obj[key] is None:
            if required:
                raise CatalogError(f"{where}: missing field {key!r}; every entry needs it (prices need 'source' and 'effective')")
            continue
        val = obj[key]
        if typ is dt.date:
            if isinstance(val, dt.datetime) or not isinstance(val, dt.date):
                raise CatalogError(f"{where}.{key}: {val!r} is not a date; write it as YYYY-MM-DD")
        elif typ is _NUM:
            if isinstance(val, bool) or not isinstance(val, _NUM):
                raise CatalogError(f"{where}.{key}: {val!r} is not a number")
            if val < 0:
                raise CatalogError(f"{where}.{key}: {val} is negative; prices and specs must be >= 0")
        elif typ is int:
            if isinstance(val, bool) or not isinstance(val, int) or val <= 0:
                raise CatalogError(f"{where}.{key}: {val!r} must be a positive whole number")
        elif not isinstance(val, typ):
            raise CatalogError(f"{where}.{key}: expected {typ.__name__}, got {type(val).__name__}")


def _check_periods(periods: list[dict], where: str, key: str | None = None) -> None:
    """Periods (optionally grouped by ``key``, e.g. provider) must not overlap; until > effective."""
    groups: dict[Any, list[dict]] = {}
    for p in periods:
        if p.get("until") is not None and p["until"] <= p["effective"]:
            raise CatalogError(f"{where}: period from {p['effective']} has until {p['until']} not after it")
        groups.setdefault(p.get(key) if key else None, []).append(p)
    for group, ps in groups.items():
        ps = sorted(ps, key=lambda p: p["effective"])
        for a, b in zip(ps, ps[1:]):
            end = a.get("until") or dt.date.max
            if b["effective"] < end:
                label = f" ({key} {group})" if key else ""
                raise CatalogError(
                    f"{where}.prices{label}: periods from {a['effective']} and {b['effective']} overlap; "
                    f"give the older one 'until: {b['effective']}'")


def _validate(doc: Any, path: Path) -> dict[str, list[dict]]:
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise CatalogError(f"{path}: expected a mapping with sections {', '.join(_SECTIONS)}")
    out: dict[str, list[dict]] = {}
    for section, entries in doc.items():
        if section not in _S:
            hint = close_matches(str(section), _SECTIONS)
            raise CatalogError(f"{path}: unknown section {section!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                               + f"; sections are {', '.join(_SECTIONS)}")
        if not isinstance(entries, list):
            raise CatalogError(f"{path}: section {section!r} must be a list of entries")
        schema = _S[section]
        seen: set[str] = set()
        for i, e in enumerate(entries):
            ident = e.get("id", e.get("provider", f"#{i + 1}")) if isinstance(e, dict) else f"#{i + 1}"
            where = f"{path}: {section}[{ident}]"
            _check_fields(e, schema["entry"], where)
            if "id" in schema["entry"]:
                if e["id"] in seen:
                    raise CatalogError(f"{where}: duplicate id; each id appears once per file")
                seen.add(e["id"])
            if e.get("latency") is not None:
                _check_fields(e["latency"], _LATENCY, f"{where}.latency")
            if section == "batch_api" and not 0 <= e["discount"] < 1:
                raise CatalogError(f"{where}.discount: {e['discount']} must be a fraction in [0, 1)")
            periods = e.get("prices") or []
            for j, p in enumerate(periods):
                _check_fields(p, schema["period"], f"{where}.prices[{j}]")
                if p.get("billing", "hourly") not in ("hourly", "per_second"):
                    raise CatalogError(f"{where}.prices[{j}].billing: {p['billing']!r}; use 'hourly' or 'per_second'")
            if section in ("api_models", "hosted") and not periods:
                raise CatalogError(f"{where}.prices: needs at least one dated price")
            _check_periods(periods, where, key="provider" if section == "gpus" else None)
        if section == "batch_api":
            _check_periods(entries, f"{path}: batch_api", key="provider")
        out[section] = entries
    return out


def _read_yaml(path: Path) -> dict[str, list[dict]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(f"{path}: no such catalog file; check the path given to --prices") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read ({exc}); catalog files are UTF-8 YAML") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise CatalogError(f"{path}:{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    return _validate(doc, path)


def _merge(base: dict[str, list[dict]], over: dict[str, list[dict]], path: Path) -> dict[str, list[dict]]:
    merged = {s: [dict(e) for e in base.get(s, [])] for s in _SECTIONS}
    for section, entries in over.items():
        if section == "batch_api":
            providers = {e["provider"] for e in entries}
            merged[section] = [e for e in merged[section] if e["provider"] not in providers] + list(entries)
            continue
        index = {e["id"]: e for e in merged[section]}
        for e in entries:
            if e["id"] not in index:
                merged[section].append(dict(e))
                continue
            target = index[e["id"]]
            for k, v in e.items():
                if k == "prices" and section == "gpus":
                    providers = {p["provider"] for p in v}
                    target["prices"] = [p for p in target.get("prices", []) if p["provider"] not in providers] + list(v)
                else:
                    target[k] = v
    # re-check what the merge produced (an override can make periods overlap only within itself)
    for section in ("api_models", "hosted", "gpus"):
        for e in merged[section]:
            _check_periods(e.get("prices") or [], f"{path}: {section}[{e['id']}]",
                           key="provider" if section == "gpus" else None)
    return merged


def _in_force(p: Mapping[str, Any], day: dt.date) -> bool:
    return p["effective"] <= day and (p.get("until") is None or day < p["until"])


def _latency(d: Mapping[str, Any] | None) -> Latency | None:
    if not d:
        return None
    return Latency(output_tokens_per_s=d.get("output_tokens_per_s"), ttft_s=d.get("ttft_s"), source=d["source"])


@dataclass(frozen=True)
class Catalog:
    """Everything priced as of one day. Look-ups accept ids and aliases."""

    as_of: dt.date
    api_models: Mapping[str, ApiModel]
    hosted: Mapping[str, HostedEndpoint]
    gpus: Mapping[str, Gpu]
    open_models: Mapping[str, OpenModel]
    files: tuple[str, ...] = ()
    _aliases: Mapping[str, tuple[str, str]] = field(default_factory=dict, repr=False)

    def _get(self, kind: str, name: str):
        table = getattr(self, kind)
        key = name if name in table else None
        if key is None and name in self._aliases and self._aliases[name][0] == kind:
            key = self._aliases[name][1]
        if key is None:
            names = list(table) + [a for a, (k, _) in self._aliases.items() if k == kind]
            hint = close_matches(name, names)
            label = {"api_models": "API model", "hosted": "hosted endpoint", "gpus": "GPU", "open_models": "open model"}[kind]
            raise UnknownEntryError(
                f"unknown {label} {name!r} as of {self.as_of}"
                + (f"; close ids: {', '.join(hint)}" if hint else f"; known: {', '.join(sorted(table))}")
                + " (an entry may not exist yet on that date: check --as-of)")
        return table[key]

    def api_model(self, name: str) -> ApiModel:
        return self._get("api_models", name)

    def hosted_endpoint(self, name: str) -> HostedEndpoint:
        return self._get("hosted", name)

    def gpu(self, name: str) -> Gpu:
        return self._get("gpus", name)

    def open_model(self, name: str) -> OpenModel:
        return self._get("open_models", name)

    def sources(self) -> list[dict[str, str]]:
        """One row per price in force: what, value, effective date, source (for reports)."""
        rows: list[dict[str, str]] = []
        for m in self.api_models.values():
            p = m.price
            cached = "" if p.cached_input_usd_per_mtok is None else f", cached {p.cached_input_usd_per_mtok:g}"
            rows.append({"entry": m.id, "kind": "api", "price": f"in {p.input_usd_per_mtok:g}{cached}, out "
                         f"{p.output_usd_per_mtok:g} USD/1M tok", "effective": str(p.effective), "source": p.source})
        for h in self.hosted.values():
            p = h.price
            train = "n/a" if p.training_usd_per_mtok is None else f"{p.training_usd_per_mtok:g}"
            rows.append({"entry": h.id, "kind": "hosted", "price": f"in {p.input_usd_per_mtok:g}, out "
                         f"{p.output_usd_per_mtok:g}, training {train} USD/1M tok", "effective": str(p.effective),
                         "source": p.source})
        for g in self.gpus.values():
            for gp in g.prices.values():
                rows.append({"entry": f"{g.id}@{gp.provider}", "kind": "gpu", "price": f"{gp.usd_per_hour:g} USD/GPU-h",
                             "effective": str(gp.effective), "source": gp.source})
        return rows


CATALOG_FILES = ("api_models.yaml", "hosted.yaml", "gpus.yaml", "open_models.yaml")


def _default_files() -> list[Path]:
    return [DATA_DIR / name for name in CATALOG_FILES]


@functools.lru_cache(maxsize=32)
def _load_raw(files: tuple[str, ...], stamps: tuple[float, ...]) -> dict[str, list[dict]]:
    del stamps  # part of the cache key only: an edited file is re-read
    merged: dict[str, list[dict]] = {s: [] for s in _SECTIONS}
    n_builtin = len(_default_files())
    for i, f in enumerate(files):
        doc = _read_yaml(Path(f))
        if i < n_builtin:  # our own files partition the sections: no merge semantics between them
            for s, entries in doc.items():
                merged[s] = merged[s] + entries
        else:
            merged = _merge(merged, doc, Path(f))
    return merged


def _stamp(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


def load_catalog(as_of: dt.date | str | None = None, *, overrides: Iterable[str | os.PathLike] = ()) -> Catalog:
    """The catalog with every price resolved as of ``as_of`` (default: today).

    ``overrides`` are the user's YAML files (same shape), merged over ours in order.
    Raises :class:`CatalogError` naming file, entry and field for any malformed input.
    """
    day = _to_date(as_of)
    files = tuple(str(p) for p in _default_files()) + tuple(str(Path(p)) for p in overrides)
    raw = _load_raw(files, tuple(_stamp(Path(f)) for f in files))
    aliases: dict[str, tuple[str, str]] = {}

    batch = [b for b in raw["batch_api"] if _in_force(b, day)]
    api: dict[str, ApiModel] = {}
    for e in raw["api_models"]:
        period = next((p for p in e["prices"] if _in_force(p, day)), None)
        if period is None:
            continue
        disc = next((b for b in batch if b["provider"] == e["provider"]), None)
        price = ApiPrice(
            input_usd_per_mtok=float(period["input_usd_per_mtok"]),
            output_usd_per_mtok=float(period["output_usd_per_mtok"]),
            cached_input_usd_per_mtok=None if period.get("cached_input_usd_per_mtok") is None
            else float(period["cached_input_usd_per_mtok"]),
            effective=period["effective"], until=period.get("until"), source=period["source"],
            batch_discount=float(disc["discount"]) if disc else 0.0, batch_source=disc["source"] if disc else None)
        api[e["id"]] = ApiModel(e["id"], tuple(e.get("aliases") or ()), e["provider"], e["encoding"],
                                e["context_tokens"], price, _latency(e.get("latency")))
        aliases.update({a: ("api_models", e["id"]) for a in e.get("aliases") or ()})

    hosted: dict[str, HostedEndpoint] = {}
    for e in raw["hosted"]:
        period = next((p for p in e["prices"] if _in_force(p, day)), None)
        if period is None:
            continue
        train = period.get("training_usd_per_mtok")
        price = HostedPrice(float(period["input_usd_per_mtok"]), float(period["output_usd_per_mtok"]),
                            None if train is None else float(train), period["effective"], period.get("until"),
                            period["source"])
        hosted[e["id"]] = HostedEndpoint(e["id"], tuple(e.get("aliases") or ()), e["provider"], e["base_model"],
                                         e["tokenizer"], price, e.get("serving_gpu"), _latency(e.get("latency")))
        aliases.update({a: ("hosted", e["id"]) for a in e.get("aliases") or ()})

    gpus: dict[str, Gpu] = {}
    for e in raw["gpus"]:
        prices = {p["provider"]: GpuPrice(p["provider"], float(p["usd_per_hour"]), p["effective"], p.get("until"),
                                          p["source"], p.get("billing", "hourly"))
                  for p in e.get("prices") or () if _in_force(p, day)}
        gpus[e["id"]] = Gpu(e["id"], e["name"], float(e["memory_gb"]), float(e["hbm_gb_per_s"]),
                            float(e["bf16_tflops"]), None if e.get("fp8_tflops") is None else float(e["fp8_tflops"]),
                            e["source"], MappingProxyType(prices))
        aliases.update({a: ("gpus", e["id"]) for a in e.get("aliases") or ()})

    models: dict[str, OpenModel] = {}
    for e in raw["open_models"]:
        models[e["id"]] = OpenModel(e["id"], tuple(e.get("aliases") or ()), float(e["params_b"]), e["layers"],
                                    e["hidden"], e["heads"], e["kv_heads"], e["head_dim"], e["ffn"], e["vocab"],
                                    e["context_tokens"], e["tokenizer"], e["source"])
        aliases.update({a: ("open_models", e["id"]) for a in e.get("aliases") or ()})

    return Catalog(day, MappingProxyType(api), MappingProxyType(hosted), MappingProxyType(gpus),
                   MappingProxyType(models), files, MappingProxyType(aliases))


def _to_date(value: dt.date | str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CatalogError(f"as-of date {value!r} is not a date; write it as YYYY-MM-DD") from None
