"""The rules of the verdict: :class:`Verdict`, :class:`Effect`, :class:`Thresholds`, :class:`Reason`, the
:class:`Context` every rule reads and the rules themselves, small functions ``(context, thresholds) -> Reason | None``
listed in :data:`RULES` (they judge the best fine-tune; :func:`verdict_of` turns their reasons into the verdict).
:mod:`advisor.recommend` computes the context and names the recommended option.

Numbers decide; experience explains. Small experts beat GPT-4 on narrow, high-volume, stable
tasks. The costs include people's time (``pricing/data/people.yaml``), so at low volume the
break-even itself says "not worth it"; the thresholds of :class:`Thresholds` stay as guards.
A prompt that still changes means retraining every change; a task that needs deep reasoning or
sees inputs outside what the logs show is where a 7B model falls short whatever the price.
Latency is a need: an option slower than the target cannot be recommended, and latency-sensitive
traffic is not held back by volume when the fine-tuned model answers faster.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import overload

import pandas as pd

from advisor.compare import PricedOption, latency_targets
from advisor.errors import ScenarioError
from advisor.fields import Surface, ask
from advisor.fit import FIT_SCORE
from advisor.options import Role
from advisor.scenario import Scenario
from advisor.uncertainty import MonteCarlo
from advisor.words import count_text, months_text, rate_text, share_text, usd_text
from pricing.people import load_people

__all__ = ["Verdict", "Effect", "Thresholds", "Reason", "Context", "Rule", "RULES", "verdict_of", "EXPORT_WITH_TEXT",
           "days_to_examples"]

class Verdict(StrEnum):
    FINE_TUNE = "fine-tune"
    SWITCH = "switch"          # a cheaper API model with no training beats every fine-tune
    NOT_YET = "not yet"
    NO = "no"


class Effect(StrEnum):
    BLOCKS = "blocks"      # -> no
    DELAYS = "delays"      # -> not yet
    SUPPORTS = "supports"
    INFO = "info"


_EFFECT_ORDER = {Effect.BLOCKS: 0, Effect.DELAYS: 1, Effect.SUPPORTS: 2, Effect.INFO: 3}


def _people_value(entry: str) -> int:
    return int(load_people().entries[entry].value)


@dataclass(frozen=True)
class Thresholds:
    min_requests_per_day: float = 100.0        # guard: below this, volume alone rarely pays (latency aside)
    max_prompt_changes_per_month: float = 1.0  # at or above: the prompt is still changing
    # logged examples under the current prompt: OpenAI's guide starts from 50 (pricing/data/people.yaml)
    min_training_examples: int = field(default_factory=lambda: _people_value("min_training_examples"))
    min_savings_ratio: float = 2.0             # all-in monthly cost: worth the risk of a model of your own
    min_savings_usd_per_month: float = 100.0   # net of upkeep; below this it is not worth the attention
    max_payback_months: float = 6.0
    min_p_pays_off: float = 0.8
    min_latency_gain: float = 0.2              # e2e faster by this share counts as a gain
    switch_share_of_savings: float = 0.8       # a model switch that gets this share of the savings is advised

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise ScenarioError(f"thresholds: {f.name}={v!r} must be a finite number >= 0")
        if self.max_prompt_changes_per_month <= 0 or self.min_savings_ratio < 1:
            raise ScenarioError("thresholds: max_prompt_changes_per_month > 0 and min_savings_ratio >= 1")
        for name in ("min_p_pays_off", "min_latency_gain", "switch_share_of_savings"):
            if getattr(self, name) > 1:
                raise ScenarioError(f"thresholds: {name}={getattr(self, name)!r} is a share in [0, 1]")
        if self.min_requests_per_day > 1e9:
            raise ScenarioError("thresholds: min_requests_per_day must be <= 1e9")


@dataclass(frozen=True)
class Reason:
    """One reason: its ``code`` (the JSON contract), ``text`` in the command line's words, the figure and threshold
    it compares, its effect on the verdict, and ``asks``: the inputs (:data:`advisor.fields.FIELDS` names) the text
    tells the user to set, so that each surface words them its own way (:meth:`words`)."""

    code: str
    text: str
    value: float | None
    threshold: float | None
    effect: Effect
    asks: tuple[str, ...] = ()

    def words(self, surface: Surface) -> str:
        """The text for ``surface``: "pass --flag" becomes the page's "set “Label” in the sidebar" or the library's
        "set Scenario.name"; the command line's text is :attr:`text` itself.

        >>> r = Reason("examples", "1,000 examples (assumed: pass --training-examples or give logs).", 1e3, 50.0,
        ...            Effect.SUPPORTS, asks=("training_examples",))
        >>> r.words("page")
        '1,000 examples (assumed: set “Training examples” (under “Edit assumptions”) in the sidebar or give logs).'
        >>> r.words("library")
        '1,000 examples (assumed: set Scenario.training_examples or give logs).'
        >>> print(Reason("latency_unknown", "pass --e2e-target-ms or --ttft-target-ms.", None, None, Effect.INFO,
        ...              ("e2e_target_s", "ttft_target_s")).words("page").replace(" (under “Edit assumptions”)", ""))
        set “End-to-end target (ms)” or “Time-to-first-token target (ms)” in the sidebar.
        """
        text = self.text
        if surface == "cli":
            return text
        for name in self.asks:
            flag = ask(name, "cli")
            where = f"{ask(name, 'page')} in the sidebar" if surface == "page" else f"Scenario.{name}"
            text = text.replace(f"pass {flag}", f"set {where}").replace(flag, where)
        return text.replace(" in the sidebar or “", " or “")   # "set A or B in the sidebar", once

    def as_dict(self) -> dict:
        return {"code": self.code, "text": self.text, "value": self.value, "threshold": self.threshold,
                "effect": str(self.effect)}



# ---------------------------------------------------------------------------------------------
# the context every rule reads


@dataclass(frozen=True)
class Context:
    """Everything the rules read, computed once."""

    scenario: Scenario
    baseline: PricedOption
    best: PricedOption | None
    switch: PricedOption | None
    table: pd.DataFrame = field(repr=False)
    break_even: float | None = None
    payback: int | None = None
    mc: MonteCarlo | None = None
    draws: int = 0
    ending: tuple[PricedOption, ...] = ()   # fine-tunes that stop serving before the horizon ends
    switch_mc: MonteCarlo | None = None     # the best switch's Monte Carlo (when it was run)
    switch_wins: bool = False               # the best switch's outcome beats every fine-tune's: verdict switch
    untrainable: tuple[PricedOption, ...] = ()   # fine-tunes that cannot be trained as new ones on the date

    @property
    def rpd(self) -> float:
        return self.scenario.workload.requests_per_day

    @property
    def rpd_end(self) -> float:
        s = self.scenario
        return self.rpd * (1 + s.growth_per_month) ** (s.horizon_months - 1)

    @functools.cached_property
    def _rows(self) -> dict[str, dict]:
        return {}   # name -> row, filled as the rules ask (most read two or three of the table's rows)

    @overload
    def row(self, opt: PricedOption) -> dict: ...
    @overload
    def row(self, opt: PricedOption | None) -> dict | None: ...

    def row(self, opt: PricedOption | None) -> dict | None:
        """``opt``'s row of the options table (KeyError when absent); None for no option."""
        if opt is None:
            return None
        row = _table_row(self.table, self._rows, opt.name)
        if row is None:
            raise KeyError(opt.name)
        return row

    @property
    def save(self) -> float | None:
        """Savings over the horizon of the best fine-tune (people included)."""
        r = self.row(self.best)
        return None if r is None else float(r["savings_usd_horizon"])

    @property
    def monthly_net(self) -> float | None:
        """Baseline's monthly cost minus the fine-tune's serving + recurring (people, retraining)."""
        r = self.row(self.best)
        return None if r is None else float(r["savings_usd_per_month"])

    @property
    def tco_ratio(self) -> float | None:
        """Baseline's monthly cost over the fine-tune's all-in monthly cost."""
        r = self.row(self.best)
        if r is None:
            return None
        base = float(self.row(self.baseline)["usd_per_month"])
        return base / r["total_usd_per_month"] if r["total_usd_per_month"] > 0 else math.inf

    @property
    def latency_gain(self) -> float | None:
        """``1 - e2e_best / e2e_baseline`` (0.5: answers in half the time)."""
        b, o = self.baseline, self.best
        if o is None or o.e2e_s is None or b.e2e_s is None or b.e2e_s <= 0:
            return None
        return 1.0 - o.e2e_s / b.e2e_s

    def faster_for_latency_need(self, t: Thresholds) -> bool:
        g = self.latency_gain
        return self.scenario.latency_sensitive and g is not None and g >= t.min_latency_gain


def _table_row(table: pd.DataFrame, cache: dict, name: str) -> dict | None:
    """``table``'s first row named ``name`` as ``Series.to_dict()`` gives it (None when absent), read once
    into ``cache``; callers get their own copy of the dict."""
    if name not in cache:
        names = cache.get(_POSITIONS)
        if names is None:   # stored whole (sessions share a recommendation: never a half-built index)
            names = {}
            for pos, n in enumerate(table["name"].tolist()):
                names.setdefault(n, pos)
            cache[_POSITIONS] = names
        i = names.get(name)
        cache[name] = None if i is None else table.iloc[i].to_dict()
    row = cache[name]
    return None if row is None else dict(row)


_POSITIONS = ("positions",)   # the key under which a row cache keeps each name's position (names are text)


def _usd(x: float) -> str:
    return usd_text(x)


def _breaks_even(c) -> str:
    """'breaks even from 2,527 requests/day', or 'costs less at any volume' (a break-even of 0)."""
    return "costs less at any volume" if not c.break_even else f"breaks even from {rate_text(c.break_even)}"


# ---------------------------------------------------------------------------------------------
# rules, in order


Rule = Callable[[Context, Thresholds], "Reason | None"]


def deep_reasoning(c: Context, t: Thresholds) -> Reason | None:
    if c.scenario.needs_deep_reasoning:
        return Reason("deep_reasoning", "The task needs GPT-4-level reasoning (your flag): a 7B expert learns narrow "
                      "patterns, not general reasoning, and a cheaper general model is not assumed to reason as "
                      "well.", None, None, Effect.BLOCKS)
    return None


def out_of_domain(c: Context, t: Thresholds) -> Reason | None:
    if c.scenario.out_of_domain:
        return Reason("out_of_domain", "Inputs drift outside what the logs show (your flag): a fine-tuned 7B model "
                      "degrades on what it was not trained on.", None, None, Effect.BLOCKS)
    return None


def task_fit(c: Context, t: Thresholds) -> Reason | None:
    """What the logged calls say of the task (:mod:`advisor.fit`): evidence beside the verdict, never its cause
    (``info``); the user's flags, when set, override it."""
    fit = c.scenario.workload.fit
    if fit is None or fit.label is None:
        return None
    flags = [name for name, on in (("needs deep reasoning", c.scenario.needs_deep_reasoning),
                                   ("out of domain", c.scenario.out_of_domain)) if on]
    text = (f"Task fit from the logs: {fit.label} ({'; '.join(fit.reasons)}). Evidence from the logged calls, not a "
            "prediction of the fine-tuned model's quality")
    text += f"; your flag ({', '.join(flags)}) overrides it." if flags else "."
    return Reason("task_fit", text, FIT_SCORE[fit.label], None, Effect.INFO)


def volume(c: Context, t: Thresholds) -> Reason | None:
    rpd, end, h = c.rpd, c.rpd_end, c.scenario.horizon_months
    if rpd >= t.min_requests_per_day:
        return Reason("volume", f"{rate_text(rpd)} is above the volume guard ({t.min_requests_per_day:,.0f}/day); "
                      "whether it saves is weighed below.", rpd, t.min_requests_per_day, Effect.SUPPORTS)
    if c.best is not None and c.faster_for_latency_need(t):
        return Reason("low_volume_latency", f"{rate_text(rpd)} is below the "
                      f"{t.min_requests_per_day:,.0f} guard, "
                      f"but the application is latency-sensitive and {c.best.name} answers {c.latency_gain:.0%} "
                      "sooner: volume does not hold it back.", rpd, t.min_requests_per_day, Effect.INFO)
    grows = end >= t.min_requests_per_day
    be = "" if c.break_even is None or c.best is None else f" ({c.best.name} {_breaks_even(c)})"
    return Reason("low_volume", f"{rate_text(rpd)} is below {t.min_requests_per_day:,.0f}: training, evaluation "
                  f"and upkeep outweigh what a cheaper model saves{be}"
                  + (f"; growth reaches {rate_text(end, '/day')} within {months_text(h)}" if grows else ""),
                  rpd, t.min_requests_per_day, Effect.DELAYS if grows else Effect.BLOCKS)


def prompt_stability(c: Context, t: Thresholds) -> Reason | None:
    s, w = c.scenario, c.scenario.workload
    changes = s.prompt_changes
    src = ("as given" if s.prompt_changes_per_month is not None else
           "measured in the logs" if w.template_changes_per_month is not None else
           f"assumed: pass {ask('prompt_changes_per_month', 'cli')} or give logs")
    asks = ("prompt_changes_per_month",) if "pass" in src else ()
    if changes >= t.max_prompt_changes_per_month:
        return Reason("prompt_changing", f"The prompt changed {changes:.1f} times a month ({src}): each change means "
                      "new training data and a retrained model; wait until it is stable.",
                      changes, t.max_prompt_changes_per_month, Effect.DELAYS, asks)
    return Reason("prompt_stable", f"The prompt is stable ({changes:.1f} changes a month, {src}).",
                  changes, t.max_prompt_changes_per_month, Effect.SUPPORTS, asks)


# what to export when a log holds usage only (one short list: the README has a recipe for each)
EXPORT_WITH_TEXT = ("OpenAI Batch input and output files, Langfuse or LangSmith traces, Helicone, LiteLLM or "
                    "OpenPipe request logs with their messages and responses")


def days_to_examples(have: int, want: int, requests_per_day: float) -> float | None:
    """Days of traffic until ``want`` examples are logged at ``requests_per_day`` (every request logged with its
    text): ``(want - have) / requests_per_day``; 0 when already there, None without traffic.

    >>> days_to_examples(20, 50, 10)   # 30 more at 10 a day
    3.0
    """
    if have >= want:
        return 0.0
    return None if requests_per_day <= 0 else (want - have) / requests_per_day


def _days_text(days: float) -> str:
    if days < 1 / 24:
        return "under an hour"
    if days < 1:
        return f"about {max(round(days * 24), 1)} hour{'s' if round(days * 24) > 1 else ''}"
    return f"about {months_text(round(days / 30.4167))}" if days >= 61 else f"about {math.ceil(days)} days"


def training_examples(c: Context, t: Thresholds) -> Reason | None:
    """Sourced guidance, not a fixed bar: below ``min_training_examples`` (OpenAI's guide starts from 50) the advice
    waits as long as the traffic takes to log them; a log without text holds nothing to train on."""
    s, w = c.scenario, c.scenario.workload
    n = s.examples
    want = t.min_training_examples
    src = ("given" if s.training_examples is not None else
           "logged under the current prompt" if w.examples is not None else
           f"assumed: pass {ask('training_examples', 'cli')} or give logs")
    asks = ("training_examples",) if "pass" in src else ()
    guide = "OpenAI's fine-tuning guide sees gains from 50-100 and starts from 50"
    if s.training_examples is None and w.text_logged is False:
        return Reason("no_text", "The logs hold usage only, no prompt or completion text: nothing to train on. "
                      f"Export requests with their text instead ({EXPORT_WITH_TEXT}).", 0.0, float(want),
                      Effect.DELAYS)
    if n >= want:
        return Reason("examples", f"{count_text(n, 'example')} to train on ({src}; {guide}).", float(n), float(want),
                      Effect.SUPPORTS, asks)
    days = days_to_examples(n, want, c.rpd)
    if days is not None and days <= 1:
        return Reason("examples_soon", f"{count_text(n, 'example')} to train on ({src}); at {rate_text(c.rpd)} the logs reach "
                      f"{want:,} in {_days_text(days)} ({guide}).", float(n), float(want), Effect.INFO, asks)
    when = "" if days is None else f"; at {rate_text(c.rpd)} that is {_days_text(days)} of traffic"
    return Reason("few_examples", f"Only {count_text(n, 'example')} to train on ({src}); {guide}: keep logging until "
                  f"{want:,}{when}.", float(n), float(want), Effect.DELAYS, asks)


def no_option(c: Context, t: Thresholds) -> Reason | None:
    if c.best is not None:
        return None
    meets = [m for ft, m in zip(c.table["fine_tuned"].tolist(), c.table["meets_latency"].tolist()) if ft]
    slow = sum(m is False for m in meets)
    unknown = sum(m is None for m in meets)
    if slow or (unknown and latency_targets(c.scenario, c.baseline.e2e_s).any):
        why = (f"No fine-tuned option is known to meet the latency target ({slow} priced miss it, {unknown} publish no "
               "latency for this workload).")
        return Reason("no_option", why, float(slow + unknown), None, Effect.BLOCKS)
    if c.ending:   # value: how many stop serving within the horizon
        first = min(c.ending, key=lambda o: o.serves_until or dt.date.max)
        h = months_text(c.scenario.horizon_months)
        why = (f"Every fine-tuned option compared stops serving before the {h} are "
               f"over ({first.name} on {first.serves_until}): choose others, or a shorter horizon.")
        return Reason("no_option_ends", why, float(len(c.ending)), None, Effect.BLOCKS)
    closed = [o.name for o in c.untrainable]
    if closed:   # value: how many are priced for those who have one but closed to new training on the date
        why = (f"Training a new fine-tune is closed on {c.table.attrs.get('as_of') or 'the date'} for every fine-tuned "
               f"option compared ({', '.join(closed[:3])}{'…' if len(closed) > 3 else ''}: only teams that already "
               "fine-tune there may train): choose another provider's option (dedicated deployments, serverless LoRA "
               "or self-hosting).")
        return Reason("no_option_closed", why, float(len(closed)), None, Effect.BLOCKS)
    too_long = c.table.attrs.get("too_long") or {}
    if too_long:   # value: tokens a request as the fine-tune reads it; threshold: the longest context compared
        tokens, longest = max(t for t, _ in too_long.values()), max(x for _, x in too_long.values())
        why = (f"No fine-tuned option compared can hold a request of {tokens:,.0f} tokens (the longest context among "
               f"them is {longest:,}): pass --ft-prompt-tokens if the fine-tune reads a shorter prompt, or compare a "
               "model with a longer context.")
        return Reason("no_option_context", why, tokens, float(longest), Effect.BLOCKS, asks=("ft_prompt_tokens",))
    return Reason("no_option", "No fine-tuned option is priced on this date.", None, None, Effect.BLOCKS)


def break_even(c: Context, t: Thresholds) -> Reason | None:
    if c.best is None or c.break_even is not None:
        return None
    return Reason("no_break_even", f"{c.best.name} never costs less than {c.baseline.name} over "
                  f"{months_text(c.scenario.horizon_months)} at any volume, people's time included.", None, None,
                  Effect.BLOCKS)


def costs_more(c: Context, t: Thresholds) -> Reason | None:
    save = c.save
    if c.best is None or c.break_even is None or save is None or save >= 0:
        return None
    h = c.scenario.horizon_months
    text = (f"{c.best.name} costs {_usd(-save)} more than {c.baseline.name} over {months_text(h)} at this volume, "
            f"people's time included (one-off {_usd(c.best.one_off_usd)}, upkeep "
            f"{_usd(c.best.recurring_usd_per_month)} a month); it {_breaks_even(c)}.")
    if c.faster_for_latency_need(t):
        return Reason("latency_premium", text + f" It answers {c.latency_gain:.0%} sooner: decide whether that "
                      "speed is worth the premium.", save, 0.0, Effect.DELAYS)
    far = c.break_even > 10 * max(c.rpd_end, 1)
    return Reason("costs_more", text, save, 0.0, Effect.BLOCKS if far else Effect.DELAYS)


def small_dollars(c: Context, t: Thresholds) -> Reason | None:
    net = c.monthly_net
    if c.best is None or c.save is None or c.save < 0 or net is None or net >= t.min_savings_usd_per_month:
        return None
    grows = c.rpd_end > c.rpd * 1.5
    if net < 0:   # ahead over the horizon only because the traffic grows
        text = (f"Costs {_usd(-net)} a month more than {c.baseline.name} after upkeep at today's volume; "
                f"it comes out ahead ({_usd(c.save)} over {months_text(c.scenario.horizon_months)}) only if the "
                "traffic "
                "grows as you expect.")
    else:
        text = (f"Saves {_usd(net)} a month after upkeep at this volume (want "
                f"{_usd(t.min_savings_usd_per_month)}): not worth a model of your own to look after.")
    return Reason("small_dollars", text, net, t.min_savings_usd_per_month,
                  Effect.DELAYS if grows else Effect.BLOCKS)


def savings_ratio(c: Context, t: Thresholds) -> Reason | None:
    r, h = c.tco_ratio, c.scenario.horizon_months
    if c.best is None or c.save is None or c.save < 0 or r is None:
        return None
    if r < 1:   # ahead over the horizon (save >= 0) only through growth: a monthly ratio below 1 is no "cheaper"
        return Reason("small_savings", f"{c.best.name} costs more a month than {c.baseline.name} with upkeep at "
                      f"today's volume (want {t.min_savings_ratio:g}x cheaper to justify a model of your own).", r,
                      t.min_savings_ratio, Effect.DELAYS)
    if r < t.min_savings_ratio:
        return Reason("small_savings", f"{c.best.name} is only {r:.1f}x cheaper a month than {c.baseline.name} with "
                      f"upkeep (want {t.min_savings_ratio:g}x to justify a model of your own).", r,
                      t.min_savings_ratio, Effect.DELAYS)
    return Reason("savings", f"{c.best.name} is {r:.1f}x cheaper a month than {c.baseline.name} with upkeep: "
                  f"{_usd(c.save)} saved over {months_text(h)}, people's time included.", r, t.min_savings_ratio,
                  Effect.SUPPORTS)


def payback(c: Context, t: Thresholds) -> Reason | None:
    if c.best is None or c.save is None or c.save < 0:
        return None
    if c.payback is None or c.payback > t.max_payback_months:
        when = "after the horizon" if c.payback is None else f"in month {c.payback}"
        return Reason("slow_payback", f"Pays back {when} (want within {t.max_payback_months:g}).",
                      None if c.payback is None else float(c.payback), t.max_payback_months, Effect.DELAYS)
    return Reason("payback", f"Pays back in month {c.payback} (one-off {_usd(c.best.one_off_usd)}, people's time "
                  "included).", float(c.payback), t.max_payback_months, Effect.SUPPORTS)


def uncertainty(c: Context, t: Thresholds) -> Reason | None:
    if c.mc is None or c.save is None or c.save < 0:
        return None
    mc = c.mc
    spread = f"savings P10 {_usd(mc.savings_usd_p10)}, P90 {_usd(mc.savings_usd_p90)}"
    if mc.p_pays_off < t.min_p_pays_off:
        return Reason("uncertain", f"Pays off in only {share_text(mc.p_pays_off)} of {c.draws:,} simulated futures (want "
                      f"{t.min_p_pays_off:.0%}); {spread}.", mc.p_pays_off, t.min_p_pays_off, Effect.DELAYS)
    return Reason("robust", f"Pays off in {share_text(mc.p_pays_off)} of {c.draws:,} simulated futures ({spread}).",
                  mc.p_pays_off, t.min_p_pays_off, Effect.SUPPORTS)


def latency(c: Context, t: Thresholds) -> Reason | None:
    g = c.latency_gain
    if c.scenario.latency_sensitive and not latency_targets(c.scenario, c.baseline.e2e_s).any:
        return Reason("latency_unknown", f"Latency-sensitive, but {c.baseline.name} has no published latency to hold "
                      f"the options to: pass {ask('e2e_target_s', 'cli')} or {ask('ttft_target_s', 'cli')}.", None, None,
                      Effect.INFO, ("e2e_target_s", "ttft_target_s"))
    b, o = c.baseline, c.best
    if g is None or o is None:   # a gain is measured on the best option
        return None
    if g >= t.min_latency_gain:
        return Reason("latency", f"Responses finish {g:.0%} sooner ({o.e2e_s:.1f} s vs {b.e2e_s:.1f} s end to end).",
                      g, t.min_latency_gain, Effect.SUPPORTS)
    if g < 0:
        hint = "" if c.scenario.latency_sensitive else \
            f" (pass {ask('latency_sensitive', 'cli')} or a target if users wait on it)"
        return Reason("slower", f"Responses take {-g:.0%} longer ({o.e2e_s:.1f} s vs {b.e2e_s:.1f} s){hint}.",
                      g, 0.0, Effect.INFO, ("latency_sensitive",) if hint else ())
    return None


def baseline_ends(c: Context, t: Thresholds) -> Reason | None:
    """Today's model stops serving within the horizon (or already has): whatever the verdict, a move is coming.
    A date past is said in the past tense, with the successors the catalog names."""
    b = c.baseline
    if not b.ends_within_horizon:
        return None
    as_of = c.table.attrs.get("as_of")
    succ = next((n.split("successors: ", 1)[1] for n in b.notes if "successors: " in n), None)
    if as_of is not None and b.serves_until is not None and str(b.serves_until) <= str(as_of):
        return Reason("baseline_ends", f"{b.name} stopped serving on {b.serves_until}: it is priced at its last price "
                      "(what you paid); move to "
                      + (f"a successor ({succ}) or " if succ else "")
                      + "one of the options compared here, whatever the verdict.", None, None, Effect.INFO)
    return Reason("baseline_ends", f"{b.name} itself stops serving on {b.serves_until}, within the "
                  f"{months_text(c.scenario.horizon_months)}: plan the move whatever the verdict (the cheaper API "
                  "models "
                  "and the fine-tunes compared here are the candidates).", None, None, Effect.INFO)


def switch_model(c: Context, t: Thresholds) -> Reason | None:
    """A cheaper API model, no training: the recommendation when its outcome beats every fine-tune's, else a note."""
    sw = c.switch
    if sw is None:
        return None
    sw_save = float(c.row(sw)["savings_usd_horizon"])
    if sw_save <= 0:
        return None
    ft_save = c.save if c.save is not None else 0.0
    share = sw_save / ft_save if ft_save > 0 else math.inf
    caveat = (" It is another general model: run your evaluation set on it before moving traffic; quality on your "
              "task is not guaranteed.")
    if sw.reasoning:
        caveat += " As a reasoning model it also bills hidden reasoning tokens not counted here."
    h = months_text(c.scenario.horizon_months)
    p = "" if c.switch_mc is None else f", pays off in {share_text(c.switch_mc.p_pays_off)} of simulated futures"
    if c.switch_wins:
        beside = ("no fine-tune qualifies" if c.best is None else
                  f"the best fine-tune, {c.best.name}, saves {_usd(ft_save)}" if ft_save > 0 else
                  f"the best fine-tune, {c.best.name}, costs {_usd(-ft_save)} more")
        return Reason("switch", f"Switch to {sw.name} (no training): it saves {_usd(sw_save)} over {h}{p}, people's "
                      f"time included; {beside}." + caveat, sw_save, ft_save, Effect.SUPPORTS)
    most = "more than" if share > 1 else f"{share:.0%} of"
    return Reason("switch_model_partial" if share < t.switch_share_of_savings else "switch_model",
                  f"Switching to {sw.name} (no training) would save {_usd(sw_save)} over {h}, {most} what "
                  "fine-tuning saves." + caveat, min(share, 1e9), t.switch_share_of_savings, Effect.INFO)


def switch_latency_unknown(c: Context, t: Thresholds) -> Reason | None:
    """A cheaper API model that would save more than the answer's option, left out only because no one publishes its
    latency to hold against the user's targets: said, so that a FINE-TUNE (or a lesser switch) never hides it."""
    s = c.scenario
    if s.needs_deep_reasoning or not latency_targets(s, c.baseline.e2e_s).for_api.any:
        return None
    chosen = c.switch if c.switch_wins else c.best
    chosen_save = max(float(c.row(chosen)["savings_usd_horizon"]), 0.0) if chosen is not None else 0.0
    tab = c.table
    unknown = tab[(tab["role"] == str(Role.SWITCH)) & tab["meets_latency"].isna() & tab["like_for_like"].astype(bool)
                  & ~tab["ends_within_horizon"].astype(bool) & (tab["savings_usd_horizon"] > chosen_save)]
    if not c.baseline.reasoning and (~unknown["reasoning"].astype(bool)).any():
        unknown = unknown[~unknown["reasoning"].astype(bool)]   # as qualifying_switches: fully counted models first
    if unknown.empty:
        return None
    row = unknown.loc[unknown["savings_usd_horizon"].idxmax()]
    save = float(row["savings_usd_horizon"])
    than = (f"more than {chosen.name} saves ({_usd(chosen_save)})" if chosen is not None and chosen_save > 0
            else "where no option known to meet the target saves")
    return Reason("switch_latency_unknown",
                  f"{row['name']} (another API model, no training) would save {_usd(save)} over "
                  f"{months_text(s.horizon_months)}, {than}, but its latency is not published, so it is not known to "
                  "meet your latency target: measure it before choosing.", save, chosen_save, Effect.INFO)


RULES: tuple[Rule, ...] = (deep_reasoning, out_of_domain, task_fit, volume, prompt_stability, training_examples, no_option,
                           break_even, costs_more, small_dollars, savings_ratio, payback, uncertainty, latency,
                           switch_model, switch_latency_unknown, baseline_ends)


def verdict_of(reasons: tuple[Reason, ...] | list[Reason], *, switch_wins: bool = False) -> Verdict:
    """``switch`` when a switch beats every fine-tune; else blocks -> ``no``, delays -> ``not yet``, ``fine-tune``."""
    if switch_wins:
        return Verdict.SWITCH
    effects = {r.effect for r in reasons}
    return Verdict.NO if Effect.BLOCKS in effects else Verdict.NOT_YET if Effect.DELAYS in effects \
        else Verdict.FINE_TUNE
