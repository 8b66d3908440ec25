"""The output layer's next-word distribution, computed piece by piece: an adaptive softmax's head first and a
tail cluster only when asked for (fast_sampling.py decides which clusters a setting needs).

An adaptive softmax (`nn.AdaptiveLogSoftmaxWithLoss`) scores the S most frequent words and one token per
tail cluster in its head; a tail word's log-probability is its cluster token's plus its own in the cluster:

    log p(w) = log head(w)                          w < S                   (a head word)
    log p(w) = log head(cluster c) + log p_c(w)     start_c <= w < stop_c   (a word of tail cluster c)

A tied adaptive softmax (lstmlm/tied_softmax.py) first projects h to the embedding width, z = P h + p, then
scores the head and each cluster's words with their embedding rows and biases, by the same formula.

Every log-probability computed here is the one `model.log_probs` gives, bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from lstmlm.model import LanguageModel
from lstmlm.tied_softmax import TiedAdaptiveSoftmax


class OutputLayer:
    """The output layer as a head of S words (+ one token per tail cluster) and the tail clusters' weights."""

    def __init__(self, model: LanguageModel):
        self.vocab_size = model.config.vocab_size
        self.model = model
        self.clusters: list[tuple[int, int]] = []  # (start, stop) ids of each tail cluster
        # each tail: (hsz, H) and (stop - start, hsz) weights, or (None, (stop - start, E) weight, bias)
        self.tails: list[tuple[torch.Tensor | None, torch.Tensor, torch.Tensor | None]] = []
        self.projection: tuple[torch.Tensor, torch.Tensor] | None = None  # the tied softmax's (E, H), (E,)
        adaptive = getattr(model, "adaptive", None)
        decoder = getattr(model, "decoder", None)
        tied = getattr(model, "tied_softmax", None)
        if model.config.softmax == "adaptive" and isinstance(tied, TiedAdaptiveSoftmax):
            embedding = model.embedding.weight
            self.projection = (_detached(tied.projection.weight), _detached(tied.projection.bias))
            self.head_weight, self.head_bias = (_detached(w) for w in tied.head_weights(embedding))
            self.shortlist, self.clusters = tied.shortlist, list(tied.clusters)
            segments = tied.segments(embedding)[1:]  # each cluster's rows and biases
            self.tails = [(None, _detached(rows), _detached(bias)) for rows, bias in segments]
            self.known = True
        elif model.config.softmax == "adaptive" and _plain_adaptive(adaptive):
            # (S + C, H) and (S + C,) or None: S head words, then one token per tail cluster
            self.head_weight, self.head_bias = _detached(adaptive.head.weight), _detached(adaptive.head.bias)
            self.shortlist = adaptive.shortlist_size
            self.clusters = list(zip(adaptive.cutoffs[:-1], adaptive.cutoffs[1:], strict=True))
            self.tails = [(_detached(t[0].weight), _detached(t[1].weight), None) for t in adaptive.tail]
            self.known = True
        elif model.config.softmax == "full" and isinstance(decoder, nn.Linear):
            self.head_weight, self.head_bias = (
                _detached(decoder.weight),
                _detached(decoder.bias),
            )  # (V, H), (V,)
            self.shortlist = self.vocab_size
            self.known = True
        else:  # an output layer of another shape: model.log_probs gives the whole row
            self.shortlist, self.known = self.vocab_size, False

    def tail_logits(self, c: int, z: torch.Tensor) -> torch.Tensor:
        """Tail cluster c's word scores (1, stop_c - start_c) for z (1, H), or (1, E) when projected."""
        first, second, bias = self.tails[c]
        return F.linear(z if first is None else F.linear(z, first), second, bias)


def _detached(weight: torch.Tensor | None) -> torch.Tensor | None:
    """The same storage without autograd: nothing computed from it records a graph, in no_grad or not."""
    return None if weight is None else weight.detach()


def _plain_adaptive(adaptive) -> bool:
    """An nn.AdaptiveLogSoftmaxWithLoss whose tails are Linear -> Linear without bias (as PyTorch builds
    them)."""
    if not isinstance(adaptive, nn.AdaptiveLogSoftmaxWithLoss):
        return False
    plain = (isinstance(x, nn.Linear) and x.bias is None for tail in adaptive.tail for x in tail)
    return all(len(tail) == 2 for tail in adaptive.tail) and all(plain)


class NextDistribution:
    """The next-word log-probabilities after one step, computed a cluster at a time; every number is the one
    `model.log_probs` gives for it (the same operations on the same (1, H) input).

    head (S,): log p of the head words (ids 0..S-1); cluster_lp[c]: log p of tail cluster c's token;
    cluster(c) (stop_c - start_c,): log p of cluster c's words, computed on first use."""

    def __init__(self, output: OutputLayer, h: torch.Tensor):  # h (1, H): the top layer's output
        self.masked: dict[int, torch.Tensor] = {}  # segment -> its log-probs with blocked ids at -inf
        if not output.known:
            self.output, self.h = output, h
            self.head, self.cluster_lp, self._clusters = output.model.log_probs(h)[0], [], []
            return
        if output.projection is not None:  # the tied softmax scores z = P h + p (1, E)
            h = F.linear(h, *output.projection)
        self.output, self.h = output, h
        head_lp = F.log_softmax(F.linear(h, output.head_weight, output.head_bias), dim=1)  # (1, S + C)
        self._head_lp = head_lp
        self.head = head_lp[0, : output.shortlist]  # (S,)
        self.cluster_lp = head_lp[0, output.shortlist :].tolist()  # C floats (float32 values, exactly)
        self._clusters: list[torch.Tensor | None] = [None] * len(output.clusters)

    def expanded(self, c: int) -> bool:
        return self._clusters[c] is not None

    def cluster(self, c: int) -> torch.Tensor:
        """Log-probabilities (stop_c - start_c,) of tail cluster c's words (as `_get_full_log_prob` does)."""
        got = self._clusters[c]
        if got is None:
            cluster_logprob = F.log_softmax(self.output.tail_logits(c, self.h), dim=1)
            s = self.output.shortlist + c
            got = self._clusters[c] = (cluster_logprob + self._head_lp[:, s].unsqueeze(1))[0]
        return got

    def full(self) -> torch.Tensor:
        """The whole row (V,), equal bit for bit to `model.log_probs(h)[0]`."""
        if not self._clusters:
            return self.head
        return torch.cat([self.head, *(self.cluster(c) for c in range(len(self._clusters)))])

    def segment(self, c: int) -> tuple[int, torch.Tensor]:
        """(first id, log-probs) of segment c: -1 is the head, 0.. the tail clusters."""
        if c < 0:
            return 0, self.head
        return self.output.clusters[c][0], self.cluster(c)

    def value(self, word_id: int) -> torch.Tensor:
        """log p(word_id) as a 0-d float tensor (computing its cluster if needed)."""
        if word_id < self.output.shortlist:
            return self.head[word_id]
        c = next(c for c, (start, stop) in enumerate(self.output.clusters) if start <= word_id < stop)
        return self.cluster(c)[word_id - self.output.clusters[c][0]]

    def rank(self, word_id: int, lp: torch.Tensor) -> int:
        """1 + the number of words strictly likelier than `word_id` (whose log p is lp), as `pick_word`
        counts; a cluster whose token is not likelier than lp holds no such word and is skipped."""
        above = int((self.head > lp).sum())
        bound = float(lp)
        for c, cluster_lp in enumerate(self.cluster_lp):
            if self.expanded(c) or cluster_lp > bound:
                above += int((self.cluster(c) > lp).sum())
        return above + 1


class Blocked:
    """The blocked ids split by segment: head ids, and per tail cluster its local ids (None: it has none)."""

    def __init__(self, output: OutputLayer, blocked: Sequence[int]):
        ids = sorted({int(i) for i in blocked})
        self.ids = ids
        self.head = torch.tensor([i for i in ids if i < output.shortlist], dtype=torch.long)
        self.clusters: list[torch.Tensor | None] = []
        for start, stop in output.clusters:
            local = [i - start for i in ids if start <= i < stop]
            self.clusters.append(torch.tensor(local, dtype=torch.long) if local else None)

    def masked(self, dist: NextDistribution, c: int) -> torch.Tensor:
        """Segment c's log-probs (c = -1: the head) with the blocked ids at -inf (kept on `dist`)."""
        got = dist.masked.get(c)
        if got is None:
            values = dist.head if c < 0 else dist.cluster(c)
            ids = self.head if c < 0 else self.clusters[c]
            got = values if ids is None or not len(ids) else values.index_fill(0, ids, -math.inf)
            dist.masked[c] = got
        return got
