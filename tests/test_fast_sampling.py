"""The fast generation path (lstmlm.fast_sampling) against the full-distribution path (`fast=False`): the
same words for the same seed, the same probabilities and ranks, the same masked words, and tail clusters
really skipped where the docstring says they can be."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmlm.fast_sampling import Blocked, NextDistribution, OutputLayer, Stepper, pick_word_fast
from lstmlm.model import FUSED_MIN_STEPS, LanguageModel, ModelConfig
from lstmlm.safewords import blocked_ids, showing_all_words
from lstmlm.sampling import advance, generate, make_generator, pick_word, start_state
from lstmlm.vocab import Vocab

# 60 words: ids 0-9 the head, 10-29 tail cluster 0, 30-59 tail cluster 1. "coon" (on the classroom list)
# sits in cluster 0 and "Darkey" in cluster 1, so the run-time mask touches both tails and the head (<unk>).
WORDS = ["<eos>", "<unk>", "the", "a", "cat", "dog", "sat", "on", "mat", "."]
WORDS += [f"t{i}" for i in range(10, 60)]
WORDS[17], WORDS[44] = "coon", "Darkey"
CUTOFFS = (10, 30)

SETTINGS = [
    (1.0, 0, 1.0),  # two-stage draw
    (0.0, 0, 1.0),  # greedy
    (1.0, 0, 0.6),  # nucleus
    (1.0, 0, 0.95),
    (0.8, 40, 0.95),  # the Generate view's defaults
    (1.0, 3, 1.0),
    (0.5, 5, 0.5),
    (1.7, 0, 1.0),  # tempered without top-k: the whole row
    (0.7, 0, 0.9),
]


def adaptive_lm(
    seed: int = 0,
    scale: float = 1.5,
    cell: str = "lstm",
    softmax: str = "adaptive",
    tie_weights: bool = False,
    embed_dim: int = 8,
):
    """An untrained 2-layer, 8-unit model over WORDS with random weights in [-scale, scale] (tie_weights
    with softmax "adaptive": the tied adaptive softmax, lstmlm/tied_softmax.py)."""
    config = ModelConfig(
        vocab_size=len(WORDS),
        cell=cell,
        embed_dim=embed_dim,
        hidden_dim=8,
        dropout=0.0,
        tie_weights=tie_weights,
        softmax=softmax,
        adaptive_cutoffs=CUTOFFS,
        adaptive_div_value=2.0,
    )
    model = LanguageModel(config)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.empty_like(p).uniform_(-scale, scale, generator=gen))
    model.vocab = Vocab(WORDS)
    return model.eval()


def both_paths(model, prompt, n, settings_, seed, **kwargs):
    fast = list(generate(model, prompt, n, *settings_, make_generator(seed), fast=True, **kwargs))
    full = list(generate(model, prompt, n, *settings_, make_generator(seed), fast=False, **kwargs))
    return fast, full


def assert_same_words(fast, full):
    assert [w.id for w in fast] == [w.id for w in full]
    for a, b in zip(fast, full, strict=True):
        assert (a.step, a.word, a.rank) == (b.step, b.word, b.rank)
        assert a.prob == pytest.approx(b.prob, abs=1e-6, rel=1e-5)
        assert a.sampled_prob == pytest.approx(b.sampled_prob, abs=1e-6, rel=1e-5)


@pytest.mark.parametrize("settings_", SETTINGS)
@pytest.mark.parametrize("allow_unk", [False, True])
def test_same_words_for_the_same_seed_as_the_full_path(settings_, allow_unk):
    model = adaptive_lm()
    used = set()
    for seed in range(4):
        fast, full = both_paths(model, [2, 4, 6], 40, settings_, seed, allow_unk=allow_unk)
        assert_same_words(fast, full)
        used |= {w.id for w in fast}
    assert not used & set(blocked_ids(model.vocab, allow_unk))
    if settings_[0]:  # a sampler, not one fixed text (tail words: test_every_path_picks_tail_words)
        assert len(used) > 1


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
@pytest.mark.parametrize("softmax", ["adaptive", "full"])
def test_every_cell_and_softmax_and_long_prompts(cell, softmax):
    model = adaptive_lm(seed=3, cell=cell, softmax=softmax)
    long_prompt = [2 + i % 50 for i in range(FUSED_MIN_STEPS + 6)]  # read by the fused kernel
    for prompt in ([], [5], long_prompt):
        for settings_ in [(1.0, 0, 1.0), (0.8, 40, 0.95), (0.0, 0, 1.0)]:
            assert_same_words(*both_paths(model, prompt, 25, settings_, seed=11, stop_at_eos=True))


def test_the_research_switch_and_a_given_state():
    model = adaptive_lm(seed=5)
    _, state = advance(model, [2, 3], start_state(model))
    with showing_all_words():  # nothing listed is masked: only <unk>, in the head
        for settings_ in SETTINGS:
            fast = list(generate(model, [4], 30, *settings_, make_generator(2), state=state))
            full = list(generate(model, [4], 30, *settings_, make_generator(2), state=state, fast=False))
            assert_same_words(fast, full)


def test_states_and_log_probs_equal_the_full_path_bit_for_bit():
    model = adaptive_lm(seed=1)
    stepper, output = Stepper(model), OutputLayer(model)
    ids = [2, 7, 33, 15, 9]
    log_probs, state = advance(model, ids, start_state(model))
    h, hs, cs = stepper.read(ids, start_state(model))
    assert torch.equal(torch.stack(hs), state[0]) and torch.equal(torch.stack(cs), state[1])
    dist = NextDistribution(output, h)
    assert torch.equal(dist.full(), log_probs)  # head, then each cluster, as model.log_probs builds the row
    assert math.isclose(
        sum(math.exp(x) for x in dist.cluster_lp), float(log_probs[10:].exp().sum()), rel_tol=1e-5
    )


def random_h(seed: int, scale: float) -> torch.Tensor:
    return torch.randn(1, 8, generator=torch.Generator().manual_seed(seed)) * scale


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    h_seed=st.integers(0, 10**6),
    scale=st.sampled_from([0.5, 2.0, 6.0]),  # flat to sharply peaked distributions
    settings_=st.sampled_from(SETTINGS + [(1.0, 12, 1.0), (1.0, 1, 1.0), (2.0, 60, 1.0), (1.0, 0, 0.05)]),
    blocked=st.sampled_from([(), (1,), (1, 17), (17, 44), (1, *range(10, 30))]),
    seed=st.integers(0, 2**32),
)
def test_one_pick_equals_pick_word_on_the_whole_row(h_seed, scale, settings_, blocked, seed):
    model = adaptive_lm(seed=2)
    output = OutputLayer(model)
    h = random_h(h_seed, scale)
    full_row = NextDistribution(output, h).full()
    g_fast, g_full = make_generator(seed), make_generator(seed)
    fast = pick_word_fast(NextDistribution(output, h), 0, *settings_, g_fast, WORDS, Blocked(output, blocked))
    slow = pick_word(full_row, 0, *settings_, g_full, model.vocab, blocked)
    assert_same_words([fast], [slow])
    # both drew the same number of random numbers: the next draw is the same
    assert torch.equal(torch.rand(2, generator=g_fast), torch.rand(2, generator=g_full))


@pytest.mark.parametrize("settings_", SETTINGS)
def test_every_path_picks_tail_words(settings_):
    """Over many states, each setting draws words of both tail clusters, the same ones as the full path."""
    model = adaptive_lm(seed=2)
    output = OutputLayer(model)
    picked = set()
    for n in range(150):
        h = random_h(n, 6.0)
        fast = pick_word_fast(
            NextDistribution(output, h), 0, *settings_, make_generator(n), WORDS, Blocked(output, (1,))
        )
        full = pick_word(
            NextDistribution(output, h).full(), 0, *settings_, make_generator(n), model.vocab, (1,)
        )
        assert_same_words([fast], [full])
        picked.add(0 if fast.id < CUTOFFS[0] else 1 if fast.id < CUTOFFS[1] else 2)
    assert picked == {0, 1, 2}


def expanded_after(model, h, settings_, blocked=(1,), seed=0) -> list[bool]:
    output = OutputLayer(model)
    dist = NextDistribution(output, h)
    pick_word_fast(dist, 0, *settings_, make_generator(seed), WORDS, Blocked(output, blocked))
    return [dist.expanded(c) for c in range(len(output.clusters))]


def peaked_on_head_word(model) -> torch.Tensor:
    """An h whose distribution puts almost all its mass on head word "cat" (id 4), found by search."""
    output = OutputLayer(model)
    for seed in range(5000):
        h = random_h(seed, 6.0)
        row = NextDistribution(output, h).full()
        if int(row.argmax()) == 4 and float(row[4].exp()) > 0.9:
            return h
    raise AssertionError("no peaked h found")


def test_clusters_are_skipped_when_no_tail_word_can_matter():
    model = adaptive_lm(seed=2)
    h = peaked_on_head_word(model)
    # "cat" has > 0.9: each cluster token has < 0.1, so no tail word can be the argmax, be in the top 3,
    # be in a 0.5 nucleus, or rank above "cat"
    for settings_ in [(0.0, 0, 1.0), (1.0, 3, 1.0), (1.0, 0, 0.5), (0.7, 2, 0.9)]:
        assert expanded_after(model, h, settings_) == [False, False], settings_
    # a plain draw only computes the cluster it lands in (and the rank: clusters likelier than the word)
    picks = [expanded_after(model, h, (1.0, 0, 1.0), seed=s) for s in range(50)]
    assert [False, False] in picks
    # a tempered draw without top-k needs every cluster's mass; so does a cluster holding a blocked word
    assert expanded_after(model, h, (1.5, 0, 1.0)) == [True, True]
    assert expanded_after(model, h, (1.0, 0, 1.0), blocked=(1, 44))[1]


def test_blocked_everything_is_a_clear_error():
    model = adaptive_lm()
    output = OutputLayer(model)
    everything = Blocked(output, range(len(WORDS)))
    for settings_ in [(0.0, 0, 1.0), (1.0, 0, 1.0), (1.0, 0, 0.5)]:
        with pytest.raises(ValueError, match="nothing is left to sample"):
            pick_word_fast(
                NextDistribution(output, random_h(0, 1.0)),
                0,
                *settings_,
                make_generator(0),
                WORDS,
                everything,
            )


@pytest.mark.parametrize("settings_", [(1.0, 0, 1.0), (0.8, 40, 0.95)])
def test_the_default_model_gives_the_same_words_on_both_paths(settings_):
    """The bundled default model (a tied adaptive softmax whose deep tail holds words of probability ~3e-8):
    300 words after a 50-word prompt, same seed, fast and full path. At temperature 1 the whole-row draw
    used to place a cluster by the sum of its words' float32 probabilities, and a tail word came out as
    its neighbour in 4 runs of 5."""
    from lstmlm.bundled import resolve_model
    from lstmlm.checkpoint import load_model

    model = load_model(resolve_model(None)).eval()
    text = "Once upon a time there was a little girl who lived in a village near the forest . " * 4
    prompt = model.vocab.encode_text(text).ids[:50]
    for seed in range(3):
        fast, full = (
            list(generate(model, prompt, 300, *settings_, make_generator(seed), fast=f))
            for f in (True, False)
        )
        assert [w.id for w in fast] == [w.id for w in full], seed
        assert len({w.id for w in fast}) > 50  # a sampler's text, tail words included
