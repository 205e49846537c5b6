"""Every option priced on one workload: per request, per month, over the horizon; break-even
volume; payback month; volume sweeps.

Conventions: a month is 365/12 = 30.4167 days; month m (0-based) carries volume
``v_m = v_0 (1 + g)^m``; the cumulative cost after month m is
``one_off + sum_{i<=m} (serving(v_i) + recurring)``. Fine-tuned options carry one-off training
and engineering, and recurring retraining ``cost_per_run * retrains_per_year / 12``.

No-answer policy (as numpy-financial's ``irr``): a break-even that does not exist is ``None``
(``NaN`` in frames and sweeps); a break-even of ``0.0`` means the option is cheaper at any volume.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pricing import (
    Catalog,
    ServingEfficiency,
    api_request_cost_usd,
    capacity_curve,
    gpu_hours_per_month,
    hosted_request_cost_usd,
    load_catalog,
)
from pricing.selfhost import replicas_for_peak
from pricing.training import (
    TrainingRun,
    hosted_training_cost_usd,
    selfrun_training_cost_usd,
)

from .errors import ScenarioError
from .scenario import OptionSpec, Scenario, default_baseline, default_options, parse_option

__all__ = ["DAYS_PER_MONTH", "PricedOption", "price_options", "compare", "break_even_requests_per_day",
           "payback_month", "cumulative_costs", "cumulative_curves", "sweep", "horizon_cost_usd", "catalog_for"]

DAYS_PER_MONTH = 365.0 / 12.0
BREAK_EVEN_RANGE = (0.01, 1e9)   # requests/day searched for a break-even
HOSTED_LATENCY_CONCURRENCY = 8   # shared endpoint load assumed for hosted latency estimates


@dataclass(frozen=True)
class PricedOption:
    """One option's cost structure: enough to cost any volume (vectorised) without the catalog."""

    name: str
    kind: str                        # api | hosted | selfhost
    fine_tuned: bool
    usd_per_request: float | None    # per-token options; None for self-hosted (volume-dependent)
    usd_per_gpu_hour: float | None = None
    replica_requests_per_s: float | None = None
    peak_to_mean: float = 1.0
    scale_to_zero: bool = False
    idle_timeout_s: float = 300.0
    service_s: float = 1.0
    ops_usd_per_month: float = 0.0
    one_off_usd: float = 0.0
    training_usd_per_run: float = 0.0
    recurring_usd_per_month: float = 0.0
    ttft_s: float | None = None
    e2e_s: float | None = None
    itl_s: float | None = None
    meets_latency: bool | None = None
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    curve: dict | None = field(default=None, repr=False, compare=False)

    def serving_usd_per_month(self, requests_per_day):
        """Serving cost of one month at ``requests_per_day`` (arrays welcome).

        Per-token: ``v * 30.4167 * usd_per_request``. Self-hosted: ``gpu_hours(v) * usd_per_gpu_hour + ops``.
        """
        v = np.asarray(requests_per_day, dtype=float)
        if self.usd_per_request is not None:
            return v * DAYS_PER_MONTH * self.usd_per_request
        hours = gpu_hours_per_month(v, self.peak_to_mean, self.replica_requests_per_s,
                                    scale_to_zero=self.scale_to_zero, idle_timeout_s=self.idle_timeout_s,
                                    service_s=self.service_s)
        return hours * self.usd_per_gpu_hour + self.ops_usd_per_month

    def gpus(self, requests_per_day) -> np.ndarray | None:
        if self.kind != "selfhost":
            return None
        return replicas_for_peak(requests_per_day, self.peak_to_mean, self.replica_requests_per_s)


def catalog_for(scenario: Scenario) -> Catalog:
    return load_catalog(scenario.as_of, overrides=scenario.price_files)


def _training_run(s: Scenario, tokens_per_example: float) -> TrainingRun:
    return TrainingRun(examples=s.examples, tokens_per_example=tokens_per_example, epochs=s.epochs,
                       labelling_usd=s.labelling_usd_per_run)


def _fixed_costs(s: Scenario, per_run: float) -> tuple[float, float]:
    """(one-off, recurring per month) for a fine-tuned option whose run costs ``per_run``."""
    return per_run + s.engineering_usd, per_run * s.effective_retrains_per_year / 12.0


# The tokenizer whose counts fill Workload.ft_* (the logs count with Mistral's v1 model).
FT_COUNTS_TOKENIZER = "mistral-v1"


def served_tokens(w, tokenizer: str) -> tuple[float, float, str | None]:
    """(prompt, completion) tokens per request as the served model counts them, and a note.

    The 7B counts in the workload are Mistral's; a model with another tokenizer that is not
    shipped offline (Llama-3's 128k vocabulary extends cl100k, Qwen2's is 152k) is counted with
    the API's tokens instead, and the note says so.
    """
    if tokenizer == FT_COUNTS_TOKENIZER:
        return w.ft_prompt, w.ft_completion, None
    note = None if tokenizer in ("cl100k_base", "o200k_base") else \
        f"{tokenizer} tokenizer not available offline: billed on the API's token counts"
    return w.prompt_tokens, w.completion_tokens, note


def _latency_at_load(curve: dict, rps_per_replica: float) -> int:
    """Index of the smallest concurrency whose throughput carries the per-replica peak rate."""
    idx = np.flatnonzero(curve["requests_per_s"] >= rps_per_replica)
    return int(idx[0]) if idx.size else len(curve["batch"]) - 1


def _price_selfhost(spec: OptionSpec, s: Scenario, cat: Catalog) -> PricedOption:
    w = s.workload
    model, gpu = cat.open_model(spec.ref), cat.gpu(spec.gpu)
    gp = gpu.prices[spec.provider] if spec.provider else gpu.cheapest()
    n_in, n_out, tok_note = served_tokens(w, model.tokenizer)
    curve = capacity_curve(model, gpu, n_in, n_out, s.precision, ServingEfficiency())
    ok = np.ones(len(curve["batch"]), dtype=bool)
    if s.itl_target_s is not None:
        ok &= curve["itl_s"] <= s.itl_target_s
    if s.ttft_target_s is not None:
        ok &= curve["ttft_s"] <= s.ttft_target_s
    i_cap = int(np.flatnonzero(ok)[-1]) if ok.any() else 0
    rps_cap = float(curve["requests_per_s"][i_cap])
    replicas = int(replicas_for_peak(w.requests_per_day, w.peak_to_mean, rps_cap))
    peak_rps = w.requests_per_day / 86400.0 * w.peak_to_mean
    i_op = min(_latency_at_load(curve, peak_rps / replicas), i_cap)
    run = _training_run(s, n_in + n_out)
    per_run = selfrun_training_cost_usd(run, model, gpu, gp.usd_per_hour, precision=s.precision)
    one_off, recurring = _fixed_costs(s, per_run)
    notes = [f"{gpu.name} from {gp.provider} at {gp.usd_per_hour:g} USD/h; up to {int(curve['batch'][i_cap])} "
             f"concurrent requests per GPU ({rps_cap:.2f} req/s)"]
    if tok_note:
        notes.append(tok_note)
    if s.scale_to_zero and gp.billing != "per_second":
        notes.append(f"scale-to-zero assumed although {gp.provider} bills by the hour")
    return PricedOption(
        name=spec.name, kind="selfhost", fine_tuned=True, usd_per_request=None, usd_per_gpu_hour=gp.usd_per_hour,
        replica_requests_per_s=rps_cap, peak_to_mean=w.peak_to_mean, scale_to_zero=s.scale_to_zero,
        idle_timeout_s=s.idle_timeout_s, service_s=float(curve["e2e_s"][i_op]),
        ops_usd_per_month=s.selfhost_ops_usd_per_month, one_off_usd=one_off, training_usd_per_run=per_run,
        recurring_usd_per_month=recurring, ttft_s=float(curve["ttft_s"][i_op]), e2e_s=float(curve["e2e_s"][i_op]),
        itl_s=float(curve["itl_s"][i_op]), meets_latency=bool(ok.any()) if (s.itl_target_s or s.ttft_target_s) else None,
        sources=(gp.source, gpu.source, model.source), notes=tuple(notes), curve=curve)


def _api_latency(latency, n_out: float) -> tuple[float | None, float | None]:
    if latency is None or latency.output_tokens_per_s is None:
        return (latency.ttft_s if latency else None), None
    decode = n_out / latency.output_tokens_per_s
    return latency.ttft_s, decode + (latency.ttft_s or 0.0)


def _price_hosted(spec: OptionSpec, s: Scenario, cat: Catalog) -> PricedOption:
    w = s.workload
    ep = cat.hosted_endpoint(spec.ref)
    n_in, n_out, tok_note = served_tokens(w, ep.tokenizer)
    usd = float(hosted_request_cost_usd(n_in, n_out, ep.price))
    run = _training_run(s, n_in + n_out)
    per_run = hosted_training_cost_usd(run, ep.price)
    one_off, recurring = _fixed_costs(s, per_run)
    notes: list[str] = [tok_note] if tok_note else []
    ttft, e2e, itl = None, None, None
    if ep.latency is not None:
        ttft, e2e = _api_latency(ep.latency, n_out)
        notes.append(f"latency: {ep.latency.source}")
    elif ep.serving_gpu and ep.base_model in cat.open_models and ep.serving_gpu in cat.gpus:
        curve = capacity_curve(cat.open_model(ep.base_model), cat.gpu(ep.serving_gpu), n_in, n_out, "bf16")
        i = min(HOSTED_LATENCY_CONCURRENCY, len(curve["batch"])) - 1
        ttft, e2e, itl = float(curve["ttft_s"][i]), float(curve["e2e_s"][i]), float(curve["itl_s"][i])
        notes.append(f"latency estimated: {ep.base_model} on {ep.serving_gpu} at {i + 1} concurrent requests "
                     f"(the provider publishes none)")
    return PricedOption(name=ep.id, kind="hosted", fine_tuned=True, usd_per_request=usd, one_off_usd=one_off,
                        training_usd_per_run=per_run, recurring_usd_per_month=recurring, ttft_s=ttft, e2e_s=e2e,
                        itl_s=itl, sources=(ep.price.source,), notes=tuple(notes))


def _price_api(spec: OptionSpec, s: Scenario, cat: Catalog, *, batch: bool) -> PricedOption:
    w = s.workload
    m = cat.api_model(spec.ref)
    usd = float(api_request_cost_usd(w.prompt_tokens, w.completion_tokens, m.price, cached_tokens=w.cached_tokens,
                                     batch=batch))
    ttft, e2e = _api_latency(m.latency, w.completion_tokens)
    notes = []
    if m.latency is None:
        notes.append("no published latency measurement in the catalog")
    elif m.latency.ttft_s is None:
        notes.append("end-to-end latency is decode time only (no sourced TTFT)")
    if batch:
        notes.append(f"Batch API: {m.price.batch_discount:.0%} off, 24 h turnaround")
    sources = (m.price.source,) + ((m.price.batch_source,) if batch and m.price.batch_source else ())
    return PricedOption(name=m.id, kind="api", fine_tuned=False, usd_per_request=usd, ttft_s=ttft, e2e_s=e2e,
                        sources=sources, notes=tuple(notes))


def logged_baseline(scenario: Scenario, cat: Catalog) -> str | None:
    """The model the logs were paid for, when the catalog prices it on the date."""
    model = scenario.workload.model
    if not model:
        return None
    try:
        spec = parse_option(model, cat)
    except (KeyError, ValueError):
        return None
    return spec.name if spec.kind == "api" else None


def price_options(scenario: Scenario, catalog: Catalog | None = None) -> tuple[PricedOption, list[PricedOption]]:
    """(baseline, options) priced for the scenario. The baseline is never repeated among options."""
    cat = catalog or catalog_for(scenario)
    base_spec = parse_option(scenario.baseline or logged_baseline(scenario, cat) or default_baseline(cat), cat)
    if base_spec.kind != "api":
        raise ScenarioError(f"baseline {base_spec.name!r} must be an API model (what you pay for today)")
    baseline = _price_api(base_spec, scenario, cat, batch=scenario.batch)
    options: list[PricedOption] = []
    seen = {baseline.name}
    for name in scenario.options or default_options(cat):
        spec = parse_option(name, cat)
        if spec.name in seen:
            continue
        seen.add(spec.name)
        if spec.kind == "selfhost":
            options.append(_price_selfhost(spec, scenario, cat))
        elif spec.kind == "hosted":
            options.append(_price_hosted(spec, scenario, cat))
        else:
            options.append(_price_api(spec, scenario, cat, batch=False))
    return baseline, options


# ---------------------------------------------------------------------------------------------
# horizon arithmetic (vectorised over starting volumes)


def _monthly_volumes(v0, months: int, growth: float) -> np.ndarray:
    """``v0[:, None] * (1 + g) ** arange(months)``."""
    v = np.atleast_1d(np.asarray(v0, dtype=float))
    return v[:, None] * (1.0 + growth) ** np.arange(months)[None, :]


def cumulative_costs(opt: PricedOption, v0, months: int, growth: float = 0.0) -> np.ndarray:
    """Cumulative USD after each month: shape (len(v0), months)."""
    monthly = opt.serving_usd_per_month(_monthly_volumes(v0, months, growth)) + opt.recurring_usd_per_month
    return opt.one_off_usd + np.cumsum(monthly, axis=1)


def horizon_cost_usd(opt: PricedOption, v0, months: int, growth: float = 0.0) -> np.ndarray:
    """Total USD over the horizon for each starting volume."""
    return cumulative_costs(opt, v0, months, growth)[:, -1]


def payback_month(opt: PricedOption, baseline: PricedOption, v0: float, months: int, growth: float = 0.0) -> int | None:
    """First month (1-based) whose cumulative cost is at or below the baseline's; None within the horizon."""
    diff = cumulative_costs(baseline, v0, months, growth)[0] - cumulative_costs(opt, v0, months, growth)[0]
    idx = np.flatnonzero(diff >= -1e-9)
    return int(idx[0]) + 1 if idx.size else None


def _linear_in_volume(opt: PricedOption) -> bool:
    return opt.usd_per_request is not None


def break_even_requests_per_day(opt: PricedOption, baseline: PricedOption, months: int, growth: float = 0.0) -> float | None:
    """Smallest starting volume at which the option's horizon cost is at or below the baseline's.

    Per-token options cost ``F + k v`` over the horizon (F = one-off + months * recurring,
    ``k = 30.4167 * usd_per_request * sum_m (1 + g)^m``), so the break-even has the closed form
    ``v* = (F_opt - F_base) / (k_base - k_opt)``. Self-hosted costs step with each added GPU, so the
    crossing is found on a log grid and refined by bisection. None: never within 1e9 requests/day;
    0.0: cheaper at any volume.
    """
    lo_v, hi_v = BREAK_EVEN_RANGE
    if _linear_in_volume(opt) and _linear_in_volume(baseline):
        growth_sum = float(np.sum((1.0 + growth) ** np.arange(months)))
        fixed = lambda o: o.one_off_usd + months * o.recurring_usd_per_month  # noqa: E731
        k_base = DAYS_PER_MONTH * baseline.usd_per_request * growth_sum
        k_opt = DAYS_PER_MONTH * opt.usd_per_request * growth_sum
        gap_fixed = fixed(opt) - fixed(baseline)
        if gap_fixed <= 0 and k_opt <= k_base:
            return 0.0
        if k_opt >= k_base:
            return None
        v = gap_fixed / (k_base - k_opt)
        return float(v) if v <= hi_v else None
    grid = np.geomspace(lo_v, hi_v, 2001)

    def gap(v):
        return horizon_cost_usd(baseline, v, months, growth) - horizon_cost_usd(opt, v, months, growth)

    g = gap(grid)
    idx = np.flatnonzero(g >= 0)
    if not idx.size:
        return None
    i = int(idx[0])
    if i == 0:
        return 0.0
    lo, hi = grid[i - 1], grid[i]
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        if gap(mid)[0] >= 0:
            hi = mid
        else:
            lo = mid
    return float(hi)


def compare(scenario: Scenario, catalog: Catalog | None = None) -> pd.DataFrame:
    """One row per option (baseline first): cost per request, month, horizon; savings; latency; GPUs."""
    cat = catalog or catalog_for(scenario)
    baseline, options = price_options(scenario, cat)
    w, H, g = scenario.workload, scenario.horizon_months, scenario.growth_per_month
    base_month = float(baseline.serving_usd_per_month(w.requests_per_day))
    base_total = float(horizon_cost_usd(baseline, w.requests_per_day, H, g)[0])
    rows = []
    for opt in [baseline, *options]:
        month = float(opt.serving_usd_per_month(w.requests_per_day))
        per_req = opt.usd_per_request if opt.usd_per_request is not None else (
            month / (w.requests_per_day * DAYS_PER_MONTH) if w.requests_per_day else float("nan"))
        total = float(horizon_cost_usd(opt, w.requests_per_day, H, g)[0])
        is_base = opt is baseline
        be = None if is_base else break_even_requests_per_day(opt, baseline, H, g)
        gpus = opt.gpus(w.requests_per_day)
        rows.append({
            "name": opt.name, "kind": opt.kind, "baseline": is_base, "fine_tuned": opt.fine_tuned,
            "usd_per_request": per_req, "usd_per_month": month,
            "one_off_usd": opt.one_off_usd, "recurring_usd_per_month": opt.recurring_usd_per_month,
            "usd_horizon": total, "savings_usd_horizon": base_total - total,
            "savings_ratio": base_month / month if month > 0 else float("inf"),
            "break_even_requests_per_day": float("nan") if be is None else be,
            "payback_month": None if is_base else payback_month(opt, baseline, w.requests_per_day, H, g),
            "ttft_s": opt.ttft_s, "e2e_s": opt.e2e_s, "itl_s": opt.itl_s,
            "gpus": None if gpus is None else int(gpus), "meets_latency": opt.meets_latency,
            "notes": "; ".join(opt.notes), "source": " | ".join(opt.sources),
        })
    df = pd.DataFrame(rows)
    df.attrs["as_of"] = str(cat.as_of)
    return df


def cumulative_curves(scenario: Scenario, catalog: Catalog | None = None) -> pd.DataFrame:
    """Cumulative USD after each month (rows 1..H) for every option (columns, baseline first)."""
    baseline, options = price_options(scenario, catalog)
    w = scenario.workload
    data = {o.name: cumulative_costs(o, w.requests_per_day, scenario.horizon_months, scenario.growth_per_month)[0]
            for o in [baseline, *options]}
    return pd.DataFrame(data, index=pd.Index(np.arange(1, scenario.horizon_months + 1), name="month"))


def sweep(scenario: Scenario, volumes: Sequence[float] | np.ndarray, *, metric: str = "usd_per_month",
          catalog: Catalog | None = None) -> pd.DataFrame:
    """Cost of every option at every volume in one vectorised call.

    ``metric``: ``usd_per_month`` (first month's serving + recurring) or ``usd_horizon``.
    Returns a frame indexed by ``requests_per_day`` with one column per option (baseline first).
    """
    if metric not in ("usd_per_month", "usd_horizon"):
        raise ScenarioError(f"metric={metric!r}: use 'usd_per_month' or 'usd_horizon'")
    baseline, options = price_options(scenario, catalog)
    v = np.asarray(volumes, dtype=float)
    if np.any(v < 0):
        raise ScenarioError("volumes must be >= 0 requests/day")
    cols = {}
    for opt in [baseline, *options]:
        if metric == "usd_per_month":
            cols[opt.name] = opt.serving_usd_per_month(v) + opt.recurring_usd_per_month
        else:
            cols[opt.name] = horizon_cost_usd(opt, v, scenario.horizon_months, scenario.growth_per_month)
    return pd.DataFrame(cols, index=pd.Index(v, name="requests_per_day"))

