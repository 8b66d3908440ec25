"""The README's Keras reference snippet, run on real Keras models (Keras 3, torch backend, in a subprocess):
`lstmlm import --reference` certifies the `.keras` and `.h5` files against it, with the character list
found beside them (chars.json), and refuses a reference made by another model. Skipped without keras.
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
from test_import_certificate import readme_snippet

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("keras") is None, reason="keras is not installed"),
    pytest.mark.skipif(importlib.util.find_spec("h5py") is None, reason="h5py is not installed"),
]

from lstmlm import load_model  # noqa: E402
from lstmlm.cli import main  # noqa: E402

TEXT = "the meaning of life is not a thing.\nthe cat sat\n"  # covers the snippet's probe text
# The keras.io character example's shape (one-hot input, one LSTM without return_sequences: the last step's
# distribution only), and an Embedding + GRU model that predicts after every token. Random weights.
SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    import numpy as np
    import keras
    from keras import layers

    out, snippet = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
    text = open(os.path.join(out, "corpus.txt"), encoding="utf-8").read()
    chars = sorted(set(text))
    V = len(chars)
    rng = np.random.default_rng(0)
    models = {
        "char_lstm": keras.Sequential([keras.Input((None, V)), layers.LSTM(8),
                                       layers.Dense(V, activation="softmax")]),
        "emb_gru": keras.Sequential([keras.Input((None,), dtype="int32"), layers.Embedding(V, 5),
                                     layers.GRU(8, return_sequences=True),
                                     layers.Dense(V, activation="softmax")]),
    }
    for name, model in models.items():
        folder = os.path.join(out, name)
        os.makedirs(folder)
        model.set_weights([rng.normal(0, 0.7, w.shape) for w in model.get_weights()])
        model.save(os.path.join(folder, "model.keras"))
        model.save(os.path.join(folder, "model.h5"))
        json.dump(chars, open(os.path.join(folder, "chars.json"), "w"))
        os.chdir(folder)
        exec(snippet, {"model": model, "chars": chars})  # the README's snippet, as a user runs it
    """
)


@pytest.fixture(scope="module")
def keras_refs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keras")
    (folder / "corpus.txt").write_text(TEXT, encoding="utf-8")
    (folder / "snippet.py").write_text(readme_snippet("keras"), encoding="utf-8")
    env = dict(os.environ, KERAS_BACKEND="torch", TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(folder), str(folder / "snippet.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return folder


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("name, distributions", [("char_lstm", 1), ("emb_gru", 22)])
def test_keras_snippet_certifies_the_import(capsys, tmp_path, keras_refs, name, distributions, suffix):
    folder = keras_refs / name
    ref = folder / "ref.npz"
    out = tmp_path / "o"
    code = main(["import", str(folder / f"model{suffix}"), "--reference", str(ref), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert f"vocabulary: {folder / 'chars.json'} (found beside the model" in captured.out
    cert = json.loads((out / "config.json").read_text())["import"]["certificate"]
    assert cert["reference"] == "ref.npz" and cert["probe_tokens"] == len("the meaning of life is")
    assert cert["distributions"] == distributions and cert["text_checked"] is True
    assert cert["max_abs_diff"] <= 1e-5
    # recomputed another way: the fused forward of the saved model against Keras's own predict
    model, data = load_model(out), np.load(ref)
    with torch.no_grad():
        ours = (
            model.log_probs(model(torch.as_tensor(data["ids"]).view(-1, 1))[0])[:, 0].double().exp().numpy()
        )
    theirs = data["probs"].reshape(-1, data["probs"].shape[-1])
    diff = np.abs(ours[-len(theirs) :, : theirs.shape[1]] - theirs).max()
    assert abs(cert["max_abs_diff"] - diff) <= 1e-6


def test_a_reference_from_another_keras_model_is_refused(capsys, tmp_path, keras_refs):
    out = tmp_path / "o"
    other = keras_refs / "emb_gru" / "ref.npz"  # the GRU's reference against the LSTM: same vocabulary
    data = dict(np.load(other))
    np.savez(tmp_path / "ref.npz", ids=data["ids"], probs=data["probs"][-1], text=data["text"])
    model = keras_refs / "char_lstm" / "model.keras"
    code = main(["import", str(model), "--reference", str(tmp_path / "ref.npz"), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and "does not match ref.npz: largest difference" in err and "after the last token" in err
    assert not out.exists()
