"""lstmlm.cells: the table of cell quantities against PyTorch's fused nn.LSTM / nn.GRU / nn.RNN (which weight
block is which gate, worked out from the kernel's outputs by hand), the ranges against traced values, and the
per-unit statistics against plain Python loops."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn

from lstmlm import cells
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.trace import trace

H = 8


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def one_step(rnn: nn.RNNBase, h0: torch.Tensor, c0: torch.Tensor | None = None) -> tuple[np.ndarray, ...]:
    """One step of the fused kernel on a zero input from (h0, c0): (h1,) or (h1, c1), each (H,) float64."""
    x = torch.zeros(1, 1, 3)
    with torch.no_grad():
        if c0 is None:
            _, h1 = rnn(x, h0[None, None])
            return (h1[0, 0].double().numpy(),)
        _, (h1, c1) = rnn(x, (h0[None, None], c0[None, None]))
    return h1[0, 0].double().numpy(), c1[0, 0].double().numpy()


def biased(rnn: nn.RNNBase, cell: str, bias: dict[str, float], hh: dict[str, float] | None = None) -> None:
    """Zero every weight; put `bias[key]` in the block the table gives for `key` (of bias_ih_l0; `hh` of
    bias_hh_l0), every unit alike."""
    with torch.no_grad():
        for p in rnn.parameters():
            p.zero_()
        for key, value in bias.items():
            k = cells.quantity(cell, key).chunk
            rnn.bias_ih_l0[k * H : (k + 1) * H] = value
        for key, value in (hh or {}).items():
            k = cells.quantity(cell, key).chunk
            rnn.bias_hh_l0[k * H : (k + 1) * H] = value


def test_lstm_chunks_are_pytorchs_gate_blocks():
    # distinct biases per block: any other assignment of blocks to gates gives other h1, c1
    bias = {"i": 0.7, "f": -1.3, "g": 0.4, "o": 2.1}
    rnn = nn.LSTM(3, H)
    biased(rnn, "lstm", bias)
    c0 = torch.linspace(-1.0, 1.0, H)
    h1, c1 = one_step(rnn, torch.zeros(H), c0)
    i, f, g, o = sigmoid(0.7), sigmoid(-1.3), math.tanh(0.4), sigmoid(2.1)
    want_c = f * c0.double().numpy() + i * g
    assert np.abs(c1 - want_c).max() < 1e-6
    assert np.abs(h1 - o * np.tanh(want_c)).max() < 1e-6
    # one block's bias huge: only the forget gate saturated open keeps C_{t-1} whole (i, o, g closed/zero)
    biased(rnn, "lstm", {"f": 30.0, "i": -30.0, "o": 30.0, "g": 0.0})
    h1, c1 = one_step(rnn, torch.zeros(H), c0)
    assert np.abs(c1 - c0.double().numpy()).max() < 1e-6 and np.abs(h1 - np.tanh(c1)).max() < 1e-6


def test_gru_chunks_are_pytorchs_gate_blocks():
    rnn = nn.GRU(3, H)
    biased(rnn, "gru", {"r": 0.9, "z": -0.6, "n": 0.3}, hh={"n": 1.7})
    h0 = torch.linspace(-0.8, 0.8, H)
    (h1,) = one_step(rnn, h0)
    r, z = sigmoid(0.9), sigmoid(-0.6)
    n = math.tanh(0.3 + r * 1.7)  # n_t = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)); weights zero
    assert np.abs(h1 - ((1 - z) * n + z * h0.double().numpy())).max() < 1e-6
    # the update gate saturated open keeps h_{t-1}
    biased(rnn, "gru", {"z": 30.0, "r": 0.0, "n": 5.0})
    (h1,) = one_step(rnn, h0)
    assert np.abs(h1 - h0.double().numpy()).max() < 1e-6


@pytest.mark.parametrize("cell, nonlinearity", [("rnn_tanh", "tanh"), ("rnn_relu", "relu")])
def test_rnn_has_one_block(cell, nonlinearity):
    rnn = nn.RNN(3, H, nonlinearity=nonlinearity)
    biased(rnn, cell, {"h": -0.5})
    (h1,) = one_step(rnn, torch.zeros(H))
    want = math.tanh(-0.5) if cell == "rnn_tanh" else 0.0
    assert np.abs(h1 - want).max() < 1e-6
    assert cells.chunk_order(cell) == ("h",) and rnn.bias_ih_l0.numel() == H


def test_orders_and_lookups():
    assert cells.record_order("lstm") == tuple("ifgoch") and cells.display_order("lstm") == tuple("fiogch")
    assert cells.chunk_order("lstm") == tuple("ifgo") and cells.chunk_order("gru") == tuple("rzn")
    assert cells.record_order("gru") == cells.display_order("gru") == tuple("rznh")
    assert cells.sigmoid_gates("lstm") == tuple("fio") and cells.sigmoid_gates("gru") == tuple("rz")
    assert cells.sigmoid_gates("rnn_tanh") == () and cells.state_keys("lstm") == ("c", "h")
    assert cells.state_keys("gru") == ("h",) and cells.state_keys("rnn_relu") == ("h",)
    assert (
        cells.quantity("lstm", "g").name == "candidate C̃"
        and cells.quantity("gru", "z").name == "update gate z"
    )
    # chunk counts are PyTorch's stacked blocks per layer: 4 for an LSTM, 3 for a GRU, 1 for an RNN
    for cell, module in [("lstm", nn.LSTM), ("gru", nn.GRU), ("rnn_tanh", nn.RNN)]:
        assert module(3, H).weight_ih_l0.shape[0] == len(cells.chunk_order(cell)) * H
    with pytest.raises(ValueError, match="records r, z, n, h, not 'c'"):
        cells.quantity("gru", "c")
    with pytest.raises(ValueError, match="cell must be one of lstm, gru"):
        cells.quantities("transformer")


@pytest.mark.parametrize("cell", cells.CELLS)
def test_ranges_and_sigmoid_flags_hold_on_traced_values(cell):
    config = ModelConfig(20, cell, embed_dim=8, hidden_dim=H, num_layers=1, dropout=0.0)
    model = LanguageModel(config).eval()
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.empty_like(p).uniform_(-3.0, 3.0, generator=gen))  # wide: values reach their limits
    tr = trace(model, list(range(1, 20)) * 2)
    layer = tr.layers[0]
    for q in cells.quantities(cell):
        x = layer.get(q.key).double().numpy()
        if q.value_range is None:
            assert np.abs(x).max() > 1.0  # the LSTM's cell leaves (-1, 1)
            continue
        lo, hi = q.value_range
        assert lo <= x.min() and x.max() <= hi
        if q.is_sigmoid:  # the σ gates come near both ends and never go below 0
            assert (x < 0.1).any() and (x > 0.9).any()
        elif hi == 1.0:  # tanh quantities go negative
            assert x.min() < -0.5


def test_statistics_against_loops():
    rng = np.random.default_rng(0)
    gate = rng.uniform(0.0, 1.0, (40, 5)).astype(np.float32)
    gate[:, 0] = 0.05  # always closed
    signed = rng.normal(0.0, 2.0, (40, 5))
    f, c, h = cells.quantity("lstm", "f"), cells.quantity("lstm", "c"), cells.quantity("lstm", "h")
    for u in range(5):
        col = [float(v) for v in gate[:, u]]
        mean = sum(col) / len(col)
        var = sum((v - mean) ** 2 for v in col) / len(col)
        assert cells.unit_mean(gate)[u] == pytest.approx(mean, rel=1e-6)
        assert cells.unit_variance(gate)[u] == pytest.approx(var, rel=1e-5)
        closed, opened = sum(v < 0.1 for v in col), sum(v > 0.9 for v in col)
        left, right = cells.saturation_fractions(gate)
        assert (left[u], right[u]) == (closed / 40, opened / 40)
        assert cells.unit_saturation(f, gate)[u] == (closed + opened) / 40
        scol = [float(v) for v in signed[:, u]]
        assert cells.unit_saturation(c, signed)[u] == sum(abs(math.tanh(v)) > 0.9 for v in scol) / 40
        assert cells.unit_saturation(h, signed)[u] == sum(abs(v) > 0.9 for v in scol) / 40
        assert cells.unit_statistic(h, signed, "mean_abs")[u] == pytest.approx(sum(map(abs, scol)) / 40)
    assert cells.unit_saturation(f, gate)[0] == 1.0
    with pytest.raises(ValueError, match="statistic must be one of mean, variance, saturation, mean_abs"):
        cells.unit_statistic(h, signed, "median")
    with pytest.raises(ValueError, match=r"values must be \(steps, units\)"):
        cells.unit_mean(np.zeros(5))


def test_cells_imports_no_torch():
    # views, classroom links and plots read the table: importing it (package included) loads no torch
    code = "import sys, lstmlm.cells as c; print('torch' in sys.modules, len(c.TABLE))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["False", "4"]
