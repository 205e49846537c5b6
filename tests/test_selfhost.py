import dataclasses
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings, strategies as st

from pricing import AdvisorError, ServingEfficiency, capacity, capacity_curve, gpu_hours_per_month, replicas_for_peak
from pricing.selfhost import (
    HOURS_PER_MONTH, decode_step_s, kv_bytes_per_token, kv_token_capacity, prefill_flops, prefill_time_s, weights_bytes,
)

BENCH = yaml.safe_load((Path(__file__).parents[1] / "pricing/data/benchmarks.yaml").read_text())["benchmarks"]


class TestMemory:
    def test_kv_per_token_mistral(self, cat):
        # 2 * 32 layers * 8 kv heads * 128 head_dim * 2 B = 131,072 B = 128 KiB (shared/facts/selfhost.md s.5)
        assert kv_bytes_per_token(cat.open_model("mistral-7b")) == 131_072

    def test_kv_per_token_llama2_is_4x(self, cat):
        # MHA: 32 KV heads -> 512 KiB
        assert kv_bytes_per_token(cat.open_model("llama-2-7b")) == 524_288

    def test_kv_fp8_halves(self, cat):
        assert kv_bytes_per_token(cat.open_model("mistral-7b"), "fp8") == 65_536

    def test_weights(self, cat):
        assert weights_bytes(cat.open_model("mistral-7b")) == pytest.approx(14.484e9)
        assert weights_bytes(cat.open_model("mistral-7b"), "int4") == pytest.approx(3.621e9)

    def test_kv_capacity_hand_computed(self, cat):
        # A100-80: (80e9*0.9 - 14.484e9 - 1.5e9) / 131072 = 56.016e9 / 131072 = 427,368.16 tokens
        cap = kv_token_capacity(cat.open_model("mistral-7b"), cat.gpu("a100-80gb"))
        assert cap == pytest.approx((72e9 - 14.484e9 - 1.5e9) / 131072)

    def test_does_not_fit(self, cat):
        small = dataclasses.replace(cat.gpu("l4"), memory_gb=16)
        with pytest.raises(AdvisorError, match="does not fit .* int8/int4"):
            kv_token_capacity(cat.open_model("mistral-7b"), small)

    def test_fp8_needs_fp8_gpu(self, cat):
        with pytest.raises(AdvisorError, match="no FP8"):
            capacity(cat.open_model("mistral-7b"), cat.gpu("a100-80gb"), 100, 100, precision="fp8")


class TestTiming:
    def test_prefill_memory_bound_for_short_prompt(self, cat):
        # 1 token: compute 2*7.242e9/(312e12*0.6) = 77 us < weights 14.484e9/(2039e9*0.85) = 8.357 ms
        t = prefill_time_s(cat.open_model("mistral-7b"), cat.gpu("a100-80gb"), 1)
        assert t == pytest.approx(14.484e9 / (2039e9 * 0.85))

    def test_prefill_compute_bound_for_long_prompt(self, cat):
        m = cat.open_model("mistral-7b")
        # 2000 tokens: (2*7.242e9*2000 + 2*32*4096*2000^2) / (312e12*0.6)
        expected = (2 * 7.242e9 * 2000 + 2 * 32 * 4096 * 2000**2) / (312e12 * 0.6)
        assert prefill_flops(m, 2000) == pytest.approx(2 * 7.242e9 * 2000 + 2 * 32 * 4096 * 2000**2)
        assert prefill_time_s(m, cat.gpu("a100-80gb"), 2000) == pytest.approx(expected)

    def test_decode_step_batch1(self, cat):
        # b=1, c=1000: (14.484e9 + 1000*131072) / (2039e9*0.85) + 0.004
        expected = (14.484e9 + 1000 * 131072) / (2039e9 * 0.85) + 0.004
        assert decode_step_s(cat.open_model("mistral-7b"), cat.gpu("a100-80gb"), 1, 1000) == pytest.approx(expected)

    def test_steady_state_hand_computed(self, cat):
        # Mistral-7B on A100-80 bf16, 500 in / 200 out, b = 4, mean context c = 500 + 100 = 600:
        # step = (14.484e9 + 4*600*131072) / (2039e9*0.85) + 0.004
        # prefill compute per request = (2*7.242e9*500 + 2*32*4096*500^2) / (312e12*0.6)
        # ITL = step + (4/200) * prefill;  req/s = 4 / (200 * ITL);  TTFT = max(prefill, W/(H eta)) + ITL
        step = (14.484e9 + 4 * 600 * 131072) / (2039e9 * 0.85) + 0.004
        pf = (2 * 7.242e9 * 500 + 2 * 32 * 4096 * 500**2) / (312e12 * 0.6)
        itl = step + 4 / 200 * pf
        cap = capacity(cat.open_model("mistral-7b"), cat.gpu("a100-80gb"), 500, 200, concurrency=4)
        assert cap.itl_s == pytest.approx(itl)
        assert cap.requests_per_s == pytest.approx(4 / (200 * itl))
        assert cap.ttft_s == pytest.approx(max(pf, 14.484e9 / (2039e9 * 0.85)) + itl)
        assert cap.e2e_s == pytest.approx(cap.ttft_s + 199 * itl)

    def test_throughput_grows_with_batch_latency_too(self, cat):
        c = capacity_curve(cat.open_model("mistral-7b"), cat.gpu("a100-80gb"), 500, 200)
        assert np.all(np.diff(c["requests_per_s"]) > 0)
        assert np.all(np.diff(c["itl_s"]) >= 0)

    def test_latency_target_picks_largest_batch_meeting_it(self, cat):
        m, g = cat.open_model("mistral-7b"), cat.gpu("a100-80gb")
        cap = capacity(m, g, 500, 200, itl_target_s=0.03)
        assert cap.itl_s <= 0.03
        nxt = capacity(m, g, 500, 200, concurrency=cap.concurrency + 1)
        assert nxt.itl_s > 0.03


class TestCalibration:
    """The serving model against published benchmarks (pricing/data/benchmarks.yaml): within 1.25x of
    published max throughput, within 2x of low-load latency; holdout rows were not used to fit."""

    @pytest.mark.parametrize("row", BENCH, ids=[b["id"] for b in BENCH])
    def test_benchmark(self, cat, row):
        eff = dataclasses.replace(ServingEfficiency(), max_batch=row["max_batch"])
        m, g = cat.open_model(row["model"]), cat.gpu(row["gpu"])
        if row["kind"] == "max_throughput":
            pred = capacity(m, g, row["input_tokens"], row["output_tokens"], precision=row["precision"], eff=eff)
            ratio = pred.output_tokens_per_s / row["value"]
            assert 1 / 1.25 <= ratio <= 1.25, f"{row['id']}: predicted {pred.output_tokens_per_s:.0f} tok/s"
        else:
            pred = capacity(m, g, row["input_tokens"], row["output_tokens"], precision=row["precision"],
                            concurrency=1, eff=eff)
            ratio = pred.e2e_s / row["value"]
            assert 0.5 <= ratio <= 2.0, f"{row['id']}: predicted {pred.e2e_s:.3f} s"

    def test_has_holdout(self):
        assert any(b["role"] == "holdout" for b in BENCH)


class TestReplicasAndHours:
    def test_replicas(self):
        # 864,000 req/day = 10 req/s mean, peak 2x = 20 req/s, 6 req/s per replica -> ceil(3.33) = 4
        assert replicas_for_peak(864_000, 2.0, 6.0) == 4
        assert replicas_for_peak(1, 2.0, 6.0) == 1

    def test_always_on_hours(self):
        assert gpu_hours_per_month(864_000, 2.0, 6.0) == 4 * HOURS_PER_MONTH

    def test_scale_to_zero_sparse(self):
        # 86.4 req/day = 0.001 req/s; keep-warm 300 s + 1 s: 1 - exp(-0.301) = 0.2599 of 730 h
        h = gpu_hours_per_month(86.4, 2.0, 6.0, scale_to_zero=True, idle_timeout_s=300, service_s=1)
        assert h == pytest.approx((1 - np.exp(-0.001 * 301)) * 730)

    @settings(max_examples=50)
    @given(v=st.floats(0, 1e7), dv=st.floats(0, 1e6))
    def test_hours_monotone_in_volume(self, v, dv):
        for stz in (False, True):
            assert gpu_hours_per_month(v + dv, 2.0, 5.0, scale_to_zero=stz) >= gpu_hours_per_month(v, 2.0, 5.0, scale_to_zero=stz) - 1e-9
