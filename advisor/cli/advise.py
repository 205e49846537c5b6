"""The ``advise`` and ``report`` commands."""

from __future__ import annotations

import sys
from pathlib import Path

from advisor.cli.common import (
    OPTION_COLS,
    add_log_flags,
    add_price_flags,
    add_scenario_flags,
    add_workload_flags,
    emit,
    fmt,
    number,
    read_from_args,
    scenario_from_args,
    table_text,
    typed_workload,
)
from advisor.errors import ScenarioError
from advisor.keys import WHOLE_LOG
from advisor.words import share_text


def _workloads(args):
    """{task: Workload} from logs (plus typed overrides) or from typed numbers alone."""
    from advisor.workload import MAX_TASKS_ADVISED, log_notes, pool_small_tasks, profile_tasks

    if args.logs:

        result = read_from_args(args)
        frame, pooled = pool_small_tasks(result.frame, MAX_TASKS_ADVISED)
        ws = profile_tasks(frame, requests_per_day=args.requests_per_day)
        return ws, result, log_notes(result.skipped, pooled, result.assumptions)
    missing = [f for f in ("requests_per_day", "prompt_tokens", "completion_tokens") if getattr(args, f) is None]
    if missing:
        raise ScenarioError("give LOG files, or all of " + ", ".join("--" + m.replace("_", "-") for m in missing))
    return {WHOLE_LOG: typed_workload(args)}, None, []


def _recommendations(args):
    from advisor.recommend import Thresholds, recommend, recommend_tasks

    ws, result, notes = _workloads(args)
    scenario = scenario_from_args(args, ws[WHOLE_LOG])
    th = Thresholds(min_requests_per_day=args.min_requests_per_day,
                    min_savings_usd_per_month=args.min_savings_usd_per_month)
    kw = dict(thresholds=th, draws=args.draws, seed=args.seed)
    recs = recommend_tasks(ws, scenario, **kw) if len(ws) > 1 else {WHOLE_LOG: recommend(scenario, **kw)}
    return recs, result, notes


def _advice_dict(recs, notes) -> dict:
    from advisor.bill import whole_bill
    from advisor.present.view import headline_text, reasons_shown

    main = recs[WHOLE_LOG].as_dict()
    main["headline"] = headline_text(recs[WHOLE_LOG], recs, WHOLE_LOG)   # the page's and the report's words
    shown = {id(r) for r in reasons_shown(recs[WHOLE_LOG])[0]}
    for r, d in zip(recs[WHOLE_LOG].reasons, main["reasons"]):
        d["shown"] = id(r) in shown   # a reason that would argue with the verdict is listed as also checked
    main["assumptions"] = list(dict.fromkeys(main["assumptions"] + notes))
    if len(recs) > 1:
        main["tasks"] = {t: {k: v for k, v in r.as_dict().items() if k != "options"}
                         for t, r in recs.items() if t != WHOLE_LOG}
    main["whole_bill"] = whole_bill(recs).as_dict()
    return main


_BILL_COLS = [("task", "task", ""), ("verdict", "verdict", ""), ("requests_per_day", "req/day", ",.0f"),
              ("current_usd_per_month", "today USD/month", ",.0f"), ("option", "fine-tune with", ""),
              ("new_usd_per_month", "then USD/month", ",.0f"), ("savings_usd_per_month", "saves USD/month", ",.0f"),
              ("one_off_usd", "one-off USD", ",.0f")]


def _bill_text(bill: dict) -> list[str]:
    rows = [{**t, "option": t["option"] or "-"} for t in bill["tasks"]]
    rows.append({"task": "total", "verdict": "", "requests_per_day": sum(t["requests_per_day"] for t in bill["tasks"]),
                 "current_usd_per_month": bill["current_usd_per_month"], "option": "",
                 "new_usd_per_month": bill["new_usd_per_month"], "savings_usd_per_month": bill["savings_usd_per_month"],
                 "one_off_usd": bill["one_off_usd"]})
    from advisor.bill import bill_sentence  # lazy: `--help` loads no data stack

    return ["", f"whole bill: {bill_sentence(bill)}", table_text(rows, _BILL_COLS)]


def _text(advice: dict) -> str:
    lines = [f"verdict: {advice['headline']}",
             f"  (best option {advice['best_option'] or '-'} vs {advice['baseline']}, prices as of {advice['as_of']})"]
    if advice.get("baseline_note"):
        lines.append(f"  note: {advice['baseline_note']}")
    for r in advice["reasons"]:
        if r.get("shown", True):
            lines.append(f"  [{r['effect']}] {r['text']}")
    more = [r for r in advice["reasons"] if not r.get("shown", True)]
    if more:
        lines.append("  also checked:")
        lines += [f"    {r['text']}" for r in more]
    be = advice["break_even_requests_per_day"]
    by = f" ({advice['break_even_option']})" if advice.get("break_even_option") else ""
    lines.append(f"break-even: {fmt(be, ',.0f')} requests/day{by}; payback month: {advice['payback_months'] or '-'}; "
                 f"P(pays off): {share_text(advice['p_pays_off'])}")
    for task, t in (advice.get("tasks") or {}).items():
        fit = next((b["task_fit"] for b in advice["whole_bill"]["tasks"] if b["task"] == task and b.get("task_fit")),
                   None)
        lines.append(f"  task {task}: {t['verdict'].upper()} ({t['requests_per_day']:,.0f}/day; "
                     f"{'; '.join(r['code'] for r in t['reasons'] if r['effect'] in ('blocks', 'delays')) or 'all clear'}"
                     + (f"; task fit from the logs: {fit['label']}" if fit and fit["label"] else "") + ")")
    if advice.get("whole_bill") and len(advice["whole_bill"]["tasks"]) > 1:
        lines += _bill_text(advice["whole_bill"])
    lines.append("")
    lines.append(table_text(advice["options"], OPTION_COLS))
    if advice["assumptions"]:
        lines.append("\nassumptions:")
        lines += [f"  - {a}" for a in advice["assumptions"]]
    return "\n".join(lines)


def _cmd_advise(args) -> int:
    recs, _, notes = _recommendations(args)
    advice = _advice_dict(recs, notes)
    emit(advice, args.json, _text(advice))
    return 0


def _cmd_report(args) -> int:
    from advisor.present.report import write_report

    recs, result, notes = _recommendations(args)
    path = Path(args.output)
    write_report(path, recs, frame=None if result is None else result.frame, notes=notes)
    sys.stdout.write(f"wrote {path}\n")
    return 0


def _add_advise_flags(p) -> None:
    p.add_argument("logs", nargs="*", metavar="LOG", help="exported logs (optional: typed numbers work too)")
    add_log_flags(p)
    add_workload_flags(p, required=False)
    add_scenario_flags(p)
    add_price_flags(p)
    num = number
    p.add_argument("--min-requests-per-day", type=num(float, 0, 1e9), default=100.0,
                   help="volume guard of the advice (latency-sensitive traffic aside)")
    p.add_argument("--min-savings-usd-per-month", type=num(float, 0, 1e12), default=100.0,
                   help="monthly savings after upkeep below which running your own model is not worth it")
    p.add_argument("--draws", type=num(int, 100, 1_000_000), default=10_000, help="Monte Carlo draws, 100 to 1,000,000")
    p.add_argument("--seed", type=num(int, 0, 2**63 - 1), default=0, help="Monte Carlo seed, >= 0")


def register(sub) -> None:
    a = sub.add_parser("advise", help="the verdict, with reasons, break-even and P(pays off)")
    _add_advise_flags(a)
    a.add_argument("--json", action="store_true", help="print one strict JSON object instead of a table")
    a.set_defaults(func=_cmd_advise)

    r = sub.add_parser("report", help="write a shareable Markdown or HTML report")
    _add_advise_flags(r)
    r.add_argument("-o", "--output", required=True, help="report.md or report.html")
    r.set_defaults(func=_cmd_report, json=False)
