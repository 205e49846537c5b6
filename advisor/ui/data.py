"""The page's data: logs read once per content digest, measured once, scaled per scenario.

A :class:`PageData` holds what the page needs from a log: the requests frame, the per-task
workloads as measured (``None`` when the logs carry no timestamps, so the volume must be typed),
token summaries and the hourly profile. Re-runs after any widget change reuse it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from advisor.logs import LogResult
from advisor.words import count_text
from advisor.workload import (
    MAX_TASKS_ADVISED,
    WHOLE_LOG,
    Workload,
    hourly_requests,
    log_notes,
    observed_days,
    pool_small_tasks,
    profile_tasks,
    scale_sampled,
    scale_workloads,
    token_summary,
)

__all__ = ["PageData", "page_data", "sample_data", "workloads_for"]


@dataclass(frozen=True)
class PageData:
    digest: str                                  # content digest of the logs (the cache key)
    frame: pd.DataFrame
    skipped: int
    problems: tuple[str, ...]                    # "file:line: reason"
    tasks: list[str]                             # busiest first
    measured: dict[str, Workload] | None         # None: no timestamps, volume unknown
    days_observed: float | None
    tokens: pd.DataFrame
    hourly: pd.DataFrame | None
    summary: str
    notes: tuple[str, ...] = ()                  # what a report says of the logs read (advisor.workload.log_notes)

    @property
    def measured_requests_per_day(self) -> float | None:
        return None if self.measured is None else self.measured[WHOLE_LOG].requests_per_day


def page_data(result: LogResult, *, digest: str, label: str = "", one_in: float = 1.0,
              what: str = "requests logged") -> PageData:
    """Measure a read log once. ``one_in``: the log kept one request in this many (1-in-N logging): every
    record's weight is multiplied by it (records that state their own ``sample_rate`` already carry theirs)."""
    frame = scale_sampled(result.frame, one_in)
    frame, pooled = pool_small_tasks(frame, MAX_TASKS_ADVISED)  # thousands of prompt ids: the tail as one task
    days = observed_days(frame["timestamp"]) if len(frame) else None
    measured = profile_tasks(frame) if days else None
    tasks = list(measured)[1:] if measured else sorted(map(str, frame["task"].unique()))
    rows, represented = len(frame), float(frame["requests"].sum())
    span = " (no timestamps)" if not days else \
        f" over {count_text(days * 24, 'hour')}" if days < 1 else f" over {days:.1f} days"
    logged = (f"{count_text(rows, 'record')} standing for {count_text(represented, 'request')}"
              + (f" (logged one in {one_in:,.0f})" if one_in != 1 else "")
              if round(represented) != rows else f"{represented:,.0f} {what}")
    summary = (f"{label + ': ' if label else ''}{logged}{span} in {len(tasks)} task{'s' * (len(tasks) != 1)}; "
               f"{count_text(result.skipped, 'record')} skipped. Prompt text was counted and dropped."
               + (f" The {pooled:,} least busy prompts are advised together as one task." if pooled else "")
               + "".join(f" {n}." for n in result.read_notes) + _span_notes(frame, days))
    return PageData(digest=digest, frame=frame, skipped=result.skipped,
                    problems=tuple(f"{p.file}:{p.line}: {p.reason}" for p in result.problems), tasks=tasks,
                    measured=measured, days_observed=days, tokens=token_summary(frame),
                    hourly=hourly_requests(frame) if days else None, summary=summary,
                    notes=tuple(log_notes(result.skipped, pooled, result.assumptions)))


def _span_notes(frame: pd.DataFrame, days: float | None) -> str:
    """What the volume per day rests on, when it is less than it seems: under a day of traffic, and requests
    without a timestamp counted within the span of those with one.

    >>> f = pd.DataFrame({"timestamp": pd.to_datetime([0, 3600 * 4, None], unit="s"), "requests": [1.0, 1.0, 1.0]})
    >>> out = _span_notes(f, 5 / 24)
    >>> "assumes this rate around the clock" in out
    True
    >>> out.endswith(" 1 request without a timestamp is counted within the span of those with one.")
    True
    """
    out = ""
    if days and days < 1:
        out += (" Under a day of traffic: the volume per day assumes this rate around the clock; type your requests "
                "per day if it differs.")
    untimed = float(frame.loc[frame["timestamp"].isna(), "requests"].sum()) if days else 0.0
    if untimed:
        out += (f" {untimed:,.0f} request{'s' * (round(untimed) != 1)} without a timestamp "
                f"{'is' if round(untimed) == 1 else 'are'} counted within the span of those with one.")
    return out


def workloads_for(data: PageData, requests_per_day: float) -> dict[str, Workload]:
    """The logs' mix of tasks at the scenario's total volume."""
    if data.measured is None:
        return profile_tasks(data.frame, requests_per_day=requests_per_day)
    return scale_workloads(data.measured, requests_per_day)


def sample_data() -> PageData:
    """The built-in sample, generated, read and measured (see :mod:`advisor.samples`)."""
    from advisor.samples import SAMPLE_DIGEST, read_sample

    return page_data(read_sample(), digest=SAMPLE_DIGEST, label="Built-in sample")
