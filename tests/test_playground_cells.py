"""The playground with a GRU or a plain RNN as its main model: every public endpoint over the raw HTTP API,
with the numbers checked against the model's own fused nn.GRU / nn.RNN, and the views that are about the
LSTM's gates (Intervene, Equations) answering with a clean message instead of an error."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from conftest import launch_app
from test_explore_api import with_atlas
from test_robustness_api import OPENER, TRACEBACK_SIGNS, call

from lstmlm import load_model
from lstmlm.sampling import start_state
from lstmlm.studies.arrays import CellArrays, layer_arrays
from lstmlm.trace import trace

PROMPT = "the cat sat on the mat . a dog ran to the house"
PROMPT_B = "the dog sat on the mat . a dog ran to the house"
QUANTITIES = {"gru": ["r", "z", "n", "h"], "rnn_tanh": ["h"], "rnn_relu": ["h"]}
LSTM_ONLY = ("intervene", "equations")
# tests/test_live_app.py checks them with real texts
LIVE_LAB = ("lab_train", "lab_status", "lab_stop", "lab_pause", "lab_resume", "lab_snapshot")
TOP = 1  # the tiny models have layers 0 and 1


def fused(model, text: str) -> tuple[list[int], torch.Tensor, torch.Tensor]:
    """The prompt's ids, the top layer's h (T, H) and the next-word log-probabilities before each word
    (T, V; row t predicts word t), from the model's fused nn.GRU / nn.RNN read from a line start."""
    ids = model.vocab.encode_text(text).ids
    state = start_state(model)  # (L, 1, H)
    with torch.no_grad():
        out, _ = model.rnn(model.embedding(torch.tensor(ids)[:, None]), state)  # (T, 1, H)
        h = out[:, 0]
        rows = model.log_probs(torch.cat([state[-1], h[:-1]]))
    return ids, h, rows


@pytest.fixture(scope="module", params=["gru", "rnn_tanh", "rnn_relu"])
def app(request, tiny_cell_dirs, tiny_corpus, tmp_path_factory):
    """The app over a tiny GRU or plain RNN (with a small unit atlas), its base URL and endpoint table."""
    from playground.app import build_app
    from playground.server.serve import queue_kwargs

    cell = request.param
    model = load_model(tiny_cell_dirs[cell])
    model_dir = with_atlas(tiny_cell_dirs[cell], model, tiny_corpus, tmp_path_factory.mktemp(cell) / "m")
    demo = build_app(model, model_dir=model_dir).queue(**queue_kwargs())
    base = launch_app(demo).rstrip("/")
    with OPENER.open(f"{base}/gradio_api/info", timeout=30) as r:
        info = json.loads(r.read())["named_endpoints"]
    try:
        yield cell, model, base, info
    finally:
        demo.close()


def ok(base: str, api_name: str, data: list) -> dict:
    event, payload, _ = call(base, api_name, data)
    assert event == "complete", f"{api_name}: {event}: {payload}"
    return payload[0]


def test_every_endpoint_answers(app):
    """Each public endpoint, with its defaults and the prompt: a result, or for the LSTM-only views a
    message that names the cell and the views to open instead (no traceback, no HTTP 500)."""
    cell, model, base, info = app
    assert {"/next_words", "/generate", "/trace", "/surprisal", "/unit_search", "/unit_atlas", "/intervene",
            "/equations", "/counterfactual", "/compare", "/gradient_flow"} <= set(info)  # fmt: skip
    name = {"gru": "GRU", "rnn_tanh": "plain RNN (tanh)", "rnn_relu": "plain RNN (relu)"}[cell]
    for endpoint, spec in info.items():
        data = [
            p["parameter_default"] if p.get("parameter_has_default") else PROMPT if i == 0 else 0
            for i, p in enumerate(spec["parameters"])
        ]
        event, payload, _ = call(base, endpoint.lstrip("/"), data)
        if endpoint.lstrip("/") in LIVE_LAB:  # a text to train on is needed: an empty one gets its message
            assert event == "complete" or "paste a text" in str(payload) or "no training" in str(payload), (
                f"{endpoint}: {event}: {str(payload)[:300]}"
            )
            assert not any(sign in str(payload) for sign in TRACEBACK_SIGNS)
        elif endpoint.startswith("/room_"):  # the class game needs an open room: a message, no traceback
            assert event == "complete" or (event == "error" and str(payload).strip()), f"{endpoint}: {event}"
            assert not any(sign in str(payload) for sign in TRACEBACK_SIGNS)
        elif endpoint.lstrip("/") in LSTM_ONLY:
            assert event == "error", endpoint
            assert f"this model is a {name}" in payload and "Open Gates & memory" in payload, payload
            assert not any(sign in payload for sign in TRACEBACK_SIGNS)
        else:
            assert event == "complete", f"{endpoint}: {event}: {str(payload)[:300]}"


def test_trace_is_the_fused_models(app):
    cell, model, base, _ = app
    ids, h, _ = fused(model, PROMPT)
    got = ok(base, "trace", [PROMPT, TOP, "all", "list", 6])
    assert list(got["values"]) == QUANTITIES[cell] and got["hidden_dim"] == 8
    values = {k: np.asarray(v) for k, v in got["values"].items()}  # each (T, H)
    assert np.abs(values["h"] - h.numpy()).max() <= 1e-5
    assert list(got["saturation"]) == (["r", "z"] if cell == "gru" else [])  # the gates in (0, 1)
    if cell == "gru":  # h_t = (1 - z_t) n_t + z_t h_{t-1}, from the endpoint's own numbers
        h_prev = np.concatenate([start_state(model)[TOP].numpy(), values["h"][:-1]])
        assert np.abs((1 - values["z"]) * values["n"] + values["z"] * h_prev - values["h"]).max() <= 1e-5
        assert values["r"].min() >= 0 and values["z"].max() <= 1
        below = (values["z"] < 0.1).mean(0)
        assert got["saturation"]["z"]["below_0.1"] == pytest.approx(below.tolist(), abs=1e-4)
    packed = ok(base, "trace", [PROMPT, TOP, "h", "float16", 3])["values"]["h"]  # the default encoding
    assert packed["shape"] == [len(ids), 8]
    event, message, _ = call(base, "trace", [PROMPT, 0, "f,i", "list", 3])  # an LSTM's gates
    allowed = ", ".join(QUANTITIES[cell])
    assert event == "error" and f"gates must be a comma-separated list of {allowed}" in message


def test_surprisal_is_the_fused_models(app):
    _, model, base, _ = app
    ids, _, rows = fused(model, PROMPT)
    got = ok(base, "surprisal", [PROMPT, 3])
    want = rows[torch.arange(len(ids)), torch.tensor(ids)]  # (T,) log p(word t)
    assert [w["prob"] for w in got["words"]] == pytest.approx(want.exp().tolist(), abs=1e-6)
    assert got["perplexity"] == pytest.approx(float((-want.mean()).exp()), rel=1e-4)
    ranks = [int((row > row[i]).sum()) + 1 for row, i in zip(rows, ids, strict=True)]
    assert [w["rank"] for w in got["words"]] == ranks


def test_units_search_h_and_read_an_atlas_of_h(app):
    _, model, base, _ = app
    _, h, _ = fused(model, PROMPT)
    got = ok(base, "unit_search", [PROMPT, TOP, 2, 5, "h", 3, "mean"])
    inside = torch.zeros(len(h), dtype=torch.bool)
    inside[2:5] = True
    score = (h[inside].mean(0) - h[~inside].mean(0)).double()
    assert got["high"][0]["unit"] == int(score.argmax())
    assert got["high"][0]["score"] == pytest.approx(float(score.max()), abs=1e-5)
    event, message, _ = call(base, "unit_search", [PROMPT, TOP, 2, 5, "c", 3, "mean"])
    assert event == "error" and "has no cell" in message
    atlas = ok(base, "unit_atlas", [TOP, 3])
    assert "c_high" not in atlas and len(atlas["h_high"]) == 3
    highs = [c["value"] for c in atlas["h_high"]]
    lo, hi = (
        (0.0, float("inf")) if model.config.cell == "rnn_relu" else (-1.0, 1.0)
    )  # relu: h >= 0, unbounded
    assert highs == sorted(highs, reverse=True) and all(lo <= v <= hi for v in highs)


def test_counterfactual_compares_the_cells_own_quantities(app):
    cell, model, base, _ = app
    _, h_a, _ = fused(model, PROMPT)
    _, h_b, rows_b = fused(model, PROMPT_B)
    got = ok(base, "counterfactual", [PROMPT, PROMPT_B, TOP, 5])
    assert list(got["mean_abs_delta"]) == QUANTITIES[cell] and got["first_difference"] == 1
    want = (h_b - h_a).abs().mean(1)
    assert got["mean_abs_delta"]["h"] == pytest.approx(want.tolist(), abs=1e-5)
    assert got["mean_abs_delta"]["h"][0] == 0  # the same first word, from the same state
    with torch.no_grad():
        after_b = model.log_probs(h_b[-1]).exp()
    assert got["after"]["probs"][0] == pytest.approx(float(after_b.max()), abs=1e-6)


def test_exports_hold_the_fused_models_numbers(app):
    from playground.views.export import export_trace_files

    cell, model, _, _ = app
    _, h, _ = fused(model, PROMPT)
    paths = export_trace_files(model, PROMPT)
    npz = np.load(paths["npz"])
    assert np.abs(npz[f"layer{TOP}_h"] - h.numpy()).max() <= 1e-6
    assert {f"layer0_{q}" for q in QUANTITIES[cell]} <= set(npz.files)
    header = paths["csv"].read_text().splitlines()[0]
    assert header == ",".join(["layer", "step", "word", "unit", *QUANTITIES[cell]])
    assert list(json.loads(paths["json"].read_text())["layers"][0]) == QUANTITIES[cell]


def test_header_names_the_cell(app):
    from playground.app import _header

    cell, model, base, _ = app
    name = {"gru": "2 × 8 GRU", "rnn_tanh": "2 × 8 plain RNN (tanh)", "rnn_relu": "2 × 8 plain RNN (relu)"}[
        cell
    ]
    assert name in _header(model) and "LSTM," not in _header(model)
    with OPENER.open(f"{base}/config", timeout=30) as r:
        assert name in r.read().decode()


def test_views_data_for_each_cell(tiny_cell_dirs):
    """Without a server: the unit lines, heatmap colour scales, layer arrays and shared links of each cell."""
    from lstmlm.prompt import read_prompt
    from playground import plots
    from playground.classroom.bar import limits_of
    from playground.classroom.links import parse_query
    from playground.views.gates import heatmap_window, trace_layer, unit_series

    for cell, quantities in QUANTITIES.items():
        model = load_model(tiny_cell_dirs[cell])
        lv = trace_layer(model, read_prompt(model.vocab, PROMPT), 0)
        assert list(lv.values) == quantities and lv.cell == cell
        fig = plots.unit_lines(lv.tokens, unit_series(lv, 2), 2, 0)
        assert [t.name for t in fig.data] == [plots.LINE_NAMES[q] for q in quantities]
        assert plots.unit_panels(unit_series(lv, 2)) == (2 if cell == "gru" else 1)
        for q in quantities:
            hm = heatmap_window(lv, q)
            (heat,) = plots.gate_heatmap(hm.z, hm.words, hm.units, q, q).data
            assert (heat.zmin, heat.zmax) == ((0.0, 1.0) if q in "rz" else (-1.0, 1.0))
        arrays = layer_arrays(trace(model, read_prompt(model.vocab, PROMPT).ids))
        assert isinstance(arrays[0], CellArrays) and arrays[0].names == tuple(quantities)
        with pytest.raises(ValueError, match="records"):
            arrays[0].get("c")
        limits = limits_of(model)
        assert parse_query("?view=gates&gate=f", limits).gate == quantities[0]  # an LSTM link's gate
        assert parse_query(f"?view=gates&gate={quantities[-1]}", limits).gate == quantities[-1]


def test_lstm_only_tabs_say_so_in_the_page(app):
    cell, _, base, _ = app
    with OPENER.open(f"{base}/config", timeout=30) as r:
        config = r.read().decode()
    name = {"gru": "GRU", "rnn_tanh": "plain RNN (tanh)", "rnn_relu": "plain RNN (relu)"}[cell]
    assert config.count(f"this model is a {name}") == 1  # Intervene (Equations & memory draws its cell)
