"""The model's steps over token ids, outside training's batches: one step of every layer with PyTorch's
single-step kernels (`step`), a sequence of ids read for its next-word distribution (`advance`, `read_ids`),
the state after a line break (`start_state`).

On CPU outside training `read_ids` reads ids in chunks of FUSED_MIN_STEPS counted from the first, each chunk
by one call of the fused kernel (whose rounding depends on the whole chunk), and the ids after the last whole
chunk one single step at a time. That rule is what lets `lstmlm.prompt.PrefixStates` continue any prompt with
one step and still give a fresh read's numbers bit for bit. On a GPU, and in training, one fused call.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from lstmlm.model import FUSED_MIN_STEPS, LanguageModel, State

# PyTorch's single-step kernel of each cell kind (fast_sampling.py steps with it too)
CELL_STEP = {"lstm": torch.lstm_cell, "gru": torch.gru_cell, "rnn_tanh": torch.rnn_tanh_cell}
CELL_STEP["rnn_relu"] = torch.rnn_relu_cell


def step(model: LanguageModel, ids: torch.Tensor, state: State | None) -> tuple[torch.Tensor, State]:
    """One word per row, ids (B,), through every layer with PyTorch's single-step cell kernels: the top
    layer's h (B, H) and the new state ((h, c), each (L, B, H), for an LSTM; h (L, B, H) otherwise). The
    same equations and weights as the fused nn.LSTM (equal to ~1e-7), whose call has a fixed cost of several
    steps on CPU (see FUSED_MIN_STEPS). `state` None: zeros (`model.init_state`)."""
    state = state if state is not None else model.init_state(ids.size(0))
    cell_step, rnn = CELL_STEP[model.config.cell], model.rnn
    x = model.embedding(ids)  # (B, E); dropout is off outside training
    hs, cs = [], []
    for n in range(model.config.num_layers):
        weights = [getattr(rnn, f"{name}_l{n}") for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
        if isinstance(state, tuple):
            x, c = cell_step(x, (state[0][n], state[1][n]), *weights)  # (B, H) each
            cs.append(c)
        else:
            x = cell_step(x, state[n], *weights)
        hs.append(x)
    h = torch.stack(hs)  # (L, B, H)
    return x, ((h, torch.stack(cs)) if cs else h)


@torch.no_grad()
def advance(
    model: LanguageModel, ids: Sequence[int], state: State | None = None
) -> tuple[torch.Tensor, State]:
    """Feed ids through the model; returns the log-probabilities after the last one (V,) and the state.
    ValueError for no ids."""
    features, state = read_ids(model, ids, state)
    return model.log_probs(features), state


def read_ids(
    model: LanguageModel, ids: Sequence[int], state: State | None = None
) -> tuple[torch.Tensor, State]:
    """`advance` without the output layer: the top layer's output after the last id (H,) and the state.
    On CPU outside training: chunks of FUSED_MIN_STEPS ids from the first, each one fused call, then the rest
    (fewer than FUSED_MIN_STEPS) one single step each (see the module's docstring: what lets the memo
    continue any prompt); elsewhere one fused call. ValueError for no ids."""
    x = torch.as_tensor(list(ids), dtype=torch.long, device=model.embedding.weight.device)[:, None]
    if x.size(0) == 0:
        raise ValueError("advance needs at least one word")
    if x.device.type != "cpu" or model.training:
        features, state = model(x, state)
        return features[-1, 0], state
    whole = x.size(0) - x.size(0) % FUSED_MIN_STEPS  # the ids read in fused chunks
    for begin in range(0, whole, FUSED_MIN_STEPS):
        features, state = model(x[begin : begin + FUSED_MIN_STEPS], state)  # (K, 1, H)
        top = features[-1, 0]
    for word in x[whole:]:  # (1,)
        h, state = step(model, word, state)
        top = h[0]
    return top, state


@torch.no_grad()
def start_state(model: LanguageModel) -> State:
    """The state after a line break (<eos>): where every line of the training text began."""
    eos = model.vocab.eos_id if getattr(model, "vocab", None) is not None else None
    if eos is None:
        return model.init_state(1)
    return advance(model, [eos])[1]


def top_h(state: State) -> torch.Tensor:
    """The top layer's h (H,) of a batch-of-one state: what the output layer reads."""
    h = state[0] if isinstance(state, tuple) else state  # (L, 1, H)
    return h[-1, 0]
