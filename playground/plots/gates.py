"""Pictures of the gates: a gate's heatmap (units x steps), one unit's lines over the prompt, and the
saturation scatter. Arrays in, plotly Figure out (no gradio, no torch)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lstmlm.cells import ALL_KEYS, any_cell
from playground.plots.style import (
    DIVERGING,
    GATE_COLORS,
    GRID,
    INK,
    LINE_NAMES,
    MUTED,
    SEQUENTIAL,
    SIGMOID_GATES,
    TEMPLATE,
    plot_text,
    unique_labels,
)

UNIT_GATES = SIGMOID_GATES  # every cell's σ gates, in (0, 1) (i f o r z): the top panel of a unit's lines
# from lstmlm.cells (plain Python, no torch): the quantities in (-1, 1), g h n; the LSTM's cell is unbounded
BOUNDED = tuple(k for k in ALL_KEYS if any_cell(k).value_range == (-1.0, 1.0))


def gate_heatmap(
    z: np.ndarray,
    words: Sequence[str],
    units: Sequence[int],
    gate: str,
    title: str,
    first_step: int = 0,
    bound: float | None = None,
    unit: str = "word",
    words_text: Mapping[str, str] | None = None,
) -> go.Figure:
    """Units (rows) x words (columns; `unit` "character" for a character model) of one gate; z (U, S).
    Hover: word, step, unit and value. An unbounded gate (the cell) is coloured over ±`bound` (default:
    the 99th percentile of |z|). `words_text`: the plot's own words (see WORDS), e.g. translated."""
    w = words_text
    z = np.asarray(z, dtype=np.float32)
    if gate in UNIT_GATES:
        scale = dict(colorscale=SEQUENTIAL, zmin=0.0, zmax=1.0)
    else:
        auto = float(max(np.percentile(np.abs(z), 99) if z.size else 1.0, 1e-3))
        bound = 1.0 if gate in BOUNDED else bound if bound is not None else auto
        scale = dict(colorscale=DIVERGING, zmid=0.0, zmin=-bound, zmax=bound)
    steps = np.arange(first_step, first_step + z.shape[1])
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=unique_labels(words),
            y=[plot_text(w, "unit", u=u) for u in units],
            **scale,
            colorbar=dict(thickness=16, tickfont=dict(size=16)),
            hovertemplate=plot_text(w, unit)
            + ": %{x}<br>%{y}<br>"
            + plot_text(w, "value")
            + ": %{z:.3f}<extra></extra>",
        )
    )
    many = len(words) > 40
    # the words along the top, under the title: with hundreds of unit rows the chart is taller than a laptop
    # screen shows below the controls, and the words are what a reader looks for first
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title, yref="container", y=0.985, yanchor="top"),
        height=620,
        margin=dict(t=100, b=20),  # the step axis's title under the chart's own, not beside it
    )
    fig.update_xaxes(
        side="top",
        type="category",
        tickangle=-60 if many else -40,
        tickfont=dict(size=13 if many else 16),
        nticks=50 if many else 0,  # a label for every step would overlap
        title=plot_text(
            w,
            "steps",
            unit=plot_text(w, unit),
            a=steps[0] if len(steps) else 0,
            b=steps[-1] if len(steps) else 0,
        ),
        showgrid=False,
    )
    fig.update_yaxes(
        type="category",
        autorange="reversed",
        tickfont=dict(size=13),
        showgrid=False,
        title=plot_text(w, "units", n=len(units)),
    )
    return fig


def unit_panels(series: dict) -> int:
    """How many panels `unit_lines` draws for these series: 2 (gates, then the rest), or 1 without gates."""
    return 2 if any(g in UNIT_GATES for g in series) else 1


def unit_lines(
    words: Sequence[str],
    series: dict[str, np.ndarray],
    unit: int,
    layer: int,
    words_text: Mapping[str, str] | None = None,
    step_unit: str = "word",
) -> go.Figure:
    """One unit's gates (top panel, 0..1) and its cell and hidden state (bottom panel) over the prompt;
    a GRU's r, z on top and n, h below; a plain RNN's h alone. `words_text`: see WORDS; `step_unit`:
    what a step reads, "word" or "character" (the hover's name for x)."""
    w = words_text
    labels = unique_labels(words)
    rows = unit_panels(series)
    gates = ", ".join(f"{g}<sub>t</sub>" for g in series if g in UNIT_GATES)
    signed = plot_text(w, "and").join(plot_text(w, f"signed.{g}") for g in series if g not in UNIT_GATES)
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        row_heights=[0.5, 0.5] if rows == 2 else None,
        subplot_titles=(plot_text(w, "gates_panel", gates=gates), signed) if rows == 2 else (signed,),
    )
    for gate, values in series.items():
        row = 1 if gate in UNIT_GATES or rows == 1 else 2
        name = plot_text(w, f"line.{gate}") if gate in LINE_NAMES else gate
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=np.asarray(values, dtype=np.float32),
                mode="lines+markers" if len(words) <= 60 else "lines",
                name=name,
                line=dict(color=GATE_COLORS[gate], width=3),
                marker=dict(size=7),
                hovertemplate=f"{name}<br>{plot_text(w, step_unit)}: %{{x}}<br>"
                f"{plot_text(w, 'value')}: %{{y:.3f}}<extra></extra>",
            ),
            row=row,
            col=1,
        )
    fig.update_layout(
        template=TEMPLATE,
        height=520 if rows == 2 else 360,
        title=plot_text(w, "unit_title", layer=layer + 1, unit=unit),
        margin=dict(t=70, r=150),
        legend=dict(orientation="v", yanchor="top", y=1.0, xanchor="left", x=1.02),
    )
    if rows == 2:
        fig.update_yaxes(range=[-0.05, 1.05], row=1, col=1)
    fig.update_yaxes(zeroline=True, zerolinecolor=MUTED, row=rows, col=1)
    many = len(words) > 30
    fig.update_xaxes(
        type="category", tickangle=-40, tickfont=dict(size=14 if many else 16), nticks=30 if many else 0
    )
    fig.update_annotations(font=dict(size=16, color=INK))
    return fig


def saturation_scatter(
    fractions: dict[str, tuple[np.ndarray, np.ndarray]],
    layer: int,
    words_text: Mapping[str, str] | None = None,
) -> go.Figure:
    """Per unit, the fraction of steps a gate is left-saturated (< 0.1) against right-saturated (> 0.9),
    one panel per gate, as in Karpathy, Johnson & Fei-Fei (2015), figure 3. `words_text`: see WORDS."""
    w = words_text
    gates = list(fractions)
    titles = {g: plot_text(w, f"panel.{g}") for g in UNIT_GATES}
    fig = make_subplots(
        rows=1, cols=len(gates), subplot_titles=[titles.get(g, g) for g in gates], horizontal_spacing=0.06
    )
    for n, gate in enumerate(gates, start=1):
        left, right = (np.asarray(a, dtype=np.float32) for a in fractions[gate])
        fig.add_trace(
            go.Scatter(
                x=left,
                y=right,
                mode="markers",
                name=titles.get(gate, gate),
                showlegend=False,
                marker=dict(color=GATE_COLORS[gate], size=8, opacity=0.6, line=dict(width=0)),
                text=[plot_text(w, "unit", u=u) for u in range(len(left))],
                hovertemplate="%{text}<br>closed (< 0.1): %{x:.0%}<br>open (> 0.9): %{y:.0%}<extra></extra>",
            ),
            row=1,
            col=n,
        )
        fig.add_shape(type="line", x0=0, y0=1, x1=1, y1=0, line=dict(color=GRID, dash="dot"), row=1, col=n)
    fig.update_xaxes(range=[-0.03, 1.03], tickformat=".0%", title=plot_text(w, "closed"), title_font_size=15)
    fig.update_yaxes(range=[-0.03, 1.03], tickformat=".0%")
    fig.update_yaxes(title=plot_text(w, "open"), title_font_size=15, row=1, col=1)
    fig.update_layout(
        template=TEMPLATE,
        height=420,
        title=plot_text(w, "saturation_title", layer=layer + 1),
        margin=dict(t=100),
    )
    fig.update_annotations(font=dict(size=17, color=INK))
    return fig
