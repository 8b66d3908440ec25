"""Pictures for the Surprisal and Units views (no gradio, no torch): the prompt coloured by GLTR bucket,
the surprisal bars, a unit's lines with the searched span shaded, the ranked units, and atlas contexts.

HTML goes through `html.escape` (prompts and corpus text are anyone's); classes `lp-*` are styled in
app.py, only bucket colours are inline so that the legend and the words share them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from lstmlm.safewords import hide_in_text
from lstmlm.studies.surprisal import WordSurprisal
from lstmlm.tokenizers import WIKITEXT, Tokenizer
from playground.markup import display_text, placeholder, source_name
from playground.plots import style as plots
from playground.views.next_word import RARE_LABEL, display_word, spaced_pieces

# GLTR's colours: the model's top-10 green, top-100 yellow, top-1000 red, anything rarer purple.
BUCKET_COLORS = {"top-10": "#bbf7d0", "top-100": "#fef08a", "top-1000": "#fecaca", "beyond": "#e9d5ff"}
BUCKET_BARS = {"top-10": "#16a34a", "top-100": "#ca8a04", "top-1000": "#dc2626", "beyond": "#7c3aed"}
UNKNOWN_COLOR, UNKNOWN_BAR = "#e5e7eb", "#9ca3af"  # words outside the vocabulary: grey, never a bucket
UNKNOWN_NOTE = "not in the vocabulary"
SPAN_FILL = "rgba(79,70,229,0.13)"
CSS = """
.lp-s { cursor: help; }
.lp-chip.lp-sel { background: #c7d2fe; border-color: #4f46e5; font-weight: 600; }
.lp-chip sup { color: #6b7280; font-size: 11px; margin-right: 2px; }
.lp-atlas-block { margin-bottom: 8px; }
.lp-ctx { font-size: 16px; line-height: 1.5; color: #374151; }
.lp-ctx mark { background: #fde68a; font-weight: 600; padding: 0 2px; border-radius: 3px; }
.lp-val { font-family: ui-monospace, monospace; color: #6b7280; font-size: 14px; margin-right: 4px; }
"""


def _hide(text: str) -> str:
    """Corpus context with listed words shown as "(hidden word)" (unless the server shows all words)."""
    return hide_in_text(text)[0]


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _hover(w: WordSurprisal) -> str:
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
    words: Sequence[WordSurprisal],
    unknown: Sequence[int] = (),
    tokenizer: Tokenizer = WIKITEXT,
) -> str:
    """The prompt, each word (or character) coloured by its GLTR bucket; the hover shows p, rank and the
    top-k expected. `tokenizer` spaces the tokens as the model's text reads."""
    if not tokens:
        return placeholder("Type a prompt to see which words surprised the model.")
    by_pos = {w.position: w for w in words}
    unknown = set(unknown)
    spans = []
    for pos, ((space, text), tok) in enumerate(zip(spaced_pieces(tokens, tokenizer), tokens, strict=True)):
        w = by_pos.get(pos)
        shown = "⏎" if tok == "<eos>" else _hide(text)
        style = f"background:{BUCKET_COLORS[w.bucket]}" if w else ""
        title = _hover(w) if w else display_word(tok)
        bucket = f" data-bucket={w.bucket}" if w else ""
        if pos in unknown:  # <unk>'s probability is any rare word's, not this word's: no bucket, no score
            style = f"background:{UNKNOWN_COLOR};outline:1px dashed #6b7280"
            title = (
                f"“{_hide(text)}” is {UNKNOWN_NOTE}: the model reads it as {RARE_LABEL} (<unk>), so it "
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


def surprisal_summary(perplexity: float, bits_per_word: float, words: Sequence[WordSurprisal]) -> str:
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


def surprisal_bars(words: Sequence[WordSurprisal]) -> go.Figure:
    """Surprisal in bits of each known word, coloured by its bucket; hover shows p and rank. Words outside
    the vocabulary have no bar (their <unk> score is not theirs)."""
    words = [w for w in words if w.known]
    fig = go.Figure(
        go.Bar(
            x=plots.unique_labels([display_word(w.word) for w in words]),
            y=[w.bits for w in words],
            marker_color=[BUCKET_BARS[w.bucket] for w in words],
            customdata=[[w.prob, w.rank, w.bucket] for w in words],
            hovertemplate="%{x}<br>%{y:.2f} bits<br>p = %{customdata[0]:.4f}, rank %{customdata[1]}"
            " (%{customdata[2]})<extra></extra>",
        )
    )
    many = len(words) > 30
    fig.update_layout(
        template=plots.TEMPLATE, title="Surprisal per word (bits)", height=360, showlegend=False
    )
    fig.update_xaxes(
        type="category", tickangle=-40, tickfont=dict(size=13 if many else 16), nticks=40 if many else 0
    )
    fig.update_yaxes(title="bits = −log₂ p", rangemode="tozero")
    return fig


def unit_span_lines(
    words: Sequence[str],
    series: dict[str, np.ndarray],
    unit: int,
    layer: int,
    span_start: int,
    span_stop: int,
) -> go.Figure:
    """`plots.unit_lines` with the searched span [span_start, span_stop) shaded in both panels."""
    fig = plots.unit_lines(words, series, unit, layer)
    for row in range(1, plots.unit_panels(series) + 1) if span_stop > span_start else ():
        fig.add_vrect(
            x0=span_start - 0.5,
            x1=span_stop - 0.5,
            fillcolor=SPAN_FILL,
            line_width=0,
            layer="below",
            row=row,
            col=1,
        )
    fig.update_layout(title=f"Layer {layer + 1}, unit {unit} · the selected words are shaded")
    return fig


def numbered_words(tokens: Sequence[str], span_start: int = -1, span_stop: int = -1) -> str:
    """The prompt's words numbered from 1 (to type a range), the selected span highlighted."""
    if not tokens:
        return placeholder("Type a prompt to search its units.")
    chips = []
    for n, tok in enumerate(tokens):
        cls = "lp-chip lp-sel" if span_start <= n < span_stop else "lp-chip"
        chips.append(f'<span class="{cls}"><sup>{n + 1}</sup>{_esc(display_word(tok))}</span>')
    return f'<div class="lp-chips" id="numbered-words">{"".join(chips)}</div>'


def unit_choices(scores: Sequence) -> list[tuple[str, int]]:
    """Radio choices 'unit 5 · score 0.830 (inside +0.71, outside -0.12)' -> 5."""
    return [
        (
            f"unit {s.unit} · {s.score:.3f} (inside {s.inside_mean:+.2f}, outside {s.outside_mean:+.2f})",
            s.unit,
        )
        for s in scores
    ]


_ATLAS_TITLES = {
    "h_high": "Highest hidden state h",
    "h_low": "Lowest hidden state h",
    "c_high": "Highest cell state C",
    "c_low": "Lowest cell state C",
}


def _clean(text: str) -> str:
    return _esc(display_text(text))


def atlas_contexts(entry: dict) -> str:
    """A unit's top contexts from the atlas, each word highlighted, grouped by signal and sign."""
    blocks = []
    for key, title in _ATLAS_TITLES.items():
        if key not in entry:  # a GRU's or plain RNN's atlas has no cell state
            continue
        rows = "".join(
            f'<div class="lp-ctx"><span class="lp-val">{c["value"]:+.3f}</span> …{_clean(c["before"])} '
            f"<mark>{_clean(c['word'])}</mark> {_clean(c['after'])}…</div>"
            for c in entry.get(key, [])
        )
        blocks.append(f'<div class="lp-atlas-block"><div class="lp-label">{title}</div>{rows}</div>')
    source = source_name(entry.get("source") or "")
    head = (
        f'<div class="lp-small">Layer {entry["layer"] + 1}, unit {entry["unit"]}: the contexts of '
        f"{_esc(str(source))} ({entry.get('words_scanned', 0):,} words) where it was highest and lowest; the "
        "highlighted word is the step, the words before it are what the model had read.</div>"
    )
    return f'<div class="lp-atlas">{head}{"".join(blocks)}</div>'
