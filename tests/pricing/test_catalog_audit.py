"""Our curated prices against pydantic's genai-prices, read OFFLINE from its bundled data only.

For every API model and alias of ``api_models.yaml`` that genai-prices also prices, the input, cached-input
and output prices in force on the test date agree, unless the difference is a documented, sourced
exception below. Where genai-prices records a dated price history (``StartDateConstraint``), ours agrees on
each of its dates too. OpenAI fine-tunes (``hosted.yaml``) are checked against its ``ft:`` entries.

A failure here means one of the two changed: read the source, fix our YAML (with its source), or add an
exception that says who is right and why.
"""

from __future__ import annotations

import datetime as dt
import socket
from decimal import Decimal

import pytest

from pricing.catalog import catalog_entries

genai_data = pytest.importorskip("genai_prices.data")
from genai_prices.data_snapshot import DataSnapshot  # noqa: E402
from genai_prices.types import StartDateConstraint  # noqa: E402

TODAY = dt.date(2026, 11, 25)

# (our id or alias, field) -> why ours differs from genai-prices, with the source. Keep each one sourced.
EXCEPTIONS: dict[tuple[str, str], str] = {
    # genai-prices gives the pre-cut o3 period the post-cut cached price (0.5). OpenAI's launch price
    # (2025-04-16) was 10 / cached 2.50 / 40: openai.com/api/pricing at launch, the 75% cached discount of the
    # o3 / o4-mini / gpt-4.1 generation (o4-mini 1.10 / 0.275). History check only; today both say 0.5.
    ("o3-2025-04-16@2025-04-16", "cached"): "genai-prices keeps 0.5 cached before the 2025-06-10 cut",
    ("o3@2025-04-16", "cached"): "genai-prices keeps 0.5 cached before the 2025-06-10 cut",
}
# OpenAI fine-tunes: genai-prices has no cached-input rate for fine-tuned models; OpenAI's pricing page
# (fine-tuning table) and LiteLLM 1.110.2 (ft:gpt-4o-mini-2024-07-18 cache_read 1.5e-07, ft:gpt-4o-2024-08-06
# 1.875e-06) bill cached input at half the fine-tuned input rate, as for the base models.
FT_CACHED_MISSING_IN_GENAI = "genai-prices gives fine-tunes no cached rate; LiteLLM and OpenAI's pricing page do"


@pytest.fixture(scope="module")
def snap():
    # never get_snapshot(): an auto-updater could replace it; the bundled module only, no network
    return DataSnapshot(providers=genai_data.providers, from_auto_update=False)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("the audit must run offline from the bundled data")
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def _genai(snap, name: str):
    try:
        return snap.find_provider_model(name, None, "openai", None)[1]
    except LookupError:
        return None


def _base(price) -> float | None:
    """Base tier of a genai-prices price (Decimal or TieredPrices) as float; None when absent."""
    if price is None:
        return None
    return float(getattr(price, "base", price))


def _genai_on(model, day: dt.date):
    """genai-prices' ModelPrice in force on ``day``: the last unconstrained/started period."""
    prices = model.prices
    if not isinstance(prices, list):
        return prices
    chosen = None
    for cp in prices:
        c = cp.constraint
        if c is None or (isinstance(c, StartDateConstraint) and c.start_date <= day):
            chosen = cp.prices
    return chosen


def _ours_on(entry, day: dt.date):
    """Our period in force on ``day``; a shut-down model keeps its last price (what users paid)."""
    live = [p for p in entry.prices if p.effective <= day and (p.until is None or day < p.until)]
    if live:
        return live[0]
    started = [p for p in entry.prices if p.effective <= day]
    return started[-1] if started else None


def _compare(label: str, ours, theirs) -> list[str]:
    diffs = []
    for field, a, b in (("input", ours.input_usd_per_mtok, _base(theirs.input_mtok)),
                        ("cached", ours.cached_input_usd_per_mtok, _base(theirs.cache_read_mtok)),
                        ("output", ours.output_usd_per_mtok, _base(theirs.output_mtok))):
        same = (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-9)
        if not same and (label, field) not in EXCEPTIONS:
            diffs.append(f"{label} {field}: ours {a}, genai-prices {b}")
    return diffs


def _pairs(snap):
    """(label, our entry, genai model) for every id and alias genai-prices also knows."""
    for e in catalog_entries()["api_models"]:
        for name in (e.id, *e.aliases):
            g = _genai(snap, name)
            if g is not None:
                yield name, e, g


def test_the_audit_covers_the_catalog(snap):
    # every OpenAI model of ours is in genai-prices 0.2.3 (by id or alias): a lookup that silently found
    # nothing would let the comparisons below pass; a new entry genai-prices lacks must be added here by name
    ours = {e.id for e in catalog_entries()["api_models"] if e.provider == "openai"}
    assert ours == {e.id for _, e, _ in _pairs(snap)} and len(ours) >= 29


def test_prices_in_force_today_agree_with_genai_prices(snap):
    diffs = []
    for name, e, g in _pairs(snap):
        ours, theirs = _ours_on(e, TODAY), _genai_on(g, TODAY)
        assert ours is not None and theirs is not None, name
        diffs += _compare(name, ours, theirs)
    assert not diffs, "\n".join(diffs)


def test_dated_history_agrees_where_genai_prices_records_one(snap):
    # genai-prices records start dates for a few price changes (o3's 80% cut on 2025-06-10):
    # on each such date, and on the day before, ours gives the same prices
    diffs, checked = [], 0
    for name, e, g in _pairs(snap):
        if not isinstance(g.prices, list):
            continue
        starts = [cp.constraint.start_date for cp in g.prices if isinstance(cp.constraint, StartDateConstraint)]
        for start in starts:
            for day in (start - dt.timedelta(days=1), start):
                ours = _ours_on(e, day)
                if ours is None:  # not yet released on that day
                    continue
                checked += 1
                diffs += _compare(f"{name}@{ours.effective}", ours, _genai_on(g, day))
    assert checked >= 4 and not diffs, "\n".join(diffs)


def test_o3_cut_is_in_both(snap):
    # hand-checked: o3 10/40 until 2025-06-09, 2/8 from 2025-06-10 (openai.com/api/pricing; genai-prices)
    g = _genai(snap, "o3")
    assert (_genai_on(g, dt.date(2025, 6, 9)).output_mtok, _genai_on(g, dt.date(2025, 6, 10)).output_mtok) == (
        Decimal("40"), Decimal("8"))


@pytest.mark.parametrize("hosted_id, logged_name", [
    ("openai-ft/gpt-4o-mini-2024-07-18", "ft:gpt-4o-mini-2024-07-18:acme::abc123"),
    ("openai-ft/gpt-4o-2024-08-06", "ft:gpt-4o-2024-08-06:acme::abc123"),
    ("openai-ft/gpt-3.5-turbo-0125", "ft:gpt-3.5-turbo-0125:acme::abc123"),
])
def test_openai_fine_tune_inference_agrees_with_genai_prices(snap, hosted_id, logged_name):
    (h,) = [h for h in catalog_entries()["hosted"] if h.id == hosted_id]
    g = _genai(snap, logged_name)
    assert g is not None and g.id.startswith("ft:"), logged_name
    ours, theirs = _ours_on(h, TODAY), _genai_on(g, TODAY)
    assert (ours.input_usd_per_mtok, ours.output_usd_per_mtok) == (_base(theirs.input_mtok), _base(theirs.output_mtok))
    assert theirs.cache_read_mtok is None, FT_CACHED_MISSING_IN_GENAI  # if genai-prices adds one, compare it
    if ours.cached_input_usd_per_mtok is not None:  # half the fine-tuned input rate (see FT_CACHED_MISSING_IN_GENAI)
        assert ours.cached_input_usd_per_mtok == pytest.approx(ours.input_usd_per_mtok / 2)


def test_exceptions_are_still_needed(snap):
    # an exception that no longer hides a difference is stale: remove it
    for (label, field) in EXCEPTIONS:
        name, _, day = label.partition("@")
        (e,) = [e for e in catalog_entries()["api_models"] if name in (e.id, *e.aliases)]
        when = dt.date.fromisoformat(day) if day else TODAY
        ours, theirs = _ours_on(e, when), _genai_on(_genai(snap, name), when)
        a = {"input": ours.input_usd_per_mtok, "cached": ours.cached_input_usd_per_mtok,
             "output": ours.output_usd_per_mtok}[field]
        b = _base({"input": theirs.input_mtok, "cached": theirs.cache_read_mtok, "output": theirs.output_mtok}[field])
        assert a != b, (label, field)


# ---------------------------------------------------------------------------------------------
# The new kinds of issue 19: other providers' cheapest models, serverless LoRA at its base's price, dedicated
# deployments (priced from pages genai-prices does not carry: each period must say where and when it was read)

def _genai_of(snap, provider: str, name: str):
    try:
        return snap.find_provider_model(name, None, provider, None)[1]
    except LookupError:
        return None


def test_other_providers_agree_with_genai_prices(snap):
    others = [e for e in catalog_entries()["api_models"] if e.provider != "openai"]
    assert {e.provider for e in others} >= {"anthropic", "google", "mistral", "together"}
    diffs = []
    for e in others:
        g = _genai_of(snap, e.provider, e.id) or next(
            (m for a in e.aliases if (m := _genai_of(snap, e.provider, a)) is not None), None)
        assert g is not None, f"{e.provider}/{e.id} not in genai-prices: add it to the audit with its own source"
        diffs += _compare(e.id, _ours_on(e, TODAY), _genai_on(g, TODAY))
    assert not diffs, "\n".join(diffs)


def test_together_serverless_lora_is_priced_at_its_base(snap):
    # Together: LoRA adapters run 'while only paying base model per-token prices' (Serverless Multi-LoRA blog)
    (h,) = [h for h in catalog_entries()["hosted"] if h.id == "together/llama-3.1-8b-lora"]
    base = _genai_on(_genai_of(snap, "together", "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo"), TODAY)
    ours = _ours_on(h, TODAY)
    assert (ours.input_usd_per_mtok, ours.output_usd_per_mtok) == (_base(base.input_mtok), _base(base.output_mtok))


def test_every_deployment_price_is_dated_and_sourced():
    import re

    deployments = catalog_entries()["deployments"]
    assert {d.provider for d in deployments} >= {"fireworks", "together"}
    for d in deployments:
        for p in d.prices:
            # a source names where it was read and a date (the page's copy, the report, the announcement)
            assert re.search(r"20\d\d-\d\d-\d\d|\b20\d\d\b", p.source), (d.id, p.effective)
            assert 0.5 <= p.usd_per_gpu_hour <= 20 and p.training_usd_per_mtok <= 5, (d.id, p.effective)
