"""Interventions, generation under them, and counterfactual prompts, checked against direct traces."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstmlm.sampling import generate, make_generator, start_state
from lstmlm.studies.arrays import layer_arrays
from lstmlm.studies.counterfactual import counterfactual
from lstmlm.studies.intervene import (
    compare_intervention,
    generate_with_interventions,
    parse_steps,
    parse_units,
    select_units,
    shift_interventions,
    unit_statistic,
)
from lstmlm.trace import Intervention, trace

PROMPT = "the cat sat on the mat . a dog ran to the house"


def test_parse_units():
    assert parse_units("3,5,10-12", 20) == (3, 5, 10, 11, 12)
    assert parse_units(" 7 , 2-3;2 ", 8) == (2, 3, 7)
    assert parse_units("", 8) is None and parse_units("All", 8) is None
    with pytest.raises(ValueError, match="unit 8 does not exist: this layer has units 0..7"):
        parse_units("1,5-8", 8)
    with pytest.raises(ValueError, match=r"cannot read 'x': write unit numbers and ranges like 3,5,10-19"):
        parse_units("3,x", 8)
    with pytest.raises(ValueError, match="goes backwards: write it as 2-5"):
        parse_units("5-2", 8)
    with pytest.raises(ValueError, match="no units given"):
        parse_units(",", 8)


def test_parse_steps():
    assert parse_steps("4") == (4, 5)
    assert parse_steps("2-6") == (2, 7)
    assert (
        parse_steps("4-")
        == parse_steps("from 4 on")
        == parse_steps("4+")
        == parse_steps("from 4")
        == (4, None)
    )
    assert parse_steps("") == parse_steps("all") == (0, None)
    with pytest.raises(ValueError, match="the prompt has steps 0..5"):
        parse_steps("6-", num_steps=6)
    with pytest.raises(ValueError, match="goes backwards"):
        parse_steps("6-2")
    with pytest.raises(ValueError, match=r"write one step \(4\), a range \(2-6\) or 'from 4 on'"):
        parse_steps("four")
    with pytest.raises(ValueError, match="cannot read steps 'from 2-6'"):
        parse_steps("from 2-6")


def test_unit_statistics_and_top_units(tiny_model):
    ids = tiny_model.vocab.encode_text(PROMPT).ids
    tr = trace(tiny_model, ids, start_state(tiny_model))
    f, h, c = (tr.layers[1].get(k)[:, 0].double().numpy() for k in "fhc")
    T = len(ids)
    for u in range(8):
        col = [h[t, u] for t in range(T)]
        mean = sum(col) / T
        assert unit_statistic(tr, 1, "mean")[u] == pytest.approx(mean, abs=1e-7)
        assert unit_statistic(tr, 1, "variance")[u] == pytest.approx(
            sum((v - mean) ** 2 for v in col) / T, abs=1e-7
        )
        assert unit_statistic(tr, 1, "mean_abs_c")[u] == pytest.approx(
            sum(abs(c[t, u]) for t in range(T)) / T
        )
        saturated = sum(1 for t in range(T) if f[t, u] < 0.1 or f[t, u] > 0.9) / T
        assert unit_statistic(tr, 1, "saturation", signal="f")[u] == saturated
        tanh_saturated = sum(1 for t in range(T) if abs(math.tanh(c[t, u])) > 0.9) / T
        assert unit_statistic(tr, 1, "saturation", signal="c")[u] == tanh_saturated
    variance = unit_statistic(tr, 1, "variance")
    assert select_units(tr, 1, "top", n=3) == tuple(sorted(range(8), key=lambda u: -variance[u])[:3])
    assert select_units(tr, 1, "all") is None and select_units(tr, 1, "range", "2-4") == (2, 3, 4)
    with pytest.raises(ValueError, match="statistic must be one of mean, variance, saturation, mean_abs_c"):
        unit_statistic(tr, 1, "median")
    with pytest.raises(ValueError, match="how must be one of"):
        select_units(tr, 1, "some")


def test_compare_intervention_against_two_traces(tiny_model):
    ids = tiny_model.vocab.encode_text(PROMPT).ids
    ivs = [Intervention(1, "f", 0.0, units=(0, 1, 2, 3), start=len(ids) - 3), Intervention(0, "o", 1.0)]
    result = compare_intervention(tiny_model, ids, ivs, k=5)
    state = start_state(tiny_model)
    p = trace(tiny_model, ids, state).log_probs[-1, 0].double().exp()
    q = trace(tiny_model, ids, state, ivs).log_probs[-1, 0].double().exp()
    words = tiny_model.vocab.words
    change = result.next_words
    assert change.before.words == [words[j] for j in p.argsort(descending=True)[:5]]
    assert change.after.probs == pytest.approx(q.sort(descending=True).values[:5].tolist(), rel=1e-6)
    deltas = {j: float(q[j] - p[j]) for j in range(len(words))}
    assert [m.id for m in change.moved] == sorted(deltas, key=lambda j: -abs(deltas[j]))[:5]
    for m in change.moved:
        assert (m.before, m.after) == pytest.approx((float(p[m.id]), float(q[m.id])), rel=1e-6)
    assert change.total_variation == pytest.approx(sum(abs(d) for d in deltas.values()) / 2, rel=1e-6)
    kl = sum(float(p[j]) * math.log2(float(p[j]) / float(q[j])) for j in range(len(words)))
    assert change.kl_bits == pytest.approx(kl, rel=1e-6) and change.total_variation > 0.001
    assert np.all(result.intervened[0].o == 1.0)
    assert np.all(result.intervened[1].f[-3:, :4] == 0.0) and np.all(result.intervened[1].f[:-3, :4] > 0)
    np.testing.assert_array_equal(result.plain[1].h, layer_arrays(trace(tiny_model, ids, state))[1].h)
    same = compare_intervention(tiny_model, ids, [], k=5).next_words
    assert same.total_variation == 0 and same.kl_bits == 0 and all(m.before == m.after for m in same.moved)


def test_shift_interventions():
    iv = Intervention(0, "f", 1.0, start=3, stop=6)
    assert shift_interventions([iv], 1) == [Intervention(0, "f", 1.0, start=2, stop=5)]
    assert shift_interventions([iv], 4) == [Intervention(0, "f", 1.0, start=0, stop=2)]
    assert shift_interventions([iv], 6) == []
    assert shift_interventions([Intervention(1, "c", 0.0, start=2)], 9) == [
        Intervention(1, "c", 0.0, start=0)
    ]


@pytest.mark.parametrize(
    ("temperature", "top_k", "top_p", "prompt"),
    [(1.0, 0, 1.0, PROMPT), (0.8, 5, 0.9, "the dog"), (0.0, 0, 1.0, PROMPT), (1.0, 0, 1.0, "")],
)
def test_without_interventions_it_is_generate(tiny_model, temperature, top_k, top_p, prompt):
    ids = tiny_model.vocab.encode_text(prompt).ids
    for seed in (0, 1, 2):
        ours = list(generate_with_interventions(tiny_model, ids, [], 25, temperature, top_k, top_p, seed))
        ref = list(generate(tiny_model, ids, 25, temperature, top_k, top_p, make_generator(seed)))
        assert [w.id for w in ours] == [w.id for w in ref]
        assert [w.rank for w in ours] == [w.rank for w in ref]
        assert [w.prob for w in ours] == pytest.approx([w.prob for w in ref], rel=1e-4)


def test_interventions_keep_applying_to_generated_words(tiny_model):
    ids = tiny_model.vocab.encode_text("the cat sat on").ids
    P = len(ids)
    ivs = [
        Intervention(0, "c", 2.0, units=(1, 4), start=2),  # from step 2 on: prompt and generated words
        Intervention(1, "i", 1.0, start=P + 3, stop=P + 6),  # only inside the generated words
        Intervention(1, "g", 0.0, units=(0,), start=1, stop=3),  # only inside the prompt
    ]
    words = list(generate_with_interventions(tiny_model, ids, ivs, 12, seed=7))
    # One trace over the whole text with the interventions in prompt coordinates gives the same probabilities.
    full = trace(tiny_model, ids + [w.id for w in words], start_state(tiny_model), ivs)
    for j, w in enumerate(words):
        lp = full.log_probs[P - 1 + j, 0]
        assert w.prob == pytest.approx(float(lp[w.id].exp()), rel=1e-4)
        assert w.rank == int((lp > lp[w.id]).sum()) + 1
    plain = list(generate_with_interventions(tiny_model, ids, [], 12, seed=7))
    assert [w.prob for w in plain] != pytest.approx([w.prob for w in words], rel=1e-3)
    with pytest.raises(ValueError, match="layer 5 does not exist"):
        next(generate_with_interventions(tiny_model, ids, [Intervention(5, "f", 1.0)], 3, seed=0))


def test_counterfactual_one_word_changed(tiny_model):
    a, b = "the cat sat on the mat", "the dog sat on the mat"
    result = counterfactual(tiny_model, a, b, k=4)
    assert result.tokens_a == a.split() and result.tokens_b == b.split() and result.first_difference == 1
    state = start_state(tiny_model)
    ta = layer_arrays(trace(tiny_model, result.ids_a, state))
    tb = layer_arrays(trace(tiny_model, result.ids_b, state))
    for layer in range(2):
        for name in ("i", "f", "g", "o", "c", "h"):
            d = result.delta[layer][name]
            assert d.shape == (6, 8)
            np.testing.assert_array_equal(d, tb[layer].get(name) - ta[layer].get(name))
            assert np.all(d[0] == 0)  # same first word, same state
            ref = [sum(abs(float(d[t, u])) for u in range(8)) / 8 for t in range(6)]
            np.testing.assert_allclose(result.mean_abs[layer][name], ref, rtol=1e-6)
        assert result.mean_abs[layer]["c"][1] > 0
    assert result.next_words.before.words == counterfactual(tiny_model, a, a, k=4).next_words.after.words
    assert result.next_words.total_variation > 0


def test_counterfactual_of_two_unknown_words_reads_alike(tiny_model):
    vocab = tiny_model.vocab
    assert "zorblax" not in vocab and "quibble" not in vocab and "cat" in vocab and "dog" in vocab
    same = counterfactual(tiny_model, "the zorblax sat on", "the quibble sat on")
    assert same.ids_a == same.ids_b and same.ids_a[1] == vocab.unk_id  # both read as <unk>
    assert same.first_difference is None and same.read_alike == [1]
    assert all(np.all(d[n] == 0) for d in same.delta for n in d)  # exactly: the same ids, the same numbers
    assert same.next_words.total_variation == 0
    # a known word changed after them: the first difference is there, the unknown pair still reads alike
    mixed = counterfactual(tiny_model, "the zorblax cat sat", "the quibble dog sat")
    assert mixed.first_difference == 2 and mixed.read_alike == [1]
    assert all(np.all(d[n][:2] == 0) for d in mixed.delta for n in d)
    assert mixed.mean_abs[0]["h"][2] > 0
    assert counterfactual(tiny_model, "the cat", "the dog").read_alike == []


def test_counterfactual_prefix_and_errors(tiny_model):
    result = counterfactual(tiny_model, "the cat sat", "the cat sat on")
    assert result.first_difference == 3 and result.delta[1]["h"].shape == (3, 8)
    assert max(np.abs(d[n]).max() for d in result.delta for n in d) < 1e-6  # same words, same values
    assert counterfactual(tiny_model, "the cat", "the cat").first_difference is None
    with pytest.raises(ValueError, match="prompt B is empty"):
        counterfactual(tiny_model, "the cat", "  ")
