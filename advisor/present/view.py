"""How the page says things: money, ratios and volumes for people; tiles that follow the verdict;
tables with labels and units; messages in the page's words (no CLI flags).

Pure: numbers and recommendations in, strings and small frames out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd

from advisor.keys import WHOLE_LOG
from advisor.recommend import Reason, Recommendation
from advisor.words import count_text, fmt_rate, fmt_ratio, fmt_share, fmt_usd, is_finite, md_text
from advisor.words import months_text as fmt_months

__all__ = ["fmt_months", "fmt_usd", "fmt_ratio", "fmt_rate", "fmt_share", "Tile", "tiles", "reasons_shown",
           "blocker_text",
           "page_language", "page_text", "assumptions_text", "options_text", "options_table", "tasks_table",
           "bill_table", "grid_table", "headline_text", "OPTION_FORMATS", "TASK_FORMATS", "BILL_FORMATS", "formatted",
           "markdown_table", "latency_need_text"]



_FLAG_LABELS = {
    "--requests-per-day": "Requests per day", "--training-examples": "Training examples",
    "--engineering-usd": "One-off engineering (USD)", "--labelling-usd": "Labelling / evaluation per run (USD)",
    "--prompt-changes-per-month": "Prompt changes per month", "--baseline": "Baseline API model",
    "--as-of": "Prices as of", "--precision": "Precision", "--batch": "Baseline uses the Batch API",
    "--option": "Options", "--model": "Self-hosted model", "--ops-usd-per-month": "Self-hosting operations per month",
}


_ASSUMPTIONS = "Edit assumptions"   # the sidebar switches that show these inputs (app.py: editing)
_OPTIONS = "Edit the options compared"
_UNDER = {"--training-examples": _ASSUMPTIONS, "--engineering-usd": _ASSUMPTIONS, "--labelling-usd": _ASSUMPTIONS,
          "--prompt-changes-per-month": _ASSUMPTIONS, "--ops-usd-per-month": _ASSUMPTIONS,
          "--precision": _OPTIONS, "--option": _OPTIONS, "--model": _OPTIONS}


def _label(flag: str) -> str:
    """The sidebar input for a CLI flag, quoted, with the switch that shows it when it is hidden."""
    if flag not in _FLAG_LABELS:
        return "the matching sidebar setting"
    under = f" (under “{_UNDER[flag]}”)" if flag in _UNDER else ""
    return f"“{_FLAG_LABELS[flag]}”{under}"


def page_language(text: str) -> str:
    """A library message rewritten for the page: CLI flags become the sidebar's labels.

    >>> page_language("the logs have no timestamps; pass requests_per_day (--requests-per-day)")
    'the logs have no timestamps; set “Requests per day” in the sidebar'
    >>> page_language("assumed: pass --training-examples")
    'assumed: set “Training examples” (under “Edit assumptions”) in the sidebar'
    >>> page_language("(add --engineering-usd for your team's time)")
    "(add “One-off engineering (USD)” (under “Edit assumptions”) for your team's time)"
    >>> page_language("judged by the newest GPT-4-class model (set judge_model to change)")
    'judged by the newest GPT-4-class model'
    >>> page_language("retrain hours = 4 h (assumption, basis in pricing/data/people.yaml)")
    'retrain hours = 4 h (an assumption)'
    """
    text = re.sub(r"pass [a-z_]+ \((--[a-z-]+)\)", lambda m: f"set {_label(m.group(1))} in the sidebar", text)
    text = re.sub(r"pass (--[a-z-]+)", lambda m: f"set {_label(m.group(1))} in the sidebar", text)
    text = re.sub(r"\s*\((--[a-z-]+)\)", "", text)
    text = re.sub(r"--format [a-z]+|--format", "a supported export format", text)
    text = re.sub(r"--prices", "a price override file (command line)", text)
    # library-only settings the page has no input for, and file paths that mean nothing on the page
    text = text.replace(" (set judge_model to change)", "")
    text = text.replace("assumption, basis in pricing/data/people.yaml", "an assumption")
    return re.sub(r"--[a-z][a-z-]+", lambda m: _label(m.group(0)), text)


# -- the verdict ---------------------------------------------------------------------------------------

def options_text(hosted: list[str], model: str, gpus: list[str], provider: str, precision: str) -> str:
    """The options compared, in one line, when their inputs are hidden (``hosted``: endpoints billed per token and
    ``dedicated/``/``shared/`` deployments, each group counted apart).

    >>> print(*options_text(["fireworks/llama-3.1-8b-lora", "dedicated/llama-3.1-8b@fireworks-h100"], "mistral-7b",
    ...                     ["l4", "a100-80gb"], "cheapest", "bf16").split("; "), sep=";\\n")
    Options: 1 hosted fine-tune (fireworks/llama-3.1-8b-lora);
    1 deployment (dedicated/llama-3.1-8b@fireworks-h100);
    mistral-7b self-hosted on l4, a100-80gb (cheapest provider, bf16).
    """
    deployed = [h for h in hosted if h.startswith(("dedicated/", "shared/"))]
    per_token = [h for h in hosted if h not in deployed]
    hosted_part = (f"{count_text(len(per_token), 'hosted fine-tune')} ({', '.join(per_token)})" if per_token
                   else "no hosted fine-tune")
    deployed_part = f"; {count_text(len(deployed), 'deployment')} ({', '.join(deployed)})" if deployed else ""
    where = "cheapest provider" if provider == "cheapest" else provider
    self_part = (f"{model} self-hosted on {', '.join(gpus)} ({where}, {precision})" if gpus
                 else "no self-hosted GPU")
    return f"Options: {hosted_part}{deployed_part}; {self_part}."


def assumptions_text(values: dict, people: dict) -> str:
    """The assumptions in force, in one line, when their inputs are hidden (``values`` by the page's
    keys; ``people``: the sourced defaults of :func:`pricing.people.load_people`).

    >>> v = {"e2e": 0.0, "ttft": 800.0, "itl": 0.0, "examples": 0, "epochs": 3, "retrains": 4.0,
    ...      "changes": -1.0, "minrpd": 100.0, "rate": None, "review": None, "eng": None, "lab": None, "ops": None}
    >>> print(*assumptions_text(v, {"engineer_usd_per_hour": 90.72, "review_minutes_per_example": 0.5}).split(". "),
    ...       sep=".\\n")
    Latency target: first token ≤ 800 ms.
    Training: examples and prompt changes from the logs, 3 epochs, 4 retrains a year, volume guard 100/day.
    People: $90.72/h engineer (sourced), 0.5 min review per example, effort from the sourced hours.
    """
    targets = [f"{what} ≤ {values[k]:,.0f} ms" for k, what in (("e2e", "end to end"), ("ttft", "first token"),
                                                              ("itl", "between tokens")) if values.get(k)]
    latency = f"Latency target: {', '.join(targets)}." if targets else "No latency target."
    from_logs = [w for k, w, off in (("examples", "examples", 0), ("changes", "prompt changes", -1))
                 if values.get(k) == off]
    train = ([f"{' and '.join(from_logs)} from the logs"] if from_logs else [])
    train += [] if values.get("examples") == 0 else [count_text(values["examples"], "example")]
    train += [] if values.get("changes") == -1 else [f"{values['changes']:g} prompt changes a month"]
    train += [f"{values[k]:,.0f} {what}" for k, what in (("static", "static prompt tokens"),
                                                          ("ftpt", "fine-tuned prompt tokens")) if values.get(k) is not None]
    train += [f"{values['epochs']} epoch{'s' * (values['epochs'] != 1)}",
              f"{values['retrains']:g} retrains a year", f"volume guard {fmt_rate(values['minrpd'])}"]
    rate = values.get("rate")
    review = values.get("review")
    typed = [f"{label} {fmt_usd(values[k])}" for k, label in (("eng", "engineering"), ("lab", "labelling per run"),
                                                              ("ops", "operations a month"))
             if values.get(k) is not None]
    people_bits = [f"${rate if rate is not None else people['engineer_usd_per_hour']:,.2f}/h engineer"
                   + ("" if rate is not None else " (sourced)"),
                   f"{review if review is not None else people['review_minutes_per_example']:g} min review per example"]
    people_bits += typed or ["effort from the sourced hours"]
    return f"{latency} Training: {', '.join(train)}. People: {', '.join(people_bits)}."


def page_text(text: str) -> str:
    r"""Advisor text as the page shows it: the CLI's words in the page's language, and everything
    Markdown would act on escaped (task labels, file and model names come from users' files).

    >>> page_text("task *urgent* [x](y): pass --requests-per-day")
    'task \\*urgent\\* \\[x\\](y): set “Requests per day” in the sidebar'
    """
    return md_text(page_language(text))


_LISTED = 3   # task names a headline lists before it counts the rest


def _names(tasks: list[str], esc: Callable[[str], str]) -> str:
    """Up to three task names, then how many more.

    >>> _names(["a", "b"], str), _names(["a", "b", "c", "d", "e"], str)
    ('a, b', 'a, b, c and 2 more')
    """
    shown = ", ".join(map(esc, tasks[:_LISTED]))
    return shown if len(tasks) <= _LISTED else f"{shown} and {len(tasks) - _LISTED} more"


def headline_text(rec: Recommendation, tasks: dict[str, Recommendation], selected: str, *,
                  esc: Callable[[str], str] = str) -> str:
    r"""One line that says the answer: which tasks to fine-tune, or why not. ``esc`` makes the task
    and model names (which come from users' logs) safe where the line is rendered (``md_text`` on
    the page).

    >>> from advisor import Scenario, Workload
    >>> from advisor.recommend import recommend
    >>> rec = recommend(Scenario(Workload.typed(5, 500, 100, task="*a*"), baseline="gpt-4o-2024-08-06"), draws=100)
    >>> headline_text(rec, {"*a*": rec}, "*a*", esc=md_text).split(":")[0]
    'NO for \\*a\\*'
    """
    per_task = {t: r for t, r in tasks.items() if t != WHOLE_LOG}
    if selected != WHOLE_LOG or len(per_task) < 2:
        scope = f" for {esc(selected)}" if selected != WHOLE_LOG else ""
        if rec.verdict == "fine-tune":
            assert rec.best_option is not None, "a fine-tune verdict names its option (no_option blocks otherwise)"
            return f"FINE-TUNE{scope}: {esc(rec.best_option)} instead of {esc(rec.baseline)}"
        if rec.verdict == "switch":   # a cheaper API model with no training beats every fine-tune
            return f"SWITCH{scope}: {esc(rec.best_option or '–')} instead of {esc(rec.baseline)} (no training)"
        lead = "blocks" if rec.verdict == "no" else "delays"
        what = [blocker_text(r, rec) for r in rec.reasons if r.effect == lead][:2]
        return f"{rec.verdict.upper()}{scope}: {'; '.join(what) or 'see below'}"
    yes = [t for t, r in per_task.items() if r.verdict == "fine-tune"]
    moves = [t for t, r in per_task.items() if r.verdict == "switch"]
    if yes or moves:
        others = [t for t in per_task if t not in yes and t not in moves]
        parts = [f"FINE-TUNE {_names(yes, esc)}"] if yes else []
        to: dict[str, list[str]] = {}
        for t in moves:   # one clause per model switched to
            to.setdefault(per_task[t].best_option or "–", []).append(t)
        parts += [f"SWITCH {_names(ts, esc)} to {esc(m)}" for m, ts in to.items()]
        tail = (f"; keep {_names(others, esc)} on {_kept_on(rec, esc)}" if len(others) <= _LISTED else
                f"; keep the other {len(others)} tasks on {_kept_on(rec, esc)}") if others else ""
        return "; ".join(parts) + tail
    wait = [t for t, r in per_task.items() if r.verdict == "not yet"]
    if wait:
        return f"NOT YET: {_names(wait, esc)} could pay off later; no task pays off today"
    return f"NO: no task pays off; keep {_kept_on(rec, esc)}"


def _kept_on(rec: Recommendation, esc: Callable[[str], str] = str) -> str:
    """The baseline a headline keeps tasks on, with its end when it stops serving within the horizon (a line that
    says "keep" must not hide that the model goes away; the reason ``baseline_ends`` says what to do).

    >>> import datetime as dt
    >>> from advisor import Scenario, Workload
    >>> from advisor.recommend import recommend
    >>> s = Scenario(Workload.typed(50, 500, 100), baseline="gpt-4o-2024-08-06", as_of=dt.date(2026, 12, 6))
    >>> _kept_on(recommend(s, draws=100))
    'gpt-4o-2024-08-06 until 2027-01-14'
    >>> _kept_on(recommend(s.with_(as_of=dt.date(2027, 2, 1)), draws=100))
    'gpt-4o-2024-08-06 (it stopped serving on 2027-01-14)'
    >>> _kept_on(recommend(s.with_(baseline="gpt-4.1-2025-04-14", as_of=dt.date(2025, 6, 1)), draws=100))
    'gpt-4.1-2025-04-14'
    """
    row = rec.option_row(rec.baseline)
    name = esc(rec.baseline)
    if not row or not row.get("ends_within_horizon") or not row.get("serves_until"):
        return name
    until, as_of = str(row["serves_until"]), str(rec.options.attrs.get("as_of") or "")
    return f"{name} (it stopped serving on {until})" if as_of and until <= as_of else f"{name} until {until}"


_T = TypeVar("_T")


def _given(x: _T | None) -> _T:
    """``x``; ValueError when a reason lacks the figure or recommendation its words need (then
    :func:`blocker_text` words the reason from its text)."""
    if x is None:
        raise ValueError("not given")
    return x


_BLOCKERS: dict[str, Callable[[Reason, Recommendation | None], str]] = {
    "low_volume": lambda r, _: f"volume {fmt_rate(r.value)} (needs {fmt_rate(r.threshold)})",
    "prompt_changing": lambda r, _: f"prompt changed {r.value:.1f}× a month (needs under {r.threshold:g})",
    "few_examples": lambda r, _: f"{r.value:,.0f} training examples (needs {r.threshold:,.0f})",
    "costs_more": lambda r, rec: (f"costs {fmt_usd(-_given(r.value))} more over "
                                  f"{fmt_months(_given(rec).scenario.horizon_months)}"),
    "small_dollars": lambda r, _: (f"saves only {fmt_usd(r.value)} a month (needs {fmt_usd(r.threshold)})"
                                   if _given(r.value) >= 0 else f"costs {fmt_usd(-_given(r.value))} a month more at "
                                                                "today's volume"),
    "small_savings": lambda r, _: (f"only {fmt_ratio(r.value)} cheaper (needs {fmt_ratio(r.threshold)})"
                                   if _given(r.value) >= 1 else f"not cheaper a month (needs {fmt_ratio(r.threshold)})"),
    "slow_payback": lambda r, _: ("pays back after the horizon" if r.value is None else
                                  f"pays back in month {r.value:.0f} (needs {r.threshold:g})"),
    "uncertain": lambda r, _: f"pays off in {fmt_share(r.value)} of futures (needs {fmt_share(r.threshold)})",
    "no_break_even": lambda r, _: "never cheaper at any volume",
    "no_option": lambda r, _: ("no fine-tuned option meets the latency targets" if r.value else
                               "no fine-tuned option is priced on this date"),
    "no_option_ends": lambda r, _: "every fine-tuned option stops serving within the horizon",
    "no_option_context": lambda r, _: (f"no fine-tuned option holds {_given(r.value):,.0f} tokens a request (longest "
                                       f"context {_given(r.threshold):,.0f})"),
    "deep_reasoning": lambda r, _: "needs deep reasoning (your flag)",
    "out_of_domain": lambda r, _: "inputs drift out of domain (your flag)",
}


def blocker_text(r: Reason, rec: Recommendation | None = None) -> str:
    """A reason in a few words with its figure and threshold (for tiles, tables and the report)."""
    f = _BLOCKERS.get(r.code)
    if f is not None:
        try:
            return f(r, rec)
        except (TypeError, ValueError, AttributeError):
            pass
    return page_language(r.words("page").split(":")[0].rstrip("."))


def reasons_shown(rec: Recommendation) -> tuple[list[Reason], list[Reason]]:
    """``(shown, more)``: a NO shows what blocks, a NOT YET what delays (and blocks), a FINE-TUNE what
    supports it; everything else goes under "more", so the page never argues with its verdict. A cheaper
    API model saving most of what fine-tuning saves (``switch_model``: try it first), one saving more whose latency
    is unknown against the targets (``switch_latency_unknown``) and today's model's own shutdown within the horizon
    (``baseline_ends``) are always shown."""
    lead = {"no": ("blocks", "delays"), "not yet": ("delays",), "fine-tune": ("supports", "delays"),
            "switch": ("supports",)}.get(str(rec.verdict), ("blocks", "delays"))
    # a cheaper API model that saves most of what fine-tuning would ("try it first") is advice whatever the verdict
    if rec.verdict == "switch":   # the switch's own case, not fine-tuning's supports
        shown = [r for r in rec.reasons if r.code in ("per_task", "switch", "switch_latency_unknown", "baseline_ends",
                                                      "task_fit")]
        return shown, [r for r in rec.reasons if r not in shown]
    shown = [r for r in rec.reasons if r.effect in lead or r.code in ("per_task", "switch_model", "switch_latency_unknown",
                                                                         "baseline_ends", "task_fit")]
    return shown, [r for r in rec.reasons if r not in shown]


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    help: str | None = None
    note: str | None = None      # a short line under the value (threshold, option)


def tiles(rec: Recommendation) -> list[Tile]:
    """Key figures that follow the verdict: costs and savings for a FINE-TUNE; for a NO or NOT YET,
    the figures that stand in the way first, then what it costs today."""
    opts = rec.options.set_index("name")
    base_m = float(opts.loc[rec.baseline, "usd_per_month"])
    H = rec.scenario.horizon_months
    today = Tile("Today per month", fmt_usd(base_m), note=rec.baseline,
                 help=f"{rec.baseline} at {fmt_rate(rec.scenario.workload.requests_per_day)}")
    if rec.verdict in ("fine-tune", "switch") and rec.best_option:
        best = opts.loc[rec.best_option]
        ft_m = float(best["total_usd_per_month"]) if "total_usd_per_month" in best else \
            float(best["usd_per_month"]) + float(best["recurring_usd_per_month"])
        return [today,
                Tile("Fine-tuned per month" if rec.verdict == "fine-tune" else "Switched per month", fmt_usd(ft_m),
                     note=rec.best_option,
                     help="with upkeep: serving, retraining, evaluation and people's time a month (the one-off is in "
                          "“Saved”; “all-in” on this page means the one-off spread over the horizon included)"),
                Tile(f"Saved over {fmt_months(H)}", fmt_usd(rec.savings_usd_horizon),
                     help="after the one-off training and engineering cost",
                     note=f"{fmt_ratio(rec.savings_ratio)} cheaper a month with upkeep"),
                # the recommended option's own break-even (rec.break_even_requests_per_day, its table row)
                Tile("Pays back", "–" if rec.payback_months is None else f"month {rec.payback_months}",
                     note=f"break-even {fmt_rate(best['break_even_requests_per_day'])}"),
                Tile("Chance it pays off", fmt_share(rec.p_pays_off),
                     help="share of simulated futures (traffic, tokens, prices) where it saves money",
                     note=f"P10 {fmt_usd(rec.savings_usd_p10)} · P90 {fmt_usd(rec.savings_usd_p90)}")]
    lead = ("blocks", "delays") if rec.verdict == "no" else ("delays",)
    out = [Tile(_TILE_LABEL.get(r.code, "Stands in the way"), _tile_value(r, rec),
                help=page_language(r.words("page")), note=_tile_note(r)) for r in rec.reasons
           if r.effect in lead and r.code != "per_task"][:4]  # the per-task roll-up is a summary, not a figure
    return out + [today]


_TILE_LABEL = {"low_volume": "Volume", "prompt_changing": "Prompt changes", "few_examples": "Training examples",
               "costs_more": "Over the horizon", "small_dollars": "Saved per month", "small_savings": "Cheaper by",
               "slow_payback": "Pays back", "uncertain": "Chance it pays off", "no_break_even": "Break-even",
               "no_option": "Fine-tuned options", "no_option_ends": "Fine-tuned options",
               "no_option_context": "Fine-tuned options", "deep_reasoning": "Your flag",
               "out_of_domain": "Your flag"}


def _tile_value(r: Reason, rec: Recommendation) -> str:
    c, v = r.code, r.value
    if c == "low_volume":
        return fmt_rate(v)
    if c == "prompt_changing":
        return f"{v:.1f} a month"
    if c == "few_examples":
        return f"{v:,.0f}"
    if c == "costs_more":
        return f"{fmt_usd(None if v is None else -v)} more"
    if c == "small_dollars":
        return fmt_usd(v)
    if c == "small_savings":
        return fmt_ratio(v)
    if c == "slow_payback":
        return "after horizon" if v is None else f"month {v:.0f}"
    if c == "uncertain":
        return fmt_share(v)
    if c == "no_break_even":
        return "never"
    if c == "no_option":
        return "too slow" if v else "none priced"
    if c == "no_option_ends":
        return "all end early"
    if c == "no_option_context":
        return "too long"
    if c == "deep_reasoning":
        return "deep reasoning"
    if c == "out_of_domain":
        return "out of domain"
    return blocker_text(r, rec)


def _tile_note(r: Reason) -> str | None:
    t = r.threshold
    if t is None:
        return None
    notes = {"low_volume": f"needs {fmt_rate(t)}", "prompt_changing": f"needs under {t:g} a month",
             "few_examples": f"needs {t:,.0f}", "small_dollars": f"needs {fmt_usd(t)} a month",
             "small_savings": f"needs {fmt_ratio(t)}", "slow_payback": f"needs month {t:g} or sooner",
             "uncertain": f"needs {fmt_share(t)}", "no_option_context": f"longest context {t:,.0f}"}
    return notes.get(r.code)


# -- tables --------------------------------------------------------------------------------------------

# column -> (label, format for display); numbers stay numbers so tables sort
def _num(spec: str) -> Callable[[float], str]:
    return lambda x: "–" if not is_finite(x) or pd.isna(x) else format(x, spec)


def _money(x) -> str:
    return "–" if x is None or pd.isna(x) else fmt_usd(float(x))


def _times(x) -> str:
    return "–" if x is None or pd.isna(x) else fmt_ratio(float(x))


_OPTION_COLUMNS = {"name": ("Option", None), "kind": ("Kind", None), "usd_per_request": ("$ per request", _money),
                   "usd_per_month": ("Serving $/month", _money), "total_usd_per_month": ("$/month with upkeep", _money),
                   "savings_ratio": ("Times cheaper (serving)", _times),
                   "usd_horizon": ("$ over horizon", _money),
                   "break_even_requests_per_day": ("Break-even (req/day)", _num(",.0f")),
                   "payback_month": ("Pays back (month)", _num(".0f")), "e2e_s": ("End to end (s)", _num(".1f")),
                   "gpus": ("GPUs", _num(".0f")), "meets_latency": ("Meets latency need", None)}
OPTION_FORMATS = {label: fmt for label, fmt in _OPTION_COLUMNS.values() if fmt}


def options_table(rec: Recommendation) -> pd.DataFrame:
    """The options with labelled columns (units in the header); the baseline's own ratio left blank."""
    df = rec.options[[c for c in _OPTION_COLUMNS if c in rec.options.columns]].copy()
    df.loc[df["name"] == rec.baseline, "savings_ratio"] = float("nan")
    df["savings_ratio"] = df["savings_ratio"].where(df["savings_ratio"].map(lambda x: is_finite(float(x))))
    kinds = {"api": "API", "hosted": "hosted fine-tune", "selfhost": "self-hosted"}
    df["kind"] = df["kind"].astype(str).map(kinds).fillna(df["kind"])
    if "meets_latency" in df.columns:   # only with a latency need (targets given, or users wait on the answer)
        if _has_latency_need(rec):
            df["meets_latency"] = df["meets_latency"].map(lambda m: "yes" if m is True else "no" if m is False
                                                          else "unknown")
            df.loc[df["name"] == rec.baseline, "meets_latency"] = "today"
        else:
            df = df.drop(columns="meets_latency")
    out = df.rename(columns={k: v[0] for k, v in _OPTION_COLUMNS.items()}).astype(object)
    return out.where(df.notna().values, None)


def _has_latency_need(rec: Recommendation) -> bool:
    s = rec.scenario
    return bool(s.latency_sensitive or s.e2e_target_s or s.ttft_target_s or s.itl_target_s)


def latency_need_text(rec: Recommendation) -> str:
    """The latency need in words (the report's inputs, the page's caption): the targets in force or none.

    >>> from types import SimpleNamespace as NS
    >>> latency_need_text(NS(scenario=NS(latency_sensitive=True, e2e_target_s=3.0, ttft_target_s=None,
    ...                                  itl_target_s=0.05)))
    'users wait on the answer; end to end under 3,000 ms; inter-token under 50 ms'
    >>> latency_need_text(NS(scenario=NS(latency_sensitive=False, e2e_target_s=None, ttft_target_s=None,
    ...                                  itl_target_s=None)))
    'none (batch-like: latency not weighed)'
    """
    s = rec.scenario
    parts = ["users wait on the answer"] if s.latency_sensitive else []
    parts += [f"{what} under {v * 1000:,.0f} ms" for what, v in (("end to end", s.e2e_target_s),
                                                                 ("first token", s.ttft_target_s),
                                                                 ("inter-token", s.itl_target_s)) if v]
    if s.latency_sensitive and not s.e2e_target_s:
        parts.append("no slower end to end than today's model")
    return "; ".join(parts) if parts else "none (batch-like: latency not weighed)"


TASK_FORMATS = {"Requests/day": _num(",.0f"), "Prompt changes/month": _num(".1f"), "Saved over horizon": _money}


def tasks_table(tasks: dict[str, Recommendation]) -> pd.DataFrame:
    """One row per task: volume, churn, verdict, best option, savings and what stands in the way (the
    tokens per task are in the traffic charts)."""
    rows = []
    for name, r in tasks.items():
        if name == WHOLE_LOG and len(tasks) > 1:
            continue
        w = r.scenario.workload
        way = [blocker_text(x, r) for x in r.reasons if x.effect in ("blocks", "delays")]
        rows.append({"Task": name, "Verdict": r.verdict.upper(), "Requests/day": w.requests_per_day,
                     "Prompt changes/month": r.scenario.prompt_changes, "Best option": r.best_option or "–",
                     "Saved over horizon": r.savings_usd_horizon, "What stands in the way": "; ".join(way) or "–",
                     "Task fit (logs)": w.fit.label if w.fit is not None and w.fit.label else "–"})
    return pd.DataFrame(rows)


BILL_FORMATS = {"Requests/day": lambda x: fmt_rate(x, unit=""), "Today $/month": _money, "New $/month": _money,
                "One‑off $": _money, "Saved $": _money}


def formatted(table: pd.DataFrame, formats: dict[str, Callable[[float], str]], *,
              text: tuple[str, ...] = ()) -> pd.DataFrame:
    r"""``table`` with the ``formats`` columns as text for people and the untrusted ``text`` columns
    (task labels, model names) escaped, since a static table renders Markdown in its cells. Drawn
    without a styler: ~1 ms per re-run instead of ~8 ms.

    >>> t = pd.DataFrame({"Task": ["[x](y) *a*"], "New $/month": [1234.4]})
    >>> formatted(t, BILL_FORMATS, text=("Task",)).iloc[0].tolist()
    ['\\[x\\](y) \\*a\\*', '$1,234']
    """
    cols = {c: table[c].map(f) for c, f in formats.items() if c in table.columns}
    cols |= {c: table[c].map(md_text) for c in text if c in table.columns}
    return table.assign(**cols)


def grid_table(table: pd.DataFrame, formats: dict[str, Callable[[float], str]]) -> pd.DataFrame:
    """``table`` for a data grid: the ``formats`` columns as text for people, every missing value "–"
    (a grid shows a missing number as a grey "None", and a styler's ``na_rep`` does not reach it).

    >>> t = pd.DataFrame({"Option": ["gpt-4o", "ft"], "$ per request": [8.9e-05, None], "Kind": ["API", None]})
    >>> grid_table(t, OPTION_FORMATS).values.tolist()
    [['gpt-4o', '$0.000089', 'API'], ['ft', '–', '–']]
    """
    out = table.assign(**{c: table[c].map(f) for c, f in formats.items() if c in table.columns})
    return out.astype(object).where(out.notna(), "–")


def markdown_table(table: pd.DataFrame, formats: dict[str, Callable[[float], str]]) -> str:
    r"""``table`` as one Markdown table: the ``formats`` columns as text for people and right-aligned,
    every cell escaped (task labels and model names come from users' files). One Markdown element is
    far cheaper for the browser to redraw on every re-run than a static table, which renders each cell
    as Markdown of its own.

    >>> t = pd.DataFrame({"Task": ["a|*b*"], "New $/month": [1234.4]})
    >>> print(markdown_table(t, BILL_FORMATS))
    | Task | New $/month |
    |:---|---:|
    | a\|\*b\* | $1,234 |
    """
    cols = list(table.columns)
    cells = formatted(table, formats, text=tuple(c for c in cols if c not in formats))
    head = "| " + " | ".join(md_text(c) for c in cols) + " |"
    rule = "|" + "|".join("---:" if c in formats else ":---" for c in cols) + "|"
    rows = ["| " + " | ".join(md_text(x) if c in formats else str(x) for c, x in zip(cols, r)) + " |"
            for r in cells.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def bill_table(bill) -> pd.DataFrame:
    """The whole bill (:class:`advisor.bill.WholeBill`), one row per task and a total. "Saved $" is over the
    bill's horizon (the sentence above the table names it); "One‑off" has a non-breaking hyphen, so a
    narrow header wraps at its spaces, never inside the word."""
    rows = [{"Task": t.task, "Verdict": str(t.verdict).upper(), "Runs on": t.option or t.baseline,
             "Requests/day": t.requests_per_day, "Today $/month": t.current_usd_per_month,
             "New $/month": t.new_usd_per_month, "One\u2011off $": t.one_off_usd,
             "Saved $": t.savings_usd_horizon} for t in bill.tasks]
    if len(rows) > 1:
        rows.append({"Task": "total", "Verdict": "", "Runs on": "",
                     "Requests/day": sum(t.requests_per_day for t in bill.tasks),
                     "Today $/month": bill.current_usd_per_month, "New $/month": bill.new_usd_per_month,
                     "One\u2011off $": bill.one_off_usd, "Saved $": bill.savings_usd_horizon})
    return pd.DataFrame(rows)
