"""The catalog's schema, written once: frozen pydantic dataclasses (``extra="forbid"``, finite numbers in
documented ranges, real dates) that a YAML entry is validated into and the math reads.

Conventions: prices are USD per 1M tokens (``*_usd_per_mtok``) or USD per GPU-hour (``usd_per_hour``). A price
period is in force on day ``d`` when ``effective <= d < until`` (``until`` absent = still in force). A shutdown is
known only from its announcement on (:func:`shutdown_known`). Loading, merging and the dated view live in
:mod:`pricing.catalog`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, model_validator
from pydantic.dataclasses import dataclass

from .errors import UnknownEntryError

__all__ = ["ApiModel", "ApiPrice", "BatchDiscount", "Deployment", "DeploymentPrice", "Gpu", "GpuPrice",
           "HostedEndpoint", "HostedPrice", "Latency", "OpenModel", "Quality", "ShutdownNotice", "TrainingAccess", "FIRST_DAY",
           "LAST_DAY", "SECTIONS", "reasoning_by_name", "shutdown_known", "shutdown_notice_on", "no_overlap",
           "training_access_on", "training_closes_known"]

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
    """Field metadata for a finite number (int or float, never bool or text) in ``[lo, hi]`` (``(lo, hi]`` if
    open_lo): ``Annotated[float, _num(lo, hi)]``, so the type stays a static alias that mypy reads."""
    if open_lo:
        return Field(strict=True, gt=lo, le=hi, allow_inf_nan=False)
    return Field(strict=True, ge=lo, le=hi, allow_inf_nan=False)


def _whole(lo: int, hi: int) -> Any:
    """Field metadata for a whole number (never bool, float or text) in ``[lo, hi]``: ``Annotated[int, _whole(lo, hi)]``."""
    return Field(strict=True, ge=lo, le=hi)


Day = Annotated[dt.date, BeforeValidator(_iso_day), AfterValidator(_day_in_range)]
Text = Annotated[str, Field(strict=True, max_length=2000)]  # YAML sources must not be blank: _yaml_defaults
Ident = Annotated[str, Field(strict=True, min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$")]
UsdPerMtok = Annotated[float, _num(0.0, 10_000.0)]         # the dearest API ever (o1-pro output) is 600
UsdPerHour = Annotated[float, _num(0.0, 1_000.0, open_lo=True)]  # per GPU; a whole 8-GPU node is ~100
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

    output_tokens_per_s: Annotated[float, _num(0.0, 100_000.0, open_lo=True)] | None
    source: Text
    ttft_s: Annotated[float, _num(0.0, 600.0, open_lo=True)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _yaml(cls, data):
        return _yaml_defaults(data, output_tokens_per_s=None)


@dataclass(frozen=True, config=_CFG)
class Quality:
    """A model's published general score and size, with their source: ``mmlu`` (MMLU accuracy, %, as its publisher
    or OpenAI's simple-evals reports it) and, for an open-weight model, ``params_b`` (billions of parameters).
    Read by :mod:`advisor.quality` to decide whether a switch without training is like for like."""

    source: Text
    mmlu: Annotated[float, _num(0.0, 100.0, open_lo=True)] | None = None
    params_b: Annotated[float, _num(0.0, 100_000.0, open_lo=True)] | None = None


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


@dataclass(frozen=True, config=_CFG, kw_only=True)
class TrainingAccess:
    """Who may train a new fine-tune of a hosted model from ``effective`` on: ``open`` (anyone), ``existing_customers``
    (only organisations that already fine-tune there) or ``closed`` (no one). Public from ``announced`` (default: the
    same day). Inference on fine-tunes already trained is not affected (it follows the price periods)."""

    access: Literal["open", "existing_customers", "closed"]
    effective: Day
    source: Text
    announced: Day | None = None

    @model_validator(mode="before")
    @classmethod
    def _yaml(cls, data):
        return _yaml_defaults(data)

    def __post_init__(self):
        if self.announced is not None and self.announced > self.effective:
            raise ValueError(f"announced {self.announced} is after effective {self.effective}; a change is announced "
                             "no later than it applies (leave 'announced' out when it is the same day)")

    @property
    def public_from(self) -> dt.date:
        return self.announced or self.effective


def training_access_on(steps, day: dt.date) -> TrainingAccess | None:
    """The step in force on ``day`` (the latest with ``effective <= day``), None before the first: open then.

    >>> import datetime as dt
    >>> s = [TrainingAccess(access="existing_customers", effective=dt.date(2026, 5, 7), source="x"),
    ...      TrainingAccess(access="closed", effective=dt.date(2027, 1, 6), announced=dt.date(2026, 5, 7), source="x")]
    >>> [getattr(training_access_on(s, dt.date.fromisoformat(d)), "access", "open") for d in
    ...  ("2026-05-06", "2026-05-07", "2027-01-06")]
    ['open', 'existing_customers', 'closed']
    """
    started = [s for s in steps if s.effective <= day]
    return started[-1] if started else None


def training_closes_known(steps, day: dt.date) -> dt.date | None:
    """The day training a new fine-tune closes to everyone, as known on ``day``: the first ``closed`` step public by
    then (announced on or before ``day``), None when none is.

    >>> import datetime as dt
    >>> s = [TrainingAccess(access="closed", effective=dt.date(2027, 1, 6), announced=dt.date(2026, 5, 7), source="x")]
    >>> training_closes_known(s, dt.date(2026, 5, 6)), training_closes_known(s, dt.date(2026, 12, 6))
    (None, datetime.date(2027, 1, 6))
    """
    closed = [s for s in steps if s.access == "closed" and s.public_from <= day]
    return closed[0].effective if closed else None


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


def no_overlap(periods, where: str = "prices") -> None:
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

    # Declared for the type checker only: each subclass (a pydantic dataclass) declares them as its fields.
    if TYPE_CHECKING:
        prices: tuple[ApiPrice | HostedPrice, ...]
        shutdown_notices: tuple[ShutdownNotice, ...]
        known_on: dt.date | None

    @model_validator(mode="before")
    @classmethod
    def _yaml(cls, data):
        return _history_from_yaml(data, "price")

    def __post_init__(self):
        no_overlap(self.prices)
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
    context_tokens: Annotated[int, _whole(1, 100_000_000)] | None = None  # None: not recorded
    encoding: Ident | None = None       # tiktoken encoding; None: the provider's own tokenizer
    aliases: Aliases = ()
    latency: Latency | None = None
    quality: Quality | None = None       # published general score and size (None: none recorded)
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
    training_access: Annotated[tuple[TrainingAccess, ...], Field(max_length=20)] = ()  # oldest first; none = open
    price: HostedPrice | None = None
    known_on: Day | None = None          # the catalog date (set on resolution)

    def __post_init__(self):
        super().__post_init__()
        for a, b in zip(self.training_access, self.training_access[1:]):
            if b.effective <= a.effective:
                raise ValueError(f"training_access: effective {b.effective} is not after {a.effective}; list the "
                                 "steps oldest first, one per change")

    @property
    def training(self) -> str:
        """Who may train a new fine-tune on the catalog date: ``open``, ``existing_customers`` or ``closed``."""
        day = self.known_on if self.known_on is not None else dt.date.max
        step = training_access_on(self.training_access, day)
        return "open" if step is None else step.access

    @property
    def trainable(self) -> bool:
        """Whether a team that never fine-tuned here can train one on the catalog date (a new fine-tune)."""
        return self.training == "open"

    @property
    def training_closes(self) -> dt.date | None:
        """The day new training closes to everyone, as known on the catalog date (None: no such notice)."""
        return training_closes_known(self.training_access, self.known_on if self.known_on is not None else dt.date.max)


@dataclass(frozen=True, config=_CFG)
class Gpu:
    """A GPU's specs, its price history (``history``) and the prices in force by provider (``prices``)."""

    id: Ident
    name: Text
    memory_gb: Annotated[float, _num(1.0, 10_000.0)]
    hbm_gb_per_s: Annotated[float, _num(1.0, 100_000.0)]
    bf16_tflops: Annotated[float, _num(0.1, 100_000.0)]
    fp8_tflops: Annotated[float, _num(0.1, 100_000.0)] | None
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
            no_overlap([p for p in self.history if p.provider == provider], f"prices (provider {provider})")

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
    params_b: Annotated[float, _num(0.01, 10_000.0)]      # total parameters, billions
    layers: Annotated[int, _whole(1, 1_000)]
    hidden: Annotated[int, _whole(1, 1_000_000)]         # hidden_size
    heads: Annotated[int, _whole(1, 10_000)]
    kv_heads: Annotated[int, _whole(1, 10_000)]
    head_dim: Annotated[int, _whole(1, 100_000)]
    ffn: Annotated[int, _whole(1, 10_000_000)]           # intermediate_size
    vocab: Annotated[int, _whole(1, 10_000_000)]
    context_tokens: Annotated[int, _whole(1, 100_000_000)]
    tokenizer: Ident
    source: Text
    _: dataclasses.KW_ONLY
    sliding_window_tokens: Annotated[int, _whole(1, 100_000_000)] | None = None  # attention window; None: full attention

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


@dataclass(frozen=True, config=_CFG, kw_only=True)
class DeploymentPrice:
    """One period of a dedicated deployment: USD per GPU-hour (one GPU, billed while a replica runs) and the
    provider's fine-tuning price per 1M training tokens (dataset tokens x epochs) for the bases it serves."""

    usd_per_gpu_hour: UsdPerHour
    training_usd_per_mtok: UsdPerMtok
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
class Deployment:
    """A provider's dedicated deployment of a fine-tuned open model on one GPU type (Fireworks on-demand, Together
    dedicated endpoints): billed per GPU-hour whatever the traffic, sized by the self-hosting capacity model.

    ``adapters_per_deployment``: LoRA adapters of one base it serves at once (multi-LoRA; 1 = one model per
    deployment), with ``multi_lora_ttft_factor`` on time to first token when it serves several. ``scale_to_zero``:
    replicas stop when idle and the next request waits ``cold_start_s``; else at least ``min_replicas`` run.
    ``price`` and ``known_on`` are set on resolution to a date (YAML writes ``prices``)."""

    id: Ident
    provider: Ident
    gpu: Ident                           # a GPU id of gpus.yaml (its specs size the replicas)
    base_models: Annotated[tuple[Ident, ...], Field(min_length=1, max_length=50)]  # open_models.yaml ids it serves
    billing: Literal["per_second", "per_minute", "hourly"]
    scale_to_zero: bool
    min_replicas: Annotated[int, _whole(1, 1000)]        # replicas kept running when not scaled to zero
    cold_start_s: Annotated[float, _num(0.0, 3600.0)]      # wait of a request that finds no replica (scale-to-zero)
    adapters_per_deployment: Annotated[int, _whole(1, 100_000)]
    source: Text                         # where the non-price fields come from
    prices: Annotated[tuple[DeploymentPrice, ...], Field(min_length=1, max_length=100)]
    multi_lora_ttft_factor: Annotated[float, _num(1.0, 10.0)] = 1.0
    aliases: Aliases = ()
    price: DeploymentPrice | None = None
    known_on: Day | None = None

    @model_validator(mode="before")
    @classmethod
    def _yaml(cls, data):
        return _yaml_defaults(_history_from_yaml(data, "price"))

    def __post_init__(self):
        no_overlap(self.prices)
        if self.adapters_per_deployment == 1 and self.multi_lora_ttft_factor != 1.0:
            raise ValueError("multi_lora_ttft_factor applies to multi-LoRA deployments; with adapters_per_deployment 1 "
                             "leave it out")

    @property
    def multi_lora(self) -> bool:
        return self.adapters_per_deployment > 1


SECTIONS: dict[str, type] = {"api_models": ApiModel, "hosted": HostedEndpoint, "gpus": Gpu,
                              "open_models": OpenModel, "batch_api": BatchDiscount, "deployments": Deployment}
