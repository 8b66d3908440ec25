"""Surprisal (as in GLTR): how likely the model found each word of the prompt, its rank among all the words
it knows, and the prompt's perplexity.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from lstmlm.messages import Message
from lstmlm.model import LanguageModel, State
from lstmlm.sampling import start_state, top_words
from lstmlm.trace import trace

BUCKETS = ((10, "top-10"), (100, "top-100"), (1000, "top-1000"))  # by rank; any other rank is "beyond"


def rank_bucket(rank: int) -> str:
    """GLTR's bucket of a rank (1 = most likely): top-10, top-100, top-1000 or beyond."""
    return next((name for limit, name in BUCKETS if rank <= limit), "beyond")


@dataclass
class WordSurprisal:
    """One word of the prompt under the model's prediction from the words before it."""

    position: int
    word: str  # the vocabulary's word (<unk> for a word it lacks)
    id: int
    prob: float
    rank: int  # 1 = the model's first choice
    bucket: str  # top-10 | top-100 | top-1000 | beyond
    bits: float  # surprisal -log2 p
    expected: list[str]  # what the model expected there instead, most likely first
    expected_probs: list[float]
    known: bool = True  # False: a word outside the vocabulary; its numbers are <unk>'s, not the word's


@dataclass
class Surprisal:
    """Every scored word of a prompt, and the prompt's perplexity over them."""

    words: list[WordSurprisal]
    perplexity: float  # over the known words only (nan if there are none)
    bits_per_word: float


@torch.no_grad()
def surprisal(
    model: LanguageModel,
    ids: Sequence[int],
    k: int = 5,
    state: State | None = None,
    first_word: bool = True,
    unknown: Sequence[int] = (),
) -> Surprisal:
    """Probability, rank, GLTR bucket and surprisal in bits of each word, and the prompt's perplexity.

    With `first_word` the first word is scored from the start state (after a line break unless `state` is
    given); without it scoring starts at the second word. `unknown` lists the positions of words outside
    the vocabulary (read as <unk>): they get `known=False` and are left out of the perplexity, because
    <unk>'s probability is that of *any* rare word, not of the word typed.
    """
    ids = [int(i) for i in ids]
    if len(ids) < (1 if first_word else 2):
        raise ValueError(Message("surprisal.short", "the prompt is too short: type a few words"))
    state = state if state is not None else start_state(model)
    tr = trace(model, ids, state)
    h = state[0] if isinstance(state, tuple) else state  # (L, 1, H): an LSTM's state is (h, c)
    before_first = model.log_probs(h[-1, 0])[None]  # (1, V): the prediction from the start state
    rows = torch.cat([before_first, tr.log_probs[:-1, 0]])  # (T, V): row t predicts word t
    words, bits_sum, unknown = [], 0.0, set(unknown)
    for t in range(0 if first_word else 1, len(ids)):
        row = rows[t]
        target = row[ids[t]]
        rank = int((row > target).sum()) + 1
        bits = float(-target) / math.log(2)
        expected = top_words(row, model.vocab, k)
        word = model.vocab.words[ids[t]]
        known = t not in unknown
        words.append(WordSurprisal(t, word, ids[t], float(target.exp()), rank, rank_bucket(rank), bits,
                                   expected.words, expected.probs, known))  # fmt: skip
        bits_sum += bits if known else 0.0
    n_known = sum(w.known for w in words)
    bpw = bits_sum / n_known if n_known else math.nan
    return Surprisal(words, 2.0**bpw, bpw)
