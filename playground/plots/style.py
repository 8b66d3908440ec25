"""Plot builders: arrays in, plotly Figure out (no gradio, no torch), styled to read on a projector.

Colour scales carry meaning: gates (0..1) use a sequential scale; the candidate, cell and hidden state
(signed) use a diverging scale centred on 0 (blue negative, white 0, red positive). The same holds for a
GRU's gates (reset r, update z: sequential) and its candidate n (diverging).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lstmlm.safewords import hide_in_text

FONT = "Source Sans Pro, ui-sans-serif, system-ui, sans-serif"
INK, GRID, ACCENT, MUTED = "#1f2937", "#e5e7eb", "#4f46e5", "#9ca3af"
GATE_COLORS = {"f": "#d97706", "i": "#059669", "o": "#7c3aed", "g": "#0891b2", "c": "#dc2626", "h": "#2563eb",
               "r": "#be185d", "z": "#d97706", "n": "#0891b2"}  # fmt: skip
UNIT_GATES = ("f", "i", "o", "r", "z")  # in (0, 1): the top panel of a unit's lines
BOUNDED = ("g", "h", "n")  # in (-1, 1); c is unbounded
LINE_NAMES = {"f": "f forget", "i": "i input", "o": "o output", "c": "C cell", "h": "h hidden",
              "r": "r reset", "z": "z update", "n": "n candidate"}  # fmt: skip
# Every word the gate plots write, in English; a caller may pass its own `words_text` (i18n.py's
# plot.* keys) and any key it lacks stays English. {fields} are filled in here.
WORDS = {
    "unit": "unit {u}",
    "units": "{n} units",
    "steps": "{unit}s (steps {a}..{b})",
    "word": "word",
    "character": "character",
    "value": "value",
    "gates_panel": "gates {gates} (0 closed, 1 open)",
    "and": " and ",
    "unit_title": "Layer {layer}, unit {unit}",
    "saturation_title": "Gate saturation, layer {layer}",
    "closed": "fraction closed (< 0.1)",
    "open": "fraction open (> 0.9)",
    **{f"line.{g}": name for g, name in LINE_NAMES.items()},
    "signed.c": "cell C<sub>t</sub>",
    "signed.n": "candidate n<sub>t</sub>",
    "signed.h": "hidden h<sub>t</sub>",
    "panel.f": "forget gate",
    "panel.i": "input gate",
    "panel.o": "output gate",
    "panel.r": "reset gate",
    "panel.z": "update gate",
    "kept": "kept  f<sub>t</sub>·C<sub>t-1</sub>",
    "written": "written  i<sub>t</sub>·C̃<sub>t</sub>",
    "cell_line": "C<sub>t</sub> = kept + written",
    "cell_value": "cell value",
    "left_at": "left at step t",
    "written_at": "written at step s",
}


def plot_text(words: Mapping[str, str] | None, key: str, **fields: object) -> str:
    """WORDS[key], or `words`' own text for it, with its {fields} filled in."""
    text = (words or {}).get(key) or WORDS[key]
    return text.format(**fields) if fields else text


SEQUENTIAL = "Viridis"  # gates: 0 dark, 1 bright
DIVERGING = [[0.0, "#2166ac"], [0.25, "#92c5de"], [0.5, "#f7f7f7"], [0.75, "#f4a582"], [1.0, "#b2182b"]]

# One small template for every figure (plotly's own templates add ~7 KB to each update).
TEMPLATE = go.layout.Template(
    layout=dict(
        font=dict(family=FONT, size=18, color=INK),
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=20, r=20, t=56, b=20),
        title=dict(font=dict(size=22), x=0.01, xanchor="left"),
        xaxis=dict(gridcolor=GRID, zeroline=False, automargin=True, linecolor=GRID),
        yaxis=dict(gridcolor=GRID, zeroline=False, automargin=True, linecolor=GRID),
        hoverlabel=dict(font=dict(family=FONT, size=18)),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="right", x=1, font=dict(size=16)),
    )
)


def text_label(word: str) -> str:
    """A word safe for plotly's text, which reads '<unk>' as an HTML tag and would drop it; a word on the
    classroom list reads "(hidden word)" (every chart label passes here, whoever made the word list)."""
    word = hide_in_text(word)[0]
    return word.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def placeholder(message: str, height: int = 360) -> go.Figure:
    """An empty figure that says what to do (e.g. 'Type a prompt')."""
    fig = go.Figure(layout=dict(template=TEMPLATE, height=height))
    fig.add_annotation(
        text=message,
        showarrow=False,
        font=dict(size=22, color=MUTED),
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


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


def unique_labels(words: Sequence[str]) -> list[str]:
    """Words made unique for a categorical axis: a repeat gets invisible zero-width spaces appended,
    so every step keeps its own column and the hover still shows the plain word."""
    seen: dict[str, int] = {}
    out = []
    for w in words:
        n = seen.get(w, 0)
        seen[w] = n + 1
        out.append(text_label(w) + "\u200b" * n)
    return out


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
    fig.update_layout(template=TEMPLATE, title=title, height=620)
    fig.update_xaxes(
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
) -> go.Figure:
    """One unit's gates (top panel, 0..1) and its cell and hidden state (bottom panel) over the prompt;
    a GRU's r, z on top and n, h below; a plain RNN's h alone. `words_text`: see WORDS."""
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
                hovertemplate=f"{name}<br>{plot_text(w, 'word')}: %{{x}}<br>"
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
    titles = {g: plot_text(w, f"panel.{g}") for g in ("f", "i", "o", "r", "z")}
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


def reshaping_bars(
    words: Sequence[str],
    model: Sequence[float],
    tempered: Sequence[float],
    final: Sequence[float],
    chosen: int = -1,
    title: str = "",
) -> go.Figure:
    """Grouped bars per word: the model's probability, after temperature, and after top-k/top-p."""
    labels = [f"▶ {text_label(w)}" if n == chosen else text_label(w) for n, w in enumerate(words)]
    series = [
        ("model", model, "#cbd5e1"),
        ("after temperature", tempered, "#a5b4fc"),
        ("after top-k & top-p (sampled from)", final, ACCENT),
    ]
    return grouped_probability_bars(labels, series, title, row_height=44, base_height=140, top_margin=110)


def grouped_probability_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    title: str,
    row_height: int = 44,
    base_height: int = 140,
    top_margin: int = 110,
    tickformat: str = ".0%",
    label_size: int = 20,
) -> go.Figure:
    """Horizontal bars grouped per word, one (name, probabilities, colour) series each, first word on top."""
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
    fig.update_xaxes(title="probability", tickformat=tickformat)
    fig.update_yaxes(autorange="reversed", type="category", tickfont=dict(size=label_size))
    return fig
