"""Each path's option priced on one workload (:class:`advisor.options.PricedOption`): the baseline and a switch to
another API model, a fine-tune served per token, on a dedicated or shared hosted deployment, or self-hosted; each
with its latency, capacity and total cost of ownership. :mod:`advisor.compare` prices every option of a scenario
with these and ranks them.

Total cost of ownership (people's time from ``pricing/data/people.yaml``, see ``pricing.people``):

- a fine-tune's one-off = training compute + review of the examples + eval set and integration
  (+ self-hosting setup) + one evaluation run (``eval_examples`` judged by the judge model, priced from the catalog);
- its recurring cost a month = ``retrains_per_year / 12 * (compute + retrain people + evaluation)``
  + monitoring (+ operations for self-hosting);
- a "switch model" option (a cheaper API model, no training) = eval set + switch hours + one evaluation run
  (+ the move to another provider);
- each people item keeps the spread of its sourced entry (``pricing.people``), so the Monte Carlo and tornado draw
  it and :func:`advisor.horizon.one_off_quantile_usd` gives the one-off's P10/P90;
- fine-tuned options read a shorter prompt (:func:`ft_prompt_tokens`): the static system prompt measured in the
  logs gives way to a short instruction;
- self-hosted serving keeps at least ``min_replicas`` GPUs always on (default 2), or scales to
  zero and pays its cold starts (GPU time while loading, and latency for the requests that wait).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass, field

import numpy as np

from advisor.errors import ScenarioError
from advisor.options import Path, PeopleItem, PricedOption, Role, cold_start_share
from advisor.scenario import _BASELINE_PREFERENCE as GPT4_CLASS  # the catalog's GPT-4-class ids, newest first
from advisor.scenario import OptionKind, OptionSpec, Scenario, default_baseline, parse_option
from advisor.workload import DAYS_PER_MONTH
from pricing import Catalog, api_request_cost_usd, capacity_curve, hosted_request_cost_usd
from pricing.deployment import AdapterLoad, combine_loads, deployments_needed
from pricing.people import PeopleCosts, Spread, eval_run_usd, hours_usd, judge_tokens, load_people
from pricing.selfhost import ServingEfficiency, operating_index, peak_requests_per_s, replicas_for_peak
from pricing.training import TrainingRun, hosted_training_cost_usd, selfrun_training_cost_usd

__all__ = ["LatencyTargets", "latency_targets", "service_end", "judge_model", "provider_move_hours",
           "FT_COUNTS_TOKENIZER", "ft_prompt_tokens", "served_tokens", "HOSTED_LATENCY_CONCURRENCY",
           "DEPLOYMENT_MIN_IDLE_S"]

HOSTED_LATENCY_CONCURRENCY = 8   # shared endpoint load assumed for hosted latency estimates


# ---------------------------------------------------------------------------------------------
# latency as a need


@dataclass(frozen=True)
class LatencyTargets:
    """Targets every option is held to (seconds; None = none). ``why`` says where each came from."""

    e2e_s: float | None = None
    ttft_s: float | None = None
    itl_s: float | None = None
    why: str = ""

    @property
    def any(self) -> bool:
        return any(x is not None for x in (self.e2e_s, self.ttft_s, self.itl_s))

    @property
    def for_api(self) -> LatencyTargets:
        """The targets an API model is held to: the inter-token target is self-hosting's (``--itl-target-ms``), so
        an API model, whose inter-token latency no one publishes, is not dropped for want of it."""
        return dataclasses.replace(self, itl_s=None)


def latency_targets(s: Scenario, baseline_e2e_s: float | None) -> LatencyTargets:
    """The user's targets; latency-sensitive without an end-to-end target = no slower than the baseline."""
    e2e, why = s.e2e_target_s, "as given"
    if e2e is None and s.latency_sensitive and baseline_e2e_s:
        e2e, why = baseline_e2e_s, "latency-sensitive: no slower end to end than the baseline today"
    return LatencyTargets(e2e, s.ttft_target_s, s.itl_target_s, why)


def service_end(until: dt.date | None, s: Scenario, cat: Catalog, name: str) -> tuple[bool, list[str]]:
    """Whether an option stops being served before the horizon ends (catalog date + horizon months),
    with the note that says so. A model you cannot call in month 3 cannot pay off over 12.

    >>> import datetime as dt
    >>> from types import SimpleNamespace as NS
    >>> service_end(dt.date(2027, 1, 14), NS(horizon_months=12), NS(as_of=dt.date(2026, 11, 25)), "ft")[0]
    True
    >>> service_end(dt.date(2027, 1, 14), NS(horizon_months=1), NS(as_of=dt.date(2026, 11, 25)), "ft")
    (False, ['ft stops serving on 2027-01-14 (provider shutdown)'])
    >>> service_end(dt.date(2026, 10, 23), NS(horizon_months=12), NS(as_of=dt.date(2026, 12, 6)), "ft")[1]
    ['ft stopped serving on 2026-10-23 (provider shutdown): not recommended']
    """
    if until is None:
        return False, []
    horizon_end = cat.as_of + dt.timedelta(days=round(s.horizon_months * DAYS_PER_MONTH))
    if until <= cat.as_of:   # past: said in the past tense
        return True, [f"{name} stopped serving on {until} (provider shutdown): not recommended"]
    if until < horizon_end:
        return True, [f"{name} stops serving on {until}, before the {s.horizon_months}-month horizon ends "
                      f"({horizon_end}): not recommended"]
    return False, [f"{name} stops serving on {until} (provider shutdown)"]


def _meets(t: LatencyTargets, ttft: float | None, e2e: float | None, itl: float | None = None) -> bool | None:
    """False when a known latency misses its target; None without targets or with an unknown figure."""
    if not t.any:
        return None
    pairs = [(tgt, v) for tgt, v in ((t.e2e_s, e2e), (t.ttft_s, ttft), (t.itl_s, itl)) if tgt is not None]
    if any(v is not None and v > tgt for tgt, v in pairs):
        return False
    return None if any(v is None for _, v in pairs) else True


# ---------------------------------------------------------------------------------------------
# total cost of ownership pieces


def _judge_usd_per_request(s: Scenario, cat: Catalog, judge: str, p: PeopleCosts) -> float:
    w = s.workload
    n_in, n_out = judge_tokens(p, w.prompt_tokens, w.completion_tokens)
    price = cat.api_model(judge).price
    assert price is not None, "the catalog's API models are resolved to a price"
    return float(api_request_cost_usd(n_in, n_out, price))


@dataclass(frozen=True)
class _Tco:
    """People and evaluation costs common to every option of one scenario."""

    people: PeopleCosts
    eval_usd: float           # one evaluation run
    judge: str
    spreads: dict = field(default_factory=dict, hash=False, compare=False)   # each people entry's spread, read once

    def _hours(self, label: str, entry: str, hours: float, *, recurring: bool = False) -> PeopleItem:
        """People's time of one sourced entry: ``hours`` at the engineer's rate, with the entry's spread."""
        return PeopleItem(label, hours_usd(self.people, hours), self.spreads.get(entry, _NO_SPREAD), recurring)

    def fine_tune(self, s: Scenario, compute_usd_per_run: float, *, selfhost: bool) -> _Costs:
        """The costs of a fine-tuned option: compute, people (review, eval set, fine-tuning runs and integration,
        self-hosting setup; retraining, monitoring, operations) and evaluation runs."""
        p = self.people
        people: list[PeopleItem] = [
            PeopleItem("review of training examples", s.labelling_usd_per_run) if s.labelling_usd_per_run is not None
            else self._hours("review of training examples", "review_minutes_per_example",
                             p.review_minutes_per_example * s.examples / 60.0)]
        if s.engineering_usd is not None:
            people.append(PeopleItem("eval set, fine-tuning runs and integration" + (", self-hosting setup" if selfhost
                                                                                    else ""), s.engineering_usd))
        else:
            people += [self._hours("eval set", "eval_set_hours", p.eval_set_hours),
                       self._hours("fine-tuning runs and integration", "integration_hours", p.integration_hours)]
            if selfhost:
                people.append(self._hours("self-hosting setup", "selfhost_setup_hours", p.selfhost_setup_hours))
        per_year = s.effective_retrains_per_year / 12.0
        retrain = (PeopleItem("retraining people", per_year * s.labelling_usd_per_run, recurring=True)
                   if s.labelling_usd_per_run is not None else
                   self._hours("retraining people", "retrain_hours", per_year * p.retrain_hours, recurring=True))
        people += [retrain, self._hours("monitoring", "monitoring_hours_per_month", p.monitoring_hours_per_month,
                                        recurring=True)]
        if selfhost:
            people.append(PeopleItem("self-hosting operations", s.selfhost_ops_usd_per_month, recurring=True)
                          if s.selfhost_ops_usd_per_month is not None else
                          self._hours("self-hosting operations", "selfhost_ops_hours_per_month",
                                      p.selfhost_ops_hours_per_month, recurring=True))
        one_off = (("training compute", compute_usd_per_run), *((i.label, i.usd) for i in people if not i.recurring),
                   (f"evaluation ({self.judge} as judge)", self.eval_usd))
        rec = (("retraining compute and evaluation", per_year * (compute_usd_per_run + self.eval_usd)),
               *((i.label, i.usd) for i in people if i.recurring))
        return _Costs(one_off, rec, tuple(people))

    def switch(self, *, other_provider: bool = False) -> _Costs:
        """A switch to another API model: the eval set, the switch itself and one evaluation run; moving to another
        provider adds ``provider_move_hours`` (people.yaml: account, SDK and prompt adaptation)."""
        p = self.people
        people: tuple[PeopleItem, ...] = (self._hours("eval set", "eval_set_hours", p.eval_set_hours),
                                          self._hours("switch and roll out", "switch_model_hours", p.switch_model_hours))
        if other_provider:
            people += (self._hours("move to another provider", "provider_move_hours", provider_move_hours()),)
        one_off = (*((i.label, i.usd) for i in people), (f"evaluation ({self.judge} as judge)", self.eval_usd))
        return _Costs(one_off, (), people)


@dataclass(frozen=True)
class _Costs:
    """An option's one-off and recurring items (label, USD) and the people items among them."""

    one_off_items: tuple[tuple[str, float], ...]
    recurring_items: tuple[tuple[str, float], ...]
    people: tuple[PeopleItem, ...]

    @property
    def one_off_usd(self) -> float:
        return sum(v for _, v in self.one_off_items)

    @property
    def recurring_usd_per_month(self) -> float:
        return sum(v for _, v in self.recurring_items)

    def fields(self) -> dict:
        """The :class:`PricedOption` fields these costs fill."""
        return dict(one_off_usd=self.one_off_usd, recurring_usd_per_month=self.recurring_usd_per_month,
                    one_off_items=self.one_off_items, recurring_items=self.recurring_items, people=self.people)


def provider_move_hours() -> float:
    """Hours to move an application to another LLM provider (people.yaml ``provider_move_hours``, sourced there)."""
    return load_people().entries["provider_move_hours"].value


def judge_model(s: Scenario, cat: Catalog, baseline_name: str) -> str:
    """The evaluation judge: the user's, else the baseline when it is GPT-4-class, else the newest
    GPT-4-class model on the date (a small model is no judge of a fine-tune)."""
    if s.judge_model:
        spec = parse_option(s.judge_model, cat)
        if spec.kind != OptionKind.API:
            raise ScenarioError(f"judge_model={s.judge_model!r}: the judge must be an API model id, e.g. gpt-4o")
        return spec.name
    if baseline_name in GPT4_CLASS:
        return baseline_name
    try:
        return default_baseline(cat)
    except ScenarioError:
        return baseline_name


def _tco(s: Scenario, cat: Catalog, baseline_name: str) -> _Tco:
    p = s.people_costs()
    judge = judge_model(s, cat, baseline_name)
    spreads = {k: d.spread for k, d in load_people().entries.items()}
    return _Tco(p, eval_run_usd(p, _judge_usd_per_request(s, cat, judge, p)), judge, spreads)


_NO_SPREAD = Spread(0.0, 0.0)   # an entry the people file lacks (as PeopleDefaults.spread)


# The tokenizer whose counts fill Workload.ft_* (the logs count with Mistral's v1 model).
FT_COUNTS_TOKENIZER = "mistral-v1"


def ft_prompt_tokens(s: Scenario) -> tuple[float, str | None]:
    """Prompt tokens a fine-tuned model reads per request (the API's tokenizer), and the assumption said about it.

    ``s.ft_prompt_tokens`` when given; else ``P - max(S - I, 0)``: the static prompt S (typed
    ``static_prompt_tokens``, else measured in the logs, else 0) gives way to a short instruction of I tokens
    (``ft_instruction_tokens`` in ``pricing/data/people.yaml``), never lengthening the prompt. Worked example:
    1,200 tokens of which 800 static, I = 50: ``1,200 - (800 - 50) = 450``.

    >>> from advisor.workload import Workload
    >>> ft_prompt_tokens(Scenario(Workload.typed(100, 1200, 300), static_prompt_tokens=800))[0]
    450.0
    >>> ft_prompt_tokens(Scenario(Workload.typed(100, 1200, 300)))
    (1200.0, None)
    """
    w = s.workload
    if s.ft_prompt_tokens is not None:
        return float(s.ft_prompt_tokens), (f"fine-tuned options read {s.ft_prompt_tokens:,.0f} prompt tokens a request "
                                           "(as given)")
    static = min(s.static_prompt, w.prompt_tokens)
    if static <= 0:
        return float(w.prompt_tokens), None
    inst = load_people().entries["ft_instruction_tokens"].value
    ft = float(w.prompt_tokens - max(static - inst, 0.0))
    where = "as given" if s.static_prompt_tokens is not None else "measured in the logs"
    return ft, (f"fine-tuned options read {ft:,.0f} prompt tokens a request: the variable {w.prompt_tokens - static:,.0f} "
                f"plus a {min(inst, static):,.0f}-token instruction in place of the {static:,.0f}-token static system "
                f"prompt ({where}), which the fine-tune learns (OpenAI's fine-tuning guide; OpenPipe's pruning rules, "
                "advised from 10,000 examples); pass --ft-prompt-tokens to change")


def served_tokens(w, tokenizer: str, s: Scenario | None = None) -> tuple[float, float, str | None]:
    """(prompt, completion) tokens per request as the served fine-tuned model counts them, and a note.

    The 7B counts in the workload are Mistral's; a model with another tokenizer that is not
    shipped offline (Llama-3's 128k vocabulary extends cl100k, Qwen2's is 152k) is counted with
    the API's tokens instead, and the note says so. With a scenario, the prompt is the fine-tuned one
    (:func:`ft_prompt_tokens`), in the same ratio to the 7B count as to the API's.
    """
    scale = 1.0
    if s is not None and w.prompt_tokens > 0:
        scale = ft_prompt_tokens(s)[0] / w.prompt_tokens
    if tokenizer == FT_COUNTS_TOKENIZER:
        return w.ft_prompt * scale, w.ft_completion, None
    note = None if tokenizer in ("cl100k_base", "o200k_base") else \
        f"{tokenizer} tokenizer not available offline: billed on the API's token counts"
    return w.prompt_tokens * scale, w.completion_tokens, note


def _trainable(ep, cat: Catalog) -> bool:
    """Whether a team new to the provider can train this endpoint's fine-tune on the catalog date (the catalog's
    ``training_access`` steps, :attr:`pricing.schema.HostedEndpoint.trainable`)."""
    return bool(ep.trainable)


# what a catalog entry's price history, sources and names hold: none of it moves a capacity curve
_NOT_SPECS = frozenset({"prices", "history", "source", "aliases", "name", "price", "known_on"})


class _Same:
    """A catalog entry as a cache key, by the specs the capacity model reads: an entry's fields other than its
    prices, sources and names (:data:`_NOT_SPECS`). Each :func:`pricing.load_catalog` gives its GPUs that
    day's prices in new objects, so keying on the object itself missed on every page re-run (the curves of
    30 options computed again each time). An entry whose specs are not hashable is keyed on the object (the key
    holds it, so its id is not reused while cached).

    >>> from pricing import load_catalog
    >>> a, b = load_catalog("2026-06-01").gpu("l4"), load_catalog("2026-12-06").gpu("l4")
    >>> a is b, _Same(a) == _Same(b), _Same(a) == _Same(load_catalog("2026-06-01").gpu("a10g"))
    (False, True, False)
    """

    __slots__ = ("entry", "key")

    def __init__(self, entry):
        self.entry = entry
        key: tuple = (id(entry),)
        if dataclasses.is_dataclass(entry):
            specs = tuple((f.name, getattr(entry, f.name)) for f in dataclasses.fields(entry) if f.name not in _NOT_SPECS)
            try:
                hash(specs)
                key = (type(entry).__qualname__, specs)
            except TypeError:
                pass
        self.key = key

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Same) and other.key == self.key


@functools.lru_cache(maxsize=128)
def _capacity_curve(model: _Same, gpu: _Same, n_in: float, n_out: float, precision: str,
                    eff: ServingEfficiency | None = None) -> dict[str, np.ndarray]:
    """``pricing.capacity_curve``, once per (model, GPU, tokens, precision, efficiency): every task of a page
    and every re-run at another volume asks again. Read-only arrays (shared by the options priced from it)."""
    m, g = model.entry, gpu.entry
    curve = capacity_curve(m, g, n_in, n_out, precision) if eff is None else capacity_curve(m, g, n_in, n_out, precision, eff)
    for a in curve.values():
        if isinstance(a, np.ndarray):
            a.setflags(write=False)
    return curve


def _latency_at_load(curve: dict, rps_per_replica: float) -> int:
    """Index of the smallest concurrency whose throughput carries the per-replica peak rate."""
    idx = np.flatnonzero(curve["requests_per_s"] >= rps_per_replica)
    return int(idx[0]) if idx.size else len(curve["batch"]) - 1


def _training_run(s: Scenario, tokens_per_example: float) -> TrainingRun:
    return TrainingRun(examples=s.examples, tokens_per_example=tokens_per_example, epochs=s.epochs)


@dataclass(frozen=True)
class _GpuServing:
    """One GPU option at the scenario's volume: capacity at the latency targets, replicas, latency under load."""

    curve: dict
    rps_cap: float              # one replica's requests/s at the largest concurrency meeting the targets
    concurrency: int            # that concurrency
    replicas: int
    ttft_s: float
    e2e_s: float
    itl_s: float
    service_s: float            # end-to-end time of one request under load (keeps a scaled replica busy)
    meets: bool | None
    cold_share: float | None


def _gpu_serving(model, gpu, n_in: float, n_out: float, precision: str, t: LatencyTargets, *, requests_per_day: float,
                 peak_to_mean: float, min_replicas: int, scale_to_zero: bool, idle_timeout_s: float,
                 cold_start_s: float, ttft_factor: float = 1.0) -> _GpuServing:
    """The self-hosting capacity model for any GPU option (rented, or a provider's dedicated deployment): the largest
    concurrency whose latencies meet the targets (TTFT times ``ttft_factor``, a multi-adapter overhead) sets one
    replica's throughput; the busiest hour sets the replicas (at least ``min_replicas`` unless scaled to zero); the
    latency is read at the load each replica then carries, plus the mean cold-start wait with scale-to-zero."""
    curve = _capacity_curve(_Same(model), _Same(gpu), n_in, n_out, precision, ServingEfficiency())
    ttft_target = None if t.ttft_s is None else t.ttft_s / ttft_factor
    i_cap, feasible = operating_index(curve, itl_target_s=t.itl_s, ttft_target_s=ttft_target, e2e_target_s=t.e2e_s)
    rps_cap = float(curve["requests_per_s"][i_cap])
    replicas = int(replicas_for_peak(requests_per_day, peak_to_mean, rps_cap))
    if not scale_to_zero:
        replicas = max(replicas, min_replicas)
    peak_rps = float(peak_requests_per_s(requests_per_day, peak_to_mean))
    i_op = min(_latency_at_load(curve, peak_rps / replicas), i_cap)
    extra_ttft = float(curve["ttft_s"][i_op]) * (ttft_factor - 1.0)
    ttft, e2e, itl = (float(curve["ttft_s"][i_op]) + extra_ttft, float(curve["e2e_s"][i_op]) + extra_ttft,
                      float(curve["itl_s"][i_op]))
    service_s, cold = e2e, None
    if scale_to_zero:
        cold = float(cold_start_share(requests_per_day, idle_timeout_s, e2e))
        ttft, e2e = ttft + cold * cold_start_s, e2e + cold * cold_start_s
    meets = _meets(t, ttft, e2e, itl) if feasible else (False if t.any else None)
    return _GpuServing(curve, rps_cap, int(curve["batch"][i_cap]), replicas, ttft, e2e, itl, service_s, meets, cold)


def _price_selfhost(spec: OptionSpec, s: Scenario, cat: Catalog, t: LatencyTargets, tco: _Tco) -> PricedOption:
    w, p = s.workload, tco.people
    assert spec.gpu is not None, "parse_option gives every self-hosted option its GPU"
    model, gpu = cat.open_model(spec.ref), cat.gpu(spec.gpu)
    gp = gpu.prices[spec.provider] if spec.provider else gpu.cheapest()
    n_in, n_out, tok_note = served_tokens(w, model.tokenizer, s)
    g = _gpu_serving(model, gpu, n_in, n_out, s.precision, t, requests_per_day=w.requests_per_day,
                     peak_to_mean=w.peak_to_mean, min_replicas=p.min_replicas, scale_to_zero=s.scale_to_zero,
                     idle_timeout_s=s.idle_timeout_s, cold_start_s=p.cold_start_s)
    notes = [f"{gpu.name} from {gp.provider} at {gp.usd_per_hour:g} USD/h; up to {g.concurrency} "
             f"concurrent requests per GPU ({g.rps_cap:.2f} req/s)"]
    if s.scale_to_zero:
        notes.append(f"scale-to-zero: {g.cold_share:.0%} of requests wait for a {p.cold_start_s:g} s cold start "
                     "(mean latencies include it)")
        if gp.billing != "per_second":
            notes.append(f"scale-to-zero assumed although {gp.provider} bills by the hour")
    else:
        notes.append(f"at least {p.min_replicas} GPUs always on (redundancy)")
    if tok_note:
        notes.append(tok_note)
    run = _training_run(s, n_in + n_out)
    per_run = selfrun_training_cost_usd(run, model, gpu, gp.usd_per_hour, precision=s.precision)
    costs = tco.fine_tune(s, per_run, selfhost=True)
    return PricedOption(
        name=spec.name, kind=OptionKind.SELFHOST, fine_tuned=True, usd_per_request=None,
        usd_per_gpu_hour=gp.usd_per_hour, replica_requests_per_s=g.rps_cap, peak_to_mean=w.peak_to_mean,
        scale_to_zero=s.scale_to_zero, idle_timeout_s=s.idle_timeout_s, service_s=g.service_s,
        min_replicas=p.min_replicas, cold_start_s=p.cold_start_s if s.scale_to_zero else 0.0,
        training_usd_per_run=per_run, ttft_s=g.ttft_s, e2e_s=g.e2e_s, itl_s=g.itl_s, meets_latency=g.meets,
        cold_start_share=g.cold_share, role=Role.FINE_TUNE, path=Path.SELFHOST, **costs.fields(), provider=gp.provider,
        sources=(gp.source, gpu.source, model.source), notes=tuple(notes), curve=g.curve)


# A provider's scale-to-zero window has a floor (Fireworks: --scale-to-zero-window min 5 minutes)
DEPLOYMENT_MIN_IDLE_S = 300.0


def _sharers(tasks: tuple, model) -> tuple[tuple, int]:
    """(the other tasks a multi-adapter deployment of ``model`` can serve, how many it cannot): a task whose mean
    request (prompt + completion, as the model counts them) exceeds the model's context stays off the deployment,
    so that one long task neither breaks the pricing nor inflates the shared load.

    >>> from advisor.workload import Workload
    >>> from pricing import load_catalog
    >>> model = load_catalog("2026-12-06").open_model("llama-3.1-8b")   # context 131,072 tokens
    >>> kept, left = _sharers((Workload.typed(100, 900, 100), Workload.typed(50, 200_000, 300)), model)
    >>> [t.prompt_tokens for t in kept], left
    ([900], 1)
    """
    kept = tuple(o for o in tasks if sum(served_tokens(o, model.tokenizer)[:2]) <= model.context_tokens)
    return kept, len(tasks) - len(kept)


def _price_deployment(spec: OptionSpec, s: Scenario, cat: Catalog, t: LatencyTargets, tco: _Tco) -> PricedOption:
    """A fine-tune on a provider's dedicated deployment, alone (``dedicated/``, merged into the base) or beside other
    tasks' adapters on one multi-adapter deployment (``shared/``): GPU-hours at the provider's price for the replicas
    the (combined) volume needs, split by requests when shared; training at the provider's per-token price."""
    w = s.workload
    assert spec.gpu is not None, "parse_option gives a deployment option its deployment id"
    dep, model = cat.deployment(spec.gpu), cat.open_model(spec.ref)
    gpu, price = cat.gpu(dep.gpu), dep.price
    assert price is not None, "a deployment in the dated view has a price in force"
    shared = spec.kind == OptionKind.SHARED
    n_in, n_out, tok_note = served_tokens(w, model.tokenizer, s)
    others, too_long = _sharers(s.shared_tasks if shared else (), model)
    loads = [AdapterLoad(w.requests_per_day, n_in, n_out, w.peak_to_mean)] + [
        AdapterLoad(o.requests_per_day, *served_tokens(o, model.tokenizer)[:2], o.peak_to_mean) for o in others]
    load = combine_loads(loads)
    n_deployments = deployments_needed(len(loads), dep.adapters_per_deployment)
    stz = s.scale_to_zero and dep.scale_to_zero
    idle = max(s.idle_timeout_s, DEPLOYMENT_MIN_IDLE_S)
    g = _gpu_serving(model, gpu, load.prompt_tokens, load.completion_tokens, "bf16", t,
                     requests_per_day=load.requests_per_day, peak_to_mean=load.peak_to_mean,
                     min_replicas=dep.min_replicas * n_deployments, scale_to_zero=stz, idle_timeout_s=idle,
                     cold_start_s=dep.cold_start_s, ttft_factor=dep.multi_lora_ttft_factor if shared else 1.0)
    billed = dep.billing.replace("_", " ")
    notes = [f"{dep.provider} dedicated {gpu.name} at {price.usd_per_gpu_hour:g} USD/GPU-h (billed {billed}); "
             f"up to {g.concurrency} concurrent requests per replica ({g.rps_cap:.2f} req/s), {g.replicas} "
             f"replica{'s' if g.replicas != 1 else ''} at the busiest hour (capacity as self-hosted {model.id} with "
             "vLLM, bf16)"]
    if shared:
        other_rpd = load.requests_per_day - w.requests_per_day
        notes.append(f"shared multi-adapter deployment: {len(loads)} fine-tune{'s' if len(loads) != 1 else ''} of "
                     f"{model.id} ({other_rpd:,.0f} requests/day of other tasks; up to {dep.adapters_per_deployment} "
                     f"adapters per deployment, {n_deployments} deployment{'s' if n_deployments != 1 else ''}); this "
                     f"task pays its share of requests; time to first token x{dep.multi_lora_ttft_factor:g}"
                     + ("" if others or too_long else "; no other task given (Scenario.shared_tasks): priced alone"))
        if too_long:
            notes.append(f"{too_long} other task{'s' if too_long != 1 else ''} left off the deployment: "
                         f"{'their requests exceed' if too_long != 1 else 'its requests exceed'} {model.id}'s context "
                         f"of {model.context_tokens:,} tokens")
    else:
        notes.append(f"one fine-tune on the deployment ({'merged into the base' if dep.multi_lora else 'its own model'})")
    if stz:
        notes.append(f"scale-to-zero: {g.cold_share:.0%} of requests wait for a {dep.cold_start_s:g} s cold start "
                     f"(mean latencies include it; idle window {idle:g} s)")
    elif s.scale_to_zero:
        notes.append(f"{dep.provider} dedicated endpoints do not scale to zero on traffic: billed while running")
    else:
        floor = dep.min_replicas * n_deployments
        notes.append(f"at least {floor} replica{'s' if floor != 1 else ''} always on")
    if tok_note:
        notes.append(tok_note)
    per_run = hosted_training_cost_usd(_training_run(s, n_in + n_out), price)
    costs = tco.fine_tune(s, per_run, selfhost=False)
    return PricedOption(
        name=spec.name, kind=spec.kind, fine_tuned=True, usd_per_request=None, usd_per_gpu_hour=price.usd_per_gpu_hour,
        replica_requests_per_s=g.rps_cap, peak_to_mean=load.peak_to_mean, scale_to_zero=stz, idle_timeout_s=idle,
        service_s=g.service_s, min_replicas=dep.min_replicas * n_deployments,
        cold_start_s=dep.cold_start_s if stz else 0.0, training_usd_per_run=per_run, ttft_s=g.ttft_s, e2e_s=g.e2e_s,
        itl_s=g.itl_s, meets_latency=g.meets, cold_start_share=g.cold_share, role=Role.FINE_TUNE,
        path=Path.SHARED if shared else Path.DEDICATED, **costs.fields(), provider=dep.provider,
        shared_requests_per_day=load.requests_per_day - w.requests_per_day if shared else 0.0,
        adapters=len(loads), sources=(price.source, dep.source, gpu.source, model.source), notes=tuple(notes),
        curve=g.curve)


def _api_latency(latency, n_out: float) -> tuple[float | None, float | None]:
    if latency is None or latency.output_tokens_per_s is None:
        return (latency.ttft_s if latency else None), None
    decode = n_out / latency.output_tokens_per_s
    return latency.ttft_s, decode + (latency.ttft_s or 0.0)


def _price_hosted(spec: OptionSpec, s: Scenario, cat: Catalog, t: LatencyTargets, tco: _Tco) -> PricedOption:
    w = s.workload
    ep = cat.hosted_endpoint(spec.ref)
    n_in, n_out, tok_note = served_tokens(w, ep.tokenizer, s)
    price = ep.price
    assert price is not None, "the catalog holds hosted endpoints with a price in force"
    usd = float(hosted_request_cost_usd(n_in, n_out, price))
    per_run = hosted_training_cost_usd(_training_run(s, n_in + n_out), price)
    costs = tco.fine_tune(s, per_run, selfhost=False)
    notes: list[str] = [tok_note] if tok_note else []
    ttft, e2e, itl = None, None, None
    if ep.latency is not None:
        ttft, e2e = _api_latency(ep.latency, n_out)
        notes.append(f"latency: {ep.latency.source}")
    elif ep.serving_gpu and ep.base_model in cat.open_models and ep.serving_gpu in cat.gpus:
        curve = _capacity_curve(_Same(cat.open_model(ep.base_model)), _Same(cat.gpu(ep.serving_gpu)), n_in, n_out, "bf16")
        i = min(HOSTED_LATENCY_CONCURRENCY, len(curve["batch"])) - 1
        ttft, e2e, itl = float(curve["ttft_s"][i]), float(curve["e2e_s"][i]), float(curve["itl_s"][i])
        notes.append(f"latency estimated: {ep.base_model} on {ep.serving_gpu} at {i + 1} concurrent requests "
                     f"(the provider publishes none)")
    ends, end_notes = service_end(ep.shutdown, s, cat, ep.id)
    notes += end_notes
    trainable = _trainable(ep, cat)
    if not trainable:
        who = "only organisations already fine-tuning there" if ep.training == "existing_customers" else "no one"
        notes.append(f"training a new fine-tune is closed on {cat.as_of} ({who} may train"
                     + (f"; closed to all from {ep.training_closes}" if ep.training_closes else "")
                     + "): priced for those who already have one, never recommended as a new fine-tune")
    return PricedOption(name=ep.id, kind=OptionKind.HOSTED, fine_tuned=True, usd_per_request=usd,
                        training_usd_per_run=per_run, ttft_s=ttft, e2e_s=e2e,
                        itl_s=itl, meets_latency=_meets(t, ttft, e2e, itl), role=Role.FINE_TUNE,
                        path=Path.PER_TOKEN, **costs.fields(), sources=(price.source,),
                        notes=tuple(notes), serves_until=ep.shutdown, ends_within_horizon=ends,
                        trainable=trainable, training=ep.training, training_closes=ep.training_closes,
                        provider=ep.provider)


def _price_api(spec: OptionSpec, s: Scenario, cat: Catalog, *, batch: bool, t: LatencyTargets | None = None,
               tco: _Tco | None = None, baseline_provider: str | None = None) -> PricedOption:
    """An API model: the baseline (``tco`` None: nothing to change) or a "switch model" option."""
    w = s.workload
    m = cat.api_model(spec.ref)
    price = m.price
    assert price is not None, "the catalog's API models are resolved to a price"
    usd = float(api_request_cost_usd(w.prompt_tokens, w.completion_tokens, price, cached_tokens=w.cached_tokens,
                                     batch=batch))
    ttft, e2e = _api_latency(m.latency, w.completion_tokens)
    q = m.quality or (cat.api_models[m.served_model].quality if m.served_model in cat.api_models else None)
    mmlu, params_b, quality_source = (q.mmlu, q.params_b, q.source) if q else (None, None, None)
    notes = []
    if m.latency is None:
        notes.append("no published latency measurement in the catalog")
    elif m.latency.ttft_s is None:
        notes.append("end-to-end latency is decode time only (no sourced TTFT)")
    if batch:
        notes.append(f"Batch API: {price.batch_discount:.0%} off, 24 h turnaround")
    if m.served_model != m.id:
        notes.append(f"{m.id} serves {m.served_model} on this date (one model: listed once, as {m.id})")
    notes += cat.notes_for(spec.ref)  # shut down (with successors), priced from genai-prices, price tiers
    sources = (price.source,) + ((price.batch_source,) if batch and price.batch_source else ())
    if tco is None:   # the baseline: its own shutdown is advice too (recommend.baseline_ends)
        return PricedOption(name=m.id, kind=OptionKind.API, fine_tuned=False, usd_per_request=usd, ttft_s=ttft,
                            e2e_s=e2e, role=Role.BASELINE, path=Path.STAY, sources=sources, notes=tuple(notes),
                            provider=m.provider, reasoning=m.reasoning, mmlu=mmlu, params_b=params_b,
                            quality_source=quality_source,
                            serves_until=m.shutdown, ends_within_horizon=service_end(m.shutdown, s, cat, m.id)[0])
    other_provider = baseline_provider is not None and m.provider != baseline_provider
    costs = tco.switch(other_provider=other_provider)
    notes.append("switch model, no training: check its quality on your evaluation set before moving traffic")
    if other_provider:
        notes.append(f"another provider ({m.provider}): includes {provider_move_hours():g} hours to move to it; "
                     f"priced on {baseline_provider}'s token counts (its own tokenizer counts differently)")
    if m.reasoning:
        notes.append("reasoning model: hidden reasoning tokens bill as output tokens and are not in these counts, "
                     "so it costs more per request than shown")
    ends, end_notes = service_end(m.shutdown, s, cat, m.id)
    if ends:  # (a plain shutdown date is already among the catalog's notes)
        notes += end_notes
    return PricedOption(name=m.id, kind=OptionKind.API, fine_tuned=False, usd_per_request=usd, ttft_s=ttft, e2e_s=e2e,
                        meets_latency=_meets((t or LatencyTargets()).for_api, ttft, e2e), role=Role.SWITCH, path=Path.SWITCH,
                        reasoning=m.reasoning, **costs.fields(), sources=sources, notes=tuple(notes),
                        serves_until=m.shutdown, ends_within_horizon=ends, provider=m.provider, mmlu=mmlu,
                        params_b=params_b, quality_source=quality_source)
