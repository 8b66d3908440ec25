"""Pictures for the Units view (no gradio, no torch): a unit's lines with the searched span shaded, the
prompt's numbered words, the ranked units as choices, and a unit's contexts from the atlas.

HTML goes through `html.escape` (prompts and corpus text are anyone's); classes `lp-*` are styled by `CSS`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from functools import partial

import numpy as np
import plotly.graph_objects as go

from playground.display import display_word, source_words
from playground.markup import display_text, placeholder
from playground.plots.gates import unit_lines, unit_panels
from playground.text import words_in

SPAN_FILL = "rgba(79,70,229,0.13)"
CSS = """
.lp-chip.lp-sel { background: #c7d2fe; border-color: #4f46e5; font-weight: 600; }
.lp-chip sup { color: #6b7280; font-size: 11px; margin-right: 2px; }
.lp-atlas-block { margin-bottom: 8px; }
.lp-ctx { font-size: 16px; line-height: 1.5; color: #374151; }
.lp-ctx mark { background: #fde68a; font-weight: 600; padding: 0 2px; border-radius: 3px; }
.lp-val { font-family: ui-monospace, monospace; color: #6b7280; font-size: 14px; margin-right: 4px; }
"""


def unit_span_lines(
    words: Sequence[str],
    series: dict[str, np.ndarray],
    unit: int,
    layer: int,
    span_start: int,
    span_stop: int,
    lang: str = "en",
    words_text: dict[str, str] | None = None,
    step_unit: str = "word",
) -> go.Figure:
    """`unit_lines` with the searched span [span_start, span_stop) shaded in both panels; the title in
    `lang`, the panels' words from `words_text` (as `unit_lines` takes them; None: English); `step_unit`:
    "word" or "character", what a step reads."""
    fig = unit_lines(words, series, unit, layer, words_text, step_unit)
    for row in range(1, unit_panels(series) + 1) if span_stop > span_start else ():
        fig.add_vrect(
            x0=span_start - 0.5,
            x1=span_stop - 0.5,
            fillcolor=SPAN_FILL,
            line_width=0,
            layer="below",
            row=row,
            col=1,
        )
    fig.update_layout(
        title=words_in(
            lang, "units.lines_title", layer=layer + 1, unit=unit, step=words_in(lang, f"unit.{step_unit}")
        )
    )
    return fig


def numbered_words(
    tokens: Sequence[str],
    span_start: int = -1,
    span_stop: int = -1,
    lang: str = "en",
    step_unit: str = "word",
) -> str:
    """The prompt's words numbered from 0, as Intervene and Equations count steps (to type a range), the
    selected span highlighted (`lang`: the language of the placeholder for an empty prompt; `step_unit`:
    "word" or "character", what the model reads, which names its <unk>)."""
    if not tokens:
        return placeholder(words_in(lang, "units.empty"))
    chips = []
    for n, tok in enumerate(tokens):
        cls = "lp-chip lp-sel" if span_start <= n < span_stop else "lp-chip"
        shown = html.escape(display_word(tok, unit=step_unit))
        chips.append(f'<span class="{cls}"><sup>{n}</sup>{shown}</span>')
    return f'<div class="lp-chips" id="numbered-words">{"".join(chips)}</div>'


def unit_choices(scores: Sequence, lang: str = "en") -> list[tuple[str, int]]:
    """Radio choices 'unit 5 · 0.830 (inside +0.71, outside -0.12)' -> 5, in `lang`."""
    return [
        (
            words_in(lang, "units.choice", unit=s.unit, score=f"{s.score:.3f}",
                     inside=f"{s.inside_mean:+.2f}", outside=f"{s.outside_mean:+.2f}"),
            s.unit,
        )
        for s in scores
    ]  # fmt: skip


ATLAS_BLOCKS = ("h_high", "h_low", "c_high", "c_low")  # an atlas entry's context lists, in this order


def _clean(text: str, step_unit: str = "word") -> str:
    return html.escape(display_text(text, unit=step_unit))


def atlas_contexts(entry: dict, lang: str = "en", step_unit: str = "word") -> str:
    """A unit's top contexts from the atlas, each word highlighted, grouped by signal and sign; the
    headings in `lang`, naming `step_unit` ("word" or "character", what the model reads)."""
    blocks = []
    clean = partial(_clean, step_unit=step_unit)
    for key in ATLAS_BLOCKS:
        title = words_in(lang, f"units.atlas.{key}")
        if key not in entry:  # a GRU's or plain RNN's atlas has no cell state
            continue
        rows = "".join(
            f'<div class="lp-ctx"><span class="lp-val">{c["value"]:+.3f}</span> …{clean(c["before"])} '
            f"<mark>{clean(c['word'])}</mark> {clean(c['after'])}…</div>"
            for c in entry.get(key, [])
        )
        blocks.append(f'<div class="lp-atlas-block"><div class="lp-label">{title}</div>{rows}</div>')
    source = source_words(entry.get("source") or "", lang)
    line = words_in(
        lang, "units.atlas_head", layer=entry["layer"] + 1, unit=entry["unit"],
        source=html.escape(str(source)), words=f"{entry.get('words_scanned', 0):,}",
        step=words_in(lang, f"unit.{step_unit}"),
    )  # fmt: skip
    head = f'<div class="lp-small">{line}</div>'
    return f'<div class="lp-atlas">{head}{"".join(blocks)}</div>'
