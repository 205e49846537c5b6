"""Everything the dashboard and notebooks show for one scenario, computed in one call.

The UI draws what this returns; it does no arithmetic of its own. ``Analysis.bill`` is the whole
bill across tasks (:class:`advisor.bill.WholeBill`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from advisor.bill import WholeBill, whole_bill
from advisor.compare import cumulative_curves, sweep
from advisor.recommend import Recommendation, Thresholds, recommend, recommend_tasks
from advisor.scenario import Scenario
from advisor.uncertainty import MonteCarlo, monte_carlo, tornado
from advisor.workload import Workload

__all__ = ["Analysis", "analyse", "volume_grid"]


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


