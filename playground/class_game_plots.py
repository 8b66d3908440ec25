"""The Class game's chart and CSS: the class's guesses beside each model's top words (data in, plotly
Figure out), the actual word marked in every panel once revealed."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .lineup import CELL_COLORS
from .plots import ACCENT, MUTED, TEMPLATE, placeholder, text_label
from .views import display_word

CLASS_COLOR = "#db2777"
ACTUAL_COLOR = "#16a34a"  # the actual word's bar, in every panel
MODEL_COLORS = (CELL_COLORS["lstm"], CELL_COLORS["gru"], CELL_COLORS["rnn_tanh"], "#be185d", "#65a30d")

CSS = """
.lp-room-banner { font-size: 26px; margin: 6px 0; }
.lp-room-code { font-family: ui-monospace, monospace; font-size: 44px; font-weight: 700; letter-spacing: 6px;
                background: #eef2ff; border-radius: 8px; padding: 0 12px; color: #1e1b4b; }
.lp-room-blank { border-bottom: 3px solid #4f46e5; padding: 0 28px; color: #4f46e5; }
.lp-room-actual { background: #dcfce7; border-radius: 6px; padding: 0 6px; color: #14532d; font-weight: 700; }
.lp-room-scores td, .lp-room-scores th { padding: 2px 12px; text-align: right; }
.lp-room-scores td:first-child, .lp-room-scores th:first-child { text-align: left; }
body.lp-present .gradio-container .contain .lp-room-code { font-size: 66px; }
body.lp-present .gradio-container .contain .lp-room-banner { font-size: 36px; }
"""


def guesses_figure(
    guesses: Sequence[tuple[str, int]] | None,
    total: int,
    models: Sequence[dict] | None,
    actual: str | None,
    titles: tuple[str, str, str],
) -> go.Figure:
    """One panel of horizontal bars for the class (each guess's share of the `total` guesses) and one per
    model (its top words' probabilities), most first; bars of the `actual` word green.

    `guesses` None: the class's guesses are not shown yet; `models` None: not revealed yet.
    `titles`: (the class panel's title with {n}, the x-axis title, what to say when there is nothing)."""
    class_title, share_title, nothing = titles
    panels: list[tuple[str, list[str], list[float], str]] = []
    if guesses:
        words = [w for w, _ in guesses]
        panels.append(
            (class_title.format(n=total), words, [c / max(total, 1) for _, c in guesses], CLASS_COLOR)
        )
    for i, m in enumerate(models or []):
        panels.append((m["label"], list(m["words"]), list(m["probs"]), MODEL_COLORS[i % len(MODEL_COLORS)]))
    if not panels:
        return placeholder(nothing, height=320)
    target = actual.casefold() if actual is not None else None
    fig = make_subplots(
        rows=1, cols=len(panels), subplot_titles=[p[0] for p in panels], horizontal_spacing=0.12
    )
    for col, (_, words, values, color) in enumerate(panels, start=1):
        hit = [target is not None and w.casefold() == target for w in words]
        fig.add_trace(
            go.Bar(
                x=values,
                y=[text_label(display_word(w)) + "\u200b" * (col - 1) for w in words],  # own axis labels
                orientation="h",
                marker_color=[ACTUAL_COLOR if h else color for h in hit],
                text=[f"{v:.0%}" for v in values],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{x:.1%}<extra></extra>",
            ),
            row=1,
            col=col,
        )
        fig.update_yaxes(autorange="reversed", type="category", tickfont=dict(size=20), row=1, col=col)
        top = max(values, default=1.0)
        fig.update_xaxes(
            range=[0, min(1.0, top * 1.35) or 1.0], tickformat=".0%", title=share_title, row=1, col=col
        )
    rows = max(len(p[1]) for p in panels)
    fig.update_layout(template=TEMPLATE, height=140 + 36 * max(rows, 3), showlegend=False, bargap=0.25)
    fig.update_annotations(font=dict(size=20, color=ACCENT if len(panels) > 1 else MUTED))
    return fig
