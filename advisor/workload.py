"""A task's traffic as the pricing needs it, from typed numbers or from the normalized log frame.

Units: tokens are per request and counted by the *API's* tokenizer unless prefixed ``ft_`` (the
7B model's tokenizer); volumes are requests per day; ``peak_to_mean`` is the busiest hour's
request rate over the mean hourly rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from advisor.errors import ScenarioError
from advisor.fit import TaskFit, task_fit
from advisor.keys import WHOLE_LOG
from advisor.words import count_text

__all__ = ["WHOLE_LOG", "Workload", "DEFAULT_PEAK_TO_MEAN", "DAYS_PER_MONTH", "profile_tasks", "pool_small_tasks",
           "MAX_TASKS_ADVISED", "scale_workloads", "token_summary", "hourly_requests", "weighted_quantile",
           "peak_to_mean", "observed_days", "scale_sampled", "MAX_SAMPLE_ONE_IN"]

# Typical diurnal business traffic: busiest hour ~2x the daily mean. Used only for typed numbers,
# and reported as an assumption whenever it is.
DEFAULT_PEAK_TO_MEAN = 2.0
DAYS_PER_MONTH = 365.0 / 12.0      # the one definition (compare and uncertainty import it)
MAX_REQUESTS_PER_DAY = 1e9         # ~11,600 requests a second: above that a typo, not a workload
MAX_TOKENS_PER_REQUEST = 10_000_000
MAX_PEAK_TO_MEAN = 100.0           # the busiest hour carries at most 100x the mean hour (24x = all traffic in 1 h)
FT_TOKEN_RATIO_RANGE = (0.2, 5.0)  # (low, high]: 7B tokens per API token (Mistral ~1.13 on English prose)


def _check_number(name: str, value, lo: float, hi: float, *, optional: bool = False) -> None:
    """A finite real in [lo, hi], or a ScenarioError naming the field and its range."""
    if optional and value is None:
        return
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and lo <= value <= hi
    if not ok:
        raise ScenarioError(f"{name}={value!r}: must be a finite number from {lo:g} to {hi:g}")


@dataclass(frozen=True)
class Workload:
    """One task's traffic (means per request)."""

    requests_per_day: float
    prompt_tokens: float
    completion_tokens: float
    cached_tokens: float = 0.0
    peak_to_mean: float = DEFAULT_PEAK_TO_MEAN
    ft_prompt_tokens: float | None = None       # None: same as prompt_tokens (ratio 1, reported)
    ft_completion_tokens: float | None = None
    task: str = WHOLE_LOG
    model: str | None = None                    # the model the traffic was paid for (most requests)
    # statistics that only logs can give (None for typed numbers)
    prompt_tokens_p50: float | None = None
    prompt_tokens_p95: float | None = None
    completion_tokens_p50: float | None = None
    completion_tokens_p95: float | None = None
    template_changes_per_month: float | None = None
    examples: int | None = None
    text_logged: bool | None = None             # the log kept prompt/completion text (None: typed numbers)
    static_prompt_tokens: float | None = None   # mean static system-prompt tokens (API tokenizer; None: unknown)
    days_observed: float | None = None
    source: str = "typed"
    assumptions: tuple[str, ...] = field(default=())
    fit: TaskFit | None = field(default=None, compare=False)   # what the logged calls say of the task (advisor.fit)

    def __post_init__(self) -> None:
        _check_number("requests_per_day", self.requests_per_day, 0, MAX_REQUESTS_PER_DAY)
        for name in ("prompt_tokens", "completion_tokens", "cached_tokens"):
            _check_number(name, getattr(self, name), 0, MAX_TOKENS_PER_REQUEST)
        for name in ("ft_prompt_tokens", "ft_completion_tokens"):
            _check_number(name, getattr(self, name), 0, MAX_TOKENS_PER_REQUEST * FT_TOKEN_RATIO_RANGE[1],
                          optional=True)
        _check_number("peak_to_mean", self.peak_to_mean, 1, MAX_PEAK_TO_MEAN)
        if self.completion_tokens == 0 and self.requests_per_day > 0:
            raise ScenarioError("completion_tokens=0: every request generates at least one token; pass the mean "
                                "completion tokens per request")
        if not 0 <= self.cached_tokens <= self.prompt_tokens:
            raise ScenarioError(f"cached_tokens={self.cached_tokens}: must be between 0 and prompt_tokens "
                                f"({self.prompt_tokens}), since OpenAI's prompt_tokens include cached tokens")

    @classmethod
    def typed(cls, requests_per_day: float, prompt_tokens: float, completion_tokens: float, *,
              cached_tokens: float = 0.0, peak_to_mean: float | None = None,
              ft_token_ratio: float | None = None, **kw) -> Workload:
        """A workload from typed numbers; every default it takes is listed in ``assumptions``."""
        notes = list(kw.pop("assumptions", ()))
        if peak_to_mean is None:
            peak_to_mean = DEFAULT_PEAK_TO_MEAN
            notes.append(f"peak hour = {DEFAULT_PEAK_TO_MEAN:g}x the mean rate (typical diurnal traffic; "
                         "logs with timestamps measure it)")
        if ft_token_ratio is None:
            ft_token_ratio = 1.0
            notes.append("the 7B tokenizer is assumed to count the same tokens as the API's (logs measure the "
                         "ratio: ~1.13 for English prose with Mistral's tokenizer)")
        lo, hi = FT_TOKEN_RATIO_RANGE
        if not (isinstance(ft_token_ratio, (int, float)) and math.isfinite(ft_token_ratio) and lo < ft_token_ratio <= hi):
            raise ScenarioError(f"ft_token_ratio={ft_token_ratio!r}: 7B tokens per API token, a number in ({lo:g}, "
                                f"{hi:g}] (~1.13 for English prose with Mistral's tokenizer)")
        return cls(requests_per_day=requests_per_day, prompt_tokens=prompt_tokens,
                   completion_tokens=completion_tokens, cached_tokens=cached_tokens, peak_to_mean=peak_to_mean,
                   ft_prompt_tokens=prompt_tokens * ft_token_ratio, ft_completion_tokens=completion_tokens * ft_token_ratio,
                   assumptions=tuple(notes), **kw)

    @property
    def ft_prompt(self) -> float:
        return self.prompt_tokens if self.ft_prompt_tokens is None else self.ft_prompt_tokens

    @property
    def ft_completion(self) -> float:
        return self.completion_tokens if self.ft_completion_tokens is None else self.ft_completion_tokens

    def with_volume(self, requests_per_day: float) -> Workload:
        return replace(self, requests_per_day=requests_per_day)


# ---------------------------------------------------------------------------------------------
# from the normalized log frame


def weighted_quantile(values, weights, q: float) -> float:
    """Quantile of ``values`` where each value counts ``weights`` times (inverted CDF)."""
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    ok = ~np.isnan(v)
    v, w = v[ok], w[ok]
    if not v.size:
        return float("nan")
    order = np.argsort(v, kind="stable")
    v, cw = v[order], np.cumsum(w[order])
    return float(v[np.searchsorted(cw, q * cw[-1], side="left").clip(0, v.size - 1)])


def observed_days(timestamps: pd.Series) -> float | None:
    """Days spanned by the log, counted in whole hours: ``(last - first) / 1 h + 1`` hours / 24."""
    ts = timestamps.dropna()
    if ts.empty:
        return None
    hours = (ts.max() - ts.min()).total_seconds() / 3600.0
    return (np.floor(hours) + 1.0) / 24.0


def peak_to_mean(timestamps: pd.Series, weights: pd.Series | None = None) -> float | None:
    """Busiest hour-of-day over the mean hour: ``max_h n_h / mean_h n_h`` with n_h the requests
    logged at hour h (UTC), summed over days. None without timestamps or with under a day of data."""
    ts = timestamps.dropna()
    days = observed_days(ts)
    if days is None or days < 1:   # None: no timestamps
        return None
    w = np.ones(len(ts)) if weights is None else np.asarray(weights[ts.index], dtype=float)
    by_hour = np.bincount(ts.dt.hour.to_numpy(), weights=w, minlength=24)
    mean = by_hour.mean()
    return float(max(by_hour.max() / mean, 1.0)) if mean > 0 else None


def template_changes(frame: pd.DataFrame) -> int:
    """How often the task's template switched to a version not seen before (in time order)."""
    tpl = frame.sort_values("timestamp", kind="stable")["template"]
    tpl = tpl[tpl != "unknown"].dropna()
    return max(int(tpl.nunique()) - 1, 0)


def _profile(f: pd.DataFrame, *, task: str, requests_per_day: float | None, days: float | None) -> Workload:
    w = f["requests"].astype(float)
    n = float(w.sum())
    notes: list[str] = []
    if requests_per_day is None:
        if days is None:
            raise ScenarioError("the logs have no timestamps, so requests per day cannot be measured; pass "
                                "requests_per_day (--requests-per-day)")
        requests_per_day = n / days
        if days < 1:  # a sample of less than a day (a trace, a batch): a rate, extrapolated
            notes.append(f"{count_text(n, 'request')} in {count_text(days * 24, 'hour')}{_EXTRAPOLATED}"
                         f"{requests_per_day:,.0f} a day (pass --requests-per-day with your real volume)")
    ptm = peak_to_mean(f["timestamp"], w)
    if ptm is None:
        ptm = DEFAULT_PEAK_TO_MEAN
        notes.append(f"peak hour = {DEFAULT_PEAK_TO_MEAN:g}x the mean (the logs cover under a day or lack timestamps)")

    def mean(col: str) -> float:
        return float(np.average(f[col], weights=w)) if n else 0.0

    has_ft = f["ft_prompt_tokens"].notna() & f["ft_completion_tokens"].notna()
    if has_ft.any():
        ratio_p = float(f.loc[has_ft, "ft_prompt_tokens"].sum() / max(f.loc[has_ft, "prompt_tokens"].sum(), 1))
        ratio_c = float(f.loc[has_ft, "ft_completion_tokens"].sum() / max(f.loc[has_ft, "completion_tokens"].sum(), 1))
    else:
        ratio_p = ratio_c = 1.0
        notes.append("no prompt text in the logs: 7B token counts assumed equal to the API's")
    changes = template_changes(f)
    span = days or 0.0
    churn = (changes / (span / DAYS_PER_MONTH)) if span > 0 else float(changes)
    latest = f.sort_values("timestamp", kind="stable")["template"].iloc[-1] if len(f) else None
    examples = int(((f["template"] == latest) & has_ft).sum()) if latest not in (None, "unknown") else int(has_ft.sum())
    return Workload(
        requests_per_day=requests_per_day, prompt_tokens=mean("prompt_tokens"),
        completion_tokens=mean("completion_tokens"), cached_tokens=mean("cached_tokens"), peak_to_mean=ptm,
        ft_prompt_tokens=mean("prompt_tokens") * ratio_p, ft_completion_tokens=mean("completion_tokens") * ratio_c,
        task=task,
        prompt_tokens_p50=weighted_quantile(f["prompt_tokens"], w, 0.5),
        prompt_tokens_p95=weighted_quantile(f["prompt_tokens"], w, 0.95),
        completion_tokens_p50=weighted_quantile(f["completion_tokens"], w, 0.5),
        completion_tokens_p95=weighted_quantile(f["completion_tokens"], w, 0.95),
        template_changes_per_month=churn,
        examples=examples, text_logged=bool(has_ft.any()), static_prompt_tokens=_static_tokens(f, has_ft, latest),
        days_observed=days, source="logs", assumptions=tuple(notes),
        model=_dominant_model(f), fit=None if task == WHOLE_LOG else task_fit(f, template_changes_per_month=churn))


def _static_tokens(f: pd.DataFrame, has_text: pd.Series, latest) -> float | None:
    """Mean static system-prompt tokens of the task's current template (the frame's ``static_prompt_tokens``, counted
    from the masked system prompt without its variable parts), request-weighted; None when the log has none."""
    if "static_prompt_tokens" not in f.columns:
        return None
    rows = f[has_text & f["static_prompt_tokens"].notna()]
    if latest not in (None, "unknown"):
        rows = rows[rows["template"] == latest]
    if rows.empty or float(rows["requests"].sum()) <= 0:
        return None
    return float(np.average(rows["static_prompt_tokens"], weights=rows["requests"]))


def _dominant_model(f: pd.DataFrame) -> str | None:
    m = f.dropna(subset=["model"])
    if m.empty:
        return None
    return str(m.groupby("model")["requests"].sum().idxmax())


MAX_SAMPLE_ONE_IN = 1e6   # a log keeping one request in a million still measures a volume; beyond, a typo


def scale_sampled(frame: pd.DataFrame, one_in: float) -> pd.DataFrame:
    """The frame of a log that kept one request in ``one_in`` (1-in-N logging): each record stands for ``one_in``
    times the requests it stood for, so the volume measured from timestamps, and every weighted mean, scale.

    >>> f = pd.DataFrame({"requests": [1.0, 200.0]})
    >>> scale_sampled(f, 10)["requests"].tolist()
    [10.0, 2000.0]
    """
    _check_number("sample_rate (logged one request in N)", one_in, 1.0, MAX_SAMPLE_ONE_IN)
    return frame if one_in == 1 else frame.assign(requests=frame["requests"] * float(one_in))


_EXTRAPOLATED = " of logs, extrapolated to "   # the note on a volume measured in under a day of logs


def scale_workloads(workloads: dict[str, Workload], requests_per_day: float) -> dict[str, Workload]:
    """The same traffic mix at another total volume: each task keeps its share of ``"all"``. At a volume other than
    the measured one (more than 1% away: the page shows the measured one rounded), the note that the measured
    volume was extrapolated from under a day of logs goes, as when :func:`profile_tasks` is given the volume.

    >>> w = Workload.typed(100, 10, 10)
    >>> w = replace(w, assumptions=("3 requests in 1 hour of logs, extrapolated to 72 a day (...)", "other"))
    >>> scale_workloads({WHOLE_LOG: w}, 100.3)[WHOLE_LOG].assumptions[0][:20]
    '3 requests in 1 hour'
    >>> scale_workloads({WHOLE_LOG: w}, 5000)[WHOLE_LOG].assumptions
    ('other',)
    """
    total = workloads[WHOLE_LOG].requests_per_day
    if total <= 0:
        raise ScenarioError("the logs hold no volume to scale")
    other = abs(requests_per_day - total) > 0.01 * total
    return {k: replace(w, requests_per_day=w.requests_per_day / total * requests_per_day,
                       assumptions=tuple(n for n in w.assumptions if _EXTRAPOLATED not in n) if other else w.assumptions)
            for k, w in workloads.items()}


def token_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per task and kind (prompt/completion): request-weighted p5, p25, p50, p75, p95 and mean tokens."""
    rows = []
    for task, f in frame.groupby("task", sort=False):
        for col, kind in (("prompt_tokens", "prompt"), ("completion_tokens", "completion")):
            q = {f"p{int(p * 100)}": weighted_quantile(f[col], f["requests"], p) for p in (0.05, 0.25, 0.5, 0.75, 0.95)}
            rows.append({"task": str(task), "kind": kind, **q,
                         "mean": float(np.average(f[col], weights=f["requests"]))})
    return pd.DataFrame(rows)


def hourly_requests(frame: pd.DataFrame) -> pd.DataFrame:
    """Requests logged per UTC hour of day (rows 0..23) and task (columns)."""
    ts = frame.dropna(subset=["timestamp"])
    out = ts.groupby([ts["timestamp"].dt.hour, "task"])["requests"].sum().unstack(fill_value=0)
    return out.reindex(range(24), fill_value=0).rename_axis("hour")


MAX_TASKS_ADVISED = 40  # tasks advised one by one in `advise`/`report`; the rest pooled (each costs a Monte Carlo run)


def log_notes(skipped: int, pooled: int, assumptions: Sequence[str] = ()) -> list[str]:
    """What a report says of the logs read, the same from ``advise``/``report`` and from the page's download:
    records skipped, the long tail of tasks pooled (:func:`pool_small_tasks`), and what reading assumed.

    >>> log_notes(2, 0, ["b.jsonl is the same file as a.jsonl: counted once."])
    ['2 log records skipped (each listed with its file, line and reason)', 'b.jsonl is the same file as a.jsonl: counted once.']
    """
    notes = [f"{count_text(skipped, 'log record')} skipped (each listed with its file, line and reason)"] if skipped else []
    if pooled:
        notes.append(f"{pooled:,} smaller tasks advised together as one 'other' task (only the "
                     f"{MAX_TASKS_ADVISED - 1} busiest are advised one by one)")
    return notes + list(assumptions)


def pool_small_tasks(frame: pd.DataFrame, max_tasks: int) -> tuple[pd.DataFrame, int]:
    """The frame with all but the ``max_tasks - 1`` busiest tasks relabelled as one ``other (N tasks)`` task, and
    N (0 when there are at most ``max_tasks``): a log with thousands of prompts (one per customer, a prompt id
    per request) is advised in bounded time and memory, its long tail pooled.

    >>> f = pd.DataFrame({"task": ["a", "a", "b", "c"], "requests": [1.0, 1.0, 1.0, 1.0]})
    >>> g, n = pool_small_tasks(f, 2)
    >>> list(g["task"]), n
    (['a', 'a', 'other (2 tasks)', 'other (2 tasks)'], 2)
    """
    if max_tasks < 2:
        raise ScenarioError("max_tasks must be at least 2")
    volume = frame.groupby("task", sort=False, observed=True)["requests"].sum().sort_values(ascending=False,
                                                                                          kind="stable")
    if len(volume) <= max_tasks:
        return frame, 0
    keep = volume.index[:max_tasks - 1]
    pooled = len(volume) - len(keep)
    task = frame["task"].astype(object)
    return frame.assign(task=task.where(task.isin(keep), f"other ({pooled:,} tasks)")), pooled


def profile_tasks(frame: pd.DataFrame, *, requests_per_day: float | None = None) -> dict[str, Workload]:
    """One :class:`Workload` per task, plus ``"all"`` for the whole log.

    ``requests_per_day`` scales the *whole* log to your real volume (when the export is a sample),
    split across tasks by their share of logged requests. Template churn is per task.
    """
    if frame.empty:
        raise ScenarioError("no requests to profile")
    days = observed_days(frame["timestamp"])
    total = float(frame["requests"].sum())
    out: dict[str, Workload] = {}
    for task, f in frame.groupby("task", sort=False):
        share = float(f["requests"].sum()) / total
        out[str(task)] = _profile(f, task=str(task), days=days,
                                  requests_per_day=None if requests_per_day is None else requests_per_day * share)
    whole = _profile(frame, task=WHOLE_LOG, days=days, requests_per_day=requests_per_day)
    # the whole log's churn is the busiest task's, not the count of all templates
    churn = max((w.template_changes_per_month or 0.0) for w in out.values())
    out = dict(sorted(out.items(), key=lambda kv: -kv[1].requests_per_day))
    examples = sum(w.examples or 0 for w in out.values())
    known = [w for w in out.values() if w.static_prompt_tokens is not None]
    volume = sum(w.requests_per_day for w in known)
    static = (sum(float(w.static_prompt_tokens or 0.0) * w.requests_per_day for w in known) / volume
              if volume > 0 else None)
    return {WHOLE_LOG: replace(whole, template_changes_per_month=churn, examples=examples, static_prompt_tokens=static),
            **out}
