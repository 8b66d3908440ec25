"""Surprisal and unit search, checked against brute-force loops."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstmlm.sampling import advance, start_state
from lstmlm.studies.arrays import LayerArrays, layer_arrays
from lstmlm.studies.surprisal import rank_bucket, surprisal
from lstmlm.studies.units import unit_search
from lstmlm.trace import trace

PROMPT = "the cat sat on the mat . a dog ran to the house"


def test_rank_buckets_follow_gltr():
    cases = {1: "top-10", 10: "top-10", 11: "top-100", 100: "top-100", 101: "top-1000", 1000: "top-1000",
             1001: "beyond", 50000: "beyond"}  # fmt: skip
    assert {r: rank_bucket(r) for r in cases} == cases


@pytest.mark.parametrize("first_word", [True, False])
def test_surprisal_against_one_prefix_at_a_time(tiny_model, first_word):
    ids = tiny_model.vocab.encode_text(PROMPT).ids
    result = surprisal(tiny_model, ids, k=5, first_word=first_word)
    first = 0 if first_word else 1
    assert [w.position for w in result.words] == list(range(first, len(ids)))
    nll = []
    for w in result.words:
        t = w.position
        if t == 0:  # the first word is predicted from the state after a line break
            state = start_state(tiny_model)
            lp = tiny_model.log_probs(state[0][-1, 0]).detach()
        else:
            lp, _ = advance(tiny_model, ids[:t], start_state(tiny_model))
        p = float(lp[ids[t]].exp())
        rank = 1 + sum(1 for v in lp.tolist() if v > float(lp[ids[t]]))
        assert (w.word, w.id) == (tiny_model.vocab.words[ids[t]], ids[t])
        assert w.prob == pytest.approx(p, rel=1e-4)
        assert w.rank == rank and w.bucket == rank_bucket(rank)
        assert w.bits == pytest.approx(-math.log2(p), abs=1e-4)
        order = sorted(range(len(lp)), key=lambda j: -float(lp[j]))[:5]
        assert w.expected == [tiny_model.vocab.words[j] for j in order]
        assert w.expected_probs == pytest.approx([float(lp[j].exp()) for j in order], rel=1e-4)
        nll.append(-math.log(p))
    assert result.perplexity == pytest.approx(math.exp(sum(nll) / len(nll)), rel=1e-4)
    assert result.bits_per_word == pytest.approx(sum(nll) / len(nll) / math.log(2), rel=1e-4)


def test_surprisal_needs_words(tiny_model):
    with pytest.raises(ValueError, match="too short"):
        surprisal(tiny_model, [3], first_word=False)
    assert len(surprisal(tiny_model, [3]).words) == 1


def arrays(h: np.ndarray) -> list[LayerArrays]:
    T, H = h.shape
    z = np.zeros((T, H), np.float32)
    return [LayerArrays(i=z, f=z, g=z, o=z, c=h, h=h, preact=np.zeros((T, 4 * H)), h0=z[0], c0=z[0])]


def test_unit_search_finds_the_unit_that_marks_the_span():
    h = np.array([[0.1, 0.0, -0.5], [0.2, 0.9, -0.9], [0.3, 0.8, -0.8], [0.1, -0.1, 0.5]], np.float32)
    found = unit_search(arrays(h), 0, 1, 3, signal="h", k=3)
    assert [s.unit for s in found.high] == [1, 0, 2] and [s.unit for s in found.low] == [2, 0, 1]
    assert found.high[0].score == pytest.approx(0.85 - (-0.05))
    assert (found.high[0].inside_mean, found.high[0].outside_mean) == pytest.approx((0.85, -0.05))
    minmax = unit_search(arrays(h), 0, 1, 3, method="minmax", k=1)
    assert minmax.high[0].unit == 1 and minmax.high[0].score == pytest.approx(0.8 - 0.0)
    assert minmax.low[0].unit == 2 and minmax.low[0].score == pytest.approx(-0.5 - (-0.8))


@pytest.mark.parametrize("method", ["mean", "minmax"])
def test_unit_search_scores_against_a_loop(tiny_model, method):
    ids = tiny_model.vocab.encode_text(PROMPT).ids
    tr = trace(tiny_model, ids, start_state(tiny_model))
    for layer, signal, (a, b) in ((0, "h", (2, 5)), (1, "c", (0, 1)), (1, "f", (len(ids) - 3, len(ids)))):
        x = layer_arrays(tr)[layer].get(signal)
        high, low = {}, {}
        for u in range(8):
            inside = [float(x[t, u]) for t in range(len(ids)) if a <= t < b]
            outside = [float(x[t, u]) for t in range(len(ids)) if not a <= t < b]
            if method == "mean":
                high[u] = sum(inside) / len(inside) - sum(outside) / len(outside)
                low[u] = -high[u]
            else:
                high[u] = min(inside) - max(outside)
                low[u] = min(outside) - max(inside)
        found = unit_search(tr, layer, a, b, signal=signal, k=8, method=method)
        for ranked, ref in ((found.high, high), (found.low, low)):
            assert [s.unit for s in ranked] == sorted(ref, key=lambda u: (-ref[u], u))
            assert [s.score for s in ranked] == pytest.approx([ref[s.unit] for s in ranked], abs=1e-6)


def test_unit_search_explains_bad_spans(tiny_model):
    ids = tiny_model.vocab.encode_text(PROMPT).ids
    tr = trace(tiny_model, ids, start_state(tiny_model))
    with pytest.raises(ValueError, match="select fewer words"):
        unit_search(tr, 0, 0, len(ids))
    with pytest.raises(ValueError, match="0 <= start < stop"):
        unit_search(tr, 0, 3, 3)
    with pytest.raises(ValueError, match="signal must be one of"):
        unit_search(tr, 0, 0, 2, signal="x")
