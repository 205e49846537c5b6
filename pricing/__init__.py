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
from .errors import AdvisorError, CatalogError, UnknownEntryError
from .hosted import hosted_request_cost_usd
from .selfhost import (
    DEFAULT_EFFICIENCY,
    HOURS_PER_MONTH,
    Capacity,
    ServingEfficiency,
    capacity,
    capacity_curve,
    gpu_hours_per_month,
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
    "Capacity",
    "Catalog",
    "CatalogError",
    "DEFAULT_EFFICIENCY",
    "Gpu",
    "GpuPrice",
    "HOURS_PER_MONTH",
    "HostedEndpoint",
    "HostedPrice",
    "Latency",
    "OpenModel",
    "ServingEfficiency",
    "TrainingRun",
    "UnknownEntryError",
    "api_request_cost_usd",
    "capacity",
    "capacity_curve",
    "gpu_hours_per_month",
    "hosted_request_cost_usd",
    "hosted_training_cost_usd",
    "load_catalog",
    "replicas_for_peak",
    "selfrun_training_cost_usd",
    "selfrun_training_gpu_hours",
    "training_tokens",
]
