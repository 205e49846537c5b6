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
from typing import Any

from pydantic import TypeAdapter

from ._yaml import entry_label, read_yaml, sections, validate_entry
from .errors import CatalogError, NotReleasedError, UnknownEntryError, close_matches
from .schema import (
    FIRST_DAY,
    LAST_DAY,
    SECTIONS,
    ApiModel,
    ApiPrice,
    BatchDiscount,
    Deployment,
    DeploymentPrice,
    Gpu,
    GpuPrice,
    HostedEndpoint,
    HostedPrice,
    Latency,
    OpenModel,
    ShutdownNotice,
    TrainingAccess,
    no_overlap,
    reasoning_by_name,
    shutdown_known,
    shutdown_notice_on,
)

__all__ = [
    "ApiModel",
    "ApiPrice",
    "BatchDiscount",
    "Catalog",
    "Deployment",
    "DeploymentPrice",
    "Gpu",
    "GpuPrice",
    "HostedEndpoint",
    "HostedPrice",
    "Latency",
    "OpenModel",
    "ShutdownNotice",
    "TrainingAccess",
    "load_catalog",
    "today",
    "shutdown_known",
    "shutdown_notice_on",
    "reasoning_by_name",
    "DATA_DIR",
    "CATALOG_FILES",
]

DATA_DIR = Path(__file__).with_name("data")
CATALOG_FILES = ("api_models.yaml", "hosted.yaml", "gpus.yaml", "open_models.yaml", "deployments.yaml")

_ADAPTERS: dict[str, TypeAdapter[Any]] = {s: TypeAdapter(cls) for s, cls in SECTIONS.items()}


def _validate(section: str, entry: Any, path: Path, i: int):
    return validate_entry(_ADAPTERS[section], SECTIONS[section], entry, path, section, i)


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
    raw: dict[str, dict[str, dict]] = {s: {} for s in SECTIONS}       # section -> key -> raw dict
    valid: dict[str, dict[str, Any]] = {s: {} for s in SECTIONS}      # section -> key -> entry
    for n, name in enumerate(files):
        path = Path(name)
        for section, entries in sections(read_yaml(path), path, SECTIONS).items():
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
                    no_overlap([b for b in valid["batch_api"].values() if b.provider == provider],
                                f"batch_api (provider {provider})")
            except ValueError as exc:
                raise CatalogError(f"{path}: {exc}") from None
    _check_names(valid, files)
    return {s: tuple(v.values()) for s, v in valid.items()}


def _check_names(valid: dict[str, dict[str, Any]], files: tuple[str, ...]) -> None:
    """An alias may not be another entry's id or alias within the same kind."""
    for section in ("api_models", "hosted", "gpus", "open_models", "deployments"):
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
    for d in valid["deployments"].values():
        unknown = [x for x in (d.gpu, *d.base_models) if x not in valid["gpus"] and x not in valid["open_models"]]
        if d.gpu not in valid["gpus"] or unknown:
            raise CatalogError(f"deployments[{d.id}]: {', '.join(unknown) or d.gpu} is not a GPU id of gpus.yaml (gpu) "
                               "or an open model id of open_models.yaml (base_models); the capacity model needs their "
                               f"specs (files: {', '.join(Path(f).name for f in files)})")


# ---------------------------------------------------------------------------------------------
# The catalog of one day


def _in_force(p, day: dt.date) -> bool:
    return p.effective <= day and (p.until is None or day < p.until)


_LABELS = {"api_models": "API model", "hosted": "hosted endpoint", "gpus": "GPU", "open_models": "open model",
           "deployments": "dedicated deployment"}


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
    deployments: Mapping[str, Deployment] = dataclasses.field(default_factory=dict)  # dedicated, offered that day
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
        plain = cloud_model_name(name)
        if model is None and plain != name:  # a cloud's id of a maker's model (Bedrock's): the maker's list price
            try:
                model = self.api_model(plain)
            except UnknownEntryError:
                model = None
        if model is None:
            raise self._unknown("api_models", name)
        self._external[name] = model
        return model

    def hosted_endpoint(self, name: str) -> HostedEndpoint:
        return self._get("hosted", name)

    def gpu(self, name: str) -> Gpu:
        return self._get("gpus", name)

    def deployment(self, name: str) -> Deployment:
        """A dedicated deployment offered on the catalog date (its ``price`` is that day's)."""
        return self._get("deployments", name)

    def open_model(self, name: str) -> OpenModel:
        return self._get("open_models", name)

    def priced_as_note(self, name: str) -> str | None:
        """What the advice says of a cloud's model id priced as its maker's model (:func:`cloud_model_name`), else
        None (also for a name not priced yet: ask :meth:`api_model` first)."""
        m = self._external.get(name)
        if m is None or self.api_id(name) is not None or cloud_model_name(name) == name:
            return None
        return (f"{name!r} is priced as {m.id} at its maker's list price; the cloud's own price for it may differ "
                "(some regional endpoints cost more): check it, or pass --baseline or a price file")

    def notes_for(self, name: str) -> tuple[str, ...]:
        """Warnings that go with an option's price: shut down (and its successors), shutting down
        soon, priced from genai-prices (tiers, unknown start date). Empty for an unknown name."""
        try:
            m = self.api_model(name)
        except (KeyError, ValueError):
            return ()
        notes: list[str] = [n for n in (self.priced_as_note(name),) if n]
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
            assert p is not None, "load_catalog keeps only hosted entries with a price in force"
            train = "n/a" if p.training_usd_per_mtok is None else f"{p.training_usd_per_mtok:g}"
            rows.append({"entry": h.id, "kind": "hosted", "price": f"in {p.input_usd_per_mtok:g}, out "
                         f"{p.output_usd_per_mtok:g}, training {train} USD/1M tok", "effective": str(p.effective),
                         "source": p.source})
        for d in self.deployments.values():
            p = d.price
            assert p is not None, "a deployment in the dated view has a price in force"
            rows.append({"entry": d.id, "kind": "hosted", "price": f"{p.usd_per_gpu_hour:g} USD/GPU-h ({d.gpu}), "
                         f"training {p.training_usd_per_mtok:g} USD/1M tok", "effective": str(p.effective),
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
        assert last.until is not None, "no period in force after the release: the last one has ended"
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
    # the shared, read-only build, with its own look-up cache of genai-prices models (what ``sources`` lists is
    # what this catalog's caller looked up, never what an earlier caller did)
    return dataclasses.replace(_catalog_on(day, files, tuple(_stamp(Path(f)) for f in files)), _external={})


@functools.lru_cache(maxsize=16)
def _catalog_on(day: dt.date, files: tuple[str, ...], stamps: tuple[float, ...]) -> Catalog:
    """The catalog of ``day`` from ``files`` as they are (``stamps``): built once and shared, as it is read-only
    (frozen entries in read-only mappings). A page re-run asks again each time; a changed file is a new key."""
    entries = _load_entries(files, stamps, len(CATALOG_FILES))
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

    deployments: dict[str, Deployment] = {}
    for d in entries["deployments"]:
        period = next((p for p in d.prices if _in_force(p, day)), None)
        if period is not None:
            deployments[d.id] = dataclasses.replace(d, price=period, known_on=day)
            aliases.update({a: ("deployments", d.id) for a in d.aliases})

    models = {m.id: m for m in entries["open_models"]}
    aliases.update({a: ("open_models", m.id) for m in entries["open_models"] for a in m.aliases})

    return Catalog(day, MappingProxyType(tables["live"]), MappingProxyType(hosted), MappingProxyType(gpus),
                   MappingProxyType(models), files, MappingProxyType(aliases),
                   retired=MappingProxyType(tables["retired"]), unreleased=MappingProxyType(tables["unreleased"]),
                   deployments=MappingProxyType(deployments))


def catalog_entries(overrides: Iterable[str | os.PathLike] = ()) -> dict[str, tuple]:
    """Every validated entry with its whole price history (for listings such as ``advisor prices``)."""
    files = tuple(str(p) for p in _default_files()) + tuple(str(Path(p)) for p in overrides)
    return _load_entries(files, tuple(_stamp(Path(f)) for f in files), len(CATALOG_FILES))


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Amazon Bedrock's model ids: [geography.]maker.model[-vN[:M]] (us.anthropic.claude-sonnet-4-20250514-v1:0), or the
# ARN of an inference profile or a provisioned model ending in one
_CLOUD_ID = re.compile(r"^(?:(?:us|eu|apac|global|us-gov|jp|au|ca)\.)?(?:anthropic|meta|amazon|mistral|cohere|ai21|"
                       r"deepseek|openai|qwen|writer|moonshot|minimax|google)\.(?P<model>.+?)(?:-v?\d+:\d+|-v\d+)?$")


def cloud_model_name(name: str) -> str:
    """The maker's name of a model a cloud names its own way (Amazon Bedrock's model and inference-profile ids,
    their ARNs); any other name as it is.

    >>> cloud_model_name("us.anthropic.claude-sonnet-4-20250514-v1:0"), cloud_model_name("openai.gpt-oss-120b-1:0")
    ('claude-sonnet-4-20250514', 'gpt-oss-120b')
    >>> cloud_model_name("arn:aws:bedrock:us-east-1:1:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0")
    'claude-3-haiku-20240307'
    >>> cloud_model_name("gpt-4o-2024-08-06")
    'gpt-4o-2024-08-06'
    """
    base = name.rsplit("/", 1)[-1] if name.startswith("arn:") else name
    m = _CLOUD_ID.match(base)
    return m.group("model") if m else name


def today() -> dt.date:
    """The date prices default to: today, or ``ADVISOR_TODAY`` (YYYY-MM-DD) when set, so that a report, a test or a
    golden output can be reproduced on another day.

    >>> import os; os.environ["ADVISOR_TODAY"] = "2024-03-28"; today()
    datetime.date(2024, 3, 28)
    >>> del os.environ["ADVISOR_TODAY"]
    """
    pinned = os.environ.get("ADVISOR_TODAY", "").strip()
    if pinned:
        try:
            return dt.date.fromisoformat(pinned)
        except ValueError:
            raise CatalogError(f"ADVISOR_TODAY={pinned[:40]!r} is not a date: write YYYY-MM-DD or unset it") from None
    return dt.date.today()


def _to_date(value: dt.date | str | None) -> dt.date:
    if value is None:
        return today()
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

