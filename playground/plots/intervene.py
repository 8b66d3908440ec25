"""Plot builders for the Intervene view, used by Counterfactual too (`tabs.change_charts`): two next-word
distributions side by side and the words that moved most; arrays in, plotly Figure out (no gradio, no torch),
in the style of `style.py` (its template, colours and label escaping)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.plots.style import (
    ACCENT,
    INK,
    TEMPLATE,
    text_label,
)
from playground.plots.words import grouped_probability_bars

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
    axis: str = "probability",
) -> go.Figure:
    """Grouped bars per word, probability before (grey) and after (accent), the largest change on top;
    `axis` titles the probability axis."""
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
        axis=axis,
    )
