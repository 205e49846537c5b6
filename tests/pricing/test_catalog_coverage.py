"""Today's OpenAI models are in the catalog: every live OpenAI text model that genai-prices' BUNDLED data prices
per token is either one of our entries (id or alias) or on the documented exclusion list below, each with its reason.

A failure means OpenAI shipped a model (and genai-prices priced it) that the catalog does not know: add it to
``pricing/data/api_models.yaml`` with its release date and source, or add it here with the reason it is no option.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from pricing import load_catalog

genai_data = pytest.importorskip("genai_prices.data")

TODAY = dt.date(2026, 12, 6)
_DEPRECATIONS = "OpenAI deprecations page (stored copy mnfst/modeldeprecations.dev snapshots/openai/deprecations.md)"

# pattern -> why models matching it are no option of this tool (checked in order; a pattern that excludes nothing is
# stale and fails test_every_exclusion_is_used)
EXCLUDED: dict[str, str] = {
    r"^(ada|babbage|curie|davinci)$|^text-davinci-00[23]$":
        f"legacy completions models, shut down 2024-01-04 ({_DEPRECATIONS}, notice 2023-07-06)",
    r"^(babbage|davinci)-002$|^gpt-3\.5-turbo-instruct$":
        f"completions models, shut down 2026-09-28 ({_DEPRECATIONS}, notice 2025-09-26)",
    r"^gpt-3\.5-0301$|^gpt-3\.5-turbo-(0613|16k)$":
        f"GPT-3.5 snapshots shut down 2024-09-13 ({_DEPRECATIONS}, notice 2023-11-06); the catalog keeps the "
        "0125, 1106 and alias entries",
    r"^gpt-4-vision-preview$": f"shut down 2024-12-06 ({_DEPRECATIONS}, notice 2024-06-06)",
    r"^gpt-4\.5-preview$": f"shut down 2025-07-14 ({_DEPRECATIONS}, notice 2025-04-14)",
    r"^o1-(mini|preview)$": f"shut down 2025-10-27 and 2025-07-28 ({_DEPRECATIONS}, notice 2025-04-28)",
    r"^chatgpt-4o-latest$|^gpt-chat-latest$|^gpt-5\.3$":
        "ChatGPT's chat models (genai-prices: 'GPT-5.3 Instant model used in ChatGPT'); chatgpt-4o-latest shut down "
        f"2026-02-17 and the gpt-5.x-chat-latest snapshots 2026-08-10 ({_DEPRECATIONS}): not a model a team builds on",
    r"^gpt-4o:extended$": "long-output variant of gpt-4o (same model, larger output limit): priced as gpt-4o",
    r"^ft:|\.ft-$": "fine-tunes as the API logs them: priced in pricing/data/hosted.yaml (openai-ft/*)",
    r"(audio|realtime|transcribe|tts)": "speech and realtime models: not text chat",
    r"image": "image-generation models: not text chat",
    r"(codex|computer-use|search|deep-research)":
        "agent and tool variants (coding agents, computer use, search, deep research): billed for tool work the "
        "workload does not describe",
    r"-pro$": "'pro' reasoning mode of a model we list (6-12x its price): neither a GPT-4-class default nor a cheaper switch",
    r"(cyber|rosalind)": "restricted-access models (OpenAI Trusted Access programs): not open to every organisation",
    r"^gpt-oss": "open-weight models OpenAI releases but does not serve in its API (genai-prices prices third-party hosts)",
}


def _live_text_models():
    """OpenAI models of the bundled data with a per-token input and output price in force today, not deprecated."""
    from pricing.genai import genai_models

    models, _ = genai_models(TODAY, ("openai",))
    return sorted(m.aliases[0] if m.aliases else m.id.partition("/")[2] for m in models)


def _reason(name: str) -> str | None:
    return next((why for pattern, why in EXCLUDED.items() if re.search(pattern, name)), None)


def test_every_live_openai_text_model_is_in_the_catalog_or_excluded():
    cat = load_catalog(TODAY)
    missing = [n for n in _live_text_models() if cat.api_id(n) is None and _reason(n) is None]
    assert not missing, f"add these OpenAI models to api_models.yaml (or to EXCLUDED with a reason): {missing}"


def test_the_catalog_has_todays_models():
    # hand-checked against genai-prices 0.2.5 (openai): GPT-5.6 (2026-07-09), GPT-6 Astra (2026-09-04),
    # GPT-6 Sol and Luna (2026-09-22), GPT-6.1 Sol (2026-09-29) and Terra, GPT-6.2 Sol and Astra (2026-11-17)
    cat = load_catalog(TODAY)
    for name in ("gpt-5.6-sol", "gpt-5.6-terra", "gpt-5.6-luna", "gpt-6-astra", "gpt-6-sol", "gpt-6-luna",
                 "gpt-6.1-sol", "gpt-6.1-terra", "gpt-6.2-astra", "gpt-6.2-sol"):
        assert name in cat.api_models, name
    luna = cat.api_model("gpt-6-luna").price
    assert (luna.input_usd_per_mtok, luna.cached_input_usd_per_mtok, luna.output_usd_per_mtok) == (0.1, 0.01, 0.5)


def test_every_exclusion_is_used():
    names = _live_text_models()
    unused = [p for p in EXCLUDED if not any(re.search(p, n) for n in names)]
    assert not unused, f"stale exclusions (nothing matches them any more): {unused}"


def test_the_coverage_check_can_fail():
    # a model neither ours nor excluded is reported (the check above is not vacuous)
    assert _reason("gpt-7-sol") is None and load_catalog(TODAY).api_id("gpt-7-sol") is None
