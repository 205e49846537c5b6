"""Capacity, latency and cost of serving an open 7-8B model on a rented GPU (first principles).

Units: bytes, seconds, tokens; GPU specs in GB (1e9 B), GB/s and TFLOP/s (dense, no sparsity).

Model (continuous batching, as vLLM/TRT-LLM schedule it), for a model of N parameters on a GPU
with peak compute F and bandwidth H, efficiencies eta_f, eta_h:

- weights ``W = N * bytes_per_weight``; KV bytes per token ``kv = 2 * layers * kv_heads * head_dim * kv_bytes``
  (Mistral-7B bf16: 2*32*8*128*2 = 131,072 B = 128 KiB).
- KV capacity ``T_kv = (mem * mem_fraction - W - reserve) / kv`` tokens; concurrency
  ``b_max = min(floor(T_kv / (n_in + n_out)), max_batch)``.
- prefill of n tokens ``t_pf(n) = max(FLOP_pf(n) / (F eta_f), W / (H eta_h))`` with
  ``FLOP_pf(n) = 2 N n + 2 layers hidden n^2`` (linear layers + causal attention).
- decode step at batch b and mean context c:
  ``t_step = max((W + b c kv) / (H eta_h), b (2 N + 4 layers hidden c) / (F eta_f)) + overhead``.
- steady state: every step also carries the prefills of the requests that replace finished ones,
  so the inter-token latency is ``ITL = t_step + (b / n_out) * FLOP_pf(n_in) / (F eta_f)`` and a replica
  completes ``b / (n_out * ITL)`` requests per second. ``TTFT = t_pf(n_in) + ITL``;
  ``e2e = TTFT + (n_out - 1) * ITL``.
- the largest b that meets the ITL and TTFT targets and fits memory sets a replica's throughput;
  peak traffic ``requests_per_day / 86400 * peak_to_mean`` sets the replicas.

The efficiencies are calibrated on published serving benchmarks (``pricing/data/benchmarks.yaml``),
and the calibration is a test (tests/test_selfhost.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalog import Gpu, OpenModel
from .errors import AdvisorError

__all__ = [
    "PRECISION_BYTES",
    "HOURS_PER_MONTH",
    "ServingEfficiency",
    "DEFAULT_EFFICIENCY",
    "Capacity",
    "weights_bytes",
    "kv_bytes_per_token",
    "kv_token_capacity",
    "prefill_flops",
    "prefill_time_s",
    "decode_step_s",
    "capacity",
    "capacity_curve",
    "replicas_for_peak",
    "gpu_hours_per_month",
]

# bytes per weight; KV cache is kept in fp8 with fp8 weights, else in 16-bit
PRECISION_BYTES: dict[str, float] = {
    "bf16": 2.0,  # native
    "fp16": 2.0,
    "fp8": 1.0,   # W8A8 on Ada/Hopper tensor cores
    "int8": 1.0,  # weight-only (W8A16): compute stays 16-bit
    "int4": 0.5,  # weight-only (AWQ/GPTQ W4A16)
}
HOURS_PER_MONTH = 730.0  # 24 * 365 / 12


@dataclass(frozen=True)
class ServingEfficiency:
    """Fractions of peak a serving engine reaches, and its fixed costs.

    Calibrated values: see DEFAULT_EFFICIENCY and tests/test_selfhost.py::TestCalibration.
    """

    # Grid search minimising the worst |log(pred / published)| over the `calibrate` rows of
    # data/benchmarks.yaml (worst 1.23x); hbm tie-broken towards vidur's profiled 0.75-0.77 for GEMMs.
    flops: float = 0.60          # eta_f: achieved / peak dense tensor FLOP/s
    hbm: float = 0.85            # eta_h: achieved / peak memory bandwidth
    step_overhead_s: float = 0.004  # scheduler, sampling, kernel launches per decode step
    mem_fraction: float = 0.90   # vLLM gpu_memory_utilization default
    reserve_gb: float = 1.5      # activations, CUDA graphs and context outside the KV pool
    max_batch: int = 256         # engine's max concurrent sequences (vLLM max_num_seqs default)

    def __post_init__(self) -> None:
        for name in ("flops", "hbm", "mem_fraction"):
            v = getattr(self, name)
            if not 0 < v <= 1:
                raise AdvisorError(f"efficiency {name}={v} must be in (0, 1]")
        if self.step_overhead_s < 0 or self.reserve_gb < 0 or self.max_batch < 1:
            raise AdvisorError("step_overhead_s and reserve_gb must be >= 0 and max_batch >= 1")


DEFAULT_EFFICIENCY = ServingEfficiency()


@dataclass(frozen=True)
class Capacity:
    """One replica serving one workload shape at concurrency ``concurrency``."""

    concurrency: int
    max_concurrency: int
    requests_per_s: float
    output_tokens_per_s: float
    ttft_s: float
    itl_s: float
    e2e_s: float
    kv_capacity_tokens: float
    weights_gb: float


def _peak_flops(gpu: Gpu, precision: str) -> float:
    if precision == "fp8":
        if gpu.fp8_tflops is None:
            raise AdvisorError(f"GPU {gpu.id} has no FP8 tensor cores; use --precision bf16, int8 or int4")
        return gpu.fp8_tflops * 1e12
    return gpu.bf16_tflops * 1e12


def _check_precision(precision: str) -> None:
    if precision not in PRECISION_BYTES:
        raise AdvisorError(f"unknown precision {precision!r}; use one of {', '.join(PRECISION_BYTES)}")


def weights_bytes(model: OpenModel, precision: str = "bf16") -> float:
    """``W = params * bytes_per_weight`` (Mistral-7B bf16: 7.242e9 * 2 = 14.484e9 B)."""
    _check_precision(precision)
    return model.params * PRECISION_BYTES[precision]


def kv_bytes_per_token(model: OpenModel, precision: str = "bf16") -> float:
    """``2 (K and V) * layers * kv_heads * head_dim * kv_bytes``; kv_bytes = 1 with fp8, else 2."""
    _check_precision(precision)
    kv_bytes = 1.0 if precision == "fp8" else 2.0
    return 2.0 * model.layers * model.kv_heads * model.head_dim * kv_bytes


def kv_token_capacity(model: OpenModel, gpu: Gpu, precision: str = "bf16",
                      eff: ServingEfficiency = DEFAULT_EFFICIENCY) -> float:
    """``(mem * mem_fraction - W - reserve) / kv`` tokens; raises when the weights do not fit."""
    free = gpu.memory_gb * 1e9 * eff.mem_fraction - weights_bytes(model, precision) - eff.reserve_gb * 1e9
    if free <= 0:
        raise AdvisorError(
            f"{model.id} in {precision} ({weights_bytes(model, precision) / 1e9:.1f} GB of weights) does not fit in "
            f"{gpu.id} ({gpu.memory_gb:g} GB); choose a larger GPU or --precision int8/int4")
    return free / kv_bytes_per_token(model, precision)


def prefill_flops(model: OpenModel, n_tokens):
    """``2 N n + 2 layers hidden n^2``: linear layers plus causal attention (QK^T and AV, half masked)."""
    n = np.asarray(n_tokens, dtype=float)
    return 2.0 * model.params * n + 2.0 * model.layers * model.hidden * n * n


def prefill_time_s(model: OpenModel, gpu: Gpu, n_tokens, precision: str = "bf16",
                   eff: ServingEfficiency = DEFAULT_EFFICIENCY):
    """``max(FLOP_pf(n) / (F eta_f), W / (H eta_h))``: one prompt alone on the GPU."""
    compute = prefill_flops(model, n_tokens) / (_peak_flops(gpu, precision) * eff.flops)
    memory = weights_bytes(model, precision) / (gpu.hbm_gb_per_s * 1e9 * eff.hbm)
    return np.maximum(compute, memory)


def decode_step_s(model: OpenModel, gpu: Gpu, batch, context_tokens, precision: str = "bf16",
                  eff: ServingEfficiency = DEFAULT_EFFICIENCY):
    """``max((W + b c kv) / (H eta_h), b (2N + 4 layers hidden c) / (F eta_f)) + overhead``."""
    b = np.asarray(batch, dtype=float)
    c = np.asarray(context_tokens, dtype=float)
    memory = (weights_bytes(model, precision) + b * c * kv_bytes_per_token(model, precision)) / (gpu.hbm_gb_per_s * 1e9 * eff.hbm)
    compute = b * (2.0 * model.params + 4.0 * model.layers * model.hidden * c) / (_peak_flops(gpu, precision) * eff.flops)
    return np.maximum(memory, compute) + eff.step_overhead_s


def capacity_curve(model: OpenModel, gpu: Gpu, input_tokens: float, output_tokens: float, precision: str = "bf16",
                   eff: ServingEfficiency = DEFAULT_EFFICIENCY) -> dict[str, np.ndarray]:
    """Throughput and latency at every concurrency 1..b_max (arrays indexed by b - 1)."""
    if input_tokens < 0 or output_tokens < 1:
        raise AdvisorError("input tokens must be >= 0 and output tokens >= 1")
    per_seq = input_tokens + output_tokens
    if per_seq > model.context_tokens:
        raise AdvisorError(f"{input_tokens:g} + {output_tokens:g} tokens exceed {model.id}'s context of "
                           f"{model.context_tokens} tokens")
    kv_cap = kv_token_capacity(model, gpu, precision, eff)
    b_max = int(min(kv_cap // per_seq, eff.max_batch))
    if b_max < 1:
        raise AdvisorError(f"one {per_seq:g}-token sequence does not fit {gpu.id}'s KV cache ({kv_cap:.0f} tokens) "
                           f"next to {model.id}; choose a larger GPU or a smaller precision")
    b = np.arange(1, b_max + 1, dtype=float)
    ctx = input_tokens + output_tokens / 2.0
    step = decode_step_s(model, gpu, b, ctx, precision, eff)
    pf_compute = float(prefill_flops(model, input_tokens)) / (_peak_flops(gpu, precision) * eff.flops)
    itl = step + b / output_tokens * pf_compute
    rps = b / (output_tokens * itl)
    ttft = float(prefill_time_s(model, gpu, input_tokens, precision, eff)) + itl
    e2e = ttft + (output_tokens - 1) * itl
    return {"batch": b, "itl_s": itl, "ttft_s": ttft, "e2e_s": e2e, "requests_per_s": rps,
            "output_tokens_per_s": rps * output_tokens, "kv_capacity_tokens": np.full_like(b, kv_cap)}


def capacity(model: OpenModel, gpu: Gpu, input_tokens: float, output_tokens: float, *, precision: str = "bf16",
             concurrency: int | None = None, itl_target_s: float | None = None, ttft_target_s: float | None = None,
             eff: ServingEfficiency = DEFAULT_EFFICIENCY) -> Capacity:
    """One replica's operating point.

    ``concurrency`` fixes b (capped at what memory allows); otherwise b is the largest that meets
    ``itl_target_s`` and ``ttft_target_s`` (no targets = maximum throughput). If even b=1 misses a
    target, b=1 is returned and the caller compares its latencies with the targets.
    """
    curve = capacity_curve(model, gpu, input_tokens, output_tokens, precision, eff)
    b_max = len(curve["batch"])
    if concurrency is not None:
        if concurrency < 1:
            raise AdvisorError("concurrency must be >= 1")
        i = min(concurrency, b_max) - 1
    else:
        ok = np.ones(b_max, dtype=bool)
        if itl_target_s is not None:
            ok &= curve["itl_s"] <= itl_target_s
        if ttft_target_s is not None:
            ok &= curve["ttft_s"] <= ttft_target_s
        idx = np.flatnonzero(ok)
        i = int(idx[-1]) if idx.size else 0
    return Capacity(concurrency=i + 1, max_concurrency=b_max,
                    requests_per_s=float(curve["requests_per_s"][i]),
                    output_tokens_per_s=float(curve["output_tokens_per_s"][i]),
                    ttft_s=float(curve["ttft_s"][i]), itl_s=float(curve["itl_s"][i]), e2e_s=float(curve["e2e_s"][i]),
                    kv_capacity_tokens=float(curve["kv_capacity_tokens"][i]),
                    weights_gb=weights_bytes(model, precision) / 1e9)


def replicas_for_peak(requests_per_day, peak_to_mean, requests_per_s_per_replica):
    """``ceil(requests_per_day / 86400 * peak_to_mean / capacity)``, at least 1 (vectorised)."""
    cap = np.asarray(requests_per_s_per_replica, dtype=float)
    if np.any(cap <= 0):
        raise AdvisorError("replica capacity must be > 0 requests/s")
    peak = np.asarray(requests_per_day, dtype=float) / 86400.0 * np.asarray(peak_to_mean, dtype=float)
    return np.maximum(1, np.ceil(peak / cap - 1e-9)).astype(int)


def gpu_hours_per_month(requests_per_day, peak_to_mean, requests_per_s_per_replica, *,
                        scale_to_zero: bool = False, idle_timeout_s: float = 300.0, service_s: float = 1.0):
    """GPU-hours billed per month (vectorised over ``requests_per_day``).

    Always-on: ``replicas_for_peak * 730``.
    Scale-to-zero (autoscaling, per-second billing): replicas follow the load, and a replica stays
    up ``idle_timeout_s`` after its last request, so with mean rate lambda (1/s)
    ``hours = 730 * max(lambda / capacity, 1 - exp(-lambda (idle_timeout_s + service_s)))``:
    load-proportional at volume, the keep-warm floor when traffic is sparse. Never more than
    always-on.
    """
    rpd = np.asarray(requests_per_day, dtype=float)
    always = replicas_for_peak(rpd, peak_to_mean, requests_per_s_per_replica) * HOURS_PER_MONTH
    if not scale_to_zero:
        return always.astype(float)
    lam = rpd / 86400.0
    busy = np.maximum(lam / np.asarray(requests_per_s_per_replica, dtype=float),
                      1.0 - np.exp(-lam * (idle_timeout_s + service_s)))
    return np.minimum(busy * HOURS_PER_MONTH, always).astype(float)

