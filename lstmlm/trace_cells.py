"""The traced forward of the GRU and the plain tanh RNN: what `trace()` records for those cells.

The GRU, with PyTorch's weights and gate order (r, z, n) (σ is the logistic sigmoid, ⊙ the element-wise
product):

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)              reset gate: how much of h_{t-1} n_t sees
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)              update gate: how much of h_{t-1} to keep
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))   candidate: what could be written
    h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}                       hidden state, the next layer's x_t

The GRU has no separate cell: h_t is both its memory and its output, and z_t plays the LSTM's forget gate
(keep) and input gate (write, as 1 - z_t) at once. The plain RNN has no gate at all (rnn_relu: relu for tanh):

    h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)

How it stays exact and fast (as for the LSTM in trace.py): the fused kernel (torch.gru / torch.rnn_tanh)
gives every h_{t-1} of a layer at once, so all gates come from two matrix products and the element-wise
equations above, applied to all steps together. On CPU a sequence shorter than `FUSED_MIN_STEPS` runs the
same equations one step at a time instead: there the kernel's fixed cost is larger than the steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from lstmlm.cells import ALL_KEYS, CELLS, any_cell, chunk_order, record_order
from lstmlm.model import FUSED_MIN_STEPS, LanguageModel

# What each cell records per layer, in PyTorch's gate order, then h (`LayerTrace.get(name)` takes these);
# the blocks of a layer's `preact` (T, B, k·H) in order; labels and ranges by key. All from lstmlm.cells.
CELL_QUANTITIES = {cell: record_order(cell) for cell in CELLS}
CELL_PREACTS = {cell: chunk_order(cell) for cell in CELLS}
QUANTITY_LABELS = {key: any_cell(key).label for key in ALL_KEYS}
QUANTITY_RANGES: dict[str, tuple[float, float] | None] = {key: any_cell(key).value_range for key in ALL_KEYS}


@dataclass
class GRULayerTrace:
    """One GRU layer's recorded values, each (T, B, H); `preact` is (T, B, 3H) in gate order r, z, n."""

    r: torch.Tensor  # reset gate
    z: torch.Tensor  # update gate
    n: torch.Tensor  # candidate
    h: torch.Tensor  # hidden state
    preact: torch.Tensor  # the arguments of σ, σ, tanh: n's block already holds r_t ⊙ (W_hn h_{t-1} + b_hn)
    hn: torch.Tensor  # (T, B, H) W_hn h_{t-1} + b_hn, the recurrent part of n before the reset gate
    h0: torch.Tensor  # (B, H) state before the first step

    def get(self, name: str) -> torch.Tensor:
        return getattr(self, name)


@dataclass
class RNNLayerTrace:
    """A plain RNN layer's recorded values: h and `preact` (the argument of tanh or relu), (T, B, H) each."""

    h: torch.Tensor
    preact: torch.Tensor
    h0: torch.Tensor  # (B, H) state before the first step
    cell: str = "rnn_tanh"  # rnn_tanh | rnn_relu

    def get(self, name: str) -> torch.Tensor:
        return getattr(self, name)


def _weights(model: LanguageModel, layer: int) -> list[torch.Tensor]:
    """[W_ih, W_hh, b_ih, b_hh] of `layer`, the order the fused kernels take."""
    return [
        getattr(model.rnn, f"{name}_l{layer}") for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    ]


def _gru_equations(xp: torch.Tensor, hp: torch.Tensor, h_prev: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """r, z, n, h, preact, hn from xp = W_i· x_t + b_i· and hp = W_h· h_{t-1} + b_h·, each (..., 3H)."""
    x_r, x_z, x_n = xp.chunk(3, dim=-1)
    h_r, h_z, h_n = hp.chunk(3, dim=-1)
    a_r, a_z = x_r + h_r, x_z + h_z
    # r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)              reset gate
    r = torch.sigmoid(a_r)
    # z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)              update gate
    z = torch.sigmoid(a_z)
    a_n = x_n + r * h_n
    # n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))   candidate
    n = torch.tanh(a_n)
    # h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}                       hidden state
    h = (1 - z) * n + z * h_prev
    return r, z, n, h, torch.cat([a_r, a_z, a_n], dim=-1), h_n


def _use_fused(x: torch.Tensor) -> bool:
    """Whether the fused kernel pays off for this (T, B, in) input (see FUSED_MIN_STEPS)."""
    return x.size(0) >= FUSED_MIN_STEPS or x.device.type != "cpu"


def gru_layer(model: LanguageModel, layer: int, x: torch.Tensor, h0: torch.Tensor) -> GRULayerTrace:
    """Trace one GRU layer over x (T, B, in) from h0 (B, H)."""
    w_ih, w_hh, b_ih, b_hh = weights = _weights(model, layer)
    T, B, _ = x.shape
    H = w_hh.size(1)
    xp = torch.addmm(b_ih, x.reshape(T * B, -1), w_ih.t()).view(T, B, 3 * H)  # W_i· x_t + b_i·, every t
    if _use_fused(x):
        h_fused, _ = torch.gru(x, h0[None], weights, True, 1, 0.0, False, False, False)  # (T, B, H)
        h_before = torch.cat([h0[None], h_fused[:-1]])  # h_{t-1} for t = 0..T-1
        hp = torch.addmm(b_hh, h_before.reshape(T * B, H), w_hh.t()).view(T, B, 3 * H)
        r, z, n, h, preact, hn = _gru_equations(xp, hp, h_before)
    else:
        steps, h_prev = [], h0
        for t in range(T):
            values = _gru_equations(xp[t], torch.addmm(b_hh, h_prev, w_hh.t()), h_prev)  # each (B, ·)
            h_prev = values[3]
            steps.append(values)
        r, z, n, h, preact, hn = (torch.stack(v) for v in zip(*steps, strict=True))
    return GRULayerTrace(r=r, z=z, n=n, h=h, preact=preact, hn=hn, h0=h0)


def rnn_layer(model: LanguageModel, layer: int, x: torch.Tensor, h0: torch.Tensor) -> RNNLayerTrace:
    """Trace one plain RNN layer (tanh, or relu for rnn_relu) over x (T, B, in) from h0 (B, H)."""
    w_ih, w_hh, b_ih, b_hh = weights = _weights(model, layer)
    relu = model.config.cell == "rnn_relu"
    act, fused = (torch.relu, torch.rnn_relu) if relu else (torch.tanh, torch.rnn_tanh)
    T, B, _ = x.shape
    H = w_hh.size(1)
    xp = torch.addmm(b_ih, x.reshape(T * B, -1), w_ih.t()).view(T, B, H)  # W_ih x_t + b_ih, every t
    if _use_fused(x):
        h_fused, _ = fused(x, h0[None], weights, True, 1, 0.0, False, False, False)  # (T, B, H)
        h_before = torch.cat([h0[None], h_fused[:-1]])  # h_{t-1} for t = 0..T-1
        preact = xp + torch.addmm(b_hh, h_before.reshape(T * B, H), w_hh.t()).view(T, B, H)
    else:
        steps, h_prev = [], h0
        for t in range(T):
            a = xp[t] + torch.addmm(b_hh, h_prev, w_hh.t())  # (B, H)
            # h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), or relu(...) for rnn_relu
            h_prev = act(a)
            steps.append(a)
        preact = torch.stack(steps)
    # h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), or relu(...) for rnn_relu (every t at once)
    h = act(preact)
    return RNNLayerTrace(h=h, preact=preact, h0=h0, cell=model.config.cell)


CELL_LAYERS = {
    "gru": gru_layer,
    "rnn_tanh": rnn_layer,
    "rnn_relu": rnn_layer,
}  # the layer function of each non-LSTM cell
