"""The verdict: ``fine-tune``, ``switch``, ``not yet`` or ``no``, with ranked reasons tied to numbers.

Why the rules are what they are is said once, in :mod:`advisor.rules`.

Every path is an option (stay, switch to a cheaper API model, fine-tune per token, on a dedicated deployment,
self-hosted): each qualifying option's outcome is its savings over the horizon weighed by P(pays off)
(``score = P x savings`` when it saves, else its savings), ranked best-first with ``advisor.compare.tie_key``
at equal outcome. The Monte Carlo runs best-first and stops when no option left can win (a score never exceeds
the savings).

Each rule is a small function ``(context, thresholds) -> Reason | None``, listed in :data:`RULES`; they judge the
best fine-tune. Verdict: ``switch`` when a switch with no training saves money and its outcome beats every
fine-tune's; else any ``blocks`` reason -> ``no``; any ``delays`` -> ``not yet``; else ``fine-tune``.
Reasons are ranked blocks, delays, supports, info (stable within each). Break-even, payback and P(pays off) are
the recommended option's (``best_option``: the switch under ``switch``, else the best fine-tune); the best
fine-tune's figures stand beside them (``fine_tune_*``).

Public names: :class:`Recommendation`, :func:`recommend`, :func:`recommend_tasks`; :class:`Verdict`, :class:`Effect`
(StrEnums; the values are the JSON contract), :class:`Thresholds`, :class:`Reason`, :class:`Context` and :data:`RULES`
live in :mod:`advisor.rules` and are re-exported here; :func:`best_option` lives in :mod:`advisor.compare`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pandas as pd

from advisor.compare import (
    PricedOption,
    baseline_note,
    best_option,
    catalog_for,
    ft_prompt_tokens,
    options_table,
    price_options,
    qualifying_fine_tunes,
    qualifying_switches,
    too_long_options,
)
from advisor.horizon import one_off_quantile_usd
from advisor.jsonsafe import json_safe
from advisor.keys import WHOLE_LOG
from advisor.rules import (  # noqa: F401  (re-exported: the rules' names were recommend's)
    _EFFECT_ORDER,
    EXPORT_WITH_TEXT,
    RULES,
    Context,
    Effect,
    Reason,
    Rule,
    Thresholds,
    Verdict,
    _table_row,
    days_to_examples,
    verdict_of,
)
from advisor.scenario import Scenario
from advisor.uncertainty import MonteCarlo, monte_carlo
from advisor.workload import Workload
from pricing.people import Z90

__all__ = ["Verdict", "Effect", "Thresholds", "Reason", "Recommendation", "Context", "RULES", "recommend",
           "recommend_tasks", "best_option"]


@dataclass(frozen=True)
class Recommendation:
    verdict: Verdict
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
    # the volume from which fine-tuning pays at all: the lowest break-even of the qualifying fine-tunes (may be
    # another option than the recommended one, e.g. a hosted fine-tune when a GPU wins at today's volume)
    lowest_break_even_requests_per_day: float | None = None
    lowest_break_even_option: str | None = None
    best_switch: str | None = None             # the best "switch model" API option meeting the targets
    break_even_option: str | None = None       # the option whose break-even is reported (the recommended one)
    best_fine_tune: str | None = None          # the best fine-tune (best_option too unless the verdict is switch)
    one_off_usd_p10: float | None = None       # the recommended option's one-off with people's time at P10 / P90
    one_off_usd_p90: float | None = None
    fine_tune_break_even_requests_per_day: float | None = None   # the best fine-tune's figures beside a switch
    fine_tune_savings_usd_horizon: float | None = None
    fine_tune_p_pays_off: float | None = None
    baseline_note: str | None = None   # the baseline is not simply the logs' model (compare.baseline_note): said with it
    # computed on the way, kept so the page's charts do not compute them again (not part of the result's value)
    monte_carlo: MonteCarlo | None = field(default=None, repr=False, compare=False)
    priced: tuple | None = field(default=None, repr=False, compare=False)   # price_options(scenario)

    def option_row(self, name: str | None) -> dict | None:
        """The options table's row for ``name`` as a dict (the first with that name); None when absent."""
        if name is None:
            return None
        return _table_row(self.options, self._row_cache, name)

    @functools.cached_property
    def _row_cache(self) -> dict:
        return {}   # name -> row of ``options``, read once (the page and the bill ask for the same rows)

    def _chosen(self, col: str) -> float | None:
        """The recommended option's value of an options-table column (None without one)."""
        row = self.option_row(self.best_option)
        return None if row is None or col not in row else float(row[col])

    def as_dict(self) -> dict:
        cols = ["name", "kind", "role", "path", "trainable", "usd_per_request", "usd_per_month", "total_usd_per_month",
                "savings_usd_per_month", "ttft_s", "e2e_s", "one_off_usd", "recurring_usd_per_month", "usd_horizon",
                "savings_usd_horizon", "savings_ratio", "serving_ratio", "all_in_ratio", "break_even_requests_per_day",
                "payback_month", "gpus", "meets_latency", "cold_start_share", "one_off_items", "recurring_items",
                "reasoning", "like_for_like", "mmlu", "serves_until", "ends_within_horizon", "notes", "source"]
        return json_safe({
            "verdict": str(self.verdict), "best_option": self.best_option, "best_switch": self.best_switch,
            "best_fine_tune": self.best_fine_tune,
            "one_off_usd_p10": self.one_off_usd_p10, "one_off_usd_p90": self.one_off_usd_p90,
            "fine_tune_break_even_requests_per_day": self.fine_tune_break_even_requests_per_day,
            "fine_tune_savings_usd_horizon": self.fine_tune_savings_usd_horizon,
            "fine_tune_p_pays_off": self.fine_tune_p_pays_off,
            "baseline": self.baseline, "baseline_note": self.baseline_note,
            "task": self.scenario.workload.task, "requests_per_day": self.scenario.workload.requests_per_day,
            "reasons": [r.as_dict() for r in self.reasons],
            "break_even_requests_per_day": self.break_even_requests_per_day,
            "break_even_option": self.break_even_option, "payback_months": self.payback_months,
            "lowest_break_even_requests_per_day": self.lowest_break_even_requests_per_day,
            "lowest_break_even_option": self.lowest_break_even_option,
            "p_pays_off": self.p_pays_off, "savings_ratio": self.savings_ratio,
            # one name per meaning: savings_ratio above is today's cost over the option's with upkeep (kept as is)
            "serving_ratio": self._chosen("serving_ratio"), "all_in_ratio": self._chosen("all_in_ratio"),
            "savings_usd_horizon": self.savings_usd_horizon, "savings_usd_p10": self.savings_usd_p10,
            "savings_usd_p90": self.savings_usd_p90, "horizon_months": self.scenario.horizon_months,
            "latency_sensitive": self.scenario.latency_sensitive,
            "as_of": self.options.attrs.get("as_of"),
            "options": [{k: r.get(k) for k in cols} for r in self.options.to_dict("records")],
            "assumptions": list(self.assumptions),
        })


def outcome_usd(savings_usd: float, p_pays_off: float | None) -> float:
    """An option's outcome over the horizon weighed by P(pays off): ``P x savings`` when it saves, else the savings
    (a loss is not made smaller by its odds).

    >>> outcome_usd(5000.0, 0.9), outcome_usd(-200.0, 0.1)
    (4500.0, -200.0)
    """
    return savings_usd * (1.0 if p_pays_off is None else p_pays_off) if savings_usd > 0 else savings_usd


@dataclass
class _Ranker:
    """Best-first search of the options by outcome, running each Monte Carlo at most once."""

    scenario: Scenario
    savings: dict[str, float]
    run: Callable[[str], MonteCarlo]
    mcs: dict[str, MonteCarlo] = field(default_factory=dict)

    def mc(self, name: str) -> MonteCarlo:
        if name not in self.mcs:
            self.mcs[name] = self.run(name)
        return self.mcs[name]

    def best(self, candidates: list[PricedOption]) -> tuple[PricedOption | None, float]:
        """(the candidate with the best outcome, its outcome): by savings first (``tie_key`` after), stopping at the
        first whose savings cannot beat the best outcome so far (an outcome never exceeds the savings)."""
        order = sorted(candidates, key=lambda o: (-self.savings[o.name], o.one_off_usd, o.name))
        best, best_score = None, -math.inf
        for o in order:
            s = self.savings[o.name]
            if best is not None and s <= best_score:
                break
            if s <= 0:   # every one left loses money: the smallest loss is the best outcome
                return (o, s) if best is None else (best, best_score)
            score = outcome_usd(s, self.mc(o.name).p_pays_off)
            if score > best_score:
                best, best_score = o, score
        return best, best_score


def _row_figures(table: pd.DataFrame, name: str | None) -> tuple[float | None, int | None, float | None]:
    """(break-even, payback month, savings over the horizon) of ``name``'s row (None: absent or none)."""
    if name is None:
        return None, None, None
    be, pb, save = (_cell(table, name, c) for c in ("break_even_requests_per_day", "payback_month", "savings_usd_horizon"))
    return (None if pd.isna(be) else float(be), None if pd.isna(pb) else int(pb), float(save))


def _cell(table: pd.DataFrame, name: str, column: str):
    """``table.loc[table["name"] == name, column].iloc[0]``: the first row named ``name`` (IndexError when none),
    found in the names as a list (a comparison over the whole column costs more than the table's few rows).

    >>> int(_cell(pd.DataFrame({"name": ["a", "b", "b"], "x": [1, 2, 3]}), "b", "x"))
    2
    """
    try:
        pos = table["name"].tolist().index(name)
    except ValueError:
        raise IndexError(f"no option {name!r} in the table") from None
    return table[column].iat[pos]


def recommend(scenario: Scenario, *, thresholds: Thresholds | None = None, draws: int = 10_000, seed: int = 0,
              catalog=None) -> Recommendation:
    """Price every path, rank them by outcome weighed by P(pays off), apply :data:`RULES` to the best fine-tune,
    and name the recommended option (a switch when it beats every fine-tune)."""
    thresholds = thresholds or Thresholds()
    cat = catalog or catalog_for(scenario)
    baseline, options = price_options(scenario, cat)
    table = options_table(scenario, baseline, options, as_of=cat.as_of)
    too_long = too_long_options(scenario, cat)   # left out of the options: their model cannot hold the request
    table.attrs["too_long"] = too_long
    savings = dict(zip(table["name"].tolist(), table["savings_usd_horizon"].tolist()))
    ranker = _Ranker(scenario, savings, lambda name: monte_carlo(scenario, option=name, draws=draws, seed=seed,
                                                                   catalog=cat, priced=(baseline, options)))
    best, ft_score = ranker.best(qualifying_fine_tunes(scenario, baseline, options))
    switch, sw_score = ranker.best(qualifying_switches(scenario, baseline, options))
    switch_wins = switch is not None and savings[switch.name] > 0 and (best is None or sw_score > ft_score)
    mc = None if best is None else ranker.mc(best.name)
    sw_mc = ranker.mcs.get(switch.name) if switch is not None else None
    if switch_wins and sw_mc is None and switch is not None:
        sw_mc = ranker.mc(switch.name)
    be, pb, ft_save = _row_figures(table, None if best is None else best.name)
    c = Context(scenario, baseline, best, switch, table, be, pb, mc, draws,
                ending=tuple(o for o in options if o.fine_tuned and o.ends_within_horizon), switch_mc=sw_mc,
                switch_wins=switch_wins, untrainable=tuple(o for o in options if o.fine_tuned and not o.trainable))
    reasons = tuple(sorted((r for r in (rule(c, thresholds) for rule in RULES) if r is not None),
                           key=lambda r: _EFFECT_ORDER[r.effect]))
    if switch_wins and best is not None:   # the fine-tune's own figures, said of it by name beside the switch
        reasons = tuple(_of_fine_tune(r, best.name) for r in reasons)
    chosen, chosen_mc = (switch, sw_mc) if switch_wins else (best, mc)
    r_be, r_pb, r_save = (be, pb, ft_save) if chosen is best or chosen is None else _row_figures(table, chosen.name)
    base_note = baseline_note(scenario, cat, baseline.name)  # the headline's footing, said beside it and first
    said_first = [base_note] if base_note else []
    notes = [n for n in (ft_prompt_tokens(scenario)[1], _too_long_note(too_long)) if n]
    ok = {o.name for o in qualifying_fine_tunes(scenario, baseline, options)}
    lowest_be, lowest_name = _lowest_break_even(table["name"].tolist(), table["break_even_requests_per_day"].tolist(), ok)
    return Recommendation(
        verdict=verdict_of(reasons, switch_wins=switch_wins), best_option=None if chosen is None else chosen.name,
        reasons=reasons, baseline=baseline.name, break_even_requests_per_day=r_be,
        lowest_break_even_requests_per_day=lowest_be, lowest_break_even_option=lowest_name,
        break_even_option=None if chosen is None or r_be is None else chosen.name, payback_months=r_pb,
        p_pays_off=None if chosen_mc is None else chosen_mc.p_pays_off, savings_ratio=_ratio(table, baseline, chosen),
        savings_usd_horizon=r_save, savings_usd_p10=None if chosen_mc is None else chosen_mc.savings_usd_p10,
        savings_usd_p90=None if chosen_mc is None else chosen_mc.savings_usd_p90, options=table, scenario=scenario,
        assumptions=tuple(said_first + scenario.assumptions() + notes), best_switch=None if switch is None else switch.name,
        best_fine_tune=None if best is None else best.name,
        one_off_usd_p10=None if chosen is None else one_off_quantile_usd(chosen, -Z90),
        one_off_usd_p90=None if chosen is None else one_off_quantile_usd(chosen, Z90),
        fine_tune_break_even_requests_per_day=be, fine_tune_savings_usd_horizon=ft_save,
        fine_tune_p_pays_off=None if mc is None else mc.p_pays_off, baseline_note=base_note,
        monte_carlo=chosen_mc, priced=(baseline, options))



def _too_long_note(too_long: dict[str, tuple[float, int]]) -> str | None:
    """The options left out because their model cannot hold one request, in one line (None: none left out).

    >>> print(_too_long_note({"selfhost/mistral-7b@l4": (10_300.0, 8192), "a/b": (10_300.0, 4096)})[:81])
    left out: selfhost/mistral-7b@l4, a/b (context 4,096 to 8,192 tokens) cannot hold
    """
    if not too_long:
        return None
    tokens = max(t for t, _ in too_long.values())
    contexts = sorted({c for _, c in too_long.values()})
    return (f"left out: {', '.join(too_long)} (context {' to '.join(f'{c:,}' for c in contexts[::max(len(contexts) - 1, 1)])}"
            f" tokens) cannot hold a request of {tokens:,.0f} tokens as the fine-tune reads it")


# reasons whose figures are the best fine-tune's without naming it (payback, simulated futures, latency)
_UNNAMED_FINE_TUNE_FIGURES = frozenset({"payback", "slow_payback", "robust", "uncertain", "latency", "slower"})


def _of_fine_tune(r: Reason, name: str) -> Reason:
    """``r`` said of the fine-tune ``name`` when the verdict is a switch, so that its figures are not read as the
    switch's ("Pays back in month 3" becomes "Fine-tuning (name): pays back in month 3").

    >>> _of_fine_tune(Reason("payback", "Pays back in month 3.", 3.0, 6.0, Effect.SUPPORTS), "ft/x").text
    'Fine-tuning (ft/x): pays back in month 3.'
    >>> _of_fine_tune(Reason("volume", "Busy.", 1.0, 1.0, Effect.SUPPORTS), "ft/x").text
    'Busy.'
    """
    if r.code not in _UNNAMED_FINE_TUNE_FIGURES or not r.text:
        return r
    return replace(r, text=f"Fine-tuning ({name}): {r.text[0].lower()}{r.text[1:]}")


def _lowest_break_even(names: list[str], break_evens: list[float], ok: set[str]) -> tuple[float | None, str | None]:
    """The volume from which fine-tuning pays at all: the lowest break-even among the qualifying fine-tuned options
    (``ok``), and its option; (None, None) when none breaks even.

    >>> _lowest_break_even(["a", "b", "c"], [300.0, float("nan"), 120.0], {"a", "b"})
    (300.0, 'a')
    """
    lowest, lowest_name = None, None
    for name, be in zip(names, break_evens):
        if name in ok and not math.isnan(be) and (lowest is None or be < lowest):
            lowest, lowest_name = be, name
    return (None, None) if lowest is None else (float(lowest), str(lowest_name))

def _ratio(table: pd.DataFrame, baseline: PricedOption, chosen: PricedOption | None) -> float | None:
    """The baseline's monthly cost over the chosen option's all-in monthly cost (inf when that is 0)."""
    if chosen is None:
        return None
    base = float(_cell(table, baseline.name, "usd_per_month"))
    total = float(_cell(table, chosen.name, "total_usd_per_month"))
    return base / total if total > 0 else math.inf


_RANK = {Verdict.NO: 0, Verdict.NOT_YET: 1, Verdict.SWITCH: 2, Verdict.FINE_TUNE: 3}


def _savings(r: Recommendation) -> float:
    return r.savings_usd_horizon if r.savings_usd_horizon is not None else float("-inf")


def _spend_today(r: Recommendation) -> float:
    """USD a month the task costs on the baseline today."""
    try:
        return float(_cell(r.options, r.baseline, "usd_per_month"))
    except IndexError:
        return 0.0


def _shareable(s: Scenario, t: Thresholds) -> bool:
    """Whether a task's adapter would join a shared multi-adapter deployment: nothing but cost holds its fine-tune
    back (a stable prompt, enough examples when the logs say how many, no deep reasoning flagged).

    >>> from advisor import Workload
    >>> _shareable(Scenario(Workload.typed(100, 500, 100)), Thresholds())
    True
    >>> _shareable(Scenario(Workload.typed(100, 500, 100), prompt_changes_per_month=4), Thresholds())
    False
    """
    return (s.prompt_changes < t.max_prompt_changes_per_month and not s.needs_deep_reasoning
            and s.examples >= t.min_training_examples)


def recommend_tasks(workloads: dict[str, Workload], scenario: Scenario, **kw) -> dict[str, Recommendation]:
    """One recommendation per task (each prompt becomes its own expert), and ``"all"``.

    A shared multi-adapter deployment (``shared/``) of a task is priced with the other tasks that could share it
    (:func:`_shareable`) unless the scenario names its ``shared_tasks``; its cost is split by requests.

    The overall verdict is the best of the tasks' (fine-tune the tasks that qualify): the pooled
    traffic alone cannot earn ``fine-tune``, since no single expert serves every prompt. The
    whole bill across tasks is :func:`advisor.bill.whole_bill`.
    """
    th = kw.get("thresholds") or Thresholds()
    shareable = {t: w for t, w in workloads.items() if t != WHOLE_LOG and _shareable(replace(scenario, workload=w), th)}

    def sharing(t: str, w: Workload) -> Scenario:
        """The task's scenario; a shared multi-adapter deployment carries the other tasks that could share it."""
        others = scenario.shared_tasks or tuple(x for u, x in shareable.items() if u != t)
        return replace(scenario, workload=w, shared_tasks=others)

    tasks = {t: recommend(sharing(t, w), **kw) for t, w in workloads.items() if t != WHOLE_LOG}
    if WHOLE_LOG not in workloads or len(tasks) < 2:   # no pooled headline to make: "all" is its own recommendation
        return {t: tasks[t] if t in tasks else recommend(replace(scenario, workload=w), **kw)
                for t, w in workloads.items()}
    # 2+ tasks: the pooled traffic serves only for the assumptions; the headline is a task's below
    best = max(_RANK[r.verdict] for r in tasks.values())
    counts = {v: sum(r.verdict == v for r in tasks.values()) for v in _RANK}
    yes = [t for t, r in tasks.items() if r.verdict == Verdict.FINE_TUNE]
    moves = [t for t, r in tasks.items() if r.verdict == Verdict.SWITCH]
    text = (f"Per task (each prompt becomes its own model): {counts[Verdict.FINE_TUNE]} fine-tune, "
            f"{counts[Verdict.SWITCH]} switch, {counts[Verdict.NOT_YET]} not yet, {counts[Verdict.NO]} no"
            + (f"; fine-tune {', '.join(yes)}" if yes else "") + (f"; switch {', '.join(moves)}" if moves else "") + ".")
    # the headline speaks for the task that leads the best verdict: the largest savings among those to fine-tune
    # or switch; for a NOT YET or NO the task that costs most today (the smallest loss would lead with the least busy)
    lead = max((r for r in tasks.values() if _RANK[r.verdict] == best),
               key=_savings if best >= _RANK[Verdict.SWITCH] else _spend_today)
    verdict = next(v for v, k in _RANK.items() if k == best)
    effect = Effect.SUPPORTS if verdict in (Verdict.FINE_TUNE, Verdict.SWITCH) else (
        Effect.DELAYS if verdict == Verdict.NOT_YET else Effect.BLOCKS)
    reasons = (Reason("per_task", text + f" Figures below are for {lead.scenario.workload.task}.",
                      float(counts[Verdict.FINE_TUNE]), None, effect),) + lead.reasons
    pooled = replace(lead, verdict=verdict, reasons=reasons,
                     assumptions=tuple(replace(scenario, workload=workloads[WHOLE_LOG]).assumptions()))
    return {t: pooled if t == WHOLE_LOG else tasks[t] for t in workloads}
