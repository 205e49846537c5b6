"""Plotly figure builders: computed data in, ``plotly.graph_objects.Figure`` out.

Pure (no I/O, no Streamlit, no arithmetic beyond placing marks), shared by the dashboard, the
report and notebooks. Plotly is the ``app`` extra: importing this module needs it, importing
``advisor`` does not.

Conventions: ``colours`` maps every option to one colour used by every chart; hover texts carry
units; marks on log axes are placed in log10 coordinates (Plotly's rule for annotations on log
axes); the legend sits above the plot so it never covers an axis title on a narrow screen.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from advisor.words import months_text
from advisor.workload import DAYS_PER_MONTH

__all__ = ["cost_vs_volume", "cumulative_cost", "latency_comparison", "token_distributions", "tornado_chart",
           "savings_histogram", "traffic_profile", "ending_label", "end_month"]

_BASE = "#b2182b"
# No template here: Streamlit applies its theme, and a template costs ~10 ms of JSON per figure;
# callers that want one (the HTML report) set it on the figure.
_LAYOUT: dict[str, Any] = dict(margin=dict(l=10, r=10, t=60, b=10), hoverlabel=dict(namelength=-1),
               legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, xanchor="left", title_text=""),
               height=420)


def _usd(x: float) -> str:
    a = abs(x)
    s = f"${a / 1e6:,.1f}M" if a >= 1e6 else f"${a / 1e3:,.0f}k" if a >= 1e5 else f"${a:,.0f}"
    return ("−" if x < 0 else "") + s


def _colour(colours: Mapping[str, str] | None, name: str, baseline: str | None = None) -> str | None:
    if colours and name in colours:
        return colours[name]
    return _BASE if name == baseline else None


def _figure(traces: list[dict], title: str | None, *, xaxis: dict | None = None, yaxis: dict | None = None,
            shapes: Sequence[dict] = (), annotations: Sequence[dict] = (), margin: dict | None = None,
            **layout) -> go.Figure:
    """One validated figure built in one step (a few ms; incremental updates cost several times more).
    With ``margin`` the axes get fixed margins instead of Plotly's automargin, which lays the chart out
    twice in the browser (~15 ms instead of ~35 ms per draw); give it only where every tick label's
    width is known (see :func:`_decade_ticks`)."""
    auto = margin is None
    lay = {**_LAYOUT, **layout, "xaxis": {"automargin": auto, **(xaxis or {})},
           "yaxis": {"automargin": auto, **(yaxis or {})}, "shapes": list(shapes), "annotations": list(annotations)}
    lay["margin"] = {**_LAYOUT["margin"], **(margin or {})}
    if title:
        lay["title"] = {"text": title, "y": 0.98, "yanchor": "top"}
        lay["margin"]["t"] = 90
    return go.Figure(data=traces, layout=lay)


_SI = ((1e9, "B"), (1e6, "M"), (1e3, "k"))


_RECOMMENDED_WIDTH = 3.5   # the recommended option's line: on top of the others and thicker, never hidden under one


def ending_label(ends: Mapping[str, str], name: str) -> str:
    """The legend's mark of an option that stops serving within the horizon.

    >>> ending_label({"gpt-4o-mini": "2027-01-14"}, "gpt-4o-mini"), ending_label({}, "x")
    (' · ends 2027-01-14', '')
    """
    return f" · ends {ends[name]}" if name in ends else ""


def end_month(as_of: str | None, until: str | None) -> int | None:
    """The last month (1-based, as in the cumulative curves) an option serves when it stops on ``until``, counted
    from ``as_of`` in months of 30.4167 days: ``floor(days / 30.4167)``, at least 0.

    >>> end_month("2026-12-06", "2027-01-14")   # 39 days: month 1 is its last whole month
    1
    >>> end_month("2026-12-06", "2026-10-23"), end_month(None, "2027-01-14")
    (0, None)
    """
    if not as_of or not until:
        return None
    days = (dt.date.fromisoformat(until) - dt.date.fromisoformat(as_of)).days
    return max(0, int(days // DAYS_PER_MONTH))


def _short(x: float) -> str:
    """A power of ten for a tick label, never Plotly's SI ``m`` (milli reads as million on a money axis).

    >>> [_short(x) for x in (0.01, 0.1, 1, 10, 1000, 100_000, 1e6, 1e9)]
    ['0.01', '0.1', '1', '10', '1k', '100k', '1M', '1B']
    """
    for size, suffix in _SI:
        if x >= size:
            return f"{x / size:g}{suffix}"
    return f"{x:g}"


def _decade_ticks(lo: float, hi: float, prefix: str = "") -> tuple[list[float], list[str]]:
    """Tick values and labels at every power of ten from ``lo`` to ``hi`` (a log axis).

    >>> _decade_ticks(0.05, 2_000, "$")
    ([0.01, 0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0], ['$0.01', '$0.1', '$1', '$10', '$100', '$1k', '$10k'])
    """
    k0, k1 = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    vals = [float(10.0 ** k) for k in range(k0, k1 + 1)]
    return vals, [prefix + _short(v) for v in vals]


def _margin_for(y_labels: list[str]) -> dict:
    """Fixed margins that fit the longest y tick label (~7 px a character at 12 px), the rotated
    y title, and the x ticks and title below."""
    return {"l": 30 + 7 * max(map(len, y_labels), default=1), "b": 50}


def _vline(x: float, **line) -> dict:
    """A vertical line across the plot (linear x axes only)."""
    return {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
            "line": {"width": 1.5, **line}}


def _label(x: float, text: str, *, xanchor: str = "center", y: float = 1.0) -> dict:
    return {"x": x, "xref": "x", "y": y, "yref": "paper", "yanchor": "bottom", "xanchor": xanchor, "text": text,
            "showarrow": False, "font": {"size": 12}}


def _shown(ranking: pd.Series, baseline: str, max_shown: int) -> set[str]:
    """The baseline and the ``max_shown - 1`` options ranked first (smallest value); the rest are left
    out so the legend stays short on a phone."""
    order = ranking.drop(labels=[baseline], errors="ignore").sort_values(kind="stable")
    return {baseline, *order.index[:max(max_shown - 1, 0)]}


def cost_vs_volume(sweep: pd.DataFrame, *, baseline: str, break_evens: Mapping[str, float | None] | None = None,
                   current_requests_per_day: float | None = None, colours: Mapping[str, str] | None = None,
                   max_shown: int = 5, always: tuple[str, ...] = (), title: str | None = None,
                   horizon_months: int | None = None, growth_per_month: float = 0.0,
                   ends: Mapping[str, str] | None = None) -> go.Figure:
    """Monthly cost per option over requests/day (log-log), break-evens as diamonds in each line's
    colour, your volume as a dotted line labelled at the top. The baseline and the ``max_shown - 1``
    options cheapest at your volume are drawn (every option is in the options table); ``always`` (the
    recommended option) is drawn whatever its rank, thicker and on top of the others.

    With ``horizon_months`` the sweep is all-in (``sweep(..., metric="usd_per_month_all_in")``: the
    one-off spread over the horizon), so each diamond sits where its line crosses the baseline's, and
    the axis says so; with ``growth_per_month`` the volume axis is today's volume and the cost an
    average over the growing months. ``ends`` (name -> ISO date): options that stop serving within the horizon,
    named with their date in the legend and drawn dotted (never the recommendation)."""
    x = sweep.index.to_numpy(dtype=float)
    ends = ends or {}
    per = f" all-in ({months_text(horizon_months)})" if horizon_months else ""
    grows = bool(horizon_months and growth_per_month)
    # short enough for a phone's 420 px tall chart; the heading above it says over how many months
    y_title = ("USD per month" + (", all-in" if horizon_months else "") + (", averaged" if grows else "")
               + " (log scale)")
    x_title = "requests per day today (log scale)" if grows else "requests per day (log scale)"
    at = float(current_requests_per_day) if current_requests_per_day else float(np.sqrt(x[0] * x[-1]))
    idx = int(np.argmin(np.abs(np.log(x) - np.log(at))))
    shown = _shown(sweep.iloc[idx], baseline, max_shown) | (set(always) & set(sweep.columns))
    traces, notes = [], []
    for rank, name in sorted(enumerate(sweep.columns), key=lambda p: p[1] in always):   # recommended on top
        if name not in shown:
            continue
        base = name == baseline
        traces.append(dict(
            type="scatter", x=x, y=sweep[name].to_numpy(float), mode="lines",
            name=name + (" (today)" if base else "") + ending_label(ends, name),
            legendgroup=name, legendrank=1000 + rank,
            line=dict(width=4 if base else _RECOMMENDED_WIDTH if name in always else 2,
                      color=_colour(colours, name, baseline),
                      dash="dash" if base else "dot" if name in ends else "solid"),
            hovertemplate=f"<b>{name}</b><br>%{{x:,.0f}} requests/day<br>%{{y:$,.0f}} per month{per}<extra></extra>"))
    for name, be in (break_evens or {}).items():
        if be is None or not np.isfinite(be) or be <= 0 or name not in shown or not x[0] <= be <= x[-1]:
            continue
        y = float(np.exp(np.interp(np.log(be), np.log(x), np.log(np.maximum(sweep[name].to_numpy(float), 1e-9)))))
        traces.append(dict(
            type="scatter", x=[be], y=[y], mode="markers", name=f"break-even {name}", showlegend=False,
            legendgroup=name,
            marker=dict(size=12, symbol="diamond", color=_colour(colours, name, baseline),
                        line=dict(width=1, color="black")),
            hovertemplate=f"<b>{name}</b><br>break-even at %{{x:,.0f}} requests/day<br>%{{y:$,.0f}} per month{per}"
                          "<extra></extra>"))
    if current_requests_per_day and current_requests_per_day > 0:
        v = float(current_requests_per_day)
        y = sweep.to_numpy(float)
        y = y[np.isfinite(y) & (y > 0)]
        lo, hi = (float(y.min()), float(y.max())) if y.size else (1.0, 10.0)
        traces.append(dict(type="scatter", x=[v, v], y=[lo, hi], mode="lines", name="your volume", showlegend=False,
                           line=dict(color="#444", dash="dot", width=1.5),
                           hovertemplate=f"your volume: {v:,.0f} requests/day<extra></extra>"))
        # annotations on a log axis take log10 coordinates
        notes.append(dict(x=math.log10(v), y=1, yref="paper", yanchor="top", xanchor="left", xshift=4,
                          text=f"your volume<br>{v:,.0f}/day", align="left", showarrow=False, font=dict(size=12),
                          bgcolor="rgba(255,255,255,0.8)"))
    y = sweep.to_numpy(float)
    y = y[np.isfinite(y) & (y > 0)]
    xt, xl = _decade_ticks(x[0], x[-1])
    yt, yl = _decade_ticks(float(y.min()), float(y.max()), "$") if y.size else ([1.0], ["$1"])
    return _figure(traces, title, annotations=notes, margin=_margin_for(yl),
                   xaxis=dict(title=dict(text=x_title), type="log", tickvals=xt, ticktext=xl,
                              range=[math.log10(x[0]), math.log10(x[-1])]),
                   yaxis=dict(title=dict(text=y_title), type="log", tickvals=yt, ticktext=yl))


def cumulative_cost(curves: pd.DataFrame, *, baseline: str, payback: Mapping[str, int | None] | None = None,
                    colours: Mapping[str, str] | None = None, max_shown: int = 4,
                    title: str | None = None, ends: Mapping[str, str] | None = None,
                    as_of: str | None = None) -> go.Figure:
    """Cumulative savings against the baseline, month by month, one line per option (above zero =
    ahead); the payback month marked where the chosen option's line crosses zero. The ``max_shown``
    options furthest ahead at the end are drawn (and always the one whose payback is marked). ``ends`` (name ->
    ISO date): options that stop serving within the horizon, named with their date, drawn dotted and cut at the
    month they stop (counted from ``as_of``, :func:`end_month`) with a mark there."""
    months = curves.index.to_numpy()
    ends = ends or {}
    shown = _shown(curves.iloc[-1], baseline, max_shown + 1) | set(payback or ())
    traces, notes = [], []
    chosen = set(payback or ())
    for rank, name in sorted(enumerate(curves.columns), key=lambda p: p[1] in chosen):   # the chosen one on top
        if name == baseline or name not in shown:
            continue
        y = (curves[baseline] - curves[name]).to_numpy(float)
        stop = end_month(as_of, ends.get(name)) if name in ends else None
        if stop is not None:
            y = np.where(months <= stop, y, np.nan)   # no savings to count once it no longer serves
            notes.append(dict(x=min(stop, int(months[-1])), y=float(y[min(stop, len(y)) - 1]) if stop >= 1 else 0.0,
                              text=f"{name} stops {ends[name]}", showarrow=True, arrowhead=1, ax=0, ay=-35,
                              font=dict(size=11), bgcolor="rgba(255,255,255,0.8)"))
        traces.append(dict(
            type="scatter", x=months, y=y, mode="lines+markers",
            name=name + ending_label(ends, name), legendrank=1000 + rank, marker=dict(size=7 if name in chosen else 5),
            line=dict(width=_RECOMMENDED_WIDTH if name in chosen else 2, color=_colour(colours, name),
                      dash="dot" if name in ends else "solid"),
            hovertemplate=f"<b>{name}</b><br>month %{{x}}<br>%{{y:$,.0f}} saved so far vs {baseline}<extra></extra>"))
    for name, m in (payback or {}).items():
        if m is not None and name in curves.columns and m in curves.index:
            y = float(curves.loc[m, baseline] - curves.loc[m, name])
            text = "pays back in the first month" if m == 1 else f"pays back in month {m:.0f}"
            notes.append(dict(x=m, y=y, text=text,
                              # below the zero line, where the lines ahead are not (above it they ran through it)
                              showarrow=True, arrowhead=2, ax=60, ay=45, bgcolor="rgba(255,255,255,0.8)"))
    zero = {"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": 0, "y1": 0,
            "line": {"color": _BASE, "width": 1.5}}
    return _figure(traces, title, shapes=[zero], annotations=notes,
                   xaxis=dict(title=dict(text="month"), dtick=1 if len(months) <= 12 else 3,
                              range=[0.5, months[-1] + 0.5] if len(months) else None),
                   yaxis=dict(title=dict(text=f"USD saved vs {baseline} (cumulative)"), tickformat="$,.0f"))


def latency_comparison(options: pd.DataFrame, *, colours: Mapping[str, str] | None = None,
                       title: str | None = None) -> go.Figure:
    """End-to-end seconds per option as horizontal bars in each option's colour, time to first token
    as a black tick on each bar (unknown values left out, not drawn as zero)."""
    df = options.dropna(subset=["e2e_s"]).iloc[::-1]
    names = df["name"].tolist()
    traces = [
        dict(type="bar", y=names, x=df["e2e_s"].to_numpy(float), orientation="h", name="end to end (s)",
             marker=dict(color=[_colour(colours, n) or "#888" for n in names]),
             hovertemplate="<b>%{y}</b><br>end to end %{x:.2f} s<extra></extra>"),
        dict(type="scatter", y=names, x=df["ttft_s"].to_numpy(float), mode="markers", name="time to first token (s)",
             marker=dict(symbol="line-ns-open", size=18, color="black", line=dict(width=3, color="black")),
             hovertemplate="<b>%{y}</b><br>first token after %{x:.2f} s<extra></extra>"),
    ]
    return _figure(traces, title, xaxis=dict(title=dict(text="seconds per request")),
                   height=max(260, 40 * len(names) + 140))


def token_distributions(summary: pd.DataFrame, *, colours: Mapping[str, str] | None = None,
                        title: str | None = None) -> go.Figure:
    """Box plots per task from ``advisor.workload.token_summary`` (whiskers at p5 and p95)."""
    traces = []
    for kind, colour in (("prompt", "#4c78a8"), ("completion", "#f58518")):
        s = summary[summary["kind"] == kind]
        traces.append(dict(type="box", x=s["task"].tolist(), q1=s["p25"].tolist(), median=s["p50"].tolist(),
                           q3=s["p75"].tolist(), lowerfence=s["p5"].tolist(), upperfence=s["p95"].tolist(),
                           mean=s["mean"].tolist(), name=f"{kind} tokens", marker=dict(color=colour), hoverinfo="y"))
    return _figure(traces, title, boxmode="group",
                   yaxis=dict(title=dict(text="tokens per request (p5–p95, log scale)"), type="log",
                              tickformat=",.0f"))


def tornado_chart(tornado: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Horizontal bars from the base savings to savings at each input's low and high (inputs that
    move nothing are left out)."""
    base = float(tornado.attrs.get("base_savings_usd", 0.0))
    df = tornado[tornado["swing"] > max(abs(base), 1.0) * 1e-6].iloc[::-1]
    traces = [
        dict(type="bar", y=df["input"].tolist(), x=(df[f"savings_{end}"] - base).to_numpy(float), base=base,
             orientation="h", name=f"input at its {end}", marker=dict(color=colour),
             customdata=df[f"{end}_value"].to_numpy(float),
             hovertemplate="<b>%{y}</b> ×%{customdata}<br>savings %{x:$,.0f}<extra></extra>")
        for end, colour in (("low", "#d6604d"), ("high", "#4393c3"))]
    # the expected savings as a legend entry of the dotted line, not a label above the plot, where the
    # legend sits too (they overlapped on a phone)
    traces.append(dict(type="scatter", x=[None], y=[None], mode="lines", name=f"expected {_usd(base)}",
                       line=dict(dash="dot", color="#444"), hoverinfo="skip"))
    return _figure(traces, title, barmode="overlay", height=max(260, 45 * len(df) + 150),
                   shapes=[_vline(base, dash="dot", color="#444"), _vline(0, color="black")],
                   xaxis=dict(title=dict(text="savings over the horizon (USD)"), tickformat="$,.0f"))


def savings_histogram(savings: np.ndarray, *, p10: float, p50: float, p90: float, p_pays_off: float,
                      title: str | None = None) -> go.Figure:
    counts, edges = np.histogram(savings, bins=60)
    mid = (edges[:-1] + edges[1:]) / 2
    bars = dict(type="bar", x=mid, y=counts, width=np.diff(edges), name="simulated futures",
                marker=dict(color=np.where(mid >= 0, "#4393c3", "#d6604d").tolist()),
                hovertemplate="savings %{x:$,.0f}<br>%{y} of the futures<extra></extra>")
    marks = ((p10, "P10", "right"), (p50, "P50", "center"), (p90, "P90", "left"))
    return _figure([bars], title, showlegend=False,
                   shapes=[_vline(v, dash="dash", color="#444") for v, _, _ in marks] + [_vline(0, color=_BASE)],
                   annotations=[_label(v, f"{lab} {_usd(v)}", xanchor=a) for v, lab, a in marks],
                   xaxis=dict(title=dict(text="USD saved over the horizon"),
                              tickformat="$,.0f"),
                   yaxis=dict(title=dict(text="simulated futures")))


def traffic_profile(hourly: pd.DataFrame, *, colours: Mapping[str, str] | None = None,
                    title: str | None = None) -> go.Figure:
    """Stacked bars from ``advisor.workload.hourly_requests``."""
    traces = [dict(type="bar", x=hourly.index.tolist(), y=hourly[c].to_numpy(float), name=str(c),
                   marker=dict(color=_colour(colours, str(c))),
                   hovertemplate=f"<b>{c}</b><br>%{{x}}:00 UTC<br>%{{y:,.0f}} requests<extra></extra>")
              for c in hourly.columns]
    return _figure(traces, title, barmode="stack", xaxis=dict(title=dict(text="hour of day (UTC)"), dtick=3),
                   yaxis=dict(title=dict(text="requests logged")))
