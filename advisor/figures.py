"""Plotly figure builders: computed data in, ``plotly.graph_objects.Figure`` out.

Pure (no I/O, no Streamlit, no arithmetic beyond placing marks), shared by the dashboard, the
report and notebooks. Plotly is the ``app`` extra: importing this module needs it, importing
``advisor`` does not.

Conventions: ``colours`` maps every option to one colour used by every chart; hover texts carry
units; marks on log axes are placed in log10 coordinates (Plotly's rule for annotations on log
axes); the legend sits above the plot so it never covers an axis title on a narrow screen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

__all__ = ["cost_vs_volume", "cumulative_cost", "latency_comparison", "token_distributions", "tornado_chart",
           "savings_histogram", "traffic_profile"]

_BASE = "#b2182b"
# No template here: Streamlit applies its theme, and a template costs ~10 ms of JSON per figure;
# callers that want one (the HTML report) set it on the figure.
_LAYOUT = dict(margin=dict(l=10, r=10, t=60, b=10), hoverlabel=dict(namelength=-1),
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


def _layout(fig: go.Figure, title: str | None, **kw) -> go.Figure:
    fig.update_layout(**{**_LAYOUT, **kw})
    if title:
        fig.update_layout(title=dict(text=title, y=0.98, yanchor="top"), margin=dict(t=90))
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _shown(ranking: pd.Series, baseline: str, max_shown: int) -> set[str]:
    """The baseline and the ``max_shown - 1`` options ranked first (smallest value); the rest start
    hidden (a click on the legend shows them)."""
    order = ranking.drop(labels=[baseline], errors="ignore").sort_values(kind="stable")
    return {baseline, *order.index[:max(max_shown - 1, 0)]}


def cost_vs_volume(sweep: pd.DataFrame, *, baseline: str, break_evens: Mapping[str, float | None] | None = None,
                   current_requests_per_day: float | None = None, colours: Mapping[str, str] | None = None,
                   max_shown: int = 6, title: str | None = None) -> go.Figure:
    """Monthly cost per option over requests/day (log-log), break-evens as diamonds in each line's
    colour, your volume as a dotted line labelled at the top. The baseline and the options cheapest
    at your volume are drawn; the others start hidden in the legend."""
    fig = go.Figure()
    x = sweep.index.to_numpy(dtype=float)
    at = float(current_requests_per_day) if current_requests_per_day else float(np.sqrt(x[0] * x[-1]))
    idx = int(np.argmin(np.abs(np.log(x) - np.log(at))))
    shown = _shown(sweep.iloc[idx], baseline, max_shown)
    for name in sweep.columns:
        base = name == baseline
        fig.add_trace(go.Scatter(
            x=x, y=sweep[name], mode="lines", name=name + (" (today)" if base else ""), legendgroup=name,
            visible=True if name in shown else "legendonly",
            line=dict(width=4 if base else 2, color=_colour(colours, name, baseline), dash="dash" if base else "solid"),
            hovertemplate=f"<b>{name}</b><br>%{{x:,.0f}} requests/day<br>%{{y:$,.0f}} per month<extra></extra>"))
    for name, be in (break_evens or {}).items():
        if be is None or not np.isfinite(be) or be <= 0 or name not in sweep.columns or not x[0] <= be <= x[-1]:
            continue
        y = float(np.exp(np.interp(np.log(be), np.log(x), np.log(np.maximum(sweep[name].to_numpy(float), 1e-9)))))
        fig.add_trace(go.Scatter(
            x=[be], y=[y], mode="markers", name=f"break-even {name}", showlegend=False, legendgroup=name,
            visible=True if name in shown else "legendonly",
            marker=dict(size=12, symbol="diamond", color=_colour(colours, name, baseline),
                        line=dict(width=1, color="black")),
            hovertemplate=f"<b>{name}</b><br>break-even at %{{x:,.0f}} requests/day<br>%{{y:$,.0f}} per month"
                          "<extra></extra>"))
    if current_requests_per_day and current_requests_per_day > 0:
        v = float(current_requests_per_day)
        y = sweep.to_numpy(float)
        y = y[np.isfinite(y) & (y > 0)]
        lo, hi = (float(y.min()), float(y.max())) if y.size else (1.0, 10.0)
        fig.add_trace(go.Scatter(x=[v, v], y=[lo, hi], mode="lines", line=dict(color="#444", dash="dot", width=1.5),
                                 name="your volume", showlegend=False,
                                 hovertemplate=f"your volume: {v:,.0f} requests/day<extra></extra>"))
        # annotations on a log axis take log10 coordinates
        fig.add_annotation(x=math.log10(v), y=1, yref="paper", yanchor="top", xanchor="left", xshift=4,
                           text=f"your volume<br>{v:,.0f}/day", align="left", showarrow=False, font=dict(size=12),
                           bgcolor="rgba(255,255,255,0.8)")
    _layout(fig, title, xaxis_title="requests per day (log scale)", yaxis_title="USD per month (log scale)")
    fig.update_xaxes(type="log", range=[math.log10(x[0]), math.log10(x[-1])], dtick=1, tickformat="~s")
    fig.update_yaxes(type="log", dtick=1, tickformat="$~s")
    return fig


def cumulative_cost(curves: pd.DataFrame, *, baseline: str, payback: Mapping[str, int | None] | None = None,
                    colours: Mapping[str, str] | None = None, max_shown: int = 5,
                    title: str | None = None) -> go.Figure:
    """Cumulative savings against the baseline, month by month, one line per option (above zero =
    ahead); the payback month marked where the chosen option's line crosses zero. The options
    furthest ahead at the end are drawn; the others start hidden in the legend."""
    fig = go.Figure()
    months = curves.index.to_numpy()
    shown = _shown(curves.iloc[-1], baseline, max_shown + 1) | set(payback or ())
    for name in curves.columns:
        if name == baseline:
            continue
        saved = curves[baseline] - curves[name]
        fig.add_trace(go.Scatter(
            x=months, y=saved, mode="lines+markers", name=name, line=dict(width=2, color=_colour(colours, name)),
            visible=True if name in shown else "legendonly",
            marker=dict(size=5),
            hovertemplate=f"<b>{name}</b><br>month %{{x}}<br>%{{y:$,.0f}} saved so far vs {baseline}<extra></extra>"))
    fig.add_hline(y=0, line_color=_BASE, line_width=1.5)
    for name, m in (payback or {}).items():
        if m is not None and name in curves.columns and m in curves.index:
            y = float(curves.loc[m, baseline] - curves.loc[m, name])
            fig.add_annotation(x=m, y=y, text="pays back in the first month" if m == 1 else f"pays back in month {m}",
                               showarrow=True, arrowhead=2, ax=40, ay=-40, bgcolor="rgba(255,255,255,0.8)")
    _layout(fig, title, xaxis_title="month", yaxis_title=f"USD saved vs {baseline} (cumulative)")
    fig.update_xaxes(dtick=1 if len(months) <= 12 else 3, range=[0.5, months[-1] + 0.5] if len(months) else None)
    fig.update_yaxes(tickformat="$,.0f")
    return fig


def latency_comparison(options: pd.DataFrame, *, colours: Mapping[str, str] | None = None,
                       title: str | None = None) -> go.Figure:
    """End-to-end seconds per option as horizontal bars in each option's colour, time to first token
    as a black tick on each bar (unknown values left out, not drawn as zero)."""
    df = options.dropna(subset=["e2e_s"]).iloc[::-1]
    names = df["name"].tolist()
    fig = go.Figure([
        go.Bar(y=names, x=df["e2e_s"], orientation="h", name="end to end (s)",
               marker_color=[_colour(colours, n) or "#888" for n in names],
               hovertemplate="<b>%{y}</b><br>end to end %{x:.2f} s<extra></extra>"),
        go.Scatter(y=names, x=df["ttft_s"], mode="markers", name="time to first token (s)",
                   marker=dict(symbol="line-ns-open", size=18, color="black", line=dict(width=3, color="black")),
                   hovertemplate="<b>%{y}</b><br>first token after %{x:.2f} s<extra></extra>"),
    ])
    _layout(fig, title, xaxis_title="seconds per request", height=max(260, 40 * len(names) + 140))
    return fig


def token_distributions(summary: pd.DataFrame, *, colours: Mapping[str, str] | None = None,
                        title: str | None = None) -> go.Figure:
    """Box plots per task from ``advisor.workload.token_summary`` (whiskers at p5 and p95)."""
    fig = go.Figure()
    for kind, colour in (("prompt", "#4c78a8"), ("completion", "#f58518")):
        s = summary[summary["kind"] == kind]
        fig.add_trace(go.Box(x=s["task"], q1=s["p25"], median=s["p50"], q3=s["p75"], lowerfence=s["p5"],
                             upperfence=s["p95"], mean=s["mean"], name=f"{kind} tokens", marker_color=colour,
                             hoverinfo="y"))
    _layout(fig, title, boxmode="group", yaxis_title="tokens per request (p5–p95, log scale)")
    fig.update_yaxes(type="log", tickformat=",.0f")
    return fig


def tornado_chart(tornado: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Horizontal bars from the base savings to savings at each input's low and high (inputs that
    move nothing are left out)."""
    base = tornado.attrs.get("base_savings_usd", 0.0)
    df = tornado[tornado["swing"] > max(abs(base), 1.0) * 1e-6].iloc[::-1]
    fig = go.Figure([
        go.Bar(y=df["input"], x=df["savings_low"] - base, base=base, orientation="h", name="input at its low",
               marker_color="#d6604d", customdata=df["low_value"],
               hovertemplate="<b>%{y}</b> ×%{customdata}<br>savings %{x:$,.0f}<extra></extra>"),
        go.Bar(y=df["input"], x=df["savings_high"] - base, base=base, orientation="h", name="input at its high",
               marker_color="#4393c3", customdata=df["high_value"],
               hovertemplate="<b>%{y}</b> ×%{customdata}<br>savings %{x:$,.0f}<extra></extra>"),
    ])
    fig.add_vline(x=base, line_dash="dot", annotation_text=f"expected {_usd(base)}", annotation_position="top")
    fig.add_vline(x=0, line_color="black")
    _layout(fig, title, barmode="overlay", xaxis_title="savings over the horizon (USD)",
            height=max(260, 45 * len(df) + 150))
    fig.update_xaxes(tickformat="$,.0f")
    return fig


def savings_histogram(savings: np.ndarray, *, p10: float, p50: float, p90: float, p_pays_off: float,
                      title: str | None = None) -> go.Figure:
    counts, edges = np.histogram(savings, bins=60)
    mid = (edges[:-1] + edges[1:]) / 2
    fig = go.Figure(go.Bar(x=mid, y=counts, width=np.diff(edges), name="simulated futures",
                           marker_color=np.where(mid >= 0, "#4393c3", "#d6604d"),
                           hovertemplate="savings %{x:$,.0f}<br>%{y} of the futures<extra></extra>"))
    for v, label, pos in ((p10, "P10", "top left"), (p50, "P50", "top"), (p90, "P90", "top right")):
        fig.add_vline(x=v, line_dash="dash", line_color="#444", annotation_text=f"{label} {_usd(v)}",
                      annotation_position=pos)
    fig.add_vline(x=0, line_color=_BASE)
    _layout(fig, title, xaxis_title="savings over the horizon (USD, baseline minus fine-tuned)",
            yaxis_title="simulated futures", showlegend=False)
    fig.update_xaxes(tickformat="$,.0f")
    return fig


def traffic_profile(hourly: pd.DataFrame, *, colours: Mapping[str, str] | None = None,
                    title: str | None = None) -> go.Figure:
    """Stacked bars from ``advisor.workload.hourly_requests``."""
    fig = go.Figure([go.Bar(x=hourly.index, y=hourly[c], name=str(c), marker_color=_colour(colours, str(c)),
                            hovertemplate=f"<b>{c}</b><br>%{{x}}:00 UTC<br>%{{y:,.0f}} requests<extra></extra>")
                     for c in hourly.columns])
    _layout(fig, title, barmode="stack", xaxis_title="hour of day (UTC)", yaxis_title="requests logged")
    fig.update_xaxes(dtick=3)
    return fig
