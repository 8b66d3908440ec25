"""The one generation loop: `sampling.generate(step=...)` feeds every word through the given step (Intervene's
traced step uses it), with positions counted from the prompt's first word."""

from __future__ import annotations

from lstmlm.sampling import advance, generate, make_generator


def test_a_step_sees_the_prompt_then_each_word_at_its_position(tiny_model):
    ids = tiny_model.vocab.encode_text("the cat sat on").ids
    calls = []

    def step(words, state, position):
        calls.append((list(words), position))
        return advance(tiny_model, words, state)

    got = list(generate(tiny_model, ids, 6, 1.0, 0, 1.0, make_generator(3), step=step))
    ref = list(generate(tiny_model, ids, 6, 1.0, 0, 1.0, make_generator(3), fast=False))
    assert [w.id for w in got] == [w.id for w in ref]
    assert calls[0] == (ids, 0)  # the prompt, once
    # each drawn word is fed at its place after the prompt
    assert calls[1:] == [([w.id], len(ids) + n) for n, w in enumerate(got)]
