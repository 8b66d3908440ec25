"""The prompt-state memo gives exactly the numbers of a full re-read (`advance` from the line start), bit for
bit, however the prompts come: typed word by word, edited, jumping around, long (fused) or evicted."""

from __future__ import annotations

import random
import threading

import pytest
import torch

from lstmlm.model import FUSED_MIN_STEPS
from lstmlm.prompt import PrefixStates, read_prompt
from lstmlm.sampling import advance, generate, make_generator, start_state
from playground.views.generate import GenerationSettings, generate_words
from playground.views.next_word import next_log_probs, prompt_states


def same(a, b) -> bool:
    """Bit-identical tensors, or (h, c) pairs of them."""
    if isinstance(a, tuple):
        return all(torch.equal(x, y) for x, y in zip(a, b, strict=True))
    return torch.equal(a, b)


def random_ids(model, n: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    return [rng.randrange(model.config.vocab_size) for _ in range(n)]


def test_typing_word_by_word_equals_a_full_read_and_costs_one_step_a_word(tiny_model):
    start = start_state(tiny_model)
    memo = PrefixStates(tiny_model, start)
    ids = random_ids(tiny_model, FUSED_MIN_STEPS + 6, seed=1)  # past the fused threshold too
    for n in range(1, len(ids) + 1):
        expected_lp, expected_state = advance(tiny_model, ids[:n], start)
        got_lp, got_state = memo.read(ids[:n])
        assert torch.equal(got_lp, expected_lp) and same(got_state, expected_state), n
    # word by word: one step a word, but the word that completes a chunk of FUSED_MIN_STEPS words, which
    # reads that chunk in one fused call from the line start (as advance does)
    assert memo.chunks_run == 1 and memo.steps_run == len(ids) - 1
    again_lp, again_state = memo.read(ids)  # the same long prompt again: reused whole
    assert torch.equal(again_lp, advance(tiny_model, ids, start)[0])
    assert memo.chunks_run == 1 and memo.steps_run == len(ids) - 1


def test_long_prompts_continue_from_a_chunk_start_but_never_from_inside_a_chunk(tiny_model):
    """Prompts of up to three chunks, typed on, cut back and edited at random places: each equals a fresh
    advance bit for bit; a prompt that shares only a prefix ending inside a chunk rereads that chunk."""
    K = FUSED_MIN_STEPS
    start = start_state(tiny_model)
    memo = PrefixStates(tiny_model, start)
    base = random_ids(tiny_model, 3 * K + 5, seed=4)
    rng = random.Random(5)
    prompts = [base[: rng.randint(1, len(base))] for _ in range(25)]
    for s in range(10):  # a word changed at a random place, then typed on
        n = rng.randint(1, len(base) - 3)
        prompts.append(base[:n] + random_ids(tiny_model, rng.randint(1, K + 3), seed=100 + s))
    for ids in prompts:
        expected_lp, expected_state = advance(tiny_model, ids, start)
        got_lp, got_state = memo.read(ids)
        assert torch.equal(got_lp, expected_lp) and same(got_state, expected_state), len(ids)
    fresh = PrefixStates(tiny_model, start)
    fresh.read(base[: K + 5])  # one chunk, then 5 steps
    assert (fresh.chunks_run, fresh.steps_run) == (1, 5)
    fresh.read(base[: K - 3] + random_ids(tiny_model, 8, seed=9))  # shares 21 words, inside the first chunk
    assert (fresh.chunks_run, fresh.steps_run) == (2, 5 + 5)  # that chunk read anew, not continued
    fresh.read(base[: 2 * K + 1])  # continues at the cached chunk boundary K
    assert (fresh.chunks_run, fresh.steps_run) == (3, 11)


def test_edits_jumps_and_eviction_keep_the_numbers(tiny_model):
    start = start_state(tiny_model)
    memo = PrefixStates(tiny_model, start, max_entries=3)  # tiny: most lookups miss or find a short prefix
    base = random_ids(tiny_model, 12, seed=2)
    rng = random.Random(3)
    prompts = [base[: rng.randint(1, 12)] for _ in range(30)]
    prompts += [base[:5] + random_ids(tiny_model, 3, seed=s) for s in range(5)]  # a word changed mid-way
    for ids in prompts:
        expected_lp, expected_state = advance(tiny_model, ids, start)
        got_lp, got_state = memo.read(ids)
        assert torch.equal(got_lp, expected_lp) and same(got_state, expected_state), ids
    assert len(memo) <= 3


def test_reads_from_many_threads_agree(tiny_model):
    start = start_state(tiny_model)
    memo = PrefixStates(tiny_model, start, max_entries=16)
    prompts = [random_ids(tiny_model, n, seed=n) for n in range(1, 30)]
    expected = [advance(tiny_model, ids, start)[0] for ids in prompts]
    wrong = []

    def reader(seed: int) -> None:
        order = list(range(len(prompts)))
        random.Random(seed).shuffle(order)
        for i in order * 3:
            if not torch.equal(memo.read(prompts[i])[0], expected[i]):
                wrong.append(i)

    threads = [threading.Thread(target=reader, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_empty_prompt_is_refused(tiny_model):
    with pytest.raises(ValueError, match="at least one word"):
        PrefixStates(tiny_model, start_state(tiny_model)).read([])


@pytest.mark.parametrize("words", [3, FUSED_MIN_STEPS + 4])
def test_views_and_generation_give_a_full_reads_numbers(tiny_model, words):
    """next_log_probs and generate_words read the prompt through the shared memo: same numbers, same text."""
    text = " ".join(["the cat sat on the mat ."] * 8).split()[:words]
    prompt = read_prompt(tiny_model.vocab, " ".join(text))
    start = start_state(tiny_model)
    for n in range(1, len(prompt.ids) + 1):  # typed word by word, as the Next-word view sees it
        assert torch.equal(
            next_log_probs(tiny_model, prompt.ids[:n]), advance(tiny_model, prompt.ids[:n], start)[0]
        )
    assert len(prompt_states(tiny_model)) > 0
    settings = GenerationSettings(temperature=0.9, top_k=5, top_p=0.9, max_words=8, seed=7)
    got = list(generate_words(tiny_model, prompt, settings))
    expected = list(generate(tiny_model, prompt.ids, 8, 0.9, 5, 0.9, make_generator(7), state=start))
    assert got == expected
