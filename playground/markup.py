"""Small HTML fragments the tabs show: token chips, words shaded by a value, the entropy line.

Every piece of text goes through `html.escape`: prompts are typed by anyone. Colours and sizes live in
the CSS of `app.py` (classes `lp-*`); only the shading colour is inline.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence

from lstmlm.safewords import HIDDEN_LABEL, hide_in_text
from lstmlm.tokenizers import WIKITEXT, Tokenizer
from playground.display import corpus_words, display_word, rare_explained, rare_label, spaced_pieces
from playground.page_language import say, shown
from playground.text import per_unit


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def hide_listed(text: str) -> str:
    """`text` with each word on the classroom list shown as "(hidden word)" (unless the server shows all)."""
    return hide_in_text(text)[0]


_ESCAPES = re.compile(r" ?@([-,.])@ ?")  # WikiText's "1 @,@ 000" and "well @-@ known"


def display_text(text: str, *, unit: str = "word") -> str:
    """Corpus text (words joined by spaces) as a person reads it: WikiText escapes joined ("1 @,@ 000" ->
    "1,000"), line breaks as "⏎", <unk> as `rare_label(unit=unit)` ("a rare word", "a rare character" for
    a `unit` 'character' model, in the page's language), listed words hidden (`hide_in_text`)."""
    text = _ESCAPES.sub(r"\1", text or "")
    text = text.replace("<eos>", "⏎").replace("<unk>", rare_label(unit=unit))
    return hide_in_text(text)[0]


def notice(text: str | BaseException) -> str:
    """A yellow notice line (e.g. the prompt was capped); empty when there is nothing to say. What the
    library said (a `Message`, or an exception raised with one) is shown in the page's language (`shown`)."""
    return f'<div class="lp-notice">{_esc(shown(text))}</div>' if text else ""


def refusal(text: str, elem_id: str) -> str:
    """Why a view cannot show what was asked, said in its result area as a yellow notice with a stable id
    (`elem_id`, e.g. "cell-hunt-cannot"); the view clears its other outputs beside it."""
    return f'<div class="lp-notice" id="{_esc(elem_id)}">{_esc(text)}</div>'


def placeholder(text: str) -> str:
    """A calm grey line standing in for a view that has nothing to show yet."""
    return f'<div class="lp-placeholder">{_esc(text)}</div>'


def token_chips(tokens: Sequence[str], unknown: Sequence[int], note: str = "", unit: str = "word") -> str:
    """The prompt as the model reads it: one chip per token (`unit`: word or character), unknown ones
    marked (their title: read as a rare word, or character); a line break is ⏎ and a character model's
    space ␣."""
    if not tokens:
        return placeholder(say("markup.empty_prompt"))
    unknown = set(unknown)
    unk_title = _esc(say(per_unit("markup.unknown_title", unit)))
    eos_title = _esc(say("markup.line_break"))
    chips = []
    for pos, tok in enumerate(tokens):
        if pos in unknown:
            shown_as = _esc(display_word(tok, unit=unit))
            chips.append(f'<span class="lp-chip lp-unk" title="{unk_title}">{shown_as}</span>')
        elif tok == "<eos>":
            chips.append(f'<span class="lp-chip lp-eos" title="{eos_title}">⏎</span>')
        else:
            chips.append(f'<span class="lp-chip">{_esc(display_word(tok, unit=unit))}</span>')
    n_unk, unit_name = len(unknown), say(f"unit.{unit}")
    key = "markup.chips_unknown" if n_unk else "markup.chips_known"
    legend = f'<span class="lp-legend">{say(key, n=len(tokens), unit=unit_name, unk=n_unk)}</span>'
    return notice(note) + f'<div class="lp-chips">{"".join(chips)}</div>{legend}'


def set_apart_note(words: Sequence[str], probs: Sequence[float], unit: str = "word") -> str:
    """Under the next-word chips: the predicted entries that are not words to add ("a rare word", or "a
    rare character" for a model that reads `unit` 'character'; "(hidden word)"), each styled apart with its
    probability, and one line saying what they are; "" if none."""
    rare, hidden = [], []
    rare_name = rare_label(unit=unit)  # the page's language
    for w, p in zip(words, probs, strict=True):
        label = display_word(w, unit=unit)
        if label == rare_name:
            rare.append(p)
        elif label == HIDDEN_LABEL:
            hidden.append(p)
    parts, lines = [], []
    if rare:
        parts.append(f'<span class="lp-chip lp-apart">{rare_name} {sum(rare):.1%}</span>')
        lines.append(_esc(rare_explained(unit=unit)))
    if hidden:
        n = f"{len(hidden)} words" if len(hidden) > 1 else "a word"
        parts.append(f'<span class="lp-chip lp-apart">{HIDDEN_LABEL} {sum(hidden):.1%}</span>')
        lines.append(
            f"{HIDDEN_LABEL}: {n} on the classroom list, never shown or generated here "
            "(see the README, “Classroom-safe words”)."
        )
    if not parts:
        return ""
    return (
        f'<div class="lp-apart-note"><div class="lp-chips">{"".join(parts)}</div>'
        f'<div class="lp-small">{"<br>".join(lines)}</div></div>'
    )


def tokenizer_line(tokenizer: Tokenizer, info: Mapping | None = None) -> str:
    """One short line under the tokens, in the page's language, read from the loaded model: how its
    tokenizer cuts text and, when its config.json (`info`, the model's `info`) names a known training text,
    what it learned from ("children's storybooks"). The config.json name of the tokenizer (`wikitext`,
    `chars`) is not on screen, only in a data attribute for scripts and tests: the storybook model reads
    text by WikiText's rules without being WikiText."""
    corpus = corpus_words(info)
    learned = say("markup.corpus", corpus=_esc(corpus)) if corpus else ""
    return (
        f'<div class="lp-tokenizer" data-tokenizer="{_esc(tokenizer.name)}">'
        + say("markup.tokenizer", what=_esc(say(f"tokenizer.{tokenizer.name}")))
        + learned
        + "</div>"
    )


def entropy_line(bits: float, unit: str = "word") -> str:
    """'5.3 bits: as unsure as a choice among 39 equally likely words' (or characters), with a bar up to
    12 bits."""
    width = max(2.0, min(100.0, bits / 12 * 100))
    return (
        '<div class="lp-entropy"><div class="lp-entropy-text">'
        + say("markup.uncertainty", bits=bits, n=2**bits, unit=say(f"unit.{unit}"))
        + "</div>"
        f'<div class="lp-bar"><div style="width:{width:.0f}%"></div></div></div>'
    )


def _shade(value: float, lo: float, hi: float, diverging: bool) -> str:
    """Background colour for a value: blue (low) to white to red (high) when diverging, else white to blue."""
    if not math.isfinite(value):
        return "transparent"
    if diverging:
        m = max(abs(lo), abs(hi), 1e-9)
        a = max(-1.0, min(1.0, value / m))
        rgb = (214, 39, 40) if a > 0 else (31, 119, 180)
        return f"rgba({rgb[0]},{rgb[1]},{rgb[2]},{abs(a) * 0.85:.2f})"
    a = (value - lo) / (hi - lo) if hi > lo else 0.0
    return f"rgba(49,54,149,{max(0.0, min(1.0, a)) * 0.85:.2f})"


def shaded_words(
    tokens: Sequence[str],
    values: Sequence[float],
    lo: float,
    hi: float,
    diverging: bool,
    label: str = "value",
    tokenizer: Tokenizer = WIKITEXT,
) -> str:
    """The text with each token's background shaded by its value (Karpathy et al. 2015); hover shows it.
    `tokenizer` spaces the tokens as the model's text reads (words with spaces, characters as they are)."""
    if not tokens:
        return placeholder(say("markup.shade_empty"))
    spans = []
    for (space, text), tok, v in zip(spaced_pieces(tokens, tokenizer), tokens, values, strict=True):
        shown_as = display_word(tok, unit=tokenizer.unit)  # ⏎, "a rare word" (a character model's: character)
        if tok in ("<eos>", "<unk>"):
            text = shown_as
        bg = _shade(float(v), lo, hi, diverging)
        dark = not diverging and (v - lo) / max(hi - lo, 1e-9) > 0.55
        cls = "lp-w lp-dark" if dark else "lp-w"
        spans.append(
            f'{_esc(space)}<span class="{cls}" style="background:{bg}" '
            f'title="{_esc(shown_as)}: {label} {float(v):.3f}">{_esc(hide_in_text(text)[0])}</span>'
        )
        if tok == "<eos>":
            spans.append("<br>")
    chars = " lp-chars" if tokenizer.unit == "character" else ""  # monospace: lines line up as in the book
    return f'<div class="lp-text{chars}">{"".join(spans)}</div>'


def generated_text(
    prompt_tokens: Sequence[str],
    words: Sequence[dict],
    running: bool = False,
    tokenizer: Tokenizer = WIKITEXT,
) -> str:
    """The prompt in grey, then each generated word (or character) shaded by the probability the model
    gave it; `tokenizer` spaces them as the model's text reads."""
    tokens = [*prompt_tokens, *(w["word"] for w in words)]
    pieces = spaced_pieces(tokens, tokenizer)
    n = len(prompt_tokens)
    # the prompt too (it is on the projector); <unk> (drawn when allowed) reads as "a rare word" (or
    # "a rare character")
    pieces = [
        (s, display_word(tok, unit=tokenizer.unit) if tok == "<unk>" else hide_in_text(t)[0])
        for (s, t), tok in zip(pieces, tokens, strict=True)
    ]
    head = "".join(_esc(s + t) if tokens[i] != "<eos>" else "<br>" for i, (s, t) in enumerate(pieces[:n]))
    tail = []
    for (space, text), w in zip(pieces[n:], words, strict=True):
        eos = w["word"] == "<eos>"
        p = float(w["prob"])
        alpha = 0.12 + 0.75 * min(1.0, p**0.5)  # sqrt: a 1% word is still visibly tinted
        cls = "lp-gen lp-dark" if alpha > 0.55 else "lp-gen"
        tail.append(
            f'{_esc(space)}<span class="{cls}" style="background:rgba(22,101,52,{alpha:.2f})" '
            f'title="{"line break, " if eos else ""}p = {p:.3f}, rank {w["rank"]}">'
            f"{'⏎' if eos else _esc(text)}</span>{'<br>' if eos else ''}"
        )
    cursor = '<span class="lp-cursor">▌</span>' if running else ""
    return f'<div class="lp-text"><span class="lp-prompt">{head}</span>{"".join(tail)}{cursor}</div>'


def probability_legend(unit: str = "word", lead: str | None = None) -> str:
    """The key to `generated_text`'s shading; `lead`: its words (default: the page's language's)."""
    swatches = "".join(
        f'<span class="lp-gen{" lp-dark" if 0.12 + 0.75 * p**0.5 > 0.55 else ""}" '
        f'style="background:rgba(22,101,52,{0.12 + 0.75 * p**0.5:.2f})">{label}</span> '
        for p, label in ((0.01, "1%"), (0.1, "10%"), (0.5, "50%"), (1.0, "100%"))
    )
    lead = say("markup.legend", unit=say(f"unit.{unit}")) if lead is None else lead
    return f'<div class="lp-legend">{lead} {swatches}</div>'
