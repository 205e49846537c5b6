"""Load, validate and date-resolve the pricing catalog (``pricing/data/*.yaml``).

Conventions: prices are USD per 1M tokens (``*_usd_per_mtok``) or USD per GPU-hour
(``usd_per_hour``). A price period is in force on day ``d`` when ``effective <= d < until``
(``until`` absent = still in force). History is kept: ``load_catalog(as_of=date(2024, 3, 28))``
answers with the prices of that day.

The schema is written once, as the frozen pydantic dataclasses below (``extra="forbid"``,
finite numbers in documented ranges, real dates): a YAML entry is validated into the same class
the math reads, and a bad entry is a :class:`CatalogError` naming file, entry, field and the fix.

An API model whose last price period has an ``until`` was shut down that day. Asked for after
it, :meth:`Catalog.api_model` still answers with its last price (users compare against what they
paid) and :meth:`Catalog.notes_for` warns and names its ``successors``. Before that day, a shutdown is
known only from its announcement on: each such entry carries the provider's dated ``shutdown_notices``,
and a catalog resolved on a day before the first notice shows no shutdown at all (``shutdown`` is None,
the period's ``until`` hidden), as it was then (:func:`shutdown_known`). Asked for before its first
price, it is an error naming the models of that day. A model our YAML lacks is looked up in the
``genai-prices`` package's bundled data (:mod:`pricing.genai`), with that source shown.

User override files have the same shape as ours and are merged over them: an entry with a new
``id`` is added; an entry with a known ``id`` replaces the fields it gives, and its ``prices``
replace ours wholesale (for GPUs: ours of the same provider), so a negotiated price is stated
once with its own ``effective`` date and ``source``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, TypeAdapter, model_validator
from pydantic.dataclasses import dataclass

from ._yaml import entry_label, read_yaml, sections, validate_entry
from .errors import CatalogError, NotReleasedError, UnknownEntryError, close_matches

__all__ = [
    "ApiModel",
    "ApiPrice",
    "BatchDiscount",
    "Catalog",
    "Gpu",
    "GpuPrice",
    "HostedEndpoint",
    "HostedPrice",
    "Latency",
    "OpenModel",
    "ShutdownNotice",
    "load_catalog",
    "shutdown_known",
    "shutdown_notice_on",
    "reasoning_by_name",
    "DATA_DIR",
    "CATALOG_FILES",
]

DATA_DIR = Path(__file__).with_name("data")
CATALOG_FILES = ("api_models.yaml", "hosted.yaml", "gpus.yaml", "open_models.yaml")
FIRST_DAY, LAST_DAY = dt.date(2015, 1, 1), dt.date(2100, 12, 31)

_CFG = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)


# ---------------------------------------------------------------------------------------------
# Field types: units and ranges live here, once


def _iso_day(v: Any) -> Any:
    """Dates are YYYY-MM-DD (YAML text or a ``date``): never a time of day, a number or another format."""
    if isinstance(v, dt.datetime):
        raise ValueError("give a date without a time of day (YYYY-MM-DD)")
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-":
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            pass
    raise ValueError(f"{str(v)[:30]!r} is not a date; write it as YYYY-MM-DD")


def _day_in_range(v: dt.date) -> dt.date:
    if not FIRST_DAY <= v <= LAST_DAY:
        raise ValueError(f"dates run from {FIRST_DAY} to {LAST_DAY}")
    return v


def _num(lo: float, hi: float, *, open_lo: bool = False) -> Any:
    """A finite number (int or float, never bool or text) in ``[lo, hi]`` (``(lo, hi]`` if open_lo)."""
    bound = {"gt": lo} if open_lo else {"ge": lo}
    return Annotated[float, Field(strict=True, le=hi, allow_inf_nan=False, **bound)]


def _whole(lo: int, hi: int) -> Any:
    return Annotated[int, Field(strict=True, ge=lo, le=hi)]


Day = Annotated[dt.date, BeforeValidator(_iso_day), AfterValidator(_day_in_range)]
Text = Annotated[str, Field(strict=True, max_length=2000)]  # YAML sources must not be blank: _yaml_defaults
Ident = Annotated[str, Field(strict=True, min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$")]
UsdPerMtok = _num(0.0, 10_000.0)           # the dearest API ever (o1-pro output) is 600
UsdPerHour = _num(0.0, 1_000.0, open_lo=True)  # per GPU; a whole 8-GPU node is ~100
Fraction = Annotated[float, Field(strict=True, ge=0.0, lt=1.0, allow_inf_nan=False)]


# ---------------------------------------------------------------------------------------------
# Entries (what the YAML holds and what the math reads)


def _yaml_defaults(data: Any, **defaults: Any) -> Any:
    """Fill optional fields for a YAML mapping. The classes keep the positional order callers
    used before the schema moved to pydantic (``GpuPrice("aws", 1.0, day, None, "src")``), so an
    optional field may sit before a required one; YAML may still leave it out."""
    if isinstance(data, dict):
        if isinstance(data.get("source"), str) and not data["source"].strip():
            raise ValueError("'source' is blank; say where the figure comes from (page, document, date)")
        return {**defaults, **data}
    return data


@dataclass(frozen=True, config=_CFG)
class Latency:
    """Typical API latency: time to first token and decode speed, with the measurement's source."""

    output_tokens_per_s: _num(0.0, 100_000.0, open_lo=True) | None
    source: Text
    ttft_s: _num(0.0, 600.0, open_lo=True) | None = None

    @model_validator(mode="before")
    @classmethod
    def _yaml(cls, data):
        return _yaml_defaults(data, output_tokens_per_s=None)


def _check_period(p):
    if p.until is not None and p.until <= p.effective:
        raise ValueError(f"until {p.until} is not after effective {p.effective}; a period lasts at least a day")
    return p


@dataclass(frozen=True, config=_CFG)
class ApiPrice:
    """API prices of one period (USD per 1M tokens). ``cached_input_usd_per_mtok: None``: no
    prompt-caching discount then (cached tokens bill at the input rate)."""

    input_usd_per_mtok: UsdPerMtok
    output_usd_per_mtok: UsdPerMtok
    cached_input_usd_per_mtok: UsdPerMtok | None
    effective: Day
    until: Day | None
    source: Text
    batch_discount: Fraction = 0.0     # set on resolution from batch_api; 0 when Batch did not exist
    batch_source: Text | None = None
    snapshot: Ident | None = None      # an alias entry: the dated model it served in this period (one model, not two)

    @model_validator(mode="before")
    @classmethod
    def _yaml(cls, data):
        if isinstance(data, dict) and ({"batch_discount", "batch_source"} & set(data)):
            raise ValueError("the Batch discount comes from the 'batch_api' section (per provider); remove "
                             "batch_discount/batch_source here, or set 'batch_api: false' on the model")
        return _yaml_defaults(data, cached_input_usd_per_mtok=None, until=None)

    def __post_init__(self):
        _check_period(self)


@dataclass(frozen=True, config=_CFG)
class HostedPrice:
    """Per-token prices of a hosted fine-tuned endpoint (USD per 1M tokens of its own tokenizer)."""

    input_usd_per_mtok: UsdPerMtok
    output_usd_per_mtok: UsdPerMtok
    training_usd_per_mtok: UsdPerMtok  # per 1M training tokens (dataset tokens x epochs)
    effective: Day
    until: Day | None
    source: Text
    cached_input_usd_per_mtok: UsdPerMtok | None = None

    @model_validator(mode="before")
    @classmethod
    def _yaml(cls, data):
        if isinstance(data, dict) and data.get("training_usd_per_mtok") is None:
            raise ValueError("training_usd_per_mtok is missing: give the provider's price per 1M training tokens "
                             "(dataset tokens x epochs; 0 if you have trained the model already), since a hosted "
                             "fine-tune is priced with its training")
        return _yaml_defaults(data, until=None)

    def __post_init__(self):
        _check_period(self)


@dataclass(frozen=True, config=_CFG)
class GpuPrice:
    provider: Ident
    usd_per_hour: UsdPerHour
    effective: Day
    until: Day | None
    source: Text
    billing: Literal["hourly", "per_second"] = "hourly"  # per_second: serverless, idle hours not billed

    @model_validator(mode="before")
    @classmethod
    def _yaml(cls, data):
        return _yaml_defaults(data, until=None)

    def __post_init__(self):
        _check_period(self)


@dataclass(frozen=True, config=_CFG, kw_only=True)
class BatchDiscount:
    """A provider's Batch API discount (fraction off input and output) over a period."""

    provider: Ident
    discount: Fraction
    effective: Day
    source: Text
    until: Day | None = None

    @model_validator(mode="before")
    @classmethod
    def _yaml(cls, data):
        return _yaml_defaults(data)

    def __post_init__(self):
        _check_period(self)


@dataclass(frozen=True, config=_CFG, kw_only=True)
class ShutdownNotice:
    """A provider's public notice that a model stops on ``shutdown``; from ``announced`` on, anyone could know.

    ``basis: notice``: ``announced`` is the provider's own notice date (OpenAI's deprecations page heads each
    notice with it). ``basis: first_seen``: that date could not be found; ``announced`` is then the date of the
    earliest dated source that states the shutdown, so the shutdown counts as known from that day (later than
    the truth, never earlier), and ``source`` says so. A moved date is a second notice (announced later).
    """

    announced: Day
    shutdown: Day
    source: Text
    basis: Literal["notice", "first_seen"] = "notice"

    @model_validator(mode="before")
    @classmethod
    def _yaml(cls, data):
        return _yaml_defaults(data)

    def __post_init__(self):
        if self.announced > self.shutdown:
            raise ValueError(f"announced {self.announced} is after shutdown {self.shutdown}; a notice comes no later "
                             "than the shutdown (basis: first_seen with the shutdown day if only later sources exist)")


def shutdown_notice_on(entry, day: dt.date) -> ShutdownNotice | None:
    """The latest of ``entry.shutdown_notices`` public on ``day`` (announced on or before it), None before the first."""
    public = [n for n in entry.shutdown_notices if n.announced <= day]
    return public[-1] if public else None


def shutdown_known(entry, day: dt.date) -> dt.date | None:
    """The shutdown date of ``entry`` as it was known on ``day``.

    Rule: ``None`` when the entry has no shutdown; its ``scheduled_shutdown`` from that day on (it has
    happened); else the ``shutdown`` of the latest notice announced on or before ``day``; ``None`` before
    the first notice (nobody knew). A user asking about a past date is told only what was public then.

    Worked example: gpt-4-1106-preview (OpenAI deprecations page): notice of 2025-09-26 said 2026-03-26,
    notice of 2026-04-22 said 2026-10-23.

    >>> import datetime as dt
    >>> from types import SimpleNamespace as NS
    >>> n1 = NS(announced=dt.date(2025, 9, 26), shutdown=dt.date(2026, 3, 26))
    >>> n2 = NS(announced=dt.date(2026, 4, 22), shutdown=dt.date(2026, 10, 23))
    >>> e = NS(scheduled_shutdown=dt.date(2026, 10, 23), shutdown_notices=(n1, n2))
    >>> [str(shutdown_known(e, dt.date.fromisoformat(d))) for d in ("2024-03-28", "2025-12-01", "2026-05-01", "2026-11-01")]
    ['None', '2026-03-26', '2026-10-23', '2026-10-23']
    """
    end = entry.scheduled_shutdown
    if end is None:
        return None
    if day >= end:
        return end
    notice = shutdown_notice_on(entry, day)
    return None if notice is None else notice.shutdown


def _check_notices(e) -> None:
    """Every shutdown (the last period's ``until``) has dated notices, in order, the last one giving that date."""
    end = max(e.prices, key=lambda p: p.effective).until
    notices = e.shutdown_notices
    if getattr(e, "ended_by", "shutdown") == "replaced":
        if end is None or notices:
            raise ValueError("ended_by 'replaced' means the last price period's 'until' is where another catalog "
                             "entry takes over (no provider shutdown): give that 'until' and no shutdown_notices")
        return
    if end is None:
        if notices:
            raise ValueError("shutdown_notices given but the last price period has no 'until'; give the shutdown "
                             "date as that period's 'until', or remove shutdown_notices")
        return
    if not notices:
        raise ValueError(f"the last price period ends on {end} (a shutdown) but shutdown_notices is missing; add "
                         f"'- {{announced: YYYY-MM-DD, shutdown: {end}, source: ...}}' with the day the provider "
                         "announced it (basis: first_seen and the earliest dated source if that day is unknown), "
                         "or ended_by: replaced on a hosted entry another one takes over from")
    for a, b in zip(notices, notices[1:]):
        if b.announced <= a.announced:
            raise ValueError(f"shutdown_notices: announced {b.announced} is not after {a.announced}; list notices "
                             "oldest first, one per announcement")
    if notices[-1].shutdown != end:
        raise ValueError(f"shutdown_notices: the last notice says {notices[-1].shutdown} but the last price period "
                         f"ends on {end}; they are the same shutdown")


def _no_overlap(periods, where: str = "prices") -> None:
    """Periods sorted by start must not overlap (the older one needs ``until`` = the newer's start)."""
    ps = sorted(periods, key=lambda p: p.effective)
    for a, b in zip(ps, ps[1:]):
        if b.effective < (a.until or dt.date.max):
            raise ValueError(f"{where}: periods from {a.effective} and {b.effective} overlap; "
                             f"give the older one 'until: {b.effective}'")


def _history_from_yaml(data: Any, resolved: str, history: str = "prices") -> Any:
    """YAML writes the price history as ``prices``; ``resolved`` is filled by the catalog, never by YAML."""
    if isinstance(data, dict) and resolved in data:
        raise ValueError(f"'{resolved}' is computed from '{history}'; write a dated period under '{history}' instead")
    if isinstance(data, dict) and "known_on" in data:
        raise ValueError("'known_on' is the catalog date, set on resolution; remove it (dates go under "
                         "'prices' and 'shutdown_notices')")
    return data


Aliases = Annotated[tuple[Ident, ...], Field(max_length=50)]


class _PriceHistory:
    """An entry priced by a dated history: YAML writes ``prices`` (periods must not overlap); ``price``, the
    period in force on the catalog date, is filled on resolution, never by YAML."""

    @model_validator(mode="before")
    @classmethod
    def _yaml(cls, data):
        return _history_from_yaml(data, "price")

    def __post_init__(self):
        _no_overlap(self.prices)
        _check_notices(self)

    @property
    def released(self) -> dt.date:
        return min(p.effective for p in self.prices)

    @property
    def scheduled_shutdown(self) -> dt.date | None:
        """The last period's ``until``: the day the model stops (stopped) being served, known or not yet."""
        if getattr(self, "ended_by", "shutdown") != "shutdown":
            return None
        return max(self.prices, key=lambda p: p.effective).until

    @property
    def shutdown(self) -> dt.date | None:
        """The shutdown as known on the catalog date (:func:`shutdown_known` of ``known_on``); for an entry not
        resolved to a date (its whole history), the scheduled one. What ``compare`` holds options to."""
        return self.scheduled_shutdown if self.known_on is None else shutdown_known(self, self.known_on)

    @property
    def shutdown_notice(self) -> ShutdownNotice | None:
        """The notice behind :attr:`shutdown` (None when no shutdown is known)."""
        if self.shutdown is None:
            return None
        day = self.known_on if self.known_on is not None else dt.date.max
        return shutdown_notice_on(self, day) or self.shutdown_notices[-1]


@dataclass(frozen=True, config=_CFG, kw_only=True)
class ApiModel(_PriceHistory):
    """A pay-per-token API model: its dated price history and, resolved on a day, ``price``."""

    id: Ident
    provider: Ident
    prices: Annotated[tuple[ApiPrice, ...], Field(min_length=1, max_length=100)]
    context_tokens: _whole(1, 100_000_000) | None = None  # None: not recorded
    encoding: Ident | None = None       # tiktoken encoding; None: the provider's own tokenizer
    aliases: Aliases = ()
    latency: Latency | None = None
    successors: Aliases = ()             # what the provider recommends once it is shut down
    shutdown_notices: Annotated[tuple[ShutdownNotice, ...], Field(max_length=20)] = ()  # oldest first
    batch_api: bool = True               # served by the provider's Batch API (when that exists)
    reasoning: bool = False              # bills hidden reasoning tokens as output (YAML states it; see below)
    price: ApiPrice | None = None        # the period in force on the catalog date (set on resolution)
    known_on: Day | None = None          # the catalog date (set on resolution): what was known then

    @property
    def served_model(self) -> str:
        """The model actually served on the catalog date: the snapshot an alias points to, else this id."""
        return self.price.snapshot if self.price is not None and self.price.snapshot else self.id


# OpenAI's reasoning models (o1, o3, o3-mini, o4-mini, the GPT-5 family and later; OpenAI model pages,
# platform.openai.com/docs/models) bill hidden reasoning tokens as output tokens
# (platform.openai.com/docs/guides/reasoning). Our YAML states ``reasoning`` per model; this name rule is the
# one fallback, for models priced from genai-prices, whose data does not say.
_REASONING_NAME = re.compile(r"^(?:o[1-9]\d*|gpt-(?:[5-9]|\d{2,}))(?:[.-]|$)")


def reasoning_by_name(model_id: str) -> bool:
    """Whether an OpenAI model name is a reasoning model's (``-chat`` variants are not).

    >>> [reasoning_by_name(n) for n in ("o3-pro", "openai/o1-mini", "gpt-5.1", "gpt-5-chat-latest", "gpt-4o", "omni")]
    [True, True, True, False, False, False]
    """
    name = model_id.strip().lower().removeprefix("ft:").rsplit("/", 1)[-1]
    return bool(_REASONING_NAME.match(name)) and "-chat" not in name


@dataclass(frozen=True, config=_CFG, kw_only=True)
class HostedEndpoint(_PriceHistory):
    """A hosted fine-tuned model billed per token (training per token too)."""

    id: Ident
    provider: Ident
    base_model: Ident
    tokenizer: Ident
    prices: Annotated[tuple[HostedPrice, ...], Field(min_length=1, max_length=100)]
    aliases: Aliases = ()
    serving_gpu: Ident | None = None    # GPU assumed for latency estimates when none is published
    latency: Latency | None = None
    shutdown_notices: Annotated[tuple[ShutdownNotice, ...], Field(max_length=20)] = ()  # oldest first
    # "replaced": the last period's until is where another entry of ours takes over (no provider shutdown)
    ended_by: Literal["shutdown", "replaced"] = "shutdown"
    price: HostedPrice | None = None
    known_on: Day | None = None          # the catalog date (set on resolution)


@dataclass(frozen=True, config=_CFG)
class Gpu:
    """A GPU's specs, its price history (``history``) and the prices in force by provider (``prices``)."""

    id: Ident
    name: Text
    memory_gb: _num(1.0, 10_000.0)
    hbm_gb_per_s: _num(1.0, 100_000.0)
    bf16_tflops: _num(0.1, 100_000.0)
    fp8_tflops: _num(0.1, 100_000.0) | None
    source: Text
    prices: Mapping[Ident, GpuPrice] = dataclasses.field(default_factory=dict)  # provider -> in force
    _: dataclasses.KW_ONLY
    aliases: Aliases = ()
    history: Annotated[tuple[GpuPrice, ...], Field(max_length=500)] = ()

    @model_validator(mode="before")
    @classmethod
    def _yaml(cls, data):
        if isinstance(data, dict):
            if "history" in data:
                raise ValueError("'history' is computed; write the dated prices under 'prices'")
            data = _yaml_defaults(data, fp8_tflops=None)
            if "prices" in data:
                data["history"] = data.pop("prices")
        return data

    def __post_init__(self):
        for provider in {p.provider for p in self.history}:
            _no_overlap([p for p in self.history if p.provider == provider], f"prices (provider {provider})")

    def cheapest(self) -> GpuPrice:
        """The lowest hourly price in force (raises when no provider has one)."""
        if not self.prices:
            raise UnknownEntryError(f"GPU {self.id!r} has no hourly price on the catalog date; "
                                    "add one in an override file")
        return min(self.prices.values(), key=lambda p: p.usd_per_hour)


@dataclass(frozen=True, config=_CFG)
class OpenModel:
    """An open-weights model's shape (from its config.json) for memory, FLOP and KV-traffic math."""

    id: Ident
    aliases: Aliases
    params_b: _num(0.01, 10_000.0)      # total parameters, billions
    layers: _whole(1, 1_000)
    hidden: _whole(1, 1_000_000)         # hidden_size
    heads: _whole(1, 10_000)
    kv_heads: _whole(1, 10_000)
    head_dim: _whole(1, 100_000)
    ffn: _whole(1, 10_000_000)           # intermediate_size
    vocab: _whole(1, 10_000_000)
    context_tokens: _whole(1, 100_000_000)
    tokenizer: Ident
    source: Text
    _: dataclasses.KW_ONLY
    sliding_window_tokens: _whole(1, 100_000_000) | None = None  # attention window; None: full attention

    @model_validator(mode="before")
    @classmethod
    def _yaml(cls, data):
        return _yaml_defaults(data, aliases=())

    def __post_init__(self):
        if self.kv_heads > self.heads:
            raise ValueError(f"kv_heads {self.kv_heads} exceeds heads {self.heads}; check the model's config.json")

    @property
    def params(self) -> float:
        return self.params_b * 1e9

    @property
    def hidden_size(self) -> int:
        return self.hidden

    @property
    def intermediate_size(self) -> int:
        return self.ffn


_SECTIONS: dict[str, type] = {"api_models": ApiModel, "hosted": HostedEndpoint, "gpus": Gpu,
                              "open_models": OpenModel, "batch_api": BatchDiscount}
_ADAPTERS = {s: TypeAdapter(cls) for s, cls in _SECTIONS.items()}


def _validate(section: str, entry: Any, path: Path, i: int):
    return validate_entry(_ADAPTERS[section], _SECTIONS[section], entry, path, section, i)


# ---------------------------------------------------------------------------------------------
# Merging: ours, then each override file in order. Raw dicts are merged, then validated.


def _last_until(prices: Any) -> Any:
    """The raw ``until`` of the latest period of a YAML ``prices`` list (None if absent or malformed)."""
    periods = [p for p in prices if isinstance(p, dict)] if isinstance(prices, list) else []
    return max(periods, key=lambda p: str(p.get("effective")), default={}).get("until")


def _merge_entry(base: dict, over: dict, section: str) -> dict:
    merged = {**base, **over}
    if ("prices" in over and "shutdown_notices" not in over and "shutdown_notices" in base
            and str(_last_until(over["prices"])) != str(_last_until(base.get("prices")))):
        # the override moves or removes our shutdown: our notices were about our date, not theirs
        del merged["shutdown_notices"]
    if section == "gpus" and isinstance(over.get("prices"), list) and isinstance(base.get("prices"), list):
        providers = {p.get("provider") for p in over["prices"] if isinstance(p, dict)}
        merged["prices"] = [p for p in base["prices"] if p.get("provider") not in providers] + over["prices"]
    return merged


@functools.lru_cache(maxsize=32)
def _load_entries(files: tuple[str, ...], stamps: tuple[float, ...], n_builtin: int) -> dict[str, tuple]:
    """Every validated entry of every section (history, not yet resolved to a date)."""
    del stamps  # part of the cache key only: an edited file is re-read
    raw: dict[str, dict[str, dict]] = {s: {} for s in _SECTIONS}       # section -> key -> raw dict
    valid: dict[str, dict[str, Any]] = {s: {} for s in _SECTIONS}      # section -> key -> entry
    for n, name in enumerate(files):
        path = Path(name)
        for section, entries in sections(read_yaml(path), path, _SECTIONS).items():
            seen: set[str] = set()
            batch_providers: set[str] = set()
            for i, e in enumerate(entries):
                if section == "batch_api":
                    obj = _validate(section, e, path, i)
                    if n >= n_builtin and obj.provider not in batch_providers:  # an override replaces a provider
                        for k in [k for k, v in valid[section].items() if v.provider == obj.provider]:
                            del valid[section][k]
                    batch_providers.add(obj.provider)
                    valid[section][f"{n}:{i}"] = obj
                    continue
                key = e.get("id") if isinstance(e, dict) else None
                if isinstance(key, str) and key in seen:
                    raise CatalogError(f"{path}: {section}[{entry_label(e, i)}]: duplicate id; "
                                       "each id appears once per file")
                merged = _merge_entry(raw[section][key], e, section) if (
                    n >= n_builtin and isinstance(key, str) and key in raw[section] and isinstance(e, dict)) else e
                obj = _validate(section, merged, path, i)
                seen.add(obj.id)
                raw[section][obj.id], valid[section][obj.id] = merged, obj
        if "batch_api" in valid:
            try:
                for provider in {b.provider for b in valid["batch_api"].values()}:
                    _no_overlap([b for b in valid["batch_api"].values() if b.provider == provider],
                                f"batch_api (provider {provider})")
            except ValueError as exc:
                raise CatalogError(f"{path}: {exc}") from None
    _check_names(valid, files)
    return {s: tuple(v.values()) for s, v in valid.items()}


def _check_names(valid: dict[str, dict[str, Any]], files: tuple[str, ...]) -> None:
    """An alias may not be another entry's id or alias within the same kind."""
    for section in ("api_models", "hosted", "gpus", "open_models"):
        owner: dict[str, str] = {e.id: e.id for e in valid[section].values()}
        for e in valid[section].values():
            for a in e.aliases:
                if a in owner and owner[a] != e.id:
                    raise CatalogError(f"{section}[{e.id}].aliases: {a!r} already names {owner[a]!r}; remove one "
                                       f"(files: {', '.join(Path(f).name for f in files)})")
                owner[a] = e.id
    for e in valid["api_models"].values():
        for i, p in enumerate(e.prices):
            if p.snapshot is not None and (p.snapshot == e.id or p.snapshot not in valid["api_models"]):
                raise CatalogError(f"api_models[{e.id}].prices[{i}].snapshot: {p.snapshot!r} is not another API "
                                   "model's id; name the dated model this alias served "
                                   f"(files: {', '.join(Path(f).name for f in files)})")


# ---------------------------------------------------------------------------------------------
# The catalog of one day


def _in_force(p, day: dt.date) -> bool:
    return p.effective <= day and (p.until is None or day < p.until)


_LABELS = {"api_models": "API model", "hosted": "hosted endpoint", "gpus": "GPU", "open_models": "open model"}


@dataclasses.dataclass(frozen=True)
class Catalog:
    """Everything priced as of one day. Look-ups accept ids and aliases.

    ``api_models`` and ``hosted`` hold what is in force that day. ``retired`` holds API models
    shut down before it (at their last price); :meth:`api_model` finds them too, and
    :meth:`notes_for` carries the warning. Models our YAML lacks come from genai-prices.
    """

    as_of: dt.date
    api_models: Mapping[str, ApiModel]
    hosted: Mapping[str, HostedEndpoint]
    gpus: Mapping[str, Gpu]
    open_models: Mapping[str, OpenModel]
    files: tuple[str, ...] = ()
    _aliases: Mapping[str, tuple[str, str]] = dataclasses.field(default_factory=dict, repr=False)
    retired: Mapping[str, ApiModel] = dataclasses.field(default_factory=dict, repr=False)
    unreleased: Mapping[str, ApiModel] = dataclasses.field(default_factory=dict, repr=False)
    _external: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)

    def _key(self, kind: str, name: str) -> str | None:
        table = getattr(self, kind)
        if name in table or (kind == "api_models" and (name in self.retired or name in self.unreleased)):
            return name
        if name in self._aliases and self._aliases[name][0] == kind:
            return self._aliases[name][1]
        return None

    def _unknown(self, kind: str, name: str) -> UnknownEntryError:
        table = getattr(self, kind)
        names = list(table) + [a for a, (k, _) in self._aliases.items() if k == kind and self._aliases[a][1] in table]
        hint = close_matches(str(name), names)
        return UnknownEntryError(
            f"unknown {_LABELS[kind]} {str(name)[:80]!r} as of {self.as_of}"
            + (f"; close ids: {', '.join(hint)}" if hint else f"; known: {', '.join(sorted(table))}")
            + " (an entry may not exist yet on that date: check --as-of)")

    def _get(self, kind: str, name: str):
        key = self._key(kind, name)
        if key is None:
            raise self._unknown(kind, name)
        return getattr(self, kind)[key]

    def api_model(self, name: str) -> ApiModel:
        """The API model ``name`` (id or alias) on the catalog date.

        Shut down before the date: its last price (see :meth:`notes_for`). Not released yet: an
        error naming the models of that day. Not in our YAML: genai-prices' bundled data, then an
        error listing close ids.
        """
        if not isinstance(name, str) or not name:
            raise UnknownEntryError(f"model name must be text, got {type(name).__name__}")
        key = self.api_id(name)  # "openai/gpt-4o" as LiteLLM and gateways log it
        if key is None:
            return self._external_model(name)
        if key in self.unreleased:
            m = self.unreleased[key]
            day = sorted(self.api_models)
            raise NotReleasedError(
                f"{name!r} is not released as of {self.as_of} (first priced {m.released}); API models priced that day: "
                f"{', '.join(day) if day else 'none'} (change --as-of or --baseline)")
        return self.api_models[key] if key in self.api_models else self.retired[key]

    def api_id(self, name: str) -> str | None:
        """Our catalog's id for an API model name or alias (any date state), None when our YAML lacks it."""
        key = self._key("api_models", name) if isinstance(name, str) else None
        if key is None and isinstance(name, str) and name.lower().startswith("openai/"):
            key = self._key("api_models", name.partition("/")[2])
        return key

    def _external_model(self, name: str) -> ApiModel:
        if name in self._external:
            return self._external[name]
        from .genai import genai_api_model  # lazy: the bundled data is 1.6 MB of Python

        model = genai_api_model(name, self.as_of)
        if model is None:
            raise self._unknown("api_models", name)
        self._external[name] = model
        return model

    def hosted_endpoint(self, name: str) -> HostedEndpoint:
        return self._get("hosted", name)

    def gpu(self, name: str) -> Gpu:
        return self._get("gpus", name)

    def open_model(self, name: str) -> OpenModel:
        return self._get("open_models", name)

    def notes_for(self, name: str) -> tuple[str, ...]:
        """Warnings that go with an option's price: shut down (and its successors), shutting down
        soon, priced from genai-prices (tiers, unknown start date). Empty for an unknown name."""
        try:
            m = self.api_model(name)
        except (KeyError, ValueError):
            return ()
        notes: list[str] = []
        # successors of ours not released yet on the date are left out (names of other sources cannot be dated)
        named = [x for x in m.successors if self.api_id(x) is None or self.api_id(x) not in self.unreleased]
        succ = f"; successors: {', '.join(named)}" if named else ""
        if m.id in self.retired:
            notes.append(f"{m.id} was shut down on {m.shutdown}: priced at its last price (what you paid){succ}")
        elif m.shutdown is not None and m.id in self.api_models:
            notes.append(_shutdown_note(m, self.as_of) + succ)
        from .genai import genai_notes

        notes.extend(genai_notes(m))
        return tuple(notes)

    def sources(self) -> list[dict[str, str]]:
        """One row per price in force: what, value, effective date, source (for reports)."""
        rows: list[dict[str, str]] = []
        for m in [*self.api_models.values(), *self._external.values()]:
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


def _shutdown_note(m, as_of: dt.date) -> str:
    """The warning for a live entry whose shutdown was announced by ``as_of`` (with the notice's date)."""
    n = m.shutdown_notice
    when = f"announced {n.announced}" if n.basis == "notice" else f"known since {n.announced}, announcement date not found"
    if m.shutdown > as_of:
        return f"{m.id} shuts down on {m.shutdown} ({when})"
    return f"{m.id} was due to shut down on {m.shutdown} ({when}) and is still priced as served on {as_of}"


def _default_files() -> list[Path]:
    return [DATA_DIR / name for name in CATALOG_FILES]


def _stamp(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


def _as_known(entry, period, day: dt.date):
    """``period`` as known on ``day``: the last period's ``until`` (the shutdown) is the date announced by
    then, or absent before the first notice (:func:`shutdown_known`). Other periods are unchanged."""
    end = entry.scheduled_shutdown
    if end is None or period.until != end or day >= end:
        return period
    known = shutdown_known(entry, day)
    until = known if known is not None and known > period.effective else None
    return period if until == period.until else dataclasses.replace(period, until=until)


def _resolve_api(m: ApiModel, day: dt.date, batch: list[BatchDiscount]) -> tuple[str, ApiModel]:
    """(state, model with ``price`` and ``known_on`` set): state is ``live``, ``retired`` or ``unreleased``."""
    as_of = day
    period = next((p for p in m.prices if _in_force(p, day)), None)
    state = "live"
    if period is None:
        last = max(m.prices, key=lambda p: p.effective)
        if day < m.released:
            return "unreleased", m
        state, period = "retired", last
        day = last.until - dt.timedelta(days=1)  # the Batch discount of its last day
    disc = next((b for b in batch if b.provider == m.provider and _in_force(b, day)), None) if m.batch_api else None
    if disc is not None:
        period = dataclasses.replace(period, batch_discount=disc.discount, batch_source=disc.source)
    return state, dataclasses.replace(m, price=_as_known(m, period, as_of), known_on=as_of)


def load_catalog(as_of: dt.date | str | None = None, *, overrides: Iterable[str | os.PathLike] = ()) -> Catalog:
    """The catalog with every price resolved as of ``as_of`` (default: today).

    ``overrides`` are the user's YAML files (same shape), merged over ours in order.
    Raises :class:`CatalogError` naming file, entry and field for any malformed input.
    """
    day = _to_date(as_of)
    if isinstance(overrides, (str, os.PathLike)):
        overrides = [overrides]
    files = tuple(str(p) for p in _default_files()) + tuple(str(Path(p)) for p in overrides)
    entries = _load_entries(files, tuple(_stamp(Path(f)) for f in files), len(CATALOG_FILES))
    aliases: dict[str, tuple[str, str]] = {}

    tables: dict[str, dict[str, ApiModel]] = {"live": {}, "retired": {}, "unreleased": {}}
    for m in entries["api_models"]:
        state, resolved = _resolve_api(m, day, list(entries["batch_api"]))
        tables[state][m.id] = resolved
        aliases.update({a: ("api_models", m.id) for a in m.aliases})

    hosted: dict[str, HostedEndpoint] = {}
    for e in entries["hosted"]:
        period = next((p for p in e.prices if _in_force(p, day)), None)
        if period is not None:
            hosted[e.id] = dataclasses.replace(e, price=_as_known(e, period, day), known_on=day)
            aliases.update({a: ("hosted", e.id) for a in e.aliases})

    gpus: dict[str, Gpu] = {}
    for g in entries["gpus"]:
        prices = {p.provider: p for p in g.history if _in_force(p, day)}
        gpus[g.id] = dataclasses.replace(g, prices=MappingProxyType(prices))
        aliases.update({a: ("gpus", g.id) for a in g.aliases})

    models = {m.id: m for m in entries["open_models"]}
    aliases.update({a: ("open_models", m.id) for m in entries["open_models"] for a in m.aliases})

    return Catalog(day, MappingProxyType(tables["live"]), MappingProxyType(hosted), MappingProxyType(gpus),
                   MappingProxyType(models), files, MappingProxyType(aliases),
                   retired=MappingProxyType(tables["retired"]), unreleased=MappingProxyType(tables["unreleased"]))


def catalog_entries(overrides: Iterable[str | os.PathLike] = ()) -> dict[str, tuple]:
    """Every validated entry with its whole price history (for listings such as ``advisor prices``)."""
    files = tuple(str(p) for p in _default_files()) + tuple(str(Path(p)) for p in overrides)
    return _load_entries(files, tuple(_stamp(Path(f)) for f in files), len(CATALOG_FILES))


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _to_date(value: dt.date | str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        text = str(value)[:40]
        try:
            if not _ISO.match(text):
                raise ValueError
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise CatalogError(f"as-of date {text!r} is not a date; write it as YYYY-MM-DD") from None
    if not FIRST_DAY <= value <= LAST_DAY:
        raise CatalogError(f"as-of date {value} is outside {FIRST_DAY}..{LAST_DAY}; the catalog starts in 2023")
    return value

