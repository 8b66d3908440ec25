"""The AWD-LSTM parts of `lstmlm train` (lstmlm/dropouts.py, lstmlm/training/averaging.py, AR/TAR in
lstmlm/training/distributed.py): each against a computation done another way, the EMA through a resumed run,
and the options on the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from conftest import write_corpus
from torch import nn

from lstmlm.cli import main
from lstmlm.data import Corpus
from lstmlm.dropouts import embedding_dropout, layer_by_layer, locked_dropout
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.training.averaging import WeightAverage
from lstmlm.training.distributed import BatchLoss
from lstmlm.training.loop import Callback, TrainConfig, train
from lstmlm.training.ranges import training_bytes


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_locked_dropout_keeps_one_mask_for_every_step():
    x = torch.ones(50, 4, 300)
    out = locked_dropout(x, 0.4)
    assert torch.equal(out, out[:1].expand_as(out))  # the same at every step
    assert out.unique().tolist() == [0.0, pytest.approx(1 / 0.6)]
    assert float((out[0] == 0).float().mean()) == pytest.approx(0.4, abs=0.05)
    assert not torch.equal(out[0, 0], out[0, 1])  # each column its own mask
    assert locked_dropout(x, 0.0) is x


def test_embedding_dropout_drops_a_word_everywhere_it_occurs():
    weight = torch.randn(30, 5)
    ids = torch.tensor([[3, 7, 3], [7, 3, 9]])
    torch.manual_seed(0)
    seen = {3: set(), 7: set()}
    for _ in range(40):
        x = embedding_dropout(ids, weight, 0.5)
        for word in (3, 7):
            rows = x[ids == word]  # every occurrence: all kept (x 2) or all zero
            assert torch.equal(rows, rows[:1].expand_as(rows))
            kept = bool(rows.abs().sum() > 0)
            seen[word].add(kept)
            if kept:
                assert torch.allclose(rows[0], weight[word] * 2)
    assert seen == {3: {True, False}, 7: {True, False}}


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
def test_layer_by_layer_equals_the_stacked_module(cell):
    torch.manual_seed(1)
    model = LanguageModel(
        ModelConfig(
            vocab_size=20, cell=cell, embed_dim=5, hidden_dim=7, num_layers=3, tie_weights=False, dropout=0
        )
    )
    x = torch.randn(6, 2, 5)
    state = model.init_state(2)
    ref_out, ref_state = model.rnn(x, state)
    out, got_state = layer_by_layer(model.rnn, cell, x, state, lambda y: y)
    assert float((out - ref_out).detach().abs().max()) <= 1e-6
    pairs = zip(got_state, ref_state, strict=True) if cell == "lstm" else [(got_state, ref_state)]
    for a, b in pairs:
        assert float((a - b).detach().abs().max()) <= 1e-6


def test_the_model_applies_a_locked_mask_between_layers():
    """With only the between-layer rate set, training mode = layer 1's output times one drawn (1, B, H)
    mask, fed to layer 2 (each layer run here as its own single-layer nn.LSTM)."""
    config = ModelConfig(
        vocab_size=20,
        embed_dim=5,
        hidden_dim=7,
        dropout=0.0,
        dropout_hidden=0.5,
        locked_dropout=True,
        tie_weights=False,
    )
    torch.manual_seed(2)
    model = LanguageModel(config).train()
    ids = torch.randint(20, (8, 3))
    torch.manual_seed(3)
    features, raw, _ = model.forward_parts(ids)
    assert torch.equal(features, raw)  # no output dropout asked for
    torch.manual_seed(3)
    mask = torch.empty(1, 3, 7).bernoulli_(0.5) / 0.5  # the one draw the forward makes
    x = model.embedding(ids)
    for layer in range(2):
        single = nn.LSTM(x.size(-1), 7)
        with torch.no_grad():
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(single, f"{name}_l0").copy_(getattr(model.rnn, f"{name}_l{layer}"))
        x, _ = single(x * mask if layer else x)
    assert float((features - x).detach().abs().max()) <= 1e-6
    model.eval()
    assert torch.equal(model(ids)[0], model.rnn(model.embedding(ids))[0])  # no dropout outside training


def test_ar_and_tar_penalties_are_the_formulas():
    model = LanguageModel(ModelConfig(vocab_size=20, embed_dim=6, hidden_dim=6, dropout=0.0)).eval()
    ids, targets = torch.randint(20, (9, 2)), torch.randint(20, (9, 2))
    loss, penalty, _ = BatchLoss(model, ar=2.0, tar=3.0)(ids, None, targets)
    h = model(ids)[0].detach().double().numpy()  # eval: the output before and after dropout agree
    expected = 2.0 * (h**2).mean() + 3.0 * ((h[1:] - h[:-1]) ** 2).mean()
    assert float(penalty.detach()) == pytest.approx(expected, rel=1e-5)
    assert float(loss) == pytest.approx(float(model.loss(model(ids)[0], targets)), abs=1e-6)
    assert float(BatchLoss(model)(ids, None, targets)[1]) == 0.0


def test_weight_average_is_the_exponential_moving_average():
    model = nn.Linear(3, 2)
    average = WeightAverage(model, 0.75)
    seen = []
    for step in range(5):
        with torch.no_grad():
            for p in model.parameters():
                p.fill_(float(step + 1) ** 2)
        seen.append(float(step + 1) ** 2)
        average.update()
    expected = seen[0]
    for w in seen[1:]:
        expected = 0.75 * expected + 0.25 * w
    with average.swapped_in() as is_average:
        assert is_average and torch.allclose(model.weight, torch.full((2, 3), expected))
    assert torch.equal(model.weight, torch.full((2, 3), 25.0))  # its own weights are back
    assert average.steps == 5
    with WeightAverage(model, 0.5).swapped_in() as is_average:
        assert not is_average  # nothing averaged yet: the model's own weights


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("corpus"))


def recipe_model(corpus: Corpus, **changes) -> ModelConfig:
    """A 2 x 8 LSTM with a tied adaptive softmax (E = 6), locked and embedding dropout."""
    settings = dict(
        vocab_size=len(corpus.vocab),
        embed_dim=6,
        hidden_dim=8,
        tie_weights=True,
        softmax="adaptive",
        adaptive_cutoffs=(4, 9),
        dropout=0.2,
        dropout_embed=0.1,
        locked_dropout=True,
    )
    return ModelConfig(**{**settings, **changes})


def recipe_train(**changes) -> TrainConfig:
    """2 epochs, AR and TAR 1, EMA (decay 0.9) over the second half."""
    settings = dict(epochs=2, batch_size=4, bptt=10, lr=0.01, device="cpu", eval_every=40)
    cfg = TrainConfig(**{**settings, **changes})
    cfg.ar, cfg.tar, cfg.ema_decay, cfg.ema_start = 1.0, 1.0, 0.9, 0.5
    return cfg


class Losses(Callback):
    def __init__(self):
        self.losses: list[float] = []
        self.messages: list[str] = []

    def on_step(self, p) -> None:
        self.losses.append(p.loss)

    def on_message(self, text: str) -> None:
        self.messages.append(text)


def test_a_resumed_run_keeps_the_average_and_ends_the_same(corpus_dir, tmp_path):
    corpus = Corpus.from_folder(corpus_dir)
    whole = Losses()
    train(corpus, recipe_model(corpus), recipe_train(), tmp_path / "whole", [whole])
    n = len(whole.losses)
    assert sum("averaging the weights from step" in m for m in whole.messages) == 1
    first, second = Losses(), Losses()
    stop_at = int(n * 0.8)  # inside the averaging stretch
    out = tmp_path / "parts"
    train(
        corpus,
        recipe_model(corpus),
        recipe_train(),
        out,
        [first],
        should_stop=lambda: len(first.losses) >= stop_at,
    )
    train(corpus, recipe_model(corpus), recipe_train(), out, [second], resume=True)
    assert first.losses + second.losses == whole.losses
    weights = "model.safetensors"
    assert (out / weights).read_bytes() == (tmp_path / "whole" / weights).read_bytes()
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert metrics[-1]["best"]  # the averaged weights were the best: they are the saved model
    info = json.loads((out / "config.json").read_text())["training"]
    assert info["weights"].startswith("EMA over the last")


def test_the_recipe_from_the_command_line(corpus_dir, tmp_path, capsys):
    out = tmp_path / "cli"
    flags = "--tie-weights --softmax adaptive --adaptive-cutoffs 4 9 --embed-dim 6 --hidden-dim 8 "
    flags += "--locked-dropout --dropout 0.2 --dropout-input 0.3 --dropout-hidden 0.1 --dropout-embed 0.1 "
    flags += "--ar 1 --tar 1 --ema-decay 0.9 --ema-start 0.5 --epochs 2 --batch-size 4 --bptt 10 --quiet "
    flags += "--threads 1 --device cpu --no-auto"
    assert main(["train", "--data", str(corpus_dir), "--out", str(out), *flags.split()]) == 0
    saved = json.loads((out / "config.json").read_text())
    model, training = saved["model"], saved["training"]["train_config"]
    assert (model["dropout_input"], model["dropout_hidden"], model["dropout_embed"]) == (0.3, 0.1, 0.1)
    assert model["tie_weights"] and model["locked_dropout"] and model["softmax"] == "adaptive"
    assert (training["ar"], training["tar"], training["ema_decay"], training["ema_start"]) == (1, 1, 0.9, 0.5)
    capsys.readouterr()
    with pytest.raises(SystemExit) as refused:  # argparse refuses it, before anything is read
        main(["train", "--data", str(corpus_dir), "--out", str(tmp_path / "x"), "--ema-decay", "1"])
    assert refused.value.code == 2
    assert "--ema-decay" in capsys.readouterr().err
    bad = ["--dropout-input", "-0.5", "--no-auto", "--quiet"]
    assert main(["train", "--data", str(corpus_dir), "--out", str(tmp_path / "y"), *bad]) == 2
    assert "dropout_input must be in [0, 1), or -1" in capsys.readouterr().err
    np.testing.assert_equal(sorted(p.name for p in tmp_path.iterdir()), ["cli"])  # nothing left by refusals


def test_training_bytes_count_a_tied_output_layer_once():
    """The weights counted by hand, checked against the built model's own parameter count."""
    tied = dict(vocab_size=10, embed_dim=4, hidden_dim=3, num_layers=1, cell="lstm", tie_weights=True)
    tied |= dict(softmax="adaptive", adaptive_cutoffs=(4,))
    # embedding 10x4, LSTM 4 x 3 x (4 + 3) + 2 x 12, word biases 10, projection 4 x 3 + 4, 1 cluster 4 + 1
    params = 40 + 84 + 24 + 10 + 16 + 5
    assert sum(p.numel() for p in LanguageModel(ModelConfig(**tied)).parameters()) == params
    activations = 10 * (4 + 3 * 8 + 2 * (4 + 1))  # 2 x 5 tokens: embedding, gates and states, head logits
    assert training_bytes(tied, 2, 5) == 4 * (4 * params + activations) == 4384
    full = dict(tied, embed_dim=3, softmax="full")  # the decoder's weight is the embedding: biases only
    params = 30 + 4 * 3 * 6 + 24 + 10
    assert sum(p.numel() for p in LanguageModel(ModelConfig(**full)).parameters()) == params
    assert training_bytes(full, 2, 5) == 4 * (4 * params + 10 * (3 + 24 + 20))
