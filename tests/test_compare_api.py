"""The model-comparing endpoints (compare, gradient_flow, long_range) through gradio_client, on an app
whose line-up is the tiny LSTM, GRU and plain RNN; the numbers are the library's."""

from __future__ import annotations

import shutil

import pytest
from conftest import app_client

from lstmlm import load_model
from lstmlm.studies.compare import score_prompt
from lstmlm.studies.gradflow import average_flow, gradient_flow, load_flow, save_flow
from playground.views.lineup import make_lineup

PROMPT = "the cat sat on the mat . a dog ran to the house"


def with_flow(model_dir, out):
    """A copy of a model directory with a small averaged gradient flow."""
    shutil.copytree(model_dir, out)
    model = load_model(out)
    ids = model.vocab.encode("the cat sat on the mat . a dog ran to the house .".split() * 4).ids
    save_flow(out, average_flow(model, ids, snippets=5, length=10))
    return out


@pytest.fixture(scope="module")
def three_dirs(tiny_model_dir, tiny_cell_dirs, tmp_path_factory):
    root = tmp_path_factory.mktemp("lineup")
    return [with_flow(tiny_model_dir, root / "lstm")] + [
        with_flow(tiny_cell_dirs[c], root / c) for c in ("rnn_tanh", "gru")
    ]


@pytest.fixture(scope="module")
def client(three_dirs):
    with app_client(load_model(three_dirs[0]), model_dir=three_dirs[0], compare_dirs=three_dirs[1:]) as c:
        yield c


def test_lineup_orders_lstm_gru_rnn_and_skips_what_does_not_load(three_dirs, tmp_path, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    lineup = make_lineup(
        load_model(three_dirs[0]), three_dirs[0], [three_dirs[1], broken, three_dirs[2], three_dirs[0]]
    )
    assert [e.model.config.cell for e in lineup] == ["lstm", "gru", "rnn_tanh"]
    assert len({e.color for e in lineup}) == 3 and all(e.flow is not None for e in lineup)
    assert "not comparing" in capsys.readouterr().err


def test_compare_endpoint(client, three_dirs):
    out = client.predict(PROMPT, 5, api_name="/compare")
    assert [m["cell"] for m in out["models"]] == ["lstm", "gru", "rnn_tanh"]
    for m, d in zip(out["models"], [three_dirs[0], three_dirs[2], three_dirs[1]], strict=True):
        model = load_model(d)
        expected = score_prompt(model, model.vocab.encode_text(PROMPT).ids, k=5)
        assert m["perplexity"] == pytest.approx(expected.perplexity, rel=1e-4)
        assert [n["word"] for n in m["next"]] == expected.words
        assert m["next"][0]["prob"] == pytest.approx(expected.probs[0], abs=1e-6)
        assert len(m["word_bits"]) == len(out["tokens"]) == 13


def test_gradient_flow_endpoint(client, three_dirs):
    out = client.predict(PROMPT, api_name="/gradient_flow")
    assert out["target"] == "house"
    lstm = out["models"][0]
    model = load_model(three_dirs[0])
    expected = gradient_flow(model, model.vocab.encode_text(PROMPT).ids)
    assert lstm["distance"] == list(range(1, 13)) and lstm["words"][0] == "the"
    assert lstm["norm"] == pytest.approx(expected.tolist(), rel=1e-3)
    assert lstm["averaged"]["median"] == load_flow(three_dirs[0]).median
    short = client.predict("cat", api_name="/gradient_flow")
    assert short["target"] is None and "two words" in short["notice"]


def test_long_range_endpoint_and_its_messages(client):
    # the tiny corpus has no quotation marks: each model says what its vocabulary lacks instead of a score
    out = client.predict("quote", api_name="/long_range")
    assert out["probe"] == "quote" and len(out["models"]) == 3
    assert all(m["bits"] is None and "lacks" in m["note"] for m in out["models"])
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="choose one of"):
        client.predict("rhymes", api_name="/long_range")
