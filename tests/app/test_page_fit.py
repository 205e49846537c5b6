"""Issue 24 item 5: the page fits COMBINATIONS of its values (each within its widget's range) with a visible note,
as it clamps single values, instead of an error page (advisor.ui.fit). The Chromium check is in test_server.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.scenario import MAX_END_REQUESTS_PER_DAY
from advisor.ui.fit import fit_context, fit_growth, option_contexts
from pricing import load_catalog

APP = str(Path(__file__).resolve().parents[2] / "app.py")


class TestFitGrowth:
    # the largest whole g with rpd * (1 + g/100)^(horizon - 1) <= 1e10, by hand:
    # 1e9/day, 36 months: 1.06^35 = 7.686 (7.69e9), 1.07^35 = 10.677 (1.07e10, over) -> 6
    # 1e8/day, 36 months: (100)^(1/35) = 1.1406 -> 14 (1.14^35 = 98.1, 1.15^35 = 133.2)
    # 5e9/day, 2 months: 2 * 5e9 = 1e10 exactly at g = 100%, which the slider (up to 50) never reaches -> kept
    @pytest.mark.parametrize("rpd, growth, horizon, expected", [
        (1e9, 50, 36, 6), (1e8, 50, 36, 14), (5e9, 50, 2, 50), (1e9, 50, 1, 50), (2000, 50, 36, 50), (1e9, -20, 36, -20),
    ])
    def test_largest_growth_within_the_cap(self, rpd, growth, horizon, expected):
        g, note = fit_growth(rpd, growth, horizon)
        assert g == expected and (note is None) == (g == growth)
        assert rpd * (1 + g / 100) ** (horizon - 1) <= MAX_END_REQUESTS_PER_DAY


class TestFitContext:
    def test_options_too_short_are_left_out_with_a_note(self):
        ctx = {"selfhost/mistral-7b@l4": 8192, "fireworks/llama-3.1-8b-lora": 131072}
        p, c, kept, note = fit_context(10_000, 300, tuple(ctx), ctx)
        assert (p, c, kept) == (10_000, 300, ("fireworks/llama-3.1-8b-lora",))
        assert note == "10,300 tokens per request do not fit the context of selfhost/mistral-7b@l4 (8,192): left out."

    def test_none_fits_scales_to_the_longest_context(self):
        ctx = {"a": 8192, "b": 131072}
        p, c, kept, note = fit_context(2_000_000, 200_000, ("a", "b"), ctx)
        # 131072 / 2.2e6 = 0.0595782; 2e6 x that = 119156.4 -> 119156; 2e5 x that = 11915.6 -> 11915
        assert (p, c, kept) == (119156, 11915, ("b",)) and p + c <= 131072 and "fit none" in note

    def test_the_catalog_contexts(self):
        cat = load_catalog("2026-12-06")
        got = option_contexts(("selfhost/mistral-7b@l4", "together/llama-3.1-8b-lora",
                               "dedicated/llama-3.1-8b@together-h100", "gpt-4o-mini"), cat)
        # pricing/data: mistral-7b 8,192 tokens, llama-3.1-8b 131,072; an API model is no fine-tune (left out)
        assert got == {"selfhost/mistral-7b@l4": 8192, "together/llama-3.1-8b-lora": 131072,
                       "dedicated/llama-3.1-8b@together-h100": 131072}


def _page(**query):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=300)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.slow
def test_the_issue_link_opens_on_notes_not_an_error():
    at = _page(source="typed numbers", rpd="1e9", pt="2000000", ct="200000", horizon="36", growth="50")
    assert [e.value for e in at.error if not e.value.startswith("**Verdict")] == []   # before: the 1e+10 error
    notes = " ".join(w.value for w in at.warning)
    assert "set to 6%" in notes and "fit none of the fine-tuned options" in notes
    assert at.session_state["growth"] == 6 and at.query_params["growth"] == "6"    # the URL says what is shown


@pytest.mark.slow
def test_a_long_typed_prompt_leaves_out_the_short_context_options():
    at = _page(source="typed numbers", rpd="2000", pt="10000", ct="300")
    assert [e.value for e in at.error if not e.value.startswith("**Verdict")] == []   # before: "exceed ... 8192"
    assert any("do not fit the context of" in w.value and "mistral-7b" in w.value for w in at.warning)
