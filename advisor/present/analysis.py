"""Everything the page, the report and a notebook show for one scenario, computed once: the one analysis.

:func:`analyse` (recommendations per task, then the charts' data for the task in focus) is what notebooks call;
the dashboard caches one :class:`PageAnalysis` per (data digest, scenario) and draws it, and the HTML/Markdown report
renders the same object, so the download, the page and a notebook always agree (same grids, same prices, same
Monte Carlo draws).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from advisor.bill import WholeBill, whole_bill
from advisor.compare import catalog_for, cumulative_curves, sweep
from advisor.keys import WHOLE_LOG
from advisor.recommend import Recommendation, Thresholds, recommend, recommend_tasks
from advisor.scenario import Scenario
from advisor.uncertainty import MonteCarlo, monte_carlo, tornado
from advisor.workload import Workload

__all__ = ["ending_options", "Inputs", "Analysis", "PageAnalysis", "analyse", "analyse_page", "recommend_page", "page_analysis",
           "chart_volumes", "option_colours", "task_colours", "uploads_digest", "BASELINE_COLOUR"]

BASELINE_COLOUR = "#b2182b"   # the baseline is the same dark red in every chart
# 40 colours, none near the baseline's red: a catalog's ~35 options each get their own before any repeats (the
# strong ones first, for the fine-tunes listed first; then lighter and deeper shades of the same hues)
_OPTION_PALETTE = ("#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#bcbd22",
                   "#393b79", "#637939", "#7f7f7f",
                   "#aec7e8", "#98df8a", "#c5b0d5", "#ffbb78", "#9edae5", "#c49c94", "#dbdb8d", "#5254a3", "#8ca252",
                   "#bd9e39", "#7b4173", "#3182bd", "#31a354", "#756bb1", "#f7b6d2",
                   "#e6550d", "#6baed6", "#74c476", "#9e9ac8", "#fd8d3c", "#969696", "#8c6d31", "#e7ba52", "#cedb9c",
                   "#bcbddc", "#c7e9c0", "#fdd0a2", "#9ecae1", "#525252")
_TASK_PALETTE = ("#4c78a8", "#f58518", "#54a24b", "#b279a2", "#9d755d", "#e45756", "#72b7b2", "#eeca3b")


@dataclass(frozen=True)
class Inputs:
    """What the sidebar returns: the data source, the scenario (workload filled in per task) and the
    thresholds; ``key`` is the canonical URL query, so equal keys mean equal scenarios."""

    source: str
    task: str
    requests_per_day: float | None     # None: logs without timestamps and no volume typed yet
    prompt_tokens: float
    completion_tokens: float
    scenario: Scenario
    thresholds: Thresholds
    key: str                           # the whole scenario
    recs_key: str                      # the same without the selected task (the verdicts do not depend on it)


@dataclass(frozen=True)
class PageAnalysis:
    tasks: dict[str, Recommendation]   # per task, "all" = the headline
    focus: Recommendation              # the one the charts are about (selected task or the headline's)
    sweep: pd.DataFrame                # all-in USD/month (one-off spread over the horizon) per option over volumes
    curves: pd.DataFrame               # cumulative USD per month per option
    tornado: pd.DataFrame | None
    monte_carlo: MonteCarlo | None
    colours: dict[str, str]            # option -> colour, the same in every chart
    bill: WholeBill                    # the whole bill across tasks (advisor.bill)

    @property
    def headline(self) -> Recommendation:
        return self.tasks[WHOLE_LOG]

    @property
    def recommendation(self) -> Recommendation:
        """The headline (per-task roll-up when several tasks); the same as :attr:`headline`."""
        return self.headline


Analysis = PageAnalysis   # the one analysis's result, whoever draws it


def uploads_digest(files: list[tuple[str, bytes]]) -> tuple[str, list[tuple[str, bytes]], list[str]]:
    """One digest for a set of uploads (order and names ignored; the same content twice counted once).

    Returns ``(digest, unique files, notes on duplicates)``.

    >>> d, files, notes = uploads_digest([("a.jsonl", b"x"), ("b.jsonl", b"x")])
    >>> [n for n, _ in files], notes
    (['a.jsonl'], ['b.jsonl is the same file as a.jsonl: counted once.'])
    >>> uploads_digest([("a.jsonl", b"x"), ("a.jsonl", b"x")])[2]
    ['a.jsonl was uploaded twice: counted once.']
    """
    seen: dict[str, str] = {}
    unique, notes = [], []
    for name, data in files:
        h = hashlib.sha256(data).hexdigest()
        if h in seen:
            notes.append(f"{name} was uploaded twice: counted once." if name == seen[h] else
                         f"{name} is the same file as {seen[h]}: counted once.")
            continue
        seen[h] = name
        unique.append((name, data))
    return hashlib.sha256("".join(sorted(seen)).encode()).hexdigest(), unique, notes


def chart_volumes(requests_per_day: float, marks=(), n: int = 160) -> np.ndarray:
    """Log-spaced volumes covering the current volume and every break-even, with room either side:
    ``[min(v, marks) / 5, max(v, marks) * 5]``, at least a 100x span.

    >>> v = chart_volumes(1_000_000, marks=[50.0])
    >>> float(v[0]), float(v[-1])
    (10.0, 5000000.0)
    """
    pts = [x for x in (requests_per_day, *marks) if x is not None and np.isfinite(x) and x > 0] or [1.0]
    lo, hi = min(pts) / 5.0, max(pts) * 5.0
    if hi / lo < 100:
        mid = np.sqrt(lo * hi)
        lo, hi = mid / 10, mid * 10
    return np.geomspace(max(lo, 0.01), hi, n)


def option_colours(names: list[str], baseline: str) -> dict[str, str]:
    """One colour per option, stable in the options' order; the baseline always dark red."""
    out, i = {}, 0
    for name in names:
        if name == baseline:
            out[name] = BASELINE_COLOUR
        else:
            out[name] = _OPTION_PALETTE[i % len(_OPTION_PALETTE)]
            i += 1
    return out


def ending_options(options: pd.DataFrame) -> dict[str, str]:
    """Options that stop serving within the horizon and their last day (name -> ISO date), for the charts' marks."""
    if "ends_within_horizon" not in options:
        return {}
    rows = options[options["ends_within_horizon"].astype(bool) & options["serves_until"].notna()]
    return dict(zip(rows["name"], rows["serves_until"]))


def task_colours(tasks: list[str]) -> dict[str, str]:
    return {t: _TASK_PALETTE[i % len(_TASK_PALETTE)] for i, t in enumerate(tasks)}


def recommend_page(workloads: dict[str, Workload], scenario: Scenario, *, thresholds: Thresholds = Thresholds(),
                   draws: int = 10_000, seed: int = 0) -> tuple[dict[str, Recommendation], object]:
    """Recommendations per task (``"all"`` = the headline) and the catalog they were priced from
    (loaded once for every task and chart)."""
    cat = catalog_for(scenario)
    if len(workloads) > 1:
        return recommend_tasks(workloads, scenario, thresholds=thresholds, draws=draws, seed=seed, catalog=cat), cat
    only = next(iter(workloads.values()))
    return {WHOLE_LOG: recommend(replace(scenario, workload=only), thresholds=thresholds, draws=draws, seed=seed,
                             catalog=cat)}, cat


def analyse_page(workloads: dict[str, Workload], scenario: Scenario, *, task: str = WHOLE_LOG,
                 thresholds: Thresholds = Thresholds(), draws: int = 10_000, seed: int = 0) -> PageAnalysis:
    """Recommendations per task and the charts' data for ``task`` (``"all"``: the headline's task)."""
    recs, cat = recommend_page(workloads, scenario, thresholds=thresholds, draws=draws, seed=seed)
    return page_analysis(recs, task=task, draws=draws, seed=seed, catalog=cat)


def page_analysis(recs: dict[str, Recommendation], *, task: str = WHOLE_LOG, draws: int = 10_000,
                  seed: int = 0, catalog=None) -> PageAnalysis:
    """The charts' data for recommendations already made (the CLI's report uses this)."""
    focus = recs.get(task, recs[WHOLE_LOG])
    s, best = focus.scenario, focus.best_option
    cat = catalog or catalog_for(s)
    marks = [x for x in focus.options["break_even_requests_per_day"] if pd.notna(x)]
    priced = focus.priced   # the recommendation's own pricing and Monte Carlo, when it made them
    mc = focus.monte_carlo
    if best and (mc is None or (mc.option, mc.draws, mc.seed) != (best, draws, seed)):
        mc = monte_carlo(s, option=best, draws=draws, seed=seed, catalog=cat, priced=priced)
    return PageAnalysis(
        tasks=recs, focus=focus,
        sweep=sweep(s, chart_volumes(s.workload.requests_per_day, marks), catalog=cat, priced=priced,
                    metric="usd_per_month_all_in"),
        curves=cumulative_curves(s, cat, priced=priced),
        tornado=tornado(s, option=best, catalog=cat, priced=priced) if best else None,
        monte_carlo=mc if best else None,
        colours=option_colours(list(focus.options["name"]), focus.baseline),
        bill=whole_bill(recs))


def analyse(workloads: dict[str, Workload], scenario: Scenario, *, task: str = WHOLE_LOG,
            thresholds: Thresholds = Thresholds(), draws: int = 10_000, seed: int = 0) -> PageAnalysis:
    """The one analysis (what notebooks call; the page and the report draw the same object): recommendations per
    task, and the charts' data for ``task`` (``"all"``: the headline's task)."""
    return analyse_page(workloads, scenario, task=task, thresholds=thresholds, draws=draws, seed=seed)
