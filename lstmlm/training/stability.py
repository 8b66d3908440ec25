"""Does a perplexity depend on how the text is cut? Per-column perplexities and batch 1 against batch N.

`evaluate` (the standard protocol) cuts a file into B columns, each read from a zero state with the state
carried through it. A model that reads long texts stably gives the same perplexity at batch 1 (one column:
the whole file from one zero state) and batch 10 (ten columns, ten zero-state starts), and its columns
differ only as much as their texts do. A model whose cell state runs away over a long read, or that goes
wrong after some zero-state starts and stays wrong, does not: its columns spread widely and the figure
depends on B. `lstmlm eval --check-stability` prints what this module computes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from lstmlm.data import batch_starts, batchify, get_batch
from lstmlm.model import LanguageModel

# the literature's setting (and `lstmlm eval`'s defaults): batch 10, bptt 35, the state carried through
STANDARD_BATCH_SIZE, STANDARD_BPTT = 10, 35


@dataclass
class ColumnScores:
    """Negative log-likelihood (nats) summed per column, and the words scored in each column."""

    nll: list[float]  # (B,) summed NLL of each column
    words: list[int]  # (B,) targets scored in each column

    @property
    def perplexities(self) -> list[float]:
        """exp(mean NLL) of each column."""
        return [math.exp(min(n / max(w, 1), 700)) for n, w in zip(self.nll, self.words, strict=True)]

    @property
    def perplexity(self) -> float:
        """exp(mean NLL) over all columns: what `evaluate` reports."""
        return math.exp(min(sum(self.nll) / max(sum(self.words), 1), 700))


@torch.no_grad()
def column_scores(model: LanguageModel, ids: torch.Tensor, batch_size: int, bptt: int) -> ColumnScores:
    """Score 1-D `ids` as `evaluate` does (B columns, windows of `bptt`, state carried), per column.

    Raises ValueError when `ids` are too few for `batch_size` columns of at least 2 words."""
    if bptt < 1:
        raise ValueError(f"bptt must be >= 1, got {bptt}")
    data = batchify(ids, batch_size)  # (T, B)
    was_training = model.training
    model.eval()
    state = model.init_state(batch_size)
    nll = torch.zeros(batch_size, dtype=torch.float64)
    words = 0
    for start in batch_starts(data, bptt):
        inputs, targets = get_batch(data, start, bptt)  # (t, B) each
        features, state = model(inputs, state)  # (t, B, H)
        nll += model.token_losses(features, targets).sum(0).double()  # (B,)
        words += targets.size(0)
    model.train(was_training)
    return ColumnScores(nll.tolist(), [words] * batch_size)


def check_stability(model: LanguageModel, ids: torch.Tensor, batch_size: int, bptt: int) -> dict:
    """Per-column perplexities at `batch_size`, and the whole file at another batch size (1, or 10 when
    `batch_size` is 1), as a JSON-ready dict:

    columns: perplexity of each column; column_words: words each column scored; spread: max/min column
    perplexity; batch_size / perplexity: the figure at `batch_size`; other_batch_size / other_perplexity;
    relative_difference: other/this - 1 (0.02 = 2% higher at the other batch size)."""
    scores = column_scores(model, ids, batch_size, bptt)
    other_batch = 1 if batch_size != 1 else STANDARD_BATCH_SIZE
    other = column_scores(model, ids, other_batch, bptt).perplexity
    columns = scores.perplexities
    return {
        "batch_size": batch_size,
        "perplexity": scores.perplexity,
        "columns": columns,
        "column_words": scores.words[0],
        "spread": max(columns) / min(columns),
        "other_batch_size": other_batch,
        "other_perplexity": other,
        "relative_difference": other / scores.perplexity - 1,
    }
