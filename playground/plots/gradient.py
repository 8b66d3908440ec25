"""Plots of the Gradient-flow view: data in, plotly Figure out. g(d), the gradient norm at distance d,
on log-log axes: one prompt's curves and the averaged curves shipped with the models."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from playground.plots.style import TEMPLATE, text_label


def _log_axes(fig: go.Figure, ytitle: str) -> None:
    fig.update_xaxes(type="log", title="distance back from the predicted word (words, log scale)")
    fig.update_yaxes(type="log", title=ytitle, exponentformat="power")


def prompt_flow(target: str, series: Sequence[tuple[str, Sequence[float], Sequence[str], str]]) -> go.Figure:
    """g(d) for the prompt: one line per model (name, values by distance, word at each distance, colour)."""
    fig = go.Figure()
    for name, values, words, color in series:
        distance = list(range(1, len(values) + 1))
        fig.add_trace(
            go.Scatter(
                x=distance,
                y=[max(float(v), 1e-30) for v in values],
                customdata=[text_label(w) for w in words],
                mode="lines+markers",
                name=name,
                line=dict(color=color, width=3),
                marker=dict(size=7),
                hovertemplate=f"{name}<br>%{{x}} back: '%{{customdata}}'<br>‖∂ log p / ∂x‖ = %{{y:.3g}}"
                "<extra></extra>",
            )
        )
    title = f"How much predicting '{text_label(target)}' depends on each earlier word"
    fig.update_layout(template=TEMPLATE, title=title, height=470, hovermode="closest")
    _log_axes(fig, "gradient norm")
    return fig


def averaged_flow(series: Sequence[tuple[str, dict, str]]) -> go.Figure:
    """The shipped average over held-out snippets: the median line and the 10–90% band per model."""
    fig = go.Figure()
    for name, flow, color in series:
        d = list(flow["distance"])
        fig.add_trace(
            go.Scatter(
                x=d + d[::-1],
                y=list(flow["q90"]) + list(flow["q10"])[::-1],
                mode="lines",
                fill="toself",
                fillcolor=_rgba(color, 0.15),
                line=dict(width=0),
                hoverinfo="skip",
                showlegend=False,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=d,
                y=flow["median"],
                mode="lines",
                name=name,
                line=dict(color=color, width=3),
                hovertemplate=f"{name}<br>%{{x}} words back: median %{{y:.3g}}<extra></extra>",
            )
        )
    first = series[0][1] if series else {"snippets": 0, "length": 0, "source": ""}
    source = f" from {first['source']}" if first.get("source") else ""
    title = f"Averaged over {first['snippets']} snippets of {first['length']} words{source}: median, 10–90%"
    fig.update_layout(
        template=TEMPLATE,
        title=title,
        height=470,
    )
    _log_axes(fig, "gradient norm (median over snippets)")
    return fig


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"
