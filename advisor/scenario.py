"""What the user decides with: the workload, the options to price, the horizon and the costs
around fine-tuning. Frozen and validated; every default that stands in for a number the user did
not give is listed by :func:`Scenario.assumptions`.

Public interface (for the CLI, notebooks and the dashboard):

- total cost of ownership: ``engineer_usd_per_hour``, ``review_minutes_per_example``,
  ``eval_set_hours``, ``integration_hours``, ``selfhost_setup_hours``, ``retrain_hours``, ``monitoring_hours_per_month``,
  ``selfhost_ops_hours_per_month``, ``switch_model_hours``, ``eval_examples``, ``judge_model``,
  ``min_replicas``, ``cold_start_s`` (each ``None`` = the sourced default of
  ``pricing/data/people.yaml``); ``labelling_usd_per_run``, ``engineering_usd`` and
  ``selfhost_ops_usd_per_month`` (``None`` = from the people model; a number overrides it).
  :meth:`Scenario.people_costs` resolves them into a :class:`pricing.people.PeopleCosts`.
- latency as a need: ``latency_sensitive`` (the application waits on the answer),
  ``e2e_target_s`` and ``ttft_target_s`` (an option slower than a target cannot be recommended;
  latency-sensitive without a target = no slower end to end than the baseline today).
- shorter fine-tuned prompts: ``static_prompt_tokens`` (the static part of the prompt, for typed numbers;
  None = measured in the logs) and ``ft_prompt_tokens`` (prompt tokens a fine-tuned model reads; None = the
  variable part plus a short instruction, ``advisor.compare.ft_prompt_tokens``).
- cheaper API models: ``include_api_alternatives`` prices every API model cheaper than the baseline
  on the date as a "switch model" option (``OptionSpec.kind == "api"``): None (default) beside the
  default options only, True beside named options too, False never; ``switch_providers`` keeps only those of
  the named providers (``("openai",)``: OpenAI's only).
- a shared multi-adapter deployment (``shared/<model>@<deployment>``) carries this task's adapter with those of
  ``shared_tasks`` (other tasks' traffic); its cost is split by requests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field, replace
from enum import StrEnum

from advisor.errors import ScenarioError
from advisor.fields import FIELDS, PEOPLE, check
from advisor.words import unit_text
from advisor.workload import Workload
from pricing import Catalog
from pricing.people import PeopleCosts, load_people
from pricing.selfhost import PRECISION_BYTES

__all__ = ["Scenario", "OptionSpec", "OptionKind", "parse_option", "default_baseline", "default_options",
           "default_deployment_options",
           "DEFAULT_TRAINING_EXAMPLES", "DEFAULT_SELFHOST_GPUS", "DEFAULT_SELFHOST_MODEL", "PEOPLE_FIELDS"]

DEFAULT_TRAINING_EXAMPLES = 1000  # a common first fine-tuning set for a narrow task
DEFAULT_SELFHOST_MODEL = "mistral-7b"
DEFAULT_SELFHOST_GPUS = ("l4", "a10g", "l40s", "a100-80gb", "h100-sxm")
# The default baseline on a date: the GPT-4-class OpenAI flagship a team most likely paid for that
# day, newest first. A team that calls "gpt-4o" or "gpt-5" pays whatever snapshot the alias served,
# so each generation's flagship is listed (mini/nano and o-series are not GPT-4-class defaults:
# pass them with --baseline). Releases and shutdowns come from the catalog's dates (OpenAI pricing
# and deprecations pages via LiteLLM and genai-prices; shared/facts/prices.md): on 2024-03-28 this
# gives gpt-4-0125-preview (the GPT-4 Turbo of that day), on 2024-06-01 gpt-4o at $5/$15, from
# 2026-04-23 gpt-5.5. Since GPT-5.6 OpenAI sells tiers (Sol, Terra, Luna; Astra above them from GPT-6):
# Sol stands for "GPT-4-class" because OpenAI calls it the flagship tier and it is priced where the
# GPT-4o, GPT-4.1 and GPT-5 flagships were ($2 / $10 per 1M for GPT-6 Sol), while Astra ($10 / $50) is a
# premium frontier tier as o1 and GPT-4.5 were. So from 2026-07-09 the default is the newest Sol:
# gpt-5.6-sol, then gpt-6-sol (2026-09-22), gpt-6.1-sol (2026-09-29), gpt-6.2-sol (2026-11-17).
# A model past its shutdown is skipped here (still priceable with --baseline, with a warning).
_BASELINE_PREFERENCE = ("gpt-6.2-sol", "gpt-6.1-sol", "gpt-6-sol", "gpt-5.6-sol",
                        "gpt-5.5-2026-04-23", "gpt-5.4-2026-03-05", "gpt-5.2-2025-12-11", "gpt-5.1-2025-11-13",
                        "gpt-5-2025-08-07", "gpt-4.1-2025-04-14", "gpt-4o", "gpt-4o-2024-08-06", "gpt-4o-2024-05-13",
                        "gpt-4-turbo-2024-04-09", "gpt-4-0125-preview", "gpt-4-1106-preview", "gpt-4-0613",
                        "gpt-4-0314")


class OptionKind(StrEnum):
    """How an option is served: an API model (no training: "switch model"), a hosted fine-tune billed per token, a
    fine-tune on a provider's dedicated deployment billed per GPU-hour (one fine-tune on it, or a multi-adapter
    deployment shared with other tasks' fine-tunes), or a fine-tuned model on rented GPUs."""

    API = "api"
    HOSTED = "hosted"
    DEDICATED = "dedicated"
    SHARED = "shared"
    SELFHOST = "selfhost"


@dataclass(frozen=True)
class OptionSpec:
    """A candidate: ``kind`` api | hosted | dedicated | shared | selfhost. Self-hosted ids read
    ``selfhost/<model>@<gpu>[:<provider>]`` (provider absent = the cheapest on the date); dedicated deployments
    ``dedicated/<model>@<deployment>`` and shared (multi-adapter) ones ``shared/<model>@<deployment>``, with a
    deployment id of ``deployments.yaml`` (``gpu`` is then the deployment id)."""

    name: str
    kind: OptionKind
    ref: str
    gpu: str | None = None
    provider: str | None = None


def _parse_deployment(name: str, catalog: Catalog) -> OptionSpec:
    kind, body = name.split("/", 1)
    model_id, sep, dep_id = body.partition("@")
    if not sep or not model_id or not dep_id:
        raise ScenarioError(f"option {name!r}: write it as {kind}/<model>@<deployment>, e.g. {kind}/llama-3.1-8b@"
                            f"fireworks-h100 (deployments as of {catalog.as_of}: "
                            f"{', '.join(sorted(catalog.deployments)) or 'none'})")
    model, dep = catalog.open_model(model_id), catalog.deployment(dep_id)
    if model.id not in dep.base_models:
        raise ScenarioError(f"option {name!r}: {dep.id} serves {', '.join(dep.base_models)}, not {model.id}")
    if kind == "shared" and not dep.multi_lora:
        raise ScenarioError(f"option {name!r}: {dep.id} serves one fine-tune per deployment (no multi-LoRA); use "
                            f"dedicated/{model.id}@{dep.id}")
    return OptionSpec(f"{kind}/{model.id}@{dep.id}", OptionKind(kind), model.id, dep.id, dep.provider)


def parse_option(name: str, catalog: Catalog) -> OptionSpec:
    """Resolve an option id against the catalog (aliases accepted, canonical id returned)."""
    if name.startswith(("dedicated/", "shared/")):
        return _parse_deployment(name, catalog)
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
        return OptionSpec(canon, OptionKind.SELFHOST, model.id, gpu.id, provider or None)
    if name in catalog.hosted or name in {a for h in catalog.hosted.values() for a in h.aliases}:
        ep = catalog.hosted_endpoint(name)
        return OptionSpec(ep.id, OptionKind.HOSTED, ep.id)
    try:
        m = catalog.api_model(name)
    except KeyError:
        # one message that covers all three kinds
        from pricing.errors import UnknownEntryError, close_matches
        names = (list(catalog.api_models) + list(catalog.hosted) + list(default_deployment_options(catalog))
                 + [f"selfhost/{DEFAULT_SELFHOST_MODEL}@{g}" for g in catalog.gpus])
        hint = close_matches(name, names)
        raise UnknownEntryError(f"unknown option {name!r} as of {catalog.as_of}"
                                + (f"; close ids: {', '.join(hint)}" if hint else "")
                                + "; options are API model ids, hosted ids (e.g. together/llama-3.1-8b-lora), "
                                  "dedicated/<model>@<deployment>, shared/<model>@<deployment> or "
                                  "selfhost/<model>@<gpu>") from None
    return OptionSpec(m.id, OptionKind.API, m.id)


def default_baseline(catalog: Catalog) -> str:
    """The newest GPT-4-class flagship in force on the catalog date (see ``_BASELINE_PREFERENCE``)."""
    for mid in _BASELINE_PREFERENCE:
        if mid in catalog.api_models:
            return mid
    raise ScenarioError(f"no GPT-4-class model is priced as of {catalog.as_of}; pass --baseline "
                        f"(models that day: {', '.join(sorted(catalog.api_models)) or 'none'})")


def default_deployment_options(catalog: Catalog) -> tuple[str, ...]:
    """Each dedicated deployment offered on the date with its first base model (one fine-tune on it), and the same
    deployment shared by several tasks' adapters where it serves more than one (multi-LoRA)."""
    out: list[str] = []
    for d in sorted(catalog.deployments.values(), key=lambda d: d.id):
        out.append(f"dedicated/{d.base_models[0]}@{d.id}")
        if d.multi_lora:
            out.append(f"shared/{d.base_models[0]}@{d.id}")
    return tuple(out)


def default_options(catalog: Catalog) -> tuple[str, ...]:
    """Every hosted fine-tuned endpoint in force (each has a training price: the catalog requires one; those closed
    to new training are priced and flagged), every dedicated deployment (and its shared multi-adapter form), and
    Mistral-7B on each default GPU that has a price on the date."""
    hosted = list(catalog.hosted)
    selfhost = [f"selfhost/{DEFAULT_SELFHOST_MODEL}@{g}" for g in DEFAULT_SELFHOST_GPUS
                if g in catalog.gpus and catalog.gpus[g].prices]
    return tuple(hosted + list(default_deployment_options(catalog)) + selfhost)


# Scenario fields that override a people.yaml default (None = the default), with their valid range (declared
# once, in advisor.fields).
PEOPLE_FIELDS: dict[str, tuple[float, float]] = {
    name: (float(FIELDS[name].lo or 0.0), float(FIELDS[name].hi or 0.0)) for name in PEOPLE}
MAX_END_REQUESTS_PER_DAY = 1e10  # growth may not carry the volume past this within the horizon




@dataclass(frozen=True)
class Scenario:
    """Inputs of one decision. Money in USD, time in months, volumes in requests/day, latency in seconds.
    Defaults other than None (not set) are declared in :data:`advisor.fields.FIELDS` (``Field.default``)."""

    workload: Workload
    baseline: str | None = None               # None: default_baseline(catalog)
    options: tuple[str, ...] = ()             # (): default_options(catalog) (+ cheaper API models)
    horizon_months: int = FIELDS["horizon_months"].default
    growth_per_month: float = FIELDS["growth_per_month"].default  # 0.05 = +5% volume a month
    as_of: dt.date | None = None              # price date (None: today)
    batch: bool = FIELDS["batch"].default  # baseline through the Batch API
    precision: str = FIELDS["precision"].default  # self-hosted weights
    scale_to_zero: bool = FIELDS["scale_to_zero"].default  # self-hosted: autoscale to zero instead of always-on
    idle_timeout_s: float = FIELDS["idle_timeout_s"].default  # scale-to-zero keep-warm after the last request
    itl_target_s: float | None = None         # self-hosted inter-token latency target
    ttft_target_s: float | None = None        # time-to-first-token target (every option)
    e2e_target_s: float | None = None         # end-to-end latency target (every option)
    latency_sensitive: bool = FIELDS["latency_sensitive"].default  # users wait on the answer (no target: no slower than today)
    training_examples: int | None = None      # None: examples in the logs, else DEFAULT_TRAINING_EXAMPLES
    epochs: int = FIELDS["epochs"].default
    retrains_per_year: float = FIELDS["retrains_per_year"].default
    prompt_changes_per_month: float | None = None  # None: from the logs' template churn, else 0
    # people's time (None: the sourced default in pricing/data/people.yaml)
    engineer_usd_per_hour: float | None = None
    review_minutes_per_example: float | None = None
    eval_set_hours: float | None = None
    integration_hours: float | None = None
    selfhost_setup_hours: float | None = None
    retrain_hours: float | None = None
    monitoring_hours_per_month: float | None = None
    selfhost_ops_hours_per_month: float | None = None
    switch_model_hours: float | None = None
    eval_examples: int | None = None
    judge_model: str | None = None            # evaluation judge (None: the baseline)
    min_replicas: int | None = None           # always-on self-hosted replicas (None: 2)
    cold_start_s: float | None = None         # scale-to-zero cold start (None: 82 s)
    # money overrides of the people model (None: computed from the hours above)
    labelling_usd_per_run: float | None = None  # data review + evaluation people cost per training run
    engineering_usd: float | None = None        # one-off eval-set, integration (and self-hosting setup) work
    selfhost_ops_usd_per_month: float | None = None  # on-call, upgrades for self-hosting
    static_prompt_tokens: float | None = None   # static prompt part (instructions, few-shot) per request (None: logs)
    ft_prompt_tokens: float | None = None       # prompt tokens a fine-tuned model reads (None: variable + instruction)
    include_api_alternatives: bool | None = None   # cheaper API models as "switch model" options: None = beside
    #                                                the default options only, True = beside named ones too
    needs_deep_reasoning: bool = FIELDS["needs_deep_reasoning"].default  # user's flag: the task needs GPT-4-level reasoning
    out_of_domain: bool = FIELDS["out_of_domain"].default  # user's flag: inputs drift outside what the logs show
    price_files: tuple[str, ...] = field(default=())
    switch_providers: tuple[str, ...] = ()   # cheaper API models only of these providers ((): every provider)
    shared_tasks: tuple[Workload, ...] = ()  # other tasks whose adapters share a multi-adapter deployment

    def __post_init__(self) -> None:
        def bad(name: str, rule: str) -> None:
            raise ScenarioError(f"{name}={getattr(self, name)!r}: {rule}", field=name)

        if not isinstance(self.workload, Workload):
            raise ScenarioError("workload must be an advisor.Workload (use Workload.typed(...) or logs)")
        for name in _CHECKED:   # every number's range, from its one declaration in advisor.fields
            rule = check(name, getattr(self, name), optional=name in _OPTIONAL)
            if rule is not None:
                bad(name, rule)
        if self.precision not in PRECISION_BYTES:
            bad("precision", f"one of {', '.join(PRECISION_BYTES)}")
        if isinstance(self.horizon_months, float):
            object.__setattr__(self, "horizon_months", int(self.horizon_months))
        end = self.workload.requests_per_day * (1.0 + self.growth_per_month) ** (self.horizon_months - 1)
        if end > MAX_END_REQUESTS_PER_DAY:
            raise ScenarioError(f"growth_per_month={self.growth_per_month!r} over horizon_months={self.horizon_months} "
                                f"takes {self.workload.requests_per_day:,.0f} requests/day to {end:.3g}; keep the "
                                f"volume at the horizon under {MAX_END_REQUESTS_PER_DAY:.0e} (lower growth or horizon)",
                                field="growth_per_month")
        if isinstance(self.as_of, str):
            try:
                object.__setattr__(self, "as_of", dt.date.fromisoformat(self.as_of))
            except ValueError:
                bad("as_of", "a date YYYY-MM-DD")
        if isinstance(self.options, str) or not all(isinstance(o, str) and o for o in self.options):
            bad("options", "a list of option ids (strings), e.g. ['openpipe/mistral-7b']")
        for name in ("baseline", "judge_model"):
            v = getattr(self, name)
            if v is not None and (not isinstance(v, str) or not v):
                bad(name, "a model id (string), or None for the default")
        object.__setattr__(self, "options", tuple(self.options))
        object.__setattr__(self, "price_files", tuple(str(p) for p in self.price_files))
        if isinstance(self.switch_providers, str) or not all(isinstance(p, str) and p for p in self.switch_providers):
            bad("switch_providers", "a list of provider ids, e.g. ['openai', 'google'] (() = every provider)")
        object.__setattr__(self, "switch_providers", tuple(p.strip().lower() for p in self.switch_providers))
        if not all(isinstance(t, Workload) for t in self.shared_tasks):
            bad("shared_tasks", "a list of advisor.Workload (the other tasks on the shared deployment)")
        object.__setattr__(self, "shared_tasks", tuple(self.shared_tasks))

    # effective values -------------------------------------------------------------------------
    @property
    def examples(self) -> int:
        if self.training_examples is not None:
            return self.training_examples
        if self.workload.examples is not None:
            return self.workload.examples
        return DEFAULT_TRAINING_EXAMPLES

    @property
    def static_prompt(self) -> float:
        """Static prompt tokens per request: as given, else measured in the logs, else 0 (unknown)."""
        if self.static_prompt_tokens is not None:
            return float(self.static_prompt_tokens)
        return float(self.workload.static_prompt_tokens or 0.0)

    @property
    def prompt_changes(self) -> float:
        if self.prompt_changes_per_month is not None:
            return self.prompt_changes_per_month
        return self.workload.template_changes_per_month or 0.0

    @property
    def effective_retrains_per_year(self) -> float:
        """``max(retrains_per_year, 12 * prompt_changes_per_month)``: a changed prompt means a new model."""
        return max(self.retrains_per_year, 12.0 * self.prompt_changes)

    def people_costs(self) -> PeopleCosts:
        """People and operating inputs: the sourced defaults, replaced by every field the user set."""
        base = load_people().costs()
        given = {k: getattr(self, k) for k in PEOPLE_FIELDS if getattr(self, k) is not None}
        for k in ("eval_examples", "min_replicas"):
            if k in given:
                given[k] = int(given[k])
        return base.model_copy(update=given)

    def assumptions(self) -> list[str]:
        notes = list(self.workload.assumptions)
        if self.training_examples is None and self.workload.examples is None:
            notes.append(f"{DEFAULT_TRAINING_EXAMPLES} training examples (pass training_examples or logs)")
        if self.prompt_changes_per_month is None and self.workload.template_changes_per_month is None:
            notes.append("prompt template stable (0 changes a month; logs measure churn)")
        notes += self.people_assumptions()
        return notes

    def people_assumptions(self) -> list[str]:
        """One line per people/operating default in use (not overridden), with unit and source."""
        d = load_people()
        p = self.people_costs()
        out = []
        if self.engineer_usd_per_hour is None:
            w, m = d.entries["engineer_wage_usd_per_hour"], d.entries["loaded_cost_multiplier"]
            out.append(f"engineer's time ${p.engineer_usd_per_hour:,.2f}/h = median wage ${w.value:g}/h x "
                       f"{m.value:g} loaded-cost multiplier ({w.source.split(':')[0]}; {m.source.split(':')[0]})")
        overridden = {"review_minutes_per_example": self.labelling_usd_per_run,
                      "retrain_hours": self.labelling_usd_per_run,
                      "integration_hours": self.engineering_usd, "eval_set_hours": self.engineering_usd,
                      "selfhost_setup_hours": self.engineering_usd,
                      "selfhost_ops_hours_per_month": self.selfhost_ops_usd_per_month}
        for k in PEOPLE_FIELDS:
            if getattr(self, k) is not None or overridden.get(k) is not None or k not in d.entries:
                continue
            e = d.entries[k]
            why = "assumption, basis in pricing/data/people.yaml" if e.basis == "assumption" else e.source
            out.append(f"{k.replace('_', ' ')} = {unit_text(e.value, e.unit)} ({why})")
        if self.judge_model is None:
            out.append("evaluation judged by the baseline when it is GPT-4-class, else by the newest GPT-4-class model "
                       "on the date (set judge_model to change)")
        return out

    def with_(self, **changes) -> Scenario:
        return replace(self, **changes)


# numbers whose range the Scenario checks (from advisor.fields), and those that may be None (= a default)
_NUMBERS = {f.name for f in dataclasses.fields(Scenario)}
_CHECKED = tuple(n for n, f in FIELDS.items() if n in _NUMBERS and f.kind in (int, float))
_OPTIONAL = frozenset(f.name for f in dataclasses.fields(Scenario) if f.default is None)
