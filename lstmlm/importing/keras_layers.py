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
from lstmlm.messages import Message

Weights = list[tuple[str | None, np.ndarray]]  # (role, array) in the file's order; role None when unnamed
_SKIPPED = {"InputLayer", "Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "AlphaDropout",
            "ActivityRegularization"}  # fmt: skip
_RNN_CELLS = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "rnn"}
_ATTENTION = Message("import.feature.attention", "attention")
_CONV_LSTM = Message("import.feature.conv_lstm", "a convolutional LSTM")
# layer class -> what it does, named in the refusal (Messages: an app says them in its language)
_FEATURES = {
    "Bidirectional": Message(
        "import.feature.bidirectional",
        "a bidirectional layer (it reads the text backwards too, which a next-token model cannot)",
    ),
    "Attention": _ATTENTION,
    "MultiHeadAttention": _ATTENTION,
    "AdditiveAttention": _ATTENTION,
    "LayerNormalization": Message("import.feature.layer_norm", "layer normalization"),
    "BatchNormalization": Message("import.feature.batch_norm", "batch normalization"),
    "Conv1D": Message("import.feature.conv", "a convolution"),
    "ConvLSTM1D": _CONV_LSTM,
    "ConvLSTM2D": _CONV_LSTM,
    "RNN": Message("import.feature.custom_rnn", "a custom RNN cell"),
    "StackedRNNCells": Message("import.feature.stacked_cells", "stacked cells inside one RNN layer"),
    "CuDNNLSTM": Message(
        "import.feature.cudnn", "Keras 2's {kind} (its two biases are not read yet)", kind="CuDNNLSTM"
    ),
    "CuDNNGRU": Message(
        "import.feature.cudnn", "Keras 2's {kind} (its two biases are not read yet)", kind="CuDNNGRU"
    ),
    "Masking": Message("import.feature.masking", "masking (skipped steps keep the state)"),
}


def _snake(value):
    """TF.js writes some names in camelCase (hardSigmoid): compare in snake_case."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", value).lower() if isinstance(value, str) else value


def layer_list(config: dict) -> list[dict]:
    """The layers of a Sequential or single-chain Functional model config, in order."""
    if not isinstance(config, dict):
        raise ImportModelError(Message("import.config_object", "the model config is not a JSON object"))
    kind, body = config.get("class_name"), config.get("config")
    if kind == "Sequential":
        layers = body if isinstance(body, list) else (body or {}).get("layers")  # Keras < 2.2: a bare list
        if not isinstance(layers, list):
            raise ImportModelError(
                Message("import.sequential_layers", "a Sequential config without a layer list")
            )
        return layers
    if kind in ("Functional", "Model"):
        layers = (body or {}).get("layers") or []
        names = [layer.get("config", {}).get("name", layer.get("name")) for layer in layers]
        for n, layer in enumerate(layers[1:], start=1):
            inbound = _names_in(layer.get("inbound_nodes", []))
            if inbound != [names[n - 1]]:
                raise ImportModelError(
                    Message(
                        "import.not_chain",
                        "layer {name!r} reads from {inbound}: lstmlm imports models that are one chain of "
                        "layers (no branches, merges or shared layers)",
                        name=names[n],
                        inbound=inbound or Message("import.nothing", "nothing"),
                    )
                )
        if layers and _names_in((body or {}).get("output_layers", [])) not in ([names[-1]], []):
            raise ImportModelError(
                Message(
                    "import.output_not_last",
                    "the model's output is not its last layer: not one chain of layers",
                )
            )
        return layers
    raise ImportModelError(
        Message(
            "import.subclassed",
            "a {kind!r} model: only Sequential and Functional models describe their layers in the file (a "
            "subclassed model's layers are code, which lstmlm does not run); rebuild it as keras.Sequential",
            kind=kind,
        )
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


def _take(weights: Weights, roles: list[str], where: Message) -> dict[str, np.ndarray]:
    """Name the arrays: by their names when the file gives them, else by Keras's creation order."""
    if weights and all(r is not None for r, _ in weights):
        found = {r: a for r, a in weights}
    else:
        found = dict(zip(roles, (a for _, a in weights), strict=False))
    unknown = set(found) - set(roles)
    if unknown or len(weights) > len(roles):
        raise ImportModelError(
            Message(
                "import.keras_weights",
                "{where}: unexpected weights {found} (expected {roles})",
                where=where,
                found=sorted(unknown) or len(weights),
                roles=roles,
            )
        )
    missing = [r for r in roles if r != "bias" and r not in found]
    if missing:
        raise ImportModelError(
            Message(
                "import.keras_missing",
                "{where}: its {names} is not in the file",
                where=where,
                names=", ".join(missing),
            )
        )
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
        where = Message("import.keras_layer", "{kind} layer {name!r}", kind=kind, name=name)
        if kind in _SKIPPED:
            continue
        if kind == "Embedding":
            if embedding is not None or layers:
                raise ImportModelError(
                    Message(
                        "import.embedding_late",
                        "{where}: an embedding after the first layer is not supported",
                        where=where,
                    )
                )
            if cfg.get("mask_zero"):
                raise ImportModelError(
                    Message(
                        "import.mask_zero",
                        "{where}: mask_zero=True (Keras skips every step whose id is 0, keeping the state): "
                        "nn.LSTM has no masking, so this is refused",
                        where=where,
                    )
                )
            embedding = _tensor(_take(weights_of(name), ["embeddings"], where)["embeddings"])
            described.append("Embedding")
        elif kind in _RNN_CELLS:
            if dense is not None:
                raise ImportModelError(
                    Message(
                        "import.recurrent_late",
                        "{where}: a recurrent layer after the output layer is not supported",
                        where=where,
                    )
                )
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
                    Message(
                        "import.one_dense",
                        "{where}: lstmlm reads one Dense layer, after the recurrent layers (a head other "
                        "than linear + softmax is not supported)",
                        where=where,
                    )
                )
            activation = _snake(cfg.get("activation", "linear"))
            if activation not in ("softmax", "linear"):
                raise ImportModelError(
                    Message(
                        "import.dense_activation",
                        "{where}: activation {activation!r}; the output layer must be linear + softmax",
                        where=where,
                        activation=activation,
                    )
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
                raise ImportModelError(
                    Message(
                        "import.softmax_only",
                        "{where}: only a softmax after the Dense output layer is supported",
                        where=where,
                    )
                )
            softmaxes += activation == "softmax"
        else:
            feature = _FEATURES.get(kind) or Message("import.feature.other", "a {kind} layer", kind=kind)
            raise ImportModelError(
                Message(
                    "import.keras_feature",
                    "{where}: {feature} is not something lstmlm can compute exactly; refused",
                    where=where,
                    feature=feature,
                )
            )
    if not layers or dense is None:
        raise ImportModelError(
            Message(
                "import.keras_layers",
                "{source}: expected recurrent layers and a Dense output layer, found {found}",
                source=source,
                found=described,
            )
        )
    if softmaxes > 1:
        raise ImportModelError(
            Message(
                "import.softmax_twice",
                "{source}: softmax applied twice; the output must be one softmax over the logits",
                source=source,
            )
        )
    if len(set(cells)) > 1:
        raise ImportModelError(
            Message(
                "import.keras_cells",
                "{source}: layers of different cells {cells}: lstmlm stacks one kind of cell",
                source=source,
                cells=cells,
            )
        )
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


def _recurrent(kind: str, cfg: dict, arrays: dict[str, np.ndarray], where: Message) -> tuple[str, tuple]:
    """One Keras recurrent layer -> (cell, (weight_ih, weight_hh, bias_ih, bias_hh)) in PyTorch's layout."""
    if cfg.get("go_backwards"):
        raise ImportModelError(
            Message(
                "import.go_backwards",
                "{where}: go_backwards=True reads the text backwards; refused",
                where=where,
            )
        )
    activation = _snake(cfg.get("activation", "tanh"))
    kernel, recurrent = _tensor(arrays["kernel"]), _tensor(arrays["recurrent_kernel"])  # (in, kH), (H, kH)
    H = recurrent.shape[0]
    if kind == "SimpleRNN":
        if activation not in ("tanh", "relu"):
            raise ImportModelError(
                Message(
                    "import.rnn_activation",
                    "{where}: activation {activation!r}; nn.RNN computes tanh or relu only",
                    where=where,
                    activation=activation,
                )
            )
        cell, k = f"rnn_{activation}", 1
    else:
        gate = _snake(cfg.get("recurrent_activation"))
        if gate == "hard_sigmoid":
            raise ImportModelError(
                Message(
                    "import.hard_sigmoid",
                    "{where}: recurrent_activation hard_sigmoid (the gates of Keras before 2.3 and the TF.js "
                    "default) is a piecewise-linear gate; nn.LSTM / nn.GRU gates use the logistic sigmoid, "
                    "so this model cannot be traced exactly and is refused. Retrain with "
                    "recurrent_activation='sigmoid' (TF.js: recurrentActivation: 'sigmoid')",
                    where=where,
                )
            )
        if gate != "sigmoid" or activation != "tanh":
            raise ImportModelError(
                Message(
                    "import.gate_activation",
                    "{where}: activation {activation!r} / recurrent_activation {gate!r}; nn.{kind} computes "
                    "tanh and sigmoid only",
                    where=where,
                    activation=activation,
                    gate=gate,
                    kind=kind,
                )
            )
        cell, k = kind.lower(), 4 if kind == "LSTM" else 3
    if kernel.dim() != 2 or kernel.shape[1] != k * H or recurrent.shape != (H, k * H):
        raise ImportModelError(
            Message(
                "import.kernel_shapes",
                "{where}: kernel {kernel} and recurrent_kernel {recurrent} do not fit a {kind} of {units} "
                "units",
                where=where,
                kernel=tuple(kernel.shape),
                recurrent=tuple(recurrent.shape),
                kind=kind,
                units=H,
            )
        )
    bias = _tensor(arrays["bias"]) if "bias" in arrays else kernel.new_zeros(k * H)
    w_ih, w_hh = kernel.t(), recurrent.t()  # (kH, in), (kH, H)
    if kind != "GRU":  # LSTM: Keras's i, f, c, o is PyTorch's i, f, g, o; one bias
        if bias.shape != (k * H,):
            raise ImportModelError(
                Message(
                    "import.bias_shape",
                    "{where}: bias {shape}, expected {expected}",
                    where=where,
                    shape=tuple(bias.shape),
                    expected=(k * H,),
                )
            )
        return cell, (w_ih.contiguous(), w_hh.contiguous(), bias, bias.new_zeros(k * H))
    if not cfg.get("reset_after", False):
        raise ImportModelError(
            Message(
                "import.reset_after",
                "{where}: reset_after=False (Keras 1 and the TF.js default) applies the reset gate to "
                "h_(t-1) before the recurrent matrix; nn.GRU applies it after, so this GRU cannot be "
                "represented exactly; refused. Retrain with reset_after=True (Keras's default since 2.3)",
                where=where,
            )
        )
    if bias.shape == (3 * H,):  # use_bias with one bias row: no recurrent bias
        bias = torch.stack([bias, bias.new_zeros(3 * H)])
    if bias.shape != (2, 3 * H):
        raise ImportModelError(
            Message(
                "import.gru_bias",
                "{where}: bias {shape}, expected {expected} for reset_after=True",
                where=where,
                shape=tuple(bias.shape),
                expected=(2, 3 * H),
            )
        )

    def zrh_to_rzn(t: torch.Tensor) -> torch.Tensor:  # Keras's blocks z, r, h -> PyTorch's r, z, n (dim 0)
        z, r, h = t.chunk(3, dim=0)
        return torch.cat([r, z, h]).contiguous()

    return cell, (zrh_to_rzn(w_ih), zrh_to_rzn(w_hh), zrh_to_rzn(bias[0]), zrh_to_rzn(bias[1]))
