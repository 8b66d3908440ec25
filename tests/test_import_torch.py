"""`lstmlm import` of the PyTorch models courses train: each module is restated here as its course writes it,
saved as its course saves it, and the imported model's next-token probabilities equal the module's own
forward to 1e-5. What nn.LSTM cannot compute exactly is refused with the feature's name.
"""

from __future__ import annotations

import json

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lstmlm import load_model
from lstmlm.cli import main
from lstmlm.trace import trace

TOL = 1e-5
TEXT = "First Citizen:\nBefore we proceed any further, hear me speak.\n"
CHARS = tuple(sorted(set(TEXT)))


class CharRNN(nn.Module):
    """Udacity's character-level LSTM: one-hot characters in, no embedding, batch_first, fc out."""

    def __init__(self, tokens, n_hidden=8, n_layers=2, drop_prob=0.5):
        super().__init__()
        self.chars = tokens
        self.lstm = nn.LSTM(len(tokens), n_hidden, n_layers, dropout=drop_prob, batch_first=True)
        self.dropout = nn.Dropout(drop_prob)
        self.fc = nn.Linear(n_hidden, len(tokens))

    def forward(self, x):  # x (B, T, V) one-hot
        r_output, _ = self.lstm(x)
        return self.fc(self.dropout(r_output))


class D2lRNNModel(nn.Module):
    """d2l's RNNModel: any recurrent layer over F.one_hot(inputs.T), then `linear`."""

    def __init__(self, rnn_layer, vocab_size):
        super().__init__()
        self.rnn, self.vocab_size = rnn_layer, vocab_size
        self.linear = nn.Linear(rnn_layer.hidden_size, vocab_size)

    def forward(self, inputs):  # inputs (B, T) ids
        X = F.one_hot(inputs.T.long(), self.vocab_size).to(torch.float32)  # (T, B, V)
        Y, _ = self.rnn(X)
        return self.linear(Y.reshape((-1, Y.shape[-1])))


class EmbeddingCharRNN(nn.Module):
    """char-rnn.pytorch's shape: encoder (embedding), a multi-layer recurrent module, decoder."""

    def __init__(self, vocab, hidden=8, layers=3, cell="GRU", nonlinearity=None):
        super().__init__()
        self.encoder = nn.Embedding(vocab, 6)
        extra = {"nonlinearity": nonlinearity} if nonlinearity else {}
        self.rnn = getattr(nn, cell)(6, hidden, layers, **extra)
        self.decoder = nn.Linear(hidden, vocab)

    def forward(self, ids):  # ids (T, B)
        out, _ = self.rnn(self.encoder(ids))
        return self.decoder(out)


def randomized(module: nn.Module, seed: int) -> nn.Module:
    """Every parameter random (biases too), so each one matters to the comparison."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.normal_(0, 0.5)
    return module.eval()


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def imported_probs(out, ids: list[int]) -> torch.Tensor:
    """(T, V') next-token probabilities of the imported model after each id, from the traced forward."""
    return trace(load_model(out), torch.tensor(ids).view(-1, 1)).log_probs[:, 0].exp()


IDS = [CHARS.index(c) for c in TEXT[:20]]


def test_udacity_char_rnn_checkpoint_with_its_tokens_inside(capsys, tmp_path):
    net = randomized(CharRNN(CHARS), 0)
    checkpoint = {"n_hidden": 8, "n_layers": 2, "state_dict": net.state_dict(), "tokens": net.chars}
    torch.save(checkpoint, tmp_path / "rnn_x_epoch.net")
    code, out, err = run(capsys, "import", tmp_path / "rnn_x_epoch.net", "--out", tmp_path / "o")
    assert code == 0, err
    assert "one-hot" in out and "stored in the checkpoint" in out and "tokenizer: chars" in out
    model = load_model(tmp_path / "o")
    assert model.vocab.words[: len(CHARS)] == ["<eos>" if c == "\n" else c for c in CHARS]
    assert model.info["import"]["tokenizer"] == "chars" and model.config.embed_dim == len(CHARS)
    with torch.no_grad():
        expected = net(F.one_hot(torch.tensor([IDS]), len(CHARS)).float()).softmax(-1)[0]  # (T, V)
    got = imported_probs(tmp_path / "o", IDS)
    assert (got[:, : len(CHARS)] - expected).abs().max() <= TOL
    assert torch.all(got[:, len(CHARS)] == 0)  # the added <unk> is never predicted


@pytest.mark.parametrize("cell", ["GRU", "LSTM"])
def test_d2l_model_with_its_vocabulary_beside(capsys, tmp_path, cell):
    idx_to_token = ["<unk>", *CHARS]  # d2l's Vocab puts <unk> first
    V = len(idx_to_token)
    net = randomized(D2lRNNModel(getattr(nn, cell)(V, 8), V), 1)
    torch.save(net.state_dict(), tmp_path / "d2l.params")
    (tmp_path / "vocab.json").write_text(json.dumps(idx_to_token))
    code, _, err = run(capsys, "import", tmp_path / "d2l.params", "--vocab", tmp_path / "vocab.json",
                       "--out", tmp_path / "o")  # fmt: skip
    assert code == 0, err
    model = load_model(tmp_path / "o")
    assert model.vocab.words[0] == "<unk>" and model.info["import"]["added_unk"] is False
    ids = [i + 1 for i in IDS]
    with torch.no_grad():
        expected = net(torch.tensor([ids])).softmax(-1)  # (T, V)
    assert (imported_probs(tmp_path / "o", ids) - expected).abs().max() <= TOL


@pytest.mark.parametrize(
    "cell, nonlinearity", [("GRU", None), ("LSTM", None), ("RNN", "tanh"), ("RNN", "relu")]
)
def test_an_embedding_model_of_three_layers_with_char2idx_and_data_parallel_names(
    capsys, tmp_path, cell, nonlinearity
):
    V = len(CHARS)
    net = randomized(EmbeddingCharRNN(V, cell=cell, nonlinearity=nonlinearity), 2)
    if nonlinearity == "relu":  # small weights keep relu's h from growing without bound
        with torch.no_grad():
            net.rnn.weight_hh_l0.mul_(0.3)
    state = {f"module.{k}": v for k, v in net.state_dict().items()}  # saved from nn.DataParallel
    torch.save(
        {"model_state_dict": state, "char2idx": {c: i for i, c in enumerate(CHARS)}}, tmp_path / "m.pt"
    )
    extra = ["--cell", f"rnn_{nonlinearity}"] if cell == "RNN" else []
    code, _, err = run(capsys, "import", tmp_path / "m.pt", "--out", tmp_path / "o", *extra)
    assert code == 0, err
    model = load_model(tmp_path / "o")
    assert model.config.num_layers == 3
    assert model.config.cell == (f"rnn_{nonlinearity}" if cell == "RNN" else cell.lower())
    with torch.no_grad():
        expected = net(torch.tensor(IDS).view(-1, 1)).softmax(-1)[:, 0]
    assert (imported_probs(tmp_path / "o", IDS)[:, :V] - expected).abs().max() <= TOL


def test_an_lstm_without_biases_and_a_bias_free_output_layer(capsys, tmp_path):
    V = len(CHARS)
    net = nn.ModuleDict({"embed": nn.Embedding(V, 5), "lstm": nn.LSTM(5, 8, bias=False),
                         "out": nn.Linear(8, V, bias=False)})  # fmt: skip
    randomized(net, 3)
    torch.save({"state_dict": net.state_dict(), "itos": list(CHARS)}, tmp_path / "m.pt")
    assert run(capsys, "import", tmp_path / "m.pt", "--out", tmp_path / "o")[0] == 0
    with torch.no_grad():
        expected = net["out"](net["lstm"](net["embed"](torch.tensor(IDS).view(-1, 1)))[0]).softmax(-1)[:, 0]
    assert (imported_probs(tmp_path / "o", IDS)[:, :V] - expected).abs().max() <= TOL


class Whole(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(3, 3)


@pytest.mark.parametrize(
    "problem, message",
    [
        ("proj_size", "an LSTM with proj_size (lstm.weight_hr_l0: its h is projected to 4 values)"),
        ("bidirectional", "a bidirectional RNN (lstm.weight_ih_l0_reverse)"),
        ("a pickled whole model", "it holds a pickled test_import_torch.Whole, which is never loaded"),
        ("a plain RNN without --cell", "its nonlinearity (tanh or relu) is not in its weights; say which"),
        ("--cell rnn_relu on an LSTM", "--cell rnn_relu: the weights are those of a lstm"),
        ("layer norm", "(normalization (LayerNorm / BatchNorm)): ['norm.bias', 'norm.weight']"),
        ("a two-layer head", "expected one linear output layer reading the 8 recurrent units, found none"),
        ("two recurrent modules", "several recurrent modules (lstm, lstm2)"),
        ("no vocabulary", "the file holds no vocabulary (27 output classes)"),
        (
            "a vocabulary of another length",
            "the vocabulary has 26 tokens but the model has 27 output classes",
        ),
    ],
)
def test_refusals_say_what_and_why(capsys, tmp_path, problem, message):
    V = len(CHARS)
    net = randomized(CharRNN(CHARS), 4)
    state, extra = dict(net.state_dict()), []
    saved: object = {"state_dict": state, "tokens": CHARS}
    if problem == "proj_size":
        state = {f"lstm.{k}": v for k, v in nn.LSTM(V, 8, proj_size=4).state_dict().items()}
        saved = state
    elif problem == "bidirectional":
        state |= {f"lstm.{k}": v for k, v in nn.LSTM(V, 8, 2, bidirectional=True).state_dict().items()}
    elif problem == "a pickled whole model":
        saved = Whole()
    elif problem == "a plain RNN without --cell":
        saved = {f"rnn.{k}": v for k, v in nn.RNN(V, 8).state_dict().items()} | {
            "fc.weight": state["fc.weight"]
        }
    elif problem == "--cell rnn_relu on an LSTM":
        extra = ["--cell", "rnn_relu"]
    elif problem == "layer norm":
        state |= {f"norm.{k}": v for k, v in nn.LayerNorm(8).state_dict().items()}
    elif problem == "a two-layer head":
        state["fc.weight"] = torch.zeros(V, 5)
        state |= {"fc0.weight": torch.zeros(5, 8 + 1), "fc0.bias": torch.zeros(5)}
    elif problem == "two recurrent modules":
        state |= {f"lstm2.{k}": v for k, v in nn.LSTM(8, 8).state_dict().items()}
    elif problem == "no vocabulary":
        saved = state
    elif problem == "a vocabulary of another length":
        saved = {"state_dict": state, "tokens": CHARS}
        (tmp_path / "v.json").write_text(json.dumps(list(CHARS[:-1])))
        extra = ["--vocab", tmp_path / "v.json"]
    torch.save(saved, tmp_path / "m.pt")
    code, _, err = run(capsys, "import", tmp_path / "m.pt", "--out", tmp_path / "o", *extra)
    assert code == 2, err
    assert message in err, err
    assert "Traceback" not in err and "\x1b" not in err  # torch's own message carries ANSI bold codes
    assert not (tmp_path / "o" / "config.json").exists()


@pytest.mark.parametrize(
    "wrong_file, message",
    [
        ("the corpus", "m.bin: not a model file that lstmlm reads"),
        ("the vocabulary as a JSON list", "m.bin: not a model file that lstmlm reads"),
        ("char2idx as a JSON object", "m.bin: not a model file that lstmlm reads"),
        ("an empty file", "m.bin: not a model file that lstmlm reads"),
        ("a cut safetensors file", "m.bin: not a readable PyTorch file (Error while deserializing header"),
        ("a cut legacy torch.save file", "m.bin: not a readable PyTorch file (the file ends in the middle"),
    ],
)
def test_a_file_that_is_no_model_is_refused_with_what_to_give(capsys, tmp_path, wrong_file, message):
    from safetensors.torch import save_file

    path, state = tmp_path / "m.bin", randomized(CharRNN(CHARS), 5).state_dict()
    if wrong_file == "the corpus":
        path.write_text(TEXT, encoding="utf-8")
    elif wrong_file == "the vocabulary as a JSON list":
        path.write_text(json.dumps(CHARS))
    elif wrong_file == "char2idx as a JSON object":
        path.write_text(json.dumps({c: i for i, c in enumerate(CHARS)}))
    elif wrong_file == "an empty file":
        path.write_bytes(b"")
    else:  # a download cut short: the real library's file, its first 200 bytes
        if wrong_file == "a cut safetensors file":
            save_file({k: v.contiguous() for k, v in state.items()}, path)
        else:
            torch.save(state, path, _use_new_zipfile_serialization=False)
        path.write_bytes(path.read_bytes()[:200])
    (tmp_path / "v.json").write_text(json.dumps(CHARS))
    code, _, err = run(capsys, "import", path, "--vocab", tmp_path / "v.json", "--out", tmp_path / "o")
    assert code == 2, err
    assert message in err, err
    assert "Traceback" not in err and not (tmp_path / "o").exists()
