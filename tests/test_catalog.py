import datetime as dt

import pytest

from pricing import CatalogError, UnknownEntryError, load_catalog


class TestResolveByDate:
    def test_gpt4_0613_price(self, cat_2024):
        # openai.com/pricing 2023: GPT-4 8k 0.03/0.06 USD per 1k tokens
        p = cat_2024.api_model("gpt-4-0613").price
        assert (p.input_usd_per_mtok, p.output_usd_per_mtok) == (30.0, 60.0)
        assert p.source and p.effective == dt.date(2023, 6, 13)

    def test_models_not_yet_released_are_absent(self, cat_2024):
        assert "gpt-4o-2024-08-06" not in cat_2024.api_models
        with pytest.raises(UnknownEntryError, match="check --as-of"):
            cat_2024.api_model("gpt-4o")

    def test_price_history_kept(self):
        # gpt-4o: no cached rate before 2024-10-01, 1.25 from then on
        before = load_catalog("2024-09-30").api_model("gpt-4o").price
        after = load_catalog("2024-10-01").api_model("gpt-4o").price
        assert before.cached_input_usd_per_mtok is None
        assert after.cached_input_usd_per_mtok == 1.25

    def test_gpu_price_history(self):
        # Lambda A100 40GB: 1.29 in the skypilot snapshot, 1.48 from May 2026
        assert load_catalog("2026-04-30").gpu("a100-40gb").prices["lambda"].usd_per_hour == 1.29
        assert load_catalog("2026-05-01").gpu("a100-40gb").prices["lambda"].usd_per_hour == 1.48

    def test_batch_discount_from_2024_04_15(self):
        assert load_catalog("2024-04-14").api_model("gpt-4-0613").price.batch_discount == 0.0
        assert load_catalog("2024-04-15").api_model("gpt-4-0613").price.batch_discount == 0.5

    def test_aliases(self, cat):
        assert cat.api_model("gpt-4").id == "gpt-4-0613"
        assert cat.api_model("gpt-4-turbo").id == "gpt-4-turbo-2024-04-09"
        assert cat.hosted_endpoint("openpipe").id == "openpipe/mistral-7b"

    def test_unknown_id_lists_close_ids(self, cat):
        with pytest.raises(UnknownEntryError, match="gpt-4o-2024-08-06|gpt-4o-mini"):
            cat.api_model("gpt-4o-2024")

    def test_every_price_has_source_and_date(self, cat):
        for row in cat.sources():
            assert row["source"].strip() and row["effective"]

    def test_required_entries_present(self, cat):
        for gid in ("l4", "a10g", "l40s", "a100-40gb", "a100-80gb", "h100-sxm", "h100-pcie", "h200"):
            assert gid in cat.gpus
        for mid in ("mistral-7b", "llama-2-7b", "llama-3-8b", "llama-3.1-8b", "qwen2.5-7b"):
            assert mid in cat.open_models

    def test_bad_date(self):
        with pytest.raises(CatalogError, match="YYYY-MM-DD"):
            load_catalog("28/03/2024")


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


class TestValidation:
    @pytest.mark.parametrize("mutation, message", [
        (("memory_gb: 80", "memory_gb: 80\n    colour: red"), r"gpus\[my-gpu\]: unknown field 'colour'"),
        (('    source: "my datasheet"\n', ""), r"gpus\[my-gpu\]: missing field 'source'"),
        (("usd_per_hour: 1.0", "usd_per_hour: -1.0"), r"gpus\[my-gpu\]\.prices\[0\]\.usd_per_hour: -1\.0 is negative"),
        (("effective: 2025-01-01", "effective: soon"), r"effective: 'soon' is not a date"),
        (("        source: \"our contract\"\n", ""), r"prices\[0\]: missing field 'source'"),
    ])
    def test_errors_name_file_entry_field(self, write, mutation, message):
        path = write("mine.yaml", GOOD_GPU.replace(*mutation))
        with pytest.raises(CatalogError, match=message) as exc:
            load_catalog("2025-06-01", overrides=[path])
        assert "mine.yaml" in str(exc.value)

    def test_overlapping_periods(self, write):
        text = GOOD_GPU + """      - provider: mycloud
        usd_per_hour: 2.0
        effective: 2025-06-01
        source: "newer contract"
"""
        with pytest.raises(CatalogError, match="overlap; give the older one 'until: 2025-06-01'"):
            load_catalog("2025-06-01", overrides=[write("mine.yaml", text)])

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


class TestOverrides:
    def test_new_gpu_added(self, write):
        c = load_catalog("2025-06-01", overrides=[write("mine.yaml", GOOD_GPU)])
        assert c.gpu("my-gpu").prices["mycloud"].usd_per_hour == 1.0

    def test_negotiated_api_price_replaces_ours(self, write):
        text = """
api_models:
  - id: gpt-4o-2024-08-06
    provider: openai
    encoding: o200k_base
    context_tokens: 128000
    prices:
      - effective: 2025-01-01
        input_usd_per_mtok: 2.0
        output_usd_per_mtok: 8.0
        source: "our enterprise agreement"
"""
        c = load_catalog("2025-06-01", overrides=[write("deal.yaml", text)])
        p = c.api_model("gpt-4o").price
        assert (p.input_usd_per_mtok, p.output_usd_per_mtok, p.source) == (2.0, 8.0, "our enterprise agreement")

    def test_gpu_provider_price_replaces_only_that_provider(self, write):
        text = """
gpus:
  - id: a100-80gb
    name: NVIDIA A100 80GB SXM
    memory_gb: 80
    hbm_gb_per_s: 2039
    bf16_tflops: 312
    source: "NVIDIA"
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
