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

from playground.display import display_word, spaced_pieces
from playground.markup import hide_listed, placeholder
from playground.plots.style import TEMPLATE, unique_labels
from playground.text import words_in

# GLTR's colours: the model's top-10 green, top-100 yellow, top-1000 red, anything rarer purple.
BUCKET_COLORS = {"top-10": "#bbf7d0", "top-100": "#fef08a", "top-1000": "#fecaca", "beyond": "#e9d5ff"}
BUCKET_BARS = {"top-10": "#16a34a", "top-100": "#ca8a04", "top-1000": "#dc2626", "beyond": "#7c3aed"}
UNKNOWN_COLOR, UNKNOWN_BAR = "#e5e7eb", "#9ca3af"  # words outside the vocabulary: grey, never a bucket
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


def _named(lang: str, unit: str) -> dict[str, str]:
    """The {unit} field of the surprisal texts: the model's unit ('word' or 'character') in `lang`."""
    return {"unit": words_in(lang, f"unit.{unit}")}


def _hover(w: WordScore, lang: str, unit: str = "word") -> str:
    """A scored word's hover: p, rank, bucket and the top-k expected, their <unk> named for `unit`."""
    pairs = zip(w.expected, w.expected_probs, strict=True)
    expected = ", ".join(f"{display_word(e, unit=unit)} {q:.1%}" for e, q in pairs)
    bucket = words_in(lang, f"sur.bucket.{w.bucket}")
    word = display_word(w.word, unit=unit)
    return words_in(
        lang, "sur.hover", word=word, p=f"{w.prob:.4f}", rank=f"{w.rank:,}", bucket=bucket,
        bits=f"{w.bits:.1f}", expected=expected,
    )  # fmt: skip


def surprisal_legend(lang: str = "en", unit: str = "word") -> str:
    """The key to the colours of `surprisal_text`, in `lang` ('en' or 'zh'), naming the model's `unit`
    ('word' or 'character')."""
    swatches = " ".join(
        f'<span class="lp-w" style="background:{c}">{words_in(lang, f"sur.bucket.{name}")}</span>'
        for name, c in BUCKET_COLORS.items()
    )
    look = f"background:{UNKNOWN_COLOR};outline:1px dashed #6b7280"
    unknown = f'<span class="lp-w" style="{look}">{words_in(lang, "sur.unknown")}</span>'
    legend = words_in(lang, "sur.legend", swatches=swatches, unknown=unknown, **_named(lang, unit))
    return f'<div class="lp-legend">{legend}</div>'


def surprisal_text(
    tokens: Sequence[str],
    words: Sequence[WordScore],
    unknown: Sequence[int] = (),
    tokenizer: Spacing | None = None,
    lang: str = "en",
    unit: str = "word",
) -> str:
    """The prompt, each word (or character) coloured by its GLTR bucket; the hover shows p, rank and the
    top-k expected. `tokenizer` spaces the tokens as the model's text reads (None: WikiText's words);
    `lang` ('en' or 'zh') is the hover's language; `unit` ('word' or 'character') the model's unit."""
    named = _named(lang, unit)
    if not tokens:
        return placeholder(words_in(lang, "sur.empty", **named))
    by_pos = {w.position: w for w in words}
    unknown = set(unknown)
    pieces = spaced_pieces(tokens) if tokenizer is None else tokenizer.pieces(tokens)
    spans = []
    for pos, ((space, text), tok) in enumerate(zip(pieces, tokens, strict=True)):
        w = by_pos.get(pos)
        shown = "⏎" if tok == "<eos>" else hide_listed(text)
        style = f"background:{BUCKET_COLORS[w.bucket]}" if w else ""
        title = _hover(w, lang, unit) if w else display_word(tok, unit=unit)
        bucket = f" data-bucket={w.bucket}" if w else ""
        if pos in unknown:  # <unk>'s probability is any rare word's, not this word's: no bucket, no score
            style = f"background:{UNKNOWN_COLOR};outline:1px dashed #6b7280"
            rare = words_in(lang, "sur.rare", **named)
            title = words_in(lang, "sur.hover_unknown", word=hide_listed(text), rare=rare, **named)
            bucket = " data-bucket=unknown"
        spans.append(
            f'{_esc(space)}<span class="lp-w lp-s"{bucket} style="{style}" title="{_esc(title)}">'
            f"{_esc(shown)}</span>"
        )
        if tok == "<eos>":
            spans.append("<br>")
    return f'<div class="lp-text" id="surprisal-words">{"".join(spans)}</div>'


def surprisal_summary(
    perplexity: float, bits_per_word: float, words: Sequence[WordScore], lang: str = "en", unit: str = "word"
) -> str:
    """'Perplexity 123.4 · 6.9 bits per word' (per character when `unit` is 'character') and how many
    words fell in each bucket, in `lang`."""
    named = _named(lang, unit)
    counts = {name: 0 for name in BUCKET_COLORS}
    known = [w for w in words if w.known]
    for w in known:
        counts[w.bucket] += 1
    names = {n: words_in(lang, f"sur.bucket.{n}") for n in BUCKET_COLORS}
    parts = " · ".join(
        f'<span class="lp-w" style="background:{BUCKET_COLORS[n]}">{names[n]}</span> {c}'
        for n, c in counts.items()
    )
    n_unknown = len(words) - len(known)
    if n_unknown:
        unknown = words_in(lang, "sur.unknown")
        parts += (
            f' · <span class="lp-w" style="background:{UNKNOWN_COLOR}">{unknown}</span> {n_unknown} '
            + words_in(lang, "sur.left_out", **named)
        )
    if not known:
        return f'<div class="lp-summary">{words_in(lang, "sur.nothing", **named)}<br>{parts}</div>'
    head = words_in(
        lang, "sur.perplexity", ppl=f"{perplexity:,.1f}", bits=f"{bits_per_word:.2f}", n=len(known),
        choices=f"{perplexity:,.0f}", **named,
    )  # fmt: skip
    return f'<div class="lp-summary">{head}<br>{parts}</div>'


def surprisal_bars(words: Sequence[WordScore], lang: str = "en", unit: str = "word") -> go.Figure:
    """Surprisal in bits of each known word, coloured by its bucket; hover shows p and rank; titles in
    `lang`, naming the model's `unit` ('word' or 'character'). Words outside the vocabulary have no bar
    (their <unk> score is not theirs)."""
    words = [w for w in words if w.known]
    bits, rank = words_in(lang, "sur.bar_hover"), words_in(lang, "sur.rank")
    fig = go.Figure(
        go.Bar(
            x=unique_labels([display_word(w.word, unit=unit) for w in words]),
            y=[w.bits for w in words],
            marker_color=[BUCKET_BARS[w.bucket] for w in words],
            customdata=[[w.prob, w.rank, words_in(lang, f"sur.bucket.{w.bucket}")] for w in words],
            hovertemplate=f"%{{x}}<br>%{{y:.2f}} {bits}<br>p = %{{customdata[0]:.4f}}, "
            f"{rank} %{{customdata[1]}} (%{{customdata[2]}})<extra></extra>",
        )
    )
    many = len(words) > 30
    fig.update_layout(
        template=TEMPLATE,
        title=words_in(lang, "sur.title", **_named(lang, unit)),
        height=360,
        showlegend=False,
    )
    fig.update_xaxes(
        type="category", tickangle=-40, tickfont=dict(size=13 if many else 16), nticks=40 if many else 0
    )
    fig.update_yaxes(title=words_in(lang, "sur.axis"), rangemode="tozero")
    return fig
