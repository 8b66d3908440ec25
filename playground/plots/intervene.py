"""Plot builders for the Intervene, Equations and Counterfactual views: arrays in, plotly Figure out
(no gradio, no torch), in the style of `plots.py` (its template, colours and label escaping)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.plots.style import (
    ACCENT,
    GATE_COLORS,
    INK,
    MUTED,
    SEQUENTIAL,
    TEMPLATE,
    grouped_probability_bars,
    plot_text,
    text_label,
    unique_labels,
)

BEFORE_COLOR = "#94a3b8"  # the plain model: grey; the changed model: the accent colour
AFTER_COLOR = ACCENT


def before_after_bars(
    before: tuple[Sequence[str], Sequence[float]],
    after: tuple[Sequence[str], Sequence[float]],
    names: tuple[str, str] = ("without", "with"),
    title: str = "Next word",
) -> go.Figure:
    """Two top-k next-word charts side by side on one probability scale; a word new to the right is bold."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=names, horizontal_spacing=0.16)
    top = max([*before[1], *after[1], 0.01])
    known = set(before[0])
    for col, (words, probs), color in ((1, before, BEFORE_COLOR), (2, after, AFTER_COLOR)):
        labels = [text_label(w) if col == 1 or w in known else f"<b>{text_label(w)}</b>" for w in words]
        fig.add_trace(
            go.Bar(
                x=[float(p) for p in probs],
                y=labels,
                orientation="h",
                marker_color=color,
                text=[f"{p:.1%}" for p in probs],
                textposition="outside",
                cliponaxis=False,
                textfont=dict(size=16),
                showlegend=False,
                hovertemplate="%{y}: %{x:.2%}<extra></extra>",
            ),
            row=1,
            col=col,
        )
    n = max(len(before[0]), len(after[0]), 3)
    fig.update_layout(template=TEMPLATE, title=title, height=150 + 36 * n, bargap=0.25, margin=dict(t=100))
    fig.update_xaxes(range=[0, min(1.0, top * 1.3)], tickformat=".0%" if top >= 0.08 else ".1%")
    fig.update_yaxes(autorange="reversed", type="category", tickfont=dict(size=19))
    fig.update_annotations(font=dict(size=18, color=INK))
    return fig


def moved_bars(
    words: Sequence[str],
    before: Sequence[float],
    after: Sequence[float],
    names: tuple[str, str] = ("without", "with"),
    title: str = "Words that moved most",
) -> go.Figure:
    """Grouped bars per word, probability before (grey) and after (accent), the largest change on top."""
    labels = []
    for w, b, a in zip(words, before, after, strict=True):
        arrow = "▲" if a > b else "▼"
        labels.append(f"{text_label(w)} {arrow}")
    top = max([*before, *after, 0.01])
    series = [(names[0], before, BEFORE_COLOR), (names[1], after, AFTER_COLOR)]
    return grouped_probability_bars(
        labels,
        series,
        title,
        row_height=40,
        base_height=150,
        top_margin=100,
        tickformat=".0%" if top >= 0.08 else ".1%",
        label_size=19,
    )


def memory_stack(
    words: Sequence[str],
    kept: np.ndarray,
    written: np.ndarray,
    cell: np.ndarray,
    title: str,
    words_text: Mapping[str, str] | None = None,
) -> go.Figure:
    """Per step, kept f_t·C_{t-1} and written i_t·C̃_t stacked (signed), with C_t as a line.
    `words_text`: the plot's own words (plots.WORDS), e.g. translated."""
    w = words_text
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
                hovertemplate=f"word: %{{x}}<br>{name}: %{{y:.4f}}<extra></extra>",
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
            hovertemplate="word: %{x}<br>C<sub>t</sub>: %{y:.4f}<extra></extra>",
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
    `words_text`: the plot's own words (plots.WORDS), e.g. translated."""
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


def difference_lines(
    labels: Sequence[str], mean_abs: dict[str, np.ndarray], first_difference: int | None, title: str
) -> go.Figure:
    """Per position, the mean over units of |B - A| of each gate, C and h (a GRU's r, z, n, h; a plain RNN's
    h); the first different word marked."""
    x = unique_labels(labels)
    names = dict(f="forget f", i="input i", o="output o", g="candidate C̃", c="cell C", h="hidden h",
                 r="reset r", z="update z", n="candidate n")  # fmt: skip
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
            x=x[first_difference], y=1.0, yref="paper", text="first difference", showarrow=False,
            font=dict(size=16, color="#dc2626"), xanchor="left", yanchor="bottom",
        )  # fmt: skip
    fig.update_layout(template=TEMPLATE, title=title, height=480, margin=dict(t=110))
    fig.update_xaxes(type="category", tickangle=-30, tickfont=dict(size=17))
    fig.update_yaxes(title="mean |B − A| over units", rangemode="tozero")
    return fig
