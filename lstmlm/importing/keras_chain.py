"""A Keras model config -> its layers, in order: a Sequential model, or a Functional one that is one chain.

Keras 2 and 3 and TF.js write the same config (class_name, config, layers); a Functional model's layers name
what they read (inbound_nodes: [name, i, j, ...] in Keras 2, keras_history in Keras 3). Branches, merges,
shared layers and subclassed models (whose layers are code, not config) are refused, and so are masks: Keras 3
writes Embedding(mask_zero=True) in a Functional model as a NotEqual layer beside the chain whose output the
recurrent layer takes as `mask=`. `snake_case` compares
TF.js's camelCase names with Keras's.
"""

from __future__ import annotations

import re

from lstmlm.importing.network import ImportModelError
from lstmlm.messages import Message


def snake_case(value: object) -> object:
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
        _refuse_masks(layers, names)
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


def keras_layer(kind: object, name: object) -> Message:
    """How a refusal names a layer: "LSTM layer 'lstm_1'"."""
    return Message("import.keras_layer", "{kind} layer {name!r}", kind=kind, name=name)


def feature_refusal(where: Message, feature: Message) -> Message:
    """Why a layer (`where`) is refused: a `feature` nn.LSTM / nn.GRU / nn.RNN cannot compute."""
    return Message(
        "import.keras_feature",
        "{where}: {feature} is not something lstmlm can compute exactly; refused. lstmlm imports models "
        "built from Embedding (or one-hot input), LSTM / GRU / SimpleRNN layers, Dropout and one Dense "
        "output layer: rebuild and retrain the model from those",
        where=where,
        feature=feature,
    )


def mask_zero_refusal(where: Message) -> Message:
    """Why an Embedding with mask_zero=True is refused (`where` names it)."""
    return Message(
        "import.mask_zero",
        "{where}: mask_zero=True (Keras skips every step whose id is 0, keeping the state): "
        "nn.LSTM has no masking, so this is refused. Build the same model with mask_zero=False, copy the "
        "weights into it (new_model.set_weights(model.get_weights())), save and import that one: it "
        "predicts the same for every text without id 0 (the padding id)",
        where=where,
    )


def _refuse_masks(layers: list[dict], names: list[str]) -> None:
    """Refuse a Functional model whose layers are given a mask (Keras 3 config: kwargs "mask"), naming the
    Embedding with mask_zero=True when that is where the mask comes from."""
    masked = [
        n
        for n, layer in enumerate(layers)
        if _names_in([(node.get("kwargs") or {}).get("mask") for node in _dict_nodes(layer)])
    ]
    if not masked:
        return
    for other in layers:
        if other.get("class_name") == "Embedding" and (other.get("config") or {}).get("mask_zero"):
            raise ImportModelError(mask_zero_refusal(keras_layer("Embedding", other["config"].get("name"))))
    n = masked[0]
    masking = Message("import.feature.masking", "masking (skipped steps keep the state)")
    raise ImportModelError(feature_refusal(keras_layer(layers[n].get("class_name"), names[n]), masking))


def _dict_nodes(layer: dict) -> list[dict]:
    """A layer's inbound nodes as Keras 3 writes them (dicts with args and kwargs)."""
    return [node for node in layer.get("inbound_nodes", []) if isinstance(node, dict)]


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
