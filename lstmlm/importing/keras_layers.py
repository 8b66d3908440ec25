"""Keras layer configs -> a `Network`: the layers of one chain, their weights in PyTorch's layout.

Keras's equations and layouts (x_t a row vector; H units; kernel (in, kH), recurrent_kernel (H, kH)):

    LSTM       gates in kernel column blocks i, f, c, o; one bias (4H,). PyTorch's order is i, f, g, o (g is
               Keras's c), so: weight_ih = kernel^T, weight_hh = recurrent_kernel^T, bias_ih = bias,
               bias_hh = 0. Exact when activation = tanh and recurrent_activation = sigmoid.
    GRU        blocks z, r, h. With reset_after=True (Keras >= 2.3 default), bias (2, 3H) = input and
               recurrent biases and
                   h~_t = tanh(x W_h + b_xh + r_t ⊙ (h_{t-1} U_h + b_hh))
                   h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h~_t
               which is nn.GRU's n_t and h_t with blocks reordered to r, z, n. reset_after=False (Keras 1 and
               the TF.js default) multiplies r_t into h_{t-1} before U_h: nn.GRU cannot, so it is refused.
    SimpleRNN  h_t = act(x W + h_{t-1} U + b): nn.RNN with tanh, or relu.
    Dense      kernel (H, V), bias (V,): decoder.weight = kernel^T; softmax or linear (logits) activation.

Refused, by name: recurrent_activation hard_sigmoid (Keras < 2.3, TF.js default: a piecewise-linear gate
that nn.LSTM's logistic sigmoid does not compute), go_backwards, Bidirectional, convolution, attention,
normalization layers, more than one Dense, Embedding(mask_zero=True), layers of different sizes or cells.
Settings that do not change a forward pass are ignored: return_sequences, stateful, dropout, unroll.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import torch

from lstmlm.importing.network import ImportModelError, Network

Weights = list[tuple[str | None, np.ndarray]]  # (role, array) in the file's order; role None when unnamed
_SKIPPED = {"InputLayer", "Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "AlphaDropout",
            "ActivityRegularization"}  # fmt: skip
_RNN_CELLS = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "rnn"}
_FEATURES = {
    "Bidirectional": "a bidirectional layer (it reads the text backwards too, which a next-token model "
    "cannot)",
    "Attention": "attention",
    "MultiHeadAttention": "attention",
    "AdditiveAttention": "attention",
    "LayerNormalization": "layer normalization",
    "BatchNormalization": "batch normalization",
    "Conv1D": "a convolution",
    "ConvLSTM1D": "a convolutional LSTM",
    "ConvLSTM2D": "a convolutional LSTM",
    "RNN": "a custom RNN cell",
    "StackedRNNCells": "stacked cells inside one RNN layer",
    "CuDNNLSTM": "Keras 2's CuDNNLSTM (its two biases are not read yet)",
    "CuDNNGRU": "Keras 2's CuDNNGRU (its two biases are not read yet)",
    "Masking": "masking (skipped steps keep the state)",
}


def _snake(value):
    """TF.js writes some names in camelCase (hardSigmoid): compare in snake_case."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", value).lower() if isinstance(value, str) else value


def layer_list(config: dict) -> list[dict]:
    """The layers of a Sequential or single-chain Functional model config, in order."""
    if not isinstance(config, dict):
        raise ImportModelError("the model config is not a JSON object")
    kind, body = config.get("class_name"), config.get("config")
    if kind == "Sequential":
        layers = body if isinstance(body, list) else (body or {}).get("layers")  # Keras < 2.2: a bare list
        if not isinstance(layers, list):
            raise ImportModelError("a Sequential config without a layer list")
        return layers
    if kind in ("Functional", "Model"):
        layers = (body or {}).get("layers") or []
        names = [layer.get("config", {}).get("name", layer.get("name")) for layer in layers]
        for n, layer in enumerate(layers[1:], start=1):
            inbound = _names_in(layer.get("inbound_nodes", []))
            if inbound != [names[n - 1]]:
                raise ImportModelError(
                    f"layer {names[n]!r} reads from {inbound or 'nothing'}: lstmlm imports models that are "
                    "one chain of layers (no branches, merges or shared layers)"
                )
        if layers and _names_in((body or {}).get("output_layers", [])) not in ([names[-1]], []):
            raise ImportModelError("the model's output is not its last layer: not one chain of layers")
        return layers
    raise ImportModelError(
        f"a {kind!r} model: only Sequential and Functional models describe their layers in the file (a "
        "subclassed model's layers are code, which lstmlm does not run); rebuild it as keras.Sequential"
    )


def _names_in(node) -> list[str]:
    """Layer names referenced by inbound/output nodes, in Keras 2 ([name, i, j, ...]) or 3 (keras_history)."""
    out: list[str] = []

    def walk(x) -> None:
        if isinstance(x, dict):
            if "keras_history" in x:
                out.append(x["keras_history"][0])
                return
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            if len(x) >= 3 and isinstance(x[0], str) and isinstance(x[1], int) and isinstance(x[2], int):
                out.append(x[0])
                return
            for v in x:
                walk(v)

    walk(node)
    return out


def _take(weights: Weights, roles: list[str], where: str) -> dict[str, np.ndarray]:
    """Name the arrays: by their names when the file gives them, else by Keras's creation order."""
    if weights and all(r is not None for r, _ in weights):
        found = {r: a for r, a in weights}
    else:
        found = dict(zip(roles, (a for _, a in weights), strict=False))
    unknown = set(found) - set(roles)
    if unknown or len(weights) > len(roles):
        raise ImportModelError(
            f"{where}: unexpected weights {sorted(unknown) or len(weights)} (expected {roles})"
        )
    missing = [r for r in roles if r != "bias" and r not in found]
    if missing:
        raise ImportModelError(f"{where}: its {', '.join(missing)} is not in the file")
    return found


def network_from_keras(config: dict, weights_of: Callable[[str], Weights], source: str) -> Network:
    """Walk the layers (see the module docstring); `weights_of(layer name)` gives that layer's arrays."""
    # ~90 lines on purpose: one pass over the layer list, one branch per layer kind with its refusals
    # beside it; split up, the seven running values below would travel through every helper.
    embedding: torch.Tensor | None = None
    layers: list[tuple[torch.Tensor, ...]] = []
    cells: list[str] = []
    dense: tuple[torch.Tensor, torch.Tensor] | None = None
    softmaxes = 0
    described: list[str] = []
    notes: list[str] = []
    for layer in layer_list(config):
        kind = layer.get("class_name")
        cfg = {_snake(k): v for k, v in (layer.get("config") or {}).items()}
        name = cfg.get("name", kind)
        if kind == "TimeDistributed":  # applies its layer at every step: the same as a Dense on 3-D input
            inner = cfg.get("layer") or {}
            kind, cfg = (
                inner.get("class_name"),
                {_snake(k): v for k, v in (inner.get("config") or {}).items()},
            )
        where = f"{kind} layer {name!r}"
        if kind in _SKIPPED:
            continue
        if kind == "Embedding":
            if embedding is not None or layers:
                raise ImportModelError(f"{where}: an embedding after the first layer is not supported")
            if cfg.get("mask_zero"):
                raise ImportModelError(
                    f"{where}: mask_zero=True (Keras skips every step whose id is 0, keeping the state): "
                    "nn.LSTM has no masking, so this is refused"
                )
            embedding = _tensor(_take(weights_of(name), ["embeddings"], where)["embeddings"])
            described.append("Embedding")
        elif kind in _RNN_CELLS:
            if dense is not None:
                raise ImportModelError(f"{where}: a recurrent layer after the output layer is not supported")
            cell, layer_weights = _recurrent(
                kind, cfg, _take(weights_of(name), ["kernel", "recurrent_kernel", "bias"], where), where
            )
            if cfg.get("stateful"):
                notes.append(f"{name}: stateful=True only carries the state between training batches")
            layers.append(layer_weights)
            cells.append(cell)
            described.append(f"{kind}({layer_weights[1].shape[1]})")
        elif kind == "Dense":
            if dense is not None or not layers:
                raise ImportModelError(
                    f"{where}: lstmlm reads one Dense layer, after the recurrent layers (a head other than "
                    "linear + softmax is not supported)"
                )
            activation = _snake(cfg.get("activation", "linear"))
            if activation not in ("softmax", "linear"):
                raise ImportModelError(
                    f"{where}: activation {activation!r}; the output layer must be linear + softmax"
                )
            softmaxes += activation == "softmax"
            arrays = _take(weights_of(name), ["kernel", "bias"], where)
            kernel = _tensor(arrays["kernel"])  # (H, V)
            bias = _tensor(arrays["bias"]) if "bias" in arrays else kernel.new_zeros(kernel.shape[1])
            dense = (kernel.t().contiguous(), bias)
            described.append(f"Dense({kernel.shape[1]}, {activation})")
        elif kind in ("Activation", "Softmax"):
            activation = "softmax" if kind == "Softmax" else _snake(cfg.get("activation"))
            if dense is None or activation not in ("softmax", "linear"):
                raise ImportModelError(f"{where}: only a softmax after the Dense output layer is supported")
            softmaxes += activation == "softmax"
        else:
            feature = _FEATURES.get(kind, f"a {kind} layer")
            raise ImportModelError(f"{where}: {feature} is not something lstmlm can compute exactly; refused")
    if not layers or dense is None:
        raise ImportModelError(
            f"{source}: expected recurrent layers and a Dense output layer, found {described}"
        )
    if softmaxes > 1:
        raise ImportModelError(
            f"{source}: softmax applied twice; the output must be one softmax over the logits"
        )
    if len(set(cells)) > 1:
        raise ImportModelError(f"{source}: layers of different cells {cells}: lstmlm stacks one kind of cell")
    if softmaxes == 0:
        notes.append("the Dense layer gives logits (activation linear): their softmax is the distribution")
    return Network(
        cell=cells[0],
        embedding=embedding,
        layers=layers,
        decoder_weight=dense[0],
        decoder_bias=dense[1],
        source=f"{source}: {', '.join(described)}",
        notes=notes,
    )


def _tensor(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.array(a, dtype=np.float32))


def _recurrent(kind: str, cfg: dict, arrays: dict[str, np.ndarray], where: str) -> tuple[str, tuple]:
    """One Keras recurrent layer -> (cell, (weight_ih, weight_hh, bias_ih, bias_hh)) in PyTorch's layout."""
    if cfg.get("go_backwards"):
        raise ImportModelError(f"{where}: go_backwards=True reads the text backwards; refused")
    activation = _snake(cfg.get("activation", "tanh"))
    kernel, recurrent = _tensor(arrays["kernel"]), _tensor(arrays["recurrent_kernel"])  # (in, kH), (H, kH)
    H = recurrent.shape[0]
    if kind == "SimpleRNN":
        if activation not in ("tanh", "relu"):
            raise ImportModelError(f"{where}: activation {activation!r}; nn.RNN computes tanh or relu only")
        cell, k = f"rnn_{activation}", 1
    else:
        gate = _snake(cfg.get("recurrent_activation"))
        if gate == "hard_sigmoid":
            raise ImportModelError(
                f"{where}: recurrent_activation hard_sigmoid (the gates of Keras before 2.3 and the TF.js "
                "default) is a piecewise-linear gate; nn.LSTM / nn.GRU gates use the logistic sigmoid, so "
                "this model cannot be traced exactly and is refused. Retrain with "
                "recurrent_activation='sigmoid' (TF.js: recurrentActivation: 'sigmoid')"
            )
        if gate != "sigmoid" or activation != "tanh":
            raise ImportModelError(
                f"{where}: activation {activation!r} / recurrent_activation {gate!r}; nn.{kind} computes "
                "tanh and sigmoid only"
            )
        cell, k = kind.lower(), 4 if kind == "LSTM" else 3
    if kernel.dim() != 2 or kernel.shape[1] != k * H or recurrent.shape != (H, k * H):
        raise ImportModelError(
            f"{where}: kernel {tuple(kernel.shape)} and recurrent_kernel {tuple(recurrent.shape)} do not fit "
            f"a {kind} of {H} units"
        )
    bias = _tensor(arrays["bias"]) if "bias" in arrays else kernel.new_zeros(k * H)
    w_ih, w_hh = kernel.t(), recurrent.t()  # (kH, in), (kH, H)
    if kind != "GRU":  # LSTM: Keras's i, f, c, o is PyTorch's i, f, g, o; one bias
        if bias.shape != (k * H,):
            raise ImportModelError(f"{where}: bias {tuple(bias.shape)}, expected ({k * H},)")
        return cell, (w_ih.contiguous(), w_hh.contiguous(), bias, bias.new_zeros(k * H))
    if not cfg.get("reset_after", False):
        raise ImportModelError(
            f"{where}: reset_after=False (Keras 1 and the TF.js default) applies the reset gate to h_(t-1) "
            "before the recurrent matrix; nn.GRU applies it after, so this GRU cannot be represented "
            "exactly; refused. Retrain with reset_after=True (Keras's default since 2.3)"
        )
    if bias.shape == (3 * H,):  # use_bias with one bias row: no recurrent bias
        bias = torch.stack([bias, bias.new_zeros(3 * H)])
    if bias.shape != (2, 3 * H):
        raise ImportModelError(
            f"{where}: bias {tuple(bias.shape)}, expected (2, {3 * H}) for reset_after=True"
        )

    def zrh_to_rzn(t: torch.Tensor) -> torch.Tensor:  # Keras's blocks z, r, h -> PyTorch's r, z, n (dim 0)
        z, r, h = t.chunk(3, dim=0)
        return torch.cat([r, z, h]).contiguous()

    return cell, (zrh_to_rzn(w_ih), zrh_to_rzn(w_hh), zrh_to_rzn(bias[0]), zrh_to_rzn(bias[1]))
