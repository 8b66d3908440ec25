"""Plot builders for the Equations & memory view: one unit's kept and written memory, and its memory horizon;
arrays in, plotly Figure out (no gradio, no torch). The cell diagram is SVG: `cell_diagram.py`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from playground.plots.style import (
    GATE_COLORS,
    MUTED,
    SEQUENTIAL,
    TEMPLATE,
    plot_text,
    unique_labels,
)


def memory_stack(
    words: Sequence[str],
    kept: np.ndarray,
    written: np.ndarray,
    cell: np.ndarray,
    title: str,
    words_text: Mapping[str, str] | None = None,
    step_unit: str = "word",
) -> go.Figure:
    """Per step, kept f_t·C_{t-1} and written i_t·C̃_t stacked (signed), with C_t as a line.
    `words_text`: the plot's own words (style.WORDS), e.g. translated; `step_unit`: "word" or "character",
    what a step reads (the hover's name for x)."""
    w = words_text
    step = plot_text(w, step_unit)
    x = unique_labels(words)
    fig = go.Figure()
    for name, values, color in (
        (plot_text(w, "kept"), kept, GATE_COLORS["f"]),
        (plot_text(w, "written"), written, GATE_COLORS["i"]),
    ):
        fig.add_trace(
            go.Bar(
                x=x,
                y=np.asarray(values, dtype=np.float64),
                name=name,
                marker_color=color,
                opacity=0.85,
                hovertemplate=f"{step}: %{{x}}<br>{name}: %{{y:.4f}}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=np.asarray(cell, dtype=np.float64),
            name=plot_text(w, "cell_line"),
            mode="lines+markers",
            line=dict(color=GATE_COLORS["c"], width=3),
            marker=dict(size=8),
            hovertemplate=f"{step}: %{{x}}<br>C<sub>t</sub>: %{{y:.4f}}<extra></extra>",
        )
    )
    fig.update_layout(template=TEMPLATE, barmode="relative", title=title, height=460, margin=dict(t=100))
    fig.update_xaxes(type="category", tickangle=-40, tickfont=dict(size=16))
    fig.update_yaxes(zeroline=True, zerolinecolor=MUTED, title=plot_text(w, "cell_value"))
    return fig


def horizon_heatmap(
    words: Sequence[str], horizon: np.ndarray, title: str, words_text: Mapping[str, str] | None = None
) -> go.Figure:
    """S[s, t]: how much of what was written at step s (row) is left at step t (column), 0..1.
    `words_text`: the plot's own words (style.WORDS), e.g. translated."""
    w = words_text
    labels = unique_labels(words)
    z = np.asarray(horizon, dtype=np.float64)
    fig = go.Figure(
        go.Heatmap(
            z=np.where(np.isnan(z), None, z).tolist(),
            x=labels,
            y=labels,
            colorscale=SEQUENTIAL,
            zmin=0.0,
            zmax=1.0,
            colorbar=dict(thickness=16, tickfont=dict(size=16)),
            hovertemplate="written at: %{y}<br>left at: %{x}<br>share: %{z:.3f}<extra></extra>",
        )
    )
    fig.update_layout(template=TEMPLATE, title=title, height=520)
    fig.update_xaxes(type="category", tickangle=-40, title=plot_text(w, "left_at"), showgrid=False)
    fig.update_yaxes(type="category", autorange="reversed", title=plot_text(w, "written_at"), showgrid=False)
    return fig
