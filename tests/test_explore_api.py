"""The exploring endpoints (surprisal, unit_search, unit_atlas) through gradio_client, as a script calls
them, on the tiny model with a small atlas; and the atlas endpoint's message when a model has none."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import app_client

from lstmlm.studies.atlas import build_atlas, load_atlas, save_atlas
from playground.views.surprisal import surprisal_json
from playground.views.units import atlas_unit, unit_search_json

PROMPT = "the cat sat on the mat . a dog ran"


def with_atlas(model_dir: Path, model, corpus: Path, out: Path) -> Path:
    """A copy of the model directory with a small atlas over 200 words of the corpus."""
    shutil.copytree(model_dir, out)
    save_atlas(out, build_atlas(model, (corpus / "valid.txt").read_text().split()[:200], top=3), "valid.txt")
    return out


@pytest.fixture(scope="module")
def client(tiny_model_dir, tiny_corpus, tmp_path_factory):
    from lstmlm import load_model

    model = load_model(tiny_model_dir)
    model_dir = with_atlas(tiny_model_dir, model, tiny_corpus, tmp_path_factory.mktemp("atlas") / "model")
    with app_client(model, model_dir=model_dir) as c:
        yield c, model, load_atlas(model_dir)


def test_the_endpoints_are_public(client):
    c, _, _ = client
    named = c.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/surprisal", "/unit_search", "/unit_atlas"} <= set(named)


def test_surprisal(client):
    c, model, _ = client
    got = c.predict(PROMPT, 3, api_name="/surprisal")
    assert got == {**surprisal_json(model, PROMPT, 3), "hidden": 0}
    assert len(got["words"]) == len(got["tokens"]) and got["perplexity"] > 1


def test_unit_search(client):
    c, model, _ = client
    got = c.predict(PROMPT, 1, 2, 5, "c", 4, "minmax", api_name="/unit_search")
    assert got == {
        **unit_search_json(model, PROMPT, 1, 2, 5, "c", 4, "minmax"),
        "hidden": 0,
    }
    assert len(got["high"]) == 4 and got["span_words"] == ["sat", "on", "the"]


def test_unit_atlas(client):
    c, _, atlas = client
    got = c.predict(1, 5, api_name="/unit_atlas")
    assert got == {**atlas_unit(atlas, 1, 5), "hidden": 0} and len(got["h_high"]) == 3


@pytest.mark.parametrize(
    ("endpoint", "args", "message"),
    [
        ("/unit_search", (PROMPT, 0, 3, 2), "the span must satisfy"),
        ("/unit_search", (PROMPT, 0, 0, 2, "x"), "signal must be"),
        ("/unit_search", ("the", 0, 0, 1), "at least two words"),
        ("/unit_atlas", (0, 99), "unit must be one of 0..7"),
    ],
)
def test_bad_input_gives_a_message(client, endpoint, args, message):
    from gradio_client.exceptions import AppError

    c, _, _ = client
    with pytest.raises(AppError, match=message):
        c.predict(*args, api_name=endpoint)


def test_a_model_without_an_atlas_says_how_to_build_it(tiny_model):
    from gradio_client.exceptions import AppError

    with (
        app_client(tiny_model) as c,
        pytest.raises(AppError, match="lstmlm index --model DIR --data valid.txt"),
    ):
        c.predict(0, 0, api_name="/unit_atlas")
