"""A shareable report: Markdown (tables) or HTML (tables and interactive Plotly charts, offline).

Inputs, the verdict and its reasons, key figures, the options table, per-task verdicts, charts,
the assumptions, and the source and effective date of every price used. The numbers, labels and
colours are the dashboard's own (:mod:`advisor.present.view`, :mod:`advisor.present.analysis`), so a report
downloaded from the page reads like the page. ``cli=True`` (what :func:`write_report` passes) keeps
the command line's wording (flags) for a report written by ``advise --report`` / ``report``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeGuard

import pandas as pd

from advisor.bill import bill_sentence, whole_bill
from advisor.compare import catalog_for
from advisor.errors import AdvisorError
from advisor.keys import WHOLE_LOG
from advisor.outfile import write_atomically
from advisor.present import view as V
from advisor.present.view import fmt_months, fmt_rate, fmt_ratio, fmt_share, fmt_usd, headline_text, tiles
from advisor.recommend import Recommendation
from advisor.words import html_prose, md_text
from advisor.workload import hourly_requests, token_summary
from pricing import today

__all__ = ["write_report", "render_markdown", "render_html", "report_figures", "prices_used", "md_text",
           "html_prose", "cheaper_text"]

def _finite(v: object) -> TypeGuard[float]:
    return v is not None and not (isinstance(v, float) and not math.isfinite(v)) and not pd.isna(v)


def _f(v, spec=",.2f") -> str:
    return format(v, spec) if _finite(v) else "–"


def cheaper_text(ratio: float | None) -> str:
    """How many times cheaper a month, for people: under 1.05× (within rounding of "the same") or a loss
    reads "not cheaper", otherwise the page's :func:`advisor.present.view.fmt_ratio`.

    >>> [cheaper_text(v) for v in (21.2, 1.6, 1.04, 0.6, 0.0, None, float("nan"))]
    ['21×', '1.6×', 'not cheaper', 'not cheaper', 'not cheaper', '–', '–']
    """

    if not _finite(ratio):
        return "–"
    return "not cheaper" if ratio < 1.05 else fmt_ratio(ratio)


def prices_used(rec: Recommendation) -> pd.DataFrame:
    """Catalog rows (entry, price, effective date, source) for the baseline and every option priced."""
    cat = catalog_for(rec.scenario)
    names = set(rec.options["name"])
    gpus = {n.split("@", 1)[1].split(":")[0] for n in names if n.startswith("selfhost/")}
    rows = [r for r in cat.sources() if r["entry"] in names or r["entry"].split("@")[0] in gpus]
    return pd.DataFrame(rows, columns=["entry", "kind", "price", "effective", "source"])


# the catalog's kinds in words (the page's options table says the same for its three; a GPU row is a rental price)
_KINDS = {"api": "API", "hosted": "hosted fine-tune", "selfhost": "self-hosted", "gpu": "GPU rental"}


def _inputs(rec: Recommendation) -> list[tuple[str, str]]:

    s, w = rec.scenario, rec.scenario.workload
    people = lambda v: "from the people model" if v is None else fmt_usd(v)  # noqa: E731  None: sourced hours x wage
    return [("Task", w.task), ("Requests per day", fmt_rate(w.requests_per_day)),
            ("Prompt / completion tokens (mean)", f"{w.prompt_tokens:,.0f} / {w.completion_tokens:,.0f}"),
            ("Cached prompt tokens (mean)", _f(w.cached_tokens, ",.0f")),
            ("Peak hour / mean", _f(w.peak_to_mean, ".2f")),
            ("7B tokens per API token", _f(w.ft_prompt / w.prompt_tokens if w.prompt_tokens else None, ".3f")),
            ("Baseline", rec.baseline), ("Prices as of", str(rec.options.attrs.get("as_of"))),
            ("Horizon", fmt_months(s.horizon_months)), ("Growth", f"{s.growth_per_month:+.1%} a month"),
            ("Latency need", V.latency_need_text(rec)),
            ("Training examples / epochs", f"{s.examples:,} / {s.epochs}"),
            ("Retrains per year (effective)", _f(s.effective_retrains_per_year, ".1f")),
            ("Prompt changes per month", _f(s.prompt_changes, ".2f")),
            ("Engineering (one-off) / labelling per run",
             f"{people(s.engineering_usd)} / {people(s.labelling_usd_per_run)}")]


# the page marks each reason with an icon (app.py ICONS); the report says it in words
# (the verdict itself is always in capitals, as on the page: "NOT YET"; these label the reasons)
_EFFECT_WORDS = {"blocks": "Stands in the way", "delays": "Holds it back for now", "supports": "In favour",
                 "info": "Note"}


def _key_figures(rec: Recommendation) -> list[list[str]]:
    """The page's tiles (they follow the verdict), then, for a NO or NOT YET, the figures they leave out, in
    the page's formats (a FINE-TUNE's tiles already carry them all)."""

    rows = [["Verdict", rec.verdict.upper(), ""], ["Best option", rec.best_option or "–", ""]]
    rows += [[t.label, t.value, t.note or ""] for t in tiles(rec)]
    if rec.verdict in ("fine-tune", "switch"):
        return rows
    H = rec.scenario.horizon_months
    more = [("Cheaper per month (with upkeep)", cheaper_text(rec.savings_ratio)),
            (f"Saved over {fmt_months(H)}", fmt_usd(rec.savings_usd_horizon)),
            ("Break-even", fmt_rate(rec.break_even_requests_per_day)),
            ("Pays back", "–" if rec.payback_months is None else f"month {rec.payback_months}"),
            ("Chance it pays off", fmt_share(rec.p_pays_off)),
            ("Savings P10 / P90", f"{fmt_usd(rec.savings_usd_p10)} / {fmt_usd(rec.savings_usd_p90)}")]
    labels = {r[0] for r in rows}
    seen = labels | ({f"Saved over {fmt_months(H)}"} if "Over the horizon" in labels else set())
    return rows + [[k, v, ""] for k, v in more if k not in seen]


def _cells(table: pd.DataFrame, formats: dict[str, Callable]) -> tuple[list[str], list[list[str]], set[str]]:
    """A page table as display text (not escaped): the ``formats`` columns as the page shows them (and
    right-aligned, the third item)."""
    def show(col, x):
        if col in formats:
            return formats[col](x)
        return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)
    cols = list(table.columns)
    return cols, [[show(c, x) for c, x in zip(cols, r)] for r in table.itertuples(index=False)], set(formats)


def _sections(recs: dict[str, Recommendation], notes: list[str], focus: Recommendation | None, cli: bool) -> dict:


    rec = focus or recs[WHOLE_LOG]
    surface = "cli" if cli else "page"

    def words(t: str) -> str:   # a library message in the surface's words (flags become the page's inputs)
        return t if cli else V.page_language(t)

    def said(r) -> str:   # a reason in the surface's words (Reason.words), then the page's wording of the rest
        return words(r.words(surface))
    shown, more = V.reasons_shown(rec)
    bill = whole_bill(recs)
    per_task = {t: r for t, r in recs.items() if t != WHOLE_LOG}
    p = prices_used(rec)
    p = p.assign(kind=p["kind"].map(lambda k: _KINDS.get(k, k)), source=p["source"].map(words))
    p = p.rename(columns=str.capitalize)
    return {
        "rec": rec, "words": words,
        "why": [(_EFFECT_WORDS.get(str(r.effect), str(r.effect)), said(r)) for r in shown],
        "checked": [said(r) for r in more],
        "key": (["Figure", "Value", "Note"], _key_figures(rec)),
        "bill": _cells(V.bill_table(bill), V.BILL_FORMATS) if len(bill.tasks) > 1 else None,
        "bill_sentence": bill_sentence(bill),
        "tasks": _cells(V.tasks_table(per_task), V.TASK_FORMATS) if per_task else None,
        "options": _cells(V.options_table(rec), V.OPTION_FORMATS),
        "inputs": (["Input", "Value"], [list(r) for r in _inputs(rec)]),
        "assumptions": [words(a) for a in dict.fromkeys(list(rec.assumptions) + list(notes))],
        "baseline_note": words(rec.baseline_note) if rec.baseline_note else None,  # said by the verdict too
        "prices": (list(p.columns), p.astype(str).values.tolist()),
        "charts_hint": ("Interactive charts: write the report with an .html name (for example -o report.html)."
                        if cli else "Interactive charts: download the HTML report."),
    }


def _md_table(table: tuple) -> str:
    """``(header, rows[, right-aligned columns])`` as one Markdown table, every cell escaped."""
    header, rows, numeric = (*table, set())[:3]
    rule = "|" + "|".join("---:" if h in numeric else ":---" for h in header) + "|"
    out = ["| " + " | ".join(md_text(h) for h in header) + " |", rule]
    out += ["| " + " | ".join(md_text(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def render_markdown(recs: dict[str, Recommendation], notes: Sequence[str] = (), *, analysis=None,
                    cli: bool = False) -> str:
    """The report as Markdown; untrusted text (task labels, model names) is escaped, web addresses link.

    ``analysis`` (an :class:`advisor.present.analysis.PageAnalysis`) makes the report speak for the same
    task the dashboard shows; ``cli`` keeps the command line's wording."""
    sec = _sections(recs, list(notes), None if analysis is None else analysis.focus, cli)
    rec = sec["rec"]
    md = [f"# Fine-tuning advice: {md_text(_title(recs, rec, analysis))}", "",
          f"_Generated {today()} by finetune-advisor; prices as of {md_text(rec.options.attrs.get('as_of'))}._",
          *(["", f"**Note:** {md_text(sec['baseline_note'])}"] if sec["baseline_note"] else []),
          "", "## Why", ""]
    md += [f"- **{w}:** {md_text(t)}" for w, t in sec["why"]]
    if sec["checked"]:
        md += ["", "### What else was checked", ""] + [f"- {md_text(t)}" for t in sec["checked"]]
    md += ["", "## Key figures", "", _md_table(sec["key"])]
    if sec["bill"]:
        md += ["", "## The whole bill", "", md_text(sec["bill_sentence"]), "", _md_table(sec["bill"])]
    if sec["tasks"]:
        md += ["", "## Per task", "", _md_table(sec["tasks"])]
    md += ["", "## Options", "", _md_table(sec["options"])]
    md += ["", "## Inputs", "", _md_table(sec["inputs"])]
    if sec["assumptions"]:
        md += ["", "## Assumptions", ""] + [f"- {md_text(a)}" for a in sec["assumptions"]]
    md += ["", "## Prices used", "", _md_table(sec["prices"])]
    md += ["", sec["charts_hint"], ""]
    return "\n".join(md)


def _title(recs: dict[str, Recommendation], rec: Recommendation, analysis) -> str:

    task = rec.scenario.workload.task if analysis is not None and rec is not recs.get(WHOLE_LOG) else WHOLE_LOG
    return headline_text(rec, recs, task)


def _task_order(recs: dict[str, Recommendation] | None, columns) -> list[str]:
    """The tasks in the page's order (busiest first, as advised), then any other column: the page colours
    tasks by this order (:func:`advisor.present.analysis.task_colours`)."""
    named = [t for t in (recs or {}) if t != WHOLE_LOG]
    return named + [str(c) for c in columns if str(c) not in named]


def _heading_apart(fig):
    """(title, the figure without it): in the HTML the title is a heading above the chart, since on a phone
    a legend wrapped over several lines ran into a title drawn inside the figure."""
    import plotly.graph_objects as go

    bare = go.Figure(fig)
    title = bare.layout.title.text or ""
    bare.update_layout(title=None, margin_t=60)
    return title, bare


def report_figures(rec: Recommendation, frame: pd.DataFrame | None = None, *, analysis=None) -> list:
    """The report's charts (Plotly figures), in reading order, in the page's colours. With ``analysis`` (the
    dashboard's :class:`advisor.present.analysis.PageAnalysis`) nothing is recomputed: the page's own data is drawn."""
    from advisor.present import figures as F
    from advisor.present.analysis import ending_options, page_analysis, task_colours

    if analysis is None:
        analysis = page_analysis({WHOLE_LOG: rec})
    rec = analysis.focus
    s, c = rec.scenario, analysis.colours
    be = dict(zip(rec.options["name"], rec.options["break_even_requests_per_day"]))
    pb = dict(zip(rec.options["name"], rec.options["payback_month"]))
    figs = [F.cost_vs_volume(analysis.sweep, baseline=rec.baseline, break_evens=be,
                             always=(rec.best_option,) if rec.best_option else (),
                             current_requests_per_day=s.workload.requests_per_day, colours=c,
                             horizon_months=s.horizon_months, growth_per_month=s.growth_per_month,
                             ends=ending_options(rec.options),
                             title="All-in cost per month vs volume (one-off spread over "
                                   f"{fmt_months(s.horizon_months)}"
                                   + (", averaged as traffic grows)" if s.growth_per_month else ")")),
            F.cumulative_cost(analysis.curves, baseline=rec.baseline, colours=c, ends=ending_options(rec.options),
                              as_of=rec.options.attrs.get("as_of"),
                              payback={rec.best_option: pb.get(rec.best_option)} if rec.best_option else None,
                              title="Cumulative savings against today's model"),
            F.latency_comparison(rec.options, colours=c, title="Latency per request")]
    if analysis.tornado is not None and analysis.monte_carlo is not None:
        mc = analysis.monte_carlo
        figs += [F.tornado_chart(analysis.tornado, title=f"What moves the savings most ({rec.best_option})"),
                 F.savings_histogram(mc.savings_usd, p10=mc.savings_usd_p10, p50=mc.savings_usd_p50,
                                     p90=mc.savings_usd_p90, p_pays_off=mc.p_pays_off,
                                     title=f"Savings over the horizon: pays off in {fmt_share(mc.p_pays_off)} of futures")]
    if frame is not None and len(frame):


        figs.append(F.token_distributions(token_summary(frame), title="Tokens per request by task"))
        hourly = hourly_requests(frame)
        if float(hourly.to_numpy().sum()) > 0:   # logs without timestamps: no hours to show (as on the page)
            figs.append(F.traffic_profile(hourly, colours=task_colours(_task_order(analysis.tasks, hourly.columns)),
                                          title="Requests by hour of day (UTC)"))
    for fig in figs:
        fig.update_layout(template="plotly_white")
    return figs


# Tables scroll inside their own box (a phone never gets a page wider than its screen); names and figures stay
# on one line, long prose columns wrap.
_WRAP = {"What stands in the way": "wide", "Source": "wide", "Price": "wrap", "Note": "wrap"}
_STYLE = ("body{font-family:system-ui,sans-serif;max-width:1100px;margin:1.5em auto;padding:0 1em;line-height:1.4}"
          "h1{font-size:1.6em}li,p{overflow-wrap:anywhere}"
          ".tw{overflow-x:auto;max-width:100%;margin:1em 0}"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;font-size:14px;"
          "vertical-align:top}td{white-space:nowrap}"
          "td.wrap,td.wide{white-space:normal;min-width:9em}td.wide{min-width:20em;max-width:40em}"
          "td.num{text-align:right}.plotly-graph-div{max-width:100%}")


def render_html(recs: dict[str, Recommendation], notes: Sequence[str] = (), frame: pd.DataFrame | None = None, *,
                analysis=None, cli: bool = False) -> str:
    """The report as one offline HTML file with interactive charts (``analysis``, ``cli``: see
    :func:`render_markdown`)."""
    sec = _sections(recs, list(notes), None if analysis is None else analysis.focus, cli)
    rec = sec["rec"]
    e = html.escape

    def table(t, links: bool = False):
        header, rows, numeric = (*t, set())[:3]
        cls = [f" class='{_WRAP[h]}'" if h in _WRAP else " class='num'" if h in numeric else "" for h in header]
        head = "".join(f"<th>{e(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td{k}>{html_prose(c, links=links)}</td>" for k, c in zip(cls, r))
                       + "</tr>" for r in rows)
        return f"<div class='tw'><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"

    figs = report_figures(rec, frame, analysis=analysis)
    charts = "".join(f"<h3>{e(title)}</h3>" + f.to_html(full_html=False, include_plotlyjs=(i == 0),
                                                        config={"responsive": True})
                     for i, (title, f) in enumerate(map(_heading_apart, figs)))
    parts = [f"<h1>Fine-tuning advice: {e(_title(recs, rec, analysis))}</h1>",
             f"<p><em>Prices as of {e(str(rec.options.attrs.get('as_of')))}; generated {today()}.</em></p>",
             f"<p><b>Note:</b> {e(sec['baseline_note'])}</p>" if sec["baseline_note"] else "",
             "<h2>Why</h2><ul>" + "".join(f"<li><b>{e(w)}:</b> {e(t)}</li>" for w, t in sec["why"]) + "</ul>"]
    if sec["checked"]:
        parts.append("<h3>What else was checked</h3><ul>" + "".join(f"<li>{e(t)}</li>" for t in sec["checked"])
                     + "</ul>")
    parts.append("<h2>Key figures</h2>" + table(sec["key"]))
    if sec["bill"]:
        parts.append(f"<h2>The whole bill</h2><p>{e(sec['bill_sentence'])}</p>" + table(sec["bill"]))
    if sec["tasks"]:
        parts.append("<h2>Per task</h2>" + table(sec["tasks"]))
    parts += ["<h2>Charts</h2>" + charts, "<h2>Options</h2>" + table(sec["options"]),
              "<h2>Inputs</h2>" + table(sec["inputs"])]
    if sec["assumptions"]:
        parts.append("<h2>Assumptions</h2><ul>" + "".join(f"<li>{html_prose(a)}</li>" for a in sec["assumptions"])
                     + "</ul>")
    parts.append("<h2>Prices used</h2>" + table(sec["prices"], links=True))
    return ("<!doctype html><html><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>finetune-advisor report</title><style>{_STYLE}</style></head><body>{''.join(parts)}</body></html>")


def write_report(path: str | Path, recs: dict[str, Recommendation] | Recommendation, *,
                 frame: pd.DataFrame | None = None, notes: Sequence[str] = ()) -> Path:
    """Write ``.md`` or ``.html`` (chosen by the suffix), in the command line's wording."""
    path = Path(path)
    if isinstance(recs, Recommendation):
        recs = {WHOLE_LOG: recs}
    if path.suffix.lower() in (".md", ".markdown"):
        text = render_markdown(recs, notes, cli=True)
    elif path.suffix.lower() in (".html", ".htm"):
        try:
            text = render_html(recs, notes, frame, cli=True)
        except ImportError:
            raise AdvisorError("an HTML report needs plotly: pip install -e '.[app]' (or write .md)") from None
    else:
        raise AdvisorError(f"{path}: write the report as .md or .html")
    try:
        write_atomically(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    except OSError as exc:
        raise AdvisorError(f"{path}: cannot write ({exc.strerror})") from None
    return path
