"""How a model's text is cut into tokens: one `Tokenizer` per convention, chosen by the model's config.json.

    name        a token is                                    "Paris, 1999." reads as
    wikitext    a WikiText-2 word (Moses rules, escapes)      Paris , 1999 .
    whitespace  what str.split() gives (the PyTorch examples  Paris, 1999.
                recipe reads its corpus this way)
    chars       one character                                 P a r i s , ␣ 1 9 9 9 .

In all three a line break is its own token, `<eos>` (a file's lines each end with one). Every tokenizer
first normalizes the text (`normalize_text`): Unicode NFC, so text pasted from macOS or a PDF with
decomposed accents ("e" + U+0301) reads as the vocabulary's "é"; no-break and other wide spaces become a
plain space; invisible format characters (zero-width spaces and joiners, bidi marks, a BOM, soft hyphens)
are dropped. Every path that reads text (the app, the CLI, eval --raw, training from raw text) goes
through `Tokenizer.tokenize`, so no caller can forget it. Files are read with `read_text`, which names the
file and the byte when a file is not UTF-8.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from lstmlm.wikitext import EOS, JOINERS, detokenize, split_wikitext

# Spaces that are not U+0020 (no-break, thin, ideographic, ...) read as a plain space; invisible format
# characters are dropped: soft hyphen, zero-width space/non-joiner/joiner, left-to-right and bidi marks,
# word joiner and invisible operators, variation selectors, and the byte order mark inside text.
_SPACES = [0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000]
_INVISIBLE = [0xAD, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2070)]
_INVISIBLE += [*range(0xFE00, 0xFE10), 0xFEFF]
_CLEAN: dict[int, str | None] = {c: " " for c in _SPACES} | dict.fromkeys(_INVISIBLE) | {ord("\r"): "\n"}
_TO_CLEAN = re.compile("[" + "".join(map(chr, _CLEAN)) + "]")  # a search is ~50x faster than translate


def normalize_text(text: str) -> str:
    """Text as every tokenizer reads it: CRLF and CR -> LF, other spaces -> " ", invisible format
    characters dropped, then Unicode NFC (composed accents)."""
    if _TO_CLEAN.search(text):  # before NFC: a joiner can sit inside "e" + U+0301
        text = text.replace("\r\n", "\n").translate(_CLEAN)
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


class TextFileError(ValueError):
    """A text file that is not UTF-8; the message names the file, the byte and the fix."""


# a line break (<eos>) and a space (a character model's token) as a person sees them on screen or a terminal:
# the playground's labels (playground/display.py) and the CLI's output both use this
VISIBLE = {EOS: "⏎", " ": "␣"}

BINARY_PROBE = 65536  # how far into a text (or a file's bytes) a NUL is looked for


def binary_offset(data: str | bytes) -> int | None:
    """Where the first NUL is in the first BINARY_PROBE characters (bytes) of `data`, or None. A NUL is
    what marks binary data (an executable, an image, a zip, a UTF-16 file): no text written as UTF-8 or a
    one-byte encoding holds one. The one test every reader of text files and uploads goes through."""
    offset = data[:BINARY_PROBE].find("\x00" if isinstance(data, str) else b"\x00")
    return None if offset < 0 else offset


def read_text(path: str | os.PathLike) -> str:
    """A whole text file as UTF-8 (a leading BOM dropped). Raises TextFileError naming the file: for
    binary data (`binary_offset`) that it is not a text file; otherwise the position of the first byte
    that is not UTF-8 and how to re-encode it. OSError if it cannot be read."""
    data = Path(path).read_bytes()
    if (nul := binary_offset(data)) is not None:
        raise TextFileError(
            f"{path} is not a text file: it holds binary data (a NUL byte at offset {nul:,}), e.g. a "
            "program, an image, an archive or a UTF-16 document. Give a plain text file (.txt, UTF-8); "
            "save a document as plain text first"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        offset = e.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line = data.count(b"\n", 0, offset) + 1
        bad = data[offset : offset + 1].hex()
        raise TextFileError(
            f"{path} is not UTF-8 text: the byte at offset {offset:,} (line {line}) is 0x{bad} "
            f"({e.reason}). Re-encode the file as UTF-8, e.g. from Windows-1252: iconv -f cp1252 -t utf-8 "
            f"{_shell_word(path)} > utf8.txt (or save it as UTF-8 in your editor)"
        ) from None


def _shell_word(path: str | os.PathLike) -> str:
    import shlex

    return shlex.quote(str(path))


@dataclass(frozen=True)
class Tokenizer:
    """Text <-> tokens by one convention (see the module docstring). Use the instances WIKITEXT,
    WHITESPACE, CHARS, or `get_tokenizer(name)` with the name a model's config.json records."""

    name: ClassVar[str]
    unit: ClassVar[str]  # what one step of the model reads: "word" or "character"
    description: ClassVar[str]  # one line for people: how this model reads text

    def tokenize(self, text: str) -> list[str]:
        """Normalize `text` (see `normalize_text`) and cut it into tokens; each line break is `<eos>`."""
        return self._split(normalize_text(text))

    def _split(self, text: str) -> list[str]:
        raise NotImplementedError

    def detokenize(self, tokens: Iterable[str]) -> str:
        """Tokens back to readable text; `<eos>` becomes a line break."""
        return "".join(space + text for space, text in self.pieces(list(tokens)))

    def pieces(self, tokens: Sequence[str]) -> list[tuple[str, str]]:
        """(space before, text) of each token, so that joining them all gives `detokenize(tokens)`."""
        raise NotImplementedError

    def append(self, text: str, tokens: Sequence[str]) -> str:
        """`text` followed by `tokens`, spaced as `detokenize` would space them; `text` itself is kept."""
        if not tokens:
            return text
        glue = self.pieces(["x", tokens[0]])[1][0] if text and not text[-1].isspace() else ""
        pieces = self.pieces(list(tokens))
        return text + glue + pieces[0][1] + "".join(space + t for space, t in pieces[1:])

    def rejoin(self, tokens: Sequence[str]) -> str:
        """A text that this tokenizer reads back as `tokens` (not necessarily the readable one): exactly for
        whitespace and chars; for wikitext tokens joined by spaces, which re-split only name parts such as
        "'Brien" (O'Brien)."""
        return " ".join(tokens)


@dataclass(frozen=True)
class WhitespaceTokenizer(Tokenizer):
    """Words are what str.split() gives, punctuation attached ("Paris," "(1999)"), as the PyTorch examples
    recipe reads its corpus (`line.split() + ['<eos>']`); detokenize joins with spaces."""

    name: ClassVar[str] = "whitespace"
    unit: ClassVar[str] = "word"
    description: ClassVar[str] = (
        'words split at spaces only: punctuation stays on its word ("Paris," is one word)'
    )

    def _split(self, text: str) -> list[str]:
        tokens: list[str] = []
        for n, line in enumerate(text.split("\n")):
            if n:
                tokens.append(EOS)
            tokens += line.split()
        return tokens

    def pieces(self, tokens: Sequence[str]) -> list[tuple[str, str]]:
        out, previous = [], EOS  # no space at the start of the text or of a line
        for token in tokens:
            out.append(("", "\n") if token == EOS else ("" if previous == EOS else " ", token))
            previous = token
        return out


@dataclass(frozen=True)
class CharTokenizer(Tokenizer):
    """Every character is a token (a space too); a line break is `<eos>`. A character the vocabulary lacks
    reads as `<unk>` when encoded. Detokenize concatenates."""

    name: ClassVar[str] = "chars"
    unit: ClassVar[str] = "character"
    description: ClassVar[str] = "one character at a time (a space and a line break are characters too)"

    def _split(self, text: str) -> list[str]:
        return [EOS if c == "\n" else c for c in text]

    def pieces(self, tokens: Sequence[str]) -> list[tuple[str, str]]:
        return [("", "\n" if t == EOS else t) for t in tokens]

    def rejoin(self, tokens: Sequence[str]) -> str:
        return "".join("\n" if t == EOS else t for t in tokens)


@dataclass(frozen=True)
class WikiTextTokenizer(Tokenizer):
    """WikiText-2's words: Moses rules, "1 @,@ 000" number escapes, clitics split ("don 't"); see
    lstmlm.wikitext. A model with no "tokenizer" in its config.json reads text this way."""

    name: ClassVar[str] = "wikitext"
    unit: ClassVar[str] = "word"
    description: ClassVar[str] = (
        'WikiText words: punctuation split off ("Paris," is "Paris" ","), numbers escaped'
    )

    def _split(self, text: str) -> list[str]:
        return split_wikitext(text)

    def detokenize(self, tokens: Iterable[str]) -> str:
        return detokenize(tokens)

    def pieces(self, tokens: Sequence[str]) -> list[tuple[str, str]]:
        out = detokenize(tokens)  # one pass; then find each token's text in it (tokens hold no spaces)
        pieces, pos = [], 0
        for tok in tokens:
            text = "\n" if tok == EOS else JOINERS.get(tok, tok)
            space_end = pos
            while space_end < len(out) and out[space_end] == " ":
                space_end += 1
            if out.startswith(text, space_end):
                pieces.append((out[pos:space_end], text))
                pos = space_end + len(text)
            else:  # not expected; keep going with plain spacing
                pieces.append((" ", text))
        return pieces

    def append(self, text: str, tokens: Sequence[str]) -> str:
        if not tokens:
            return text
        before_tokens = self.tokenize(text)
        before, after = detokenize(before_tokens), detokenize([*before_tokens, *tokens])
        suffix = after[len(before) :] if after.startswith(before) else " " + detokenize(tokens)
        if not text or text[-1].isspace():
            suffix = suffix.lstrip(" ")
        return text + suffix


WIKITEXT, WHITESPACE, CHARS = WikiTextTokenizer(), WhitespaceTokenizer(), CharTokenizer()
TOKENIZERS: dict[str, Tokenizer] = {t.name: t for t in (WIKITEXT, WHITESPACE, CHARS)}
DEFAULT_TOKENIZER = WIKITEXT  # a config.json without "tokenizer" (the bundled models, older saves)


def get_tokenizer(name: str | None) -> Tokenizer:
    """The tokenizer a config.json names (None: the default, wikitext). ValueError for any other name."""
    if name is None:
        return DEFAULT_TOKENIZER
    try:
        return TOKENIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown tokenizer {name!r}: choose one of {', '.join(TOKENIZERS)}") from None


def tokenize(text: str) -> list[str]:
    """Split free text into WikiText-2 tokens (normalized first); each line break becomes <eos>."""
    return WIKITEXT.tokenize(text)
