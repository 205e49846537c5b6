"""The verdict: ``fine-tune``, ``not yet`` or ``no``, with ranked reasons tied to numbers.

Numbers decide; experience explains. Small experts beat GPT-4 on narrow, high-volume, stable
tasks. Below ~100 requests a day the one-off and recurring costs of a model of your own rarely
pay back; a prompt that still changes means retraining (and re-labelling) every change; a task
that needs deep reasoning or sees inputs outside what the logs show is where a 7B model falls
short of GPT-4 whatever the price. Every threshold is a field of :class:`Thresholds`.

Rules (first that applies): any ``blocks`` reason -> ``no``; else any ``delays`` reason -> ``not yet``;
else ``fine-tune``. Reasons are ranked: blocks, delays, then supports; within each, by size.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .compare import (
    PricedOption,
    break_even_requests_per_day,
    catalog_for,
    compare,
    horizon_cost_usd,
    payback_month,
    price_options,
)
from .errors import ScenarioError
from .jsonsafe import json_safe
from .scenario import Scenario
from .workload import Workload

__all__ = ["Thresholds", "Reason", "Recommendation", "recommend", "recommend_tasks", "best_option"]


@dataclass(frozen=True)
class Thresholds:
    min_requests_per_day: float = 100.0        # below this, fine-tuning rarely pays
    max_prompt_changes_per_month: float = 1.0  # at or above: the prompt is still changing
    min_training_examples: int = 500           # logged examples under the current prompt
    min_savings_ratio: float = 2.0             # worth the risk of running your own model
    min_savings_usd_per_month: float = 100.0   # below this, upkeep of a model of your own costs more
    max_payback_months: float = 6.0
    min_p_pays_off: float = 0.8
    min_latency_gain: float = 0.2              # e2e faster by this share counts as a gain

    def __post_init__(self) -> None:
        if self.min_requests_per_day < 0 or self.max_prompt_changes_per_month <= 0 or self.min_savings_ratio < 1:
            raise ScenarioError("thresholds: volumes >= 0, prompt changes > 0, savings ratio >= 1")
        if not 0 <= self.min_p_pays_off <= 1:
            raise ScenarioError("thresholds: min_p_pays_off is a probability in [0, 1]")


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    value: float | None
    threshold: float | None
    effect: str            # blocks | delays | supports | info

    def as_dict(self) -> dict:
        return {"code": self.code, "text": self.text, "value": self.value, "threshold": self.threshold,
                "effect": self.effect}


@dataclass(frozen=True)
class Recommendation:
    verdict: str                         # fine-tune | not yet | no
    best_option: str | None
    reasons: tuple[Reason, ...]
    baseline: str
    break_even_requests_per_day: float | None
    payback_months: int | None
    p_pays_off: float | None
    savings_ratio: float | None
    savings_usd_horizon: float | None
    savings_usd_p10: float | None
    savings_usd_p90: float | None
    options: pd.DataFrame = field(repr=False)
    scenario: Scenario = field(repr=False)
    assumptions: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        cols = ["name", "kind", "usd_per_request", "usd_per_month", "ttft_s", "e2e_s", "one_off_usd",
                "recurring_usd_per_month", "usd_horizon", "savings_ratio", "break_even_requests_per_day",
                "payback_month", "gpus", "meets_latency", "notes", "source"]
        return json_safe({
            "verdict": self.verdict, "best_option": self.best_option, "baseline": self.baseline,
            "task": self.scenario.workload.task, "requests_per_day": self.scenario.workload.requests_per_day,
            "reasons": [r.as_dict() for r in self.reasons],
            "break_even_requests_per_day": self.break_even_requests_per_day, "payback_months": self.payback_months,
            "p_pays_off": self.p_pays_off, "savings_ratio": self.savings_ratio,
            "savings_usd_horizon": self.savings_usd_horizon, "savings_usd_p10": self.savings_usd_p10,
            "savings_usd_p90": self.savings_usd_p90, "horizon_months": self.scenario.horizon_months,
            "as_of": self.options.attrs.get("as_of"),
            "options": [{k: r[k] for k in cols} for r in self.options.to_dict("records")],
            "assumptions": list(self.assumptions),
        })


def best_option(scenario: Scenario, baseline: PricedOption, options: list[PricedOption]) -> PricedOption | None:
    """The fine-tuned option with the lowest horizon cost among those that meet the latency targets."""
    w = scenario.workload
    ft = [o for o in options if o.fine_tuned and o.meets_latency is not False]
    if not ft:
        return None
    costs = [float(horizon_cost_usd(o, w.requests_per_day, scenario.horizon_months, scenario.growth_per_month)[0])
             for o in ft]
    return ft[int(np.argmin(costs))]


def _fmt_usd(x: float) -> str:
    return f"${x:,.0f}" if abs(x) >= 100 else f"${x:,.2f}"


def recommend(scenario: Scenario, *, thresholds: Thresholds = Thresholds(), draws: int = 10_000, seed: int = 0,
              catalog=None) -> Recommendation:
    """Compare every option, assess the best fine-tuned one under uncertainty, and decide."""
    from .uncertainty import monte_carlo

    t = thresholds
    cat = catalog or catalog_for(scenario)
    baseline, options = price_options(scenario, cat)
    table = compare(scenario, cat)
    w, H, g = scenario.workload, scenario.horizon_months, scenario.growth_per_month
    best = best_option(scenario, baseline, options)
    reasons: list[Reason] = []

    if scenario.needs_deep_reasoning:
        reasons.append(Reason("deep_reasoning", "The task needs GPT-4-level reasoning (your flag): a 7B expert "
                              "learns narrow patterns, not general reasoning.", None, None, "blocks"))
    if scenario.out_of_domain:
        reasons.append(Reason("out_of_domain", "Inputs drift outside what the logs show (your flag): a fine-tuned "
                              "7B model degrades on what it was not trained on.", None, None, "blocks"))

    rpd = w.requests_per_day
    rpd_end = rpd * (1 + g) ** (H - 1)
    if rpd < t.min_requests_per_day:
        grows = rpd_end >= t.min_requests_per_day
        reasons.append(Reason(
            "low_volume",
            f"{rpd:,.0f} requests/day is below {t.min_requests_per_day:,.0f}: training, evaluation and upkeep "
            f"outweigh what a cheaper model saves" + (f"; growth reaches {rpd_end:,.0f}/day within {H} months"
                                                       if grows else ""),
            rpd, t.min_requests_per_day, "delays" if grows else "blocks"))
    else:
        reasons.append(Reason("volume", f"{rpd:,.0f} requests/day is enough volume for savings to add up "
                              f"(threshold {t.min_requests_per_day:,.0f}).", rpd, t.min_requests_per_day, "supports"))

    changes = scenario.prompt_changes
    if scenario.prompt_changes_per_month is not None:
        src = "as given"
    elif w.template_changes_per_month is not None:
        src = "measured in the logs"
    else:
        src = "assumed: pass --prompt-changes-per-month or logs"
    if changes >= t.max_prompt_changes_per_month:
        reasons.append(Reason("prompt_changing",
                              f"The prompt changed {changes:.1f} times a month ({src}): each change means new "
                              f"training data and a retrained model; wait until it is stable.",
                              changes, t.max_prompt_changes_per_month, "delays"))
    else:
        reasons.append(Reason("prompt_stable", f"The prompt is stable ({changes:.1f} changes a month, {src}).",
                              changes, t.max_prompt_changes_per_month, "supports"))

    examples = scenario.examples
    ex_src = "given" if scenario.training_examples is not None else \
        "logged under the current prompt" if w.examples is not None else "assumed: pass --training-examples or logs"
    if examples < t.min_training_examples:
        reasons.append(Reason("few_examples", f"Only {examples:,} examples to train on ({ex_src}; want "
                              f"{t.min_training_examples:,}): keep logging.", float(examples),
                              float(t.min_training_examples), "delays"))
    else:
        reasons.append(Reason("examples", f"{examples:,} examples to train on ({ex_src}).", float(examples),
                              float(t.min_training_examples), "supports"))

    be = pb = p_pays = ratio = save = p10 = p90 = None
    if best is None:
        reasons.append(Reason("no_option", "No fine-tuned option meets the latency targets.", None, None, "blocks"))
    else:
        row = table.set_index("name").loc[best.name]
        ratio = float(row["savings_ratio"])
        save = float(row["savings_usd_horizon"])
        be = break_even_requests_per_day(best, baseline, H, g)
        pb = payback_month(best, baseline, rpd, H, g)
        mc = monte_carlo(scenario, option=best.name, draws=draws, seed=seed, catalog=cat)
        p_pays, p10, p90 = mc.p_pays_off, mc.savings_usd_p10, mc.savings_usd_p90
        if be is None:
            reasons.append(Reason("no_break_even", f"{best.name} never costs less than {baseline.name} over "
                                  f"{H} months at any volume.", None, None, "blocks"))
        elif save < 0:
            reasons.append(Reason("costs_more", f"{best.name} costs {_fmt_usd(-save)} more than {baseline.name} "
                                  f"over {H} months at this volume; it breaks even from {be:,.0f} requests/day.",
                                  save, 0.0, "blocks" if be > 10 * max(rpd_end, 1) else "delays"))
        monthly = float(table.set_index("name").loc[baseline.name, "usd_per_month"]) - float(row["usd_per_month"]) \
            - best.recurring_usd_per_month
        if save >= 0 and monthly < t.min_savings_usd_per_month:
            reasons.append(Reason("small_dollars", f"Saves {_fmt_usd(monthly)} a month at this volume (want "
                                  f"{_fmt_usd(t.min_savings_usd_per_month)}): less than the time a model of your own "
                                  f"takes to look after.", monthly, t.min_savings_usd_per_month,
                                  "delays" if rpd_end > rpd * 1.5 else "blocks"))
        if ratio < t.min_savings_ratio and save >= 0:
            reasons.append(Reason("small_savings", f"{best.name} is only {ratio:.1f}x cheaper per month than "
                                  f"{baseline.name} (want {t.min_savings_ratio:g}x to justify running a model of "
                                  f"your own).", ratio, t.min_savings_ratio, "delays"))
        elif ratio >= t.min_savings_ratio:
            reasons.append(Reason("savings", f"{best.name} is {ratio:.1f}x cheaper per month than {baseline.name}: "
                                  f"{_fmt_usd(save)} saved over {H} months.", ratio, t.min_savings_ratio, "supports"))
        if pb is None or pb > t.max_payback_months:
            if save >= 0 and be is not None:
                reasons.append(Reason("slow_payback", f"Pays back {'after the horizon' if pb is None else f'in month {pb}'}"
                                      f" (want within {t.max_payback_months:g}).",
                                      None if pb is None else float(pb), t.max_payback_months, "delays"))
        else:
            reasons.append(Reason("payback", f"Pays back in month {pb} (one-off {_fmt_usd(best.one_off_usd)}).",
                                  float(pb), t.max_payback_months, "supports"))
        if p_pays < t.min_p_pays_off and save >= 0:
            reasons.append(Reason("uncertain", f"Pays off in only {p_pays:.0%} of {draws:,} simulated futures "
                                  f"(want {t.min_p_pays_off:.0%}); savings P10 {_fmt_usd(p10)}, P90 {_fmt_usd(p90)}.",
                                  p_pays, t.min_p_pays_off, "delays"))
        elif p_pays >= t.min_p_pays_off:
            reasons.append(Reason("robust", f"Pays off in {p_pays:.0%} of {draws:,} simulated futures "
                                  f"(savings P10 {_fmt_usd(p10)}, P90 {_fmt_usd(p90)}).", p_pays, t.min_p_pays_off,
                                  "supports"))
        if best.e2e_s is not None and baseline.e2e_s is not None and baseline.e2e_s > 0:
            gain = 1 - best.e2e_s / baseline.e2e_s
            if gain >= t.min_latency_gain:
                reasons.append(Reason("latency", f"Responses finish {gain:.0%} sooner ({best.e2e_s:.1f} s vs "
                                      f"{baseline.e2e_s:.1f} s end to end).", gain, t.min_latency_gain, "supports"))
            elif gain < 0:
                reasons.append(Reason("slower", f"Responses take {-gain:.0%} longer ({best.e2e_s:.1f} s vs "
                                      f"{baseline.e2e_s:.1f} s).", gain, 0.0, "info"))

    order = {"blocks": 0, "delays": 1, "supports": 2, "info": 3}
    reasons.sort(key=lambda r: order[r.effect])
    verdict = "no" if any(r.effect == "blocks" for r in reasons) else \
        "not yet" if any(r.effect == "delays" for r in reasons) else "fine-tune"
    return Recommendation(verdict=verdict, best_option=None if best is None else best.name, reasons=tuple(reasons),
                          baseline=baseline.name, break_even_requests_per_day=be, payback_months=pb,
                          p_pays_off=p_pays, savings_ratio=ratio, savings_usd_horizon=save, savings_usd_p10=p10,
                          savings_usd_p90=p90, options=table, scenario=scenario,
                          assumptions=tuple(scenario.assumptions()))


_RANK = {"no": 0, "not yet": 1, "fine-tune": 2}


def recommend_tasks(workloads: dict[str, Workload], scenario: Scenario, **kw) -> dict[str, Recommendation]:
    """One recommendation per task (each prompt becomes its own expert), and ``"all"``.

    The overall verdict is the best of the tasks' (fine-tune the tasks that qualify): the pooled
    traffic alone cannot earn ``fine-tune``, since no single expert serves every prompt.
    """
    recs = {task: recommend(replace(scenario, workload=w), **kw) for task, w in workloads.items()}
    tasks = {t: r for t, r in recs.items() if t != "all"}
    if "all" not in recs or len(tasks) < 2:
        return recs
    best = max(_RANK[r.verdict] for r in tasks.values())
    counts = {v: sum(r.verdict == v for r in tasks.values()) for v in _RANK}
    yes = [t for t, r in tasks.items() if r.verdict == "fine-tune"]
    text = (f"Per task (each prompt becomes its own model): {counts['fine-tune']} fine-tune, {counts['not yet']} not "
            f"yet, {counts['no']} no" + (f"; fine-tune {', '.join(yes)}" if yes else "") + ".")
    # the headline speaks for the task that leads the best verdict (largest savings among them)
    lead = max((r for r in tasks.values() if _RANK[r.verdict] == best),
               key=lambda r: r.savings_usd_horizon if r.savings_usd_horizon is not None else float("-inf"))
    verdict = next(v for v, k in _RANK.items() if k == best)
    effect = "supports" if best == 2 else ("delays" if best == 1 else "blocks")
    reasons = (Reason("per_task", text + f" Figures below are for {lead.scenario.workload.task}.",
                      float(counts["fine-tune"]), None, effect),) + lead.reasons
    recs["all"] = replace(lead, verdict=verdict, reasons=reasons, assumptions=recs["all"].assumptions)
    return recs
