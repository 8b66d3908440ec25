"""Bars of words: the next-word chart, the reshaping chart (model, temperature, top-k/top-p) and the grouped
probability bars other views reuse. Arrays in, plotly Figure out (no gradio, no torch)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from playground.plots.style import ACCENT, MUTED, TEMPLATE, text_label


def next_word_bars(
    words: Sequence[str],
    probs: Sequence[float],
    title: str = "Next word",
    apart: Sequence[bool] = (),
    axis: str = "probability",
) -> go.Figure:
    """Horizontal bars, the most likely word on top, each labelled with its probability; bars marked in
    `apart` (not words one can add: "a rare word", "(hidden word)") are grey and striped; `axis` titles
    the probability axis."""
    probs = [float(p) for p in probs]
    apart = list(apart) + [False] * (len(probs) - len(apart))
    fig = go.Figure(
        go.Bar(
            x=probs,
            y=[text_label(w) for w in words],
            orientation="h",
            marker_color=[MUTED if a else ACCENT for a in apart],
            marker_pattern_shape=["/" if a else "" for a in apart],
            text=[f"{p:.1%}" for p in probs],
            textposition="outside",
            textfont=dict(size=18),
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.2%}<extra></extra>",
        )
    )
    height = 120 + 38 * max(len(words), 3)
    top = max(probs, default=1.0)
    fig.update_layout(template=TEMPLATE, title=title, height=height, bargap=0.25, showlegend=False)
    fig.update_xaxes(
        title=axis,
        tickformat=".0%" if top >= 0.08 else ".1%",
        range=[0, min(1.0, top * 1.25) or 1.0],
    )
    fig.update_yaxes(autorange="reversed", type="category", tickfont=dict(size=22))
    return fig


def reshaping_bars(
    words: Sequence[str],
    model: Sequence[float],
    tempered: Sequence[float],
    final: Sequence[float],
    chosen: int = -1,
    title: str = "",
    names: Sequence[str] = ("model", "after temperature", "after top-k & top-p (sampled from)"),
    axis: str = "probability",
) -> go.Figure:
    """Grouped bars per word: the model's probability, after temperature, and after top-k/top-p (`names`
    the three series' names, `axis` the probability axis's title: the caller's language)."""
    labels = [f"▶ {text_label(w)}" if n == chosen else text_label(w) for n, w in enumerate(words)]
    series = list(zip(names, (model, tempered, final), ("#cbd5e1", "#a5b4fc", ACCENT), strict=True))
    return grouped_probability_bars(
        labels, series, title, row_height=44, base_height=140, top_margin=110, axis=axis
    )


def grouped_probability_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    title: str,
    row_height: int = 44,
    base_height: int = 140,
    top_margin: int = 110,
    tickformat: str = ".0%",
    label_size: int = 20,
    axis: str = "probability",
) -> go.Figure:
    """Horizontal bars grouped per word, one (name, probabilities, colour) series each, first word on top;
    `axis` titles the probability axis."""
    fig = go.Figure()
    for name, values, color in series:
        fig.add_trace(
            go.Bar(
                x=[float(v) for v in values],
                y=list(labels),
                name=name,
                orientation="h",
                marker_color=color,
                hovertemplate=f"%{{y}}<br>{name}: %{{x:.2%}}<extra></extra>",
            )
        )
    fig.update_layout(
        template=TEMPLATE,
        barmode="group",
        title=title,
        height=base_height + row_height * max(len(labels), 3),
        bargap=0.2,
        bargroupgap=0.05,
        margin=dict(t=top_margin),
    )
    fig.update_xaxes(title=axis, tickformat=tickformat)
    fig.update_yaxes(autorange="reversed", type="category", tickfont=dict(size=label_size))
    return fig
