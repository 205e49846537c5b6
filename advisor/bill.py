"""The whole bill: what all tasks cost today, and with the qualifying tasks fine-tuned.

For each task: today's monthly spend on the baseline (``usd_per_month`` of the baseline row),
and, when its verdict is ``fine-tune`` or ``switch``, the chosen option's all-in month (serving + retraining,
evaluation, monitoring, operations) and its one-off; other tasks stay on the baseline. Savings
are ``current - with fine-tunes`` a month, and over the horizon the tasks' horizon savings
(one-offs and growth included). Money in USD.

Public names: :class:`TaskBill`, :class:`WholeBill` (``as_dict`` is the ``whole_bill`` JSON key of
``advise``), :func:`whole_bill`, :func:`bill_sentence` (the one sentence every surface says of it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from advisor.jsonsafe import json_safe
from advisor.keys import WHOLE_LOG
from advisor.recommend import Recommendation, Verdict
from advisor.words import fmt_usd
from advisor.words import months_text as fmt_months

__all__ = ["TaskBill", "WholeBill", "whole_bill", "bill_sentence"]


@dataclass(frozen=True)
class TaskBill:
    task: str
    verdict: str
    requests_per_day: float
    baseline: str
    current_usd_per_month: float
    option: str | None                 # the option adopted (verdict fine-tune or switch), else None
    new_usd_per_month: float           # all-in, with the option adopted (= current otherwise)
    savings_usd_per_month: float
    one_off_usd: float
    savings_usd_horizon: float
    task_fit: dict | None = None       # {"label", "signals", ...} from the logs (advisor.fit), None without text


@dataclass(frozen=True)
class WholeBill:
    tasks: tuple[TaskBill, ...]
    current_usd_per_month: float
    new_usd_per_month: float
    savings_usd_per_month: float
    one_off_usd: float
    savings_usd_horizon: float
    horizon_months: int

    @property
    def fine_tuned_tasks(self) -> tuple[str, ...]:
        return tuple(t.task for t in self.tasks if t.option is not None and t.verdict == Verdict.FINE_TUNE)

    @property
    def switched_tasks(self) -> tuple[str, ...]:
        """Tasks moved to a cheaper API model with no training (verdict switch)."""
        return tuple(t.task for t in self.tasks if t.option is not None and t.verdict == Verdict.SWITCH)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["tasks"] = [asdict(t) for t in self.tasks]
        d["fine_tuned_tasks"] = list(self.fine_tuned_tasks)
        d["switched_tasks"] = list(self.switched_tasks)
        return json_safe(d)


def _task_bill(task: str, r: Recommendation) -> TaskBill:
    base = r.option_row(r.baseline)
    assert base is not None, "the options table has the baseline's row"
    current = float(base["usd_per_month"])
    adopt = r.verdict in (Verdict.FINE_TUNE, Verdict.SWITCH) and r.best_option is not None
    row = r.option_row(r.best_option) if adopt else None
    new = float(row["total_usd_per_month"]) if row else current
    return TaskBill(task=task, verdict=str(r.verdict), requests_per_day=r.scenario.workload.requests_per_day,
                    baseline=r.baseline, current_usd_per_month=current, option=r.best_option if adopt else None,
                    new_usd_per_month=new, savings_usd_per_month=current - new,
                    one_off_usd=float(row["one_off_usd"]) if row else 0.0,
                    savings_usd_horizon=float(row["savings_usd_horizon"]) if row else 0.0,
                    task_fit=r.scenario.workload.fit.as_dict() if r.scenario.workload.fit is not None else None)


def whole_bill(recs: dict[str, Recommendation]) -> WholeBill:
    """Sum over tasks (``"all"`` is used only when it is the only entry).

    Example: two tasks at $1,000 and $50 a month; the first is fine-tuned to $200 all-in, the
    second stays: current $1,050, new $250, savings $800 a month.
    """
    tasks = {t: r for t, r in recs.items() if t != WHOLE_LOG} or recs
    lines = tuple(_task_bill(t, r) for t, r in tasks.items())
    months = next(iter(recs.values())).scenario.horizon_months
    return WholeBill(tasks=lines, current_usd_per_month=sum(x.current_usd_per_month for x in lines),
                     new_usd_per_month=sum(x.new_usd_per_month for x in lines),
                     savings_usd_per_month=sum(x.savings_usd_per_month for x in lines),
                     one_off_usd=sum(x.one_off_usd for x in lines),
                     savings_usd_horizon=sum(x.savings_usd_horizon for x in lines), horizon_months=months)


def bill_sentence(bill: WholeBill | dict) -> str:
    """What the whole bill says, in the words of the page, the report, ``advise`` and the notebooks: the tasks
    fine-tuned and those switched to a cheaper API model, the month after against today's, the one-off, the
    horizon's savings. ``bill``: a :class:`WholeBill` or its ``as_dict()`` (``advise --json``'s ``whole_bill``).

    >>> b = {"fine_tuned_tasks": [], "switched_tasks": ["copy"], "new_usd_per_month": 215.0,
    ...      "current_usd_per_month": 1503.0, "one_off_usd": 908.0, "horizon_months": 12, "savings_usd_horizon": 12370.0}
    >>> for part in bill_sentence(b).split("; "):
    ...     print(part)
    Switch copy to a cheaper API model (no training)
    the rest stays as it is. $215 a month instead of $1,503, with upkeep and people's time (one-off $908 on top)
    over 12 months $12,370 saved (“Saved $” covers 12 months).
    """
    get: Callable[[str], Any] = bill.__getitem__ if isinstance(bill, dict) else lambda k: getattr(bill, k)
    go, move = list(get("fine_tuned_tasks")), list(get("switched_tasks"))
    steps = ([f"Fine-tune {', '.join(go)}"] if go else []) + \
        ([f"switch {', '.join(move)} to a cheaper API model (no training)"] if move else [])
    plan = "; ".join(steps) + "; the rest stays as it is." if steps else "Every task stays on the baseline."
    plan = plan[0].upper() + plan[1:]
    months = fmt_months(get("horizon_months"))
    saved = f"{fmt_usd(get('savings_usd_horizon'))} saved" if get("savings_usd_horizon") >= 0.5 else "no change"
    return (f"{plan} {fmt_usd(get('new_usd_per_month'))} a month instead of {fmt_usd(get('current_usd_per_month'))}, "
            f"with upkeep and people's time (one-off {fmt_usd(get('one_off_usd'))} on top); "
            f"over {months} {saved} (“Saved $” covers {months}).")
