"""Corpus files -> tensors of token ids -> BPTT batches.

A corpus folder holds `train.txt`, `valid.txt` and `test.txt` (the WikiText-2 / Penn Treebank layout):
space-separated tokens, and every line ends with one `<eos>`. Given a tokenizer (`lstmlm.tokenizers`), the
same files, or one raw text file, are read as free text and cut by it (characters, for a character model).
Files must be UTF-8; `read_text` says which byte of which file is not.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from lstmlm.tokenizers import WIKITEXT, Tokenizer, read_text
from lstmlm.vocab import EOS, Vocab


def read_tokens(
    path: str | os.PathLike,
    raw: bool = False,
    tokenizer: Tokenizer | None = None,
    keep: Callable[[str], bool] | None = None,
) -> list[str]:
    """All tokens of a file, `<eos>` after each line. The file is read as already tokenized (split on
    whitespace) unless a `tokenizer` is given, or `raw=True` (the WikiText tokenizer), which cuts each line
    of free text. `keep`: read only the lines it accepts (e.g. `is_prose`). Raises TextFileError (a
    ValueError) naming the byte when the file is not UTF-8."""
    if raw and tokenizer is None:
        tokenizer = WIKITEXT
    lines = text_lines(read_text(path))
    return lines_tokens([line for line in lines if keep(line)] if keep else lines, tokenizer)


PROSE_MIN_WORDS = 8  # `is_prose`: a line of running text has this many words or ends a sentence...
PROSE_MIN_LOWER = 0.6  # ...and at least this share of its cased letters in lower case
SENTENCE_END = tuple(".!?…\"'”’»")  # a line ending so (a short line of dialogue) ends a sentence


def is_prose(line: str) -> bool:
    """Whether a line of a corpus reads as running text: at least PROSE_MIN_WORDS whitespace-separated words
    or a sentence of two or more ("'I can.'"), with at least PROSE_MIN_LOWER of its cased letters lower case.
    A book's title page and copyright lines ("COPYRIGHT, 1912 BY FREDERICK WARNE & Co."), chapter headings,
    "[Illustration]" markers, tables of contents and WikiText's "= = Heading = =" lines are not. A line of a
    script without case (Chinese, Japanese) counts as running text at 20 characters or more. Meant for a
    corpus of one paragraph a line: a hard-wrapped text's short last lines would be dropped."""
    cased = [c for c in line if c.islower() or c.isupper()]
    if not cased:
        return len(line.strip()) >= 20 and any(c.isalpha() for c in line)
    words = line.split()
    if len(words) < PROSE_MIN_WORDS and not (len(words) >= 2 and line.rstrip().endswith(SENTENCE_END)):
        return False
    return sum(c.islower() for c in cased) >= PROSE_MIN_LOWER * len(cased)


def text_lines(text: str) -> list[str]:
    """The lines of a file's text (LF, CRLF or CR); its final line break ends the last line, it starts
    no new one. With `lines_tokens`, how every file is read: a string read so gives a file's tokens."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def lines_tokens(lines: list[str], tokenizer: Tokenizer | None) -> list[str]:
    """The tokens of `lines` (each cut by `tokenizer`; None: split on whitespace), `<eos>` after each."""
    tokens: list[str] = []
    for line in lines:
        tokens.extend(tokenizer.tokenize(line) if tokenizer is not None else line.split())
        tokens.append(EOS)
    return tokens


@dataclass
class Corpus:
    """The three splits as 1-D LongTensors of ids over one shared vocabulary."""

    vocab: Vocab
    train: torch.Tensor
    valid: torch.Tensor
    test: torch.Tensor | None

    @classmethod
    def from_folder(
        cls,
        folder: str | os.PathLike,
        vocab: Vocab | None = None,
        max_vocab: int = 0,
        exclude: Callable[[str], bool] | None = None,
        tokenizer: Tokenizer | None = None,
    ) -> Corpus:
        """Read train/valid/test.txt; the vocabulary is built from train unless one is given
        (capped to the `max_vocab` most frequent words, 0 = all; `exclude(word)` True leaves a word out).
        The files are read as tokenized WikiText (split on whitespace; the vocabulary's tokenizer is then
        `wikitext`) unless a `tokenizer` is given, which cuts their lines as free text."""
        folder = Path(folder)
        train_tokens = read_tokens(folder / "train.txt", tokenizer=tokenizer)
        vocab = vocab or Vocab.from_tokens(
            train_tokens, max_size=max_vocab, exclude=exclude, tokenizer=tokenizer or WIKITEXT
        )
        test_path = folder / "test.txt"
        return cls(
            vocab=vocab,
            train=ids_tensor(vocab, train_tokens),
            valid=ids_tensor(vocab, read_tokens(folder / "valid.txt", tokenizer=tokenizer)),
            test=ids_tensor(vocab, read_tokens(test_path, tokenizer=tokenizer))
            if test_path.exists()
            else None,
        )

    @classmethod
    def from_raw_text(
        cls,
        train_file: str | os.PathLike,
        valid_file: str | os.PathLike | None = None,
        valid_fraction: float = 0.1,
        vocab: Vocab | None = None,
        max_vocab: int = 0,
        exclude: Callable[[str], bool] | None = None,
        tokenizer: Tokenizer = WIKITEXT,
    ) -> Corpus:
        """Cut plain text with `tokenizer` (the vocabulary records it); with no validation file the last
        `valid_fraction` of lines is held out. `max_vocab` and `exclude` shape the vocabulary as in
        `from_folder`. Raises ValueError (TextFileError for a file that is not UTF-8)."""
        if valid_file is None:
            lines = text_lines(read_text(train_file))
            n_valid = held_out_count(len(lines), valid_fraction, train_file)
            train_tokens = lines_tokens(lines[:-n_valid], tokenizer)
            valid_tokens = lines_tokens(lines[-n_valid:], tokenizer)
        else:
            train_tokens = read_tokens(train_file, tokenizer=tokenizer)
            valid_tokens = read_tokens(valid_file, tokenizer=tokenizer)
        vocab = vocab or Vocab.from_tokens(
            train_tokens, max_size=max_vocab, exclude=exclude, tokenizer=tokenizer
        )
        return cls(vocab, ids_tensor(vocab, train_tokens), ids_tensor(vocab, valid_tokens), None)


def held_out_count(lines: int, valid_fraction: float = 0.1, name: str | os.PathLike = "the text") -> int:
    """How many of a file's last `lines` `Corpus.from_raw_text` holds out for validation when no
    validation file is given: max(1, int(lines x valid_fraction)). ValueError under 2 lines."""
    if lines < 2:
        raise ValueError(f"{name}: needs at least 2 lines to hold some out for validation")
    return max(1, int(lines * valid_fraction))


def held_out_tokens(
    train_file: str | os.PathLike, tokenizer: Tokenizer, valid_fraction: float = 0.1
) -> list[str]:
    """The tokens of the lines `Corpus.from_raw_text(train_file)` held out for validation (its last
    `held_out_count` lines), cut by `tokenizer`: a model's own validation text, read again. Raises as
    `from_raw_text` does (TextFileError, ValueError, OSError)."""
    lines = text_lines(read_text(train_file))
    return lines_tokens(lines[-held_out_count(len(lines), valid_fraction, train_file) :], tokenizer)


def vocabulary_summary(corpus: Corpus, max_vocab: int, hidden_excluded: bool) -> dict:
    """What the model card says about the vocabulary: its size, the cap, and how much of the training
    text reads as <unk> (rare words beyond the cap and, by default, the hidden words): config.json's
    training.vocabulary, for `lstmlm train` and the Live Lab alike."""
    train = corpus.train
    unk = corpus.vocab.unk_id
    unk_tokens = int((train == unk).sum()) if unk is not None else 0
    return {
        "size": len(corpus.vocab),
        "max_vocab": max_vocab,
        "hidden_words_excluded": hidden_excluded,
        "train_tokens": int(train.numel()),
        "train_unk_tokens": unk_tokens,
    }


def ids_tensor(vocab: Vocab, tokens: list[str]) -> torch.Tensor:
    """Tokens -> LongTensor of ids (unknown words -> <unk>)."""
    return torch.tensor(vocab.encode(tokens).ids, dtype=torch.long)


# Starting from sequential data, batchify arranges the dataset into columns.
# For instance, with the alphabet as the sequence and batch size 4, we'd get
# ┌ a g m s ┐
# │ b h n t │
# │ c i o u │
# │ d j p v │
# │ e k q w │
# └ f l r x ┘.
# These columns are treated as independent by the model, which means that the dependence of
# e.g. 'g' on 'f' can not be learned, but allows more efficient batch processing.
# Words that do not fill a whole row (y, z) are dropped.
def batchify(ids: torch.Tensor, batch_size: int) -> torch.Tensor:
    """1-D ids -> (T, B) with each column a contiguous stretch of the text."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    steps = ids.numel() // batch_size
    if steps < 2:
        raise ValueError(f"{ids.numel()} tokens are too few for batch size {batch_size} (2 a column)")
    return ids[: steps * batch_size].view(batch_size, steps).t().contiguous()  # (T, B)


# get_batch subdivides the source data into chunks of length bptt.
# With bptt 2 and the batchified alphabet above, the first two batches are
# ┌ a g m s ┐ ┌ b h n t ┐       ┌ c i o u ┐ ┌ d j p v ┐
# └ b h n t ┘ └ c i o u ┘       └ d j p v ┘ └ e k q w ┘
#    inputs      targets           inputs      targets
# Targets are the inputs shifted one word down: the model always predicts the NEXT word.
# (A well-known tutorial scores the output against its own input instead; that only learns to copy.)
def get_batch(source: torch.Tensor, start: int, bptt: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows [start, start+len) as inputs and rows [start+1, start+1+len) as targets, each (len, B)."""
    seq_len = min(bptt, source.size(0) - 1 - start)
    return source[start : start + seq_len], source[start + 1 : start + 1 + seq_len]


def batch_starts(source: torch.Tensor, bptt: int) -> range:
    """Start rows of the BPTT batches that cover `source`."""
    return range(0, source.size(0) - 1, bptt)
