"""Tokens <-> ids. A vocabulary is a list of tokens (words or characters); a token's id is its position.
Files hold one token per line (`vocab.txt`). `<eos>` ends every line of a corpus and `<unk>` stands for any
token not in the list, as in WikiText-2 and the Penn Treebank.

A vocabulary carries the tokenizer its model reads text with (`lstmlm.tokenizers`; a model's config.json
names it), so `encode_text` reads any prompt the way the model's corpus was read.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lstmlm.messages import Message
from lstmlm.tokenizers import DEFAULT_TOKENIZER, Tokenizer, normalize_text, tokenize
from lstmlm.wikitext import EOS, UNK, detokenize

__all__ = ["EOS", "UNK", "Encoded", "UnknownTokenError", "Vocab", "detokenize", "normalize_text", "tokenize"]


class UnknownTokenError(ValueError):
    """A token the vocabulary lacks, in a vocabulary with no `<unk>` to read it as (e.g. a model wrapped
    from another toolkit); the message names the token and what to do."""


@dataclass
class Encoded:
    """A tokenized text: its tokens, their ids, and the positions of words the vocabulary lacks."""

    tokens: list[str]
    ids: list[int]
    unknown: list[int]  # positions in `tokens` that were mapped to <unk>

    @property
    def unknown_words(self) -> list[str]:
        return [self.tokens[p] for p in self.unknown]


@dataclass
class Vocab:
    """An ordered token list with a reverse index; ids are positions in `words`. `tokenizer` cuts free text
    into these tokens (`encode_text`)."""

    words: list[str]
    tokenizer: Tokenizer = DEFAULT_TOKENIZER
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.index = {}
        for i, w in enumerate(self.words):
            if w in self.index:
                raise ValueError(f"duplicate word {w!r} in vocabulary (ids {self.index[w]} and {i})")
            self.index[w] = i

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.index

    @property
    def unk_id(self) -> int | None:
        return self.index.get(UNK)

    @property
    def eos_id(self) -> int | None:
        return self.index.get(EOS)

    @classmethod
    def from_tokens(
        cls,
        tokens: Iterable[str],
        order: str = "frequency",
        max_size: int = 0,
        exclude: Callable[[str], bool] | None = None,
        tokenizer: Tokenizer = DEFAULT_TOKENIZER,
    ) -> Vocab:
        """Build from a token stream: by frequency (ties: first appearance) or by first appearance.

        `max_size` > 0 keeps only the most frequent words (`<eos>` and `<unk>` included in the count);
        `exclude(word)` True leaves a word out (e.g. `lstmlm.safewords.is_hidden`). Words left out are
        read as `<unk>` when the text is encoded. `tokenizer` is the one the tokens were cut with.
        """
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        for n, t in enumerate(tokens):
            counts[t] += 1
            first.setdefault(t, n)
        total = sum(counts.values())
        if exclude is not None:
            for word in [w for w in counts if w not in (EOS, UNK) and exclude(w)]:
                del counts[word]
        if max_size:
            if max_size < 2:
                raise ValueError(f"max_size must be 0 (no cap) or at least 2, got {max_size}")
            if order != "frequency":
                raise ValueError("max_size needs order='frequency'")
            keep = sorted(counts, key=lambda w: (-counts[w], first[w]))
            keep = [w for w in keep if w not in (EOS, UNK)][: max_size - 2]
            counts = Counter({w: counts[w] for w in [*keep, EOS, UNK] if w in counts})
        if exclude is not None or max_size:  # the words left out are read as <unk>: rank it by that count
            counts[UNK] += total - sum(counts.values())
            first.setdefault(UNK, len(first) + 10**12)
        for special in (EOS, UNK):  # always present, so any text can be encoded
            if special not in counts:
                counts[special] = 0
                first[special] = len(first) + 10**12
        if order == "frequency":
            words = sorted(counts, key=lambda w: (-counts[w], first[w]))
        elif order == "appearance":
            words = sorted(counts, key=lambda w: first[w])
        else:
            raise ValueError(f"order must be 'frequency' or 'appearance', not {order!r}")
        return cls(words, tokenizer)

    @classmethod
    def load(cls, path: str | os.PathLike, tokenizer: Tokenizer = DEFAULT_TOKENIZER) -> Vocab:
        """Read a vocab.txt: one token per line, the line number is the id."""
        text = Path(path).read_text(encoding="utf-8")
        words = text.split("\n")
        if words and words[-1] == "":
            words.pop()
        return cls(words, tokenizer)

    def save(self, path: str | os.PathLike) -> None:
        """Write one word per line (UTF-8)."""
        for w in self.words:
            if "\n" in w or w == "":
                raise ValueError(f"cannot save word {w!r}: words must be non-empty single-line strings")
        Path(path).write_text("\n".join(self.words) + "\n", encoding="utf-8")

    def encode(self, tokens: list[str]) -> Encoded:
        """Map tokens to ids; tokens not in the vocabulary become <unk> and are reported.
        Raises UnknownTokenError for such a token when the vocabulary has no <unk>."""
        unk = self.unk_id
        ids, unknown = [], []
        for pos, t in enumerate(tokens):
            i = self.index.get(t)
            if i is None:
                if unk is None:
                    raise UnknownTokenError(self._no_unk_message(t))
                i = unk
                unknown.append(pos)
            ids.append(i)
        return Encoded(tokens=list(tokens), ids=ids, unknown=unknown)

    def _no_unk_message(self, token: str) -> Message:
        shown = repr(token) if len(token) == 1 or not token.isprintable() else f'"{token}"'
        return Message(
            "vocab.no_unk",
            "{token} is not in this model's vocabulary, and the vocabulary has no {unk} to stand for "
            "unknown {unit}s (it came from a toolkit without one): use only {unit}s the model knows"
            " (its vocab.txt lists all {size:,})",
            token=shown,
            unk=UNK,
            unit=self.tokenizer.unit,
            size=len(self),
        )

    def encode_text(self, text: str) -> Encoded:
        """Tokenize free text with this vocabulary's tokenizer (normalizing it first), then encode it."""
        return self.encode(self.tokenizer.tokenize(text))

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Ids back to words."""
        return [self.words[int(i)] for i in ids]
