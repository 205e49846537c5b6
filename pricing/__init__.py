"""Pricing model: a dated catalog and the cost and capacity of API, hosted and self-hosted options.

Knows nothing of logs. Import is light: no streamlit, no plotly, no network. Public API (everything else lives
in its submodule: :mod:`pricing.schema`, :mod:`pricing.catalog`, :mod:`pricing.selfhost`, :mod:`pricing.training`,
:mod:`pricing.people`, :mod:`pricing.genai`, :mod:`pricing.benchmarks`)::

    from pricing import load_catalog, capacity
    cat = load_catalog("2024-03-28")              # the prices of that day
    cat.api_model("gpt-4-0613").price.input_usd_per_mtok
"""

from typing import TYPE_CHECKING

from pricing._lazy import lazy_getattr

if TYPE_CHECKING:  # the names, for type checkers and readers; at run time each loads on first use
    from pricing.api import api_request_cost_usd as api_request_cost_usd
    from pricing.catalog import Catalog as Catalog
    from pricing.catalog import load_catalog as load_catalog
    from pricing.catalog import today as today
    from pricing.errors import (
        AdvisorError as AdvisorError,
    )
    from pricing.errors import (
        CatalogError as CatalogError,
    )
    from pricing.errors import (
        NotReleasedError as NotReleasedError,
    )
    from pricing.errors import (
        UnknownEntryError as UnknownEntryError,
    )
    from pricing.hosted import hosted_request_cost_usd as hosted_request_cost_usd
    from pricing.schema import ApiModel as ApiModel
    from pricing.schema import Gpu as Gpu
    from pricing.schema import HostedEndpoint as HostedEndpoint
    from pricing.schema import OpenModel as OpenModel
    from pricing.selfhost import Capacity as Capacity
    from pricing.selfhost import capacity as capacity
    from pricing.selfhost import capacity_curve as capacity_curve
    from pricing.training import TrainingRun as TrainingRun

__all__ = [
    "AdvisorError",
    "ApiModel",
    "Benchmark",
    "Capacity",
    "Catalog",
    "CatalogError",
    "Gpu",
    "HostedEndpoint",
    "NotReleasedError",
    "OpenModel",
    "TrainingRun",
    "UnknownEntryError",
    "api_request_cost_usd",
    "capacity",
    "capacity_curve",
    "hosted_request_cost_usd",
    "load_benchmarks",
    "load_catalog",
    "predict",
    "today",
]

# name -> module: importing pricing (and so ``python -m advisor --help``) loads nothing heavy; a name is imported
# the first time it is used (PEP 562); pricing.benchmarks this way also lets ``python -m pricing.benchmarks`` run a
# module the package has not imported yet
_LAZY = {
    "api_request_cost_usd": "pricing.api",
    "Catalog": "pricing.catalog",
    "load_catalog": "pricing.catalog",
    "today": "pricing.catalog",
    "AdvisorError": "pricing.errors",
    "CatalogError": "pricing.errors",
    "NotReleasedError": "pricing.errors",
    "UnknownEntryError": "pricing.errors",
    "hosted_request_cost_usd": "pricing.hosted",
    "ApiModel": "pricing.schema",
    "Gpu": "pricing.schema",
    "HostedEndpoint": "pricing.schema",
    "OpenModel": "pricing.schema",
    "Capacity": "pricing.selfhost",
    "capacity": "pricing.selfhost",
    "capacity_curve": "pricing.selfhost",
    "TrainingRun": "pricing.training",
    "Benchmark": "pricing.benchmarks",
    "load_benchmarks": "pricing.benchmarks",
    "predict": "pricing.benchmarks",
}


__getattr__ = lazy_getattr(__name__, _LAZY, globals())
