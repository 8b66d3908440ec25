"""A perplexity must not depend on how the text is cut: batch 1 against batch 10, per-column scores, the
training option that shows a model zero-state starts, and `lstmlm eval --check-stability`."""

from __future__ import annotations

import json
import math
import random

import pytest
import torch

from lstmlm.cli import main
from lstmlm.data import Corpus, batchify
from lstmlm.model import LanguageModel, ModelConfig, zero_columns
from lstmlm.training.loop import Callback, TrainConfig, evaluate, restart_columns, train
from lstmlm.training.stability import check_stability, column_scores
from lstmlm.vocab import Vocab

ANIMALS = ["cat", "dog", "bird", "fox"]


def story(rng: random.Random, words: int) -> list[str]:
    """A made-up stream: one animal at a time (it changes every ~350 words), in short clauses."""
    out: list[str] = []
    animal = rng.choice(ANIMALS)
    while len(out) < words:
        if rng.random() < 0.02:
            animal = rng.choice(ANIMALS)
        out += ["the", animal, rng.choice(["sat", "ran", "is", "slept"]), rng.choice(["on", "in", "by"])]
        out += ["the", rng.choice(["mat", "house", "tree", "hill"]), rng.choice([".", ",", "and"])]
    return out


@pytest.fixture(scope="module")
def stories() -> tuple[Vocab, torch.Tensor, torch.Tensor]:
    """(vocab, training ids ~45,000 words, held-out ids 20,000 words)."""
    train_words, held_out = story(random.Random(0), 45_000), story(random.Random(1), 20_000)
    vocab = Vocab.from_tokens(train_words)

    def ids(words: list[str]) -> torch.Tensor:
        return torch.tensor(vocab.encode(words).ids)

    return vocab, ids(train_words), ids(held_out)


def tiny_config(vocab: Vocab) -> ModelConfig:
    return ModelConfig(vocab_size=len(vocab), embed_dim=8, hidden_dim=8, num_layers=2, dropout=0.0)


class Losses(Callback):
    def __init__(self) -> None:
        self.losses: list[float] = []

    def on_step(self, p) -> None:
        self.losses.append(p.loss)


def test_restart_columns_restarts_each_column_once_every_n_windows_staggered():
    every, batch = 4, 8
    table = torch.stack([restart_columns(step, every, batch) for step in range(2 * every)])  # (steps, B)
    assert table.sum(0).tolist() == [2] * batch  # each column twice in 2 * every windows
    assert table.sum(1).tolist() == [batch // every] * (2 * every)  # the same number at every step
    for column in range(batch):  # column j restarts at the steps s with (s + j * every // B) % every == 0
        expected = [s for s in range(2 * every) if (s + column * every // batch) % every == 0]
        assert table[:, column].nonzero().flatten().tolist() == expected


def test_zero_columns_zeroes_only_the_chosen_columns():
    h, c = torch.randn(2, 3, 4), torch.randn(2, 3, 4)
    new_h, new_c = zero_columns((h, c), torch.tensor([False, True, False]))
    assert torch.equal(new_h[:, 1], torch.zeros(2, 4)) and torch.equal(new_c[:, 1], torch.zeros(2, 4))
    assert torch.equal(new_h[:, [0, 2]], h[:, [0, 2]]) and torch.equal(new_c[:, [0, 2]], c[:, [0, 2]])


def test_restarting_every_window_is_training_from_a_zero_state_each_window(stories, tmp_path, monkeypatch):
    vocab, train_ids, held_out = stories
    corpus = Corpus(vocab, train_ids[:6000], held_out[:2000], None)
    settings = dict(epochs=1, batch_size=4, bptt=10, lr=0.01, device="cpu", max_words=400)
    restarted = Losses()
    train(
        corpus,
        tiny_config(vocab),
        TrainConfig(state_restart_every=1, **settings),
        tmp_path / "a",
        [restarted],
    )
    # the same run with the state thrown away between windows by hand
    import lstmlm.training.loop as train_module

    monkeypatch.setattr(train_module, "detach_state", lambda s: tuple(torch.zeros_like(x) for x in s))
    by_hand = Losses()
    train(corpus, tiny_config(vocab), TrainConfig(**settings), tmp_path / "b", [by_hand])
    assert len(restarted.losses) == 10
    assert restarted.losses == pytest.approx(by_hand.losses, rel=1e-6)
    monkeypatch.undo()
    carried = Losses()  # and carrying the state (no restarts) trains differently after the first window
    train(
        corpus, tiny_config(vocab), TrainConfig(state_restart_every=0, **settings), tmp_path / "c", [carried]
    )
    assert carried.losses[0] == pytest.approx(restarted.losses[0], rel=1e-6)
    assert carried.losses[1:] != pytest.approx(restarted.losses[1:], rel=1e-6)


def test_column_scores_add_up_to_the_standard_evaluation(stories):
    vocab, _, held_out = stories
    torch.manual_seed(0)
    model = LanguageModel(tiny_config(vocab)).eval()
    ids = held_out[:3001]
    scores = column_scores(model, ids, 10, 35)
    loss, count = evaluate(model, batchify(ids, 10), 35)
    assert sum(scores.words) == count == 10 * 299
    assert scores.perplexity == pytest.approx(math.exp(loss), rel=1e-6)
    # column 3 alone, read from a zero state, is what the model gives for that stretch of text
    column = batchify(ids, 10)[:, 3]
    alone = column_scores(model, column, 1, 35)
    assert scores.perplexities[3] == pytest.approx(alone.perplexity, rel=1e-5)


def test_a_briefly_trained_model_reads_a_long_stream_the_same_at_batch_1_and_10(stories, tmp_path):
    """The default training (seconds, a made-up corpus) gives the same perplexity however the text is cut."""
    vocab, train_ids, held_out = stories
    corpus = Corpus(vocab, train_ids, held_out[:3000], None)
    cfg = TrainConfig(epochs=3, batch_size=32, bptt=35, lr=0.03, device="cpu", seed=3)
    assert cfg.state_restart_every > 0  # the default shows the model zero-state starts
    result = train(corpus, tiny_config(vocab), cfg, tmp_path)
    assert result["steps"] >= 100
    from lstmlm import load_model

    model = load_model(tmp_path)
    at_10 = column_scores(model, held_out, 10, 35)  # 10 columns of 2,000 words, each from a zero state
    at_1 = column_scores(model, held_out, 1, 35)  # one column of 20,000 words
    assert at_10.perplexity < 6  # it learned the clauses (a unigram model gives ~12, the stream ~2)
    assert at_1.perplexity == pytest.approx(at_10.perplexity, rel=0.02)
    stability = check_stability(model, held_out, 10, 35)
    assert stability["other_perplexity"] == pytest.approx(at_1.perplexity, rel=1e-9)
    assert stability["spread"] == pytest.approx(max(at_10.perplexities) / min(at_10.perplexities))


def test_eval_says_how_the_figure_was_computed_and_checks_stability(tiny_model_dir, tiny_corpus, capsys):
    test_file = tiny_corpus / "test.txt"
    args = ["eval", "--model", str(tiny_model_dir), "--data", str(test_file)]
    assert main([*args, "--batch-size", "4", "--bptt", "10", "--check-stability", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    setting = result["setting"]
    assert setting == {
        "batch_size": 4,
        "bptt": 10,
        "words_scored": result["tokens"],
        "column_words": setting["column_words"],
        "state_carried": True,
    }
    assert result["tokens"] == 4 * (setting["column_words"] - 1)
    s = result["stability"]
    assert len(s["columns"]) == 4 and s["other_batch_size"] == 1
    assert s["perplexity"] == pytest.approx(result["perplexity"], rel=1e-6)
    at_1 = json.loads(_eval_json(args + ["--batch-size", "1", "--bptt", "10"], capsys))
    assert s["other_perplexity"] == pytest.approx(at_1["perplexity"], rel=1e-6)
    expected_difference = at_1["perplexity"] / result["perplexity"] - 1
    assert s["relative_difference"] == pytest.approx(expected_difference, abs=1e-6)
    # in words: the setting on every run, the spread with --check-stability
    assert main([*args, "--check-stability"]) == 0
    out = capsys.readouterr().out
    assert "computed with batch size 10" in out and "bptt 35" in out and "state carried" in out
    assert "per column (10 x" in out and "batch size 1: perplexity" in out


def _eval_json(args: list[str], capsys) -> str:
    assert main([*args, "--json"]) == 0
    return capsys.readouterr().out
