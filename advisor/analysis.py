"""Everything the dashboard and notebooks show for one scenario, computed in one call.

The UI draws what this returns; it does no arithmetic of its own. ``Analysis.bill`` is the whole
bill across tasks (:class:`advisor.bill.WholeBill`); ``task_table`` is its per-task verdict table.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .bill import WholeBill, whole_bill
from .compare import cumulative_curves, sweep
from .recommend import Recommendation, Thresholds, recommend, recommend_tasks
from .scenario import Scenario
from .uncertainty import MonteCarlo, monte_carlo, tornado
from .workload import Workload

__all__ = ["Analysis", "analyse", "task_table", "volume_grid"]


@dataclass(frozen=True)
class Analysis:
    recommendation: Recommendation             # the headline (per-task roll-up when several tasks)
    tasks: dict[str, Recommendation]           # per task ("all" included)
    focus: Recommendation                      # the recommendation whose figures are drawn
    sweep: pd.DataFrame                        # all-in USD/month (one-off spread over the horizon) per option
    curves: pd.DataFrame                       # cumulative USD per month per option
    tornado: pd.DataFrame | None
    monte_carlo: MonteCarlo | None
    bill: WholeBill | None = None              # current spend, spend with qualifying tasks fine-tuned, savings


def volume_grid(requests_per_day: float, n: int = 120) -> np.ndarray:
    """Log-spaced volumes from 1/100 to 100x the current one (at least 1..1000 requests/day)."""
    lo = max(requests_per_day / 100.0, 1.0)
    hi = max(requests_per_day * 100.0, 1000.0)
    return np.geomspace(lo, hi, n)


def analyse(workloads: dict[str, Workload], scenario: Scenario, *, task: str = "all",
            thresholds: Thresholds = Thresholds(), draws: int = 10_000, seed: int = 0) -> Analysis:
    """Recommendations per task, and the charts' data for ``task`` (``"all"``: the headline's task)."""
    kw = dict(thresholds=thresholds, draws=draws, seed=seed)
    if len(workloads) > 1:
        recs = recommend_tasks(workloads, scenario, **kw)
    else:
        only = next(iter(workloads.values()))
        recs = {"all": recommend(replace(scenario, workload=only), **kw)}
    focus = recs["all"] if task == "all" else recs[task]
    s = focus.scenario
    best = focus.best_option
    return Analysis(
        recommendation=recs["all"], tasks=recs, focus=focus,
        sweep=sweep(s, volume_grid(s.workload.requests_per_day), metric="usd_per_month_all_in"),
        curves=cumulative_curves(s),
        tornado=tornado(s, option=best) if best else None,
        monte_carlo=monte_carlo(s, option=best, draws=draws, seed=seed) if best else None,
        bill=whole_bill(recs))


def task_table(tasks: dict[str, Recommendation]) -> pd.DataFrame:
    """One row per task: volume, tokens, churn, verdict, best option, today's and the new monthly
    spend (the whole bill's lines), savings and what blocks it."""
    lines = {t.task: t for t in whole_bill(tasks).tasks}
    rows = []
    for name, r in tasks.items():
        if name == "all" and len(tasks) > 1:
            continue
        w = r.scenario.workload
        line = lines.get(name)
        rows.append({"task": name, "verdict": str(r.verdict), "requests_per_day": w.requests_per_day,
                     "current_usd_per_month": None if line is None else line.current_usd_per_month,
                     "new_usd_per_month": None if line is None else line.new_usd_per_month,
                     "best_switch": r.best_switch,
                     "prompt_tokens": w.prompt_tokens, "completion_tokens": w.completion_tokens,
                     "prompt_changes_per_month": r.scenario.prompt_changes, "examples": r.scenario.examples,
                     "best_option": r.best_option, "savings_ratio": r.savings_ratio,
                     "savings_usd_horizon": r.savings_usd_horizon,
                     "break_even_requests_per_day": r.break_even_requests_per_day,
                     "blocking": "; ".join(x.code for x in r.reasons if x.effect in ("blocks", "delays"))})
    return pd.DataFrame(rows)
