"""The app launched on a free port and called through gradio_client, as a script would; and the launcher.

Answers are checked against the network computed another way: the fused forward from <eos> (a line
start) over words the tiny model knows, the library's own sampler and trace, not the functions the
server calls."""

from __future__ import annotations

import base64

import numpy as np
import pytest
import torch
from conftest import app_client

from lstmlm.sampling import generate, make_generator, start_state
from lstmlm.trace import trace

PROMPT = "the cat sat on the"


@pytest.fixture(scope="module")
def client(tiny_model_dir):
    from lstmlm import load_model

    model = load_model(tiny_model_dir)
    with app_client(model) as c:
        yield c, model


def test_only_the_scripting_endpoints_are_public(client):
    c, _ = client
    named = c.view_api(print_info=False, return_format="dict")["named_endpoints"]
    explore = {"/surprisal", "/unit_atlas", "/unit_search"}  # tests/test_explore_api.py
    explain = {"/intervene", "/equations", "/counterfactual"}  # playground/api/intervene.py
    compare = {"/compare", "/gradient_flow", "/long_range"}  # tests/test_compare_api.py
    hunt = {"/cell_hunt"}  # tests/test_cell_hunt_app.py
    # tests/test_live_app.py
    live = {f"/lab_{n}" for n in ("train", "status", "stop", "pause", "resume", "snapshot")}
    class_game = ("open", "join", "push", "push_gate", "guess", "state", "reveal", "step")
    rooms = {f"/room_{n}" for n in class_game}
    rest = set(named) - explore - explain - compare - hunt - live - rooms
    assert sorted(rest) == ["/generate", "/next_words", "/trace"]


@torch.no_grad()
def network_probs(model, words: list[str]) -> torch.Tensor:
    """Next-word probabilities (V,) after a line start and `words`: the fused forward, nothing else."""
    assert all(w in model.vocab for w in words), words  # words the tiny model knows
    ids = torch.tensor([model.vocab.words.index(w) for w in ["<eos>", *words]])
    features, _ = model(ids[:, None])  # (T, 1, H)
    return model.log_probs(features[-1, 0]).exp()


def test_next_words(client):
    c, model = client
    got = c.predict(PROMPT, 5, api_name="/next_words")
    probs = network_probs(model, PROMPT.split())
    top = probs.topk(5)
    assert got["tokens"] == PROMPT.split() and got["unknown"] == []
    assert got["words"] == [model.vocab.words[i] for i in top.indices]
    assert got["probs"] == pytest.approx(top.values.tolist(), abs=1e-6)  # rounded to 6 decimals
    entropy = -(probs * probs.log2()).sum().item()
    assert got["entropy_bits"] == pytest.approx(entropy, abs=1e-4)
    empty = c.predict("", api_name="/next_words")  # empty prompt: a line start; k defaults to 10
    assert empty["tokens"] == [] and len(empty["words"]) == 10
    assert empty["probs"][0] == pytest.approx(network_probs(model, []).max().item(), abs=1e-6)


def test_generate_streams_and_is_reproducible(client):
    c, model = client
    ids = [model.vocab.words.index(w) for w in PROMPT.split()]
    sampled = generate(model, ids, 8, 0.8, 40, 0.95, make_generator(7), state=start_state(model))
    expected = [w.word for w in sampled]  # the library's sampler, reading the prompt itself
    job = c.submit(PROMPT, 8, 0.8, 40, 0.95, 7, api_name="/generate")
    outputs = list(job)
    final = job.result()
    assert [w["word"] for w in final["words"]] == expected and final["done"]
    assert len(outputs) >= 2 and len(outputs[0]["words"]) < len(final["words"])
    for j, w in enumerate(final["words"]):  # each word's probability and rank under the model itself
        probs = network_probs(model, PROMPT.split() + expected[:j])
        p = probs[model.vocab.words.index(w["word"])]
        assert w["prob"] == pytest.approx(p.item(), abs=2e-6)
        assert w["rank"] == int((probs > p).sum()) + 1


def test_trace(client):
    c, model = client
    got = c.predict(PROMPT, 1, "f,c", "list", 3, api_name="/trace")
    ids = [model.vocab.words.index(w) for w in PROMPT.split()]
    layer = trace(model, ids, start_state(model)).layers[1]
    for gate in ("f", "c"):
        expected = layer.get(gate)[:, 0].numpy()  # (steps, units)
        assert np.asarray(got["values"][gate]).shape == expected.shape == (5, model.config.hidden_dim)
        assert np.allclose(got["values"][gate], expected, atol=5e-4 + 1e-6)  # 3 decimals
    packed = c.predict(PROMPT, layer=1, api_name="/trace")["values"]  # default: base64 float16, all six
    assert list(packed) == ["f", "i", "o", "g", "c", "h"]
    c_values = np.frombuffer(base64.b64decode(packed["c"]["bdata"]), "<f2").reshape(packed["c"]["shape"])
    assert np.allclose(c_values, layer.c[:, 0].numpy(), atol=2e-3)


@pytest.mark.parametrize(
    ("endpoint", "args", "message"),
    [
        ("/generate", (PROMPT, 30, -1.0), "temperature must be a number >= 0"),
        ("/generate", (PROMPT, 0), "number of words must be between 1 and"),
        ("/generate", (PROMPT, 30, 0.8, 40, 1.5), "top_p must be in"),
        ("/trace", (PROMPT, 5), "layer must be one of 0..1"),
        ("/trace", (PROMPT, 0, "f,q"), "gates must be"),
        ("/trace", (PROMPT, 0, "f", "xml"), "encoding must be one of"),
    ],
)
def test_bad_input_gives_a_message_not_a_crash(client, endpoint, args, message):
    from gradio_client.exceptions import AppError

    c, _ = client
    with pytest.raises(AppError, match=message):
        c.predict(*args, api_name=endpoint)


def test_launcher_explains_a_missing_model(tmp_path, capsys, monkeypatch):
    from playground.__main__ import main

    assert main(["--model", str(tmp_path / "nope")]) == 2
    assert "cannot load the model" in capsys.readouterr().err
    monkeypatch.setenv("LSTMLM_MODEL", str(tmp_path / "missing"))
    assert main([]) == 2
    assert "--model DIR" in capsys.readouterr().err
