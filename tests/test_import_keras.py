"""`lstmlm import` of Keras 3 `.keras`, Keras 2 `.h5` and TensorFlow.js files: next-token probabilities equal
those of Keras's own equations (NumPy, tests/keras_reference.py) to 1e-5, and what cannot be computed
exactly is refused with its reason. Files here are written with h5py / json in Keras's documented layouts;
test_import_keras_real.py makes them with Keras itself.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

pytest.importorskip("h5py", reason="the Keras readers need h5py (pip install 'lstm-playground[import]')")

from keras_reference import (  # noqa: E402
    Layer,
    dequantized,
    keras_probs,
    model_config,
    random_layers,
    write_keras2_h5,
    write_keras3,
    write_tfjs,
)

from lstmlm import load_model  # noqa: E402
from lstmlm.cli import main  # noqa: E402
from lstmlm.trace import trace  # noqa: E402

TOL = 1e-5
TEXT = "the cat sat.\nthe dog ran!\n"
CHARS = sorted(set(TEXT))  # what the Keras text-generation example builds: sorted(set(text))
WORDS = ["<unk>", "the", "cat", "sat", "on", "mat", "<eos>"]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def imported_probs(out, ids: list[int]) -> np.ndarray:
    """Next-token probabilities (T, V') of the imported model after each id, via the traced forward."""
    model = load_model(out)
    tr = trace(model, torch.tensor(ids).view(-1, 1))
    return tr.log_probs[:, 0].exp().double().numpy()


def write(fmt: str, tmp_path, layers, **kwargs):
    if fmt == "keras2-h5":
        return write_keras2_h5(tmp_path / "model.h5", layers, **kwargs)
    if fmt == "keras3":
        return write_keras3(tmp_path / "model.keras", layers, **kwargs)
    return write_tfjs(tmp_path / "tfjs", layers, **kwargs)


@pytest.mark.parametrize("fmt", ["keras2-h5", "keras3", "tfjs"])
@pytest.mark.parametrize(
    "cell, num_layers, one_hot",
    [("LSTM", 2, False), ("LSTM", 1, True), ("GRU", 3, False), ("GRU", 1, True), ("SimpleRNN", 2, False)],
)
def test_each_format_predicts_as_keras(capsys, tmp_path, fmt, cell, num_layers, one_hot):
    rng = np.random.default_rng(len(cell) + num_layers)
    vocab_path = tmp_path / "vocab.json"
    if one_hot:  # a character model, as the Keras example: one-hot input, sorted(set(text)) as its vocabulary
        tokens, source = CHARS, ["--chars-from", tmp_path / "corpus.txt"]
        (tmp_path / "corpus.txt").write_text(TEXT, encoding="utf-8")
    else:
        tokens, source = WORDS, ["--vocab", vocab_path]
        vocab_path.write_text(json.dumps(WORDS))
    V = len(tokens)
    layers = random_layers(rng, V, 8, cell, num_layers, one_hot)
    path = write(fmt, tmp_path, layers)
    out = tmp_path / "imported"
    extra = ["--cell", "rnn_tanh"] if cell == "SimpleRNN" else []
    code, stdout, err = run(capsys, "import", path, "--out", out, *source, *extra)
    assert code == 0, err
    model = load_model(out)
    assert model.config.num_layers == num_layers and model.config.hidden_dim == 8
    assert model.config.cell == {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "rnn_tanh"}[cell]
    summary = model.info["import"]
    assert summary["one_hot_input"] is one_hot and summary["imported"] is True
    ids = [int(i) for i in rng.integers(0, V, 12)]
    expected = keras_probs(layers, ids, V)
    got = imported_probs(out, ids)
    assert np.abs(got[:, :V] - expected).max() <= TOL
    if one_hot:  # "\n" is lstmlm's <eos>; the characters keep their ids; <unk> is added, never predicted
        assert model.vocab.words[:V] == ["<eos>" if c == "\n" else c for c in CHARS]
        assert summary["tokenizer"] == "chars" and "characters" in stdout
        assert np.all(got[:, V] == 0)
    else:
        assert model.vocab.words == WORDS and summary["added_unk"] is False


def test_a_functional_model_and_a_logits_head_import_exactly(capsys, tmp_path):
    rng = np.random.default_rng(5)
    layers = random_layers(rng, len(WORDS), 8, "LSTM", 1, False, activation="linear")
    layers.append(Layer("Activation", "softmax_out", {"activation": "softmax"}))
    path = write_keras2_h5(tmp_path / "f.h5", layers, config=model_config(layers, functional=True))
    (tmp_path / "v.txt").write_text("\n".join(WORDS) + "\n")  # one token per line
    out = tmp_path / "o"
    code, _, err = run(capsys, "import", path, "--vocab", tmp_path / "v.txt", "--out", out)
    assert code == 0, err
    ids = [1, 2, 3, 4, 1, 5]
    assert np.abs(imported_probs(out, ids) - keras_probs(layers, ids, len(WORDS))).max() <= TOL


def test_float16_weights_and_quantized_tfjs_weights_are_read_as_their_framework_reads_them(capsys, tmp_path):
    rng = np.random.default_rng(7)
    (tmp_path / "v.json").write_text(json.dumps(WORDS))
    layers = random_layers(rng, len(WORDS), 8, "LSTM", 2, False)
    ids = [1, 2, 3, 6, 4, 5]
    # Keras mixed precision stores float16: the reference runs the float16 values
    half = [
        Layer(x.kind, x.name, x.config, [(n, v.astype(np.float16).astype(float)) for n, v in x.weights])
        for x in layers
    ]
    path = write_keras2_h5(tmp_path / "half.h5", layers, dtype=np.float16)
    assert run(capsys, "import", path, "--vocab", tmp_path / "v.json", "--out", tmp_path / "h")[0] == 0
    assert np.abs(imported_probs(tmp_path / "h", ids) - keras_probs(half, ids, len(WORDS))).max() <= TOL
    # TF.js uint8 quantization: the reference runs q * scale + min, as TF.js does when it loads the model
    path = write_tfjs(tmp_path / "q", layers, shards=3, quantize=True)
    code, stdout, err = run(
        capsys, "import", path.parent, "--vocab", tmp_path / "v.json", "--out", tmp_path / "t"
    )
    assert code == 0, err and "uint8-quantized" in stdout
    expected = keras_probs(dequantized(layers), ids, len(WORDS))
    assert np.abs(imported_probs(tmp_path / "t", ids) - expected).max() <= TOL


def _modified(layers: list[Layer], kind: str, **config) -> list[Layer]:
    for layer in layers:
        if layer.kind == kind:
            layer.config.update(config)
            break
    return layers


@pytest.mark.parametrize(
    "problem, message",
    [
        ("hard_sigmoid", "recurrent_activation hard_sigmoid"),
        ("hardSigmoid (TF.js)", "recurrent_activation hard_sigmoid"),
        ("GRU reset_after=False", "reset_after=False"),
        ("go_backwards", "go_backwards=True"),
        ("mask_zero", "mask_zero=True"),
        ("Bidirectional", "a bidirectional layer"),
        ("Conv1D", "Conv1D layer 'conv': a convolution"),
        ("LayerNormalization", "layer normalization"),
        ("two Dense layers", "a head other than linear + softmax"),
        ("relu Dense", "activation 'relu'; the output layer must be linear + softmax"),
        ("a subclassed model", "a 'MyModel' model: only Sequential and Functional"),
        ("weights only", "holds weights only (model.save_weights)"),
        ("no vocabulary", "the file holds no vocabulary (7 output classes)"),
        ("a vocabulary of another size", "the vocabulary has 6 tokens but the model has 7 output classes"),
        ("layers of different sizes", "recurrent layers of different sizes [8, 4]"),
        ("a graph model", "not a TF.js layers model"),
        ("a SavedModel folder", "a TensorFlow SavedModel"),
        ("--cell gru on an LSTM", "--cell gru: the file holds a lstm"),
    ],
)
def test_refusals_name_what_cannot_be_imported(capsys, tmp_path, problem, message):
    rng = np.random.default_rng(0)
    layers = random_layers(rng, len(WORDS), 8, "GRU" if "GRU" in problem else "LSTM", 2, False)
    vocab = tmp_path / "v.json"
    vocab.write_text(json.dumps(WORDS))
    args, config = ["--vocab", vocab], None
    if problem == "hard_sigmoid":
        _modified(layers, "LSTM", recurrent_activation="hard_sigmoid")
    elif problem == "hardSigmoid (TF.js)":
        _modified(layers, "LSTM", recurrent_activation="hardSigmoid")
    elif problem == "GRU reset_after=False":
        _modified(layers, "GRU", reset_after=False)
    elif problem == "go_backwards":
        _modified(layers, "LSTM", go_backwards=True)
    elif problem == "mask_zero":
        _modified(layers, "Embedding", mask_zero=True)
    elif problem in ("Bidirectional", "LayerNormalization"):
        layers.insert(2, Layer(problem, "extra"))
    elif problem == "Conv1D":
        layers.insert(1, Layer("Conv1D", "conv", {"filters": 5}))
    elif problem == "two Dense layers":
        layers.insert(
            -1, Layer("Dense", "hidden", {"units": 8, "activation": "linear"}, [("kernel", np.eye(8))])
        )
    elif problem == "relu Dense":
        _modified(layers, "Dense", activation="relu")
    elif problem == "a subclassed model":
        config = {"class_name": "MyModel", "config": {"name": "my_model"}}
    elif problem == "no vocabulary":
        args = []
    elif problem == "a vocabulary of another size":
        vocab.write_text(json.dumps(WORDS[:-1]))
    elif problem == "layers of different sizes":
        layers = random_layers(rng, len(WORDS), 8, "LSTM", 1, False)
        small = random_layers(rng, len(WORDS), 4, "LSTM", 1, True)[0]
        small.weights[0] = (small.weights[0][0], rng.normal(size=(8, 16)))
        small.name = "lstm_small"
        layers.insert(2, small)
        layers[-1].weights[0] = ("kernel", rng.normal(size=(4, len(WORDS))))
    elif problem == "--cell gru on an LSTM":
        args += ["--cell", "gru"]
    if problem in ("hardSigmoid (TF.js)", "a graph model"):
        path = write_tfjs(tmp_path / "tfjs", layers, config=config)
        if problem == "a graph model":
            data = json.loads(path.read_text())
            data["format"] = "graph-model"
            data["modelTopology"] = {"node": []}
            path.write_text(json.dumps(data))
    elif problem == "a SavedModel folder":
        path = tmp_path / "saved"
        path.mkdir()
        (path / "saved_model.pb").write_bytes(b"\x08\x01")
    else:
        path = write_keras2_h5(tmp_path / "m.h5", layers, config=config)
        if problem == "weights only":
            import h5py

            with h5py.File(path, "a") as f:
                del f.attrs["model_config"]
    code, _, err = run(capsys, "import", path, "--out", tmp_path / "o", *args)
    assert code == 2, err
    assert message in err, err
    assert "Traceback" not in err and "\x1b" not in err
    assert not (tmp_path / "o" / "config.json").exists()


def test_a_keras3_file_with_a_timedistributed_dense_imports_exactly(capsys, tmp_path):
    rng = np.random.default_rng(11)
    layers = random_layers(rng, len(WORDS), 8, "GRU", 1, False)
    dense = layers[-1]
    config = model_config(layers)
    config["config"]["layers"][-1] = {
        "class_name": "TimeDistributed",
        "config": {"name": dense.name, "layer": {"class_name": "Dense", "config": dense.config}},
    }
    wrapped = [*layers[:-1], Layer("TimeDistributed", dense.name, {}, dense.weights)]
    path = write_keras3(tmp_path / "td.keras", wrapped, config=config)
    (tmp_path / "v.json").write_text(json.dumps({w: i for i, w in enumerate(WORDS)}))  # {token: id}
    assert run(capsys, "import", path, "--vocab", tmp_path / "v.json", "--out", tmp_path / "o")[0] == 0
    ids = [2, 3, 4, 1, 5]
    assert np.abs(imported_probs(tmp_path / "o", ids) - keras_probs(layers, ids, len(WORDS))).max() <= TOL


def test_a_keras_tokenizer_with_num_words_keeps_the_ids_it_reads(capsys, tmp_path):
    """Keras's Tokenizer(num_words=N, oov_token=...) (the real one: keras_preprocessing, the code of
    tf.keras.preprocessing.text) indexes every word it saw but reads only ids below N, the others as its
    oov_token (id 1); the model has N classes. tokenizer.to_json() says so: the import keeps ids 0..N-1, reads
    the oov_token as <unk>, and gives Keras's probabilities on the tokenizer's own ids. The bare word_index
    (which does not say N) is refused, saying which file to give."""
    text = pytest.importorskip("keras_preprocessing.text", reason="pip install keras-preprocessing")
    tokenizer = text.Tokenizer(num_words=6, oov_token="<OOV>")
    tokenizer.fit_on_texts(["the cat sat on the mat", "the dog ran to the cat"])
    assert len(tokenizer.word_index) > 6  # more words indexed than the model reads
    (tmp_path / "tokenizer.json").write_text(tokenizer.to_json(), encoding="utf-8")
    (tmp_path / "word_index.json").write_text(json.dumps(tokenizer.word_index), encoding="utf-8")
    layers = random_layers(np.random.default_rng(7), 6, 8, "LSTM", 1, one_hot=False)
    path = write_keras3(tmp_path / "model.keras", layers)

    out = tmp_path / "imported"
    code, _, err = run(capsys, "import", path, "--out", out, "--vocab", tmp_path / "tokenizer.json")
    assert code == 0, err
    model = load_model(out)
    by_id = {i: w for w, i in tokenizer.word_index.items() if i < 6}
    assert model.vocab.words[:6] == ["<pad>", "<unk>", *(by_id[i] for i in range(2, 6))]
    sentence = "the cat sat on the mat by the dog"
    keras_ids = tokenizer.texts_to_sequences([sentence])[0]  # "mat", "by", "dog" read as the oov id 1
    assert model.vocab.encode_text(sentence).ids == keras_ids
    np.testing.assert_allclose(
        imported_probs(out, keras_ids)[:, :6], keras_probs(layers, keras_ids, 6), atol=TOL
    )

    code, _, err = run(
        capsys, "import", path, "--out", tmp_path / "bare", "--vocab", tmp_path / "word_index.json"
    )
    assert code != 0
    assert "Tokenizer(num_words=6) reads only the ids below 6" in err and "tokenizer.to_json()" in err
