import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor import Scenario, Workload, compare
from pricing import AdvisorError, api_request_cost_usd, hosted_request_cost_usd, load_catalog
from pricing.training import (
    TrainingRun,
    hosted_training_cost_usd,
    selfrun_training_gpu_hours,
    training_cost_per_year_usd,
    training_tokens,
)


class TestApiCost:
    def test_hand_computed(self, cat):
        # gpt-4-0613 30/60: (1000*30 + 500*60)/1e6 = 0.06
        assert api_request_cost_usd(1000, 500, cat.api_model("gpt-4-0613").price) == pytest.approx(0.06)

    def test_cached_tokens_billed_once(self, cat):
        # gpt-4o 2.50 / 1.25 cached / 10: P=1000 incl. K=800 cached, C=100
        # (200*2.5 + 800*1.25 + 100*10)/1e6 = (500 + 1000 + 1000)/1e6 = 0.0025
        assert api_request_cost_usd(1000, 100, cat.api_model("gpt-4o").price, cached_tokens=800) == pytest.approx(0.0025)

    def test_cached_without_discount_bills_input_rate(self, cat):
        p = cat.api_model("gpt-4-0613").price
        assert api_request_cost_usd(1000, 0, p, cached_tokens=800) == pytest.approx(api_request_cost_usd(1000, 0, p))

    def test_batch_halves(self, cat):
        p = cat.api_model("gpt-4o").price
        assert api_request_cost_usd(1000, 100, p, batch=True) == pytest.approx(api_request_cost_usd(1000, 100, p) / 2)

    def test_batch_before_launch_is_an_error(self, cat_2024):
        with pytest.raises(AdvisorError, match="Batch API was not available"):
            api_request_cost_usd(10, 10, cat_2024.api_model("gpt-4-0613").price, batch=True)

    def test_vectorised(self, cat):
        out = api_request_cost_usd(np.array([1000, 2000]), np.array([500, 0]), cat.api_model("gpt-4-0613").price)
        np.testing.assert_allclose(out, [0.06, 0.06])

    def test_cached_above_prompt_rejected(self, cat):
        with pytest.raises(AdvisorError, match="include cached_tokens"):
            api_request_cost_usd(10, 1, cat.api_model("gpt-4o").price, cached_tokens=11)

    @given(p=st.integers(0, 100_000), c=st.integers(0, 10_000), dp=st.integers(0, 1000), dc=st.integers(0, 1000))
    def test_monotone_in_tokens(self, cat, p, c, dp, dc):
        price = cat.api_model("gpt-4o").price
        assert api_request_cost_usd(p + dp, c + dc, price) >= api_request_cost_usd(p, c, price)


class TestHostedCost:
    def test_hand_computed(self, cat):
        # OpenPipe 1.20/1.60: (1200*1.2 + 1000*1.6)/1e6 = 0.00304
        price = load_catalog("2024-06-01").hosted_endpoint("openpipe/mistral-7b").price  # OpenPipe's 2024 price
        assert hosted_request_cost_usd(1200, 1000, price) == pytest.approx(0.00304)


class TestMarch2024Claim:
    """The seed's claim (March 2024): OpenPipe's fine-tuned 7B is ~14x cheaper than GPT-4-Turbo and
    ~32x than GPT-4-0613. With 1.2 input tokens per output token: (1.2*10+30)/(1.2*1.2+1.6) = 42/3.04
    = 13.8x and (1.2*30+60)/3.04 = 96/3.04 = 31.6x (shared/facts/prices.md)."""

    @pytest.mark.parametrize("baseline, expected", [("gpt-4-0125-preview", 42 / 3.04), ("gpt-4-0613", 96 / 3.04)])
    def test_ratio(self, baseline, expected):
        w = Workload.typed(1000, prompt_tokens=1200, completion_tokens=1000, ft_token_ratio=1.0)
        df = compare(Scenario(w, baseline=baseline, options=("openpipe/mistral-7b",), as_of="2024-03-28"))
        ratio = df.set_index("name").loc["openpipe/mistral-7b", "savings_ratio"]
        assert ratio == pytest.approx(expected)
        assert round(ratio) == {"gpt-4-0125-preview": 14, "gpt-4-0613": 32}[baseline]


class TestTraining:
    def test_tokens(self):
        assert training_tokens(TrainingRun(1000, 800, epochs=3)) == 2_400_000

    def test_hosted_cost(self, cat):
        # 2.4M tokens at 4.00 USD/1M = 9.60, plus 100 labelling
        run = TrainingRun(1000, 800, epochs=3, labelling_usd=100)
        price = load_catalog("2024-06-01").hosted_endpoint("openpipe/mistral-7b").price  # OpenPipe's 2024 price
        assert hosted_training_cost_usd(run, price) == pytest.approx(109.6)

    def test_missing_training_price(self):
        from types import SimpleNamespace
        with pytest.raises(AdvisorError, match="training_usd_per_mtok"):
            hosted_training_cost_usd(TrainingRun(10, 10), SimpleNamespace(training_usd_per_mtok=None))

    def test_selfrun_hours_reproduce_nemo(self, cat):
        # NeMo 24.07: Llama-2-7B LoRA, 8x H100 FP8, 25,206 tok/s/GPU -> "0.8 min per 10M tokens".
        # 10M tokens * 4 * 6.738e9 / (1979e12 * 0.34) / 3600 = 0.02779 GPU-h = 1.667 GPU-min -> /8 GPUs = 0.21 min wall,
        # NeMo's 0.8 min counts the whole 8-GPU job at 25,206 tok/s/GPU: 10e6/(8*25206)/60 = 0.83 min.
        run = TrainingRun(examples=10_000, tokens_per_example=1000, epochs=1)
        hours = selfrun_training_gpu_hours(run, cat.open_model("llama-2-7b"), cat.gpu("h100-sxm"), precision="fp8")
        assert hours == pytest.approx(10e6 * 4 * 6.738e9 / (1979e12 * 0.34) / 3600)
        nemo_gpu_hours = 10e6 / 25206 / 3600  # one GPU at NeMo's rate
        assert hours == pytest.approx(nemo_gpu_hours, rel=0.05)

    def test_per_year(self):
        assert training_cost_per_year_usd(50.0, 4) == 200.0
