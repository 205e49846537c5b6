"""Pricing model: a dated catalog and the cost/capacity of API, hosted and self-hosted options.

Knows nothing of logs. Import is light: no streamlit, no plotly, no network.
"""

from .api import api_request_cost_usd
from .catalog import (
    ApiModel,
    ApiPrice,
    Catalog,
    Gpu,
    GpuPrice,
    HostedEndpoint,
    HostedPrice,
    Latency,
    OpenModel,
    load_catalog,
)
from .errors import AdvisorError, CatalogError, NotReleasedError, UnknownEntryError
from .hosted import hosted_request_cost_usd
from .selfhost import (
    DEFAULT_EFFICIENCY,
    ENGINES,
    GPU_SUSTAINED,
    HOURS_PER_MONTH,
    Capacity,
    ServingEfficiency,
    capacity,
    capacity_curve,
    default_max_batch,
    engine_efficiency,
    gpu_hours_per_month,
    operating_index,
    replicas_for_peak,
)
from .training import (
    TrainingRun,
    hosted_training_cost_usd,
    selfrun_training_cost_usd,
    selfrun_training_gpu_hours,
    training_tokens,
)

__all__ = [
    "AdvisorError",
    "ApiModel",
    "ApiPrice",
    "Benchmark",
    "Capacity",
    "Catalog",
    "CatalogError",
    "DEFAULT_EFFICIENCY",
    "ENGINES",
    "GPU_SUSTAINED",
    "Gpu",
    "GpuPrice",
    "HOURS_PER_MONTH",
    "HostedEndpoint",
    "HostedPrice",
    "Latency",
    "NotReleasedError",
    "OpenModel",
    "ServingEfficiency",
    "TrainingRun",
    "UnknownEntryError",
    "api_request_cost_usd",
    "capacity",
    "capacity_curve",
    "default_max_batch",
    "engine_efficiency",
    "gpu_hours_per_month",
    "hosted_request_cost_usd",
    "hosted_training_cost_usd",
    "load_benchmarks",
    "load_catalog",
    "operating_index",
    "predict",
    "replicas_for_peak",
    "selfrun_training_cost_usd",
    "selfrun_training_gpu_hours",
    "training_tokens",
]

_LAZY = {"Benchmark", "load_benchmarks", "predict"}  # pricing.benchmarks: loaded on first use, so that
# ``python -m pricing.benchmarks`` runs a module the package has not imported yet


def __getattr__(name: str):
    if name in _LAZY:
        from . import benchmarks
        return getattr(benchmarks, name)
    raise AttributeError(f"module 'pricing' has no attribute {name!r}")

