"""A shareable report: Markdown (tables) or HTML (tables and interactive Plotly charts, offline).

Inputs, the verdict and its reasons, key figures, the options table, per-task verdicts, charts,
the assumptions, and the source and effective date of every price used.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from pathlib import Path

import pandas as pd

from .compare import catalog_for
from .errors import AdvisorError
from .recommend import Recommendation

__all__ = ["write_report", "render_markdown", "render_html", "report_figures", "prices_used", "md_text"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")


def md_text(value) -> str:
    r"""Untrusted text (task labels, model names, file names) safe in Markdown: HTML special characters
    as entities (no raw tags reach a wiki that renders HTML) and Markdown syntax backslash-escaped
    (no links, emphasis or table breaks).

    >>> md_text('<img src=x onerror=alert(1)> *bold* [a](b) |')
    '&lt;img src=x onerror=alert(1)&gt; \\*bold\\* \\[a\\](b) \\|'
    """
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(value), quote=False))


def _f(v, spec=",.2f") -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    return format(v, spec)


def prices_used(rec: Recommendation) -> pd.DataFrame:
    """Catalog rows (entry, price, effective date, source) for the baseline and every option priced."""
    cat = catalog_for(rec.scenario)
    names = set(rec.options["name"])
    gpus = {n.split("@", 1)[1].split(":")[0] for n in names if n.startswith("selfhost/")}
    rows = [r for r in cat.sources() if r["entry"] in names or r["entry"].split("@")[0] in gpus]
    return pd.DataFrame(rows, columns=["entry", "kind", "price", "effective", "source"])


def _inputs(rec: Recommendation) -> list[tuple[str, str]]:
    s, w = rec.scenario, rec.scenario.workload
    return [("task", w.task), ("requests per day", _f(w.requests_per_day, ",.0f")),
            ("prompt / completion tokens (mean)", f"{w.prompt_tokens:,.0f} / {w.completion_tokens:,.0f}"),
            ("cached prompt tokens (mean)", _f(w.cached_tokens, ",.0f")),
            ("peak hour / mean", _f(w.peak_to_mean, ".2f")),
            ("7B tokens per API token", _f(w.ft_prompt / w.prompt_tokens if w.prompt_tokens else None, ".3f")),
            ("baseline", rec.baseline), ("prices as of", str(rec.options.attrs.get("as_of"))),
            ("horizon", f"{s.horizon_months} months"), ("growth", f"{s.growth_per_month:+.1%} a month"),
            ("training examples / epochs", f"{s.examples:,} / {s.epochs}"),
            ("retrains per year (effective)", _f(s.effective_retrains_per_year, ".1f")),
            ("prompt changes per month", _f(s.prompt_changes, ".2f")),
            ("engineering (one-off) / labelling per run",
             f"{_usd_or_people(s.engineering_usd)} / {_usd_or_people(s.labelling_usd_per_run)}")]


def _usd_or_people(v) -> str:
    """A typed amount, or ``None``: the people model's sourced hours at the sourced wage."""
    return "from the people model" if v is None else "$" + _f(v, ",.0f")


_TABLE_COLS = [("name", "option", None), ("kind", "kind", None), ("usd_per_request", "USD/request", ".5f"),
               ("usd_per_month", "USD/month", ",.0f"), ("savings_ratio", "x cheaper", ".1f"),
               ("usd_horizon", "USD over horizon", ",.0f"),
               ("break_even_requests_per_day", "break-even req/day", ",.0f"),
               ("payback_month", "payback month", ".0f"), ("e2e_s", "e2e s", ".1f"), ("gpus", "GPUs", ".0f")]


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(md_text(h) for h in header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(md_text(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _option_rows(rec: Recommendation) -> list[list[str]]:
    rows = []
    for r in rec.options.to_dict("records"):
        rows.append([str(r[k]) if spec is None else _f(r[k] if r[k] is not None else None, spec)
                     for k, _, spec in _TABLE_COLS])
    return rows


def _sections(recs: dict[str, Recommendation], notes: list[str], focus: Recommendation | None = None) -> dict:
    from .bill import whole_bill
    from .ui.view import blocker_text, fmt_usd

    rec = focus or recs["all"]
    key = [("verdict", rec.verdict.upper()), ("best option", rec.best_option or "-"),
           ("savings ratio (per month)", _f(rec.savings_ratio, ".1f") + "x"),
           ("savings over the horizon", "$" + _f(rec.savings_usd_horizon, ",.0f")),
           ("break-even volume", _f(rec.break_even_requests_per_day, ",.0f") + " requests/day"),
           ("payback month", _f(rec.payback_months, ".0f")), ("P(pays off)", _f(rec.p_pays_off, ".0%")),
           ("savings P10 / P90", f"${_f(rec.savings_usd_p10, ',.0f')} / ${_f(rec.savings_usd_p90, ',.0f')}")]
    tasks = [[t, r.verdict, _f(r.scenario.workload.requests_per_day, ",.0f"), r.best_option or "-",
              _f(r.savings_ratio, ".1f"),
              "; ".join(blocker_text(x, r) for x in r.reasons if x.effect in ("blocks", "delays")) or "-"]
             for t, r in recs.items() if t != "all"]
    bill = whole_bill(recs)
    bill_rows = [[t.task, str(t.verdict).upper(), t.option or t.baseline, fmt_usd(t.current_usd_per_month),
                  fmt_usd(t.new_usd_per_month), fmt_usd(t.one_off_usd), fmt_usd(t.savings_usd_horizon)]
                 for t in bill.tasks]
    bill_rows.append(["total", "", "", fmt_usd(bill.current_usd_per_month), fmt_usd(bill.new_usd_per_month),
                      fmt_usd(bill.one_off_usd), fmt_usd(bill.savings_usd_horizon)])
    return {"key": key, "tasks": tasks, "assumptions": list(dict.fromkeys(list(rec.assumptions) + notes)),
            "prices": prices_used(rec), "rec": rec, "bill": bill_rows,
            "bill_header": ["task", "verdict", "runs on", "today $/month", "new $/month", "one-off",
                            f"saved over {bill.horizon_months} months"]}


def render_markdown(recs: dict[str, Recommendation], notes: list[str] = (), *, analysis=None) -> str:
    """The report as Markdown; untrusted text (task labels, model names) is escaped.

    ``analysis`` (an :class:`advisor.ui.compute.PageAnalysis`) makes the report speak for the same
    task the dashboard shows."""
    sec = _sections(recs, list(notes), None if analysis is None else analysis.focus)
    rec = sec["rec"]
    md = [f"# Fine-tuning advice: {md_text(_title(recs, rec, analysis))}", "",
          f"_Generated {dt.date.today()} by finetune-advisor; prices as of {md_text(rec.options.attrs.get('as_of'))}._",
          "", "## Why", ""]
    md += [f"- **{r.effect}**: {md_text(r.text)}" for r in rec.reasons]
    md += ["", "## Key figures", "", _md_table(["figure", "value"], [[k, v] for k, v in sec["key"]])]
    md += ["", "## The whole bill", "", _md_table(sec["bill_header"], sec["bill"])]
    if sec["tasks"]:
        md += ["", "## Per task", "", _md_table(["task", "verdict", "requests/day", "best option", "x cheaper",
                                                 "what stands in the way"], sec["tasks"])]
    md += ["", "## Options", "", _md_table([h for _, h, _ in _TABLE_COLS], _option_rows(rec))]
    md += ["", "## Inputs", "", _md_table(["input", "value"], [[k, v] for k, v in _inputs(rec)])]
    if sec["assumptions"]:
        md += ["", "## Assumptions", ""] + [f"- {md_text(a)}" for a in sec["assumptions"]]
    p = sec["prices"]
    md += ["", "## Prices used", "", _md_table(list(p.columns), p.astype(str).values.tolist())]
    md += ["", "Interactive charts: write the report as `.html`.", ""]
    return "\n".join(md)


def _title(recs: dict[str, Recommendation], rec: Recommendation, analysis) -> str:
    from .ui.view import headline_text

    task = rec.scenario.workload.task if analysis is not None and rec is not recs.get("all") else "all"
    return headline_text(rec, recs, task)


def report_figures(rec: Recommendation, frame: pd.DataFrame | None = None, *, analysis=None) -> list:
    """The report's charts (Plotly figures), in reading order. With ``analysis`` (the dashboard's
    :class:`advisor.ui.compute.PageAnalysis`) nothing is recomputed: the page's own data is drawn."""
    from . import figures as F
    from .ui.compute import page_analysis

    if analysis is None:
        analysis = page_analysis({"all": rec})
    rec = analysis.focus
    s, c = rec.scenario, analysis.colours
    be = dict(zip(rec.options["name"], rec.options["break_even_requests_per_day"]))
    pb = dict(zip(rec.options["name"], rec.options["payback_month"]))
    figs = [F.cost_vs_volume(analysis.sweep, baseline=rec.baseline, break_evens=be,
                             always=(rec.best_option,) if rec.best_option else (),
                             current_requests_per_day=s.workload.requests_per_day, colours=c,
                             title="Cost per month vs volume"),
            F.cumulative_cost(analysis.curves, baseline=rec.baseline, colours=c,
                              payback={rec.best_option: pb.get(rec.best_option)} if rec.best_option else None,
                              title="Cumulative savings against today's model"),
            F.latency_comparison(rec.options, colours=c, title="Latency per request")]
    if analysis.tornado is not None and analysis.monte_carlo is not None:
        mc = analysis.monte_carlo
        figs += [F.tornado_chart(analysis.tornado, title=f"What moves the savings most ({rec.best_option})"),
                 F.savings_histogram(mc.savings_usd, p10=mc.savings_usd_p10, p50=mc.savings_usd_p50,
                                     p90=mc.savings_usd_p90, p_pays_off=mc.p_pays_off,
                                     title=f"Savings over the horizon: pays off in {mc.p_pays_off:.0%} of futures")]
    if frame is not None and len(frame):
        from .workload import hourly_requests, token_summary

        figs += [F.token_distributions(token_summary(frame), title="Tokens per request by task"),
                 F.traffic_profile(hourly_requests(frame), title="Requests by hour of day (UTC)")]
    for fig in figs:
        fig.update_layout(template="plotly_white")
    return figs


def render_html(recs: dict[str, Recommendation], notes: list[str] = (), frame: pd.DataFrame | None = None, *,
                analysis=None) -> str:
    """The report as one offline HTML file with interactive charts (``analysis``: see
    :func:`render_markdown`)."""
    sec = _sections(recs, list(notes), None if analysis is None else analysis.focus)
    rec = sec["rec"]
    e = html.escape

    def table(header, rows):
        head = "".join(f"<th>{e(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>" for r in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    figs = report_figures(rec, frame, analysis=analysis)
    charts = "".join(f.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, f in enumerate(figs))
    p = sec["prices"]
    parts = [f"<h1>Fine-tuning advice: {e(_title(recs, rec, analysis))}</h1>",
             f"<p><em>Prices as of {e(str(rec.options.attrs.get('as_of')))}; generated {dt.date.today()}.</em></p>",
             "<h2>Why</h2><ul>" + "".join(f"<li><b>{e(r.effect)}</b>: {e(r.text)}</li>" for r in rec.reasons) + "</ul>",
             "<h2>Key figures</h2>" + table(["figure", "value"], sec["key"]),
             "<h2>The whole bill</h2>" + table(sec["bill_header"], sec["bill"])]
    if sec["tasks"]:
        parts.append("<h2>Per task</h2>" + table(["task", "verdict", "requests/day", "best option", "x cheaper",
                                                  "what stands in the way"], sec["tasks"]))
    parts += ["<h2>Charts</h2>" + charts,
              "<h2>Options</h2>" + table([h for _, h, _ in _TABLE_COLS], _option_rows(rec)),
              "<h2>Inputs</h2>" + table(["input", "value"], _inputs(rec))]
    if sec["assumptions"]:
        parts.append("<h2>Assumptions</h2><ul>" + "".join(f"<li>{e(a)}</li>" for a in sec["assumptions"]) + "</ul>")
    parts.append("<h2>Prices used</h2>" + table(list(p.columns), p.astype(str).values.tolist()))
    style = ("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;font-size:14px}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>finetune-advisor report</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>")


def write_report(path: str | Path, recs: dict[str, Recommendation] | Recommendation, *,
                 frame: pd.DataFrame | None = None, notes: list[str] = ()) -> Path:
    """Write ``.md`` or ``.html`` (chosen by the suffix)."""
    path = Path(path)
    if isinstance(recs, Recommendation):
        recs = {"all": recs}
    if path.suffix.lower() in (".md", ".markdown"):
        text = render_markdown(recs, notes)
    elif path.suffix.lower() in (".html", ".htm"):
        try:
            text = render_html(recs, notes, frame)
        except ImportError:
            raise AdvisorError("an HTML report needs plotly: pip install -e '.[app]' (or write .md)") from None
    else:
        raise AdvisorError(f"{path}: write the report as .md or .html")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise AdvisorError(f"{path}: cannot write ({exc.strerror})") from None
    return path
