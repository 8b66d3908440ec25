"""Run-time classroom filter (issue 21) and `<unk>` in generation (issue 12, fault 11), in the library:
listed words and `<unk>` are masked out of sampling (renormalized), and the research switch shows them.

The tiny model here strongly prefers a listed word ("coon") and `<unk>`: without the mask nearly every
sampled word would be one of them, so a test that passes only because the model never says them is ruled out.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.safewords import (
    HIDDEN_LABEL,
    blocked_ids,
    hidden_words,
    hide_in_json,
    hide_in_text,
    hiding,
    showing_all_words,
)
from lstmlm.sampling import advance, generate, make_generator, mask_words, reshape, start_state
from lstmlm.studies.intervene import generate_with_interventions
from lstmlm.vocab import Vocab

# Built by hand: a vocabulary trained by `lstmlm train` could never hold "coon" (it is kept out).
WORDS = ["<eos>", "<unk>", "the", "cat", "sat", "on", "mat", "coon", "Darkey", "."]
LISTED = {"coon", "Darkey"}


def preferring_model(listed_logit: float = 6.0, unk_logit: float = 5.0) -> LanguageModel:
    """A 1-layer, 8-unit LSTM over WORDS whose output is dominated by its bias: "coon" most likely, then
    `<unk>`, then "Darkey", then the rest (weights small, so the prompt hardly matters)."""
    model = LanguageModel(
        ModelConfig(vocab_size=len(WORDS), embed_dim=8, hidden_dim=8, num_layers=1, dropout=0.0)
    )
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.empty_like(p).uniform_(-0.1, 0.1, generator=gen))
        bias = torch.zeros(len(WORDS))
        bias[WORDS.index("coon")] = listed_logit
        bias[WORDS.index("Darkey")] = listed_logit - 1.5
        bias[WORDS.index("<unk>")] = unk_logit
        model.decoder.bias.copy_(bias)
    model.vocab = Vocab(WORDS)
    return model.eval()


MODEL = preferring_model()
COON, DARKEY, UNK = (WORDS.index(w) for w in ("coon", "Darkey", "<unk>"))
PROMPT = [WORDS.index(w) for w in ("the", "cat", "sat")]


def raw_log_probs(model: LanguageModel, ids: list[int]) -> torch.Tensor:
    """The model's own log-probabilities after `ids` read from the line start (no mask)."""
    return advance(model, ids, start_state(model))[0]


def test_the_tiny_model_really_prefers_the_listed_word():
    p = raw_log_probs(MODEL, PROMPT).exp()
    assert int(p.argmax()) == COON and float(p[COON]) > 0.5 and float(p[[COON, DARKEY, UNK]].sum()) > 0.9


def test_blocked_ids_follow_the_switch_and_allow_unk():
    assert hiding()
    assert blocked_ids(MODEL.vocab) == [COON, DARKEY]  # found case-insensitively ("Darkey")
    assert blocked_ids(MODEL.vocab, allow_unk=False) == [UNK, COON, DARKEY]
    with showing_all_words():
        assert not hiding()
        assert blocked_ids(MODEL.vocab) == [] and blocked_ids(MODEL.vocab, allow_unk=False) == [UNK]
    assert hiding()  # restored
    assert blocked_ids(Vocab(["<eos>", "the"]), allow_unk=False) == []  # no <unk> to block


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**63 - 1),
    temperature=st.sampled_from([0.0, 0.5, 1.0, 2.0, 50.0]),
    top_k=st.sampled_from([0, 1, 2, 5]),
    top_p=st.sampled_from([1.0, 0.9, 0.3]),
)
def test_generation_never_yields_a_listed_word_or_unk(seed, temperature, top_k, top_p):
    words = list(generate(MODEL, PROMPT, 25, temperature, top_k, top_p, make_generator(seed)))
    assert len(words) == 25
    assert not {w.id for w in words} & {COON, DARKEY, UNK}
    assert not {w.word for w in words} & (LISTED | {"<unk>"})


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**63 - 1))
def test_intervened_generation_masks_the_same_words(seed):
    ids = {w.id for w in generate_with_interventions(MODEL, PROMPT, (), 20, 1.0, 0, 1.0, seed)}
    assert not ids & {COON, DARKEY, UNK}


def test_unk_is_generated_when_asked_and_listed_words_still_never():
    words = [w.id for w in generate(MODEL, PROMPT, 200, 1.0, 0, 1.0, make_generator(1), allow_unk=True)]
    # <unk> has ~90% of what is left once the listed words are masked: it must show up
    assert words.count(UNK) > 100 and not {COON, DARKEY} & set(words)


def test_research_switch_lets_the_model_say_the_listed_word():
    with showing_all_words():
        words = [w.id for w in generate(MODEL, PROMPT, 100, 1.0, 0, 1.0, make_generator(2))]
    assert words.count(COON) > 30 and UNK not in words  # <unk> is still off unless asked


def test_masked_distribution_is_the_renormalized_raw_distribution():
    log_probs = raw_log_probs(MODEL, PROMPT)
    p = np.exp(log_probs.double().numpy())
    expected = p.copy()
    expected[[COON, DARKEY, UNK]] = 0.0
    expected /= expected.sum()  # renormalized by hand, from the model's raw log-probs
    blocked = blocked_ids(MODEL.vocab, allow_unk=False)
    np.testing.assert_allclose(mask_words(log_probs, blocked).double().exp().numpy(), expected, atol=1e-6)
    np.testing.assert_allclose(reshape(log_probs, 1.0, 0, 1.0, blocked).double().numpy(), expected, atol=1e-6)
    # temperature 2 over the masked words: p^(1/2), renormalized over the allowed ones only
    tempered = np.where(expected > 0, p**0.5, 0.0)
    np.testing.assert_allclose(
        reshape(log_probs, 2.0, 0, 1.0, blocked).double().numpy(), tempered / tempered.sum(), atol=1e-6
    )
    # top-k 2 picks the 2 most likely allowed words
    top2 = np.argsort(-expected)[:2]
    kept = np.zeros_like(expected)
    kept[top2] = expected[top2]
    np.testing.assert_allclose(
        reshape(log_probs, 1.0, 2, 1.0, blocked).double().numpy(), kept / kept.sum(), atol=1e-6
    )
    # greedy: the most likely allowed word
    assert int(reshape(log_probs, 0.0, 0, 1.0, blocked).argmax()) == int(np.argmax(expected))


def test_generated_word_reports_the_model_probability_and_the_masked_sampling_probability():
    gw = next(iter(generate(MODEL, PROMPT, 1, 1.0, 0, 1.0, make_generator(3))))
    log_probs = raw_log_probs(MODEL, PROMPT)
    p = log_probs.double().exp()
    allowed = p.clone()
    allowed[[COON, DARKEY, UNK]] = 0
    assert math.isclose(gw.prob, float(p[gw.id]), rel_tol=1e-5)
    assert math.isclose(gw.sampled_prob, float(allowed[gw.id] / allowed.sum()), rel_tol=1e-5)
    assert gw.rank == int((p > p[gw.id]).sum()) + 1 >= 4  # three words above it were masked


def test_nothing_left_to_sample_is_a_clear_error():
    with pytest.raises(ValueError, match="every word this model could say is hidden or <unk>"):
        mask_words(torch.log(torch.tensor([0.5, 0.5])), [0, 1])


def test_text_and_json_hiding_count_what_they_hid():
    assert hide_in_text("Old Coon and the raccoon; coon's den") == (
        f"Old {HIDDEN_LABEL} and the raccoon; {HIDDEN_LABEL}'s den",
        2,
    )
    data = {"words": ["the", "Darkey"], "text": "a coon sat", "bdata": "coon", "n": 3}
    hidden, n = hide_in_json(data)
    assert n == 2 and hidden == {
        "words": ["the", HIDDEN_LABEL],
        "text": f"a {HIDDEN_LABEL} sat",
        "bdata": "coon",  # binary payloads are left alone
        "n": 3,
    }
    assert data["words"][1] == "Darkey"  # the input is not changed
    with showing_all_words():
        assert hide_in_json(data) == (data, 0)


# --- the command line -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def preferring_dir(tmp_path_factory) -> Path:
    """MODEL saved as a model directory (what a user's own or imported model looks like)."""
    from lstmlm.checkpoint import save_model

    out = tmp_path_factory.mktemp("prefers_listed")
    save_model(out, MODEL, MODEL.vocab)
    return out


def cli(capsys, *argv: str) -> tuple[int, str]:
    from lstmlm.cli import main

    try:
        code = main(list(argv))
    except SystemExit as e:
        code = e.code
    return code, capsys.readouterr().out


def test_cli_next_hides_the_listed_word_and_says_so(capsys, preferring_dir):
    code, out = cli(capsys, "next", "--model", str(preferring_dir), "the cat sat", "-k", "4", "--json")
    result = json.loads(out)
    words = [n["word"] for n in result["next"]]
    p = raw_log_probs(MODEL, PROMPT).exp()
    assert code == 0 and words == [HIDDEN_LABEL, "<unk>", HIDDEN_LABEL, words[3]] and result["hidden"] == 2
    assert result["next"][0]["prob"] == pytest.approx(float(p[COON]), rel=1e-5)  # the model's own number
    code, out = cli(capsys, "next", "--model", str(preferring_dir), "the cat sat", "-k", "4")
    assert code == 0 and HIDDEN_LABEL in out and "coon" not in out.lower() and "darkey" not in out.lower()


def test_cli_show_all_words_is_research_mode_and_does_not_stick(capsys, preferring_dir):
    args = ("next", "--model", str(preferring_dir), "the cat sat", "-k", "3", "--json")
    result = json.loads(cli(capsys, *args, "--show-all-words")[1])
    assert [n["word"] for n in result["next"]] == ["coon", "<unk>", "Darkey"] and result["hidden"] == 0
    assert hiding()  # the switch is restored after the command
    assert json.loads(cli(capsys, *args)[1])["hidden"] == 2


def test_cli_sample_never_draws_unk_or_listed_words_unless_asked(capsys, preferring_dir):
    base = ("sample", "--model", str(preferring_dir), "the cat", "-n", "60", "--seed", "4", "--json")
    words = [w["word"] for w in json.loads(cli(capsys, *base)[1])["words"]]
    assert len(words) == 60 and not set(words) & {"coon", "Darkey", "<unk>", HIDDEN_LABEL}
    words = [w["word"] for w in json.loads(cli(capsys, *base, "--allow-unk")[1])["words"]]
    assert words.count("<unk>") > 20 and not set(words) & {"coon", "Darkey", HIDDEN_LABEL}
    words = [w["word"] for w in json.loads(cli(capsys, *base, "--show-all-words")[1])["words"]]
    assert words.count("coon") > 10 and "<unk>" not in words


# --- the bundled models ---------------------------------------------------------------------------------

# Trained on WikiText-2 with its whole vocabulary (the GRU and RNN before the classroom list existed,
# the LSTM with `--keep-listed-words`, so that its perplexity compares with published figures): their
# vocabularies hold some listed words (13 each). For these models the run-time mask is what keeps a class
# safe: the words are never sampled and always shown as "(hidden word)". Every other bundled model
# (`lstmlm train` leaves listed words out of the vocabulary unless told) must hold none.
TRAINED_BEFORE_THE_LIST = ("wikitext2-lstm", "wikitext2-gru", "wikitext2-rnn")


def _bundled_vocabularies() -> list[tuple[str, list[str]]]:
    from lstmlm.bundled import bundled_model_dirs

    out = []
    for directory in bundled_model_dirs():
        words = (directory / "vocab.txt").read_text(encoding="utf-8").split("\n")
        out.append((directory.name, words[:-1] if words and words[-1] == "" else words))
    return out


def test_bundled_vocabularies_hold_no_listed_word_except_the_older_wikitext_models():
    vocabularies = _bundled_vocabularies()
    assert vocabularies, "no bundled model found"
    for name, words in vocabularies:
        # counted here with a plain lowercase set lookup, not with hidden_ids
        listed = [i for i, w in enumerate(words) if w.lower() in hidden_words()]
        if name in TRAINED_BEFORE_THE_LIST:
            # the run-time mask covers every one of them, and <unk>
            assert set(blocked_ids(Vocab(words), allow_unk=False)) == {*listed, words.index("<unk>")}, name
        else:
            assert listed == [], f"{name}: {len(listed)} listed words in its vocabulary"
