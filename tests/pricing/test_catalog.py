import datetime as dt
import math
import os
import socket
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing import CatalogError, UnknownEntryError, load_catalog
from pricing.catalog import CATALOG_FILES, DATA_DIR, catalog_entries
from pricing.errors import NotReleasedError

TODAY = dt.date(2026, 11, 25)


class TestResolveByDate:
    def test_gpt4_0613_price(self, cat_2024):
        # openai.com/pricing 2023: GPT-4 8k 0.03/0.06 USD per 1k tokens
        p = cat_2024.api_model("gpt-4-0613").price
        assert (p.input_usd_per_mtok, p.output_usd_per_mtok) == (30.0, 60.0)
        assert p.source and p.effective == dt.date(2023, 6, 13)

    def test_models_not_yet_released_name_the_models_of_that_day(self, cat_2024):
        assert "gpt-4o-2024-08-06" not in cat_2024.api_models
        with pytest.raises(NotReleasedError, match=r"not released as of 2024-03-28 \(first priced 2024-05-13\).*"
                                                   r"gpt-4-0125-preview.*gpt-4-0613"):
            cat_2024.api_model("gpt-4o")
        with pytest.raises(NotReleasedError, match="first priced 2025-08-07"):
            cat_2024.api_model("gpt-5")

    def test_gpt4o_alias_history(self):
        # the alias served gpt-4o-2024-05-13 at 5/15 until 2024-10-02, then the 2024-08-06 snapshot at 2.50/10
        on_june = load_catalog("2024-06-01").api_model("gpt-4o").price
        assert (on_june.input_usd_per_mtok, on_june.output_usd_per_mtok) == (5.0, 15.0)
        assert on_june.cached_input_usd_per_mtok is None
        last_day = load_catalog("2024-10-01").api_model("gpt-4o").price
        assert last_day.input_usd_per_mtok == 5.0
        moved = load_catalog("2024-10-02").api_model("gpt-4o").price
        assert (moved.input_usd_per_mtok, moved.cached_input_usd_per_mtok, moved.output_usd_per_mtok) == (2.5, 1.25, 10.0)

    @pytest.mark.parametrize("day, expected", [
        # OpenAI posts: 2023-03-01 $0.002/1K both; 2023-06-13 input -25% ($0.0015 / $0.002 per 1K);
        # alias -> gpt-3.5-turbo-0125 (0.50 / 1.50 per 1M) two weeks after its launch (~2024-02-16)
        ("2023-05-01", (2.0, 2.0)), ("2023-06-13", (1.5, 2.0)), ("2023-12-20", (1.5, 2.0)),
        ("2024-02-15", (1.5, 2.0)), ("2024-02-16", (0.5, 1.5)), ("2024-03-28", (0.5, 1.5)),
    ])
    def test_gpt35_turbo_alias_history(self, day, expected):
        p = load_catalog(day).api_model("gpt-3.5-turbo").price
        assert (p.input_usd_per_mtok, p.output_usd_per_mtok) == expected

    def test_price_history_kept(self):
        # gpt-4o-2024-08-06: no cached rate before 2024-10-01, 1.25 from then on
        before = load_catalog("2024-09-30").api_model("gpt-4o-2024-08-06").price
        after = load_catalog("2024-10-01").api_model("gpt-4o-2024-08-06").price
        assert before.cached_input_usd_per_mtok is None
        assert after.cached_input_usd_per_mtok == 1.25

    def test_o3_price_cut(self):
        # OpenAI cut o3 by 80% on 2025-06-10: 10/40 -> 2/8 (genai-prices keeps the same history)
        assert load_catalog("2025-06-09").api_model("o3").price.output_usd_per_mtok == 40.0
        assert load_catalog("2025-06-10").api_model("o3").price.output_usd_per_mtok == 8.0

    @pytest.mark.parametrize("name, expected, shutdown", [
        # openai.com/api/pricing via LiteLLM and genai-prices 0.2.3: (input, cached, output) per 1M;
        # shutdown dates from OpenAI's deprecations page (notices of 2026-04-22, 2026-06-11, 2026-10-14)
        ("gpt-5", (1.25, 0.125, 10.0), "2026-12-11"), ("gpt-5-mini", (0.25, 0.025, 2.0), "2026-12-11"),
        ("gpt-5-nano", (0.05, 0.005, 0.4), "2026-12-11"), ("gpt-5.1", (1.25, 0.125, 10.0), "2027-04-01"),
        ("o3", (2.0, 0.5, 8.0), "2026-12-11"), ("o4-mini", (1.1, 0.275, 4.4), "2026-10-23"),
        ("o3-mini", (1.1, 0.55, 4.4), "2026-10-23"), ("gpt-4.1", (2.0, 0.5, 8.0), "2027-01-14"),
        ("gpt-5.4", (2.5, 0.25, 15.0), None), ("gpt-5.5", (5.0, 0.5, 30.0), None),
    ])
    def test_current_models_today(self, cat, name, expected, shutdown):
        p = cat.api_model(name).price
        assert (p.input_usd_per_mtok, p.cached_input_usd_per_mtok, p.output_usd_per_mtok) == expected
        notes = cat.notes_for(name)
        if shutdown is None:
            assert notes == ()  # ours, live, no shutdown announced
        else:
            assert len(notes) == 1 and f" on {shutdown}" in notes[0] and "successors: " in notes[0]

    def test_gpu_price_history(self):
        # Lambda A100 40GB: 1.29 in the skypilot snapshot, 1.48 from May 2026
        assert load_catalog("2026-04-30").gpu("a100-40gb").prices["lambda"].usd_per_hour == 1.29
        assert load_catalog("2026-05-01").gpu("a100-40gb").prices["lambda"].usd_per_hour == 1.48

    def test_aws_p5_list_price_then_cut(self):
        # 98.32 USD/h for 8 H100 from the P5 launch; ~44% cut from 2025-06-01
        assert load_catalog("2024-03-28").gpu("h100-sxm").prices["aws"].usd_per_hour == 12.29
        assert load_catalog("2025-05-31").gpu("h100-sxm").prices["aws"].until == dt.date(2025, 6, 1)
        assert load_catalog("2025-06-01").gpu("h100-sxm").prices["aws"].usd_per_hour == pytest.approx(98.32 * 0.56 / 8, abs=0.01)

    def test_gpus_priced_in_march_2024(self, cat_2024):
        priced = {g for g, gpu in cat_2024.gpus.items() if gpu.prices}
        assert {"a10g", "a100-80gb", "h100-sxm"} <= priced

    def test_batch_discount_from_2024_04_15(self):
        assert load_catalog("2024-04-14").api_model("gpt-4-0613").price.batch_discount == 0.0
        assert load_catalog("2024-04-15").api_model("gpt-4-0613").price.batch_discount == 0.5

    def test_no_batch_discount_where_the_sources_give_none(self):
        # genai-prices: "The Batch table lists the same rates as standard" for gpt-3.5-turbo-1106
        assert load_catalog("2025-01-01").api_model("gpt-3.5-turbo-1106").price.batch_discount == 0.0

    def test_aliases(self, cat):
        # gpt-4 is an alias entry: gpt-4-0314 until 2023-06-27, then gpt-4-0613 (OpenAI, 2023-06-13 post)
        assert (cat.api_model("gpt-4").id, cat.api_model("gpt-4").price.snapshot) == ("gpt-4", "gpt-4-0613")
        assert load_catalog("2023-05-01").api_model("gpt-4").price.snapshot == "gpt-4-0314"
        assert cat.api_model("gpt-4-turbo").id == "gpt-4-turbo-2024-04-09"
        assert cat.api_model("openai/gpt-4.1").id == "gpt-4.1-2025-04-14"
        assert load_catalog("2024-06-01").hosted_endpoint("openpipe").id == "openpipe/mistral-7b"

    def test_unknown_id_lists_close_ids(self, cat):
        with pytest.raises(UnknownEntryError, match="gpt-4o-2024-08-06|gpt-4o-mini"):
            cat.api_model("gpt-4o-2024")

    def test_bad_date(self):
        with pytest.raises(CatalogError, match="YYYY-MM-DD"):
            load_catalog("28/03/2024")

    def test_required_entries_present(self, cat):
        for gid in ("l4", "a10g", "l40s", "a100-40gb", "a100-80gb", "h100-sxm", "h100-pcie", "h200", "gh200"):
            assert gid in cat.gpus
        assert cat.gpu("gh200").prices["lambda"].usd_per_hour == 1.49  # Lambda gpu_1x_gh200
        for mid in ("mistral-7b", "llama-2-7b", "llama-3-8b", "llama-3.1-8b", "qwen2.5-7b"):
            assert mid in cat.open_models

    def test_model_shape_for_attention_traffic(self, cat):
        # Mistral-7B-v0.1 config.json: sliding_window 4096; Llama and Qwen2.5 use full attention by default
        assert cat.open_model("mistral-7b").sliding_window_tokens == 4096
        assert cat.open_model("llama-3.1-8b").sliding_window_tokens is None
        assert cat.open_model("mistral-7b").hidden_size == 4096 and cat.open_model("mistral-7b").intermediate_size == 14336


class TestShutdown:
    def test_retired_model_is_priced_with_a_warning_naming_successors(self, cat):
        # LiteLLM 1.110.2: gpt-4-0613 deprecation_date 2026-10-23
        m = cat.api_model("gpt-4-0613")
        assert m.price.input_usd_per_mtok == 30.0 and "gpt-4-0613" not in cat.api_models
        (note,) = cat.notes_for("gpt-4")
        # successors: the replacement OpenAI's deprecations page names (gpt-5.6-sol), then ours
        assert "shut down on 2026-10-23" in note and "successors: gpt-5.6-sol, gpt-4.1, gpt-5.1" in note

    def test_announced_shutdown_is_noted_before_it(self):
        # OpenAI deprecations page, notice '2026-04-22: Legacy GPT model snapshots': gpt-4-turbo stops 2026-10-23
        # gpt-5.6-sol, the replacement the page names, is left out on that day: it was released on 2026-07-09
        c = load_catalog("2026-05-01")
        assert c.notes_for("gpt-4-turbo") == ("gpt-4-turbo-2024-04-09 shuts down on 2026-10-23 (announced 2026-04-22); "
                                              "successors: gpt-4.1, gpt-5.1",)
        assert "successors: gpt-5.6-sol, gpt-4.1" in load_catalog("2026-07-09").notes_for("gpt-4-turbo")[0]
        assert load_catalog("2026-01-01").notes_for("gpt-4-turbo") == ()  # nobody knew yet

    def test_successors_exist_today(self, cat):
        # a successor is priced today (ours, or genai-prices for the replacement OpenAI names) and is not shut down
        for m in catalog_entries()["api_models"]:
            for s in m.successors:
                succ = cat.api_model(s)
                assert succ.id not in cat.retired, (m.id, s)
                assert succ.id in cat.api_models or succ.price.source.startswith("genai-prices "), (m.id, s)

    @pytest.mark.parametrize("mid, day", [("gpt-4-0613", "2026-10-23"), ("gpt-4-1106-preview", "2026-10-23"),
                                          ("gpt-4-turbo-2024-04-09", "2026-10-23"), ("gpt-4o-2024-05-13", "2026-10-23"),
                                          ("gpt-3.5-turbo-0125", "2026-10-23"), ("o1", "2026-10-23"),
                                          ("o3-mini", "2026-10-23"), ("o4-mini", "2026-10-23"),
                                          ("gpt-4.1-nano", "2026-10-23"), ("gpt-4-0125-preview", "2026-03-26"),
                                          ("gpt-5", "2026-12-11"), ("gpt-5-mini", "2026-12-11"),
                                          ("gpt-5-nano", "2026-12-11"), ("o3", "2026-12-11"),
                                          ("gpt-4o", "2027-01-14"), ("gpt-4o-2024-08-06", "2027-01-14"),
                                          ("gpt-4o-2024-11-20", "2027-01-14"), ("gpt-4o-mini", "2027-01-14"),
                                          ("gpt-4.1", "2027-01-14"), ("gpt-4.1-mini", "2027-01-14")])
    def test_shutdown_dates(self, cat, mid, day):
        assert cat.api_model(mid).shutdown == dt.date.fromisoformat(day)


class TestGenaiPrices:
    def test_claude_priced_from_bundled_data(self, cat):
        m = cat.api_model("claude-3-5-sonnet-20241022")
        # genai-prices 0.2.3: Anthropic claude-3-5-sonnet 3 / cache read 0.3 / 15 per 1M
        assert (m.price.input_usd_per_mtok, m.price.cached_input_usd_per_mtok, m.price.output_usd_per_mtok) == (3.0, 0.3, 15.0)
        assert m.price.source.startswith("genai-prices ") and "anthropic.com/pricing" in m.price.source
        assert "genai-prices" in cat.notes_for("claude-3-5-sonnet-20241022")[0]

    def test_provider_prefix_as_litellm_logs_it(self, cat):
        assert cat.api_model("anthropic/claude-3-5-sonnet-20241022").price.output_usd_per_mtok == 15.0

    def test_tiered_price_uses_base_tier_and_says_so(self, cat):
        # genai-prices: gemini-1.5-pro 1.25 in / 5 out, 2.5 / 10 above 128k prompt tokens
        m = cat.api_model("gemini-1.5-pro-002")
        assert (m.price.input_usd_per_mtok, m.price.output_usd_per_mtok) == (1.25, 5.0)
        assert any("128,000 prompt tokens" in n for n in cat.notes_for("gemini-1.5-pro-002"))

    def test_openai_fine_tune_as_logged_is_priced(self, cat):
        # genai-prices 0.2.3: ft:gpt-4o-mini-2024-* 0.30 / 1.20, ft:gpt-3.5-turbo* 3 / 6 per 1M; its provider
        # matchers miss 'ft:' names, so we ask it under OpenAI (the encoding follows the base model)
        m = cat.api_model("ft:gpt-4o-mini-2024-07-18:acme::abc123")
        assert (m.price.input_usd_per_mtok, m.price.output_usd_per_mtok, m.encoding) == (0.3, 1.2, "o200k_base")
        m = cat.api_model("ft:gpt-3.5-turbo-0125:acme::abc123")
        assert (m.price.input_usd_per_mtok, m.price.output_usd_per_mtok, m.encoding) == (3.0, 6.0, "cl100k_base")

    @pytest.mark.parametrize("name, expected", [
        # genai-prices 0.2.5, OpenAI list: codex-mini(-latest) 1.5 / 6 (cache read 0.375), computer-use* 3 / 12 per 1M;
        # its OpenAI matcher (gpt-, o1/o3/o4, whisper-1, tts-1) misses both names, which recorded calls carry
        ("codex-mini-latest", (1.5, 6.0, "openai")),
        ("computer-use-preview-2025-03-11", (3.0, 12.0, "openai")),
    ])
    def test_openai_models_named_outside_its_matcher(self, cat, name, expected):
        m = cat.api_model(name)
        assert (m.price.input_usd_per_mtok, m.price.output_usd_per_mtok, m.provider) == expected

    def test_a_provider_prefix_is_not_asked_under_openai(self, cat):
        with pytest.raises(UnknownEntryError, match="unknown API model"):
            cat.api_model("mistral/codex-mini-latest")

    @pytest.mark.parametrize("name, expected", [
        # genai-prices 0.2.5: Groq llama-3.1-8b-instant 0.05 / 0.08 (a Groq Batch file logs it so), OpenRouter
        # mistralai/mistral-medium-3.1 0.4 / 2 (an OpenRouter generation export; 'mistralai' reads as Mistral,
        # whose list lacks it), Fireworks llama-v3p1-8b-instruct 0.2 / 0.2 under its account path
        ("llama-3.1-8b-instant", (0.05, 0.08, "groq")),
        ("mistralai/mistral-medium-3.1", (0.4, 2.0, "openrouter")),
        ("accounts/fireworks/models/llama-v3p1-8b-instruct", (0.2, 0.2, "fireworks")),
        # LiteLLM's route prefix genai-prices does not know: the rest's price (Mistral's mistral-large 2 / 6)
        ("azure_ai/mistral-large", (2.0, 6.0, "mistral")),
    ])
    def test_names_only_a_provider_list_prices(self, cat, name, expected):
        m = cat.api_model(name)
        assert (m.price.input_usd_per_mtok, m.price.output_usd_per_mtok, m.provider) == expected
        assert m.price.source.startswith("genai-prices ")

    def test_a_vendor_model_id_several_lists_price_is_openrouters_and_says_so(self, cat):
        # eight lists price meta-llama/llama-3.1-8b-instruct (OpenRouter, Novita, six Hugging Face routes):
        # OpenRouter's ids are vendor/model, so its 0.05 / 0.08 (genai-prices 0.2.5, in force 2026-12-08)
        m = cat.api_model("meta-llama/llama-3.1-8b-instruct")
        assert (m.provider, m.price.input_usd_per_mtok, m.price.output_usd_per_mtok) == ("openrouter", 0.05, 0.08)
        assert any("7 other provider list(s)" in n for n in cat.notes_for("meta-llama/llama-3.1-8b-instruct"))

    def test_a_name_two_lists_price_differently_stays_unknown(self, cat):
        # Azure's and OpenRouter's lists both have phi-3-medium-128k-instruct; nothing tells which one was called
        with pytest.raises(UnknownEntryError, match="unknown API model"):
            cat.api_model("phi-3-medium-128k-instruct")

    def test_chatgpt_4o_latest_is_not_gpt_4o(self, cat):
        # ChatGPT's model bills 5 / 15 (genai-prices 0.2.3 chatgpt-4o-latest), not gpt-4o's 2.5 / 10
        p = cat.api_model("chatgpt-4o-latest").price
        assert (p.input_usd_per_mtok, p.output_usd_per_mtok) == (5.0, 15.0)

    def test_our_yaml_wins(self):
        # genai-prices prices gpt-4o at 2.5/10 today; on 2024-06-01 the alias was 5/15 (ours)
        assert load_catalog("2024-06-01").api_model("gpt-4o").price.source.startswith("the gpt-4o alias")

    def test_date_in_the_name_before_the_catalog_date_is_an_error(self, cat_2024):
        with pytest.raises(NotReleasedError, match="2024-10-22"):
            cat_2024.api_model("claude-3-5-sonnet-20241022")

    def test_names_outside_the_id_pattern_are_unknown(self, cat):
        with pytest.raises(UnknownEntryError, match="unknown API model"):
            cat.api_model("claude 3.5 sonnet")

    def test_unknown_everywhere(self, cat):
        with pytest.raises(UnknownEntryError, match="unknown API model 'no-such-model-xyz'"):
            cat.api_model("no-such-model-xyz")

    def test_never_touches_the_network(self, monkeypatch):
        def refuse(*a, **k):
            raise AssertionError("network access")

        monkeypatch.setattr(socket.socket, "connect", refuse)
        monkeypatch.setattr(socket, "create_connection", refuse)
        c = load_catalog("2026-02-01")
        assert c.api_model("mistral-large-latest").price.input_usd_per_mtok > 0


class TestEveryEntrySourced:
    def test_every_period_has_source_and_none_says_verify(self):
        entries = catalog_entries()
        texts = []
        for m in entries["api_models"] + entries["hosted"]:
            texts += [p.source for p in m.prices] + ([m.latency.source] if m.latency else [])
        for g in entries["gpus"]:
            texts += [g.source] + [p.source for p in g.history]
        texts += [m.source for m in entries["open_models"]] + [b.source for b in entries["batch_api"]]
        assert texts and all(t.strip() for t in texts)
        assert not [t for t in texts if "[verify" in t.lower() or "[uncertain" in t.lower()]

    def test_data_files_say_no_verify(self):
        for name in CATALOG_FILES:
            assert "[verify" not in (DATA_DIR / name).read_text().lower()

    def test_removed_unsourced_hosted_entries(self, cat):
        assert "openpipe/llama-3-8b" not in cat.hosted and "together/llama-3-8b" not in cat.hosted


GOOD_GPU = """
gpus:
  - id: my-gpu
    name: Mine
    memory_gb: 80
    hbm_gb_per_s: 2000
    bf16_tflops: 300
    source: "my datasheet"
    prices:
      - provider: mycloud
        usd_per_hour: 1.0
        effective: 2025-01-01
        source: "our contract"
"""

GOOD_API = """
api_models:
  - id: my-model
    provider: me
    encoding: o200k_base
    context_tokens: 128000
    prices:
      - effective: 2025-01-01
        input_usd_per_mtok: 1.0
        output_usd_per_mtok: 2.0
        source: "our deal"
    latency:
      output_tokens_per_s: 50
      source: "we measured"
"""

GOOD_MODEL = """
open_models:
  - id: my-7b
    params_b: 7.0
    layers: 32
    hidden: 4096
    heads: 32
    kv_heads: 8
    head_dim: 128
    ffn: 14336
    vocab: 32000
    context_tokens: 8192
    tokenizer: mistral-v1
    source: "config.json"
"""


class TestValidation:
    """Every hostile --prices input (issue 9) is one CatalogError naming file, entry and field."""

    @pytest.mark.parametrize("base, mutation, message", [
        (GOOD_GPU, ("memory_gb: 80", "memory_gb: 80\n    colour: red"), r"gpus\[my-gpu\]: unknown field 'colour'"),
        (GOOD_GPU, ('    source: "my datasheet"\n', ""), r"gpus\[my-gpu\]\.source: missing field"),
        (GOOD_GPU, ("usd_per_hour: 1.0", "usd_per_hour: -1.0"), r"gpus\[my-gpu\]\.prices\[0\]\.usd_per_hour: -1\.0 is negative"),
        (GOOD_GPU, ("usd_per_hour: 1.0", "usd_per_hour: 0"), r"prices\[0\]\.usd_per_hour: 0 is out of range"),
        (GOOD_GPU, ("usd_per_hour: 1.0", "usd_per_hour: .nan"), r"prices\[0\]\.usd_per_hour: .*finite"),
        (GOOD_GPU, ("usd_per_hour: 1.0", "usd_per_hour: .inf"), r"prices\[0\]\.usd_per_hour: .*finite"),
        (GOOD_GPU, ("usd_per_hour: 1.0", "usd_per_hour: true"), r"prices\[0\]\.usd_per_hour: .*number"),
        (GOOD_GPU, ("usd_per_hour: 1.0", 'usd_per_hour: "1.0"'), r"prices\[0\]\.usd_per_hour: .*number"),
        (GOOD_GPU, ("memory_gb: 80", "memory_gb: .nan"), r"gpus\[my-gpu\]\.memory_gb: .*finite"),
        (GOOD_GPU, ("hbm_gb_per_s: 2000", "hbm_gb_per_s: 0"), r"gpus\[my-gpu\]\.hbm_gb_per_s: 0 is out of range"),
        (GOOD_GPU, ("bf16_tflops: 300", "bf16_tflops: 0"), r"gpus\[my-gpu\]\.bf16_tflops: 0 is out of range"),
        (GOOD_GPU, ("memory_gb: 80", "memory_gb: " + "9" * 5000), r"gpus\[my-gpu\]\.memory_gb: .*number"),
        (GOOD_GPU, ("effective: 2025-01-01", "effective: soon"), r"prices\[0\]\.effective: .*'soon' is not a date"),
        (GOOD_GPU, ("effective: 2025-01-01", "effective: 2025-13-45"), r"prices\[0\]\.effective: .*not a date"),
        (GOOD_GPU, ("effective: 2025-01-01", "effective: 2025-01-01 10:00:00"), r"prices\[0\]\.effective: .*not a date"),
        (GOOD_GPU, ("effective: 2025-01-01", "effective: 1700000000"), r"prices\[0\]\.effective: .*not a date"),
        (GOOD_GPU, ("effective: 2025-01-01", "effective: 1815-01-01"), r"prices\[0\]\.effective: dates run from"),
        (GOOD_GPU, ("effective: 2025-01-01", "effective: 2025-01-01\n        until: 2024-01-01"),
         r"prices\[0\]: until 2024-01-01 is not after effective 2025-01-01"),
        (GOOD_GPU, ('        source: "our contract"\n', ""), r"prices\[0\]\.source: missing field"),
        (GOOD_GPU, ('source: "our contract"', 'source: "  "'), r"prices\[0\]: 'source' is blank"),
        (GOOD_GPU, ("provider: mycloud", "provider: mycloud\n        billing: monthly"), r"prices\[0\]\.billing"),
        (GOOD_GPU, ("    prices:\n", "    aliases: {a: b}\n    prices:\n"), r"gpus\[my-gpu\]\.aliases"),
        (GOOD_GPU, ("    prices:\n", "    aliases: [[a, b]]\n    prices:\n"), r"gpus\[my-gpu\]\.aliases\[0\]"),
        (GOOD_GPU, ("    prices:\n      - provider", "    prices:\n      a: b\n      - provider"), r"not valid YAML"),
        (GOOD_GPU, ("id: my-gpu", "id: [my-gpu]"), r"gpus\[#1\]\.id"),
        (GOOD_API, ("input_usd_per_mtok: 1.0", "input_usd_per_mtok: .nan"), r"api_models\[my-model\]\.prices\[0\]\.input_usd_per_mtok: .*finite"),
        (GOOD_API, ("output_usd_per_mtok: 2.0", "output_usd_per_mtok: .inf"), r"api_models\[my-model\]\.prices\[0\]\.output_usd_per_mtok"),
        (GOOD_API, ("output_tokens_per_s: 50", "output_tokens_per_s: 0"), r"api_models\[my-model\]\.latency\.output_tokens_per_s: 0 is out of range"),
        (GOOD_API, ("context_tokens: 128000", "context_tokens: 1000000000000"), r"api_models\[my-model\]\.context_tokens"),
        (GOOD_API, ("    prices:\n", "    price: 1\n    prices:\n"), r"api_models\[my-model\]: 'price' is computed"),
        (GOOD_MODEL, ("params_b: 7.0", "params_b: 0"), r"open_models\[my-7b\]\.params_b: 0 is out of range"),
        (GOOD_MODEL, ("layers: 32", "layers: 32.5"), r"open_models\[my-7b\]\.layers: .*whole number"),
        (GOOD_MODEL, ("kv_heads: 8", "kv_heads: 64"), r"open_models\[my-7b\]: kv_heads 64 exceeds heads 32"),
    ])
    def test_errors_name_file_entry_field(self, write, base, mutation, message):
        assert mutation[0] in base
        path = write("mine.yaml", base.replace(*mutation, 1))
        with pytest.raises(CatalogError, match=message) as exc:
            load_catalog("2025-06-01", overrides=[path])
        assert "mine.yaml" in str(exc.value) and "\n" not in str(exc.value)

    def test_a_day_is_built_once_and_an_edited_file_is_read_again(self, write):
        """load_catalog shares the read-only build of a day (a page re-run asks for it each time), while what one
        caller looked up in genai-prices is not listed in another's sources, and an edited file is read again."""
        path = write("mine.yaml", GOOD_GPU)
        a, b = load_catalog("2025-06-01", overrides=[path]), load_catalog("2025-06-01", overrides=[path])
        assert a.gpu("my-gpu") is b.gpu("my-gpu") and a.api_models is b.api_models
        external = "claude-3-5-haiku-20241022"   # not in our YAML: genai-prices' bundled data
        assert a.api_id(external) is None and a.api_model(external).id
        assert any(r["entry"] == a.api_model(external).id for r in a.sources())
        assert not any(r["entry"] == a.api_model(external).id for r in b.sources())
        path.write_text(GOOD_GPU.replace("usd_per_hour: 1.0", "usd_per_hour: 3.0"))
        os.utime(path, (1, 1))   # the file changed (its stamp, whatever the file system's clock): read again
        c = load_catalog("2025-06-01", overrides=[path])
        assert c.gpu("my-gpu").cheapest().usd_per_hour == 3.0 and a.gpu("my-gpu").cheapest().usd_per_hour == 1.0

    def test_good_files_load(self, write):
        c = load_catalog("2025-06-01", overrides=[write("a.yaml", GOOD_GPU), write("b.yaml", GOOD_API),
                                                  write("c.yaml", GOOD_MODEL)])
        assert c.api_model("my-model").price.output_usd_per_mtok == 2.0 and c.open_model("my-7b").params == 7e9

    def test_deep_nesting(self, write):
        deep = "[" * 5000 + "]" * 5000
        with pytest.raises(CatalogError, match=r"mine.yaml: line 1: nested deeper than 20 levels"):
            load_catalog(overrides=[write("mine.yaml", f"gpus: {deep}\n")])

    def test_yaml_aliases_refused(self, write):
        text = "gpus:\n  - &g {id: a}\n  - *g\n"
        with pytest.raises(CatalogError, match=r"mine.yaml: line 3: YAML anchors and aliases"):
            load_catalog(overrides=[write("mine.yaml", text)])

    def test_huge_file_refused_before_parsing(self, write):
        with pytest.raises(CatalogError, match="too large for a price file"):
            load_catalog(overrides=[write("mine.yaml", "#" * 5_000_001)])

    def test_overlapping_periods(self, write):
        text = GOOD_GPU + """      - provider: mycloud
        usd_per_hour: 2.0
        effective: 2025-06-01
        source: "newer contract"
"""
        with pytest.raises(CatalogError, match="overlap; give the older one 'until: 2025-06-01'"):
            load_catalog("2025-06-01", overrides=[write("mine.yaml", text)])

    def test_alias_clash(self, write):
        text = GOOD_API.replace("    provider: me", "    aliases: [gpt-4o]\n    provider: me")
        with pytest.raises(CatalogError, match=r"api_models\[my-model\]\.aliases: 'gpt-4o' already names 'gpt-4o'"):
            load_catalog(overrides=[write("mine.yaml", text)])

    def test_bad_yaml_names_line(self, write):
        with pytest.raises(CatalogError, match=r"mine.yaml: line \d+: not valid YAML"):
            load_catalog(overrides=[write("mine.yaml", "gpus:\n  - id: [unclosed\n")])

    def test_unknown_section(self, write):
        with pytest.raises(CatalogError, match="unknown section 'gpu' \\(did you mean 'gpus'\\?\\)"):
            load_catalog(overrides=[write("mine.yaml", "gpu: []\n")])

    def test_yaml_is_loaded_safely(self, write):
        with pytest.raises(CatalogError, match="not valid YAML"):
            load_catalog(overrides=[write("mine.yaml", "gpus: !!python/object/apply:os.system ['true']\n")])

    def test_missing_override_file(self, tmp_path):
        with pytest.raises(CatalogError, match="no such catalog file"):
            load_catalog(overrides=[tmp_path / "nope.yaml"])

    def test_entry_not_a_mapping(self, write):
        with pytest.raises(CatalogError, match=r"gpus\[#1\]: expected a mapping"):
            load_catalog(overrides=[write("mine.yaml", "gpus: [3]\n")])


class TestOverrides:
    def test_new_gpu_added(self, write):
        c = load_catalog("2025-06-01", overrides=[write("mine.yaml", GOOD_GPU)])
        assert c.gpu("my-gpu").prices["mycloud"].usd_per_hour == 1.0

    def test_negotiated_api_price_replaces_ours(self, write):
        text = """
api_models:
  - id: gpt-4o-2024-08-06
    prices:
      - effective: 2025-01-01
        input_usd_per_mtok: 2.0
        output_usd_per_mtok: 8.0
        source: "our enterprise agreement"
"""
        c = load_catalog("2025-06-01", overrides=[write("deal.yaml", text)])
        p = c.api_model("gpt-4o-2024-08-06").price
        assert (p.input_usd_per_mtok, p.output_usd_per_mtok, p.source) == (2.0, 8.0, "our enterprise agreement")
        assert c.api_model("gpt-4o-2024-08-06").encoding == "o200k_base"  # fields not given stay ours

    def test_gpu_provider_price_replaces_only_that_provider(self, write):
        text = """
gpus:
  - id: a100-80gb
    prices:
      - provider: lambda
        usd_per_hour: 1.10
        effective: 2025-01-01
        source: "our reserved price"
"""
        c = load_catalog("2025-06-01", overrides=[write("gpu.yaml", text)])
        g = c.gpu("a100-80gb")
        assert g.prices["lambda"].usd_per_hour == 1.10
        assert g.prices["aws"].usd_per_hour == 5.121  # untouched

    def test_resolved_entries_are_frozen(self, cat):
        with pytest.raises((AttributeError, TypeError, ValueError)):  # frozen: any of pydantic/dataclasses' errors
            cat.gpu("l4").memory_gb = 1  # type: ignore[misc]


class TestMarch2024Claims:
    def test_ratios(self, cat_2024):
        # shared/facts/prices.md: OpenPipe 1.20/1.60 vs GPT-4-Turbo 10/30 and GPT-4-0613 30/60 at 1.2 input
        # tokens per output token: 42/3.04 = 13.8x and 96/3.04 = 31.6x
        op = cat_2024.hosted_endpoint("openpipe/mistral-7b").price
        cost = lambda p: 1.2 * p.input_usd_per_mtok + p.output_usd_per_mtok  # noqa: E731
        assert cost(op) == pytest.approx(3.04)
        assert cost(cat_2024.api_model("gpt-4-turbo-preview").price) / cost(op) == pytest.approx(13.8, abs=0.05)
        assert cost(cat_2024.api_model("gpt-4-0613").price) / cost(op) == pytest.approx(31.6, abs=0.05)
        assert math.isclose(cost(cat_2024.api_model("gpt-4-0613").price), 96.0)


def test_catalog_files_are_plain_yaml():
    for name in CATALOG_FILES:
        assert isinstance(yaml.safe_load(Path(DATA_DIR / name).read_text()), dict)


class TestReasoningFlag:
    """``reasoning`` is stated per model in api_models.yaml; genai-prices models get it from one name rule."""

    # OpenAI model pages (platform.openai.com/docs/models): o1, o3, o3-mini, o4-mini and the GPT-5 family are
    # reasoning models; GPT-4o and GPT-4.1 are not
    @pytest.mark.parametrize("name, expected", [
        ("o1", True), ("o3", True), ("o3-mini", True), ("o4-mini", True), ("gpt-5", True), ("gpt-5-mini", True),
        ("gpt-5-nano", True), ("gpt-5.1", True), ("gpt-5.5", True), ("gpt-4o", False), ("gpt-4.1", False),
        ("gpt-4-0613", False), ("gpt-3.5-turbo", False)])
    def test_yaml_states_it(self, name, expected):
        assert load_catalog(TODAY).api_model(name).reasoning is expected

    def test_every_yaml_entry_agrees_with_the_name_rule(self):
        # the fallback rule is not what decides for YAML entries, but the two must not disagree on OpenAI's names
        from pricing.catalog import reasoning_by_name
        for m in catalog_entries()["api_models"]:
            assert m.reasoning is reasoning_by_name(m.id), m.id

    @pytest.mark.parametrize("name, expected", [("o3-pro", True), ("gpt-5-pro", True), ("gpt-5-chat-latest", False),
                                                ("claude-3-5-sonnet", False)])
    def test_genai_models_by_name(self, name, expected):
        m = load_catalog(TODAY).api_model(name)
        assert "genai-prices" in m.price.source and m.reasoning is expected

    def test_override_states_it(self, tmp_path):
        p = tmp_path / "mine.yaml"
        p.write_text(GOOD_API.replace("    provider: me\n", "    provider: me\n    reasoning: true\n"))
        assert load_catalog("2025-06-01", overrides=[p]).api_model("my-model").reasoning is True
        p.write_text(GOOD_API)  # absent: not a reasoning model, whatever the name
        assert load_catalog("2025-06-01", overrides=[p]).api_model("my-model").reasoning is False
        p.write_text(GOOD_API.replace("    provider: me\n", "    provider: me\n    reasoning: maybe\n"))
        with pytest.raises(CatalogError, match=r"api_models\[my-model\]\.reasoning"):
            load_catalog("2025-06-01", overrides=[p])


class TestHostedTrainingPrice:
    """A hosted fine-tune is priced with its training: a --prices entry without a training price is an error that
    says how to fix the file, never an endpoint that silently drops out of compare."""

    TEXT = """hosted:
  - id: me/my-7b
    provider: me
    base_model: mistral-7b
    tokenizer: mistral-v1
    prices:
      - effective: 2025-01-01
        input_usd_per_mtok: 0.3
        output_usd_per_mtok: 0.3
        training_usd_per_mtok: 2.0
        source: "our contract"
"""

    def test_missing_training_price_is_an_error(self, tmp_path):
        p = tmp_path / "mine.yaml"
        p.write_text(self.TEXT.replace("        training_usd_per_mtok: 2.0\n", ""))
        with pytest.raises(CatalogError, match=r"mine.yaml: hosted\[me/my-7b\]\.prices\[0\]: training_usd_per_mtok "
                                               r"is missing: give the provider's price per 1M training tokens"):
            load_catalog("2025-06-01", overrides=[p])
        p.write_text(self.TEXT.replace("training_usd_per_mtok: 2.0", "training_usd_per_mtok: null"))
        with pytest.raises(CatalogError, match="0 if you have trained the model already"):
            load_catalog("2025-06-01", overrides=[p])

    def test_every_hosted_endpoint_is_a_default_option(self, tmp_path):
        from advisor import default_options
        p = tmp_path / "mine.yaml"
        p.write_text(self.TEXT.replace("training_usd_per_mtok: 2.0", "training_usd_per_mtok: 0"))  # trained already
        cat = load_catalog("2025-06-01", overrides=[p])
        assert set(cat.hosted) <= set(default_options(cat)) and "me/my-7b" in default_options(cat)


class TestOpenAIFineTunes:
    # platform.openai.com/docs/pricing fine-tuning table (Standard), stored copy of 2025-09 or later:
    # (training, input, cached, output) per 1M tokens
    @pytest.mark.parametrize("hosted_id, day, expected", [
        ("openai-ft/gpt-4.1-2025-04-14", "2025-06-01", (25.0, 3.0, 0.75, 12.0)),
        ("openai-ft/gpt-4.1-mini-2025-04-14", "2025-06-01", (5.0, 0.8, 0.2, 3.2)),
        ("openai-ft/gpt-4.1-nano-2025-04-14", "2025-06-01", (1.5, 0.2, 0.05, 0.8)),
        ("openai-ft/gpt-4o-2024-08-06", "2025-06-01", (25.0, 3.75, 1.875, 15.0)),
        ("openai-ft/gpt-4o-mini-2024-07-18", "2025-06-01", (3.0, 0.3, 0.15, 1.2)),
        ("openai-ft/gpt-3.5-turbo-0125", "2024-03-28", (8.0, 3.0, None, 6.0)),
        # OpenAI blog 2023-08-22: $0.008 training, $0.012 / $0.016 per 1K; DevDay 2023-11-06: $0.003 / $0.006
        ("openai-ft/gpt-3.5-turbo-0613", "2023-09-01", (8.0, 12.0, None, 16.0)),
        ("openai-ft/gpt-3.5-turbo-0613", "2023-11-06", (8.0, 3.0, None, 6.0)),
    ])
    def test_prices(self, hosted_id, day, expected):
        p = load_catalog(day).hosted_endpoint(hosted_id).price
        assert (p.training_usd_per_mtok, p.input_usd_per_mtok, p.cached_input_usd_per_mtok,
                p.output_usd_per_mtok) == expected

    def test_fine_tunes_end_with_their_base(self):
        # OpenAI deprecations page: fine-tunes follow the base (2026-10-23 for 3.5 / 4.1-nano, 2027-01-14 for 4o / 4.1)
        entries = {h.id: h for h in catalog_entries()["hosted"] if h.provider == "openai"}
        api = {m.id: m for m in catalog_entries()["api_models"]}
        for hid, h in entries.items():
            if h.base_model in api:
                assert h.prices[-1].until == api[h.base_model].prices[-1].until, hid
        assert "openai-ft/gpt-4.1-nano-2025-04-14" not in load_catalog(TODAY).hosted
        assert "openai-ft/gpt-4.1-2025-04-14" in load_catalog(TODAY).hosted

    def test_one_gpt35_fine_tune_listed_per_day(self):
        for day in ("2023-09-01", "2023-12-01", "2024-01-25", "2024-03-28"):
            listed = [k for k in load_catalog(day).hosted if k.startswith("openai-ft/gpt-3.5")]
            assert len(listed) == 1, (day, listed)


# ---------------------------------------------------------------------------------------------
# A shutdown is known from its announcement on (OpenAI's deprecations page dates each notice; stored copy
# mnfst/modeldeprecations.dev snapshots/openai/deprecations.md of 2026-08-20, spybara diff of 2026-04-22,
# w3cschool.cn mirror of 2026-11-10 for the 2026-10-14 notice). Every date below was read there by hand.

_NOTICE_OF = {  # entry -> [(announced, shutdown), ...] as the page gives them
    "gpt-4-0314": [("2025-09-26", "2026-03-26")], "gpt-4-0125-preview": [("2025-09-26", "2026-03-26")],
    "gpt-4-1106-preview": [("2025-09-26", "2026-03-26"), ("2026-04-22", "2026-10-23")],
    "gpt-3.5-turbo-1106": [("2025-09-26", "2026-09-28")], "gpt-4-32k": [("2024-06-06", "2025-06-06")],
    "gpt-4-0613": [("2026-04-22", "2026-10-23")], "gpt-4": [("2026-04-22", "2026-10-23")],
    "gpt-4-turbo-2024-04-09": [("2026-04-22", "2026-10-23")], "gpt-4o-2024-05-13": [("2026-04-22", "2026-10-23")],
    "gpt-3.5-turbo-0125": [("2026-04-22", "2026-10-23")], "gpt-3.5-turbo": [("2026-04-22", "2026-10-23")],
    "o1-2024-12-17": [("2026-04-22", "2026-10-23")], "o3-mini-2025-01-31": [("2026-04-22", "2026-10-23")],
    "o4-mini-2025-04-16": [("2026-04-22", "2026-10-23")], "gpt-4.1-nano-2025-04-14": [("2026-04-22", "2026-10-23")],
    "o3-2025-04-16": [("2026-06-11", "2026-12-11")], "gpt-5-2025-08-07": [("2026-06-11", "2026-12-11")],
    "gpt-5-mini-2025-08-07": [("2026-06-11", "2026-12-11")], "gpt-5-nano-2025-08-07": [("2026-06-11", "2026-12-11")],
    "gpt-4o": [("2026-10-14", "2027-01-14")], "gpt-4o-2024-08-06": [("2026-10-14", "2027-01-14")],
    "gpt-4o-2024-11-20": [("2026-10-14", "2027-01-14")], "gpt-4o-mini-2024-07-18": [("2026-10-14", "2027-01-14")],
    "gpt-4.1-2025-04-14": [("2026-10-14", "2027-01-14")], "gpt-4.1-mini-2025-04-14": [("2026-10-14", "2027-01-14")],
    # no notice date found: known from the first dated source (dev.to/max_bob, GET /v1/models on 2026-10-27)
    "gpt-5.1-2025-11-13": [("2026-10-27", "2027-04-01")],
}


class TestShutdownNotices:
    """The schema: every shutdown carries dated, sourced notices that end on it."""

    def test_every_shutdown_has_its_notices(self):
        for m in catalog_entries()["api_models"]:
            got = [(str(n.announced), str(n.shutdown)) for n in m.shutdown_notices]
            assert got == _NOTICE_OF.get(m.id, []), m.id
            assert all(n.source and n.announced <= n.shutdown for n in m.shutdown_notices), m.id
            assert (m.shutdown_notices[-1].shutdown if m.shutdown_notices else None) == m.scheduled_shutdown, m.id

    def test_unknown_announcement_is_said_so(self):
        (n,) = next(m for m in catalog_entries()["api_models"] if m.id == "gpt-5.1-2025-11-13").shutdown_notices
        assert n.basis == "first_seen" and "not found" in n.source
        assert all(n.basis == "notice" for m in catalog_entries()["api_models"] if m.id != "gpt-5.1-2025-11-13"
                   for n in m.shutdown_notices)

    def test_openai_fine_tunes_share_their_base_notices(self):
        # deprecations page: fine-tuned versions follow the base's schedule (2026-10-14 notice; 2026-04-22 table)
        api = {m.id: m for m in catalog_entries()["api_models"]}
        for h in catalog_entries()["hosted"]:
            if h.provider == "openai" and h.base_model in api:
                assert [(n.announced, n.shutdown) for n in h.shutdown_notices] == \
                       [(n.announced, n.shutdown) for n in api[h.base_model].shutdown_notices], h.id

    def test_a_replaced_entry_is_no_shutdown(self):
        # 2023-11-06 notice: fine-tunes of gpt-3.5-turbo-0613 'are not affected'; ours hands over to 0125 on 2024-01-25
        h = load_catalog("2023-12-01").hosted_endpoint("openai-ft/gpt-3.5-turbo-0613")
        assert h.prices[-1].until == dt.date(2024, 1, 25) and h.shutdown is None and h.scheduled_shutdown is None


class TestShutdownKnownOnDate:
    """Before the announcement: priced as it was then, no note, no `until`; from it on: the note; after the
    shutdown: the retired message (unchanged)."""

    @pytest.mark.parametrize("name, day, known", [
        ("gpt-4-0125-preview", "2024-03-28", None), ("gpt-4-0125-preview", "2025-09-25", None),
        ("gpt-4-0125-preview", "2025-09-26", "2026-03-26"), ("gpt-4-0125-preview", "2026-03-26", "2026-03-26"),
        ("gpt-4-turbo", "2026-04-21", None), ("gpt-4-turbo", "2026-04-22", "2026-10-23"),
        ("gpt-4-1106-preview", "2025-09-25", None), ("gpt-4-1106-preview", "2025-09-26", "2026-03-26"),
        ("gpt-4-1106-preview", "2026-04-01", "2026-03-26"), ("gpt-4-1106-preview", "2026-04-22", "2026-10-23"),
        ("gpt-4o", "2024-06-01", None), ("gpt-4o", "2026-10-13", None), ("gpt-4o", "2026-10-14", "2027-01-14"),
        ("gpt-4-32k", "2024-03-28", None), ("gpt-4-32k", "2024-06-06", "2025-06-06"),
        ("gpt-5", "2026-06-10", None), ("gpt-5", "2026-06-11", "2026-12-11"),
        ("gpt-5.1", "2026-10-26", None), ("gpt-5.1", "2026-10-27", "2027-04-01"),
    ])
    def test_shutdown_as_known(self, name, day, known):
        assert str(load_catalog(day).api_model(name).shutdown) == str(known)

    def test_before_the_announcement_no_note_and_no_until(self, cat_2024):
        # 2024-03-28: none of today's shutdowns was announced (the first, gpt-4-32k, came on 2024-06-06)
        for m in cat_2024.api_models.values():
            assert m.shutdown is None and cat_2024.notes_for(m.id) == (), m.id
            assert m.price.until is None or m.price.until < m.scheduled_shutdown, m.id  # only a price change shows
        for h in cat_2024.hosted.values():
            assert h.shutdown is None, h.id
        assert cat_2024.api_model("gpt-4-0613").price.until is None  # 2026-10-23 was not known then

    def test_between_announcement_and_shutdown_the_note(self):
        c = load_catalog("2025-12-01")
        assert c.notes_for("gpt-4-turbo-preview") == (
            "gpt-4-0125-preview shuts down on 2026-03-26 (announced 2025-09-26); successors: gpt-4.1, gpt-5",)
        assert c.api_model("gpt-4-0125-preview").price.until == dt.date(2026, 3, 26)
        assert c.notes_for("gpt-4-0613") == ()  # its notice came on 2026-04-22

    def test_a_moved_date_is_known_as_it_was(self):
        # 2026-04-01: the 2025-09-26 notice said 2026-03-26 and the 2026-04-22 one was not out yet
        c = load_catalog("2026-04-01")
        (note,) = c.notes_for("gpt-4-1106-preview")
        assert note.startswith("gpt-4-1106-preview was due to shut down on 2026-03-26 (announced 2025-09-26) "
                               "and is still priced as served on 2026-04-01")
        assert c.api_model("gpt-4-1106-preview").price.until == dt.date(2026, 3, 26)

    def test_after_the_shutdown_the_retired_message(self):
        c = load_catalog("2026-03-26")
        (note,) = c.notes_for("gpt-4-0125-preview")
        assert note.startswith("gpt-4-0125-preview was shut down on 2026-03-26: priced at its last price")
        assert "gpt-4-0125-preview" in c.retired

    def test_unknown_announcement_note_says_so(self, cat):
        (note,) = cat.notes_for("gpt-5.1")
        assert note.startswith("gpt-5.1-2025-11-13 shuts down on 2027-04-01 (known since 2026-10-27, "
                               "announcement date not found)")

    def test_successors_not_yet_released_are_left_out(self):
        # 2024-06-06: gpt-4-32k's notice; its successors gpt-4o (2024-05-13) and gpt-4.1 (2025-04-14)
        (note,) = load_catalog("2024-07-01").notes_for("gpt-4-32k")
        assert note.endswith("successors: gpt-4o")

    @pytest.mark.parametrize("day, known, until", [
        ("2026-10-13", None, None), ("2026-10-14", "2027-01-14", dt.date(2027, 1, 14))])
    def test_hosted_fine_tune(self, day, known, until):
        h = load_catalog(day).hosted_endpoint("openai-ft/gpt-4o-mini-2024-07-18")
        assert str(h.shutdown) == str(known) and h.price.until == until

    def test_the_history_keeps_the_scheduled_date(self):
        m = next(m for m in catalog_entries()["api_models"] if m.id == "gpt-4-0613")
        assert m.known_on is None and m.shutdown == m.scheduled_shutdown == dt.date(2026, 10, 23)


class TestShutdownRuleInCompare:
    """The never-recommend rule (advisor.compare) sees only what was known on the date: the fine-tune of
    gpt-4o-mini stops 2027-01-14, announced 2026-10-14; a 12-month horizon from either day crosses it."""

    def _ft(self, day):
        from advisor import Scenario, Workload
        from advisor.compare import price_options, qualifying_fine_tunes

        w = Workload.typed(requests_per_day=50_000, prompt_tokens=1500, completion_tokens=300)
        s = Scenario(w, baseline="gpt-4o", as_of=day, horizon_months=12)
        base, opts = price_options(s)
        ft = next(o for o in opts if o.name == "openai-ft/gpt-4o-mini-2024-07-18")
        mini = next(o for o in opts if o.name == "gpt-4o-mini-2024-07-18")
        return ft, mini, qualifying_fine_tunes(s, base, opts)

    def test_before_the_announcement_it_may_be_recommended(self):
        ft, mini, ok = self._ft("2026-10-13")
        # the shutdown is not known yet; since 2026-05-07 OpenAI's fine-tuning is closed to new customers (issue 19),
        # so it is not recommended as a new fine-tune for that reason alone
        assert not ft.ends_within_horizon and ft.serves_until is None and not ft.trainable and ft not in ok
        ft_open, _, ok_open = self._ft("2026-05-06")
        assert ft_open.trainable and ft_open in ok_open
        assert not any("stops serving" in n or "shut" in n for n in ft.notes + mini.notes)
        assert not mini.ends_within_horizon

    def test_after_the_announcement_never_recommended(self):
        # 2026-10-14 + round(12 x 30.4167) = 365 days = 2027-10-14 > 2027-01-14
        ft, mini, ok = self._ft("2026-10-14")
        assert ft.ends_within_horizon and str(ft.serves_until) == "2027-01-14" and ft not in ok
        assert any("not recommended" in n for n in ft.notes)
        assert mini.ends_within_horizon and any("shuts down on 2027-01-14 (announced 2026-10-14)" in n for n in mini.notes)


class TestShutdownNoticeValidation:
    UNTIL = GOOD_API.replace("        source: \"our deal\"\n", "        until: 2026-06-01\n        source: \"our deal\"\n")
    NOTICE = "    shutdown_notices:\n      - {announced: 2025-12-01, shutdown: 2026-06-01, source: \"provider email\"}\n"

    def _with_notice(self, notice: str) -> str:
        return self.UNTIL.replace("    prices:\n", notice + "    prices:\n")

    def test_a_shutdown_with_its_notice_loads(self, write):
        path = write("mine.yaml", self._with_notice(self.NOTICE))
        assert load_catalog("2025-11-30", overrides=[path]).api_model("my-model").shutdown is None
        assert load_catalog("2025-12-01", overrides=[path]).api_model("my-model").shutdown == dt.date(2026, 6, 1)

    @pytest.mark.parametrize("text_fn, message", [
        (lambda t: t.UNTIL, r"api_models\[my-model\]: the last price period ends on 2026-06-01 \(a shutdown\) but "
                            r"shutdown_notices is missing"),
        (lambda t: GOOD_API.replace("    prices:\n", t.NOTICE + "    prices:\n"),
         r"api_models\[my-model\]: shutdown_notices given but the last price period has no 'until'"),
        (lambda t: t._with_notice(t.NOTICE.replace("shutdown: 2026-06-01", "shutdown: 2026-07-01")),
         r"the last notice says 2026-07-01 but the last price period ends on 2026-06-01"),
        (lambda t: t._with_notice(t.NOTICE.replace("announced: 2025-12-01", "announced: 2026-07-01")),
         r"shutdown_notices\[0\]: announced 2026-07-01 is after shutdown 2026-06-01"),
        (lambda t: t._with_notice(t.NOTICE + t.NOTICE.replace("    shutdown_notices:\n", "")),
         r"announced 2025-12-01 is not after 2025-12-01; list notices oldest first"),
        (lambda t: t._with_notice(t.NOTICE.replace("source: \"provider email\"", "source: \"x\", basis: guess")),
         r"shutdown_notices\[0\]\.basis"),
        (lambda t: t._with_notice(t.NOTICE).replace("    provider: me\n", "    provider: me\n    known_on: 2025-01-01\n"),
         r"'known_on' is the catalog date"),
    ])
    def test_errors(self, write, text_fn, message):
        with pytest.raises(CatalogError, match=message) as exc:
            load_catalog("2025-06-01", overrides=[write("mine.yaml", text_fn(self))])
        assert "mine.yaml" in str(exc.value)

    def test_override_that_moves_our_shutdown_needs_its_own_notice(self, write):
        moved = ("api_models:\n  - id: gpt-4o-2024-08-06\n    prices:\n      - {effective: 2024-08-06, until: 2027-06-01, "
                 "input_usd_per_mtok: 2.5, output_usd_per_mtok: 10, source: \"our contract\"}\n")
        with pytest.raises(CatalogError, match=r"gpt-4o-2024-08-06\]: the last price period ends on 2027-06-01 .*"
                                               r"shutdown_notices is missing"):
            load_catalog("2026-11-25", overrides=[write("deal.yaml", moved)])

    def test_override_without_a_shutdown_drops_ours(self, write):
        # our enterprise deal keeps serving it: the user's period has no until, so our notices do not apply
        text = ("api_models:\n  - id: gpt-4o-2024-08-06\n    prices:\n      - {effective: 2024-08-06, "
                "input_usd_per_mtok: 2.0, output_usd_per_mtok: 8.0, source: \"our enterprise agreement\"}\n")
        m = load_catalog("2026-11-25", overrides=[write("deal.yaml", text)]).api_model("gpt-4o-2024-08-06")
        assert m.shutdown is None and m.shutdown_notices == ()

    def test_override_keeping_our_shutdown_keeps_our_notices(self, write):
        text = ("api_models:\n  - id: gpt-4o-2024-08-06\n    prices:\n      - {effective: 2024-08-06, until: 2027-01-14, "
                "input_usd_per_mtok: 2.0, output_usd_per_mtok: 8.0, source: \"our enterprise agreement\"}\n")
        m = load_catalog("2026-11-25", overrides=[write("deal.yaml", text)]).api_model("gpt-4o-2024-08-06")
        assert m.shutdown == dt.date(2027, 1, 14) and m.shutdown_notice.announced == dt.date(2026, 10, 14)


def test_genai_price_change_is_no_shutdown():
    # genai-prices 0.2.3 lists a second claude-opus-4-6 price from 2026-03-13: a price change, not a shutdown
    c = load_catalog("2026-03-01")
    m = c.api_model("anthropic/claude-opus-4-6")
    assert m.shutdown is None and m.price.until is None
    assert any("another price from 2026-03-13" in n for n in c.notes_for("anthropic/claude-opus-4-6"))


def test_worked_examples_in_docstrings():
    import doctest

    import pricing.catalog
    result = doctest.testmod(pricing.catalog)
    assert result.attempted > 0 and result.failed == 0


@given(st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2027, 12, 31)), st.integers(0, 800))
@settings(max_examples=60, deadline=None)
def test_a_known_shutdown_stays_known(day, later_days):
    """Invariant: known on a day = known on every later day (a date only moves by a newer notice), never before
    its first notice, and always one of the dates the notices gave."""
    from pricing.catalog import shutdown_known

    later = day + dt.timedelta(days=later_days)
    for e in (*catalog_entries()["api_models"], *catalog_entries()["hosted"]):
        known = shutdown_known(e, day)
        if known is not None:
            assert shutdown_known(e, later) is not None, e.id
            assert known in {n.shutdown for n in e.shutdown_notices}, e.id
            assert day >= e.shutdown_notices[0].announced, e.id
