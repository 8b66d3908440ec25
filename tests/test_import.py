"""`lstmlm import`: a state dict of the PyTorch examples word_language_model recipe becomes a model
directory whose trace and probabilities are the original model's.

The recipe's RNNModel, Dictionary and batchify are restated here (from pytorch/examples
word_language_model/model.py and data.py) as the reference the import is checked against.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from conftest import write_corpus
from torch import nn

from lstmlm import load_model
from lstmlm.cli import main
from lstmlm.trace import trace

TOL = 1e-5


class RNNModel(nn.Module):
    """The recipe's model: encoder -> rnn -> dropout -> decoder (optionally tied to the encoder)."""

    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.2, tie_weights=False):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            self.decoder.weight = self.encoder.weight
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        if not tie_weights:
            nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output).view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden


def recipe_corpus(folder: Path) -> tuple[list[str], dict[str, list[int]]]:
    """The recipe's data.Corpus: idx2word in first-appearance order over train, valid, test."""
    idx2word: list[str] = []
    word2idx: dict[str, int] = {}
    splits = {}
    for split in ("train", "valid", "test"):
        ids = []
        with open(folder / f"{split}.txt", encoding="utf8") as f:
            for line in f:
                for word in line.split() + ["<eos>"]:
                    if word not in word2idx:
                        idx2word.append(word)
                        word2idx[word] = len(idx2word) - 1
                    ids.append(word2idx[word])
        splits[split] = ids
    return idx2word, splits


def train_recipe_model(corpus_dir: Path, rnn_type="LSTM", tied=False, steps=30) -> tuple[RNNModel, list[str]]:
    """A few steps of the recipe's training (batch 4, bptt 10, dropout 0.2), on the tiny corpus."""
    words, splits = recipe_corpus(corpus_dir)
    torch.manual_seed(0)
    size = 8
    model = RNNModel(rnn_type, len(words), size, size, 2, dropout=0.2, tie_weights=tied)
    data = torch.tensor(splits["train"])
    data = data[: data.numel() // 4 * 4].view(4, -1).t()  # (T, 4), the recipe's batchify
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    hidden = None
    model.train()
    for step in range(steps):
        i = (step * 10) % (data.size(0) - 11)
        inputs, targets = data[i : i + 10], data[i + 1 : i + 11].reshape(-1)
        hidden = (
            None
            if hidden is None
            else tuple(h.detach() for h in hidden)
            if rnn_type == "LSTM"
            else hidden.detach()
        )
        output, hidden = model(inputs, hidden)
        loss = F.nll_loss(output, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.eval(), words


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def import_model(capsys, tmp_path, corpus_dir, model: nn.Module, *extra: str) -> Path:
    weights, out = tmp_path / "model.pt", tmp_path / "imported"
    torch.save(model.state_dict(), weights)
    code, stdout, stderr = run(
        capsys, "import", "--state-dict", weights, "--data", corpus_dir, "--out", out, *extra
    )
    assert code == 0, stderr
    assert f"into {out}" in stdout
    return out


@pytest.mark.parametrize("tied", [False, True], ids=["untied", "tied"])
def test_imported_lstm_traces_and_predicts_as_the_original(capsys, tmp_path, corpus_dir, tied):
    original, words = train_recipe_model(corpus_dir, tied=tied)
    out = import_model(capsys, tmp_path, corpus_dir, original, *(["--tied"] if tied else []))
    model = load_model(out)
    V = len(words)
    # the recipe's vocabulary, in its order; the tiny corpus has no <unk>, so one is added after it
    assert model.vocab.words == [*words, "<unk>"]
    assert model.config.tie_weights is tied and model.config.softmax == "full"
    assert (model.config.embed_dim, model.config.hidden_dim, model.config.num_layers) == (8, 8, 2)
    info = model.info["import"]
    assert info["imported"] is True and info["imported_from"] == str(tmp_path / "model.pt")
    assert info["recipe"] == "pytorch/examples word_language_model" and info["added_unk"] is True

    _, splits = recipe_corpus(corpus_dir)
    ids = torch.tensor(splits["test"][:40]).view(20, 2)  # (T, B): two sequences
    with torch.no_grad():
        ref_log_probs, (ref_h, ref_c) = original(ids, None)  # (T*B, V), final state (L, B, H)
        ref_top_h, _ = original.rnn(original.encoder(ids))  # (T, B, H): top layer h at every step
        ref_top_c, state = [], None  # the recipe's own LSTM one step at a time, for c at every step
        for t in range(ids.size(0)):
            _, state = original.rnn(original.encoder(ids[t : t + 1]), state)
            ref_top_c.append(state[1][-1])
    tr = trace(model, ids)
    top = tr.layers[-1]
    assert torch.allclose(top.h, ref_top_h, atol=TOL)
    assert torch.allclose(top.c, torch.stack(ref_top_c), atol=TOL)
    assert torch.allclose(tr.state[0], ref_h, atol=TOL) and torch.allclose(tr.state[1], ref_c, atol=TOL)
    assert torch.allclose(tr.log_probs[..., :V].reshape(-1, V), ref_log_probs, atol=TOL)
    assert torch.all(tr.log_probs[..., V].exp() == 0)  # the added <unk> is never predicted
    # the imported model is a plain lstmlm model: the CLI reads it (and "zebra" becomes <unk>)
    code, stdout, _ = run(capsys, "next", "--model", out, "the cat sat on a zebra", "--json")
    assert code == 0 and '"unknown": ["zebra"]' in stdout


def test_imported_gru_predicts_as_the_original(capsys, tmp_path, corpus_dir):
    original, words = train_recipe_model(corpus_dir, rnn_type="GRU", steps=10)
    model = load_model(import_model(capsys, tmp_path, corpus_dir, original, "--cell", "gru"))
    assert model.config.cell == "gru"
    ids = torch.arange(len(words)).view(-1, 1)
    with torch.no_grad():
        expected, _ = original(ids, None)
        got = model.log_probs(model(ids)[0])[..., : len(words)].reshape(-1, len(words))
    assert torch.allclose(got, expected, atol=TOL)


def test_a_corpus_with_unk_keeps_the_recipe_vocabulary_exactly(capsys, tmp_path):
    corpus_dir = write_corpus(tmp_path / "corpus", lines=(60, 10, 10))
    with open(corpus_dir / "valid.txt", "a", encoding="utf-8") as f:
        f.write(" the <unk> sat \n")
    original, words = train_recipe_model(corpus_dir, steps=2)
    model = load_model(import_model(capsys, tmp_path, corpus_dir, original))
    assert model.vocab.words == words and model.info["import"]["added_unk"] is False


class Plant:
    """Unpickling this creates a file: the proof that a loader ran code."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.mark.parametrize("writer", ["pickle", "torch.save"])
def test_a_malicious_pickle_is_refused_without_running_it(capsys, tmp_path, corpus_dir, writer):
    marker = tmp_path / "marker"
    payload = {"encoder.weight": Plant(str(marker))}
    weights = tmp_path / "evil.pt"
    if writer == "pickle":
        weights.write_bytes(pickle.dumps(payload))
    else:
        torch.save(payload, weights)
    code, _, err = run(
        capsys, "import", "--state-dict", weights, "--data", corpus_dir, "--out", tmp_path / "o"
    )
    assert code == 2
    assert f"{weights}: not a plain state dict" in err and "never loaded" in err
    assert "Traceback" not in err
    assert not marker.exists()
    assert not (tmp_path / "o").exists()


def test_a_whole_pickled_model_is_refused_with_the_fix(capsys, tmp_path, corpus_dir):
    original, _ = train_recipe_model(corpus_dir, steps=1)
    weights = tmp_path / "model.pt"
    torch.save(original, weights)  # what the recipe's main.py writes: the class is pickled
    code, _, err = run(
        capsys, "import", "--state-dict", weights, "--data", corpus_dir, "--out", tmp_path / "o"
    )
    assert code == 2 and "torch.save(model.state_dict(), f)" in err


def test_the_wrong_corpus_is_a_vocabulary_size_error(capsys, tmp_path, corpus_dir):
    original, words = train_recipe_model(corpus_dir, steps=1)
    weights = tmp_path / "model.pt"
    torch.save(original.state_dict(), weights)
    other = write_corpus(tmp_path / "other", lines=(30, 5, 5))
    with open(other / "test.txt", "a", encoding="utf-8") as f:
        f.write(" a zebra and an okapi \n")  # words the model was never trained with
    code, _, err = run(capsys, "import", "--state-dict", weights, "--data", other, "--out", tmp_path / "o")
    assert code == 2
    assert f"embedding has {len(words)} rows but the corpus gives {len(words) + 4} words" in err
    assert "Traceback" not in err and not (tmp_path / "o" / "config.json").exists()


@pytest.mark.parametrize(
    "problem, message",
    [
        ("no test.txt", "test.txt: missing"),
        ("not a state dict", "not a state dict"),
        ("a transformer", "not a recurrent language model state dict"),
        ("--tied but untied", "--tied: the output weights differ from the embedding"),
        ("--cell gru on an LSTM", "--cell gru: the weights are those of a lstm"),
        ("no such file", "no such file"),
        ("a bidirectional LSTM", "a bidirectional RNN (rnn.weight_ih_l0_reverse)"),
        ("a 1-D embedding", "tensors beyond an embedding, one recurrent module and one linear output layer"),
        ("--out holds a model", "already holds a model"),
    ],
)
def test_problems_are_clear_errors(capsys, tmp_path, corpus_dir, problem, message):
    original, _ = train_recipe_model(corpus_dir, steps=1)
    weights, data, out, extra = tmp_path / "model.pt", corpus_dir, tmp_path / "o", []
    state = original.state_dict()
    if problem == "no test.txt":
        data = write_corpus(tmp_path / "c")
        os.remove(data / "test.txt")
    elif problem == "not a state dict":
        state = [t for t in state.values()]
    elif problem == "a transformer":
        state = {"pos_encoder.pe": torch.zeros(3), "decoder.weight": torch.zeros(2, 2)}
    elif problem == "--tied but untied":
        extra = ["--tied"]
    elif problem == "--cell gru on an LSTM":
        extra = ["--cell", "gru"]
    elif problem == "a bidirectional LSTM":
        state |= {f"rnn.{k}": v for k, v in nn.LSTM(8, 8, 2, bidirectional=True).state_dict().items()}
    elif problem == "a 1-D embedding":
        state["encoder.weight"] = torch.zeros(5)
    elif problem == "--out holds a model":
        import_model(capsys, tmp_path, corpus_dir, original)
        out = tmp_path / "imported"
    torch.save(state, weights)
    if problem == "no such file":
        weights = tmp_path / "missing.pt"
    code, _, err = run(capsys, "import", "--state-dict", weights, "--data", data, "--out", out, *extra)
    assert code == 2, err
    assert message in err and "Traceback" not in err
    if problem == "--out holds a model":
        assert (
            run(
                capsys,
                "import",
                "--state-dict",
                tmp_path / "model.pt",
                "--data",
                data,
                "--out",
                out,
                "--force",
            )[0]
            == 0
        )
