"""The catalog through the CLI: `prices`, baselines on any date, other providers, hostile --prices files."""

import json

import pytest

from advisor.cli.main import main

TODAY = "2026-11-25"
WORKLOAD = ("--requests-per-day", "5000", "--prompt-tokens", "1200", "--completion-tokens", "1000")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def compare_json(capsys, *argv):
    code, out, err = run(capsys, "compare", *WORKLOAD, *argv, "--json")
    assert code == 0, err
    doc = json.loads(out)
    return doc, {o["name"]: o for o in doc["options"]}


class TestCompareOnAnyDate:
    def test_march_2024_lists_self_hosted_options(self, capsys):
        doc, opts = compare_json(capsys, "--as-of", "2024-03-28", "--baseline", "gpt-4-0613")
        selfhost = [o for o in opts.values() if o["kind"] == "selfhost"]
        assert selfhost, "AWS list prices (g5, p4de, p5) were in force on 2024-03-28"
        assert any("a100-80gb" in o["name"] for o in selfhost)

    def test_gpt4o_alias_on_2024_06_01_is_5_and_15(self, capsys):
        # 1200 x $5/1M + 1000 x $15/1M = 0.006 + 0.015
        doc, opts = compare_json(capsys, "--as-of", "2024-06-01", "--baseline", "gpt-4o")
        assert doc["baseline"] == "gpt-4o"
        assert opts["gpt-4o"]["usd_per_request"] == pytest.approx(0.021)

    @pytest.mark.parametrize("baseline, canonical, usd", [
        # openai.com/api/pricing (LiteLLM, genai-prices): 1200 input + 1000 output tokens
        ("gpt-5", "gpt-5-2025-08-07", 1200 * 1.25e-6 + 1000 * 10e-6),
        ("gpt-5-mini", "gpt-5-mini-2025-08-07", 1200 * 0.25e-6 + 1000 * 2e-6),
        ("gpt-5-nano", "gpt-5-nano-2025-08-07", 1200 * 0.05e-6 + 1000 * 0.4e-6),
        ("o3", "o3-2025-04-16", 1200 * 2e-6 + 1000 * 8e-6),
        ("o4-mini", "o4-mini-2025-04-16", 1200 * 1.1e-6 + 1000 * 4.4e-6),
    ])
    def test_current_baselines_today(self, capsys, baseline, canonical, usd):
        doc, opts = compare_json(capsys, "--as-of", TODAY, "--baseline", baseline)
        assert doc["baseline"] == canonical
        assert opts[canonical]["usd_per_request"] == pytest.approx(usd)

    def test_claude_baseline_priced_from_genai_prices(self, capsys):
        # genai-prices 0.2.3: claude-3-5-sonnet 3 / 15 per 1M -> 1200 x 3e-6 + 1000 x 15e-6
        doc, opts = compare_json(capsys, "--as-of", TODAY, "--baseline", "claude-3-5-sonnet-20241022")
        base = opts[doc["baseline"]]
        assert base["usd_per_request"] == pytest.approx(0.0186)
        assert "genai-prices" in base["source"]

    def test_retired_baseline_still_priced(self, capsys):
        # gpt-4-0613 shut down 2026-10-23: users compare against what they paid (30 / 60)
        doc, opts = compare_json(capsys, "--as-of", TODAY, "--baseline", "gpt-4-0613")
        assert opts["gpt-4-0613"]["usd_per_request"] == pytest.approx(1200 * 30e-6 + 1000 * 60e-6)

    def test_baseline_before_release_names_the_models_of_that_day(self, capsys):
        code, out, err = run(capsys, "compare", *WORKLOAD, "--as-of", "2024-06-01", "--baseline", "gpt-5")
        assert code == 2 and out == ""
        assert err.startswith("error: ") and err.count("\n") == 1
        assert "not released as of 2024-06-01" in err and "gpt-4o" in err

    def test_march_2024_claims(self, capsys):
        # 42/3.04 = 13.8x vs GPT-4-Turbo, 96/3.04 = 31.6x vs GPT-4-0613 (1.2 input tokens per output token)
        for baseline, ratio in (("gpt-4-0125-preview", 13.8), ("gpt-4-0613", 31.6)):
            doc, opts = compare_json(capsys, "--requests-per-day", "5000", "--prompt-tokens", "1200",
                                     "--completion-tokens", "1000", "--as-of", "2024-03-28", "--baseline", baseline,
                                     "--option", "openpipe/mistral-7b")
            op = opts["openpipe/mistral-7b"]
            assert opts[baseline]["usd_per_request"] / op["usd_per_request"] == pytest.approx(ratio, abs=0.05)


class TestPricesCommand:
    def test_json_rows_on_a_date(self, capsys):
        code, out, _ = run(capsys, "prices", "--as-of", "2024-03-28", "--json")
        assert code == 0
        doc = json.loads(out)
        rows = {r["id"]: r for r in doc["rows"]}
        assert doc["as_of"] == "2024-03-28"
        assert rows["gpt-4-0613"]["input_usd_per_mtok"] == 30.0 and rows["gpt-4-0613"]["effective"] == "2023-06-13"
        assert rows["h100-sxm@aws"]["usd_per_hour"] == 12.29 and rows["h100-sxm@aws"]["until"] == "2025-06-01"
        assert "gpt-5-2025-08-07" not in rows
        assert all(r["source"] for r in doc["rows"])

    @pytest.mark.parametrize("kind", ["api", "hosted", "gpu"])
    def test_kind_filter(self, capsys, kind):
        code, out, _ = run(capsys, "prices", "--as-of", TODAY, "--kind", kind, "--json")
        assert code == 0 and {r["kind"] for r in json.loads(out)["rows"]} == {kind}

    def test_retired_models_marked(self, capsys):
        code, out, _ = run(capsys, "prices", "--as-of", TODAY, "--kind", "api", "--json")
        rows = {r["id"]: r for r in json.loads(out)["rows"]}
        assert rows["gpt-4-0613"]["status"] == "shut down 2026-10-23"
        assert rows["gpt-4-0613"]["successors"] == ["gpt-5.6-sol", "gpt-4.1", "gpt-5.1"]
        assert rows["gpt-5.4-2026-03-05"]["status"] == "live"
        assert rows["gpt-5.4-2026-03-05"]["reasoning"] is True and rows["gpt-4-0613"]["reasoning"] is False  # the flag

    @pytest.mark.parametrize("day, status, until, announced", [
        # OpenAI deprecations page: gpt-4-0613 (and the gpt-4 alias) stop 2026-10-23, notice of 2026-04-22
        ("2024-03-28", "live", None, None),
        ("2026-04-21", "live", None, None),
        ("2026-04-22", "live, shuts down 2026-10-23", "2026-10-23", "2026-04-22"),
        ("2026-10-23", "shut down 2026-10-23", "2026-10-23", "2026-04-22"),
    ])
    def test_shutdown_as_known_on_the_date(self, capsys, day, status, until, announced):
        code, out, _ = run(capsys, "prices", "--as-of", day, "--kind", "api", "--json")
        row = {r["id"]: r for r in json.loads(out)["rows"]}["gpt-4-0613"]
        assert (row["status"], row["until"], row["shutdown_announced"]) == (status, until, announced)
        assert row["shutdown"] == until and bool(row["successors"]) == (until is not None)
        assert (row["shutdown_source"] is None) == (announced is None)

    def test_hosted_shutdown_as_known(self, capsys):
        # fine-tunes of gpt-4o-mini follow the base: notice 2026-10-14, shutdown 2027-01-14
        # (and since 2026-05-07 only existing fine-tuning customers may train one, until 2027-01-06)
        for day, status in (("2026-10-13", "live"), ("2026-10-14", "live, shuts down 2027-01-14")):
            code, out, _ = run(capsys, "prices", "--as-of", day, "--kind", "hosted", "--json")
            row = {r["id"]: r for r in json.loads(out)["rows"]}["openai-ft/gpt-4o-mini-2024-07-18"]
            assert row["status"] == status + ", training for existing customers only until 2027-01-06"
            assert (row["until"] is None) == (status == "live")

    def test_table_readable(self, capsys):
        code, out, _ = run(capsys, "prices", "--as-of", TODAY)
        assert code == 0 and "gpt-5-2025-08-07" in out and "USD/GPU-h" in out and "--all-providers" in out
        assert "claude-3-5-sonnet" not in out  # genai-prices' models only with --all-providers (ours: claude-haiku-5-5)

    def test_all_providers_marks_genai_prices(self, capsys):
        code, out, _ = run(capsys, "prices", "--as-of", TODAY, "--kind", "api", "--all-providers", "--json")
        rows = {r["id"]: r for r in json.loads(out)["rows"]}
        claude = rows["anthropic/claude-3-5-sonnet"]
        assert claude["status"] == "genai-prices" and claude["source"].startswith("genai-prices ")
        assert "openai/gpt-5" not in rows  # ours win: gpt-5 is in our YAML

    @pytest.mark.parametrize("argv, needle", [
        (("--as-of", "28/03/2024"), "YYYY-MM-DD"),
        (("--kind", "tpu"), "invalid choice"),
    ])
    def test_bad_flags_exit_2(self, capsys, argv, needle):
        code, out, err = run(capsys, "prices", *argv)
        assert code == 2 and out == "" and err.startswith("error: ") and needle in err and err.count("\n") == 1


HOSTILE = {
    "nan_price": "api_models:\n  - id: x\n    provider: me\n    prices:\n      - {effective: 2025-01-01, input_usd_per_mtok: .nan, output_usd_per_mtok: 1, source: s}\n",
    "inf_price": "gpus:\n  - {id: g, name: G, memory_gb: 80, hbm_gb_per_s: 2000, bf16_tflops: 300, source: s, prices: [{provider: p, usd_per_hour: .inf, effective: 2025-01-01, source: s}]}\n",
    "zero_speed": "api_models:\n  - id: x\n    provider: me\n    prices: [{effective: 2025-01-01, input_usd_per_mtok: 1, output_usd_per_mtok: 1, source: s}]\n    latency: {output_tokens_per_s: 0, source: s}\n",
    "zero_bandwidth": "gpus:\n  - {id: g, name: G, memory_gb: 80, hbm_gb_per_s: 0, bf16_tflops: 300, source: s}\n",
    "zero_params": "open_models:\n  - {id: m, params_b: 0, layers: 32, hidden: 4096, heads: 32, kv_heads: 8, head_dim: 128, ffn: 14336, vocab: 32000, context_tokens: 8192, tokenizer: t, source: s}\n",
    "bad_date": "gpus:\n  - {id: g, name: G, memory_gb: 80, hbm_gb_per_s: 2000, bf16_tflops: 300, source: s, prices: [{provider: p, usd_per_hour: 1, effective: 2025-02-30, source: s}]}\n",
    "huge_int": "gpus:\n  - {id: g, name: G, memory_gb: " + "7" * 5000 + ", hbm_gb_per_s: 2000, bf16_tflops: 300, source: s}\n",
    "dict_aliases": "gpus:\n  - {id: g, name: G, memory_gb: 80, hbm_gb_per_s: 2000, bf16_tflops: 300, source: s, aliases: {a: 1}}\n",
    "list_aliases": "gpus:\n  - {id: g, name: G, memory_gb: 80, hbm_gb_per_s: 2000, bf16_tflops: 300, source: s, aliases: [[1]]}\n",
    "deep": "gpus: " + "[" * 3000 + "]" * 3000 + "\n",
    "nan_memory": "gpus:\n  - {id: g, name: G, memory_gb: .nan, hbm_gb_per_s: 2000, bf16_tflops: 300, source: s}\n",
}


class TestHostilePriceFiles:
    @pytest.mark.parametrize("name", sorted(HOSTILE))
    def test_one_line_error_exit_2(self, capsys, write, name):
        path = write(f"{name}.yaml", HOSTILE[name])
        for argv in (("prices", "--prices", str(path)),
                     ("compare", *WORKLOAD, "--baseline", "gpt-4o", "--prices", str(path))):
            code, out, err = run(capsys, *argv)
            assert code == 2, (name, err)
            assert out == "" and err.startswith("error: ") and err.count("\n") == 1
            assert f"{name}.yaml" in err and "Traceback" not in err
