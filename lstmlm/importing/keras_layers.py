"""Keras layer configs -> a `Network`: the layers of one chain, their weights in PyTorch's layout.

The chain comes from `keras_chain`; each recurrent layer (LSTM, GRU, SimpleRNN: Keras's equations and
layouts) becomes PyTorch's layout in `keras_cells`. Here, the other layers (H units, V classes):

    Embedding  embeddings (V, E): the embedding; only as the first layer.
    Dense      kernel (H, V), bias (V,): decoder.weight = kernel^T; softmax or linear (logits) activation.

The recurrent layers: LSTM, GRU, SimpleRNN, Keras 2's CuDNNLSTM / CuDNNGRU (read as LSTM / GRU), and
RNN(LSTMCell / GRUCell / SimpleRNNCell) or RNN(StackedRNNCells of them) (read as those layers, stacked).
A first TextVectorization / StringLookup layer (output_mode int) is the model's tokenizer: lstmlm reads the
ids it gives, and its vocabulary when the config or the .keras zip holds it.

Refused, by name: Bidirectional, convolution, attention, normalization layers, more than one Dense,
Embedding(mask_zero=True), layers of different sizes or cells (and in `keras_cells`: hard_sigmoid gates,
go_backwards, GRU reset_after=False). Settings that do not change a forward pass are ignored:
return_sequences, stateful, dropout, unroll.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from lstmlm.importing.keras_cells import (
    Weights,
    float_tensor,
    from_cudnn,
    recurrent_weights,
    rnn_cells,
    split_cells,
)
from lstmlm.importing.keras_chain import (
    feature_refusal,
    keras_layer,
    layer_list,
    mask_zero_refusal,
    snake_case,
)
from lstmlm.importing.network import ImportModelError, Network
from lstmlm.messages import Message

_SKIPPED = {"InputLayer", "Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "AlphaDropout",
            "ActivityRegularization"}  # fmt: skip
_RNN_CELLS = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "rnn", "CuDNNLSTM": "lstm", "CuDNNGRU": "gru"}
_MODELS = {"Sequential", "Functional", "Model"}  # a model nested as a layer
_TEXT_TO_IDS = {"TextVectorization", "StringLookup"}  # a model's own tokenizer layer: text in, ids out
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
    "Masking": Message("import.feature.masking", "masking (skipped steps keep the state)"),
}


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


def _low_precision(dtype: object) -> str | None:
    """The name of a layer's dtype policy when it computes below float32 ("mixed_float16", "float16",
    "mixed_bfloat16"), else None. Keras 2 and 3 write a policy as {"config": {"name": ...}} or a string."""
    name = (dtype.get("config") or {}).get("name") if isinstance(dtype, dict) else dtype
    return name if isinstance(name, str) and "16" in name else None


def _text_to_ids(kind: str, cfg: dict, where: Message, first: bool) -> None:
    """A TextVectorization / StringLookup layer is read as the step before the ids (a tokenizer) when it is
    first and gives ids (output_mode "int"); anything else is refused."""
    mode = snake_case(cfg.get("output_mode", "int"))
    if mode != "int" or not first or cfg.get("invert"):
        raise ImportModelError(
            Message(
                "import.text_to_ids",
                "{where}: lstmlm reads a {kind} layer only as the model's first layer giving token ids "
                "(output_mode='int'); this one is not. Save the model without it (the layers after it) and "
                "give its vocabulary with --vocab (json.dump(layer.get_vocabulary(), f))",
                where=where,
                kind=kind,
            )
        )


def _lookup_vocabulary(kind: str, cfg: dict) -> list[str] | None:
    """The get_vocabulary() of a TextVectorization / StringLookup given its vocabulary in the config (an
    adapted one keeps it in the .keras zip instead: keras.read_keras_zip): the mask token, one OOV token, then
    the list. None when the config holds no list or more than one OOV index."""
    vocabulary = cfg.get("vocabulary")
    if not isinstance(vocabulary, list) or cfg.get("num_oov_indices", 1) != 1:
        return None
    default_mask = "" if kind == "TextVectorization" else None
    mask = cfg.get("mask_token", default_mask)
    return ([mask] if mask is not None else []) + [cfg.get("oov_token", "[UNK]")] + list(vocabulary)


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
    precision: str | None = None
    tokens: list[str] | None = None
    for layer in layer_list(config):
        kind = layer.get("class_name")
        cfg = {snake_case(k): v for k, v in (layer.get("config") or {}).items()}
        name = cfg.get("name", kind)
        if kind == "TimeDistributed":  # applies its layer at every step: the same as a Dense on 3-D input
            inner = cfg.get("layer") or {}
            kind, cfg = (
                inner.get("class_name"),
                {snake_case(k): v for k, v in (inner.get("config") or {}).items()},
            )
        where = keras_layer(kind, name)
        precision = precision or _low_precision(cfg.get("dtype"))
        if kind in _SKIPPED:
            continue
        if kind in _MODELS:
            raise ImportModelError(
                Message(
                    "import.nested_model",
                    "{where}: a model used as a layer; lstmlm reads one level of layers. Flatten it into one "
                    "Sequential of the same layers (which keeps their weights): keras.Sequential([inner for "
                    "layer in model.layers for inner in getattr(layer, 'layers', [layer])]), save that and "
                    "import it",
                    where=where,
                )
            )
        if kind in _TEXT_TO_IDS:
            _text_to_ids(kind, cfg, where, first=embedding is None and not layers and not described)
            tokens = _lookup_vocabulary(kind, cfg)
            notes.append(
                f"{name}: the model's own {kind} turns text into ids; lstmlm reads those ids (its vocabulary "
                f"is the layer's), with lstmlm's tokenizer, not the layer's standardize/split"
            )
            described.append(kind)
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
                raise ImportModelError(mask_zero_refusal(where))
            embedding = float_tensor(_take(weights_of(name), ["embeddings"], where)["embeddings"])
            described.append("Embedding")
        elif kind in _RNN_CELLS or (kind == "RNN" and rnn_cells(cfg)):
            if dense is not None:
                raise ImportModelError(
                    Message(
                        "import.recurrent_late",
                        "{where}: a recurrent layer after the output layer is not supported",
                        where=where,
                    )
                )
            parts = rnn_cells(cfg) if kind == "RNN" else [(kind, cfg)]
            for (part, part_cfg), weights in zip(parts, split_cells(weights_of(name), parts), strict=True):
                arrays = _take(weights, ["kernel", "recurrent_kernel", "bias"], where)
                equations = part  # Keras 2's CuDNNLSTM / CuDNNGRU compute an LSTM / GRU's
                if part.startswith("CuDNN"):
                    equations, part_cfg, arrays = from_cudnn(part, part_cfg, arrays)
                cell, layer_weights = recurrent_weights(equations, part_cfg, arrays, where)
                layers.append(layer_weights)
                cells.append(cell)
                label = f"RNN({part}Cell)" if kind == "RNN" else kind
                described.append(f"{label}({layer_weights[1].shape[1]})")
            if cfg.get("stateful"):
                notes.append(f"{name}: stateful=True only carries the state between training batches")
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
            activation = snake_case(cfg.get("activation", "linear"))
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
            kernel = float_tensor(arrays["kernel"])  # (H, V)
            bias = float_tensor(arrays["bias"]) if "bias" in arrays else kernel.new_zeros(kernel.shape[1])
            dense = (kernel.t().contiguous(), bias)
            described.append(f"Dense({kernel.shape[1]}, {activation})")
        elif kind in ("Activation", "Softmax"):
            activation = "softmax" if kind == "Softmax" else snake_case(cfg.get("activation"))
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
            raise ImportModelError(feature_refusal(where, feature))
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
    if precision:
        notes.append(
            f"dtype policy {precision}: Keras computes this model in 16-bit floats, lstmlm in float32 from "
            "the same weights, so Keras's own outputs differ from these by 16-bit rounding (about 1e-3)"
        )
    return Network(
        cell=cells[0],
        embedding=embedding,
        layers=layers,
        decoder_weight=dense[0],
        decoder_bias=dense[1],
        source=f"{source}: {', '.join(described)}",
        notes=notes,
        precision=precision,
        tokens=tokens if tokens is not None and len(tokens) == dense[0].shape[0] else None,
    )
