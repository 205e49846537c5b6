"""What the user decides with: the workload, the options to price, the horizon and the costs
around fine-tuning. Frozen and validated; every default that stands in for a number the user did
not give is listed by :func:`Scenario.assumptions`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from pricing import Catalog
from pricing.selfhost import PRECISION_BYTES

from .errors import ScenarioError
from .workload import Workload

__all__ = ["Scenario", "OptionSpec", "parse_option", "default_baseline", "default_options",
           "DEFAULT_TRAINING_EXAMPLES", "DEFAULT_SELFHOST_GPUS", "DEFAULT_SELFHOST_MODEL"]

DEFAULT_TRAINING_EXAMPLES = 1000  # a common first fine-tuning set for a narrow task
DEFAULT_SELFHOST_MODEL = "mistral-7b"
DEFAULT_SELFHOST_GPUS = ("l4", "a10g", "l40s", "a100-80gb", "h100-sxm")
# newest first: the default baseline is the first GPT-4-class model priced on the catalog date
_BASELINE_PREFERENCE = ("gpt-4o-2024-08-06", "gpt-4o-2024-05-13", "gpt-4-turbo-2024-04-09", "gpt-4-0125-preview",
                        "gpt-4-1106-preview", "gpt-4-0613", "gpt-4-0314")


@dataclass(frozen=True)
class OptionSpec:
    """A candidate: ``kind`` api | hosted | selfhost. Self-hosted ids read
    ``selfhost/<model>@<gpu>[:<provider>]`` (provider absent = the cheapest on the date)."""

    name: str
    kind: str
    ref: str
    gpu: str | None = None
    provider: str | None = None


def parse_option(name: str, catalog: Catalog) -> OptionSpec:
    """Resolve an option id against the catalog (aliases accepted, canonical id returned)."""
    if name.startswith("selfhost/"):
        body = name[len("selfhost/"):]
        if "@" not in body:
            raise ScenarioError(f"option {name!r}: write self-hosted options as selfhost/<model>@<gpu>[:<provider>], "
                                "e.g. selfhost/mistral-7b@a100-80gb")
        model_id, gpu_part = body.split("@", 1)
        gpu_id, _, provider = gpu_part.partition(":")
        model = catalog.open_model(model_id)
        gpu = catalog.gpu(gpu_id)
        if provider and provider not in gpu.prices:
            raise ScenarioError(f"option {name!r}: {gpu.id} has no {provider} price as of {catalog.as_of}; "
                                f"providers: {', '.join(sorted(gpu.prices)) or 'none'}")
        if not gpu.prices:
            raise ScenarioError(f"option {name!r}: {gpu.id} has no hourly price as of {catalog.as_of}; pick another "
                                "GPU or date, or add your price in an override file (--prices)")
        canon = f"selfhost/{model.id}@{gpu.id}" + (f":{provider}" if provider else "")
        return OptionSpec(canon, "selfhost", model.id, gpu.id, provider or None)
    if name in catalog.hosted or name in {a for h in catalog.hosted.values() for a in h.aliases}:
        ep = catalog.hosted_endpoint(name)
        return OptionSpec(ep.id, "hosted", ep.id)
    try:
        m = catalog.api_model(name)
    except KeyError:
        # one message that covers all three kinds
        from pricing.errors import UnknownEntryError, close_matches
        names = list(catalog.api_models) + list(catalog.hosted) + [f"selfhost/{DEFAULT_SELFHOST_MODEL}@{g}" for g in catalog.gpus]
        hint = close_matches(name, names)
        raise UnknownEntryError(f"unknown option {name!r} as of {catalog.as_of}"
                                + (f"; close ids: {', '.join(hint)}" if hint else "")
                                + "; options are API model ids, hosted ids (e.g. openpipe/mistral-7b) or "
                                  "selfhost/<model>@<gpu>") from None
    return OptionSpec(m.id, "api", m.id)


def default_baseline(catalog: Catalog) -> str:
    """The newest GPT-4-class model priced on the catalog date."""
    for mid in _BASELINE_PREFERENCE:
        if mid in catalog.api_models:
            return mid
    raise ScenarioError(f"no GPT-4 model is priced as of {catalog.as_of}; pass --baseline")


def default_options(catalog: Catalog) -> tuple[str, ...]:
    """Every hosted fine-tuned endpoint with a training price, and Mistral-7B on each default GPU
    that has a price on the date."""
    hosted = [h.id for h in catalog.hosted.values() if h.price.training_usd_per_mtok is not None]
    selfhost = [f"selfhost/{DEFAULT_SELFHOST_MODEL}@{g}" for g in DEFAULT_SELFHOST_GPUS
                if g in catalog.gpus and catalog.gpus[g].prices]
    return tuple(hosted + selfhost)


@dataclass(frozen=True)
class Scenario:
    """Inputs of one decision. Money in USD, time in months, volumes in requests/day."""

    workload: Workload
    baseline: str | None = None               # None: default_baseline(catalog)
    options: tuple[str, ...] = ()             # (): default_options(catalog)
    horizon_months: int = 12
    growth_per_month: float = 0.0             # 0.05 = +5% volume a month
    as_of: dt.date | None = None              # price date (None: today)
    batch: bool = False                       # baseline through the Batch API
    precision: str = "bf16"                   # self-hosted weights
    scale_to_zero: bool = False               # self-hosted: autoscale to zero instead of always-on
    idle_timeout_s: float = 300.0             # scale-to-zero keep-warm after the last request
    itl_target_s: float | None = None         # self-hosted inter-token latency target
    ttft_target_s: float | None = None        # self-hosted time-to-first-token target
    training_examples: int | None = None      # None: examples in the logs, else DEFAULT_TRAINING_EXAMPLES
    epochs: int = 3
    retrains_per_year: float = 4.0
    prompt_changes_per_month: float | None = None  # None: from the logs' template churn, else 0
    labelling_usd_per_run: float = 0.0        # data preparation / labelling / evaluation per training run
    engineering_usd: float = 0.0              # one-off integration work
    selfhost_ops_usd_per_month: float = 0.0   # on-call, monitoring for self-hosting
    needs_deep_reasoning: bool = False        # user's flag: the task needs GPT-4-level reasoning
    out_of_domain: bool = False               # user's flag: inputs drift outside what the logs show
    price_files: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        def bad(name: str, rule: str) -> None:
            raise ScenarioError(f"{name}={getattr(self, name)!r}: {rule}")

        if not isinstance(self.workload, Workload):
            raise ScenarioError("workload must be an advisor.Workload (use Workload.typed(...) or logs)")
        if not isinstance(self.horizon_months, int) or not 1 <= self.horizon_months <= 120:
            bad("horizon_months", "a whole number of months from 1 to 120")
        if not -0.5 < self.growth_per_month <= 2.0:
            bad("growth_per_month", "a monthly fraction in (-0.5, 2], e.g. 0.05 for +5%")
        if self.precision not in PRECISION_BYTES:
            bad("precision", f"one of {', '.join(PRECISION_BYTES)}")
        for name in ("retrains_per_year", "labelling_usd_per_run", "engineering_usd", "selfhost_ops_usd_per_month",
                     "idle_timeout_s"):
            if getattr(self, name) < 0:
                bad(name, "must be >= 0")
        if self.prompt_changes_per_month is not None and self.prompt_changes_per_month < 0:
            bad("prompt_changes_per_month", "must be >= 0")
        for name in ("itl_target_s", "ttft_target_s"):
            if getattr(self, name) is not None and getattr(self, name) <= 0:
                bad(name, "a latency target in seconds must be > 0")
        if self.training_examples is not None and self.training_examples < 0:
            bad("training_examples", "must be >= 0")
        if self.epochs < 1:
            bad("epochs", "must be >= 1")
        if isinstance(self.as_of, str):
            object.__setattr__(self, "as_of", dt.date.fromisoformat(self.as_of))
        object.__setattr__(self, "options", tuple(self.options))
        object.__setattr__(self, "price_files", tuple(str(p) for p in self.price_files))

    # effective values -------------------------------------------------------------------------
    @property
    def examples(self) -> int:
        if self.training_examples is not None:
            return self.training_examples
        if self.workload.examples is not None:
            return self.workload.examples
        return DEFAULT_TRAINING_EXAMPLES

    @property
    def prompt_changes(self) -> float:
        if self.prompt_changes_per_month is not None:
            return self.prompt_changes_per_month
        return self.workload.template_changes_per_month or 0.0

    @property
    def effective_retrains_per_year(self) -> float:
        """``max(retrains_per_year, 12 * prompt_changes_per_month)``: a changed prompt means a new model."""
        return max(self.retrains_per_year, 12.0 * self.prompt_changes)

    def assumptions(self) -> list[str]:
        notes = list(self.workload.assumptions)
        if self.training_examples is None and self.workload.examples is None:
            notes.append(f"{DEFAULT_TRAINING_EXAMPLES} training examples (pass training_examples or logs)")
        if self.prompt_changes_per_month is None and self.workload.template_changes_per_month is None:
            notes.append("prompt template stable (0 changes a month; logs measure churn)")
        if self.engineering_usd == 0 and self.labelling_usd_per_run == 0:
            notes.append("no engineering or labelling cost entered: fine-tuning's one-off cost is compute only "
                         "(add --engineering-usd / --labelling-usd for your team's time)")
        return notes

    def with_(self, **changes) -> "Scenario":
        return replace(self, **changes)
