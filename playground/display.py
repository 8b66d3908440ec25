"""How tokens and models look on screen, in plain Python (no gradio, no plotly, no torch), so that views,
plots and the HTML of markup.py share one source: a token as a person reads it, the prompt's pieces as
its tokenizer spaces them, and each cell kind's colour.
"""

from __future__ import annotations

from collections.abc import Sequence

from lstmlm.safewords import hide_in_text
from lstmlm.tokenizers import VISIBLE, WIKITEXT, Tokenizer
from lstmlm.wikitext import UNK

# How tokens that are not plain words look on screen (charts, chips, buttons).
RARE_LABEL = "a rare word"  # <unk>: the one output that stands for every word the model never learned
RARE_EXPLAINED = (
    "“a rare word” is <unk>: the model's stand-in for every word outside its vocabulary. It is not a word "
    "you can add, and Generate never draws it unless you tick “allow <unk>”."
)
JOINED = {"@-@": "-", "@,@": ",", "@.@": "."}  # WikiText number and hyphen escapes
# a line break and a space (a character model's token; no word vocabulary has one) are drawn visibly
SHOWN_AS = {**VISIBLE, UNK: RARE_LABEL, **JOINED}  # VISIBLE: ⏎ for <eos>, ␣ for a space (the CLI's too)

# One colour per cell kind, wherever models stand side by side (the line-up, the Class game's chart).
CELL_COLORS = {"lstm": "#4f46e5", "gru": "#0d9488", "rnn_tanh": "#ea580c"}


def rare_label(lang: str | None = None) -> str:
    """The on-screen name of <unk> in `lang` ('zh' or 'en'; default: the language of the page being
    served, English outside a request): RARE_LABEL in English."""
    from playground.page_language import say  # here: page_language loads every text module, which load plots

    return say("display.rare", lang)


def rare_explained(lang: str | None = None) -> str:
    """RARE_EXPLAINED in `lang` (default: the page's language)."""
    from playground.page_language import say

    return say("display.rare_explained", lang)


def display_word(token: str, lang: str | None = None) -> str:
    """A token as a person reads it: '⏎' for a line break, '␣' for a space (a character model's), '-' for
    WikiText's '@-@', `rare_label(lang)` for <unk> (default: the page's language), and HIDDEN_LABEL for a
    word on the classroom list (unless the server shows all words). The one place every view turns a
    vocabulary word into screen text."""
    if token == UNK:
        return rare_label(lang)
    return SHOWN_AS.get(token) or hide_in_text(token)[0]


def spaced_pieces(tokens: Sequence[str], tokenizer: Tokenizer = WIKITEXT) -> list[tuple[str, str]]:
    """(space before, text) for each token, so that joining them gives `tokenizer.detokenize(tokens)`."""
    return tokenizer.pieces(tokens)
