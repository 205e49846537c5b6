"""Capacity, latency and cost of serving an open 7-8B model on a rented GPU (first principles).

Units: bytes, seconds, tokens; GPU specs in GB (1e9 B), GB/s and TFLOP/s (dense, no sparsity).

Model (continuous batching, as vLLM, SGLang and TensorRT-LLM schedule it), for a model of N parameters,
L layers, H_q query heads, H_kv KV heads of size d on a GPU with peak compute F (at the precision's tensor
rate) and bandwidth B, efficiencies eta_f, eta_h (times the GPU's sustained share, ``GPU_SUSTAINED``):

- weights ``W = N * bytes_per_weight`` (quantised checkpoints keep embedding and LM head in 16-bit); a forward
  pass streams them in ``t_W`` (:func:`weights_read_s`: all but the input embedding, weight-only int8/int4
  at ``weight_only_kernel`` of the rate); KV bytes per token ``kv = 2 * L * H_kv * d * kv_bytes``
  (Mistral-7B bf16: 2*32*8*128*2 = 131,072 B = 128 KiB). A sliding-window model keeps at most the
  window per sequence.
- KV capacity ``T_kv = (mem * mem_fraction - W - reserve) / kv`` tokens; concurrency
  ``b_max = min(floor(T_kv / min(n_in + n_out, window)), max_batch)``; ``max_batch`` is the engine's limit
  (vLLM V1's ``max_num_seqs`` default by GPU, :func:`default_max_batch`) or the memory bound.
- decode attention reads, per sequence and per context token (capped at the window),
  ``a = 2 * L * d * kv_bytes * (H_kv + gamma * (H_q - H_kv))`` bytes: the K and V heads, plus the
  fraction ``gamma`` of grouped-query re-reads a kernel does not share (0 = perfect GQA reuse,
  1 = one read per query head, as multi-head attention).
- prefill FLOPs ``FLOP_pf(n) = 2 N n + 4 L H_q d P(n)`` with ``P(n)`` the attended (query, key) pairs of a
  causal, possibly windowed, prompt (``n^2/2`` without a window).
- one engine round at concurrency b (each running sequence gets one token; ``b / n_out`` of them are
  prefills, the rest ``b_d = b (n_out - 1) / n_out`` decode, fused in one forward pass):
  ``T(b) = softmax_k(t_W, (2 N b_d + (b / n_out) FLOP_pf(n_in)) / (F eta_f)) + b_d c a / (B eta_h) + t_o + b t_s``
  with mean context ``c = n_in + n_out / 2``, a fixed per-step cost ``t_o`` (scheduling, launches) and a cost
  ``t_s`` per running sequence (sampling, bookkeeping). ``softmax_k`` is a soft roofline
  (:func:`soft_max`): compute and memory traffic overlap imperfectly.
  Throughput ``b / T`` output tokens/s; ``b / (n_out T)`` requests/s; ``ITL = T`` (0 for one-token outputs).
- ``TTFT = wait + prefill step``: the prompt joins the next step, after half a round on average when other
  requests are running (``wait = T (1 - 1/b) / 2``); that step holds the prompt and the b - 1 decodes.
  At b = 1 it is ``softmax_k(FLOP_pf / (F eta_f), t_W) + t_o + t_s``. ``e2e = TTFT + (n_out - 1) ITL``.
- the largest b that meets the ITL and TTFT targets and fits memory sets a replica's throughput;
  peak traffic ``requests_per_day / 86400 * peak_to_mean`` sets the replicas.

The efficiencies are fitted on the ``calibrate`` rows of published serving measurements
(``pricing/data/benchmarks.yaml``, :mod:`pricing.benchmarks`) and checked on the ``holdout`` rows
(tests/pricing/test_selfhost.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from .errors import AdvisorError
from .schema import Gpu, OpenModel

__all__ = [
    "PRECISION_BYTES",
    "HOURS_PER_MONTH",
    "SECONDS_PER_DAY",
    "GPU_SUSTAINED",
    "ServingEfficiency",
    "DEFAULT_EFFICIENCY",
    "Capacity",
    "ENGINES",
    "TRTLLM_STEP_OVERHEAD_S",
    "LEGACY_TRTLLM_ATTENTION_FRACTION",
    "engine_efficiency",
    "default_max_batch",
    "sliding_window_tokens",
    "weights_bytes",
    "weights_read_s",
    "kv_bytes_per_token",
    "attention_bytes_per_context_token",
    "kv_token_capacity",
    "prefill_flops",
    "prefill_time_s",
    "decode_step_s",
    "round_time_s",
    "soft_max",
    "capacity",
    "capacity_curve",
    "operating_index",
    "peak_requests_per_s",
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
SECONDS_PER_DAY = 86_400.0

# Sustained share of the datasheet rates a GPU holds under serving load, relative to the H100/A100 the efficiencies
# are fitted on: gpu id -> (compute, bandwidth); absent = (1, 1). Fitted on the calibrate rows of
# pricing/data/benchmarks.yaml: the L40S is a 350 W board whose clocks sag below the boost its 733/362 TFLOP/s
# datasheet figures assume; the H200's HBM3e reaches a smaller share of its 4.8 TB/s than the H100's HBM3.
# Kept beside DEFAULT_EFFICIENCY (fitted with it), not in gpus.yaml where a --prices file could detach it from the fit.
GPU_SUSTAINED: dict[str, tuple[float, float]] = {
    "l40s": (0.952, 0.952),
    "h200": (1.0, 0.898),
}


def _sustained(gpu: Gpu) -> tuple[float, float]:
    """(compute, bandwidth) sustained share of the GPU's datasheet rates (``GPU_SUSTAINED``; absent = (1, 1))."""
    return GPU_SUSTAINED.get(gpu.id, (1.0, 1.0))

# vLLM V1 EngineArgs.get_batch_defaults (vllm/engine/arg_utils.py, 2025): max_num_seqs is 1024 on GPUs with
# at least 70 GiB whose name does not contain "a100" (H100, H200), else 256.
_VLLM_LARGE_GPU_BYTES = 70 * 2**30
_VLLM_MAX_NUM_SEQS_LARGE = 1024
_VLLM_MAX_NUM_SEQS = 256

MaxBatch = int | Literal["memory"] | None

# Serving engines the model knows; DEFAULT_EFFICIENCY is vLLM's (and SGLang's: same Python-scheduler overhead).
ENGINES = ("vllm", "sglang", "tensorrt-llm")
# TensorRT-LLM's C++ runtime spends less per engine step than vLLM's and SGLang's Python schedulers. Fitted with the
# efficiencies on the calibrate rows of pricing/data/benchmarks.yaml.
TRTLLM_STEP_OVERHEAD_S = 0.00283
# TensorRT-LLM before 0.10 benchmarked static batches with its masked multi-head attention kernel, which works per
# query head; the grouped-query kernel (XQA) was "experimental and not enabled by default" (performance.md,
# v0.8/v0.9). Its decode attention is bound by 4 L H_q d FLOPs per context token at a small fraction of the GPU's
# bf16 tensor rate, as well as by the KV bytes. Fraction fitted with the efficiencies on the calibrate rows.
LEGACY_TRTLLM_ATTENTION_FRACTION = 0.0111
_LEGACY_TRTLLM = (0, 10)


@dataclass(frozen=True)
class ServingEfficiency:
    """Fractions of peak a serving engine reaches, and its fixed costs.

    ``flops``, ``flops_fp8``, ``hbm``, ``gqa_reread`` and ``step_overhead_s`` are fitted together on the
    calibrate rows of pricing/data/benchmarks.yaml (``python -m pricing.benchmarks --fit``, minimising the
    worst then the median |log(model / published)|); see tests/pricing/test_selfhost.py::TestCalibration.
    """

    flops: float = 0.69             # eta_f: achieved / peak dense bf16/fp16 tensor FLOP/s
    flops_fp8: float = 0.518        # eta_f for W8A8 fp8 GEMMs (scaling, fp16 attention): of the fp8 peak
    hbm: float = 0.95               # eta_h: achieved / peak memory bandwidth
    gqa_reread: float = 0.0         # gamma: share of grouped-query KV re-reads not served from cache
    step_overhead_s: float = 0.00432 # t_o: scheduler, sampling, kernel launches per engine step
    seq_overhead_s: float = 1.0e-6    # per running sequence per step: sampling, scheduling, detokenisation
    weight_only_kernel: float = 0.819 # q: int8/int4 weight-only (GPTQ/AWQ) GEMMs stream at q of the bf16 rate
    roofline_sharpness: float = 1.57 # k of the soft roofline (t_c^k + t_m^k)^(1/k): compute and memory overlap
    attention_tflops: float | None = None  # decode-attention math rate for kernels that work per query head
                                           # (no GQA grouping, CUDA cores); None = not a bound
    mem_fraction: float = 0.90      # vLLM gpu_memory_utilization / TensorRT-LLM free-memory fraction default
    reserve_gb: float = 1.5         # activations, CUDA graphs and context outside the KV pool
    max_batch: int | None = None    # engine's max concurrent sequences; None = vLLM V1 default for the GPU

    def __post_init__(self) -> None:
        for name in ("flops", "flops_fp8", "hbm", "mem_fraction", "weight_only_kernel"):
            v = getattr(self, name)
            if not 0 < v <= 1:
                raise AdvisorError(f"efficiency {name}={v} must be in (0, 1]")
        if not 0 <= self.gqa_reread <= 1:
            raise AdvisorError(f"efficiency gqa_reread={self.gqa_reread} must be in [0, 1]")
        if self.roofline_sharpness < 1:
            raise AdvisorError(f"roofline_sharpness={self.roofline_sharpness} must be >= 1 (1 = no overlap)")
        if self.attention_tflops is not None and self.attention_tflops <= 0:
            raise AdvisorError("attention_tflops must be > 0 (or None)")
        if self.seq_overhead_s < 0:
            raise AdvisorError("seq_overhead_s must be >= 0")
        if self.step_overhead_s < 0 or self.reserve_gb < 0 or (self.max_batch is not None and self.max_batch < 1):
            raise AdvisorError("step_overhead_s and reserve_gb must be >= 0 and max_batch >= 1 (or None)")


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
    memory_max_concurrency: int = 0   # sequences the KV cache holds (the memory bound)
    limited_by: str = "memory"        # what sets max_concurrency: "memory" or "engine" (max_batch)


def default_max_batch(gpu: Gpu) -> int:
    """The serving default for concurrent sequences: vLLM V1 ``max_num_seqs``.

    1024 on a GPU with >= 70 GiB that is not an A100, else 256.

    >>> from pricing.catalog import Gpu
    >>> default_max_batch(Gpu("h100-sxm", "H100 SXM", 80, 3350, 989, 1979, "", {}))
    1024
    >>> default_max_batch(Gpu("a100-80gb", "A100 80GB SXM", 80, 2039, 312, None, "", {}))
    256
    """
    large = gpu.memory_gb * 1e9 >= _VLLM_LARGE_GPU_BYTES and "a100" not in f"{gpu.id} {gpu.name}".lower()
    return _VLLM_MAX_NUM_SEQS_LARGE if large else _VLLM_MAX_NUM_SEQS


def sliding_window_tokens(model: OpenModel) -> int | None:
    """The model's attention window from the catalog (``open_models.yaml``; None = full causal attention)."""
    return model.sliding_window_tokens


def soft_max(a, b, k: float):
    """Soft roofline ``(a^k + b^k)^(1/k)``: ``max(a, b)`` as k grows, ``a + b`` at k = 1 (no overlap).

    >>> round(float(soft_max(3.0, 4.0, 2.0)), 6)
    5.0
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    hi = np.maximum(a, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = hi * ((a / hi) ** k + (b / hi) ** k) ** (1.0 / k)
    return np.where(hi > 0, out, 0.0)


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for p in text.split("."):
        if not p.isdigit():
            break
        parts.append(int(p))
    return tuple(parts)


def engine_efficiency(engine: str | None, version: str | None, gpu: Gpu,
                      eff: ServingEfficiency = DEFAULT_EFFICIENCY, *,
                      legacy_fraction: float = LEGACY_TRTLLM_ATTENTION_FRACTION,
                      trtllm_step_overhead_s: float | None = None) -> ServingEfficiency:
    """``eff`` adjusted to a serving engine: vLLM and SGLang (or None) as ``eff``; TensorRT-LLM with its smaller
    step overhead; TensorRT-LLM < 0.10 also with decode attention math capped at ``legacy_fraction`` of the GPU's
    bf16 tensor rate (no grouped-query kernel).

    >>> from pricing.catalog import Gpu
    >>> h100 = Gpu("h100-sxm", "H100 SXM", 80, 3350, 989, 1979, "", {})
    >>> e = engine_efficiency("tensorrt-llm", "0.9.0", h100, legacy_fraction=0.01)
    >>> round(e.attention_tflops, 6), e.step_overhead_s == TRTLLM_STEP_OVERHEAD_S
    (9.89, True)
    >>> engine_efficiency("vllm", "0.6.3", h100) == DEFAULT_EFFICIENCY
    True
    """
    if engine is None:
        return eff
    if engine not in ENGINES:
        raise AdvisorError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine != "tensorrt-llm":
        return eff
    t_o = TRTLLM_STEP_OVERHEAD_S if trtllm_step_overhead_s is None else trtllm_step_overhead_s
    eff = replace(eff, step_overhead_s=t_o)
    v = _version(version or "")
    if v and v < _LEGACY_TRTLLM:
        eff = replace(eff, attention_tflops=legacy_fraction * gpu.bf16_tflops)
    return eff


def _peak_flops(gpu: Gpu, precision: str, eff: ServingEfficiency) -> float:
    """Achieved FLOP/s: fp8 tensor peak * flops_fp8 for fp8, else bf16 peak * flops (weight-only int8/int4
    dequantise to 16-bit)."""
    if precision == "fp8":
        if gpu.fp8_tflops is None:
            raise AdvisorError(f"GPU {gpu.id} has no FP8 tensor cores; use --precision bf16, int8 or int4")
        return gpu.fp8_tflops * 1e12 * eff.flops_fp8 * _sustained(gpu)[0]
    return gpu.bf16_tflops * 1e12 * eff.flops * _sustained(gpu)[0]


def _bandwidth(gpu: Gpu, eff: ServingEfficiency) -> float:
    return gpu.hbm_gb_per_s * 1e9 * eff.hbm * _sustained(gpu)[1]


def _check_precision(precision: str) -> None:
    if precision not in PRECISION_BYTES:
        raise AdvisorError(f"unknown precision {precision!r}; use one of {', '.join(PRECISION_BYTES)}")


def _kv_bytes(precision: str) -> float:
    return 1.0 if precision == "fp8" else 2.0


def _embedding_params(model: OpenModel) -> float:
    """``vocab * hidden``: one of the two (untied) vocabulary matrices, the input embedding or the LM head."""
    return float(model.vocab) * model.hidden


def weights_bytes(model: OpenModel, precision: str = "bf16") -> float:
    """Weights held in memory: ``(N - 2 V h) * bytes_per_weight + 2 V h * 2``.

    Quantised checkpoints (fp8, GPTQ/AWQ int8/int4) keep the input embedding and the LM head (V x h each,
    untied) in 16-bit. Mistral-7B bf16: 7.242e9 * 2 = 14.484e9 B; int4:
    (7.242e9 - 2*32000*4096) * 0.5 + 2*32000*4096*2 = 4.014216e9 B.

    >>> from pricing.catalog import OpenModel
    >>> m = OpenModel("m", (), 7.242, 32, 4096, 32, 8, 128, 14336, 32000, 8192, "t", "")
    >>> round(weights_bytes(m, "int4") / 1e9, 6)
    4.014216
    """
    _check_precision(precision)
    vocab = 2.0 * _embedding_params(model)
    return (model.params - vocab) * PRECISION_BYTES[precision] + vocab * 2.0


def weights_read_s(model: OpenModel, gpu: Gpu, precision: str = "bf16",
                   eff: ServingEfficiency = DEFAULT_EFFICIENCY) -> float:
    """Time to stream the weights one forward pass reads (all but the input embedding, which is only indexed):
    ``((N - 2 V h) * bytes_per_weight / q + V h * 2) / (B eta_h)``, with ``q = eff.weight_only_kernel`` for
    weight-only int8/int4 (dequantising kernels stream slower), else 1.
    """
    _check_precision(precision)
    q = eff.weight_only_kernel if precision in ("int8", "int4") else 1.0
    vocab = _embedding_params(model)
    body = (model.params - 2.0 * vocab) * PRECISION_BYTES[precision] / q
    return (body + vocab * 2.0) / _bandwidth(gpu, eff)


def kv_bytes_per_token(model: OpenModel, precision: str = "bf16") -> float:
    """``2 (K and V) * layers * kv_heads * head_dim * kv_bytes``; kv_bytes = 1 with fp8, else 2.

    Llama-2-7B (32 KV heads): 2 * 32 * 32 * 128 * 2 = 524,288 B; Mistral-7B (8): 131,072 B.
    """
    _check_precision(precision)
    return 2.0 * model.layers * model.kv_heads * model.head_dim * _kv_bytes(precision)


def attention_bytes_per_context_token(model: OpenModel, precision: str = "bf16",
                                      eff: ServingEfficiency = DEFAULT_EFFICIENCY) -> float:
    """Bytes one decode step reads per sequence and context token:
    ``2 * L * d * kv_bytes * (H_kv + gamma * (H_q - H_kv))``.

    Multi-head attention (H_q = H_kv) reads exactly its KV cache; grouped-query attention reads its smaller
    cache plus the share ``gamma`` of per-query-head re-reads a kernel fails to share.
    Mistral-7B bf16 with gamma = 0.25: 2*32*128*2 * (8 + 0.25*24) = 16,384 * 14 = 229,376 B.

    >>> from pricing.catalog import OpenModel
    >>> m = OpenModel("m", (), 7.242, 32, 4096, 32, 8, 128, 14336, 32000, 8192, "t", "")
    >>> attention_bytes_per_context_token(m, "bf16", ServingEfficiency(gqa_reread=0.25))
    229376.0
    """
    _check_precision(precision)
    heads = model.kv_heads + eff.gqa_reread * (model.heads - model.kv_heads)
    return 2.0 * model.layers * model.head_dim * _kv_bytes(precision) * heads


def kv_token_capacity(model: OpenModel, gpu: Gpu, precision: str = "bf16",
                      eff: ServingEfficiency = DEFAULT_EFFICIENCY) -> float:
    """``(mem * mem_fraction - W - reserve) / kv`` tokens; raises when the weights do not fit."""
    free = gpu.memory_gb * 1e9 * eff.mem_fraction - weights_bytes(model, precision) - eff.reserve_gb * 1e9
    if free <= 0:
        raise AdvisorError(
            f"{model.id} in {precision} ({weights_bytes(model, precision) / 1e9:.1f} GB of weights) does not fit in "
            f"{gpu.id} ({gpu.memory_gb:g} GB); choose a larger GPU or --precision int8/int4")
    return free / kv_bytes_per_token(model, precision)


def _attended_pairs(n, window: int | None):
    """Causal (query, key) pairs of an n-token prompt, halved by the mask: ``n^2 / 2``; with a window w < n,
    ``n w - w^2 / 2``."""
    n = np.asarray(n, dtype=float)
    if window is None:
        return n * n / 2.0
    w = float(window)
    return np.where(n <= w, n * n / 2.0, n * w - w * w / 2.0)


def prefill_flops(model: OpenModel, n_tokens):
    """``2 N n + 4 L H_q d P(n)``: linear layers plus causal attention (QK^T and AV over P(n) pairs).

    Without a window ``P = n^2 / 2``, so Llama-2-7B at n = 2000: 2*6.738e9*2000 + 2*32*4096*2000^2.
    """
    return (2.0 * model.params * np.asarray(n_tokens, dtype=float)
            + 4.0 * model.layers * model.heads * model.head_dim * _attended_pairs(n_tokens, sliding_window_tokens(model)))


def prefill_time_s(model: OpenModel, gpu: Gpu, n_tokens, precision: str = "bf16",
                   eff: ServingEfficiency = DEFAULT_EFFICIENCY):
    """One prompt alone on the GPU, the time to first token at batch 1 (one engine step that also samples the
    first token): :func:`round_time_s` with no decodes,
    ``softmax_k(FLOP_pf(n) / (F eta_f), t_W) + t_o + t_s`` (:func:`soft_max`).
    """
    return round_time_s(model, gpu, 0.0, 0.0, 1.0, n_tokens, precision, eff)


def _context_read(model: OpenModel, context_tokens):
    c = np.asarray(context_tokens, dtype=float)
    w = sliding_window_tokens(model)
    return c if w is None else np.minimum(c, float(w))


def decode_step_s(model: OpenModel, gpu: Gpu, batch, context_tokens, precision: str = "bf16",
                  eff: ServingEfficiency = DEFAULT_EFFICIENCY):
    """A pure decode step: ``softmax_k(t_W, 2 N b / (F eta_f)) + b min(c, window) a / (B eta_h) + t_o``.

    Weights stream once per step (or the GEMMs are compute-bound at large b); each sequence then reads its
    attention bytes ``a`` (:func:`attention_bytes_per_context_token`) for every context token in the window.
    """
    return round_time_s(model, gpu, batch, context_tokens, 0.0, 0.0, precision, eff)


def round_time_s(model: OpenModel, gpu: Gpu, decoding, context_tokens, prefills, prompt_tokens,
                 precision: str = "bf16", eff: ServingEfficiency = DEFAULT_EFFICIENCY):
    """One fused engine step over ``decoding`` sequences and ``prefills`` prompts of ``prompt_tokens``:

    ``softmax_k(t_W, (2 N b_d + p FLOP_pf(n_in)) / (F eta_f)) + b_d t_attn + t_o + (b_d + p) t_s`` with the
    per-sequence attention ``t_attn = min(c, window) max(a / (B eta_h), 4 L H_q d / attention_tflops)``.

    Worked example, Mistral-7B bf16 on an A100-80GB, one sequence decoding at context 1000, eta_f = 0.5,
    eta_h = 0.8, k = 1 (no overlap), t_o = 2 ms: weights (7.242e9 - 32000*4096)*2 / (2039e9*0.8) = 8.7186 ms,
    GEMMs 2*7.242e9 / (312e12*0.5) = 0.0928 ms, KV 1000*131072 / (2039e9*0.8) = 0.0804 ms; total 10.8918 ms.

    >>> from pricing.catalog import Gpu, OpenModel
    >>> m = OpenModel("mistral-7b", (), 7.242, 32, 4096, 32, 8, 128, 14336, 32000, 8192, "t", "")
    >>> g = Gpu("a100-80gb", "A100 80GB SXM", 80, 2039, 312, None, "", {})
    >>> e = ServingEfficiency(flops=0.5, hbm=0.8, step_overhead_s=0.002, seq_overhead_s=0.0, roofline_sharpness=1.0)
    >>> round(float(round_time_s(m, g, 1, 1000, 0, 0, "bf16", e)) * 1000, 4)
    10.8918
    """
    b_d = np.asarray(decoding, dtype=float)
    p = np.asarray(prefills, dtype=float)
    bw = _bandwidth(gpu, eff)
    weights = weights_read_s(model, gpu, precision, eff)
    flops = 2.0 * model.params * b_d + p * prefill_flops(model, prompt_tokens)
    per_token = attention_bytes_per_context_token(model, precision, eff) / bw
    if eff.attention_tflops is not None:
        per_token = max(per_token, 4.0 * model.layers * model.heads * model.head_dim / (eff.attention_tflops * 1e12))
    attention = b_d * _context_read(model, context_tokens) * per_token
    linear = soft_max(weights, flops / _peak_flops(gpu, precision, eff), eff.roofline_sharpness)
    return linear + attention + eff.step_overhead_s + (b_d + p) * eff.seq_overhead_s


def _memory_max_batch(model: OpenModel, gpu: Gpu, per_seq_tokens: float, precision: str,
                      eff: ServingEfficiency) -> tuple[int, float]:
    kv_cap = kv_token_capacity(model, gpu, precision, eff)
    w = sliding_window_tokens(model)
    held = per_seq_tokens if w is None else min(per_seq_tokens, float(w))
    return int(kv_cap // held), kv_cap


def _engine_cap(gpu: Gpu, eff: ServingEfficiency, max_batch: MaxBatch) -> int | None:
    if max_batch == "memory":
        return None
    if max_batch is not None:
        if isinstance(max_batch, bool) or not isinstance(max_batch, (int, np.integer)) or max_batch < 1:
            raise AdvisorError(f"max_batch must be a positive integer or 'memory', not {max_batch!r}")
        return int(max_batch)
    return eff.max_batch if eff.max_batch is not None else default_max_batch(gpu)


def capacity_curve(model: OpenModel, gpu: Gpu, input_tokens: float, output_tokens: float, precision: str = "bf16",
                   eff: ServingEfficiency = DEFAULT_EFFICIENCY, *, max_batch: MaxBatch = None) -> dict[str, np.ndarray]:
    """Throughput and latency at every concurrency 1..b_max (arrays indexed by b - 1).

    ``max_batch``: the engine's limit on concurrent sequences; None = ``eff.max_batch`` or the vLLM V1
    default for the GPU (:func:`default_max_batch`); ``"memory"`` = as many as the KV cache holds.
    Also returns ``memory_max_batch`` and ``engine_max_batch`` (constant arrays; -1 = no engine limit).
    """
    if input_tokens < 0 or output_tokens < 1:
        raise AdvisorError("input tokens must be >= 0 and output tokens >= 1")
    per_seq = input_tokens + output_tokens
    if per_seq > model.context_tokens:
        raise AdvisorError(f"{input_tokens:g} + {output_tokens:g} tokens exceed {model.id}'s context of "
                           f"{model.context_tokens} tokens")
    b_mem, kv_cap = _memory_max_batch(model, gpu, per_seq, precision, eff)
    if b_mem < 1:
        raise AdvisorError(f"one {per_seq:g}-token sequence does not fit {gpu.id}'s KV cache ({kv_cap:.0f} tokens) "
                           f"next to {model.id}; choose a larger GPU or a smaller precision")
    cap = _engine_cap(gpu, eff, max_batch)
    b_max = b_mem if cap is None else min(b_mem, cap)
    b = np.arange(1, b_max + 1, dtype=float)
    ctx = input_tokens + output_tokens / 2.0
    decoding = b * (output_tokens - 1.0) / output_tokens
    t_round = round_time_s(model, gpu, decoding, ctx, b / output_tokens, input_tokens, precision, eff)
    rps = b / (output_tokens * t_round)
    # the new prompt's step: the prompt plus the b - 1 others decoding, after half a round's wait under load
    t_first = round_time_s(model, gpu, (b - 1.0) * (output_tokens - 1.0) / output_tokens, ctx, 1.0, input_tokens,
                           precision, eff)
    ttft = 0.5 * t_round * (1.0 - 1.0 / b) + t_first
    itl = t_round if output_tokens > 1 else np.zeros_like(b)
    e2e = ttft + (output_tokens - 1.0) * itl
    return {"batch": b, "itl_s": itl, "ttft_s": ttft, "e2e_s": e2e, "requests_per_s": rps,
            "output_tokens_per_s": rps * output_tokens, "kv_capacity_tokens": np.full_like(b, kv_cap),
            "memory_max_batch": np.full_like(b, b_mem), "engine_max_batch": np.full_like(b, -1 if cap is None else cap)}


def operating_index(curve: dict[str, np.ndarray], *, itl_target_s: float | None = None,
                    ttft_target_s: float | None = None, e2e_target_s: float | None = None) -> tuple[int, bool]:
    """The operating point on a :func:`capacity_curve`: (index of the largest concurrency whose ITL, TTFT and
    e2e all meet their targets, whether any concurrency does). None = no target; none met = index 0 (b = 1),
    and the caller reports the miss.

    >>> curve = {"itl_s": np.array([0.01, 0.02, 0.03]), "ttft_s": np.array([0.1, 0.2, 0.9]),
    ...          "e2e_s": np.array([1.0, 2.0, 3.0])}
    >>> operating_index(curve, itl_target_s=0.025), operating_index(curve, ttft_target_s=0.05)
    ((1, True), (0, False))
    >>> operating_index(curve)  # no targets: the largest batch
    (2, True)
    """
    ok = np.ones(len(curve["itl_s"]), dtype=bool)
    for key, target in (("itl_s", itl_target_s), ("ttft_s", ttft_target_s), ("e2e_s", e2e_target_s)):
        if target is not None:
            ok &= curve[key] <= target
    idx = np.flatnonzero(ok)
    return (int(idx[-1]), True) if idx.size else (0, False)


def capacity(model: OpenModel, gpu: Gpu, input_tokens: float, output_tokens: float, *, precision: str = "bf16",
             concurrency: int | None = None, itl_target_s: float | None = None, ttft_target_s: float | None = None,
             e2e_target_s: float | None = None, eff: ServingEfficiency = DEFAULT_EFFICIENCY, max_batch: MaxBatch = None,
             max_throughput: bool = False, engine: str | None = None, engine_version: str | None = None) -> Capacity:
    """One replica's operating point.

    ``concurrency`` fixes b (capped by memory and by ``max_batch`` when one is given); otherwise b is the largest
    that meets the ITL, TTFT and e2e targets (:func:`operating_index`; no targets = maximum throughput) within ``max_batch``
    (None = the engine default, :func:`default_max_batch`). ``max_throughput=True`` without ``max_batch`` lifts
    the engine limit to the memory bound. If even b=1 misses a target, b=1 is returned and the caller compares
    its latencies with the targets. ``engine``/``engine_version`` adjust ``eff`` (:func:`engine_efficiency`);
    None = vLLM, as DEFAULT_EFFICIENCY.

    A one-token request is one prefill step: no inter-token latency, and e2e equals TTFT.

    >>> from pricing.catalog import Gpu, OpenModel
    >>> m = OpenModel("mistral-7b", (), 7.242, 32, 4096, 32, 8, 128, 14336, 32000, 8192, "t", "")
    >>> g = Gpu("a100-80gb", "A100 80GB SXM", 80, 2039, 312, None, "", {})
    >>> c = capacity(m, g, 2048, 1, concurrency=1)
    >>> c.itl_s, c.e2e_s == c.ttft_s
    (0.0, True)
    """
    if concurrency is not None and concurrency < 1:
        raise AdvisorError("concurrency must be >= 1")
    eff = engine_efficiency(engine, engine_version, gpu, eff)
    limit = max_batch
    if limit is None and (max_throughput or concurrency is not None):
        limit = "memory"
    curve = capacity_curve(model, gpu, input_tokens, output_tokens, precision, eff, max_batch=limit)
    b_max = len(curve["batch"])
    if concurrency is not None:
        i = min(concurrency, b_max) - 1
    else:
        i, _ = operating_index(curve, itl_target_s=itl_target_s, ttft_target_s=ttft_target_s,
                               e2e_target_s=e2e_target_s)
    b_mem = int(curve["memory_max_batch"][0])
    return Capacity(concurrency=i + 1, max_concurrency=b_max,
                    requests_per_s=float(curve["requests_per_s"][i]),
                    output_tokens_per_s=float(curve["output_tokens_per_s"][i]),
                    ttft_s=float(curve["ttft_s"][i]), itl_s=float(curve["itl_s"][i]), e2e_s=float(curve["e2e_s"][i]),
                    kv_capacity_tokens=float(curve["kv_capacity_tokens"][i]),
                    weights_gb=weights_bytes(model, precision) / 1e9,
                    memory_max_concurrency=b_mem, limited_by="memory" if b_max == b_mem else "engine")


def peak_requests_per_s(requests_per_day, peak_to_mean):
    """``requests_per_day / 86400 * peak_to_mean``: the rate of the busiest hour (vectorised).

    >>> float(peak_requests_per_s(86_400, 2.0))  # one request a second on average, twice that at peak
    2.0
    """
    return np.asarray(requests_per_day, dtype=float) / SECONDS_PER_DAY * np.asarray(peak_to_mean, dtype=float)


def replicas_for_peak(requests_per_day, peak_to_mean, requests_per_s_per_replica):
    """``ceil(requests_per_day / 86400 * peak_to_mean / capacity)``, at least 1 (vectorised)."""
    cap = np.asarray(requests_per_s_per_replica, dtype=float)
    if (cap <= 0 if cap.ndim == 0 else np.any(cap <= 0)):
        raise AdvisorError("replica capacity must be > 0 requests/s")
    peak = peak_requests_per_s(requests_per_day, peak_to_mean)
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
    lam = rpd / SECONDS_PER_DAY
    busy = np.maximum(lam / np.asarray(requests_per_s_per_replica, dtype=float),
                      1.0 - np.exp(-lam * (idle_timeout_s + service_s)))
    return np.minimum(busy * HOURS_PER_MONTH, always).astype(float)
