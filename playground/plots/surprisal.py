"""Pictures for the Surprisal view (no gradio, no torch): the prompt coloured by GLTR bucket, its legend,
the perplexity summary and the surprisal bars.

HTML goes through `html.escape` (prompts are anyone's); classes `lp-*` are styled in app.py, only bucket
colours are inline so that the legend and the words share them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Protocol

import plotly.graph_objects as go

from playground.markup import hide_listed, placeholder
from playground.plots.style import TEMPLATE, unique_labels
from playground.views.next_word import RARE_LABEL, display_word, spaced_pieces

# GLTR's colours: the model's top-10 green, top-100 yellow, top-1000 red, anything rarer purple.
BUCKET_COLORS = {"top-10": "#bbf7d0", "top-100": "#fef08a", "top-1000": "#fecaca", "beyond": "#e9d5ff"}
BUCKET_BARS = {"top-10": "#16a34a", "top-100": "#ca8a04", "top-1000": "#dc2626", "beyond": "#7c3aed"}
UNKNOWN_COLOR, UNKNOWN_BAR = "#e5e7eb", "#9ca3af"  # words outside the vocabulary: grey, never a bucket
UNKNOWN_NOTE = "not in the vocabulary"
CSS = """
.lp-s { cursor: help; }
"""


class WordScore(Protocol):
    """What these pictures read of a scored word (`lstmlm.studies.surprisal.WordSurprisal` has it)."""

    position: int
    word: str
    prob: float
    rank: int
    bucket: str  # top-10 | top-100 | top-1000 | beyond
    bits: float
    expected: list[str]
    expected_probs: list[float]
    known: bool


class Spacing(Protocol):
    """A tokenizer as far as the coloured text needs it: the space before each token."""

    def pieces(self, tokens: Sequence[str]) -> list[tuple[str, str]]: ...


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _hover(w: WordScore) -> str:
    pairs = zip(w.expected, w.expected_probs, strict=True)
    expected = ", ".join(f"{display_word(e)} {q:.1%}" for e, q in pairs)
    return (
        f"{display_word(w.word)}: p = {w.prob:.4f}, rank {w.rank:,} ({w.bucket}), {w.bits:.1f} bits\n"
        f"expected: {expected}"
    )


def surprisal_legend() -> str:
    """The key to the colours of `surprisal_text`."""
    swatches = " ".join(
        f'<span class="lp-w" style="background:{c}">{name}</span>' for name, c in BUCKET_COLORS.items()
    )
    look = f"background:{UNKNOWN_COLOR};outline:1px dashed #6b7280"
    unknown = f'<span class="lp-w" style="{look}">{UNKNOWN_NOTE}</span>'
    return (
        f'<div class="lp-legend">Colour = the rank the model gave each word among all it knows: {swatches}'
        f" · {unknown} (the model cannot score a word it never learned)"
        " · hover a word to see what the model expected there</div>"
    )


def surprisal_text(
    tokens: Sequence[str],
    words: Sequence[WordScore],
    unknown: Sequence[int] = (),
    tokenizer: Spacing | None = None,
) -> str:
    """The prompt, each word (or character) coloured by its GLTR bucket; the hover shows p, rank and the
    top-k expected. `tokenizer` spaces the tokens as the model's text reads (None: WikiText's words)."""
    if not tokens:
        return placeholder("Type a prompt to see which words surprised the model.")
    by_pos = {w.position: w for w in words}
    unknown = set(unknown)
    pieces = spaced_pieces(tokens) if tokenizer is None else tokenizer.pieces(tokens)
    spans = []
    for pos, ((space, text), tok) in enumerate(zip(pieces, tokens, strict=True)):
        w = by_pos.get(pos)
        shown = "⏎" if tok == "<eos>" else hide_listed(text)
        style = f"background:{BUCKET_COLORS[w.bucket]}" if w else ""
        title = _hover(w) if w else display_word(tok)
        bucket = f" data-bucket={w.bucket}" if w else ""
        if pos in unknown:  # <unk>'s probability is any rare word's, not this word's: no bucket, no score
            style = f"background:{UNKNOWN_COLOR};outline:1px dashed #6b7280"
            title = (
                f"“{hide_listed(text)}” is {UNKNOWN_NOTE}: the model reads it as {RARE_LABEL} (<unk>), so it "
                "cannot say how surprising this word is; it is left out of the perplexity"
            )
            bucket = " data-bucket=unknown"
        spans.append(
            f'{_esc(space)}<span class="lp-w lp-s"{bucket} style="{style}" title="{_esc(title)}">'
            f"{_esc(shown)}</span>"
        )
        if tok == "<eos>":
            spans.append("<br>")
    return f'<div class="lp-text" id="surprisal-words">{"".join(spans)}</div>'


def surprisal_summary(perplexity: float, bits_per_word: float, words: Sequence[WordScore]) -> str:
    """'Perplexity 123.4 · 6.9 bits per word' and how many words fell in each bucket."""
    counts = {name: 0 for name in BUCKET_COLORS}
    known = [w for w in words if w.known]
    for w in known:
        counts[w.bucket] += 1
    parts = " · ".join(
        f'<span class="lp-w" style="background:{BUCKET_COLORS[n]}">{n}</span> {c}' for n, c in counts.items()
    )
    n_unknown = len(words) - len(known)
    if n_unknown:
        parts += (
            f' · <span class="lp-w" style="background:{UNKNOWN_COLOR}">{UNKNOWN_NOTE}</span> {n_unknown} '
            "(left out of the perplexity: the model cannot score a word it never learned)"
        )
    if not known:
        nothing = "No word of this text is in the vocabulary: nothing to score."
        return f'<div class="lp-summary">{nothing}<br>{parts}</div>'
    return (
        f'<div class="lp-summary"><b>Perplexity {perplexity:,.1f}</b> · {bits_per_word:.2f} bits per word '
        f"over {len(known)} words (as unsure, on average, as a choice among {perplexity:,.0f} equally "
        f"likely words)<br>{parts}</div>"
    )


def surprisal_bars(words: Sequence[WordScore]) -> go.Figure:
    """Surprisal in bits of each known word, coloured by its bucket; hover shows p and rank. Words outside
    the vocabulary have no bar (their <unk> score is not theirs)."""
    words = [w for w in words if w.known]
    fig = go.Figure(
        go.Bar(
            x=unique_labels([display_word(w.word) for w in words]),
            y=[w.bits for w in words],
            marker_color=[BUCKET_BARS[w.bucket] for w in words],
            customdata=[[w.prob, w.rank, w.bucket] for w in words],
            hovertemplate="%{x}<br>%{y:.2f} bits<br>p = %{customdata[0]:.4f}, rank %{customdata[1]}"
            " (%{customdata[2]})<extra></extra>",
        )
    )
    many = len(words) > 30
    fig.update_layout(template=TEMPLATE, title="Surprisal per word (bits)", height=360, showlegend=False)
    fig.update_xaxes(
        type="category", tickangle=-40, tickfont=dict(size=13 if many else 16), nticks=40 if many else 0
    )
    fig.update_yaxes(title="bits = −log₂ p", rangemode="tozero")
    return fig
