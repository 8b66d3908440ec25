"""The traced forward of GRU and plain RNN models against PyTorch's fused nn.GRU / nn.RNN, their identities,
the equations written out, and `lstmlm trace` on a GRU model directory."""

from __future__ import annotations

import json
from dataclasses import fields
from functools import partial

import numpy as np
import pytest
import torch
from test_cli import run
from torch import nn

from lstmlm import load_model, save_model
from lstmlm.data import Corpus, batchify
from lstmlm.model import FUSED_MIN_STEPS, LanguageModel, ModelConfig
from lstmlm.sampling import start_state
from lstmlm.studies.export import trace_csv, trace_npz
from lstmlm.trace import Intervention, LayerTrace, trace
from lstmlm.trace_cells import (
    CELL_PREACTS,
    CELL_QUANTITIES,
    QUANTITY_LABELS,
    QUANTITY_RANGES,
    GRULayerTrace,
    RNNLayerTrace,
)
from lstmlm.vocab import Vocab

TOL = 1e-5  # the bound against the fused kernel (float32)
EXACT = 1e-6  # the bound for the identities and for the equations written out
CELLS = ("gru", "rnn_tanh", "rnn_relu")
FUSED = {"gru": nn.GRU, "rnn_tanh": nn.RNN, "rnn_relu": partial(nn.RNN, nonlinearity="relu")}


def tiny_model(cell: str, num_layers: int = 2, vocab_size: int = 20) -> LanguageModel:
    config = ModelConfig(vocab_size, cell, embed_dim=8, hidden_dim=8, num_layers=num_layers, dropout=0.0)
    return LanguageModel(config)


def random_model(cell: str, num_layers: int = 2, vocab_size: int = 20, seed: int = 0) -> LanguageModel:
    """An untrained 8-unit model with weights wide enough that gates saturate."""
    model = tiny_model(cell, num_layers, vocab_size)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():  # decoder.weight is embedding.weight (tied)
            p.copy_(torch.empty_like(p).uniform_(-1.0, 1.0, generator=gen))
        if cell == "rnn_relu":  # relu is unbounded: keep h from growing by orders of magnitude over 40 steps
            for name, p in model.rnn.named_parameters():
                p.mul_(0.3 if name.startswith("weight_hh") else 1.0)
    return model.eval()


def trained_model(cell: str, corpus: Corpus, steps: int = 30) -> LanguageModel:
    """A model after `steps` Adam steps on the tiny corpus (windows of 10 words, batch 4)."""
    torch.manual_seed(0)
    model = tiny_model(cell, vocab_size=len(corpus.vocab))
    data = batchify(corpus.train, 4)  # (T, 4)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for step in range(steps):
        chunk = data[step * 10 : step * 10 + 11]
        features, _ = model(chunk[:-1])
        loss = model.loss(features, chunk[1:])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


@pytest.fixture(scope="module", params=[(c, k) for c in CELLS for k in ("random", "trained")], ids=str)
def cell_model(request, tiny_corpus) -> LanguageModel:
    cell, kind = request.param
    return random_model(cell) if kind == "random" else trained_model(cell, Corpus.from_folder(tiny_corpus))


def random_state(model: LanguageModel, batch: int, seed: int = 1) -> torch.Tensor:
    """A non-zero h (L, B, H)."""
    gen = torch.Generator().manual_seed(seed)
    return torch.rand((model.config.num_layers, batch, model.config.hidden_dim), generator=gen) * 2 - 1


def random_ids(model: LanguageModel, steps: int, batch: int, seed: int = 2) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(model.config.vocab_size, (steps, batch), generator=gen)


def weights(model: LanguageModel, layer: int) -> list[torch.Tensor]:
    """W_ih, W_hh, b_ih, b_hh of `layer` (gate blocks in PyTorch's order), without gradients."""
    return [
        getattr(model.rnn, f"{n}_l{layer}").detach() for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    ]


def max_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).detach().abs().max())


@torch.no_grad()
def fused_reference(model: LanguageModel, ids: torch.Tensor, state: torch.Tensor) -> dict:
    """Every layer's h from PyTorch's own modules: the model's multi-layer nn.GRU / nn.RNN for the output and
    final state, and each layer as its own single-layer module (same weights) for the layers below."""
    features, h_n = model(ids, state)
    x, hs = model.embedding(ids), []  # (T, B, E)
    for layer in range(model.config.num_layers):
        single = FUSED[model.config.cell](x.size(-1), model.config.hidden_dim)
        for name, w in zip(
            ("weight_ih", "weight_hh", "bias_ih", "bias_hh"), weights(model, layer), strict=True
        ):
            getattr(single, f"{name}_l0").copy_(w)
        x, _ = single(x, state[layer : layer + 1])  # (T, B, H)
        hs.append(x)
    return {"h": hs, "features": features, "log_probs": model.log_probs(features), "h_n": h_n}


@torch.no_grad()
def loop_reference(model: LanguageModel, ids: torch.Tensor, state: torch.Tensor) -> dict:
    """The GRU / RNN equations written out one step at a time, as in PyTorch's documentation."""
    H, gru = model.config.hidden_dim, model.config.cell == "gru"
    x, out = model.embedding(ids), {k: [] for k in "rznh"}
    for layer in range(model.config.num_layers):
        w_ih, w_hh, b_ih, b_hh = weights(model, layer)
        h, steps = state[layer], {k: [] for k in "rznh"}
        for t in range(ids.size(0)):
            if gru:
                W_ir, W_iz, W_in = w_ih.split(H)
                W_hr, W_hz, W_hn = w_hh.split(H)
                b_ir, b_iz, b_in = b_ih.split(H)
                b_hr, b_hz, b_hn = b_hh.split(H)
                r = torch.sigmoid(x[t] @ W_ir.T + b_ir + h @ W_hr.T + b_hr)
                z = torch.sigmoid(x[t] @ W_iz.T + b_iz + h @ W_hz.T + b_hz)
                n = torch.tanh(x[t] @ W_in.T + b_in + r * (h @ W_hn.T + b_hn))
                h = (1 - z) * n + z * h
                for k, v in zip("rzn", (r, z, n), strict=True):
                    steps[k].append(v)
            else:  # h_t = tanh(...) or, for rnn_relu, max(0, ...)
                a = x[t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh
                h = torch.tanh(a) if model.config.cell == "rnn_tanh" else torch.clamp(a, min=0.0)
            steps["h"].append(h)
        for k, v in steps.items():
            if v:
                out[k].append(torch.stack(v))
        x = out["h"][-1]
    return out


# --- parity with the fused kernels ------------------------------------------------------------------


@pytest.mark.parametrize("batch", [1, 3])
@pytest.mark.parametrize("steps", [7, 40])  # below FUSED_MIN_STEPS trace steps one by one, above: the kernel
def test_trace_equals_fused_every_layer(cell_model, batch, steps):
    model = cell_model
    ids, state = random_ids(model, steps, batch), random_state(model, batch)
    ref = fused_reference(model, ids, state)
    assert max_diff(ref["h"][-1], ref["features"]) <= EXACT  # the per-layer reference is the fused model

    tr = trace(model, ids[:, 0] if batch == 1 else ids, state)
    assert tr.cell == model.config.cell and len(tr.layers) == 2
    for layer, lt in enumerate(tr.layers):
        assert lt.h.shape == (steps, batch, 8) and torch.equal(lt.h0, state[layer])
        assert max_diff(lt.h, ref["h"][layer]) <= TOL, f"h of layer {layer}"
    assert isinstance(tr.state, torch.Tensor) and tr.state.shape == (2, batch, 8)
    assert max_diff(tr.state, ref["h_n"]) <= TOL  # the final state, as nn.GRU / nn.RNN return it
    assert tr.log_probs.shape == (steps, batch, model.config.vocab_size)
    assert max_diff(tr.log_probs, ref["log_probs"]) <= TOL  # model.log_probs of the fused output
    zero = trace(model, ids, model.init_state(batch))  # the initial state mattered
    assert max_diff(zero.layers[0].h[0], tr.layers[0].h[0]) > 1e-3


def test_trace_equals_hand_written_equations(cell_model):
    ids, state = random_ids(cell_model, 9, 2), random_state(cell_model, 2)
    tr, ref = trace(cell_model, ids, state), loop_reference(cell_model, ids, state)
    for layer, lt in enumerate(tr.layers):
        for k in CELL_QUANTITIES[cell_model.config.cell]:
            assert max_diff(lt.get(k), ref[k][layer]) <= EXACT, f"{k} of layer {layer}"


def test_continuing_from_the_final_state_is_one_long_trace(cell_model):
    ids = random_ids(cell_model, 12, 2)
    whole = trace(cell_model, ids)
    first = trace(cell_model, ids[:5])
    rest = trace(cell_model, ids[5:], first.state)
    assert max_diff(torch.cat([first.log_probs, rest.log_probs]), whole.log_probs) <= EXACT
    assert max_diff(rest.state, whole.state) <= EXACT


# --- identities and ranges ----------------------------------------------------------------------------


@pytest.mark.parametrize("steps", [15, FUSED_MIN_STEPS + 6])
def test_gru_identities_and_ranges(steps):
    model = random_model("gru", seed=3)
    ids, state = random_ids(model, steps, 3), random_state(model, 3)
    tr = trace(model, ids, state)
    x = model.embedding(ids).detach()
    for layer, lt in enumerate(tr.layers):
        assert isinstance(lt, GRULayerTrace)
        h_before = torch.cat([lt.h0[None], lt.h[:-1]])
        assert max_diff(lt.h, (1 - lt.z) * lt.n + lt.z * h_before) <= EXACT  # h = (1 - z) n + z h_prev
        for name in "rz":
            assert 0.0 <= lt.get(name).min() and lt.get(name).max() <= 1.0
        assert -1.0 <= lt.n.min() and lt.n.max() <= 1.0
        a = lt.preact
        assert a.shape == (steps, 3, 24) and lt.hn.shape == (steps, 3, 8)
        assert max_diff(torch.sigmoid(a[..., :8]), lt.r) <= EXACT
        assert max_diff(torch.sigmoid(a[..., 8:16]), lt.z) <= EXACT
        assert max_diff(torch.tanh(a[..., 16:]), lt.n) <= EXACT
        w_ih, w_hh, b_ih, b_hh = weights(model, layer)
        assert max_diff(lt.hn, h_before @ w_hh[16:].T + b_hh[16:]) <= EXACT  # W_hn h_{t-1} + b_hn
        assert max_diff(a[..., 16:], x @ w_ih[16:].T + b_ih[16:] + lt.r * lt.hn) <= EXACT
        x = lt.h
    # the random weights saturate some gates, so the ranges above are tested near their ends
    z = torch.cat([lt.z.flatten() for lt in tr.layers])
    assert z.max() > 0.95 and z.min() < 0.05


@pytest.mark.parametrize("steps", [15, FUSED_MIN_STEPS + 6])
def test_rnn_identities_and_ranges(steps):
    model = random_model("rnn_tanh", seed=4)
    ids, state = random_ids(model, steps, 3), random_state(model, 3)
    tr = trace(model, ids, state)
    x = model.embedding(ids).detach()
    for layer, lt in enumerate(tr.layers):
        assert isinstance(lt, RNNLayerTrace) and lt.preact.shape == (steps, 3, 8)
        w_ih, w_hh, b_ih, b_hh = weights(model, layer)
        h_before = torch.cat([lt.h0[None], lt.h[:-1]])
        assert max_diff(lt.preact, x @ w_ih.T + b_ih + h_before @ w_hh.T + b_hh) <= EXACT
        assert torch.equal(lt.h, torch.tanh(lt.preact))
        assert -1.0 <= lt.h.min() and lt.h.max() <= 1.0 and lt.h.abs().max() > 0.95
        x = lt.h


def test_what_each_cell_records():
    assert CELL_QUANTITIES == {
        "lstm": tuple("ifgoch"),
        "gru": tuple("rznh"),
        "rnn_tanh": ("h",),
        "rnn_relu": ("h",),
    }
    assert [f.name for f in fields(GRULayerTrace)] == [*"rznh", "preact", "hn", "h0"]
    assert [f.name for f in fields(RNNLayerTrace)] == ["h", "preact", "h0", "cell"]
    assert [f.name for f in fields(LayerTrace)] == [*"ifgoch", "preact", "h0", "c0"]  # unchanged
    for cell, names in CELL_QUANTITIES.items():
        assert set(names) <= set(QUANTITY_LABELS) and set(names) <= set(QUANTITY_RANGES)
        model = random_model(cell, num_layers=1)
        tr = trace(model, [1, 2, 3])
        assert tr.cell == cell and tr.quantities == names
        assert all(tr.layers[0].get(k).shape == (3, 1, 8) for k in names)
        assert tr.layers[0].preact.shape == (3, 1, 8 * len(CELL_PREACTS[cell]))
    assert QUANTITY_LABELS["z"] == "update gate" and QUANTITY_RANGES["z"] == (0.0, 1.0)
    assert QUANTITY_RANGES["c"] is None


# --- what the trace refuses ----------------------------------------------------------------------------


@pytest.mark.parametrize("cell", CELLS)
def test_interventions_and_wrong_states_are_refused(cell):
    model = random_model(cell)
    with pytest.raises(
        ValueError, match=f"interventions pin LSTM gates or cells; this model's cell is '{cell}'"
    ):
        trace(model, [1, 2, 3], interventions=[Intervention(layer=0, target="f", value=0.0)])
    with pytest.raises(ValueError, match=f"the state of a {cell} model is one tensor"):
        trace(model, [1, 2], (random_state(model, 1), random_state(model, 1)))
    assert trace(model, [1, 2, 3], interventions=[]).log_probs.shape == (3, 1, 20)  # empty is fine
    with pytest.raises(ValueError, match="the state of a lstm model is an \\(h, c\\) pair"):
        trace(random_model("lstm"), [1, 2], random_state(model, 1))


# --- export and the command line -------------------------------------------------------------------------


@pytest.fixture(params=CELLS)
def cell_model_dir(request, tmp_path):
    vocab = Vocab(["<eos>", "<unk>", "the", "cat", "sat", "on", "mat", "."])
    model = random_model(request.param, vocab_size=len(vocab))
    save_model(tmp_path / request.param, model, vocab)
    return tmp_path / request.param


def test_cli_trace_json_on_a_gru_or_rnn_model(capsys, cell_model_dir):
    code, out, _ = run(capsys, "trace", "--model", str(cell_model_dir), "the cat sat on the zebra", "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"tokens", "unknown", "layers", "next", "hidden"} and result["unknown"] == ["zebra"]
    assert result["hidden"] == 0  # no listed word in this vocabulary
    model = load_model(cell_model_dir)
    names = CELL_QUANTITIES[model.config.cell]
    tr = trace(model, model.vocab.encode_text("the cat sat on the zebra").ids, start_state(model))
    assert len(result["layers"]) == 2
    for layer, lt in zip(result["layers"], tr.layers, strict=True):
        assert tuple(layer) == names
        for k in names:  # JSON floats read back to exactly the trace's float32
            assert torch.equal(torch.tensor(layer[k]), lt.get(k)[:, 0]) and len(layer[k]) == 6
    probs = [n["prob"] for n in result["next"]]
    assert probs[0] == pytest.approx(float(tr.log_probs[-1, 0].max().exp()), abs=1e-7)


def test_cli_trace_table_on_a_gru_or_rnn_model(capsys, cell_model_dir):
    code, out, _ = run(capsys, "trace", "--model", str(cell_model_dir), "the cat sat")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 5 and lines[-1].startswith("next: ")
    model = load_model(cell_model_dir)
    tr = trace(model, model.vocab.encode_text("the cat sat").ids, start_state(model))
    h = tr.layers[1].h[2, 0]
    if model.config.cell == "gru":
        assert "L1 mean r  mean z  |h|max" in lines[0] and "L2 mean r" in lines[0]
        expected = [tr.layers[1].r[2, 0].mean(), tr.layers[1].z[2, 0].mean(), h.abs().max()]
    else:
        assert "L1 mean h  |h|max  L2 mean h  |h|max" in lines[0]
        expected = [h.mean(), h.abs().max()]
    row = lines[3].split()
    assert row[0] == "sat" and len(row) == 1 + 2 * len(expected)
    assert [float(v) for v in row[-len(expected) :]] == pytest.approx([float(v) for v in expected], abs=5e-4)


def test_csv_and_npz_of_a_gru_trace(tmp_path):
    model = random_model("gru")
    tr = trace(model, [3, 4, 5])
    trace_npz(tr, ["a", "b", "c"], tmp_path / "t.npz")
    npz = np.load(tmp_path / "t.npz")
    assert sorted(npz.files) == sorted(
        ["tokens", *(f"layer{n}_{k}" for n in (0, 1) for k in (*"rznh", "preact"))]
    )
    assert np.array_equal(npz["layer1_z"], tr.layers[1].z[:, 0].numpy()) and npz["layer0_preact"].shape == (
        3,
        24,
    )
    lines = trace_csv(tr, ["a", "b", "c"]).decode().splitlines()
    assert lines[0] == "layer,step,word,unit,r,z,n,h" and len(lines) == 1 + 2 * 3 * 8
    row = np.array(lines[-1].split(",")[4:], dtype=np.float32)  # 9 digits read back to the float32
    assert np.array_equal(row, [tr.layers[1].get(k)[2, 0, 7].item() for k in "rznh"])
