"""Plot builders for the Counterfactual view: per position, how much each signal differs between two prompts;
arrays in, plotly Figure out (no gradio, no torch). Its bars are Intervene's (`intervene.py`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.plots.style import (
    GATE_COLORS,
    TEMPLATE,
    unique_labels,
)
from playground.text import words_in


def difference_lines(
    labels: Sequence[str],
    mean_abs: dict[str, np.ndarray],
    first_difference: int | None,
    title: str,
    lang: str = "en",
) -> go.Figure:
    """Per position, the mean over units of |B - A| of each gate, C and h (a GRU's r, z, n, h; a plain RNN's
    h); the first different word marked. Line names and axis in `lang` ('en' or 'zh')."""
    x = unique_labels(labels)
    names = {g: words_in(lang, f"cf.line.{g}") for g in "fiogchrzn"}
    fig = go.Figure()
    for g in [g for g in ("f", "i", "o", "g", "c", "r", "z", "n", "h") if g in mean_abs]:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=np.asarray(mean_abs[g], dtype=np.float64),
                name=names[g],
                mode="lines+markers",
                line=dict(color=GATE_COLORS[g], width=3, dash="dot" if g == "c" else "solid"),
                marker=dict(size=8),
                hovertemplate=f"{names[g]}<br>%{{x}}<br>mean |Δ|: %{{y:.4f}}<extra></extra>",
            )
        )
    if first_difference is not None and first_difference < len(x):
        fig.add_vline(x=first_difference, line=dict(color="#dc2626", width=2, dash="dash"))
        fig.add_annotation(
            x=x[first_difference], y=1.0, yref="paper", text=words_in(lang, "cf.first_difference"),
            showarrow=False, font=dict(size=16, color="#dc2626"), xanchor="left", yanchor="bottom",
        )  # fmt: skip
    fig.update_layout(template=TEMPLATE, title=title, height=480, margin=dict(t=110))
    fig.update_xaxes(type="category", tickangle=-30, tickfont=dict(size=17))
    fig.update_yaxes(title=words_in(lang, "cf.mean_abs"), rangemode="tozero")
    return fig
