"""The app launched on a free port and called through gradio_client, as a script would; and the launcher."""

from __future__ import annotations

import base64

import numpy as np
import pytest
from conftest import app_client

from playground.gateview import trace_json
from playground.generation import GenerationSettings, generate_words
from playground.views import next_words_json, read_prompt

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
    explain = {"/intervene", "/equations", "/counterfactual"}  # playground/api_explain.py
    compare = {"/compare", "/gradient_flow", "/long_range"}  # tests/test_compare_api.py
    assert sorted(set(named) - explore - explain - compare) == ["/generate", "/next_words", "/trace"]


def test_next_words(client):
    c, model = client
    got = c.predict(PROMPT, 5, api_name="/next_words")
    assert got == {**next_words_json(model, PROMPT, 5), "hidden": 0}
    assert len(got["words"]) == 5 and got["probs"] == sorted(got["probs"], reverse=True)
    assert c.predict("", api_name="/next_words")["tokens"] == []  # empty prompt: a line start


def test_generate_streams_and_is_reproducible(client):
    c, model = client
    expected = [
        w.word
        for w in generate_words(
            model, read_prompt(model.vocab, PROMPT), GenerationSettings(0.8, 40, 0.95, 8, 7)
        )
    ]
    job = c.submit(PROMPT, 8, 0.8, 40, 0.95, 7, api_name="/generate")
    outputs = list(job)
    final = job.result()
    assert [w["word"] for w in final["words"]] == expected and final["done"]
    assert len(outputs) >= 2 and len(outputs[0]["words"]) < len(final["words"])
    assert all(0 < w["prob"] <= 1 and w["rank"] >= 1 for w in final["words"])


def test_trace(client):
    c, model = client
    got = c.predict(PROMPT, 1, "f,c", "list", 3, api_name="/trace")
    assert got == {
        **trace_json(model, PROMPT, 1, "f,c", "list", 3),
        "hidden": 0,
    }
    assert np.asarray(got["values"]["c"]).shape == (5, model.config.hidden_dim)
    packed = c.predict(PROMPT, layer=1, api_name="/trace")["values"]  # default: base64 float16, all six
    assert list(packed) == ["f", "i", "o", "g", "c", "h"]
    c_values = np.frombuffer(base64.b64decode(packed["c"]["bdata"]), "<f2").reshape(packed["c"]["shape"])
    assert np.allclose(c_values, got["values"]["c"], atol=2e-3)


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
