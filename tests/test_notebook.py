"""The notebook helpers (playground.notebook): each view's figure holds the model's own numbers,
computed here another way (lstmlm's fused forward and trace); bad input is a ValueError saying what to
change; `launch()` serves the app inline (an iframe of its local URL) without a browser."""

from __future__ import annotations

import math
import urllib.request

import numpy as np
import pytest
import torch

import playground
from lstmlm import bundled
from lstmlm.sampling import advance, start_state
from lstmlm.trace import trace
from playground import notebook

PROMPT = "the cat sat on the mat . the dog ran"


def test_next_word_bars_are_the_models_top_words(tiny_model):
    fig = notebook.show("the cat sat on", model=tiny_model, k=4)
    log_probs, _ = advance(
        tiny_model, tiny_model.vocab.encode_text("the cat sat on").ids, start_state(tiny_model)
    )
    values, ids = log_probs.topk(4)
    bars = fig.data[0]
    assert [w.strip() for w in bars.y] == tiny_model.vocab.decode(ids.tolist())
    assert list(bars.x) == pytest.approx(values.exp().tolist(), abs=1e-6)


@pytest.mark.parametrize(("layer", "gate"), [(0, "f"), (1, "c"), (1, "i")])
def test_gates_heatmap_is_the_trace(tiny_model, layer, gate):
    fig = notebook.show(PROMPT, view="gates", model=tiny_model, layer=layer, gate=gate)
    ids = tiny_model.vocab.encode_text(PROMPT).ids
    expected = trace(tiny_model, ids, start_state(tiny_model)).layers[layer].get(gate)[:, 0]  # (T, H)
    z = np.asarray(fig.data[0].z, dtype=np.float32)  # (units, words), units by index
    np.testing.assert_allclose(z, expected.numpy().T, atol=1e-6)


def test_gates_default_to_the_cells_first_and_order_by_variance(tiny_model):
    ids = tiny_model.vocab.encode_text(PROMPT).ids
    f = trace(tiny_model, ids, start_state(tiny_model)).layers[0].get("f")[:, 0].numpy()  # (T, H)
    fig = notebook.show(PROMPT, view="gates", model=tiny_model, order="variance")
    rows = [int(label.split()[-1]) for label in fig.data[0].y]
    assert rows == np.argsort(-f.var(axis=0), kind="stable").tolist()
    assert fig.layout.title.text.startswith("f ·")


def test_unit_lines_and_saturation(tiny_model):
    ids = tiny_model.vocab.encode_text(PROMPT).ids
    layer = trace(tiny_model, ids, start_state(tiny_model)).layers[1]
    fig = notebook.show(PROMPT, view="unit", model=tiny_model, layer=1, unit=3)
    lines = {t.name: np.asarray(t.y) for t in fig.data}
    np.testing.assert_allclose(lines["f forget"], layer.get("f")[:, 0, 3], atol=1e-6)
    np.testing.assert_allclose(lines["C cell"], layer.get("c")[:, 0, 3], atol=1e-6)
    fig = notebook.show(PROMPT, view="saturation", model=tiny_model, layer=1)
    o = layer.get("o")[:, 0].numpy()
    (scatter,) = [t for t in fig.data if t.name == "output gate"]
    np.testing.assert_allclose(scatter.x, (o < 0.1).mean(axis=0))
    np.testing.assert_allclose(scatter.y, (o > 0.9).mean(axis=0))


def test_surprisal_bars_are_minus_log2_p(tiny_model):
    fig = notebook.show(PROMPT, view="surprisal", model=tiny_model)
    ids = tiny_model.vocab.encode_text(PROMPT).ids
    state, bits = start_state(tiny_model), []
    with torch.no_grad():
        for word in ids:  # p(word | the words before it), from the start of a line
            h = state[0][-1, 0]
            bits.append(-float(tiny_model.log_probs(h)[word]) / math.log(2))
            _, state = advance(tiny_model, [word], state)
    assert list(fig.data[0].y) == pytest.approx(bits, abs=1e-4)


def test_gradient_puts_compared_models_beside(tiny_model, tiny_cell_dirs):
    fig = notebook.show(PROMPT, view="gradient", model=tiny_model, compare=[tiny_cell_dirs["gru"]])
    assert len(fig.data) == 2
    steps = len(tiny_model.vocab.encode_text(PROMPT).ids)
    assert all(len(t.y) == steps - 1 for t in fig.data)  # one value per earlier word
    embedding = tiny_model.embedding
    ids = torch.tensor(tiny_model.vocab.encode_text(PROMPT).ids)[:, None]
    emb = embedding(ids).detach().requires_grad_(True)
    # the LSTM's values: |d log p(last word) / d embedding of the word d back|, computed here by autograd
    features, _ = tiny_model.rnn(emb[:-1], start_state(tiny_model))
    logp = tiny_model.log_probs(features[-1, 0])[ids[-1, 0]]
    (grad,) = torch.autograd.grad(logp, emb)
    norms = grad[:-1, 0].norm(dim=-1).flip(0).numpy()
    np.testing.assert_allclose(np.asarray(fig.data[0].y), norms, rtol=1e-4, atol=1e-7)


def test_model_by_name_and_package_level_show(tiny_model_dir, monkeypatch):
    monkeypatch.setenv(bundled.MODELS_PATH_ENV, str(tiny_model_dir.parent))
    assert playground.show is notebook.show
    by_name = playground.show("the cat", model=tiny_model_dir.name)
    by_dir = notebook.show("the cat", model=tiny_model_dir)
    assert list(by_name.data[0].x) == list(by_dir.data[0].x)
    assert notebook.get_model(tiny_model_dir) is notebook.get_model(str(tiny_model_dir))  # loaded once


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"view": "heatmap"}, "view must be one of"),
        ({"view": "gates", "gate": "q"}, "gate must be one of"),
        ({"view": "gates", "layer": 5}, "layer"),
        ({"view": "gates", "order": "size"}, "order must be one of"),
        ({"view": "unit", "unit": 8}, "unit"),
        ({"view": "gates", "prompt": ""}, "at least a word"),
        ({"view": "gradient", "prompt": "the"}, "at least 2 words"),
    ],
)
def test_bad_input_says_what_to_change(tiny_model, kwargs, message):
    prompt = kwargs.pop("prompt", PROMPT)
    with pytest.raises(ValueError, match=message):
        notebook.show(prompt, model=tiny_model, **kwargs)


def test_plain_rnn_has_no_saturation(tiny_cell_dirs):
    with pytest.raises(ValueError, match="no gates"):
        notebook.show(PROMPT, view="saturation", model=tiny_cell_dirs["rnn_tanh"])


@pytest.mark.slow
def test_launch_serves_the_app_inline(tiny_model_dir):
    demo = notebook.launch(tiny_model_dir, compare=[])
    try:
        html = demo.artifact.data  # what the notebook shows: an iframe of the app's local URL
        assert f'src="{demo.local_url}"' in html and "<iframe" in html
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(demo.local_url, timeout=30) as page:
            assert page.status == 200 and "LSTM Playground" in page.read().decode()
    finally:
        demo.close()
