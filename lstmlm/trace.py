"""The gate-capturing ("instrumented") forward, with interventions.

For every layer and every step it records the four gates, the cell and the hidden state, using
PyTorch's weights and gate order (i, f, g, o) and the equations below (σ is the logistic sigmoid,
⊙ the element-wise product; C~_t is written g_t, as PyTorch does):

    i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)        input gate: how much of the candidate to write
    f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)        forget gate: how much of the old cell to keep
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)     candidate C~_t: what could be written
    o_t = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)        output gate: how much of the cell to show
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t                        cell state C_t
    h_t = o_t ⊙ tanh(c_t)                                  hidden state, the next layer's x_t

Each is written again, in the article's notation (f_t, i_t, C~_t, o_t, C_t, h_t; W·[h_{t-1}, x_t] + b),
directly above the line that computes it: `_activate` for the gates, both branches of `_layer` for C_t, h_t.

The top layer's h_t goes through the output layer and a softmax to give the next-word distribution
(h_t itself is not a distribution).

How it stays exact and fast: with nothing overridden, the fused kernel gives every h_{t-1} of a layer
at once, so all pre-activations come from two matrix products and c from an element-wise scan.
An `Intervention` (interventions.py: what may be pinned, and the checks) pins a gate (or the cell) for
chosen units and steps; from its first step on, that layer is computed step by step with the same
equations, and every later step and layer follows from the pinned values. On CPU a stretch shorter
than `FUSED_MIN_STEPS` is computed step by step too: there the fused kernel's fixed cost per call is
larger than the steps themselves.

GRU and plain RNN models are traced too, by the same `trace()`: their equations and layer records
(`GRULayerTrace`: r, z, n, h; `RNNLayerTrace`: h) are in trace_cells.py. Interventions are LSTM-only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

# what may be pinned, and its checks, live in interventions.py; imported from here too (old import path)
from lstmlm.interventions import GATE_RANGES, TARGETS, Intervention, check_interventions  # noqa: F401
from lstmlm.messages import Message
from lstmlm.model import FUSED_MIN_STEPS, LanguageModel, State
from lstmlm.trace_cells import CELL_LAYERS, CELL_QUANTITIES, GRULayerTrace, RNNLayerTrace


@dataclass
class LayerTrace:
    """One layer's recorded values, each (T, B, H); `preact` is (T, B, 4H) in gate order i, f, g, o."""

    i: torch.Tensor
    f: torch.Tensor
    g: torch.Tensor
    o: torch.Tensor
    c: torch.Tensor
    h: torch.Tensor
    preact: torch.Tensor
    h0: torch.Tensor  # (B, H) state before the first step
    c0: torch.Tensor

    def get(self, name: str) -> torch.Tensor:
        return getattr(self, name)


AnyLayerTrace = LayerTrace | GRULayerTrace | RNNLayerTrace
_CELL_OF = {LayerTrace: "lstm", GRULayerTrace: "gru", RNNLayerTrace: "rnn_tanh"}


@dataclass
class Trace:
    """Everything the instrumented forward saw; `state` continues where it stopped."""

    layers: list[AnyLayerTrace]  # LayerTrace for an LSTM, GRULayerTrace for a GRU, RNNLayerTrace for an RNN
    log_probs: torch.Tensor | None  # (T, B, V) next-word log-probabilities after each step
    state: State  # the model's own state type: (h, c), each (L, B, H), for an LSTM; h (L, B, H) otherwise

    @property
    def cell(self) -> str:
        """The traced model's cell: lstm, gru, rnn_tanh or rnn_relu."""
        layer = self.layers[0]
        return layer.cell if isinstance(layer, RNNLayerTrace) else _CELL_OF[type(layer)]

    @property
    def quantities(self) -> tuple[str, ...]:
        """The names each layer records (`layer.get(name)`), e.g. ("r", "z", "n", "h") for a GRU."""
        return CELL_QUANTITIES[self.cell]


def _pin(values: torch.Tensor, ivs: list[Intervention], target: str, t: int) -> torch.Tensor:
    """Apply the interventions on `target` active at step t to a (B, H) tensor (a copy when any applies)."""
    for iv in ivs:
        if iv.target == target and iv.steps(t):
            values = values.clone()
            if iv.units is None:
                values.fill_(float(iv.value))
            else:
                values[:, list(iv.units)] = float(iv.value)
    return values


def _activate(z: torch.Tensor, H: int) -> tuple[torch.Tensor, ...]:
    """Pre-activations (..., 4H) in PyTorch's order -> i, f, g, o, each (..., H): the four gate equations.

    In the article's notation W_f·[h_{t-1}, x_t] + b_f is PyTorch's W_if x_t + b_if + W_hf h_{t-1} + b_hf
    (the weights of [h_{t-1}, x_t] split into a recurrent and an input matrix, and two biases), and so on
    for i, C~ (PyTorch's g) and o: the four blocks of z."""
    z_i, z_f, z_g, z_o = z.split(H, dim=-1)
    # f_t = σ(W_f·[h_{t-1}, x_t] + b_f)          forget gate: how much of the old cell C_{t-1} to keep
    f = torch.sigmoid(z_f)
    # i_t = σ(W_i·[h_{t-1}, x_t] + b_i)          input gate: how much of the candidate to write
    i = torch.sigmoid(z_i)
    # C~_t = tanh(W_C·[h_{t-1}, x_t] + b_C)      candidate (PyTorch's g_t): what could be written
    g = torch.tanh(z_g)
    # o_t = σ(W_o·[h_{t-1}, x_t] + b_o)          output gate: how much of the cell to show
    o = torch.sigmoid(z_o)
    return i, f, g, o


def _layer(
    model: LanguageModel,
    layer: int,
    x: torch.Tensor,
    h0: torch.Tensor,
    c0: torch.Tensor,
    ivs: list[Intervention],
) -> LayerTrace:
    """Trace one layer over x (T, B, in) from state (h0, c0), each (B, H)."""
    rnn = model.rnn
    w_ih, w_hh = getattr(rnn, f"weight_ih_l{layer}"), getattr(rnn, f"weight_hh_l{layer}")
    b_ih, b_hh = getattr(rnn, f"bias_ih_l{layer}"), getattr(rnn, f"bias_hh_l{layer}")
    T, B, _ = x.shape
    H = w_hh.size(1)
    xp = torch.addmm(b_ih, x.reshape(T * B, -1), w_ih.t()).view(T, B, 4 * H)  # W_i· x_t + b_i·, every t
    t_pin = min((iv.start for iv in ivs), default=T)  # first step whose values are overridden
    t_pin = min(t_pin, T)
    if t_pin < FUSED_MIN_STEPS and x.device.type == "cpu":
        t_pin = 0  # a short stretch is faster one step at a time

    # Steps before any override: the fused kernel gives h_t for all of them at once.
    zs: list[torch.Tensor] = []
    parts: list[tuple[torch.Tensor, ...]] = []  # (i, f, g, o, c, h) of the fused stretch, of the stepped one
    h_prev, c_prev = h0, c0
    if t_pin > 0:
        h_fused, _, _ = torch.lstm(
            x[:t_pin], (h0[None], c0[None]), [w_ih, w_hh, b_ih, b_hh], True, 1, 0.0, False, False, False
        )  # (t_pin, B, H)
        h_before = torch.cat([h0[None], h_fused[:-1]])  # h_{t-1} for t = 0..t_pin-1
        # z_t = W·[h_{t-1}, x_t] + b for the four gates at once (blocks i, f, g, o), every t
        z = xp[:t_pin] + torch.addmm(b_hh, h_before.reshape(-1, H), w_hh.t()).view(t_pin, B, 4 * H)
        # f_t, i_t, C~_t, o_t = σ, σ, tanh, σ of their blocks of z_t (each equation above its line: _activate)
        i, f, g, o = _activate(z, H)
        written = i * g  # i_t ⊙ C~_t
        c = torch.empty_like(written)
        for t in range(t_pin):  # an element-wise scan over t:
            # C_t = f_t ⊙ C_{t-1} + i_t ⊙ C~_t          cell state: the old cell kept, plus what is written
            c_prev = torch.addcmul(written[t], f[t], c_prev, out=c[t])
        # h_t = o_t ⊙ tanh(C_t)                      hidden state: the cell shown; the next layer's x_t
        h = o * torch.tanh(c)
        zs.append(z)
        parts.append((i, f, g, o, c, h))
        h_prev = h[-1]
    # Steps from the first override on: the same equations, one step at a time.
    step_gates: list[tuple[torch.Tensor, ...]] = []
    for t in range(t_pin, T):
        # z_t = W·[h_{t-1}, x_t] + b for the four gates at once (blocks i, f, g, o)
        z = xp[t] + torch.addmm(b_hh, h_prev, w_hh.t())  # (B, 4H)
        # f_t, i_t, C~_t, o_t = σ, σ, tanh, σ of their blocks of z_t (_activate), then any pinned value
        i, f, g, o = (_pin(v, ivs, name, t) for v, name in zip(_activate(z, H), "ifgo", strict=True))
        # C_t = f_t ⊙ C_{t-1} + i_t ⊙ C~_t              cell state (then any pinned value)
        c_prev = _pin(f * c_prev + i * g, ivs, "c", t)
        # h_t = o_t ⊙ tanh(C_t)                          hidden state, the next layer's x_t
        h_prev = o * torch.tanh(c_prev)
        zs.append(z[None])
        step_gates.append((i, f, g, o, c_prev, h_prev))
    if step_gates:
        parts.append(tuple(torch.stack(v) for v in zip(*step_gates, strict=True)))
    # one stretch (no override: the common case) is returned as computed, without copying
    i, f, g, o, c, h = parts[0] if len(parts) == 1 else (torch.cat(v) for v in zip(*parts, strict=True))
    preact = zs[0] if len(zs) == 1 else torch.cat(zs)
    return LayerTrace(i=i, f=f, g=g, o=o, c=c, h=h, preact=preact, h0=h0, c0=c0)


@torch.no_grad()
def trace(
    model: LanguageModel,
    ids: torch.Tensor | Sequence[int],
    state: State | None = None,
    interventions: Sequence[Intervention] = (),
    log_probs: bool = True,
) -> Trace:
    """Run ids (T,) or (T, B) through the model, recording every gate (and cell) and hidden state."""
    cell = model.config.cell
    ids = torch.as_tensor(ids, dtype=torch.long, device=model.embedding.weight.device)
    if ids.dim() == 1:
        ids = ids[:, None]
    T, B = ids.shape
    if T == 0:
        raise ValueError(Message("trace.empty", "nothing to trace: the prompt has no words"))
    if cell != "lstm" and interventions:
        raise ValueError(
            Message(
                "trace.lstm_only",
                "interventions pin LSTM gates or cells; this model's cell is {cell!r} "
                "(trace it without them)",
                cell=cell,
            )
        )
    if state is not None and isinstance(state, torch.Tensor) == (cell == "lstm"):
        kind = "an (h, c) pair" if cell == "lstm" else "one tensor h (L, B, H)"
        raise ValueError(f"the state of a {cell} model is {kind}")
    check_interventions(model, interventions, T)
    state = state if state is not None else model.init_state(B)
    x = model.embedding(ids)  # (T, B, E); dropout is off in eval mode
    layers: list[AnyLayerTrace] = []
    for layer in range(model.config.num_layers):
        if cell == "lstm":
            ivs = [iv for iv in interventions if iv.layer == layer]
            lt = _layer(model, layer, x, state[0][layer], state[1][layer], ivs)
        else:
            lt = CELL_LAYERS[cell](model, layer, x, state[layer])
        layers.append(lt)
        x = lt.h  # the next layer's input
    lp = model.log_probs(x) if log_probs else None
    final = torch.stack([lt.h[-1] for lt in layers])  # (L, B, H)
    if cell == "lstm":
        final = (final, torch.stack([lt.c[-1] for lt in layers]))
    return Trace(layers=layers, log_probs=lp, state=final)
