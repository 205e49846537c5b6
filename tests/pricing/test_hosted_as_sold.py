"""Fine-tuning as it is sold, by date (issue 19): per-token LoRA that ended, dedicated deployments per GPU-hour,
OpenAI fine-tunes closed to new training, GPU prices before 2025 beyond AWS, and the schema of the new kinds.

Every expected figure below is read off the catalog's sources (named in each test) by hand."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from pricing import CatalogError, load_catalog
from pricing.deployment import AdapterLoad, combine_loads, deployments_needed, volume_share
from pricing.errors import AdvisorError

TODAY = "2026-12-06"


class TestPerTokenLoraByDate:
    def test_fireworks_per_token_lora_ended(self):
        # tensorzero issue #5220 (2025-12-16): Fireworks removed serverless LoRA; the catalog ends it that day
        assert "fireworks/mistral-7b-lora" in load_catalog("2025-12-15").hosted
        assert not [h for h in load_catalog("2025-12-16").hosted if h.startswith("fireworks/")]
        assert not [h for h in load_catalog(TODAY).hosted if h.startswith("fireworks/")]

    def test_2024_prices_still_listed_for_2024(self):
        # fireworks.ai/pricing (2024): 0.20 per 1M tokens up to 16B, LoRA at the base rate, training 0.50
        p = load_catalog("2024-06-01").hosted_endpoint("fireworks/mistral-7b-lora").price
        assert (p.input_usd_per_mtok, p.output_usd_per_mtok, p.training_usd_per_mtok) == (0.20, 0.20, 0.50)

    def test_end_known_only_from_its_first_dated_source(self):
        # before 2025-12-16 nobody had recorded the end: no shutdown shown
        assert load_catalog("2025-12-15").hosted_endpoint("fireworks/mistral-7b-lora").shutdown is None

    def test_openpipe_mistral_no_longer_served(self):
        assert "openpipe/mistral-7b" in load_catalog("2025-11-16").hosted
        assert "openpipe/mistral-7b" not in load_catalog(TODAY).hosted

    def test_together_serverless_lora(self):
        # www.together.ai/pricing (2026-02-13 copy): Llama 3.1 8B 0.18 / 0.18, LoRA SFT up to 16B 0.48
        p = load_catalog(TODAY).hosted_endpoint("together/llama-3.1-8b-lora").price
        assert (p.input_usd_per_mtok, p.output_usd_per_mtok, p.training_usd_per_mtok) == (0.18, 0.18, 0.48)


class TestOpenAITrainingClosed:
    @pytest.mark.parametrize("day, training, trainable, closes", [
        # OpenAI deprecations page, 'Update to OpenAI's self-serve fine-tuning' (notified 2026-05-07)
        ("2026-05-06", "open", True, None),
        ("2026-05-07", "existing_customers", False, dt.date(2027, 1, 6)),
        (TODAY, "existing_customers", False, dt.date(2027, 1, 6)),
        ("2027-01-06", "closed", False, dt.date(2027, 1, 6)),
    ])
    def test_by_date(self, day, training, trainable, closes):
        h = load_catalog(day).hosted_endpoint("openai-ft/gpt-4o-mini-2024-07-18")
        assert (h.training, h.trainable, h.training_closes) == (training, trainable, closes)

    def test_still_priced_for_those_who_have_one(self):
        # inference follows the base: 0.30 / 1.20 until 2027-01-14 (platform.openai.com/docs/pricing)
        p = load_catalog(TODAY).hosted_endpoint("openai-ft/gpt-4o-mini-2024-07-18").price
        assert (p.input_usd_per_mtok, p.output_usd_per_mtok) == (0.30, 1.20)

    def test_every_openai_fine_tune_today_is_closed_to_new_training(self):
        cat = load_catalog(TODAY)
        assert [h.id for h in cat.hosted.values() if h.provider == "openai" and h.trainable] == []
        assert cat.hosted_endpoint("together/llama-3.1-8b-lora").trainable  # no training_access: open


class TestDedicatedDeployments:
    def test_today(self):
        # Fireworks H100 8.00 (first seen 2026-09-22); Together H100 3.99 (docs.together.ai, first dated 2026-09-22)
        cat = load_catalog(TODAY)
        assert cat.deployment("fireworks-h100").price.usd_per_gpu_hour == 8.00
        assert cat.deployment("together-h100").price.usd_per_gpu_hour == 3.99
        assert cat.deployment("fireworks-h100").adapters_per_deployment == 100  # Fireworks FAQ: up to 100 addons
        assert cat.deployment("together-h100").adapters_per_deployment == 1

    @pytest.mark.parametrize("day, usd", [
        ("2024-06-01", None),   # no dated H100 price before 2026-02-13
        ("2026-02-13", 4.00), ("2026-05-01", 5.00), ("2026-08-01", 7.00), ("2026-09-22", 8.00),
    ])
    def test_fireworks_h100_history(self, day, usd):
        deps = load_catalog(day).deployments
        assert (deps["fireworks-h100"].price.usd_per_gpu_hour if "fireworks-h100" in deps else None) == usd

    def test_fireworks_a100_in_2024(self):
        # fireworks.ai/pricing (2024 copy): '$3.89 per hour for one NVIDIA A100 80 GB GPU', billed per GPU-second
        d = load_catalog("2024-06-01").deployment("fireworks-a100")
        assert (d.price.usd_per_gpu_hour, d.billing, d.scale_to_zero) == (3.89, "per_second", True)

    def test_every_deployment_names_known_gpu_and_models(self):
        cat = load_catalog(TODAY)
        for d in cat.deployments.values():
            assert d.gpu in cat.gpus and all(m in cat.open_models for m in d.base_models)


class TestGpusBefore2025:
    def test_march_2024_has_a_non_aws_price(self):
        # Lambda 8x A100 80GB SXM $12.00/h (stored copy, 2023-05-20) = 1.50 per GPU, against AWS p4de 5.121
        gpu = load_catalog("2024-03-28").gpu("a100-80gb")
        assert gpu.prices["lambda"].usd_per_hour == 1.50 and gpu.cheapest().provider == "lambda"
        assert gpu.prices["aws"].usd_per_hour / load_catalog(TODAY).gpu("a100-80gb").prices["lambda"].usd_per_hour \
            == pytest.approx(2.86, abs=0.01)  # AWS 5.121 / Lambda's later 1.79

    def test_mid_2024(self):
        # ddbit/llamaboxweb 2024-05-26 (Lambda) and 2024-05-28 (RunPod) copies
        cat = load_catalog("2024-06-01")
        assert cat.gpu("a100-80gb").prices["lambda"].usd_per_hour == 1.79
        assert cat.gpu("a100-80gb").prices["runpod"].usd_per_hour == 1.69
        assert cat.gpu("h100-pcie").prices["lambda"].usd_per_hour == 2.49


def _write(tmp_path, text: str):
    path = tmp_path / "mine.yaml"
    path.write_text(textwrap.dedent(text))
    return path


_DEPLOYMENT = """\
    deployments:
      - id: mine
        provider: acme
        gpu: {gpu}
        base_models: [mistral-7b]
        billing: per_second
        scale_to_zero: false
        min_replicas: 1
        cold_start_s: 0
        adapters_per_deployment: {adapters}
        {extra}
        source: "our contract"
        prices:
          - {{effective: 2026-01-01, usd_per_gpu_hour: 2.5, training_usd_per_mtok: 0.5, source: "our contract, 2026"}}
    """


class TestSchema:
    def test_an_override_adds_a_deployment(self, tmp_path):
        cat = load_catalog(TODAY, overrides=[_write(tmp_path, _DEPLOYMENT.format(gpu="h100-sxm", adapters=4, extra=""))])
        assert cat.deployment("mine").price.usd_per_gpu_hour == 2.5 and cat.deployment("mine").multi_lora

    def test_unknown_gpu_is_named(self, tmp_path):
        with pytest.raises(CatalogError, match="deployments\\[mine\\].*h900"):
            load_catalog(TODAY, overrides=[_write(tmp_path, _DEPLOYMENT.format(gpu="h900", adapters=1, extra=""))])

    def test_multi_lora_factor_needs_adapters(self, tmp_path):
        text = _DEPLOYMENT.format(gpu="h100-sxm", adapters=1, extra="multi_lora_ttft_factor: 1.2")
        with pytest.raises(CatalogError, match="multi_lora_ttft_factor"):
            load_catalog(TODAY, overrides=[_write(tmp_path, text)])

    def test_training_steps_in_order(self, tmp_path):
        text = """\
            hosted:
              - id: openai-ft/gpt-4o-mini-2024-07-18
                training_access:
                  - {access: closed, effective: 2027-01-06, source: "x"}
                  - {access: existing_customers, effective: 2026-05-07, source: "x"}
            """
        with pytest.raises(CatalogError, match="training_access"):
            load_catalog(TODAY, overrides=[_write(tmp_path, text)])


class TestSharing:
    def test_combined_load_hand_computed(self):
        # 1,000/day of 1,200/300 at k=2 with 3,000/day of 400/100 at k=3: V=4,000, prompt 600, completion 150,
        # k = (2,000 + 9,000) / 4,000 = 2.75
        c = combine_loads([AdapterLoad(1000, 1200, 300, 2), AdapterLoad(3000, 400, 100, 3)])
        assert (c.requests_per_day, c.prompt_tokens, c.completion_tokens, c.peak_to_mean) == (4000, 600, 150, 2.75)

    def test_adapters_beyond_one_deployment(self):
        assert [deployments_needed(n, 100) for n in (1, 100, 101, 250)] == [1, 1, 2, 3]

    def test_shares_add_up(self):
        own = [100.0, 300.0, 600.0]
        assert sum(float(volume_share(v, sum(own) - v)) for v in own) == pytest.approx(1.0)

    def test_bad_load(self):
        with pytest.raises(AdvisorError, match="peak_to_mean"):
            AdapterLoad(100, 10, 10, 0.5)
