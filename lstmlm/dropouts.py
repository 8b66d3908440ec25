"""The dropouts of the AWD-LSTM recipe (Merity et al. 2017, "Regularizing and Optimizing LSTM Language
Models"), used by the model in training only:

- locked (variational) dropout (Gal & Ghahramani 2016): one mask per sequence (column of the batch) and unit,
  the same at every time step, kept values scaled by 1 / (1 - p);
- embedding dropout: whole words dropped, i.e. rows of the embedding zeroed for the whole batch (each word
  type kept with probability 1 - p, its row scaled by 1 / (1 - p));
- layer by layer: a stacked recurrent network run one layer at a time with `f` between layers, on the fused
  kernels of `torch.lstm` / `torch.gru` / `torch.rnn_*` and the module's own weights (names unchanged).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

KERNELS = {"lstm": torch.lstm, "gru": torch.gru, "rnn_tanh": torch.rnn_tanh, "rnn_relu": torch.rnn_relu}


def locked_dropout(x: torch.Tensor, p: float) -> torch.Tensor:
    """x (T, B, D) with one (1, B, D) mask for all T steps: each entry kept with probability 1 - p and
    scaled by 1 / (1 - p); p = 0 returns x."""
    if p <= 0:
        return x
    mask = x.new_empty(1, x.size(1), x.size(2)).bernoulli_(1 - p) / (1 - p)
    return x * mask


def embedding_dropout(ids: torch.Tensor, weight: torch.Tensor, p: float) -> torch.Tensor:
    """F.embedding(ids, weight) with each word type's row kept with probability 1 - p (scaled by 1 / (1 - p))
    and zeroed otherwise, the same for every occurrence in the batch: (*ids.shape, E). The mask is drawn for
    all V rows and gathered (the gradient is AWD-LSTM's masked-weight one without the (V, E) product)."""
    x = F.embedding(ids, weight)
    if p <= 0:
        return x
    keep = weight.new_empty(weight.size(0)).bernoulli_(1 - p) / (1 - p)  # (V,)
    return x * keep[ids].unsqueeze(-1)


def layer_by_layer(
    rnn: nn.RNNBase, cell: str, x: torch.Tensor, state, between: Callable[[torch.Tensor], torch.Tensor]
):
    """`rnn(x, state)` (x (T, B, E); state (L, B, H) or (h, c); None: zeros) with `between` applied to each
    layer's output before the next layer reads it. Returns (top output (T, B, H), final state as `rnn`)."""
    layers, hidden = rnn.num_layers, rnn.hidden_size
    if state is None:
        zeros = x.new_zeros(layers, x.size(1), hidden)
        state = (zeros, zeros) if cell == "lstm" else zeros
    kernel, hs, cs = KERNELS[cell], [], []
    for n in range(layers):
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh") if rnn.bias else ("weight_ih", "weight_hh")
        params = [getattr(rnn, f"{name}_l{n}") for name in names]
        if n:
            x = between(x)
        if cell == "lstm":
            x, h, c = kernel(x, (state[0][n : n + 1], state[1][n : n + 1]), params, rnn.bias, 1, 0.0, False,
                             False, False)  # fmt: skip
            cs.append(c)
        else:
            x, h = kernel(x, state[n : n + 1], params, rnn.bias, 1, 0.0, False, False, False)
        hs.append(h)
    h = torch.cat(hs)
    return x, ((h, torch.cat(cs)) if cell == "lstm" else h)
