"""Property-based tests (hypothesis): any text, any ids, any settings through the library's entry points
either work and keep their invariants, or raise ValueError with a message. Never anything else."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lstmlm import load_model
from lstmlm.sampling import check_settings, generate, make_generator, reshape
from lstmlm.trace import GATE_RANGES, TARGETS, Intervention, check_interventions, trace
from lstmlm.vocab import EOS, detokenize, tokenize

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text with what a class types and pastes: control characters and NUL, emoji (with joiners and skin tones),
# CJK, right-to-left scripts and marks, combining accents, zero-width characters, WikiText's own escapes.
NASTY = (
    "\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x7f\x85\xa0\u2028\u2029\ufeff\u200b\u200d\u202e\u2066"
    "😀👍🏽👨‍👩‍👧🐈‍⬛中文日本語한국어עבריתالعربية\u0301é.,'\"-–—…@<>/\\$%&"
)
TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=NASTY + "abc XYZ 123", max_size=300),
    st.builds(
        lambda a, n, b: a + " " * n + b, st.text(max_size=20), st.integers(0, 20_000), st.text(max_size=20)
    ),
    st.builds(lambda n: "word\n" * n, st.integers(0, 3_000)),
    st.lists(
        st.sampled_from(["@-@", "@,@", "@.@", "<unk>", "<eos>", "<formula>", "=", "U.S.", "'s", "n't"])
    ).map(" ".join),
)


@pytest.fixture(scope="module")
def model(tiny_model_dir):
    """The tiny model (2 layers x 8 units), loaded once: hypothesis reruns a test body many times."""
    return load_model(tiny_model_dir)


@FAST
@given(text=TEXT)
@example(text="\n" * 10_000)
@example(text="\r\n" * 2_000 + "\r" * 100)
@example(text=" \t" * 50_000)
@example(text="\x00" * 1000)
def test_any_text_tokenizes_encodes_and_detokenizes(model, text):
    tokens = tokenize(text)
    assert isinstance(tokens, list) and all(isinstance(t, str) and t and not t.isspace() for t in tokens)
    assert all(len(t.split()) == 1 for t in tokens)  # no token holds whitespace
    enc = model.vocab.encode_text(text)
    assert enc.tokens == tokens and len(enc.ids) == len(tokens)
    assert all(0 <= i < len(model.vocab) for i in enc.ids)
    assert all(enc.ids[p] == model.vocab.unk_id for p in enc.unknown)
    assert all(model.vocab.words[i] == t for i, t in zip(enc.ids, tokens, strict=True) if t in model.vocab)
    out = detokenize(tokens)
    assert isinstance(out, str)
    if "<" not in text:  # every line break (\n, \r\n, \r) is one <eos>, whatever surrounds it
        assert tokens.count(EOS) == text.replace("\r\n", "\n").replace("\r", "\n").count("\n")


@FAST
@given(data=st.data())
def test_trace_of_any_ids_keeps_the_lstm_identities(model, data):
    V, L, H = len(model.vocab), model.config.num_layers, model.config.hidden_dim
    steps = data.draw(st.integers(1, 60), label="steps")
    batch = data.draw(st.integers(1, 3), label="batch")
    ids = data.draw(
        st.lists(st.integers(0, V - 1), min_size=steps * batch, max_size=steps * batch), label="ids"
    )
    ids = torch.tensor(ids).view(steps, batch)
    tr = trace(model, ids)
    assert len(tr.layers) == L and tr.log_probs.shape == (steps, batch, V)
    for lt in tr.layers:
        for gate, (lo, hi) in GATE_RANGES.items():
            v = lt.get(gate)
            assert v.shape == (steps, batch, H) and torch.isfinite(v).all()
            assert v.min() >= lo and v.max() <= hi
        c_prev = torch.cat([lt.c0[None], lt.c[:-1]])  # c_{t-1}
        assert torch.allclose(lt.c, lt.f * c_prev + lt.i * lt.g, atol=1e-6)  # c_t = f_t c_{t-1} + i_t g_t
        assert torch.allclose(lt.h, lt.o * torch.tanh(lt.c), atol=1e-6)  # h_t = o_t tanh(c_t)
    for n, lt in enumerate(tr.layers):  # the returned state continues where the trace stopped
        assert torch.equal(tr.state[0][n], lt.h[-1]) and torch.equal(tr.state[1][n], lt.c[-1])
    assert torch.allclose(tr.log_probs.exp().sum(-1), torch.ones(steps, batch), atol=1e-5)
    with torch.no_grad():  # the same numbers as the fused nn.LSTM
        top_h, _ = model.rnn(model.embedding(ids))
    assert torch.allclose(tr.layers[-1].h, top_h, atol=1e-5)


ANY_NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-2, max_value=2),
    st.floats(min_value=0, max_value=1e-30),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, 1, 0.0, 1.0, -0.0, 5e-324, 1e308, True, False, None, "1", "nan"]),
)


@FAST
@given(
    logits=st.lists(st.floats(min_value=-1e4, max_value=1e4), min_size=1, max_size=50),
    temperature=ANY_NUMBER,
    top_k=ANY_NUMBER,
    top_p=ANY_NUMBER,
)
@example(logits=[0.0, -1.0, -2.0], temperature=1e-300, top_k=0, top_p=1.0)
@example(logits=[0.0, -1.0, -2.0], temperature=5e-324, top_k=0, top_p=1.0)
@example(logits=[3.0, 3.0, 3.0], temperature=1e308, top_k=2, top_p=1e-300)
def test_reshape_is_a_distribution_or_a_value_error(logits, temperature, top_k, top_p):
    log_probs = torch.log_softmax(torch.tensor(logits), dim=0)
    try:
        check_settings(temperature, top_k, top_p)
        probs = reshape(log_probs, temperature, top_k, top_p)
    except ValueError as e:
        assert str(e)  # a message that says what is allowed
        with pytest.raises(ValueError):  # the two agree on what is allowed
            reshape(log_probs, temperature, top_k, top_p)
        return
    assert probs.shape == log_probs.shape and torch.isfinite(probs).all()
    assert (probs >= 0).all() and (probs > 0).any()
    assert math.isclose(float(probs.sum()), 1.0, abs_tol=1e-5)
    if isinstance(top_k, int) and 0 < top_k < len(logits):
        assert int((probs > 0).sum()) <= top_k


@FAST
@given(
    prompt=TEXT,
    max_words=st.integers(0, 12),
    temperature=st.one_of(st.just(0.0), st.floats(min_value=0, max_value=1e6)),
    top_k=st.integers(0, 100),
    top_p=st.floats(min_value=0, max_value=1, exclude_min=True),
    seed=st.one_of(st.none(), st.integers(min_value=-(2**200), max_value=2**200)),
    stop_at_eos=st.booleans(),
)
def test_generate_with_any_valid_settings_yields_vocabulary_words(
    model, prompt, max_words, temperature, top_k, top_p, seed, stop_at_eos
):
    ids = model.vocab.encode_text(prompt).ids
    words = list(
        generate(model, ids, max_words, temperature, top_k, top_p, make_generator(seed), stop_at_eos)
    )
    assert len(words) == max_words or (stop_at_eos and words and words[-1].word == EOS)
    for n, w in enumerate(words):
        assert w.step == n and w.word in model.vocab and model.vocab.words[w.id] == w.word
        assert 0 <= w.prob <= 1 and w.rank >= 1 and 0 < w.sampled_prob <= 1 + 1e-6
    if seed is not None:  # same seed, same words
        again = generate(model, ids, max_words, temperature, top_k, top_p, make_generator(seed), stop_at_eos)
        assert [w.id for w in again] == [w.id for w in words]


@FAST
@given(
    layer=ANY_NUMBER,
    target=st.one_of(st.sampled_from(sorted(TARGETS)), st.text(max_size=3)),
    value=ANY_NUMBER,
    units=st.one_of(
        st.none(),
        st.lists(st.integers(-5, 20), max_size=4).map(tuple),
        st.lists(ANY_NUMBER, max_size=3).map(tuple),
        ANY_NUMBER,
    ),
    start=st.one_of(st.integers(-3, 10), ANY_NUMBER),
    stop=st.one_of(st.none(), st.integers(-3, 10), ANY_NUMBER),
)
def test_check_interventions_raises_only_value_error(model, layer, target, value, units, start, stop):
    iv = Intervention(layer=layer, target=target, value=value, units=units, start=start, stop=stop)
    try:
        check_interventions(model, [iv], 6)
    except ValueError as e:
        assert str(e)
        return
    tr = trace(model, [0, 1, 2, 3, 4, 5], interventions=[iv])  # what passes the check also traces
    assert all(torch.isfinite(lt.c).all() for lt in tr.layers)
