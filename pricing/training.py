"""One-off and recurring cost of fine-tuning.

Training tokens: ``T = examples * tokens_per_example * epochs``.

- Hosted (provider bills per training token): ``usd = T / 1e6 * training_usd_per_mtok``.
- Self-run LoRA on a rented GPU: ``gpu_hours = T * k * N / (F * mfu) / 3600`` with k = 4 FLOP per
  parameter per token for LoRA (forward 2N + input-gradient backward 2N; frozen weights need no
  weight gradient) and k = 6 for full fine-tuning, N the parameters, F the GPU's peak, mfu the
  model-FLOP utilisation. NeMo 24.07 reaches 25,206 tokens/s/GPU for Llama-2-7B LoRA on H100 FP8
  (4 * 6.74e9 * 25206 = 680 TFLOP/s = 0.34 of 1979): ``DEFAULT_LORA_MFU`` = 0.34.
- ``labelling_usd`` adds a flat people cost to a run; the decision prices people's time with
  :mod:`pricing.people` instead (review, evaluation, retraining hours) and passes 0 here.
  Retraining repeats the run.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import AdvisorError
from .schema import DeploymentPrice, Gpu, HostedPrice, OpenModel

__all__ = [
    "DEFAULT_LORA_MFU",
    "FLOP_PER_PARAM_TOKEN",
    "TrainingRun",
    "training_tokens",
    "hosted_training_cost_usd",
    "selfrun_training_gpu_hours",
    "selfrun_training_cost_usd",
    "training_cost_per_year_usd",
]

DEFAULT_LORA_MFU = 0.34
FLOP_PER_PARAM_TOKEN: dict[str, float] = {
    "lora": 4.0,  # forward 2N + backward through frozen weights 2N
    "full": 6.0,  # forward 2N + backward 4N (input and weight gradients)
}


@dataclass(frozen=True)
class TrainingRun:
    """One fine-tuning run: its data and the people cost around it."""

    examples: int
    tokens_per_example: float
    epochs: int = 3
    labelling_usd: float = 0.0  # data preparation, labelling and evaluation per run

    def __post_init__(self) -> None:
        import math

        for name in ("examples", "tokens_per_example", "labelling_usd"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise AdvisorError(f"training run {name}={v!r}: must be a finite number >= 0")
        if isinstance(self.epochs, bool) or not isinstance(self.epochs, int) or not 1 <= self.epochs <= 100:
            raise AdvisorError(f"training run epochs={self.epochs!r}: a whole number from 1 to 100")


def training_tokens(run: TrainingRun) -> float:
    """``examples * tokens_per_example * epochs`` (1,000 x 800 x 3 = 2.4M)."""
    return run.examples * run.tokens_per_example * run.epochs


def hosted_training_cost_usd(run: TrainingRun, price: HostedPrice | DeploymentPrice) -> float:
    """``T / 1e6 * training_usd_per_mtok + labelling`` (2.4M tokens at 4.00 -> 9.60 USD)."""
    if price.training_usd_per_mtok is None:
        raise AdvisorError("this endpoint's training price is not in the catalog; add 'training_usd_per_mtok' in an "
                           "override file (--prices) or choose another endpoint")
    return training_tokens(run) / 1e6 * price.training_usd_per_mtok + run.labelling_usd


def selfrun_training_gpu_hours(run: TrainingRun, model: OpenModel, gpu: Gpu, *, method: str = "lora",
                               precision: str = "bf16", mfu: float = DEFAULT_LORA_MFU) -> float:
    """``T * k * N / (F * mfu) / 3600`` GPU-hours."""
    if method not in FLOP_PER_PARAM_TOKEN:
        raise AdvisorError(f"unknown fine-tuning method {method!r}; use 'lora' or 'full'")
    if not 0 < mfu <= 1:
        raise AdvisorError(f"mfu={mfu} must be in (0, 1]")
    peak = (gpu.fp8_tflops if precision == "fp8" and gpu.fp8_tflops else gpu.bf16_tflops) * 1e12
    flops = training_tokens(run) * FLOP_PER_PARAM_TOKEN[method] * model.params
    return flops / (peak * mfu) / 3600.0


def selfrun_training_cost_usd(run: TrainingRun, model: OpenModel, gpu: Gpu, usd_per_hour: float, **kw) -> float:
    """``gpu_hours * usd_per_hour + labelling``."""
    return selfrun_training_gpu_hours(run, model, gpu, **kw) * usd_per_hour + run.labelling_usd


def training_cost_per_year_usd(cost_per_run_usd: float, retrains_per_year: float) -> float:
    """Recurring cost: ``cost_per_run * retrains_per_year``."""
    if retrains_per_year < 0:
        raise AdvisorError("retrains per year must be >= 0")
    return cost_per_run_usd * retrains_per_year
