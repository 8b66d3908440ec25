"""Training defaults that fit the budget and the corpus (lstmlm/training/autosize.py,
`lstmlm train --max-minutes`).

The rule is checked with a fake throughput and a frozen clock, so the choices are exact numbers worked out
by hand below; the CLI runs use a tiny corpus, 8 units and a word budget (no timing involved), except one
that checks the probe with a time budget.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import torch
from conftest import write_corpus

from lstmlm.cli import main
from lstmlm.training.autosize import plan_training, recurrent_weights, vocabulary_cap

FROZEN = lambda: 0.0  # noqa: E731  (a clock that never moves: the probe takes no time)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
def test_recurrent_weights_match_torch(cell):
    net = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn_tanh": torch.nn.RNN}[cell](24, 40, 2)
    assert recurrent_weights(24, 40, 2, cell) == sum(p.numel() for p in net.parameters())


def test_vocabulary_cap_keeps_words_seen_three_times():
    counts = torch.tensor([50, 9, 3, 3, 2, 1, 1, 1])  # 4 words seen 3+ times
    assert vocabulary_cap(counts, specials=2)[0] == 6  # + <eos>, <unk>
    assert vocabulary_cap(torch.tensor([5, 4, 3]), specials=0)[0] == 0  # all frequent: no cap
    cap, reason = vocabulary_cap(torch.full((60_000,), 7), specials=0)
    assert cap == 50_000 and "capped" in reason


def test_time_budget_picks_the_largest_size_that_reads_enough():
    # 600,000 training words, 60,000 validated per pass, 20,000-word vocabulary, 1 minute; a size of h
    # units runs at 12e6 / h words/s. Time left for training steps: 60 s x 600,000 / (600,000 + 60,000 / 3),
    # so h units read 12e6 / h x 58.06 = 696.8 M / h words. Enough = min(2 passes = 1.2 M, 4 x weights):
    # 512 units read 1.361 M (fits), 768 read 0.907 M (too few): 512.
    seen = []

    def measure(settings: dict) -> float:
        seen.append(settings["hidden_dim"])
        return 12e6 / settings["hidden_dim"]

    plan = plan_training(600_000, 60_000, 20_000, 1.0, 0, {}, measure, clock=FROZEN)
    # bisection of the ladder (1,024 units: over 17.8 weights a word, not tried): 256 fits, 512 fits, 768 not
    assert seen == [256, 512, 768]
    assert (
        plan.model["hidden_dim"] == 512 and plan.model["embed_dim"] == 256 and plan.model["num_layers"] == 2
    )
    assert "768 units would read too few" in plan.reasons["hidden_dim"]
    # 20,000 x 512 output multiply-adds a word > 3.68 M LSTM weights: adaptive softmax, untied
    assert plan.model["softmax"] == "adaptive" and plan.model["tie_weights"] is False
    # 6.13 weights a word -> 0.35 + 0.2 x log10(6.13) = 0.508 for a long run; 2.27 passes phase it in:
    # 0.1 + 0.408 x 1.27 / 3 = 0.272
    assert plan.model["dropout"] == 0.27
    assert plan.train == {"optimizer": "adam", "lr": 0.003, "schedule": "cosine", "max_minutes": 1.0}
    assert set(plan.record()) >= {"hidden_dim", "dropout", "softmax", "probe"}
    assert plan.record()["probe"]["words_per_s"]["512"] == 23438


def test_word_budget_on_a_large_corpus_uses_words_per_weight():
    # 1 M words of a 10 M-word corpus: enough = 4 x weights; 64 units have 66,560 (4x = 266,240 <= 1 M),
    # 128 units 264,192 (4x = 1.06 M > 1 M): 64 units. 0.1 passes: each word read once -> dropout 0.1.
    plan = plan_training(10_000_000, 100_000, 30_000, 0.0, 1_000_000, {})
    assert plan.model["hidden_dim"] == 64 and plan.model["dropout"] == 0.1
    assert "max_minutes" not in plan.train and plan.measured == {}


def test_small_vocabulary_gets_a_tied_full_softmax():
    plan = plan_training(50_000, 5_000, 300, 0.0, 200_000, {})
    assert plan.model["softmax"] == "full" and plan.model["tie_weights"] is True
    assert plan.model["embed_dim"] == plan.model["hidden_dim"]


def test_given_settings_win():
    given = {"hidden_dim": 128, "dropout": 0.5, "softmax": "full", "lr": 0.01, "embed_dim": 64}
    calls = []
    plan = plan_training(100_000, 10_000, 20_000, 1.0, 0, given, lambda s: calls.append(s) or 5e4, FROZEN)
    assert [c["hidden_dim"] for c in calls] == [128] and calls[0]["softmax"] == "full"
    assert not set(given) & (set(plan.model) | set(plan.train))
    assert plan.model["tie_weights"] is False  # full softmax, but the given embedding is narrower


def test_probe_keeps_to_its_share_of_the_budget():
    # each probe takes 1 s of a 1-minute budget (5%: 3 s). 100,000 words allow up to 256 units (17.8 weights
    # a word), so the bisection starts at 128 (1 s, +2 s expected for the next: may go on), then 192
    # (2 s + 2 s > 3 s): it stops there, though 256 would have fitted
    now = [0.0]

    def measure(settings: dict) -> float:
        now[0] += 1.0
        return 1e6

    plan = plan_training(100_000, 10_000, 20_000, 1.0, 0, {}, measure, clock=lambda: now[0])
    assert list(plan.measured) == [128, 192] and plan.model["hidden_dim"] == 192
    assert "not probed" in plan.reasons["hidden_dim"]
    assert plan.train["max_minutes"] == pytest.approx(1 - 2 / 60)  # the probe's 2 s come off the budget


def test_word_budget_on_a_small_corpus_stops_where_dropout_stops_helping():
    # 200,000 words, 1 M-word budget: 5 passes, so every size reads enough; the cap is 17.8 weights a word
    # (3.56 M): 384 units have 2,168,832, 512 units 3,678,208 (too many): 384
    plan = plan_training(200_000, 10_000, 30_000, 0.0, 1_000_000, {})
    assert plan.model["hidden_dim"] == 384 and "17.8 recurrent weights" in plan.reasons["hidden_dim"]
    # q = 10.84 -> 0.35 + 0.2 x log10(10.84) = 0.557, in full after 5 passes
    assert plan.model["dropout"] == 0.56
    # a tiny corpus still gets the smallest size
    assert plan_training(1_000, 100, 300, 0.0, 100_000, {}).model["hidden_dim"] == 64


def test_no_budget_is_refused():
    with pytest.raises(ValueError, match="--max-minutes or --max-words"):
        plan_training(1000, 100, 50, 0.0, 0, {})


def rare_corpus(tmp_path: Path) -> Path:
    """The tiny corpus plus five words seen once each (the automatic vocabulary leaves them out)."""
    folder = write_corpus(tmp_path / "corpus")
    with open(folder / "train.txt", "a", encoding="utf-8") as f:
        f.write(" the zebra quince yurt wombat kiwi \n")
    return folder


def train_cli(capsys, corpus: Path, out: Path, *extra: str) -> tuple[int, str]:
    argv = ["train", "--data", str(corpus), "--out", str(out), "--batch-size", "4", "--bptt", "10"]
    code = main([*argv, "--threads", "1", "--device", "cpu", "--quiet", *extra])
    return code, capsys.readouterr().err


def test_cli_prints_and_records_the_choices(tmp_path, capsys):
    corpus, out = rare_corpus(tmp_path), tmp_path / "m"
    code, err = train_cli(capsys, corpus, out, "--max-words", "400", "--hidden-dim", "8", "--dropout", "0.3")
    assert code == 0
    config = json.loads((out / "config.json").read_text())
    choices = config["training"]["auto_choices"]
    vocab = (out / "vocab.txt").read_text().split("\n")
    for rare in ("zebra", "quince", "yurt", "wombat", "kiwi"):
        assert rare not in vocab
    assert choices["max_vocab"]["value"] == config["model"]["vocab_size"] == len(train_words(corpus, 3)) + 1
    # the given settings are kept and not listed as choices
    assert config["model"]["hidden_dim"] == 8 and config["model"]["dropout"] == 0.3
    assert "hidden_dim" not in choices and "dropout" not in choices
    assert choices["softmax"]["value"] == config["model"]["softmax"] == "full"  # 27 words: full is cheaper
    assert config["model"]["tie_weights"] is True and config["model"]["embed_dim"] == 8
    assert "auto: --softmax full (" in err and "auto: --max-vocab" in err and "auto: --hidden-dim" not in err


def train_words(folder: Path, min_count: int = 1) -> set[str]:
    """The distinct tokens of train.txt seen at least `min_count` times, <eos> included."""
    counts = Counter((folder / "train.txt").read_text().split())
    return {w for w, n in counts.items() if n >= min_count} | {"<eos>"}


def test_cli_no_auto_and_resume(tmp_path, capsys):
    corpus = rare_corpus(tmp_path)
    assert len(train_words(corpus)) - len(train_words(corpus, 3)) == 5  # the five rare words
    code, err = train_cli(
        capsys, corpus, tmp_path / "fixed", "--max-words", "200", "--hidden-dim", "8", "--no-auto"
    )
    assert code == 0 and "auto:" not in err
    config = json.loads((tmp_path / "fixed" / "config.json").read_text())
    assert (
        "auto_choices" not in config["training"]
        and config["model"]["vocab_size"] == len(train_words(corpus)) + 1
    )
    # a --max-vocab given is kept (0: every word)
    assert (
        train_cli(
            capsys, corpus, tmp_path / "all", "--max-words", "200", "--hidden-dim", "8", "--max-vocab", "0"
        )[0]
        == 0
    )
    config = json.loads((tmp_path / "all" / "config.json").read_text())
    assert config["model"]["vocab_size"] == len(train_words(corpus)) + 1
    assert (
        "max_vocab" not in config["training"]["auto_choices"]
        and "dropout" in config["training"]["auto_choices"]
    )
    # a resumed run reads the vocabulary its automatic cap chose, with no --max-vocab given
    out = tmp_path / "auto"
    assert (
        train_cli(capsys, corpus, out, "--max-words", "200", "--hidden-dim", "8", "--embed-dim", "8")[0] == 0
    )
    code, err = train_cli(capsys, corpus, out, "--resume", "--max-words", "400")
    assert code == 0, err
    assert (
        json.loads((out / "config.json").read_text())["model"]["vocab_size"]
        == len(train_words(corpus, 3)) + 1
    )


def test_cli_time_budget_runs_the_probe(tmp_path, capsys):
    corpus, out = rare_corpus(tmp_path), tmp_path / "m"
    code, err = train_cli(
        capsys, corpus, out, "--max-minutes", "0.05", "--hidden-dim", "8", "--embed-dim", "8"
    )
    assert code == 0, err
    choices = json.loads((out / "config.json").read_text())["training"]["auto_choices"]
    assert list(choices["probe"]["words_per_s"]) == ["8"] and choices["probe"]["words_per_s"]["8"] > 0
    assert 0 < choices["max_minutes"]["value"] < 0.05  # the probe's time comes off the budget
    assert "auto: --dropout" in err and "auto: --max-minutes" in err


def test_under_torchrun_only_the_word_budget_counts(tmp_path):
    """Every process must choose the same: with world > 1 nothing is timed, the words decide."""
    import argparse

    from lstmlm.cli.train_settings import auto_plan as _auto_plan
    from lstmlm.data import Corpus
    from lstmlm.training.autosize import Plan
    from lstmlm.training.config import TrainConfig

    corpus = Corpus.from_folder(write_corpus(tmp_path / "c"))
    ns = argparse.Namespace(given_options=set())
    cfg = TrainConfig(max_minutes=1.0, max_words=300, threads=1, device="cpu")
    settings = {"vocab_size": len(corpus.vocab)}
    plan, cfg2 = _auto_plan(ns, corpus, cfg, settings, Plan(), world=2, rank=1)
    assert plan.measured == {} and "max_minutes" not in plan.train and cfg2.max_minutes == 1.0
    # 300 words < 2 passes of the text and < 4 x 66,560 weights: even 64 units read too few
    assert plan.model["hidden_dim"] == 64 and "smallest size" in plan.reasons["hidden_dim"]
