"""Every option priced on one workload: per request, per month, its latency and capacity; the options table with
break-even volume and payback month (computed in :mod:`advisor.horizon`); volume sweeps. The priced option itself
is :class:`advisor.options.PricedOption`.

Conventions: a month is 365/12 = 30.4167 days (``workload.DAYS_PER_MONTH``); month m (0-based)
carries volume ``v_m = v_0 (1 + g)^m``; the cumulative cost after month m is
``one_off + sum_{i<=m} (serving(v_i) + recurring)``.

Each path's option is priced in :mod:`advisor.paths` (its total cost of ownership, people's time by path, latency
and capacity); this module prices every option of a scenario with it, marks switches that are not like for like
(:mod:`advisor.quality`) and ranks them.

Tie-break (the one rule every surface follows): options are ranked by their outcome over the horizon weighed by
P(pays off) (``advisor.recommend``); at equal outcome, and at equal cost here, the lower cost over the horizon,
then the lower one-off, then the name A-Z win (:func:`tie_key`).

Public names: :class:`PricedOption` (``role``: baseline | switch model | fine-tune, ``path``, ``one_off_items``,
``recurring_items``, ``cold_start_share``, ``meets_latency``), :func:`price_options`, :func:`compare`,
:func:`best_option`, :func:`best_switch`, :func:`latency_targets`, :func:`cumulative_costs`,
:func:`horizon_cost_usd`, :func:`break_even_requests_per_day`, :func:`payback_month`, :func:`sweep`.

No-answer policy (as numpy-financial's ``irr``): a break-even that does not exist is ``None``
(``NaN`` in frames and sweeps); a break-even of ``0.0`` means the option is cheaper at any volume.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from advisor.errors import ScenarioError
from advisor.horizon import _payback_of, break_even_requests_per_day, cumulative_costs, horizon_cost_usd, payback_month
from advisor.options import Path, PeopleItem, PricedOption, Role, cold_start_share, cold_starts_per_month
from advisor.paths import (  # noqa: F401  (re-exported: these lived here)
    DEPLOYMENT_MIN_IDLE_S,
    FT_COUNTS_TOKENIZER,
    HOSTED_LATENCY_CONCURRENCY,
    LatencyTargets,
    _capacity_curve,
    _price_api,
    _price_deployment,
    _price_hosted,
    _price_selfhost,
    _tco,
    ft_prompt_tokens,
    judge_model,
    latency_targets,
    provider_move_hours,
    served_tokens,
    service_end,
)
from advisor.quality import switch_quality_gap
from advisor.scenario import _BASELINE_PREFERENCE as GPT4_CLASS  # the catalog's GPT-4-class ids, newest first
from advisor.scenario import OptionKind, OptionSpec, Scenario, default_baseline, default_options, parse_option
from advisor.workload import DAYS_PER_MONTH
from pricing import Catalog, api_request_cost_usd, load_catalog

__all__ = ["DAYS_PER_MONTH", "Role", "PricedOption", "LatencyTargets", "price_options", "compare",
           "break_even_requests_per_day", "payback_month", "cumulative_costs", "cumulative_curves", "sweep",
           "horizon_cost_usd", "catalog_for", "best_option", "best_switch", "latency_targets", "qualifying_fine_tunes",
           "cold_start_share", "cold_starts_per_month", "GPT4_CLASS", "served_tokens",
           "FT_COUNTS_TOKENIZER", "Path", "PeopleItem", "tie_key", "ft_prompt_tokens", "qualifying_switches",
           "request_context", "too_long_options", "baseline_note"]





def catalog_for(scenario: Scenario) -> Catalog:
    return load_catalog(scenario.as_of, overrides=scenario.price_files)


def logged_baseline(scenario: Scenario, cat: Catalog) -> str | None:
    """The model the logs were paid for, when the catalog prices it on the date."""
    model = scenario.workload.model
    if not model:
        return None
    try:
        spec = parse_option(model, cat)
    except (KeyError, ValueError):
        return None
    return spec.name if spec.kind == OptionKind.API else None


def baseline_note(scenario: Scenario, cat: Catalog, baseline_name: str) -> str | None:
    """What the advice says of its baseline when it is not simply the model the logs name: that model has no price
    on the date (the default baseline stands in), or it is priced under another name (:meth:`Catalog.notes_for`).
    None when the baseline was given or is the logs' own model."""
    model = scenario.workload.model
    if scenario.baseline or not model:
        return None
    if logged_baseline(scenario, cat) is None:
        return (f"the logs' model {model!r} has no price in the catalog on {cat.as_of}: compared against "
                f"{baseline_name} instead (pass --baseline MODEL, or a price file with its price)")
    return cat.priced_as_note(model)


def cheaper_api_models(scenario: Scenario, cat: Catalog, baseline: PricedOption) -> list[str]:
    """API models priced on the date that cost less per request than the baseline and fit the
    request in their context, cheapest first: one per model served (an alias and the snapshot it points
    to are one model: the alias, the name users type, is kept), never the baseline's own model; with
    ``scenario.switch_providers``, only those providers' models."""
    w = scenario.workload
    base_usd = baseline.usd_per_request
    if base_usd is None:   # a baseline billed by the hour has no per-request price to undercut
        return []
    served_by: dict[str, tuple[float, str]] = {}
    base = cat.api_model(baseline.name).served_model
    providers = scenario.switch_providers
    for mid, m in cat.api_models.items():
        too_long = m.context_tokens is not None and m.context_tokens < w.prompt_tokens + w.completion_tokens
        if m.served_model == base or too_long:   # context not recorded: not ruled out
            continue
        if providers and m.provider not in providers:
            continue
        assert m.price is not None, "the catalog's API models are resolved to a price"
        usd = float(api_request_cost_usd(w.prompt_tokens, w.completion_tokens, m.price, cached_tokens=w.cached_tokens))
        if usd < base_usd and (m.served_model not in served_by or m.served_model != mid):
            served_by[m.served_model] = (usd, mid)
    return [mid for _, mid in sorted(served_by.values())]


def request_context(spec: OptionSpec, scenario: Scenario, cat: Catalog) -> tuple[float, int] | None:
    """``(tokens of one request as a fine-tuned option's model reads it, that model's context window)``: the fine-tuned
    prompt plus the completion (:func:`served_tokens`) against the served model's context (a hosted fine-tune's base
    model's). None for an API model or a context the catalog does not record.

    >>> from advisor.workload import Workload
    >>> cat = load_catalog("2026-12-06")
    >>> s = Scenario(Workload.typed(100, 10_000, 300), static_prompt_tokens=9_000)
    >>> request_context(parse_option("selfhost/mistral-7b@l4", cat), s, cat)   # 10,000 - (9,000 - 50) + 300
    (1350.0, 8192)
    """
    context: int | None
    if spec.kind in (OptionKind.SELFHOST, OptionKind.DEDICATED, OptionKind.SHARED):
        model = cat.open_model(spec.ref)
        context, tokenizer = model.context_tokens, model.tokenizer
    elif spec.kind == OptionKind.HOSTED:
        ep = cat.hosted_endpoint(spec.ref)
        base = cat.open_models.get(ep.base_model) or cat.api_models.get(ep.base_model)
        context, tokenizer = (None if base is None else base.context_tokens), ep.tokenizer
    else:
        return None
    if not context:
        return None
    n_in, n_out, _ = served_tokens(scenario.workload, tokenizer, scenario)
    return float(n_in + n_out), int(context)


def too_long_options(scenario: Scenario, cat: Catalog) -> dict[str, tuple[float, int]]:
    """The fine-tuned options of the scenario (named, else the defaults) whose model cannot hold one request as it
    reads it: ``{option: (tokens a request, context)}``. :func:`price_options` leaves them out (the recommendation
    says so), so that a long prompt is priced on the options that can serve it, not refused."""
    out = {}
    for name in list(scenario.options) or list(default_options(cat)):
        spec = parse_option(name, cat)
        held = request_context(spec, scenario, cat)
        if held is not None and held[0] > held[1]:
            out[spec.name] = held
    return out


def price_options(scenario: Scenario, catalog: Catalog | None = None) -> tuple[PricedOption, list[PricedOption]]:
    """(baseline, options) priced for the scenario. The baseline is never repeated among options.

    Default options: every hosted fine-tune, every dedicated deployment (alone and, where it takes several adapters,
    shared), Mistral-7B on the default GPUs, and every API model cheaper than the baseline (of
    ``switch_providers`` when given) as a "switch model" option. ``include_api_alternatives``: None (the default) adds
    those API models beside the default options only; True beside named options too; False never.
    """
    cat = catalog or catalog_for(scenario)
    base_spec = parse_option(scenario.baseline or logged_baseline(scenario, cat) or default_baseline(cat), cat)
    if base_spec.kind != OptionKind.API:
        raise ScenarioError(f"baseline {base_spec.name!r} must be an API model (what you pay for today)")
    baseline = _price_api(base_spec, scenario, cat, batch=scenario.batch)
    targets = latency_targets(scenario, baseline.e2e_s)
    tco = _tco(scenario, cat, baseline.name)
    names = list(scenario.options) or list(default_options(cat))
    alternatives = scenario.include_api_alternatives
    if alternatives or (alternatives is None and not scenario.options):   # None: only beside the default options
        names += cheaper_api_models(scenario, cat, baseline)
    options: list[PricedOption] = []
    seen = {cat.api_model(baseline.name).served_model}  # one row per model served: an alias and its snapshot are one
    for name in names:
        spec = parse_option(name, cat)
        key = cat.api_model(spec.ref).served_model if spec.kind == OptionKind.API else spec.name
        if key in seen:
            continue
        seen.add(key)
        held = request_context(spec, scenario, cat)
        if held is not None and held[0] > held[1]:   # its model cannot hold the request (too_long_options)
            continue
        if spec.kind == OptionKind.SELFHOST:
            options.append(_price_selfhost(spec, scenario, cat, targets, tco))
        elif spec.kind == OptionKind.HOSTED:
            options.append(_price_hosted(spec, scenario, cat, targets, tco))
        elif spec.kind in (OptionKind.DEDICATED, OptionKind.SHARED):
            options.append(_price_deployment(spec, scenario, cat, targets, tco))
        else:
            options.append(_like_for_like(baseline, _price_api(spec, scenario, cat, batch=False, t=targets, tco=tco,
                                                               baseline_provider=baseline.provider)))
    return baseline, options


def _like_for_like(baseline: PricedOption, o: PricedOption) -> PricedOption:
    """A switch option marked not like for like, with the reason and its source, when
    :func:`advisor.quality.switch_quality_gap` finds a published gap with the baseline."""
    gap = switch_quality_gap(baseline, o)
    if gap is None:
        return o
    src = tuple(x for x in (o.quality_source, baseline.quality_source) if x and x not in o.sources)
    return replace(o, like_for_like=False, notes=o.notes + (gap,), sources=o.sources + src)


def _horizon_at(o: PricedOption, s: Scenario) -> float:
    return float(horizon_cost_usd(o, s.workload.requests_per_day, s.horizon_months, s.growth_per_month)[0])


def tie_key(o: PricedOption, horizon_usd: float) -> tuple:
    """The one order of options at equal outcome, everywhere: the lower cost over the horizon to the cent, then the
    lower one-off to the cent, then the option id A-Z (two endpoints at one price name the same one on every surface,
    whatever order a surface lists them in).

    >>> from types import SimpleNamespace as NS
    >>> a = NS(name="fireworks/mistral-7b-lora", one_off_usd=900.0)
    >>> b = NS(name="fireworks/llama-3.1-8b-lora", one_off_usd=900.0)
    >>> min([(a, 1404.004), (b, 1404.001)], key=lambda x: tie_key(*x))[0].name
    'fireworks/llama-3.1-8b-lora'
    """
    return (round(float(horizon_usd), 2), round(float(o.one_off_usd), 2), o.name)


def best_option(scenario: Scenario, baseline: PricedOption, options: list[PricedOption]) -> PricedOption | None:
    """The fine-tuned option with the lowest horizon cost among those that qualify (:func:`tie_key` at equal
    cost); the recommendation ranks them by outcome weighed by P(pays off) (``advisor.recommend``)."""
    ft = qualifying_fine_tunes(scenario, baseline, options)
    return min(ft, key=lambda o: tie_key(o, _horizon_at(o, scenario))) if ft else None


def qualifying_fine_tunes(scenario: Scenario, baseline: PricedOption, options: list[PricedOption]) -> list[PricedOption]:
    """Fine-tuned options that may be recommended: those served to the horizon's end that can be trained on the
    date, and with latency targets those known to meet them."""
    ft = [o for o in options if o.fine_tuned and not o.ends_within_horizon and o.trainable]
    if latency_targets(scenario, baseline.e2e_s).any:
        ft = [o for o in ft if o.meets_latency is True]
    return ft


def qualifying_switches(scenario: Scenario, baseline: PricedOption, options: list[PricedOption]) -> list[PricedOption]:
    """"Switch model" options that may be recommended: like for like with the baseline (:mod:`advisor.quality`),
    served to the horizon's end and, with latency targets, known to meet them (as fine-tunes); beside a baseline that
    is not a reasoning model, models whose cost per request is fully known first (not reasoning models, whose hidden
    tokens are not counted). None when the task needs deep reasoning (the user's flag)."""
    if scenario.needs_deep_reasoning:   # the user's flag: no cheaper general model is assumed to reason as well
        return []
    sw = [o for o in options if o.role == Role.SWITCH and not o.ends_within_horizon and o.like_for_like]
    if latency_targets(scenario, baseline.e2e_s).for_api.any:   # an inter-token target is self-hosting's
        sw = [o for o in sw if o.meets_latency is True]
    if baseline.reasoning:   # hidden reasoning tokens are uncounted on both sides: no reason to prefer either
        return sw
    return [o for o in sw if not o.reasoning] or sw


def best_switch(scenario: Scenario, options: list[PricedOption],
                baseline: PricedOption | None = None) -> PricedOption | None:
    """The qualifying "switch model" option with the lowest horizon cost (:func:`tie_key` at equal cost)."""
    pool = qualifying_switches(scenario, baseline, options) if baseline is not None else \
        [o for o in options if o.role == Role.SWITCH and not o.ends_within_horizon and o.meets_latency is not False]
    if baseline is None:
        pool = [o for o in pool if not o.reasoning] or pool
    return min(pool, key=lambda o: tie_key(o, _horizon_at(o, scenario))) if pool else None


def compare(scenario: Scenario, catalog: Catalog | None = None) -> pd.DataFrame:
    """One row per option (baseline first): cost per request, month, horizon; savings; latency; GPUs.

    ``usd_per_month`` is serving only and ``savings_ratio`` compares it with the baseline's (the
    per-token claim); ``total_usd_per_month`` adds the recurring people, retraining and evaluation
    costs, and ``savings_usd_per_month`` is the baseline's total minus the option's.
    """
    cat = catalog or catalog_for(scenario)
    baseline, options = price_options(scenario, cat)
    return options_table(scenario, baseline, options, as_of=cat.as_of)


def options_table(scenario: Scenario, baseline: PricedOption, options: list[PricedOption], *, as_of) -> pd.DataFrame:
    """The :func:`compare` frame for options already priced (no second pricing pass)."""
    w, H, g = scenario.workload, scenario.horizon_months, scenario.growth_per_month
    v = w.requests_per_day
    base_month = float(baseline.serving_usd_per_month(v))
    base_cum = cumulative_costs(baseline, v, H, g)[0]   # its last month is horizon_cost_usd's total
    base_total = float(base_cum[-1])
    rows = []
    for opt in [baseline, *options]:
        month = float(opt.serving_usd_per_month(v))
        total_month = month + opt.recurring_usd_per_month
        per_req = opt.usd_per_request if opt.usd_per_request is not None else (
            month / (v * DAYS_PER_MONTH) if v else float("nan"))
        is_base = opt is baseline
        cum = base_cum if is_base else cumulative_costs(opt, v, H, g)[0]
        total = float(cum[-1])
        be = None if is_base else break_even_requests_per_day(opt, baseline, H, g)
        gpus = opt.gpus(v)
        rows.append({
            "name": opt.name, "kind": str(opt.kind), "role": str(opt.role), "path": str(opt.path),
            "reasoning": opt.reasoning, "like_for_like": opt.like_for_like,
            "serves_until": None if opt.serves_until is None else opt.serves_until.isoformat(),
            "ends_within_horizon": opt.ends_within_horizon, "mmlu": opt.mmlu, "baseline": is_base,
            "fine_tuned": opt.fine_tuned, "usd_per_request": per_req, "usd_per_month": month,
            "total_usd_per_month": total_month, "savings_usd_per_month": base_month - total_month,
            "one_off_usd": opt.one_off_usd, "recurring_usd_per_month": opt.recurring_usd_per_month,
            "usd_horizon": total, "savings_usd_horizon": base_total - total,
            "savings_ratio": base_month / month if month > 0 else float("inf"),   # = serving_ratio (kept: a contract)
            "serving_ratio": base_month / month if month > 0 else float("inf"),
            "all_in_ratio": _all_in_ratio(base_month, total_month, opt.one_off_usd, H),
            "break_even_requests_per_day": float("nan") if be is None else be,
            "payback_month": None if is_base else _payback_of(cum, base_cum),
            "ttft_s": opt.ttft_s, "e2e_s": opt.e2e_s, "itl_s": opt.itl_s, "cold_start_share": opt.cold_start_share,
            "gpus": None if gpus is None else int(gpus), "meets_latency": opt.meets_latency,
            "trainable": opt.trainable, "training": opt.training, "provider": opt.provider,
            "one_off_items": dict(opt.one_off_items), "recurring_items": dict(opt.recurring_items),
            "notes": "; ".join(opt.notes), "source": " | ".join(opt.sources),
        })
    df = pd.DataFrame(rows)
    df.attrs["as_of"] = str(as_of)
    return df


def _all_in_ratio(base_usd_per_month: float, total_usd_per_month: float, one_off_usd: float, months: int) -> float:
    """Today's monthly cost over the option's all-in monthly cost: serving and upkeep plus the one-off spread over
    the horizon, ``base / (total + one_off / months)`` (inf when that is 0).

    >>> _all_in_ratio(1000.0, 100.0, 1200.0, 12)   # 1000 / (100 + 100)
    5.0
    """
    all_in = total_usd_per_month + one_off_usd / months
    return base_usd_per_month / all_in if all_in > 0 else float("inf")


def cumulative_curves(scenario: Scenario, catalog: Catalog | None = None, *,
                      priced: tuple[PricedOption, list[PricedOption]] | None = None) -> pd.DataFrame:
    """Cumulative USD after each month (rows 1..H) for every option (columns, baseline first).
    ``priced``: the scenario's ``price_options`` result when already at hand (skips pricing again)."""
    baseline, options = priced or price_options(scenario, catalog)
    w = scenario.workload
    data = {o.name: cumulative_costs(o, w.requests_per_day, scenario.horizon_months, scenario.growth_per_month)[0]
            for o in [baseline, *options]}
    return pd.DataFrame(data, index=pd.Index(np.arange(1, scenario.horizon_months + 1), name="month"))


SWEEP_METRICS = ("usd_per_month", "usd_horizon", "usd_per_month_all_in")


def sweep(scenario: Scenario, volumes: Sequence[float] | np.ndarray, *, metric: str = "usd_per_month",
          catalog: Catalog | None = None, priced: tuple[PricedOption, list[PricedOption]] | None = None
          ) -> pd.DataFrame:
    """Cost of every option at every volume in one vectorised call.

    ``metric``: ``usd_per_month`` (first month's serving + recurring), ``usd_horizon`` (everything over
    the horizon, one-off included) or ``usd_per_month_all_in`` (``usd_horizon / horizon_months``: the
    one-off spread over the horizon, so an option's line crosses the baseline's exactly at its
    :func:`break_even_requests_per_day`). Worked example: a one-off of $1,200 and $100 a month over 12
    months is $(1,200 + 12 x 100) / 12 = $200 a month all-in, against $100 in its first month.
    ``priced``: the scenario's ``price_options`` result when already at hand (skips pricing again).
    Returns a frame indexed by ``requests_per_day`` with one column per option (baseline first).
    """
    if metric not in SWEEP_METRICS:
        raise ScenarioError(f"metric={metric!r}: use one of {', '.join(map(repr, SWEEP_METRICS))}")
    baseline, options = priced or price_options(scenario, catalog)
    v = np.asarray(volumes, dtype=float)
    if not np.all(np.isfinite(v)) or np.any(v < 0) or np.any(v > 1e12):
        raise ScenarioError("volumes must be finite, from 0 to 1e12 requests/day")
    cols = {}
    for opt in [baseline, *options]:
        if metric == "usd_per_month":
            cols[opt.name] = opt.total_usd_per_month(v)
        else:
            total = horizon_cost_usd(opt, v, scenario.horizon_months, scenario.growth_per_month)
            cols[opt.name] = total / scenario.horizon_months if metric == "usd_per_month_all_in" else total
    return pd.DataFrame(cols, index=pd.Index(v, name="requests_per_day"))
