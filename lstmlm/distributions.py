"""Next-word distributions: the sampling settings' checks (temperature, top-k, top-p), masking the words never
drawn, reshaping a distribution by the settings, the top words and the entropy of a row.

`lstmlm.sampling` (the generation loop) draws from what `reshape` returns, and re-exports these names.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from lstmlm.messages import Message
from lstmlm.vocab import Vocab

MAX_TOP_K_SHOWN = 1000


@dataclass
class NextWords:
    """The top-k next words with their probabilities, and the entropy of the whole distribution."""

    words: list[str]
    ids: list[int]
    probs: list[float]
    entropy_bits: float


# when every word is blocked; fast_sampling.py raises it too
NOTHING_LEFT = Message(
    "sampling.nothing_left", "every word this model could say is hidden or <unk>: nothing is left to sample"
)


def check_settings(temperature: float, top_k: int, top_p: float) -> None:
    """Raise ValueError saying what is allowed for a temperature / top-k / top-p the sampler cannot use."""
    # x != x is NaN; unlike math.isnan it also takes ints too large for a float
    if not _is_real(temperature) or temperature != temperature or temperature < 0:
        raise ValueError(
            Message(
                "sampling.temperature",
                "temperature must be a number >= 0 (0 = always the most likely word), got {temperature}",
                temperature=temperature,
            )
        )
    if not _is_finite(temperature):
        raise ValueError(
            Message(
                "sampling.temperature_finite",
                "temperature must be finite (large values make every word equally likely)",
            )
        )
    if isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral) or top_k < 0:
        raise ValueError(
            Message(
                "sampling.top_k", "top_k must be a whole number >= 0 (0 = no limit), got {top_k}", top_k=top_k
            )
        )
    if not _is_real(top_p) or top_p != top_p or not 0 < top_p <= 1:
        raise ValueError(
            Message("sampling.top_p", "top_p must be in (0, 1] (1 = no limit), got {top_p}", top_p=top_p)
        )


def _is_real(x) -> bool:
    """A plain or NumPy number (not a bool, not a string)."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _is_finite(x) -> bool:
    """A number a float can hold (10**400 is an int, but no float)."""
    try:
        return math.isfinite(x)
    except OverflowError:
        return False


def entropy_bits(log_probs: torch.Tensor) -> float:
    """Entropy in bits of a distribution given as log-probabilities (V,)."""
    p = log_probs.exp()
    # max: a one-word distribution sums to -0.0, which would print as "-0.0 bits"
    return max(0.0, float(-(p * log_probs).nan_to_num().sum() / math.log(2)))


def top_words(log_probs: torch.Tensor, vocab: Vocab, k: int = 10) -> NextWords:
    """The k most likely next words of a (V,) log-probability row."""
    k = max(1, min(int(k), log_probs.numel(), MAX_TOP_K_SHOWN))
    values, ids = log_probs.topk(k)
    return NextWords(
        words=vocab.decode(ids.tolist()),
        ids=ids.tolist(),
        probs=values.exp().tolist(),
        entropy_bits=entropy_bits(log_probs),
    )


def mask_words(log_probs: torch.Tensor, blocked: Sequence[int]) -> torch.Tensor:
    """Log-probabilities (V,) with the `blocked` ids at probability 0 and the rest renormalized:
    log p'(w) = log p(w) - log(sum of p over the words not blocked). ValueError if nothing is left."""
    if not len(blocked):
        return log_probs
    masked = log_probs.index_fill(0, torch.as_tensor(list(blocked), dtype=torch.long), -math.inf)
    total = torch.logsumexp(masked.double(), 0)
    if not torch.isfinite(total):
        raise ValueError(NOTHING_LEFT)
    return (masked.double() - total).to(log_probs.dtype)


def reshape(
    log_probs: torch.Tensor,
    temperature: float = 1.0,
    top_k: int = 0,
    top_p: float = 1.0,
    blocked: Sequence[int] = (),
) -> torch.Tensor:
    """Sampling distribution (V,): the `blocked` ids masked out (`mask_words`), then temperature, top-k and
    top-p; temperature 0 = greedy (the most likely word not blocked)."""
    check_settings(temperature, top_k, top_p)
    log_probs = mask_words(log_probs, blocked)
    if temperature == 0:
        probs = torch.zeros_like(log_probs)
        probs[log_probs.argmax()] = 1.0
        return probs
    # float64, shifted so the top word's logit is 0: a temperature like 1e-300 neither rounds to 0 (0/0 = NaN)
    # nor leaves every logit at -inf
    logits = (log_probs.double() - log_probs.max()) / float(temperature)
    if top_k and top_k < logits.numel():  # exactly k words, even when several tie with the k-th
        keep = torch.zeros_like(logits, dtype=torch.bool).scatter_(0, logits.topk(top_k).indices, True)
        logits = logits.masked_fill(~keep, -math.inf)
    probs = torch.softmax(logits, dim=-1)
    if top_p < 1.0:
        sorted_p, order = probs.sort(descending=True)
        before = sorted_p.cumsum(0) - sorted_p  # mass of the words ranked above each word
        drop = before >= top_p  # keep the smallest set whose mass reaches top_p
        drop[0] = False  # and at least the most likely word, however small top_p is
        sorted_p = sorted_p.masked_fill(drop, 0.0)
        probs = torch.zeros_like(probs).scatter_(0, order, sorted_p)
        probs = probs / probs.sum()
    return probs.to(log_probs.dtype)
