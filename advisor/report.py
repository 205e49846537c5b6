"""A shareable report: Markdown (tables) or HTML (tables and interactive Plotly charts, offline).

Inputs, the verdict and its reasons, key figures, the options table, per-task verdicts, charts,
the assumptions, and the source and effective date of every price used.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from pathlib import Path

import numpy as np
import pandas as pd

from .compare import catalog_for, cumulative_curves, sweep
from .errors import AdvisorError
from .recommend import Recommendation

__all__ = ["write_report", "render_markdown", "render_html", "report_figures", "prices_used"]


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
            ("cached prompt tokens (mean)", _f(w.cached_tokens, ",.0f")), ("peak hour / mean", _f(w.peak_to_mean, ".2f")),
            ("7B tokens per API token", _f(w.ft_prompt / w.prompt_tokens if w.prompt_tokens else None, ".3f")),
            ("baseline", rec.baseline), ("prices as of", str(rec.options.attrs.get("as_of"))),
            ("horizon", f"{s.horizon_months} months"), ("growth", f"{s.growth_per_month:+.1%} a month"),
            ("training examples / epochs", f"{s.examples:,} / {s.epochs}"),
            ("retrains per year (effective)", _f(s.effective_retrains_per_year, ".1f")),
            ("prompt changes per month", _f(s.prompt_changes, ".2f")),
            ("engineering (one-off) / labelling per run", f"${s.engineering_usd:,.0f} / ${s.labelling_usd_per_run:,.0f}")]


_TABLE_COLS = [("name", "option", None), ("kind", "kind", None), ("usd_per_request", "USD/request", ".5f"),
               ("usd_per_month", "USD/month", ",.0f"), ("savings_ratio", "x cheaper", ".1f"),
               ("usd_horizon", "USD over horizon", ",.0f"), ("break_even_requests_per_day", "break-even req/day", ",.0f"),
               ("payback_month", "payback month", ".0f"), ("e2e_s", "e2e s", ".1f"), ("gpus", "GPUs", ".0f")]


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(out)


def _option_rows(rec: Recommendation) -> list[list[str]]:
    rows = []
    for r in rec.options.to_dict("records"):
        rows.append([str(r[k]) if spec is None else _f(r[k] if r[k] is not None else None, spec)
                     for k, _, spec in _TABLE_COLS])
    return rows


def _sections(recs: dict[str, Recommendation], notes: list[str]) -> dict:
    rec = recs["all"]
    key = [("verdict", rec.verdict.upper()), ("best option", rec.best_option or "-"),
           ("savings ratio (per month)", _f(rec.savings_ratio, ".1f") + "x"),
           ("savings over the horizon", "$" + _f(rec.savings_usd_horizon, ",.0f")),
           ("break-even volume", _f(rec.break_even_requests_per_day, ",.0f") + " requests/day"),
           ("payback month", _f(rec.payback_months, ".0f")), ("P(pays off)", _f(rec.p_pays_off, ".0%")),
           ("savings P10 / P90", f"${_f(rec.savings_usd_p10, ',.0f')} / ${_f(rec.savings_usd_p90, ',.0f')}")]
    tasks = [[t, r.verdict, _f(r.scenario.workload.requests_per_day, ",.0f"), r.best_option or "-",
              _f(r.savings_ratio, ".1f"), "; ".join(x.code for x in r.reasons if x.effect in ("blocks", "delays")) or "-"]
             for t, r in recs.items() if t != "all"]
    return {"key": key, "tasks": tasks, "assumptions": list(dict.fromkeys(list(rec.assumptions) + notes)),
            "prices": prices_used(rec)}


def render_markdown(recs: dict[str, Recommendation], notes: list[str] = ()) -> str:
    rec = recs["all"]
    sec = _sections(recs, list(notes))
    md = [f"# Fine-tuning advice: {rec.verdict.upper()}", "",
          f"_Generated {dt.date.today()} by finetune-advisor; prices as of {rec.options.attrs.get('as_of')}._", "",
          "## Why", ""]
    md += [f"- **{r.effect}**: {r.text}" for r in rec.reasons]
    md += ["", "## Key figures", "", _md_table(["figure", "value"], [[k, v] for k, v in sec["key"]])]
    if sec["tasks"]:
        md += ["", "## Per task", "", _md_table(["task", "verdict", "requests/day", "best option", "x cheaper",
                                                 "what stands in the way"], sec["tasks"])]
    md += ["", "## Options", "", _md_table([h for _, h, _ in _TABLE_COLS], _option_rows(rec))]
    md += ["", "## Inputs", "", _md_table(["input", "value"], [[k, v] for k, v in _inputs(rec)])]
    if sec["assumptions"]:
        md += ["", "## Assumptions", ""] + [f"- {a}" for a in sec["assumptions"]]
    p = sec["prices"]
    md += ["", "## Prices used", "", _md_table(list(p.columns), p.astype(str).values.tolist())]
    md += ["", "Interactive charts: write the report as `.html`.", ""]
    return "\n".join(md)


def report_figures(rec: Recommendation, frame: pd.DataFrame | None = None) -> list:
    """The report's charts (Plotly figures), in reading order."""
    from . import figures as F
    from .uncertainty import monte_carlo, tornado

    s = rec.scenario
    v = s.workload.requests_per_day
    vols = np.geomspace(max(v / 100, 1.0), max(v * 100, 1000.0), 200)
    sw = sweep(s, vols)
    be = dict(zip(rec.options["name"], rec.options["break_even_requests_per_day"]))
    pb = dict(zip(rec.options["name"], rec.options["payback_month"]))
    figs = [F.cost_vs_volume(sw, baseline=rec.baseline, break_evens=be, current_requests_per_day=v),
            F.cumulative_cost(cumulative_curves(s), baseline=rec.baseline,
                              payback={rec.best_option: pb.get(rec.best_option)} if rec.best_option else None),
            F.latency_comparison(rec.options)]
    if rec.best_option:
        mc = monte_carlo(s, option=rec.best_option)
        figs += [F.tornado_chart(tornado(s, option=rec.best_option)),
                 F.savings_histogram(mc.savings_usd, p10=mc.savings_usd_p10, p50=mc.savings_usd_p50,
                                     p90=mc.savings_usd_p90, p_pays_off=mc.p_pays_off)]
    if frame is not None and len(frame):
        from .workload import hourly_requests, token_summary

        figs += [F.token_distributions(token_summary(frame)), F.traffic_profile(hourly_requests(frame))]
    for fig in figs:
        fig.update_layout(template="plotly_white")
    return figs


def render_html(recs: dict[str, Recommendation], notes: list[str] = (), frame: pd.DataFrame | None = None) -> str:
    rec = recs["all"]
    sec = _sections(recs, list(notes))
    e = html.escape

    def table(header, rows):
        head = "".join(f"<th>{e(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>" for r in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    figs = report_figures(rec, frame)
    charts = "".join(f.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, f in enumerate(figs))
    p = sec["prices"]
    parts = [f"<h1>Fine-tuning advice: {e(rec.verdict.upper())}</h1>",
             f"<p><em>Prices as of {e(str(rec.options.attrs.get('as_of')))}; generated {dt.date.today()}.</em></p>",
             "<h2>Why</h2><ul>" + "".join(f"<li><b>{e(r.effect)}</b>: {e(r.text)}</li>" for r in rec.reasons) + "</ul>",
             "<h2>Key figures</h2>" + table(["figure", "value"], sec["key"])]
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
