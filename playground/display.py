"""How tokens and models look on screen, in plain Python (no gradio, no plotly, no torch), so that views,
plots and the HTML of markup.py share one source: a token as a person reads it, the prompt's pieces as
its tokenizer spaces them, each cell kind's colour, and a model's training text named in words (never
a file path).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from lstmlm.safewords import hide_in_text
from lstmlm.tokenizers import VISIBLE, WIKITEXT, Tokenizer
from lstmlm.wikitext import UNK

# How tokens that are not plain words look on screen (charts, chips, buttons).
# <unk>: the one output that stands for every word the model never learned (a character model's: every
# character; text/display.py's display.rare.character), named by `rare_label(unit=...)`
RARE_LABEL = "a rare word"
RARE_EXPLAINED = (
    "“a rare word” is <unk>: the model's stand-in for every word outside its vocabulary. It is not a word "
    "you can add, and Generate never draws it unless you tick “allow <unk>”."
)
JOINED = {"@-@": "-", "@,@": ",", "@.@": "."}  # WikiText number and hyphen escapes
# a line break and a space (a character model's token; no word vocabulary has one) are drawn visibly
SHOWN_AS = {**VISIBLE, UNK: RARE_LABEL, **JOINED}  # VISIBLE: ⏎ for <eos>, ␣ for a space (the CLI's too)

# One colour per cell kind, wherever models stand side by side (the line-up, the Class game's chart).
CELL_COLORS = {"lstm": "#4f46e5", "gru": "#0d9488", "rnn_tanh": "#ea580c"}


def rare_label(lang: str | None = None, *, unit: str = "word") -> str:
    """The on-screen name of <unk> in `lang` ('zh' or 'en'; default: the language of the page being
    served, English outside a request) for a model that reads `unit`s ('word' or 'character'): RARE_LABEL
    in English for a word model, "a rare character" for a character model."""
    from playground.page_language import say  # here: page_language loads every text module, which load plots
    from playground.text import per_unit

    return say(per_unit("display.rare", unit), lang)


def rare_explained(lang: str | None = None, *, unit: str = "word") -> str:
    """RARE_EXPLAINED in `lang` (default: the page's language), in terms of `unit`s ('word' or
    'character': a character model's <unk> stands for every character outside its vocabulary)."""
    from playground.page_language import say
    from playground.text import per_unit

    return say(per_unit("display.rare_explained", unit), lang)


def display_word(token: str, lang: str | None = None, *, unit: str = "word") -> str:
    """A token as a person reads it: '⏎' for a line break, '␣' for a space (a character model's), '-' for
    WikiText's '@-@', `rare_label(lang, unit=unit)` for <unk> (default: the page's language; `unit`: what
    the model reads, 'word' or 'character', `model.vocab.tokenizer.unit`), and HIDDEN_LABEL for a word on
    the classroom list (unless the server shows all words). The one place every view turns a vocabulary
    word into screen text."""
    if token == UNK:
        return rare_label(lang, unit=unit)
    return SHOWN_AS.get(token) or hide_in_text(token)[0]


def spaced_pieces(tokens: Sequence[str], tokenizer: Tokenizer = WIKITEXT) -> list[tuple[str, str]]:
    """(space before, text) for each token, so that joining them gives `tokenizer.detokenize(tokens)`."""
    return tokenizer.pieces(tokens)


# The corpora a model's config.json may name, by a folder or file name of its recorded data paths (whole
# names, case-insensitive): display.corpus.<key> names each in words. Anything else is not named.
CORPORA = {
    "storybooks": re.compile(r"storybooks?"),
    "wikitext": re.compile(r"wikitext-?(2|103)(-raw)?(-v1)?|wiki\.(train|valid|test)\.(tokens|raw)"),
    "warpeace": re.compile(r"war-?(and-?)?peace"),
}
SPLITS = {"train": "train", "training": "train", "valid": "valid", "validation": "valid", "test": "test"}


def _names(path: str) -> list[str]:
    """A path's folder and file names, lower case, and each dotted name without its extensions:
    "../data/Storybooks/valid.txt" -> ["data", "storybooks", "valid.txt", "valid"]."""
    parts = [p.lower() for p in re.split(r"[\\/]", path or "") if p not in ("", ".", "..")]
    return parts + [p.split(".")[0] for p in parts if "." in p]


def corpus_key(paths: Sequence[str]) -> str | None:
    """The corpus (a CORPORA key) one of `paths` names by a folder or file name, the first path first;
    None when none does."""
    for path in paths:
        names = _names(path if isinstance(path, str) else "")
        for key, pattern in CORPORA.items():
            if any(pattern.fullmatch(n) for n in names):
                return key
    return None


def source_words(source: str, lang: str | None = None) -> str:
    """A data file's path as words in `lang` (default: the page's language), never the path itself:
    "../storybooks/valid.txt" -> "the validation text of children's storybooks"; a path naming no known
    corpus -> "held-out text" ("the training text" etc. when only its split is known)."""
    from playground.page_language import say

    names = _names(source)
    split = next((SPLITS[n] for n in reversed(names) if n in SPLITS), None)
    split = split or next((SPLITS[s] for n in names for s in SPLITS if n.startswith(f"wiki.{s}")), None)
    corpus = corpus_key([source])
    split_words = say(f"display.split.{split or 'valid'}", lang)
    if corpus is None and split is None:
        return say("display.held_out", lang)
    if corpus is None:
        return say("display.source_plain", lang, split=split_words)
    return say("display.source", lang, split=split_words, corpus=say(f"display.corpus.{corpus}", lang))


def corpus_words(info: Mapping | None, lang: str | None = None) -> str:
    """What a model learned from, in words, read from its config.json (`model.info`: training.data, then
    training.test_data): e.g. "children's storybooks"; "" when it names no known corpus."""
    training = (info or {}).get("training") if isinstance(info, Mapping) else None
    training = training if isinstance(training, Mapping) else {}
    key = corpus_key([training.get(k) or "" for k in ("data", "valid", "test_data")])
    if key is None:
        return ""
    from playground.page_language import say

    return say(f"display.corpus.{key}", lang)
