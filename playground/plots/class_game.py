"""The Class game's charts and CSS: the class's guesses and each model's top words, one panel each (data in,
plotly Figure out; the tab puts the panels side by side, stacked on a phone), the actual word marked green
once revealed."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from playground.display import CELL_COLORS, display_word
from playground.plots.style import ACCENT, MUTED, TEMPLATE, text_label

CLASS_COLOR = "#db2777"
ACTUAL_COLOR = "#16a34a"  # the actual word's bar, in every panel
MODEL_COLORS = (CELL_COLORS["lstm"], CELL_COLORS["gru"], CELL_COLORS["rnn_tanh"], "#be185d", "#65a30d")

CSS = """
.lp-room-banner { font-size: 26px; margin: 6px 0; }
.lp-room-code { font-family: ui-monospace, monospace; font-size: 44px; font-weight: 700; letter-spacing: 6px;
                background: #eef2ff; border-radius: 8px; padding: 0 12px; color: #1e1b4b; }
.lp-room-blank { border-bottom: 3px solid #4f46e5; padding: 0 28px; color: #4f46e5; }
.lp-room-actual { background: #dcfce7; border-radius: 6px; padding: 0 6px; color: #14532d; font-weight: 700; }
.lp-room-table { overflow-x: auto; }
.lp-room-scores td, .lp-room-scores th { padding: 2px 12px; text-align: right; }
.lp-room-scores td:first-child, .lp-room-scores th:first-child { text-align: left; }
body.lp-present .gradio-container .contain .lp-room-code { font-size: 66px; }
body.lp-present .gradio-container .contain .lp-room-banner { font-size: 36px; }
"""


def bars_figure(
    title: str,
    words: Sequence[str],
    shares: Sequence[float],
    color: str,
    actual: str | None,
    axis: str,
    unit: str = "word",
) -> go.Figure:
    """One panel: horizontal bars of `shares` (the class's share of its guesses, or a model's
    probabilities), most first; the bar of the `actual` word (ignoring case) green; `unit`: what the room's
    model reads ('word' or 'character'), which names its <unk>."""
    target = actual.casefold() if actual is not None else None
    hit = [target is not None and w.casefold() == target for w in words]
    values = [float(v) for v in shares]
    top = max(values, default=1.0)
    fig = go.Figure(
        go.Bar(
            x=values,
            y=[text_label(display_word(w, unit=unit)) for w in words],
            orientation="h",
            marker_color=[ACTUAL_COLOR if h else color for h in hit],
            text=[f"{v:.0%}" for v in values],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.1%}<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title, font=dict(size=20, color=MUTED if color == CLASS_COLOR else ACCENT)),
        height=140 + 36 * max(len(words), 3),
        showlegend=False,
        bargap=0.25,
        margin=dict(l=10, r=30, t=50, b=10),
    )
    top = top or 1.0
    ticks = [0.0, top / 2, top]  # three ticks: the axis runs on to leave room for the bars' labels
    fig.update_xaxes(range=[0, top * 1.45], tickvals=ticks, tickformat=".0%" if top >= 0.1 else ".1%")
    fig.update_xaxes(title=axis)
    fig.update_yaxes(autorange="reversed", type="category", tickfont=dict(size=20))
    return fig
