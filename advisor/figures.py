"""Plotly figure builders: computed data in, ``plotly.graph_objects.Figure`` out.

Pure (no I/O, no Streamlit), shared by the dashboard, the report and notebooks. Plotly is the
``app`` extra: importing this module needs it, importing ``advisor`` does not.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

__all__ = ["cost_vs_volume", "cumulative_cost", "latency_comparison", "token_distributions", "tornado_chart",
           "savings_histogram", "traffic_profile"]

_BASE = "#d62728"
# No template here: Streamlit applies its theme, and a template costs ~10 ms of JSON per figure;
# callers that want one (the HTML report) set it on the figure.
_LAYOUT = dict(margin=dict(l=60, r=20, t=50, b=50), legend=dict(orientation="h", y=-0.2))


def _usd(x: float) -> str:
    return f"${x:,.0f}"


def cost_vs_volume(sweep: pd.DataFrame, *, baseline: str, break_evens: Mapping[str, float | None] | None = None,
                   current_requests_per_day: float | None = None, title: str = "Cost per month vs volume") -> go.Figure:
    """Lines of monthly cost per option over requests/day (log-log), break-evens marked."""
    fig = go.Figure()
    x = sweep.index.to_numpy()
    for name in sweep.columns:
        fig.add_trace(go.Scatter(x=x, y=sweep[name], mode="lines", name=name,
                                 line=dict(width=4 if name == baseline else 2, color=_BASE if name == baseline else None,
                                           dash="solid" if name == baseline else None)))
    for name, be in (break_evens or {}).items():
        if be is None or not np.isfinite(be) or be <= 0 or name not in sweep.columns:
            continue
        y = float(np.interp(np.log(be), np.log(x), sweep[name]))
        fig.add_trace(go.Scatter(x=[be], y=[y], mode="markers", name=f"break-even {name}", showlegend=False,
                                 marker=dict(size=11, symbol="diamond", line=dict(width=1, color="black")),
                                 hovertemplate=f"{name}<br>break-even %{{x:,.0f}} req/day<extra></extra>"))
    if current_requests_per_day:
        fig.add_vline(x=current_requests_per_day, line_dash="dot", annotation_text="your volume")
    fig.update_layout(title=title, xaxis_title="requests per day", yaxis_title="USD per month", **_LAYOUT)
    fig.update_xaxes(type="log")
    fig.update_yaxes(type="log")
    return fig


def cumulative_cost(curves: pd.DataFrame, *, baseline: str, payback: Mapping[str, int | None] | None = None,
                    title: str = "Cumulative cost over the horizon") -> go.Figure:
    fig = go.Figure()
    for name in curves.columns:
        fig.add_trace(go.Scatter(x=curves.index, y=curves[name], mode="lines+markers", name=name,
                                 line=dict(width=4 if name == baseline else 2, color=_BASE if name == baseline else None)))
    for name, m in (payback or {}).items():
        if m is not None and name in curves.columns:
            fig.add_annotation(x=m, y=float(curves.loc[m, name]), text=f"{name}: pays back month {m}", showarrow=True)
    fig.update_layout(title=title, xaxis_title="month", yaxis_title="cumulative USD", **_LAYOUT)
    return fig


def latency_comparison(options: pd.DataFrame, *, title: str = "Latency per request") -> go.Figure:
    """Grouped bars of TTFT and end-to-end seconds per option (unknown values left out, not zero)."""
    df = options.dropna(subset=["e2e_s"])
    fig = go.Figure([
        go.Bar(name="time to first token (s)", x=df["name"], y=df["ttft_s"]),
        go.Bar(name="end to end (s)", x=df["name"], y=df["e2e_s"]),
    ])
    fig.update_layout(barmode="group", title=title, yaxis_title="seconds", **_LAYOUT)
    return fig


def token_distributions(summary: pd.DataFrame, *, title: str = "Tokens per request by task") -> go.Figure:
    """Box plots per task from ``advisor.workload.token_summary`` (whiskers at p5 and p95)."""
    fig = go.Figure()
    for kind in ("prompt", "completion"):
        s = summary[summary["kind"] == kind]
        fig.add_trace(go.Box(x=s["task"], q1=s["p25"], median=s["p50"], q3=s["p75"], lowerfence=s["p5"],
                             upperfence=s["p95"], mean=s["mean"], name=kind))
    fig.update_layout(boxmode="group", title=title, yaxis_title="tokens (API tokenizer), p5-p95", **_LAYOUT)
    fig.update_yaxes(type="log")
    return fig


def tornado_chart(tornado: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Horizontal bars from the base savings to savings at each input's low and high."""
    base = tornado.attrs.get("base_savings_usd", 0.0)
    df = tornado.iloc[::-1]
    fig = go.Figure([
        go.Bar(y=df["input"], x=df["savings_low"] - base, base=base, orientation="h", name="input at low",
               customdata=df["low_value"], hovertemplate="%{y} x%{customdata}: savings %{x:$,.0f}<extra></extra>"),
        go.Bar(y=df["input"], x=df["savings_high"] - base, base=base, orientation="h", name="input at high",
               customdata=df["high_value"], hovertemplate="%{y} x%{customdata}: savings %{x:$,.0f}<extra></extra>"),
    ])
    fig.add_vline(x=base, line_dash="dot")
    fig.add_vline(x=0, line_color="black")
    fig.update_layout(barmode="overlay", title=title or f"What moves the savings most ({tornado.attrs.get('option', '')})",
                      xaxis_title="savings over the horizon (USD)", **_LAYOUT)
    return fig


def savings_histogram(savings: np.ndarray, *, p10: float, p50: float, p90: float, p_pays_off: float,
                      title: str | None = None) -> go.Figure:
    counts, edges = np.histogram(savings, bins=60)
    fig = go.Figure(go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=counts, width=np.diff(edges), name="simulated futures"))
    for v, label in ((p10, "P10"), (p50, "P50"), (p90, "P90")):
        fig.add_vline(x=v, line_dash="dash", annotation_text=f"{label} {_usd(v)}")
    fig.add_vline(x=0, line_color=_BASE)
    fig.update_layout(title=title or f"Savings over the horizon: pays off in {p_pays_off:.0%} of futures",
                      xaxis_title="savings (USD, baseline minus fine-tuned)", yaxis_title="draws", **_LAYOUT)
    return fig


def traffic_profile(hourly: pd.DataFrame, *, title: str = "Requests by hour of day (UTC)") -> go.Figure:
    """Stacked bars from ``advisor.workload.hourly_requests``."""
    fig = go.Figure([go.Bar(x=hourly.index, y=hourly[c], name=str(c)) for c in hourly.columns])
    fig.update_layout(barmode="stack", title=title, xaxis_title="hour", yaxis_title="requests logged", **_LAYOUT)
    return fig
