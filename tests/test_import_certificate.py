"""The import certificate and the vocabulary found beside a model file.

The reference files are written by the README's own snippets (read from README.md here, so the two cannot
drift), run on PyTorch modules as their courses write them (Udacity's CharRNN, d2l's RNNModel); the Keras
snippet runs on real Keras models in test_import_certificate_keras.py. The stored max_abs_diff is checked
against the difference recomputed with the fused forward, and corrupted references are refused with the
cause. Also: an import that fails never leaves a folder behind.
"""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from lstmlm import load_model
from lstmlm.cli import main
from lstmlm.importing import ImportModelError, import_file, save_imported

README = Path(__file__).resolve().parent.parent / "README.md"
TEXT = (
    "First Citizen:\nBefore we proceed any further, hear me speak.\nAll: Speak, speak; the meaning of it.\n"
)
CHARS = tuple(sorted(set(TEXT)))
PROBE = "the meaning of life is"  # the README snippets' probe; every character is in CHARS


def readme_snippet(name: str) -> str:
    """The Python block after `<!-- reference-snippet: name -->` in the README."""
    found = re.search(rf"<!-- reference-snippet: {name} -->\n```python\n(.*?)```", README.read_text(), re.S)
    assert found, f"README.md has no reference-snippet: {name}"
    return found.group(1)


def ids_variant(snippet: str) -> str:
    """The PyTorch snippet with its input line replaced by the variant its comment gives (`x = ids`)."""
    lines = snippet.splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("x = "))
    lines[n] = re.search(r"#.*: (x = \w+)$", lines[n]).group(1)
    return "\n".join(lines) + "\n"


def run_snippet(code: str, folder: Path, monkeypatch, **names) -> Path:
    """Run a snippet in `folder` with `names` defined, as a user would in their notebook."""
    monkeypatch.chdir(folder)
    exec(compile(code, "README snippet", "exec"), dict(names))
    return folder / "ref.npz"


class UdacityCharRNN(nn.Module):
    """Udacity's character-level LSTM, as the course writes it: one-hot (B, T, V) in, forward(x, hidden)
    returns (out (B*T, V), hidden)."""

    def __init__(self, tokens, n_hidden=8, n_layers=2, drop_prob=0.5):
        super().__init__()
        self.drop_prob, self.n_layers, self.n_hidden = drop_prob, n_layers, n_hidden
        self.chars = tokens
        self.int2char = dict(enumerate(self.chars))
        self.char2int = {ch: ii for ii, ch in self.int2char.items()}
        self.lstm = nn.LSTM(len(self.chars), n_hidden, n_layers, dropout=drop_prob, batch_first=True)
        self.dropout = nn.Dropout(drop_prob)
        self.fc = nn.Linear(n_hidden, len(self.chars))

    def forward(self, x, hidden):
        r_output, hidden = self.lstm(x, hidden)
        out = self.dropout(r_output)
        out = out.contiguous().view(-1, self.n_hidden)
        out = self.fc(out)
        return out, hidden


class D2lRNNModel(nn.Module):
    """d2l's RNNModel: forward(inputs (B, T) ids, state) one-hots inputs.T and returns ((T*B, V), state)."""

    def __init__(self, rnn_layer, vocab_size):
        super().__init__()
        self.rnn, self.vocab_size = rnn_layer, vocab_size
        self.num_hiddens = self.rnn.hidden_size
        self.linear = nn.Linear(self.num_hiddens, self.vocab_size)

    def forward(self, inputs, state):
        X = nn.functional.one_hot(inputs.T.long(), self.vocab_size)
        X = X.to(torch.float32)
        Y, state = self.rnn(X, state)
        output = self.linear(Y.reshape((-1, Y.shape[-1])))
        return output, state


def randomized(module: nn.Module, seed: int) -> nn.Module:
    """Every parameter random (biases too), so each one matters to the comparison; train mode kept (the
    snippet's model.eval() must switch dropout off)."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.normal_(0, 0.5)
    return module


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def recomputed_diff(out: Path, reference: Path) -> float:
    """max |p_imported - p_reference| with the fused nn.LSTM forward (the certificate uses the trace)."""
    model = load_model(out)
    ref = np.load(reference)
    ids = torch.as_tensor(ref["ids"]).view(-1, 1)
    with torch.no_grad():
        ours = model.log_probs(model(ids)[0])[:, 0].double().exp().numpy()
    logits = ref["logits"].astype(np.float64).reshape(len(ids), -1)
    theirs = np.exp(logits - logits.max(1, keepdims=True))
    theirs /= theirs.sum(1, keepdims=True)
    return float(np.abs(ours[:, : theirs.shape[1]] - theirs).max())


@pytest.fixture
def udacity(tmp_path, monkeypatch) -> tuple[Path, Path, UdacityCharRNN]:
    """A Udacity checkpoint (tokens inside) and a reference made by the README's PyTorch snippet."""
    net = randomized(UdacityCharRNN(CHARS), 0)
    checkpoint = {"n_hidden": 8, "n_layers": 2, "state_dict": net.state_dict(), "tokens": net.chars}
    torch.save(checkpoint, tmp_path / "rnn_20_epoch.net")
    ref = run_snippet(readme_snippet("pytorch"), tmp_path, monkeypatch, model=net, char2int=net.char2int)
    return tmp_path / "rnn_20_epoch.net", ref, net


def test_the_pytorch_snippet_certifies_a_udacity_checkpoint(capsys, tmp_path, udacity):
    weights, ref, _ = udacity
    out = tmp_path / "o"
    code, stdout, err = run(capsys, "import", weights, "--reference", ref, "--out", out)
    assert code == 0, err
    cert = json.loads((out / "config.json").read_text())["import"]["certificate"]
    assert cert["reference"] == "ref.npz" and cert["probe_tokens"] == len(PROBE)
    assert cert["distributions"] == len(PROBE) and cert["text_checked"] is True
    assert cert["max_abs_diff"] <= 1e-5
    assert abs(cert["max_abs_diff"] - recomputed_diff(out, ref)) <= 1e-6
    assert f"Certificate: exact to {cert['max_abs_diff']:.2g} against ref.npz" in stdout
    assert "its text reads as the same ids" in stdout


def test_without_a_reference_the_import_is_not_verified(capsys, tmp_path, udacity):
    code, stdout, _ = run(capsys, "import", udacity[0], "--out", tmp_path / "o")
    assert code == 0 and "Not verified" in stdout
    info = json.loads((tmp_path / "o" / "config.json").read_text())["import"]
    assert "certificate" not in info and info["format"].startswith("PyTorch state dict")
    assert info["vocabulary"] == "stored in the checkpoint"


def test_the_ids_variant_certifies_d2l_with_its_vocabulary_found_beside(capsys, tmp_path, monkeypatch):
    idx_to_token = ["<unk>", *CHARS]  # d2l's Vocab puts <unk> first
    net = randomized(D2lRNNModel(nn.GRU(len(idx_to_token), 8), len(idx_to_token)), 1)
    (tmp_path / "d2l").mkdir()
    torch.save(net.state_dict(), tmp_path / "d2l" / "gru.params")
    (tmp_path / "d2l" / "idx_to_token.json").write_text(json.dumps(idx_to_token))
    token_to_idx = {t: i for i, t in enumerate(idx_to_token)}
    snippet = ids_variant(readme_snippet("pytorch"))
    assert "x = ids\n" in snippet
    ref = run_snippet(snippet, tmp_path, monkeypatch, model=net, char2int=token_to_idx)
    out = tmp_path / "o"
    code, stdout, err = run(
        capsys, "import", tmp_path / "d2l" / "gru.params", "--reference", ref, "--out", out
    )
    assert code == 0, err
    assert f"vocabulary: {tmp_path / 'd2l' / 'idx_to_token.json'} (found beside the model" in stdout
    model = load_model(out)
    assert (
        model.vocab.words == ["<eos>" if t == "\n" else t for t in idx_to_token]
        and model.config.cell == "gru"
    )
    cert = model.info["import"]["certificate"]
    assert cert["max_abs_diff"] <= 1e-5 and abs(cert["max_abs_diff"] - recomputed_diff(out, ref)) <= 1e-6


def corrupt(ref: Path, how: str, net: UdacityCharRNN | None = None) -> Path:
    """A copy of the reference spoiled in one way."""
    data = dict(np.load(ref))
    if how == "classes swapped":
        data["logits"] = data["logits"][:, [1, 0, *range(2, data["logits"].shape[1])]]
    elif how == "recurrent gates i and f swapped":  # W_hh read in another gate order: step 0 cannot tell
        with torch.no_grad():
            for name in ("weight_hh_l0", "weight_hh_l1"):
                w = getattr(net.lstm, name)
                i, f, g, o = w.chunk(4)
                w.copy_(torch.cat([f, i, g, o]))
            data["logits"] = net(
                nn.functional.one_hot(torch.as_tensor(data["ids"]), len(CHARS)).float(), None
            )[0].numpy()
    elif how == "another model":
        data["logits"] = np.random.default_rng(0).normal(0, 1, data["logits"].shape).astype(np.float32)
    spoiled = ref.with_name(f"spoiled-{how.replace(' ', '-')}.npz")
    np.savez(spoiled, **data)
    return spoiled


@pytest.mark.parametrize(
    "how, cause",
    [
        (
            "classes swapped",
            "the same probabilities in another order: the output classes are in another order",
        ),
        ("recurrent gates i and f swapped", "the first 1 step(s) agree and later ones do not"),
        ("another model", "the distributions differ from the first step"),
    ],
)
def test_a_corrupted_reference_is_refused_and_nothing_is_saved(capsys, tmp_path, udacity, how, cause):
    weights, ref, net = udacity
    spoiled = corrupt(ref, how, net)
    out = tmp_path / "new" / "o"
    code, stdout, err = run(capsys, "import", weights, "--reference", spoiled, "--out", out)
    assert code == 1 and stdout == ""
    assert f"refused: the imported model does not match {spoiled.name}: largest difference" in err
    assert cause in err and "Nothing was saved" in err and "Traceback" not in err
    figure = float(re.search(r"largest difference (\S+) in a probability", err).group(1))
    model = import_file(weights).model  # the figure is the real one: recompute it
    with torch.no_grad():
        data = np.load(spoiled)
        ours = (
            model.log_probs(model(torch.as_tensor(data["ids"]).view(-1, 1))[0])[:, 0].double().exp().numpy()
        )
    logits = data["logits"].astype(np.float64)
    theirs = np.exp(logits - logits.max(1, keepdims=True))
    theirs /= theirs.sum(1, keepdims=True)
    assert figure == pytest.approx(np.abs(ours[:, : len(CHARS)] - theirs).max(), rel=1e-2)
    assert not (tmp_path / "new").exists()


def test_a_failed_certificate_leaves_the_model_already_there(capsys, tmp_path, udacity):
    weights, ref, net = udacity
    out = tmp_path / "o"
    assert run(capsys, "import", weights, "--reference", ref, "--out", out)[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    code, _, err = run(capsys, "import", weights, "--reference", corrupt(ref, "another model"), "--out", out,
                       "--force")  # fmt: skip
    assert code == 1 and "Nothing was saved" in err
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert load_model(out).info["import"]["certificate"]["reference"] == "ref.npz"


def test_a_vocabulary_in_another_order_is_caught_by_the_probe_text(capsys, tmp_path, udacity):
    weights, ref, _ = udacity
    swapped = list(CHARS)
    a, b = swapped.index("e"), swapped.index("t")
    swapped[a], swapped[b] = swapped[b], swapped[a]
    (tmp_path / "v.json").write_text(json.dumps(swapped))
    code, _, err = run(capsys, "import", weights, "--vocab", tmp_path / "v.json", "--reference", ref,
                       "--out", tmp_path / "o")  # fmt: skip
    assert code == 1
    assert f"token 0 of the probe text is 't', but the reference's id {CHARS.index('t')} is 'e'" in err
    assert "not in the order the model was trained with" in err and not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "problem, message",
    [
        ("pickled objects", "holds Python objects, which are never loaded"),
        ("np.save", "one array, as np.save writes"),
        ("not numpy", "not a NumPy .npz file written by np.savez (it holds text, starting 'ids,probs'"),
        ("empty", "not a NumPy .npz file written by np.savez (the file is empty)"),
        (
            "a pickle",
            "not a NumPy .npz file written by np.savez (nor a NumPy array; pickles are never loaded)",
        ),
        (
            "a folder",
            "not a NumPy .npz file written by np.savez (it is a folder: give the .npz file inside it)",
        ),
        ("logits saved as probs", "these look like logits"),
        ("another vocabulary size", "another vocabulary size"),
        ("ids out of range", "the reference was made with another vocabulary"),
        ("no probs", "no `probs` (or `logits`) array"),
        ("missing", "no such file"),
    ],
)
def test_a_reference_that_cannot_certify_is_a_clear_error(capsys, tmp_path, udacity, problem, message):
    weights, ref, _ = udacity
    data = dict(np.load(ref))
    bad = tmp_path / "bad.npz"
    if problem == "pickled objects":
        np.savez(bad, ids=data["ids"], probs=np.array([{"a": 1}], dtype=object))
    elif problem == "np.save":
        np.save(tmp_path / "bad.npy", data["logits"])
        bad = tmp_path / "bad.npy"
    elif problem == "not numpy":
        bad.write_text("ids,probs\n")
    elif problem == "empty":
        bad.write_bytes(b"")
    elif problem == "a pickle":
        bad.write_bytes(pickle.dumps({"ids": [1, 2]}))
    elif problem == "a folder":
        bad.mkdir()
    elif problem == "logits saved as probs":
        np.savez(bad, ids=data["ids"], probs=data["logits"])
    elif problem == "another vocabulary size":
        np.savez(bad, ids=data["ids"], logits=data["logits"][:, :-1])
    elif problem == "ids out of range":
        np.savez(bad, ids=data["ids"] + len(CHARS), logits=data["logits"])
    elif problem == "no probs":
        np.savez(bad, ids=data["ids"])
    elif problem == "missing":
        bad = tmp_path / "missing.npz"
    code, _, err = run(capsys, "import", weights, "--reference", bad, "--out", tmp_path / "o")
    assert code == 2 and message in err, err
    assert "Traceback" not in err and not (tmp_path / "o").exists()
    # one reason, said once; never numpy's advice to unpickle the file
    assert err.count("not a NumPy .npz file") <= 1 and "allow_pickle" not in err, err


def test_last_step_only_and_batch_dimensions_are_read(tmp_path, udacity):
    weights, ref, _ = udacity
    data = dict(np.load(ref))
    logits = data["logits"].astype(np.float64)
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    np.savez(tmp_path / "last.npz", ids=data["ids"], probs=probs[-1][None])  # (1, V): Keras's LSTM(128)
    cert = import_file(weights, reference=tmp_path / "last.npz").summary["certificate"]
    assert cert["distributions"] == 1 and cert["probe_tokens"] == len(PROBE) and cert["max_abs_diff"] <= 1e-5
    np.savez(tmp_path / "batch.npz", ids=data["ids"][None], probs=probs[None])  # (1, T), (1, T, V)
    assert import_file(weights, reference=tmp_path / "batch.npz").summary["certificate"][
        "distributions"
    ] == len(PROBE)


# ---------------------------------------------------------------------------------------------------------
# The vocabulary beside a model file
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def bare(tmp_path) -> Path:
    """A d2l-style state dict that holds no vocabulary."""
    net = randomized(D2lRNNModel(nn.LSTM(len(CHARS), 8), len(CHARS)), 2)
    torch.save(net.state_dict(), tmp_path / "model.pt")
    return tmp_path / "model.pt"


def test_agreeing_files_beside_are_used_and_named(capsys, tmp_path, bare):
    (tmp_path / "char2idx.json").write_text(json.dumps({c: i for i, c in enumerate(CHARS)}))
    (tmp_path / "idx2char.json").write_text(json.dumps(list(CHARS)))
    code, stdout, err = run(capsys, "import", bare, "--out", tmp_path / "o")
    assert code == 0, err
    assert (
        f"vocabulary: {tmp_path / 'char2idx.json'} (found beside the model (the same list as idx2char.json)"
        in (stdout)
    )
    assert load_model(tmp_path / "o").vocab.words[: len(CHARS)] == [
        "<eos>" if c == "\n" else c for c in CHARS
    ]


def test_files_beside_that_disagree_ask_for_vocab(capsys, tmp_path, bare):
    (tmp_path / "chars.json").write_text(json.dumps(list(CHARS)))
    (tmp_path / "model_vocab.json").write_text(json.dumps(list(reversed(CHARS))))
    code, _, err = run(capsys, "import", bare, "--out", tmp_path / "o")
    assert code == 2
    assert f"hold different token lists of {len(CHARS)} tokens (chars.json, model_vocab.json)" in err
    assert "--vocab FILE" in err and not (tmp_path / "o").exists()
    (tmp_path / "v.json").write_text(json.dumps(list(CHARS)))  # --vocab settles it
    assert run(capsys, "import", bare, "--vocab", tmp_path / "v.json", "--out", tmp_path / "o")[0] == 0


def test_a_file_beside_of_another_length_is_named_and_not_used(capsys, tmp_path, bare):
    (tmp_path / "vocab.txt").write_text("a\nb\nc\n")
    code, _, err = run(capsys, "import", bare, "--out", tmp_path / "o")
    assert code == 2
    assert f"the file holds no vocabulary ({len(CHARS)} output classes) and none was found beside it" in err
    assert f"beside it: vocab.txt (3 tokens), not {len(CHARS)} tokens" in err


def test_a_tfjs_folder_finds_its_vocabulary_inside(capsys, tmp_path):
    pytest.importorskip("h5py")
    from keras_reference import random_layers, write_tfjs

    layers = random_layers(np.random.default_rng(0), len(CHARS), 8, "LSTM", 1, one_hot=True)
    model_json = write_tfjs(tmp_path / "tfjs_model", layers)
    (model_json.parent / "vocab.json").write_text(json.dumps(list(CHARS)))
    code, stdout, err = run(capsys, "import", model_json.parent, "--out", tmp_path / "o")
    assert code == 0, err
    assert "vocab.json (found beside the model; token i is class i)" in stdout


# ---------------------------------------------------------------------------------------------------------
# Nothing half-written
# ---------------------------------------------------------------------------------------------------------


def _fail_mid_write(monkeypatch, error: BaseException) -> None:
    """safetensors writes part of the weights, then the disk is full (or the user presses Ctrl-C)."""
    import lstmlm.checkpoint as checkpoint

    def partial(tensors, path, metadata=None):
        Path(path).write_bytes(b"\0" * 100)
        raise error

    monkeypatch.setattr(checkpoint, "save_file", partial)


def test_a_failed_write_leaves_no_folder(capsys, tmp_path, udacity, monkeypatch):
    weights = udacity[0]
    _fail_mid_write(monkeypatch, OSError(28, "No space left on device"))
    out = tmp_path / "a" / "b" / "o"
    code, _, err = run(capsys, "import", weights, "--out", out)
    assert code == 1 and "cannot write the model to" in err and "No space left on device" in err
    assert not (tmp_path / "a").exists()  # nor the folders made for it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ref.npz", "rnn_20_epoch.net"]


def test_ctrl_c_while_writing_leaves_no_folder_and_keeps_an_existing_model(
    capsys, tmp_path, udacity, monkeypatch
):
    weights = udacity[0]
    result = import_file(weights)
    save_imported(result, tmp_path / "kept")
    before = (tmp_path / "kept" / "config.json").read_text()
    _fail_mid_write(monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        save_imported(result, tmp_path / "o")
    assert not (tmp_path / "o").exists()
    with pytest.raises(KeyboardInterrupt):
        save_imported(result, tmp_path / "kept", force=True)
    assert (tmp_path / "kept" / "config.json").read_text() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staged folder left
    with pytest.raises(ImportModelError, match="already holds a model"):
        save_imported(result, tmp_path / "kept")


# ---------------------------------------------------------------------------------------------------------
# A word model: the recipe, its probe text split by the recipe's whitespace tokenizer
# ---------------------------------------------------------------------------------------------------------


def test_a_recipe_word_model_is_certified_and_its_text_checked_word_by_word(capsys, tmp_path):
    from conftest import write_corpus
    from test_import import RNNModel, recipe_corpus

    corpus = write_corpus(tmp_path / "corpus", lines=(30, 5, 5))
    words, _ = recipe_corpus(corpus)
    net = randomized(RNNModel("LSTM", len(words), 8, 8, 2), 5).eval()
    torch.save(net.state_dict(), tmp_path / "model.pt")
    text = "the cat sat on the mat .\na dog"
    ids = [words.index(w) for w in text.replace("\n", " <eos> ").split()]
    with torch.no_grad():
        log_probs, _ = net(torch.tensor(ids).view(-1, 1), None)  # (T, V): the recipe's log_softmax
    np.savez(tmp_path / "ref.npz", ids=np.array(ids), logits=log_probs.numpy(), text=text)
    out = tmp_path / "o"
    args = ["import", tmp_path / "model.pt", "--data", corpus, "--out", out]
    code, stdout, err = run(capsys, *args, "--reference", tmp_path / "ref.npz")
    assert code == 0, err
    cert = load_model(out).info["import"]["certificate"]
    assert cert["probe_tokens"] == 10 and cert["text_checked"] and cert["max_abs_diff"] <= 1e-5
    # a framework that cut the text otherwise ("mat." one word): the text cannot be checked, and says so
    np.savez(
        tmp_path / "ref2.npz", ids=np.array(ids), logits=log_probs.numpy(), text="the cat sat on the mat."
    )
    code, _, err = run(capsys, *args[:-1], tmp_path / "o2", "--reference", tmp_path / "ref2.npz")
    assert (
        code == 1
        and "its text reads as 6 tokens with this model's whitespace tokenizer but the reference" in err
    )
    assert "leave `text` out of the reference" in err and not (tmp_path / "o2").exists()


def test_an_out_path_through_a_file_is_refused_before_importing(capsys, tmp_path, udacity):
    (tmp_path / "afile").write_text("mine")
    for out in (tmp_path / "afile", tmp_path / "afile" / "sub"):
        code, _, err = run(capsys, "import", udacity[0], "--out", out)
        assert code == 2 and f"--out {out}: {tmp_path / 'afile'} is a file, not a folder" in err
    assert (tmp_path / "afile").read_text() == "mine"
