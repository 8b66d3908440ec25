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

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

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
