"""Dedicated hosted deployments: one provider deployment serving one fine-tune, or many LoRA adapters of one base.

Units: requests per day, tokens per request, USD per GPU-hour, GPU-hours per month (730 h, ``selfhost``).

A provider's dedicated deployment (Fireworks on-demand, Together dedicated endpoints) is priced like self-hosting:
one replica's capacity comes from :func:`pricing.selfhost.capacity_curve` for the base model on the provider's GPU,
the replicas from the busiest hour, the bill from GPU-hours at the provider's price. What differs is who runs it
(no self-hosting setup and operations) and how many fine-tunes share it:

- live merge: one fine-tune per deployment, the base model's speed;
- multi-LoRA: up to ``adapters_per_deployment`` adapters of one base on one deployment, with a time-to-first-token
  overhead (``multi_lora_ttft_factor``). Adapters ``i = 1..n`` with volumes ``v_i`` and busiest-hour ratios ``k_i``
  make one load: ``V = sum v_i``, token means weighted by ``v_i``, and busiest hours assumed to coincide,
  ``V k = sum v_i k_i`` (conservative). ``ceil(n / adapters_per_deployment)`` deployments carry it; task ``i`` pays
  the share ``v_i / V`` of their cost (:func:`volume_share`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .errors import AdvisorError

__all__ = ["AdapterLoad", "combine_loads", "deployments_needed", "volume_share"]


@dataclass(frozen=True)
class AdapterLoad:
    """One fine-tune's traffic on a deployment: requests/day, mean tokens per request, busiest-hour ratio."""

    requests_per_day: float
    prompt_tokens: float
    completion_tokens: float
    peak_to_mean: float = 1.0

    def __post_init__(self) -> None:
        for name in ("requests_per_day", "prompt_tokens", "completion_tokens"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise AdvisorError(f"{name}={v!r}: must be a finite number >= 0")
        if not (math.isfinite(self.peak_to_mean) and self.peak_to_mean >= 1):
            raise AdvisorError(f"peak_to_mean={self.peak_to_mean!r}: must be >= 1 (busiest hour over the mean)")


def combine_loads(loads: Sequence[AdapterLoad]) -> AdapterLoad:
    """The load of several adapters on one deployment: volumes add, token means and the busiest-hour ratio are
    volume-weighted (``k = sum v_i k_i / V``: every task's busiest hour at the same time).

    Worked example: 1,000/day of 1,200 in / 300 out at k = 2 with 3,000/day of 400 in / 100 out at k = 3:
    V = 4,000; prompt (1.2e6 + 1.2e6) / 4,000 = 600; completion (3e5 + 3e5) / 4,000 = 150; k = (2,000 + 9,000) / 4,000.

    >>> c = combine_loads([AdapterLoad(1000, 1200, 300, 2), AdapterLoad(3000, 400, 100, 3)])
    >>> c.requests_per_day, c.prompt_tokens, c.completion_tokens, c.peak_to_mean
    (4000.0, 600.0, 150.0, 2.75)
    """
    if not loads:
        raise AdvisorError("a deployment needs at least one adapter's load")
    v = np.array([x.requests_per_day for x in loads], dtype=float)
    total = float(v.sum())
    if total == 0:
        w = np.full(len(loads), 1.0 / len(loads))
    else:
        w = v / total
    def mean(name: str) -> float:
        return float(np.dot(w, [getattr(x, name) for x in loads]))
    return AdapterLoad(total, mean("prompt_tokens"), mean("completion_tokens"), max(1.0, mean("peak_to_mean")))


def deployments_needed(adapters: int, adapters_per_deployment: int) -> int:
    """``ceil(adapters / adapters_per_deployment)``: base deployments that hold every adapter (at least 1).

    >>> deployments_needed(1, 100), deployments_needed(100, 100), deployments_needed(101, 100)
    (1, 1, 2)
    """
    if adapters_per_deployment < 1 or adapters < 0:
        raise AdvisorError("adapters must be >= 0 and adapters_per_deployment >= 1")
    return max(1, math.ceil(adapters / adapters_per_deployment))


def volume_share(own_requests_per_day, other_requests_per_day):
    """``v / (v + o)``: the share of a shared deployment's cost one task pays (vectorised; 1 when both are 0).

    >>> float(volume_share(1000, 3000)), float(volume_share(0, 0))
    (0.25, 1.0)
    """
    v = np.asarray(own_requests_per_day, dtype=float)
    o = np.asarray(other_requests_per_day, dtype=float)
    total = v + o
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, v / np.where(total > 0, total, 1.0), 1.0)
    return share
