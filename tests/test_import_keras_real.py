"""Files made by Keras itself (Keras 3 on the torch backend, in a subprocess): `.keras` and legacy `.h5`,
imported by `lstmlm import`, give Keras's own next-token probabilities to 1e-5. Skipped when keras is not
installed (pip install keras); CI installs it with the test extra.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("keras") is None, reason="keras is not installed"),
    pytest.mark.skipif(importlib.util.find_spec("h5py") is None, reason="h5py is not installed"),
]

from lstmlm import load_model  # noqa: E402
from lstmlm.cli import main  # noqa: E402
from lstmlm.trace import trace  # noqa: E402

TOL = 1e-5
TEXT = "the cat sat on the mat.\nthe dog ran\n"
# Each model: name, one-hot or embedding input, the recurrent layers, the head. Weights are random (biases
# too), so every weight matters; Keras's `model(x)` on each prefix gives the reference probabilities.
SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import keras
    from keras import layers

    out = sys.argv[1]
    text = open(out + "/corpus.txt", encoding="utf-8").read()
    chars = sorted(set(text))
    V = len(chars)
    ids = [chars.index(c) for c in text[:14]]
    rng = np.random.default_rng(0)
    models = {
        "char_lstm": keras.Sequential([keras.Input((None, V)), layers.LSTM(8, return_sequences=True),
                                       layers.LSTM(8), layers.Dense(V, activation="softmax")]),
        "char_gru": keras.Sequential([keras.Input((None, V)), layers.GRU(8), layers.Dense(V),
                                      layers.Activation("softmax")]),
        "emb_gru": keras.Sequential([keras.Input((None,), dtype="int32"), layers.Embedding(V, 5),
                                     layers.GRU(8, return_sequences=True), layers.Dropout(0.3),
                                     layers.GRU(8, return_sequences=True),
                                     layers.Dense(V, activation="softmax")]),
        "emb_rnn": keras.Sequential([keras.Input((None,), dtype="int32"), layers.Embedding(V, 5),
                                     layers.SimpleRNN(8, return_sequences=True),
                                     layers.Dense(V, activation="softmax")]),
    }
    inputs = keras.Input((None,), dtype="int32")
    x = layers.Embedding(V, 6)(inputs)
    x = layers.LSTM(8, return_sequences=True)(x)
    models["functional_lstm"] = keras.Model(inputs, layers.Dense(V, activation="softmax")(x))
    probs = {}
    for name, model in models.items():
        model.set_weights([rng.normal(0, 0.7, w.shape) for w in model.get_weights()])
        model.save(f"{out}/{name}.keras")
        model.save(f"{out}/{name}.h5")
        rows = []
        for t in range(1, len(ids) + 1):  # the distribution after each prefix, as Keras computes it
            prefix = np.eye(V)[ids[:t]][None] if name.startswith("char") else np.array([ids[:t]])
            rows.append(keras.ops.convert_to_numpy(model(prefix))[0].reshape(-1, V)[-1])
        probs[name] = np.array(rows).tolist()
    json.dump({"ids": ids, "chars": chars, "probs": probs}, open(out + "/keras.json", "w"))
    """
)


@pytest.fixture(scope="module")
def keras_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keras")
    (folder / "corpus.txt").write_text(TEXT, encoding="utf-8")
    env = dict(os.environ, KERAS_BACKEND="torch", TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(folder)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return folder, json.loads((folder / "keras.json").read_text())


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("name", ["char_lstm", "char_gru", "emb_gru", "emb_rnn", "functional_lstm"])
def test_keras_files_import_with_keras_own_probabilities(capsys, tmp_path, keras_files, name, suffix):
    folder, reference = keras_files
    out = tmp_path / "imported"
    extra = ["--cell", "rnn_tanh"] if name == "emb_rnn" else []
    code = main(["import", str(folder / f"{name}{suffix}"), "--chars-from", str(folder / "corpus.txt"),
                 "--out", str(out), *extra])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    model = load_model(out)
    V = len(reference["chars"])
    assert model.vocab.words[:V] == ["<eos>" if c == "\n" else c for c in reference["chars"]]
    assert model.info["import"]["tokenizer"] == "chars"
    tr = trace(model, torch.tensor(reference["ids"]).view(-1, 1))
    got = tr.log_probs[:, 0, :V].exp().double().numpy()
    expected = np.array(reference["probs"][name])
    assert np.abs(got - expected).max() <= TOL


MASK_SCRIPT = textwrap.dedent(
    """
    import sys
    import keras
    from keras import layers

    out = sys.argv[1]
    inputs = keras.Input((None,), dtype="int32")
    x = layers.Embedding(12, 5, mask_zero=True, name="words")(inputs)
    x = layers.GRU(8, return_sequences=True)(x)
    model = keras.Model(inputs, layers.Dense(12, activation="softmax")(x))
    model.save(f"{out}/mask_zero.keras")
    model.save(f"{out}/mask_zero.h5")
    inputs = keras.Input((None,), dtype="int32")
    x = layers.Embedding(12, 5)(inputs)
    x = layers.LSTM(8, return_sequences=True, name="lstm")(x, mask=keras.ops.not_equal(inputs, 1))
    model = keras.Model(inputs, layers.Dense(12, activation="softmax")(x))
    model.save(f"{out}/own_mask.keras")
    model.save(f"{out}/own_mask.h5")
    """
)


@pytest.fixture(scope="module")
def mask_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keras_masks")
    env = dict(os.environ, KERAS_BACKEND="torch", TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run(
        [sys.executable, "-c", MASK_SCRIPT, str(folder)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return folder


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize(
    "name, message",
    [
        ("mask_zero", "Embedding layer 'words': mask_zero=True (Keras skips every step whose id is 0"),
        ("own_mask", "LSTM layer 'lstm': masking (skipped steps keep the state) is not something lstmlm"),
    ],
)
def test_a_functional_model_with_a_mask_is_refused_for_its_mask(capsys, tmp_path, mask_files, name, message,
                                                                suffix):  # fmt: skip
    """Keras 3 writes the mask as a NotEqual layer beside the chain; the refusal names the mask, not the
    shape of the graph."""
    (tmp_path / "vocab.json").write_text(json.dumps([f"w{i}" for i in range(12)]))
    code = main(["import", str(mask_files / f"{name}{suffix}"), "--vocab", str(tmp_path / "vocab.json"),
                 "--out", str(tmp_path / "o")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and message in err, err
    assert "one chain of layers" not in err and not (tmp_path / "o").exists()
