"""Corpus files -> tensors of word ids -> BPTT batches.

A corpus folder holds `train.txt`, `valid.txt` and `test.txt` (the WikiText-2 / Penn Treebank layout):
space-separated tokens, and every line ends with one `<eos>`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from .vocab import EOS, Vocab, tokenize


def read_tokens(path: str | os.PathLike, raw: bool = False) -> list[str]:
    """All tokens of a file, `<eos>` after each line; `raw=True` runs the free-text tokenizer first."""
    tokens: list[str] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            tokens.extend(tokenize(line.rstrip("\n")) if raw else line.split())
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
    ) -> Corpus:
        """Read train/valid/test.txt; the vocabulary is built from train unless one is given
        (capped to the `max_vocab` most frequent words, 0 = all; `exclude(word)` True leaves a word out)."""
        folder = Path(folder)
        train_tokens = read_tokens(folder / "train.txt")
        vocab = vocab or Vocab.from_tokens(train_tokens, max_size=max_vocab, exclude=exclude)
        test_path = folder / "test.txt"
        return cls(
            vocab=vocab,
            train=ids_tensor(vocab, train_tokens),
            valid=ids_tensor(vocab, read_tokens(folder / "valid.txt")),
            test=ids_tensor(vocab, read_tokens(test_path)) if test_path.exists() else None,
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
    ) -> Corpus:
        """Tokenize plain text; with no validation file the last `valid_fraction` of lines is held out.
        `max_vocab` and `exclude` shape the vocabulary as in `from_folder`."""
        if valid_file is None:
            lines = Path(train_file).read_text(encoding="utf-8").split("\n")
            if lines[-1] == "":  # the file's final line break ends the last line; it starts no new one
                lines.pop()
            if len(lines) < 2:
                raise ValueError(f"{train_file}: needs at least 2 lines to hold some out for validation")
            n_valid = max(1, int(len(lines) * valid_fraction))
            train_tokens = _raw_lines(lines[:-n_valid])
            valid_tokens = _raw_lines(lines[-n_valid:])
        else:
            train_tokens = read_tokens(train_file, raw=True)
            valid_tokens = read_tokens(valid_file, raw=True)
        vocab = vocab or Vocab.from_tokens(train_tokens, max_size=max_vocab, exclude=exclude)
        return cls(vocab, ids_tensor(vocab, train_tokens), ids_tensor(vocab, valid_tokens), None)


def _raw_lines(lines: list[str]) -> list[str]:
    tokens: list[str] = []
    for line in lines:
        tokens.extend(tokenize(line))
        tokens.append(EOS)
    return tokens


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
        raise ValueError(f"{ids.numel()} words are too few for batch size {batch_size}")
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
