"""The look every figure shares: the template, colours and colour scales, the placeholder, the words the
plots write (English, translatable) and label escaping. The pictures themselves live by kind: words.py
(bars of words), gates.py (gate heatmaps, a unit's lines, saturation), and one module per view.

Colour scales carry meaning: gates (0..1) use a sequential scale; the candidate, cell and hidden state
(signed) use a diverging scale centred on 0 (blue negative, white 0, red positive). The same holds for a
GRU's gates (reset r, update z: sequential) and its candidate n (diverging).
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from playground.display import display_word

# the plots' words are plain data in plot_words.py (the text tables read them without plotly)
from playground.plots.plot_words import LINE_NAMES, SIGMOID_GATES, WORDS, plot_text  # noqa: F401

FONT = "Source Sans Pro, ui-sans-serif, system-ui, sans-serif"
INK, GRID, ACCENT, MUTED = "#1f2937", "#e5e7eb", "#4f46e5", "#9ca3af"
GATE_COLORS = {"f": "#d97706", "i": "#059669", "o": "#7c3aed", "g": "#0891b2", "c": "#dc2626", "h": "#2563eb",
               "r": "#be185d", "z": "#d97706", "n": "#0891b2"}  # fmt: skip
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


def text_label(word: str, lang: str | None = None) -> str:
    """A token as a chart shows it: `display_word`'s reading (<unk> "a rare word" in `lang`, default the
    page's; <eos> ⏎; "@-@" -; a word on the classroom list "(hidden word)"), made safe for plotly's text,
    which reads '<' as an HTML tag. Every chart label passes here, whoever made the word list; a label
    already shown (display_word's output) stays as it is, so a character model's views pass their tokens
    shown (`display_word(w, unit="character")`: <unk> "a rare character")."""
    word = display_word(word, lang)
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
