"""The look every figure shares: the template, colours and colour scales, the placeholder, the words the
plots write (English, translatable) and label escaping. The pictures themselves live by kind: words.py
(bars of words), gates.py (gate heatmaps, a unit's lines, saturation), and one module per view.

Colour scales carry meaning: gates (0..1) use a sequential scale; the candidate, cell and hidden state
(signed) use a diverging scale centred on 0 (blue negative, white 0, red positive). The same holds for a
GRU's gates (reset r, update z: sequential) and its candidate n (diverging).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from lstmlm.cells import ALL_KEYS, any_cell
from lstmlm.safewords import hide_in_text

FONT = "Source Sans Pro, ui-sans-serif, system-ui, sans-serif"
INK, GRID, ACCENT, MUTED = "#1f2937", "#e5e7eb", "#4f46e5", "#9ca3af"
GATE_COLORS = {"f": "#d97706", "i": "#059669", "o": "#7c3aed", "g": "#0891b2", "c": "#dc2626", "h": "#2563eb",
               "r": "#be185d", "z": "#d97706", "n": "#0891b2"}  # fmt: skip
# a unit's lines' legend: the symbol and the label's first word ("f forget", "C cell"), from lstmlm.cells
LINE_NAMES = {k: f"{any_cell(k).symbol} {any_cell(k).label.split()[0]}" for k in "fiochrzn"}
SIGMOID_GATES = tuple(k for k in ALL_KEYS if any_cell(k).is_sigmoid)  # every cell's σ gates: i f o r z
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
    **{f"panel.{k}": any_cell(k).label for k in SIGMOID_GATES},  # "forget gate"
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
