"""A tied adaptive softmax: the output layer scores words with the input embedding's own rows.

The top layer's output h (H,) is projected to the embedding width E, z = P h + p (the "projection", a
Linear H -> E). The S most frequent words (ids 0..S-1) and one token per tail cluster share the head; a tail
word is scored inside its cluster. Every word, head or tail, is scored with its embedding row e_w at the full
width E and a bias b_w, so the tying is exact (as awd-lstm-lm's SplitCrossEntropyLoss; Merity et al. 2017,
after Grave et al. 2017; tying: Inan et al. 2016, Press & Wolf 2017). Cluster token c has its own (E,) weight
u_c and bias a_c:

    head(z)   = log_softmax([e_0.z + b_0, ..., e_{S-1}.z + b_{S-1}, u_1.z + a_1, ..., u_C.z + a_C])
    log p(w)  = head(z)[w]                                                  w < S
    log p(w)  = head(z)[S + c] + log_softmax_{v in c}(e_v.z + b_v)[w]      start_c <= w < stop_c

Parameter names: projection.weight (E, H), projection.bias (E,), bias (V,), cluster_weight (C, E),
cluster_bias (C,). The embedding (V, E) is not held here: every method takes it (the model's own).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class TiedAdaptiveSoftmax(nn.Module):
    """The output layer above, for a vocabulary of `vocab_size` ids sorted by frequency (most frequent first)
    split at `cutoffs` (increasing, each in 1..vocab_size-1): head ids 0..cutoffs[0]-1, then the clusters."""

    def __init__(self, hidden_dim: int, embed_dim: int, vocab_size: int, cutoffs: list[int]):
        super().__init__()
        edges = [int(c) for c in cutoffs if 0 < c < vocab_size]
        if not edges or edges != sorted(set(edges)):
            raise ValueError(f"cutoffs must be increasing ids in 1..{vocab_size - 1}, got {list(cutoffs)}")
        self.shortlist = edges[0]
        self.clusters = list(zip(edges, [*edges[1:], vocab_size], strict=True))  # (start, stop) of each
        self.vocab_size = vocab_size
        self.sizes = [self.shortlist, *(stop - start for start, stop in self.clusters)]  # rows per segment
        self.projection = nn.Linear(hidden_dim, embed_dim)
        self.bias = nn.Parameter(torch.zeros(vocab_size))
        self.cluster_weight = nn.Parameter(torch.empty(len(self.clusters), embed_dim).uniform_(-0.1, 0.1))
        self.cluster_bias = nn.Parameter(torch.zeros(len(self.clusters)))

    def segments(self, embedding: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """(rows, biases) of the head words, then of each cluster's words: views of `embedding` (V, E) and
        of `bias`. One split (not a slice each): its backward writes one (V, E) gradient, not one each."""
        return list(zip(embedding.split(self.sizes), self.bias.split(self.sizes), strict=True))

    def head_weights(self, embedding: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The head's (S + C, E) weight and (S + C,) bias: the S head words' rows, then the clusters'."""
        rows, bias = self.segments(embedding)[0]
        return torch.cat([rows, self.cluster_weight]), torch.cat([bias, self.cluster_bias])

    def head_log_probs(self, z: torch.Tensor, segments: list) -> torch.Tensor:
        """Projected features z (N, E) -> head log-probabilities (N, S + C); `segments`: `segments(E)`."""
        rows, bias = segments[0]
        weight, bias = torch.cat([rows, self.cluster_weight]), torch.cat([bias, self.cluster_bias])
        return F.log_softmax(F.linear(z, weight, bias), dim=1)

    def cluster_log_probs(self, z: torch.Tensor, segments: list, c: int) -> torch.Tensor:
        """log p(w | cluster c) for z (N, E): (N, stop_c - start_c)."""
        rows, bias = segments[c + 1]
        return F.log_softmax(F.linear(z, rows, bias), dim=1)

    def log_prob(self, h: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        """Top-layer outputs h (N, H) -> next-word log-probabilities (N, V), every cluster computed."""
        z, segments = self.projection(h), self.segments(embedding)
        head = self.head_log_probs(z, segments)
        S = self.shortlist
        parts = [head[:, :S]]
        for c in range(len(self.clusters)):
            parts.append(self.cluster_log_probs(z, segments, c) + head[:, S + c].unsqueeze(1))
        return torch.cat(parts, dim=1)

    def target_log_prob(
        self, h: torch.Tensor, targets: torch.Tensor, embedding: torch.Tensor
    ) -> torch.Tensor:
        """log p(target) (N,) for h (N, H) and targets (N,): a cluster's words are scored only for the rows
        whose target is in it (what makes training cheaper than the full row). ValueError for an id out of
        0..V-1."""
        if targets.numel() and (int(targets.min()) < 0 or int(targets.max()) >= self.vocab_size):
            raise ValueError(f"target ids must be in 0..{self.vocab_size - 1}")
        z, segments = self.projection(h), self.segments(embedding)
        head = self.head_log_probs(z, segments)
        S = self.shortlist
        rows = [torch.nonzero(targets < S).squeeze(1)]
        values = [head[rows[0], targets[rows[0]]]]
        for c, (start, stop) in enumerate(self.clusters):
            mine = torch.nonzero((targets >= start) & (targets < stop)).squeeze(1)
            if not mine.numel():
                continue
            inside = self.cluster_log_probs(z[mine], segments, c)  # (n, stop - start)
            local = (targets[mine] - start).unsqueeze(1)
            values.append(head[mine, S + c] + inside.gather(1, local).squeeze(1))
            rows.append(mine)
        out = h.new_empty(targets.shape[0])
        return out.index_copy(0, torch.cat(rows), torch.cat(values))
