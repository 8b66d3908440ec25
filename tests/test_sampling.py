"""Next-word distributions, reshaping, private randomness and incremental generation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.sampling import (
    advance,
    check_settings,
    draw,
    entropy_bits,
    generate,
    make_generator,
    reshape,
    start_state,
    top_words,
)
from lstmlm.vocab import Vocab

WORDS = ["<eos>", "<unk>", "the", "cat", "dog", "sat", "on", "mat", "a", "ran", "."]


def tiny_lm(seed: int = 0, scale: float = 1.0) -> LanguageModel:
    """An untrained 2-layer, 8-unit LSTM over WORDS, with `.vocab` as load_model gives it."""
    model = LanguageModel(ModelConfig(vocab_size=len(WORDS), embed_dim=8, hidden_dim=8, dropout=0.0))
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.empty_like(p).uniform_(-scale, scale, generator=gen))
    model.vocab = Vocab(WORDS)
    return model.eval()


def log_probs_of(probs: list[float]) -> torch.Tensor:
    return torch.tensor(probs).log()


# --- settings -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"temperature": -0.1}, r"temperature must be a number >= 0 \(0 = always the most likely word\)"),
        ({"temperature": float("nan")}, r"temperature must be a number >= 0"),
        ({"temperature": float("inf")}, r"temperature must be finite"),
        ({"temperature": "hot"}, r"temperature must be a number >= 0"),
        ({"top_p": 0.0}, r"top_p must be in \(0, 1\] \(1 = no limit\)"),
        ({"top_p": 1.01}, r"top_p must be in \(0, 1\]"),
        ({"top_p": -0.5}, r"top_p must be in \(0, 1\]"),
        ({"top_p": float("nan")}, r"top_p must be in \(0, 1\]"),
        ({"top_k": -1}, r"top_k must be a whole number >= 0 \(0 = no limit\)"),
        ({"top_k": 2.5}, r"top_k must be a whole number >= 0"),
        ({"top_k": True}, r"top_k must be a whole number >= 0"),
    ],
)
def test_invalid_settings_say_what_is_allowed(settings, message):
    full = {"temperature": 1.0, "top_k": 0, "top_p": 1.0} | settings
    with pytest.raises(ValueError, match=message):
        check_settings(**full)
    with pytest.raises(ValueError, match=message):
        reshape(torch.zeros(5), **full)
    with pytest.raises(ValueError, match=message):
        generate(tiny_lm(), [2, 3], 5, **full)  # at the call, before the first word is asked for


def test_numpy_numbers_are_valid_settings():
    check_settings(np.float32(0.7), np.int64(3), np.float64(0.9))


def test_negative_max_words_is_refused():
    with pytest.raises(ValueError, match="max_words must be >= 0"):
        generate(tiny_lm(), [2], -1)


# --- reshaping ----------------------------------------------------------------------------------------


def test_temperature_zero_is_a_one_hot_on_the_most_likely_word():
    probs = reshape(log_probs_of([0.1, 0.6, 0.3]), temperature=0)
    assert probs.tolist() == [0.0, 1.0, 0.0]


def test_temperature_sharpens_and_flattens():
    lp = log_probs_of([0.2, 0.8])
    assert reshape(lp, temperature=1.0).tolist() == pytest.approx([0.2, 0.8], abs=1e-6)
    assert reshape(lp, temperature=0.5).tolist() == pytest.approx([0.04 / 0.68, 0.64 / 0.68], abs=1e-6)
    assert reshape(lp, temperature=2.0).tolist() == pytest.approx(
        [
            math.sqrt(0.2) / (math.sqrt(0.2) + math.sqrt(0.8)),
            math.sqrt(0.8) / (math.sqrt(0.2) + math.sqrt(0.8)),
        ],
        abs=1e-6,
    )


@pytest.mark.parametrize("k", [1, 2, 5, 9])
def test_top_k_keeps_exactly_k_words(k):
    lp = torch.log_softmax(torch.randn(10, generator=torch.Generator().manual_seed(k)), dim=0)
    probs = reshape(lp, top_k=k)
    kept = probs.nonzero().flatten()
    assert len(kept) == k
    assert set(kept.tolist()) == set(lp.topk(k).indices.tolist())
    assert probs.sum().item() == pytest.approx(1.0, abs=1e-6)
    expected = lp[kept].exp() / lp[kept].exp().sum()  # renormalised over the kept words
    assert probs[kept].tolist() == pytest.approx(expected.tolist(), abs=1e-6)


def test_top_k_keeps_exactly_k_words_when_they_tie():
    probs = reshape(log_probs_of([0.25, 0.25, 0.25, 0.25]), top_k=2)
    assert int((probs > 0).sum()) == 2
    assert sorted(probs.tolist()) == pytest.approx([0, 0, 0.5, 0.5])


@pytest.mark.parametrize(
    ("top_p", "kept"),
    [
        (0.4, [1.0]),
        (0.7, [2 / 3, 1 / 3]),
        (0.8, [4 / 7, 2 / 7, 1 / 7]),
        (0.9, [8 / 15, 4 / 15, 2 / 15, 1 / 15]),
        (1.0, [0.5, 0.25, 0.125, 0.0625, 0.0625]),
    ],
)
def test_top_p_keeps_the_smallest_set_reaching_p(top_p, kept):
    # by hand: cumulative mass 0.5, 0.75, 0.875, 0.9375, 1; p = 0.7 needs the first two (0.75 >= 0.7), ...
    lp = log_probs_of([0.0625, 0.5, 0.125, 0.0625, 0.25])  # order scrambled on purpose
    probs = reshape(lp, top_p=top_p)
    ranked = sorted(probs.tolist(), reverse=True)
    assert ranked[: len(kept)] == pytest.approx(kept, abs=1e-6)
    assert ranked[len(kept) :] == [0.0] * (5 - len(kept))
    assert probs[1] == max(probs)  # the word with 0.5 is always kept


def test_top_k_then_top_p():
    lp = log_probs_of([0.4, 0.3, 0.2, 0.1])
    probs = reshape(lp, top_k=3, top_p=0.7)  # top 3 renormalised: 4/9, 3/9, 2/9; cumulative 4/9 < 0.7 <= 7/9
    assert probs.tolist() == pytest.approx([4 / 7, 3 / 7, 0.0, 0.0], abs=1e-6)


# --- next-word lists ----------------------------------------------------------------------------------


def test_top_words_and_entropy_by_hand():
    vocab = Vocab(["a", "b", "c", "d"])
    lp = log_probs_of([0.125, 0.5, 0.25, 0.125])
    nxt = top_words(lp, vocab, k=2)
    assert nxt.words == ["b", "c"] and nxt.ids == [1, 2]
    assert nxt.probs == pytest.approx([0.5, 0.25])
    # H = -sum p log2 p = 0.5*1 + 0.25*2 + 2 * 0.125*3 = 1.75 bits
    assert nxt.entropy_bits == pytest.approx(1.75, abs=1e-6)
    assert entropy_bits(torch.tensor([0.0, -math.inf])) == 0.0  # a word with probability 0 adds nothing
    assert top_words(lp, vocab, k=100).words == ["b", "c", "a", "d"]  # k is capped at the vocabulary


# --- randomness ---------------------------------------------------------------------------------------


def words_of(model, prompt, seed, **settings) -> list[int]:
    return [w.id for w in generate(model, prompt, 25, generator=make_generator(seed), **settings)]


def test_same_seed_same_text_whatever_else_draws_random_numbers():
    model = tiny_lm()
    first = words_of(model, [2, 3], seed=7)
    torch.manual_seed(12345)  # unrelated use of the global generator in between
    torch.rand(100)
    second = words_of(model, [2, 3], seed=7)
    assert first == second
    assert words_of(model, [2, 3], seed=8) != first  # and the seed matters
    assert len(set(first)) > 3  # the untrained model really samples, not one word over and over


def test_sampling_leaves_the_global_generator_alone():
    model = tiny_lm()
    torch.manual_seed(0)
    before = torch.get_rng_state()
    list(generate(model, [2], 5, generator=make_generator(3)))
    list(generate(model, [2], 5))  # no generator: a fresh private one
    make_generator(None)
    assert torch.equal(before, torch.get_rng_state())


def test_huge_and_negative_seeds_work():
    g1, g2 = make_generator(2**70 + 5), make_generator(2**70 + 5)
    assert torch.equal(torch.rand(3, generator=g1), torch.rand(3, generator=g2))
    make_generator(-1)


def test_temperature_zero_follows_the_argmax_path():
    model = tiny_lm(scale=2.0)
    got = [w.id for w in generate(model, [2, 3], 12, temperature=0.0)]
    log_probs, state = advance(model, [2, 3], start_state(model))
    expected = []
    for _ in range(12):
        expected.append(int(log_probs.argmax()))
        log_probs, state = advance(model, [expected[-1]], state)
    assert got == expected
    assert all(w.rank == 1 for w in generate(model, [2, 3], 12, temperature=0.0))


# --- incremental state --------------------------------------------------------------------------------


@pytest.mark.parametrize("settings", [{}, {"temperature": 0.7, "top_k": 4}, {"top_p": 0.8}])
def test_word_probabilities_and_ranks_agree_with_a_full_forward(settings):
    model = tiny_lm(seed=1, scale=1.5)
    prompt = [2, 3, 5, 6]
    words = list(generate(model, prompt, 15, generator=make_generator(4), **settings))
    assert [w.step for w in words] == list(range(15))
    ids = [model.vocab.eos_id, *prompt, *(w.id for w in words)]  # start_state is the state after <eos>
    with torch.no_grad():
        features, _ = model(torch.tensor(ids)[:, None])
        full = model.log_probs(features[:, 0])  # (T, V): row t predicts word t + 1
    for n, w in enumerate(words):
        row = full[len(prompt) + n]
        assert w.prob == pytest.approx(float(row[w.id].exp()), abs=1e-6)
        assert w.rank == int((row > row[w.id]).sum()) + 1
        assert w.word == WORDS[w.id]
        assert 0 < w.sampled_prob <= 1


def test_generation_continues_from_a_given_state():
    model = tiny_lm()
    _, state = advance(model, [2, 3], start_state(model))
    resumed = [w.id for w in generate(model, [5], 10, temperature=0, state=state)]
    whole = [w.id for w in generate(model, [2, 3, 5], 10, temperature=0)]
    assert resumed == whole


def test_empty_prompt_starts_a_new_line():
    model = tiny_lm()
    first = next(generate(model, [], 1, temperature=0))
    log_probs, _ = advance(model, [model.vocab.eos_id])
    assert first.id == int(log_probs.argmax())
    assert first.prob == pytest.approx(float(log_probs.max().exp()), abs=1e-6)


def test_stop_at_eos():
    model = tiny_lm()
    with torch.no_grad():
        model.decoder.bias[model.vocab.eos_id] = 50.0  # the model now always ends the line
    stopped = list(generate(model, [2, 3], 10, generator=make_generator(0), stop_at_eos=True))
    assert [w.word for w in stopped] == ["<eos>"]
    assert len(list(generate(model, [2, 3], 10, generator=make_generator(0)))) == 10


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
def test_one_word_steps_equal_the_fused_forward(cell):
    """advance() takes single words through the per-step cell kernels; they must match the fused layers."""
    torch.manual_seed(0)
    model = LanguageModel(
        ModelConfig(vocab_size=len(WORDS), embed_dim=8, hidden_dim=8, cell=cell, dropout=0.0)
    )
    model.eval()
    ids = [2, 3, 5, 6, 7, 4]
    state, stepped = None, []
    for word in ids:
        log_probs, state = advance(model, [word], state)
        stepped.append(log_probs)
    with torch.no_grad():
        features, fused_state = model(torch.tensor(ids)[:, None])
        fused = model.log_probs(features[:, 0])
    assert (torch.stack(stepped) - fused).abs().max() <= 1e-6
    for mine, theirs in zip(
        state if cell == "lstm" else (state,), fused_state if cell == "lstm" else (fused_state,), strict=True
    ):
        assert mine.shape == theirs.shape == (2, 1, 8)
        assert (mine - theirs).abs().max() <= 1e-6


def test_drawing_follows_the_distribution_and_never_picks_a_zero():
    probs = torch.tensor([0.0, 0.2, 0.0, 0.5, 0.3, 0.0])
    gen = make_generator(0)
    counts = torch.bincount(torch.tensor([draw(probs, gen) for _ in range(4000)]), minlength=6)
    assert counts[[0, 2, 5]].tolist() == [0, 0, 0]
    # binomial standard deviation at n = 4000 is at most 0.008: allow 4 of them
    assert (counts / 4000).tolist() == pytest.approx(probs.tolist(), abs=0.032)
    assert draw(torch.tensor([0.0, 0.0, 1.0]), gen) == 2
