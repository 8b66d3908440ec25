"""One prompt through several models (e.g. the LSTM, the GRU and the plain RNN): each model's next-word
distribution and its perplexity on the prompt, computed the same way for every cell type.

Every model reads the prompt from its own line-start state (`start_state`), like every view of the
playground; the first word is scored from that state too, so the perplexity is over all the prompt's
words, exactly as the Surprisal view counts them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from lstmlm.cells import CELL_NAMES
from lstmlm.model import LanguageModel, State
from lstmlm.sampling import entropy_bits, start_state, top_words
from lstmlm.vocab import Vocab


@dataclass
class PromptScore:
    """What one model makes of one prompt."""

    name: str
    cell: str
    tokens: list[str]  # the prompt as this model reads it (its vocabulary may differ)
    unknown: int  # how many of them it reads as <unk>
    words: list[str]  # the most likely next words, most likely first
    probs: list[float]
    entropy_bits: float  # of the whole next-word distribution
    perplexity: float | None  # on the prompt's words; None for an empty prompt
    bits_per_word: float | None
    word_bits: list[float]  # surprisal -log2 p of each prompt word given the words before it
    next_log_probs: torch.Tensor = field(repr=False, default=None)  # (V,) the whole next-word distribution

    def prob_of(self, vocab: Vocab, word: str) -> float | None:
        """The probability this model (whose vocabulary is `vocab`) gives `word` next; None if it lacks it."""
        i = vocab.index.get(word)
        return None if i is None else float(self.next_log_probs[i].exp())


@torch.no_grad()
def line_log_probs(model: LanguageModel, ids: Sequence[int], state: State | None = None) -> torch.Tensor:
    """(T+1, V) log-probabilities: row t predicts word t from the words before it (row 0 from the
    line-start state, `start_state(model)` unless given), the last row predicts the word after the prompt."""
    state = state if state is not None else start_state(model)
    h = state[0] if isinstance(state, tuple) else state  # (L, 1, H)
    first = model.log_probs(h[-1])  # (1, V)
    if not len(ids):
        return first
    x = model.embedding(torch.as_tensor([int(i) for i in ids], dtype=torch.long)[:, None])  # (T, 1, E)
    out, _ = model.rnn(x, state)  # (T, 1, H)
    return torch.cat([first, model.log_probs(out[:, 0])])


def score_prompt(
    model: LanguageModel, ids: Sequence[int], name: str = "", k: int = 10, state: State | None = None
) -> PromptScore:
    """Score a prompt given as the model's word ids (read from the line start, or `state` if given)."""
    ids = [int(i) for i in ids]
    tokens = model.vocab.decode(ids)
    unknown = sum(1 for i in ids if i == model.vocab.unk_id)
    rows = line_log_probs(model, ids, state)  # (T+1, V)
    nxt = top_words(rows[-1], model.vocab, k)
    word_bits = [float(-rows[t, i]) / math.log(2) for t, i in enumerate(ids)]
    bpw = sum(word_bits) / len(word_bits) if word_bits else None
    return PromptScore(
        name=name or model.config.cell,
        cell=model.config.cell,
        tokens=list(tokens),
        unknown=unknown,
        words=nxt.words,
        probs=nxt.probs,
        entropy_bits=entropy_bits(rows[-1]),
        perplexity=2.0**bpw if bpw is not None else None,
        bits_per_word=bpw,
        word_bits=word_bits,
        next_log_probs=rows[-1],
    )


def model_label(model: LanguageModel) -> str:
    """'LSTM 2×512' style label from the model's config."""
    c = model.config
    return f"{CELL_NAMES.get(c.cell, c.cell)} {c.num_layers}×{c.hidden_dim}"
