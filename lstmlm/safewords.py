"""Classroom-safe words: the words a model of this project never shows or generates by default.

The list is data (`lstmlm/wordlists/hidden_words.txt`, with its sources: the LDNOOBW list plus period slurs
found by reading the bundled corpora). It is used in two places:
- training: listed words never enter a vocabulary built from a corpus (they are read as `<unk>`), so a
  bundled model has no output unit for them (`Vocab.from_tokens(..., exclude=is_hidden)`);
- run time, for every model (a user's own or imported one too): their ids are masked out of sampling
  (renormalised) and shown as HIDDEN_LABEL in charts and traces (`hidden_ids`), unless the server is
  started for research with the filter off.
Matching is case-insensitive and on whole tokens ("Coon" and "coon"; not "raccoon").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lstmlm.vocab import Vocab

HIDDEN_LABEL = "(hidden word)"
LIST_FILE = "hidden_words.txt"


@lru_cache(maxsize=1)
def hidden_words() -> frozenset[str]:
    """The listed words, lowercase (read once from the package's wordlists/hidden_words.txt)."""
    text = resources.files("lstmlm").joinpath("wordlists", LIST_FILE).read_text(encoding="utf-8")
    words = set()
    for line in text.splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            words.add(word)
    return frozenset(words)


def is_hidden(word: str) -> bool:
    """Whether `word` (one token, any case) is on the list."""
    return word.lower() in hidden_words()


def hidden_ids(words: Iterable[str]) -> list[int]:
    """Positions (ids) of the listed words in a vocabulary's word list, ascending."""
    listed = hidden_words()
    return [i for i, w in enumerate(words) if w.lower() in listed]


def shown(word: str, hide: bool = True) -> str:
    """What a person sees for `word`: HIDDEN_LABEL for a listed word when hiding, else the word."""
    return HIDDEN_LABEL if hide and is_hidden(word) else word


# ---------------------------------------------------------------------------------------------
# Run time: one process-wide switch, and the ids sampling never draws.
# ---------------------------------------------------------------------------------------------

_show_all_words = False  # set once at start by `--show-all-words` (lstm-playground, lstmlm next/generate)


def set_show_all_words(show: bool) -> None:
    """Turn the run-time filter off (True: research use, every word shown and sampled) or back on."""
    global _show_all_words
    _show_all_words = bool(show)


def hiding() -> bool:
    """Whether listed words are masked and labelled in this process (the default: yes)."""
    return not _show_all_words


@contextmanager
def showing_all_words(show: bool = True) -> Iterator[None]:
    """`with showing_all_words():` runs its body with the filter off (or on, with False), then restores it."""
    before = _show_all_words
    set_show_all_words(show)
    try:
        yield
    finally:
        set_show_all_words(before)


def vocab_hidden_ids(vocab: Vocab) -> tuple[int, ...]:
    """`hidden_ids(vocab.words)`, found once per vocabulary object (kept on it) and reused by every call."""
    cached = vocab.__dict__.get("_hidden_ids")
    if cached is None:
        cached = vocab.__dict__["_hidden_ids"] = tuple(hidden_ids(vocab.words))
    return cached


def blocked_ids(vocab: Vocab | None, allow_unk: bool = True) -> list[int]:
    """Ids a sampler must never draw from `vocab`: its listed words (unless the filter is off) and, unless
    `allow_unk`, `<unk>`. The listed ids are found once per vocabulary (`vocab_hidden_ids`)."""
    if vocab is None:
        return []
    blocked = list(vocab_hidden_ids(vocab)) if hiding() else []
    if not allow_unk and vocab.unk_id is not None:
        blocked.append(vocab.unk_id)
    return sorted(blocked)


def hide_in_text(text: str) -> tuple[str, int]:
    """`text` with every listed word (whole words, any case) replaced by HIDDEN_LABEL when hiding, and how
    many were replaced. For strings that hold several words (generated text, corpus contexts)."""
    if not hiding() or not text:
        return text, 0
    return _listed_pattern().subn(HIDDEN_LABEL, text)


@lru_cache(maxsize=1)
def _listed_pattern() -> re.Pattern:
    # longest first so "niggers" is not cut to "nigger" + "s"; a word ends at anything but a letter, digit or
    # "_": "raccoon" stays whole, while "coon-skin" and "coon's" hide their "coon" (the token-level mask
    # only sees whole tokens; text shown to people is checked word by word, the stricter of the two)
    words = sorted(hidden_words(), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)


def hide_in_json(value: Any, skip: frozenset[str] = frozenset({"bdata"})) -> tuple[Any, int]:
    """A JSON-like value (dicts, lists, strings, numbers) with listed words hidden in every string
    (`hide_in_text`), and how many were hidden; keys in `skip` (binary data such as base64) are left as
    they are. The input is not changed."""
    if isinstance(value, str):
        return hide_in_text(value)
    if isinstance(value, dict):
        out, total = {}, 0
        for key, item in value.items():
            if key in skip:
                out[key] = item
                continue
            out[key], n = hide_in_json(item, skip)
            total += n
        return out, total
    if isinstance(value, (list, tuple)):
        if not any(isinstance(item, (str, dict, list, tuple)) for item in value):
            return value, 0  # numbers only (a row of a trace): nothing to hide, nothing to copy
        items, total = [], 0
        for item in value:
            item, n = hide_in_json(item, skip)
            items.append(item)
            total += n
        return (items if isinstance(value, list) else tuple(items)), total
    return value, 0
