"""Prices of API models our YAML lacks, from the ``genai-prices`` package's BUNDLED data.

``genai-prices`` (pydantic's maintained price data, https://github.com/pydantic/genai-prices) ships
its data as Python (``genai_prices.data.providers``) and can also fetch updates over the network
(``UpdatePrices``). We read only the bundled module, through a snapshot of our own, so nothing is
ever fetched and a process that started an updater elsewhere does not change our answers.

Our YAML stays the curated layer (history, fine-tunes, GPUs, latency) and wins wherever both have
a model: :meth:`pricing.Catalog.api_model` asks here only for names it does not know.

Conventions: genai-prices gives USD per 1M tokens (``input_mtok``, ``cache_read_mtok``,
``output_mtok``). Tiered prices (e.g. Gemini above 128k or 200k prompt tokens) are priced at the
base tier, and :func:`genai_notes` says from which prompt size the tier changes. A price whose
start date the data does not record is taken as in force on the catalog date, and the source says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from importlib.metadata import PackageNotFoundError, version

from pydantic import ValidationError

from .errors import NotReleasedError, UnknownEntryError
from .schema import ApiModel, ApiPrice, reasoning_by_name

__all__ = ["genai_api_model", "genai_models", "genai_notes", "genai_version"]

_NOTES: dict[str, tuple[str, ...]] = {}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$")  # the catalog's id pattern
# genai-prices tells a model's provider by the model's name (OpenAI's: ``gpt-``, ``o1``/``o3``/``o4``, ``whisper-1``,
# ``tts-1``), so it misses models whose names no provider's matcher claims although a provider's own list prices
# them: OpenAI fine-tunes as the API logs them (``ft:gpt-4o-mini-2024-07-18:org::id``), ``chatgpt-4o-latest``,
# ``codex-mini-latest``, ``computer-use-preview-2025-03-11`` (recorded calls of public codebases), Groq's
# ``llama-3.1-8b-instant`` (a Groq batch file), OpenRouter's ``mistralai/mistral-medium-3.1`` (an OpenRouter
# generation export), Fireworks' ``accounts/fireworks/models/...``. Such a name is looked up in every provider's
# list; :func:`_listed_by` says which one prices it, or none when the lists disagree and nothing tells them apart.
_PREFERRED_LISTS = ("openai",)   # the tool's users log OpenAI calls: OpenAI's own list first
_DATE_IN_NAME = re.compile(r"(?<!\d)(20[2-3]\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?!\d)")


@functools.cache
def genai_version() -> str | None:
    try:
        return version("genai-prices")
    except PackageNotFoundError:
        return None


@functools.cache
def _snapshot():
    """A snapshot of the bundled data only (never ``get_snapshot()``, which an updater can replace)."""
    if genai_version() is None:
        return None
    from genai_prices.data import providers
    from genai_prices.data_snapshot import DataSnapshot

    return DataSnapshot(providers=providers, from_auto_update=False)


def _split(name: str, snap) -> tuple[str, str | None]:
    """``anthropic/claude-3-5-sonnet`` -> (``claude-3-5-sonnet``, ``anthropic``) when the prefix is a provider."""
    prefix, sep, rest = name.partition("/")
    if sep and rest:
        from genai_prices.data_snapshot import find_provider_by_id

        if find_provider_by_id(snap.providers, prefix) is not None:
            return rest, prefix
    return name, None


def _released_in_name(name: str) -> dt.date | None:
    """The snapshot date many ids carry (``claude-3-5-sonnet-20241022``, ``gpt-4o-2024-08-06``)."""
    m = _DATE_IN_NAME.search(name)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _amount(price) -> tuple[float | None, str | None]:
    """(base USD per 1M tokens, note on tiers) of a genai-prices price (Decimal or TieredPrices)."""
    if price is None:
        return None, None
    tiers = getattr(price, "tiers", None)
    if tiers is None:
        return float(price), None
    steps = ", ".join(f"{float(t.price):g} from {t.start:,} prompt tokens" for t in tiers)
    return float(price.base), steps


def _period(model, day: dt.date):
    """(ModelPrice, start date or None, next start or None, notes) of the price in force on ``day``."""
    from genai_prices.types import StartDateConstraint, TimeOfDateConstraint

    prices = model.prices
    if not isinstance(prices, list):
        return prices, None, None, []
    notes, chosen, start, until = [], None, None, None
    for cp in prices:
        c = cp.constraint
        if isinstance(c, TimeOfDateConstraint):
            notes.append("a time-of-day price variant exists (not modelled: the standard price is used)")
            continue
        if c is None or (isinstance(c, StartDateConstraint) and c.start_date <= day):
            chosen, start = cp.prices, getattr(c, "start_date", None)
        elif isinstance(c, StartDateConstraint) and until is None:
            until = c.start_date
    return chosen, start, until, notes


def genai_api_model(name: str, day: dt.date) -> ApiModel | None:
    """``name`` priced on ``day`` from the bundled genai-prices data; None when it does not know it.

    Raises :class:`UnknownEntryError` when the model is known but cannot be priced honestly
    (released after ``day`` by the date in its name, or no input/output price).
    """
    snap = _snapshot()
    if snap is None or not isinstance(name, str) or not _NAME.match(name):
        return None
    ref, provider_id = _split(name, snap)
    try:
        provider, model = snap.find_provider_model(ref, None, provider_id, None)
    except LookupError:
        # a prefix may name a provider (genai-prices reads ``mistralai`` as Mistral) whose list lacks the rest,
        # while the whole name is another list's id (OpenRouter's ``mistralai/mistral-medium-3.1``)
        listed = _listed_by(name if provider_id is not None else ref)
        if listed is None:
            # a route's prefix genai-prices does not know (LiteLLM's ``azure_ai/mistral-large``): the rest's price
            _, sep, rest = name.partition("/")
            return genai_api_model(rest, day) if provider_id is None and sep and rest else None
        provider, model, why = listed
        if why:
            _LISTED_NOTE[name] = why
    released = _released_in_name(ref)
    if released is not None and day < released:
        raise NotReleasedError(f"{name!r} is not released as of {day} (its name dates it {released}); "
                                "change --as-of or --baseline")
    price, start, next_start, notes = _period(model, day)
    if price is None:
        raise UnknownEntryError(f"{name!r}: genai-prices {genai_version()} has no price in force on {day}; "
                                "pass --as-of a later date or give its price in a --prices file")
    inp, in_tiers = _amount(getattr(price, "input_mtok", None))
    out, out_tiers = _amount(getattr(price, "output_mtok", None))
    cached, _ = _amount(getattr(price, "cache_read_mtok", None))
    if inp is None or out is None:
        raise UnknownEntryError(f"{name!r}: genai-prices {genai_version()} gives it no per-token input/output price "
                                "(priced per image, second or request); give its price in a --prices file")
    if in_tiers or out_tiers:
        notes.append(f"tiered price, base tier used (input: {in_tiers or 'flat'}; output: {out_tiers or 'flat'})")
    if next_start is not None:  # a price change, not a shutdown: the period stays open (no 'until')
        notes.append(f"genai-prices lists another price from {next_start}; the one in force on {day} is used")
    if model.deprecated:
        notes.append(f"genai-prices marks {model.id} deprecated by {provider.name}")
    url = f"; {provider.pricing_urls[0]}" if provider.pricing_urls else ""
    when = f"start {start}" if start else f"start date not recorded there: assumed in force on {day}"
    source = f"genai-prices {genai_version()} bundled data ({provider.name} {model.id}{url}; {when})"
    encoding = None
    if provider.id == "openai":
        encoding = "cl100k_base" if re.match(r"(ft:)?(gpt-4(?!o|\.)|gpt-3\.5)", model.id) else "o200k_base"
    try:
        m = ApiModel(
            id=name, provider=provider.id, context_tokens=model.context_window, encoding=encoding,
            aliases=(model.id,) if model.id != name else (), batch_api=False, reasoning=reasoning_by_name(name),
            prices=(ApiPrice(effective=start or day, until=None, input_usd_per_mtok=inp, output_usd_per_mtok=out,
                             cached_input_usd_per_mtok=cached, source=source),),
        )
    except (ValidationError, ValueError) as exc:
        raise UnknownEntryError(f"{name!r}: genai-prices data for it is out of our ranges ({str(exc)[:120]}); "
                                "give its price in a --prices file") from None
    m = dataclasses.replace(m, price=m.prices[0])
    if name in _LISTED_NOTE:
        notes.insert(0, _LISTED_NOTE[name])
    _NOTES[m.id] = tuple([f"priced from genai-prices {genai_version()} bundled data (not in our catalog)"] + notes)
    return m


@functools.lru_cache(maxsize=1024)
def _listed_by(ref: str):
    """(provider, model, note) of the provider list that prices ``ref`` when no provider's matcher claims the name,
    or None. Several lists may price one name; the first rule that picks one decides:

    1. OpenAI's list (:data:`_PREFERRED_LISTS`);
    2. the only list that has it;
    3. OpenRouter's for a ``vendor/model`` name (OpenRouter's ids: ``meta-llama/llama-3.1-8b-instruct``, which
       Hugging Face's routes also list under other prices).

    Otherwise None (``phi-3-medium-128k-instruct``: Azure's and OpenRouter's lists, at different prices): the
    name is unknown, and the user names the provider (``azure/phi-3-medium-128k-instruct``) or gives a price.

    >>> [(p.id, m.id) for p, m, _ in filter(None, map(_listed_by, ["codex-mini-latest", "llama-3.1-8b-instant"]))]
    [('openai', 'codex-mini'), ('groq', 'llama-3.1-8b-instant')]
    >>> _listed_by("no-such-model-xyz") is None
    True
    """
    snap = _snapshot()
    if snap is None:
        return None
    hits = {}
    for p in snap.providers:
        try:
            hits[p.id] = snap.find_provider_model(ref, None, p.id, None)
        except LookupError:
            continue
    if not hits:
        return None
    others = len(hits) - 1
    also = f"; {others} other provider list(s) also price the name" if others else ""
    for pid in _PREFERRED_LISTS:
        if pid in hits:
            return (*hits[pid], f"priced as {hits[pid][0].name} lists {ref!r}{also}" if others else "")
    if len(hits) == 1:
        (provider, model), = hits.values()
        return provider, model, f"priced as {provider.name} lists {ref!r} (the only provider list that has it)"
    if "/" in ref and "openrouter" in hits:
        provider, model = hits["openrouter"]
        return provider, model, f"priced as OpenRouter lists {ref!r} (a vendor/model id){also}"
    return None


_LISTED_NOTE: dict[str, str] = {}


def genai_notes(model: ApiModel) -> tuple[str, ...]:
    """Notes that go with a model priced here (empty for our own entries)."""
    if not model.price or not model.price.source.startswith("genai-prices"):
        return ()
    return _NOTES.get(model.id, ())


def genai_models(day: dt.date, providers: tuple[str, ...] = ()) -> tuple[list[ApiModel], int]:
    """Every bundled model with a per-token price in force on ``day`` (optionally of some providers),
    and how many were refused (no per-token price, or data out of our ranges)."""
    snap = _snapshot()
    if snap is None:
        return [], 0
    out, refused = [], 0
    for p in snap.providers:
        if providers and p.id not in providers:
            continue
        for m in p.models:
            try:
                got = genai_api_model(f"{p.id}/{m.id}", day)
            except (UnknownEntryError, NotReleasedError):
                refused += 1
                continue
            if got is not None:
                out.append(got)
    return out, refused
