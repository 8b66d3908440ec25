"""Generation without the whole next-word distribution: one step per word with the weights looked up once,
and an adaptive softmax sampled in two stages (the head first, a tail cluster only when it is needed).

An adaptive softmax scores the head words and one token per tail cluster (output_layer.py gives the
formula and computes each piece).

Ids run head first, then cluster by cluster, so the cumulative distribution that `sampling.draw` walks in id
order is: the head words, then all of cluster 1, then all of cluster 2, ... One uniform number u therefore
lands on a head word or on a whole cluster, and only then is that cluster's distribution computed:

    cdf over   [ head word 0 | ... | head word S-1 |     cluster 1      |        cluster 2        ]
    u * total  ------------------------------------------->  here: compute cluster 1, walk inside it

Since log p_c(w) <= 0, no word of cluster c is likelier than the cluster token: log p(w) <= log head(c). That
bound says which clusters a setting can skip without changing the result.

Where this is exact (the same distribution as `sampling.pick_word` on the whole row, to float rounding; at
temperature 1 with no cut the full path draws in the same two stages with every cluster computed
(`EagerTwoStage`), so the two give the same words for the same seed; elsewhere the same words unless u falls
within float rounding, ~1e-7 of the mass, of a word boundary):
  - temperature 0: clusters whose token is at least as likely as the best word so far are computed.
  - temperature 1, top-k 0, top-p 1: two-stage draw as drawn above (only the drawn word's cluster).
  - top-k > 0, any temperature and top-p: clusters whose token is at least as likely as the k-th best word
    known so far are computed until none is; temperature and top-p then act on those k words.
  - temperature 1, top-k 0, top-p < 1: clusters whose token is at least as likely as the least likely word of
    the nucleus found so far are computed until none is (and all of them while the known words fall short).
  - blocked ids (`sampling.mask_words`): a cluster holding one is computed whenever its mass is needed.
  - rank: clusters whose token is likelier than the drawn word are computed to count the words above it.
Falls back to `sampling.pick_word` on the whole row (every cluster, the slow path's own arithmetic) for a
temperature other than 0 and 1 without top-k (a cluster's tempered mass needs all its words), for a full
softmax (no clusters to skip) and for an output layer this module does not know. The recurrent step is always
the one `sampling.advance` runs (the same kernels on the same numbers: states equal bit for bit), and every
log-probability computed is the one `model.log_probs` gives, bit for bit, so `prob` and `rank` are exact.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np
import torch

from lstmlm.model import LanguageModel, State
from lstmlm.output_layer import Blocked, NextDistribution, OutputLayer
from lstmlm.sampling import NOTHING_LEFT, GeneratedWord, LineOpeners, draw, pick_word, reshape
from lstmlm.stepper import Stepper


class _Known:
    """The segments computed so far, as one row: values (N,) with the blocked ids at -inf, and their ids."""

    def __init__(self, dist: NextDistribution, blocked: Blocked, segments: list[int]):
        parts = [blocked.masked(dist, c) for c in segments]
        self.values = parts[0] if len(parts) == 1 else torch.cat(parts)
        if segments == [-1]:
            self.ids = None  # the head alone: position = id
        else:
            self.ids = torch.cat(
                [torch.arange(start, start + len(v)) for start, v in (dist.segment(c) for c in segments)]
            )

    def id_of(self, positions: torch.Tensor) -> torch.Tensor:
        return positions if self.ids is None else self.ids[positions]


def _segments(dist: NextDistribution) -> list[int]:
    return [-1, *(c for c in range(len(dist.cluster_lp)) if dist.expanded(c))]


def _greedy(dist: NextDistribution, blocked: Blocked) -> int:
    """The most likely id not blocked (the first one on a tie, as argmax); ValueError if none is left."""
    head = blocked.masked(dist, -1)
    best_id = int(head.argmax())
    best = float(head[best_id])
    for c, cluster_lp in enumerate(dist.cluster_lp):
        if cluster_lp >= best:  # a word of cluster c can be as likely as the best so far
            values = blocked.masked(dist, c)
            i = int(values.argmax())
            if float(values[i]) > best:  # strictly: on a tie the lower id (found earlier) wins
                best, best_id = float(values[i]), dist.output.clusters[c][0] + i
    if best == -math.inf:
        raise ValueError(NOTHING_LEFT)
    return best_id


def _top_k(dist, blocked, temperature, top_k, top_p, generator) -> tuple[int, float]:
    """Draw after temperature / top-k / top-p from the k best words, computing only the clusters that can
    hold one of them. Returns (id, its probability in the sampling distribution)."""
    while True:
        known = _Known(dist, blocked, _segments(dist))
        n = known.values.numel()
        kth = float(known.values.topk(top_k).values[-1]) if n >= top_k else -math.inf
        todo = [c for c, lp in enumerate(dist.cluster_lp) if not dist.expanded(c) and lp >= kth]
        if not todo:
            break
        for c in todo:
            dist.cluster(c)
    values, positions = known.values.topk(min(top_k, n))
    ids, order = known.id_of(positions).sort()  # id order, as `draw` walks the full row
    probs = reshape(values[order], temperature, 0, top_p)  # every word here is in the top k
    j = draw(probs, generator)
    return int(ids[j]), float(probs[j])


def _shift(dist: NextDistribution, head: torch.Tensor) -> float:
    """A log-prob at least as large as every word's (nothing overflows in exp(lp - shift))."""
    top = max([float(head.max()), *dist.cluster_lp])
    if top == -math.inf:
        raise ValueError(NOTHING_LEFT)
    return top


def _two_stage(dist, blocked, generator) -> tuple[int, float]:
    """Temperature 1, no cut: u picks a head word or a whole cluster (its token's mass, less its blocked
    words' when it holds any); only the picked cluster (and any holding a blocked id) is computed."""
    head = blocked.masked(dist, -1)
    shift = _shift(dist, head)
    head_weights = (head.double() - shift).exp()  # (S,)
    head_cdf = head_weights.cumsum(0)
    masses = []  # each cluster's mass, relative to exp(shift)
    for c, cluster_lp in enumerate(dist.cluster_lp):
        ids = blocked.clusters[c]
        if ids is None:  # the token's mass
            mass = math.exp(cluster_lp - shift)
        elif 2 * len(ids) < dist.cluster(c).numel():  # less its blocked words' (needs the cluster's numbers)
            mass = math.exp(cluster_lp - shift) - float((dist.cluster(c)[ids].double() - shift).exp().sum())
        else:  # mostly blocked: the sum of what is left (a difference of near-equal numbers would not be 0)
            mass = float((blocked.masked(dist, c).double() - shift).exp().sum())
        masses.append(max(mass, 0.0))
    head_total = float(head_cdf[-1])
    total = head_total + sum(masses)
    if not total > 0:
        raise ValueError(NOTHING_LEFT)
    u = float(torch.rand((), dtype=torch.float64, generator=generator)) * total
    if u < head_total or not any(masses):
        j = int(torch.searchsorted(head_cdf, torch.tensor(u, dtype=torch.float64), right=True))
        if j >= head.numel():  # u ran past the last head word by rounding: the last one with any mass
            j = int(head_weights.nonzero()[-1])
        return j, _as_float32(float(head_weights[j]) / total)
    u -= head_total
    c = 0
    while c + 1 < len(masses) and (u >= masses[c] or masses[c] == 0):
        u -= masses[c]
        c += 1
    while masses[c] == 0:  # u ran past the last cluster by rounding: the last one with any mass
        c -= 1  # (stops: some cluster has mass)
    inside = (blocked.masked(dist, c).double() - shift).exp()  # (n_c,)
    i = int(torch.searchsorted(inside.cumsum(0), torch.tensor(u, dtype=torch.float64), right=True))
    if i >= inside.numel():  # the words' sum fell short of the token's mass by rounding: the last word
        i = int(inside.nonzero()[-1])
    return dist.output.clusters[c][0] + i, _as_float32(float(inside[i]) / total)


def _nucleus(dist, blocked, top_p, generator) -> tuple[int, float]:
    """Temperature 1, top-p < 1, no top-k: the nucleus over the known words, computing every cluster whose
    token could rank inside it, until none can."""
    head = blocked.masked(dist, -1)
    shift = _shift(dist, head)
    for c in range(len(dist.cluster_lp)):
        if blocked.clusters[c] is not None:
            dist.cluster(c)  # its mass needs its words
    while True:
        known = _Known(dist, blocked, _segments(dist))
        weights = (known.values.double() - shift).exp()
        rest = [c for c in range(len(dist.cluster_lp)) if not dist.expanded(c)]
        total = float(weights.sum()) + sum(math.exp(dist.cluster_lp[c] - shift) for c in rest)
        if not total > 0:
            raise ValueError(NOTHING_LEFT)
        sorted_p, order = (weights / total).sort(descending=True)
        before = sorted_p.cumsum(0) - sorted_p
        kept = max(1, int((before < top_p).sum()))  # `reshape` keeps words with before < top_p, and the first
        if not rest:
            break
        if float(before[kept - 1] + sorted_p[kept - 1]) < top_p:  # the known words fall short: need more
            todo = [max(rest, key=lambda c: dist.cluster_lp[c])]
        else:
            last = float(known.values[order[kept - 1]])
            todo = [c for c in rest if dist.cluster_lp[c] >= last]
        if not todo:
            break
        for c in todo:
            dist.cluster(c)
    probs = sorted_p[:kept]
    ids, by_id = known.id_of(order[:kept]).sort()
    probs = (probs[by_id] / probs.sum()).float()
    j = draw(probs, generator)
    return int(ids[j]), float(probs[j])


def _as_float32(x: float) -> float:
    """x rounded to float32, as the slow path's probabilities are."""
    return float(np.float32(x))


def pick_word_fast(
    dist: NextDistribution,
    step: int,
    temperature: float,
    top_k: int,
    top_p: float,
    generator: torch.Generator,
    words: Sequence[str] | None,
    blocked: Blocked,
) -> GeneratedWord:
    """`sampling.pick_word` on a lazily computed distribution (see the module docstring for where it is exact
    and when it falls back to the whole row)."""
    two_stage = dist.output.known and dist.cluster_lp
    if not two_stage or (temperature not in (0, 1) and not top_k):
        log_probs = dist.full()
        gw = pick_word(log_probs, step, temperature, top_k, top_p, generator, None, blocked.ids)
        gw.word = words[gw.id] if words is not None else str(gw.id)
        return gw
    if temperature == 0:
        word_id, sampled = _greedy(dist, blocked), 1.0
    elif top_k:
        word_id, sampled = _top_k(dist, blocked, temperature, top_k, top_p, generator)
    elif top_p < 1.0:
        word_id, sampled = _nucleus(dist, blocked, top_p, generator)
    else:
        word_id, sampled = _two_stage(dist, blocked, generator)
    lp = dist.value(word_id)
    word = words[word_id] if words is not None else str(word_id)
    return GeneratedWord(step, word, word_id, float(lp.exp()), dist.rank(word_id, lp), sampled)


class EagerTwoStage:
    """The full path's draw at temperature 1 with no cut for an adaptive softmax this module knows: every
    cluster computed, then the word drawn in the two stages of `_two_stage` (a head word or a cluster by its
    token's probability, then a word inside the cluster), the model's own factorisation p(w) = p(c) p(w|c)
    (Grave et al. 2017, "Efficient softmax approximation for GPUs"). Drawn from the whole row instead
    (`pick_word`), a cluster sits where the sum of its words' float32 probabilities puts it, which differs
    from its token's probability by rounding (~1e-7): a deep-tail word narrower than that then came out as
    its neighbour (the fast and full paths gave the same 500 words for 1 seed of 5 on the tied storybook
    LSTM). Drawn the same way, they give the same words for the same seed, so comparing them tests exactly
    what the fast path skips. `of(model, temperature, top_k, top_p)`: None where this does not apply."""

    def __init__(self, output: OutputLayer, words: Sequence[str] | None):
        self.output, self.words, self.masks = output, words, {}

    @classmethod
    def of(cls, model: LanguageModel, temperature: float, top_k: int, top_p: float) -> EagerTwoStage | None:
        if temperature != 1 or top_k or top_p < 1.0:
            return None
        output = OutputLayer(model)
        if not output.known or not len(output.clusters):
            return None
        vocab = getattr(model, "vocab", None)
        return cls(output, vocab.words if vocab is not None else None)

    def pick(
        self, h: torch.Tensor, step: int, generator: torch.Generator, blocked: Sequence[int]
    ) -> GeneratedWord:
        """The word after the top layer's output h (1, H), never one of `blocked`."""
        dist = NextDistribution(self.output, h)
        dist.full()  # every cluster, before the draw
        masked = _blocked(self.masks, self.output, blocked)
        return pick_word_fast(dist, step, 1.0, 0, 1.0, generator, self.words, masked)


def _blocked(masks: dict, output: OutputLayer, ids: Sequence[int]) -> Blocked:
    """The Blocked of a list of blocked ids, made once per list (`masks`: by the list's id; a generation's
    lists live as long as it does, and a LineOpeners rule hands out two)."""
    return masks.get(id(ids)) or masks.setdefault(id(ids), Blocked(output, ids))


@torch.no_grad()
def generate_fast(
    model: LanguageModel,
    prompt_ids: Sequence[int],
    max_words: int,
    temperature: float,
    top_k: int,
    top_p: float,
    generator: torch.Generator,
    stop_at_eos: bool,
    state: State,
    blocked: Sequence[int],
) -> Iterator[GeneratedWord]:
    """The words `sampling.generate` yields (settings already checked, `state` given): one step per word,
    each drawn by `pick_word_fast`. CPU models in eval mode (the single-step cells of `advance`). `blocked`
    as `sampling._generate` takes it: the ids never drawn, or a `sampling.LineOpeners`."""
    stepper, output = Stepper(model), OutputLayer(model)
    vocab = getattr(model, "vocab", None)
    words = vocab.words if vocab is not None else None
    eos = vocab.eos_id if vocab is not None else None
    rule = blocked if isinstance(blocked, LineOpeners) else None
    masks = {}  # `_blocked`'s
    if len(prompt_ids):
        h, hs, cs = stepper.read(prompt_ids, state)
    else:  # an empty prompt starts a new line: the top layer's last output is in the state
        hs, cs = stepper.split(state)
        h = hs[-1]
    for step in range(max_words):
        dist = NextDistribution(output, h)
        ids = rule.blocked() if rule else blocked
        masked = _blocked(masks, output, ids)
        gw = pick_word_fast(dist, step, temperature, top_k, top_p, generator, words, masked)
        yield gw
        if (stop_at_eos and gw.id == eos) or step + 1 == max_words:
            return
        if rule:
            rule.after(gw.id)
        h = stepper.step(gw.id, hs, cs)
