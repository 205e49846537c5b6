"""An option as priced: :class:`PricedOption`, its role (baseline, switch model, fine-tune), its costs per request,
per month, one-off and recurring (people's time itemised), its latency and capacity; and the cold-start share of a
scale-to-zero deployment. Made by :mod:`advisor.compare`, read by the horizon maths and the decision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from enum import StrEnum

import numpy as np

from advisor.scenario import OptionKind
from advisor.workload import DAYS_PER_MONTH
from pricing.deployment import volume_share
from pricing.people import quantile_factor
from pricing.selfhost import HOURS_PER_MONTH, SECONDS_PER_DAY, gpu_hours_per_month, replicas_for_peak

__all__ = ["GPU_KINDS", "Path", "PeopleItem", "Role", "PricedOption", "cold_start_share", "cold_starts_per_month"]

GPU_KINDS = frozenset({OptionKind.SELFHOST, OptionKind.DEDICATED, OptionKind.SHARED})  # billed per GPU-hour


class Path(StrEnum):
    """The way an option changes what you run (each has its own people's time, ``pricing/data/people.yaml``)."""

    STAY = "stay"                                # the baseline
    SWITCH = "switch"                            # another API model, no training
    PER_TOKEN = "fine-tune per token"            # a managed fine-tune served per token
    DEDICATED = "dedicated deployment"           # a managed fine-tune on a hosted deployment billed per GPU-hour
    SELFHOST = "self-host"                       # your own training pipeline and serving
    SHARED = "shared adapters"                   # several tasks' adapters on one deployment


@dataclass(frozen=True)
class PeopleItem:
    """One people cost of an option: USD at the median (``usd``), the log-spreads of its sourced entry
    (``pricing.people.PeopleDefault.spread``; 0, 0 for a sum the user typed) and whether it recurs monthly."""

    label: str
    usd: float
    spread: tuple[float, float] = (0.0, 0.0)
    recurring: bool = False

    def at(self, z):
        """USD at standard-normal quantile ``z`` (arrays welcome): ``usd * quantile_factor(spread, z)``.

        >>> round(float(PeopleItem("eval set", 800.0, (0.7653, 0.8573)).at(-1.2815515655446004)), 1)   # 800 x 3/8
        300.0
        """
        return self.usd * quantile_factor(self.spread, z)


class Role(StrEnum):
    """What choosing the option means: keep paying the baseline, switch API model, or fine-tune."""

    BASELINE = "baseline"
    SWITCH = "switch model"
    FINE_TUNE = "fine-tune"


def cold_start_share(requests_per_day, idle_timeout_s: float, service_s: float):
    """Share of requests that find no warm replica with scale-to-zero (Poisson arrivals, rate lambda/s):
    ``exp(-lambda * (idle_timeout_s + service_s))``, the chance the previous request left more than the
    keep-warm window ago.

    >>> round(float(cold_start_share(100, 300, 5)), 3)   # lambda = 100/86400: exp(-0.353)
    0.703
    """
    lam = np.asarray(requests_per_day, dtype=float) / SECONDS_PER_DAY
    return np.exp(-lam * (idle_timeout_s + service_s))


def cold_starts_per_month(requests_per_day, idle_timeout_s: float, service_s: float):
    """``v * 30.4167 * cold_start_share``: replicas started from zero in a month.

    >>> round(float(cold_starts_per_month(100, 300, 5)), 1)   # 100 * 30.4167 * 0.70259
    2137.0
    """
    v = np.asarray(requests_per_day, dtype=float)
    return v * DAYS_PER_MONTH * cold_start_share(v, idle_timeout_s, service_s)


@dataclass(frozen=True)
class PricedOption:
    """One option's cost structure: enough to cost any volume (vectorised) without the catalog."""

    name: str
    kind: str                        # api | hosted | dedicated | shared | selfhost (OptionKind)
    fine_tuned: bool
    usd_per_request: float | None    # per-token options; None for self-hosted (volume-dependent)
    usd_per_gpu_hour: float | None = None
    replica_requests_per_s: float | None = None
    peak_to_mean: float = 1.0
    scale_to_zero: bool = False
    idle_timeout_s: float = 300.0
    service_s: float = 1.0
    min_replicas: int = 1
    cold_start_s: float = 0.0
    one_off_usd: float = 0.0
    training_usd_per_run: float = 0.0
    recurring_usd_per_month: float = 0.0
    ttft_s: float | None = None
    e2e_s: float | None = None
    itl_s: float | None = None
    meets_latency: bool | None = None
    cold_start_share: float | None = None
    role: Role = Role.FINE_TUNE
    reasoning: bool = False          # bills hidden reasoning tokens not in the counts
    serves_until: dt.date | None = None   # the provider's shutdown date, when one is announced
    ends_within_horizon: bool = False     # stops serving before the horizon ends: never the recommendation
    # a fine-tune nobody new may train on the date (OpenAI's self-serve fine-tuning since 2026-05-07): priced for
    # those who already have one, never the recommendation for a new fine-tune
    trainable: bool = True
    training: str = "open"                # open | existing_customers | closed (who may train a new one)
    training_closes: dt.date | None = None   # when new training closes to everyone, as known on the date
    provider: str | None = None
    # a shared multi-adapter deployment: the other tasks' requests/day on it (its cost split by requests)
    shared_requests_per_day: float = 0.0
    adapters: int = 1                      # fine-tunes the deployment serves (this task's included)
    # published general score and size (advisor.quality): a switch that is not like for like is never the headline
    mmlu: float | None = None
    params_b: float | None = None
    quality_source: str | None = None
    like_for_like: bool = True
    one_off_items: tuple[tuple[str, float], ...] = ()
    recurring_items: tuple[tuple[str, float], ...] = ()
    path: Path = Path.PER_TOKEN
    people: tuple[PeopleItem, ...] = ()   # the people items among the one-off and recurring items
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    curve: dict | None = field(default=None, repr=False, compare=False)

    def gpu_hours_per_month(self, requests_per_day, *, capacity_factor=1.0):
        """GPU-hours a month: always-on ``max(replicas_for_peak, min_replicas) * 730``; scale-to-zero
        ``pricing.gpu_hours_per_month`` plus ``cold_starts_per_month * cold_start_s / 3600``. A shared deployment
        carries ``requests_per_day + shared_requests_per_day`` (the whole deployment's hours)."""
        v = np.asarray(requests_per_day, dtype=float) + self.shared_requests_per_day
        cap = self.replica_requests_per_s * (capacity_factor if _is_one(capacity_factor)
                                             else np.asarray(capacity_factor, dtype=float))
        if not self.scale_to_zero:
            n = np.maximum(replicas_for_peak(v, self.peak_to_mean, cap), self.min_replicas)
            return n * HOURS_PER_MONTH
        cap = np.asarray(cap, dtype=float)
        cap = np.broadcast_to(cap, np.broadcast_shapes(cap.shape, v.shape))
        hours = gpu_hours_per_month(v, self.peak_to_mean, cap, scale_to_zero=True,
                                    idle_timeout_s=self.idle_timeout_s, service_s=self.service_s)
        return hours + cold_starts_per_month(v, self.idle_timeout_s, self.service_s) * self.cold_start_s / 3600.0

    def serving_usd_per_month(self, requests_per_day, *, price_factor=1.0, capacity_factor=1.0):
        """Serving cost of one month at ``requests_per_day`` (arrays welcome; factors broadcast).

        Per-token: ``v * 30.4167 * usd_per_request * price_factor``. Self-hosted and dedicated:
        ``gpu_hours(v) * usd_per_gpu_hour * price_factor`` with replica capacity ``* capacity_factor``; shared:
        that deployment's cost times this task's share ``v / (v + o)`` (:func:`pricing.deployment.volume_share`).
        """
        v = np.asarray(requests_per_day, dtype=float)
        if self.usd_per_request is not None:
            usd = v * DAYS_PER_MONTH * self.usd_per_request
        else:
            usd = self.gpu_hours_per_month(v, capacity_factor=capacity_factor) * self.usd_per_gpu_hour
            if self.shared_requests_per_day:
                usd = usd * volume_share(v, self.shared_requests_per_day)
        return usd if _is_one(price_factor) else usd * np.asarray(price_factor, dtype=float)

    @property
    def people_one_off_usd(self) -> float:
        return sum(i.usd for i in self.people if not i.recurring)

    @property
    def people_usd_per_month(self) -> float:
        return sum(i.usd for i in self.people if i.recurring)

    def total_usd_per_month(self, requests_per_day):
        """``serving + recurring`` (retraining, evaluation, monitoring, operations)."""
        return self.serving_usd_per_month(requests_per_day) + self.recurring_usd_per_month

    def cost_key(self) -> tuple:
        """Every field the cost arithmetic above may read: options with equal keys cost the same at
        every volume, whatever their names, latencies or notes (a self-hosted option's latency moves
        with the volume, its costs do not). A field added to the class counts unless listed in
        ``_DESCRIBES_ONLY``; the keep-warm window, service time and cold start only cost with scale-to-zero."""
        skip = _DESCRIBES_ONLY if self.scale_to_zero else _DESCRIBES_ONLY | _SCALE_TO_ZERO_ONLY
        return tuple(getattr(self, f.name) for f in fields(self) if f.name not in skip)

    def gpus(self, requests_per_day) -> np.ndarray | None:
        """GPUs running at the busiest hour (a shared deployment's whole count); None for per-token options."""
        if self.kind not in GPU_KINDS:
            return None
        v = np.asarray(requests_per_day, dtype=float) + self.shared_requests_per_day
        n = replicas_for_peak(v, self.peak_to_mean, self.replica_requests_per_s)
        return n if self.scale_to_zero else np.maximum(n, self.min_replicas)


_DESCRIBES_ONLY = frozenset({"name", "ttft_s", "e2e_s", "itl_s", "meets_latency", "cold_start_share", "role", "reasoning",
                             "serves_until", "ends_within_horizon", "sources", "notes", "curve", "training_usd_per_run",
                             "trainable", "training", "training_closes", "provider", "adapters", "path",
                             "mmlu", "params_b", "quality_source", "like_for_like"})
_SCALE_TO_ZERO_ONLY = frozenset({"idle_timeout_s", "service_s", "cold_start_s"})


def _is_one(factor) -> bool:
    """A factor given as the plain number 1: scaling by it changes nothing, so it is skipped (x * 1.0 == x)."""
    return isinstance(factor, (int, float)) and not isinstance(factor, bool) and factor == 1.0
