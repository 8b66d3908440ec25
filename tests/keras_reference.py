"""Keras models for the import tests, without Keras: their layer configs, their files in Keras's documented
layouts (written with h5py / json), and their forward pass in NumPy from Keras's own equations.

A model is a list of `Layer`s with Keras's weight layouts (kernel (in, kH), recurrent_kernel (H, kH), gate
blocks i, f, c, o for the LSTM and z, r, h for the GRU). `keras_probs` runs it the way Keras does, written
here independently of lstmlm.importing.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np


@dataclass
class Layer:
    kind: str  # Embedding | LSTM | GRU | SimpleRNN | Dense | Dropout | Activation | anything to refuse
    name: str
    config: dict = field(default_factory=dict)
    weights: list[tuple[str, np.ndarray]] = field(default_factory=list)  # (Keras variable name, array)


def random_layers(rng: np.random.Generator, vocab: int, hidden: int, cell: str, num_layers: int,
                  one_hot: bool, embed: int = 5, activation: str = "softmax") -> list[Layer]:  # fmt: skip
    """Embedding (or one-hot input) -> num_layers recurrent layers -> Dense(vocab), random weights."""
    layers: list[Layer] = []
    width = vocab
    if not one_hot:
        layers.append(Layer("Embedding", "embedding", {"input_dim": vocab, "output_dim": embed},
                            [("embeddings", rng.normal(0, 1, (vocab, embed)))]))  # fmt: skip
        width = embed
    k = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}[cell]
    for n in range(num_layers):
        config = {"units": hidden, "activation": "tanh", "return_sequences": True}
        if cell != "SimpleRNN":
            config["recurrent_activation"] = "sigmoid"
        bias_shape = (2, 3 * hidden) if cell == "GRU" else (k * hidden,)
        if cell == "GRU":
            config["reset_after"] = True
        cell_name = f"{cell.lower()}_cell" if cell != "SimpleRNN" else "simple_rnn_cell"
        layers.append(
            Layer(
                cell,
                f"{cell.lower()}_{n}",
                config,
                [
                    (f"{cell_name}/kernel", rng.normal(0, 0.6, (width, k * hidden))),
                    (f"{cell_name}/recurrent_kernel", rng.normal(0, 0.6, (hidden, k * hidden))),
                    (f"{cell_name}/bias", rng.normal(0, 0.5, bias_shape)),
                ],
            )  # fmt: skip
        )
        width = hidden
        if n == 0:
            layers.append(Layer("Dropout", "dropout", {"rate": 0.2}))  # no weights, no effect at inference
    dense = [("kernel", rng.normal(0, 1, (hidden, vocab))), ("bias", rng.normal(0, 1, (vocab,)))]
    layers.append(Layer("Dense", "dense", {"units": vocab, "activation": activation}, dense))
    return layers


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def keras_probs(layers: list[Layer], ids: list[int], vocab: int) -> np.ndarray:
    """Next-token probabilities (T, V) after each id, in float64, from Keras's equations."""
    x = np.eye(vocab)[ids]  # (T, V) one-hot, replaced by the embedding when there is one
    softmax = False
    for layer in layers:
        w = dict(layer.weights)
        w = {k.rsplit("/", 1)[-1]: v for k, v in w.items()}
        if layer.kind == "Embedding":
            x = w["embeddings"][ids]
        elif layer.kind in ("LSTM", "GRU", "SimpleRNN"):
            x = _recurrent(layer, w, x)
        elif layer.kind == "Dense":
            x = x @ w["kernel"] + w.get("bias", 0.0)
            softmax = True  # linear or softmax: the distribution is the softmax of the logits
    assert softmax
    x = x - x.max(axis=1, keepdims=True)
    return np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)


def _recurrent(layer: Layer, w: dict, x: np.ndarray) -> np.ndarray:
    kernel, rec = w["kernel"], w["recurrent_kernel"]
    H = rec.shape[0]
    h, c, out = np.zeros(H), np.zeros(H), []
    for x_t in x:
        if layer.kind == "LSTM":  # i, f, c, o
            z = x_t @ kernel + h @ rec + w.get("bias", 0.0)
            i, f, g, o = (
                _sigmoid(z[:H]),
                _sigmoid(z[H : 2 * H]),
                np.tanh(z[2 * H : 3 * H]),
                _sigmoid(z[3 * H :]),
            )
            c = f * c + i * g
            h = o * np.tanh(c)
        elif layer.kind == "GRU":  # z, r, h; reset_after=True: bias (2, 3H) = input, recurrent
            b = w.get("bias", np.zeros((2, 3 * H)))
            xz, xr, xh = np.split(x_t @ kernel + b[0], 3)
            rz, rr, rh = np.split(h @ rec + b[1], 3)
            z, r = _sigmoid(xz + rz), _sigmoid(xr + rr)
            hh = np.tanh(xh + r * rh)
            h = z * h + (1 - z) * hh
        else:
            a = x_t @ kernel + h @ rec + w.get("bias", 0.0)
            h = np.tanh(a) if layer.config.get("activation", "tanh") == "tanh" else np.maximum(a, 0)
        out.append(h)
    return np.array(out)


def model_config(layers: list[Layer], functional: bool = False) -> dict:
    """The `{"class_name": "Sequential" | "Functional", "config": ...}` Keras writes for these layers."""
    entries = [{"class_name": "InputLayer", "config": {"name": "input_1", "batch_shape": [None, None]}}]
    for layer in layers:
        entries.append({"class_name": layer.kind, "config": {"name": layer.name, **layer.config}})
    if not functional:
        return {"class_name": "Sequential", "config": {"name": "sequential", "layers": entries}}
    for before, entry in zip(entries, entries[1:], strict=False):
        entry["inbound_nodes"] = [[[before["config"]["name"], 0, 0, {}]]]  # Keras 2's node format
    entries[0]["inbound_nodes"] = []
    body = {"name": "model", "layers": entries, "input_layers": [["input_1", 0, 0]],
            "output_layers": [[entries[-1]["config"]["name"], 0, 0]]}  # fmt: skip
    return {"class_name": "Functional", "config": body}


def write_keras2_h5(path: Path, layers: list[Layer], config: dict | None = None, dtype=np.float32) -> Path:
    """Keras 2's model.save("x.h5"): attrs model_config / keras_version, model_weights/<layer>/<name>:0."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.12.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config or model_config(layers))
        group = f.create_group("model_weights")
        group.attrs["layer_names"] = [layer.name.encode() for layer in layers]
        for layer in layers:
            g = group.create_group(layer.name)
            names = [f"{layer.name}/{n}:0" for n, _ in layer.weights]
            g.attrs["weight_names"] = [n.encode() for n in names]
            for n, (_, value) in zip(names, layer.weights, strict=True):
                g.create_dataset(n, data=np.asarray(value, dtype=dtype))
    return path


def write_keras3(path: Path, layers: list[Layer], config: dict | None = None) -> Path:
    """Keras 3's model.save("x.keras"): a zip of config.json, metadata.json and model.weights.h5, whose
    variables are layers/<class>/vars/<i> (a recurrent layer's under layers/<class>/cell/vars/<i>), <class>
    the snake_case class name with _1, _2, ... for repeats (not the layer's name)."""
    buffer = io.BytesIO()
    used: dict[str, int] = {}
    with h5py.File(buffer, "w") as f:
        for layer in layers:  # the group is named after the class: lstm, lstm_1, simple_rnn, dense, ...
            key = {"SimpleRNN": "simple_rnn", "TimeDistributed": "time_distributed"}.get(
                layer.kind, layer.kind.lower()
            )
            used[key] = used.get(key, -1) + 1
            g = f.create_group(f"layers/{key}" + (f"_{used[key]}" if used[key] else ""))
            g.create_group("vars")
            if layer.kind in ("LSTM", "GRU", "SimpleRNN"):
                g = g.create_group("cell")
            elif layer.kind == "TimeDistributed":
                g = g.create_group("layer")
            v = g.require_group("vars")
            for i, (_, value) in enumerate(layer.weights):
                v.create_dataset(str(i), data=np.asarray(value, dtype=np.float32))
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.3.3"}))
        z.writestr("config.json", json.dumps(config or model_config(layers)))
        z.writestr("model.weights.h5", buffer.getvalue())
    return path


def write_tfjs(folder: Path, layers: list[Layer], shards: int = 2, config: dict | None = None,
               quantize: bool = False) -> Path:  # fmt: skip
    """A TF.js layers model: model.json (modelTopology + weightsManifest) and `shards` .bin files cutting
    the little-endian float32 weights at arbitrary byte offsets; uint8 quantization when `quantize`."""
    folder.mkdir(parents=True, exist_ok=True)
    specs, blobs = [], []
    for layer in layers:
        for name, value in layer.weights:
            value = np.asarray(value, dtype=np.float32)
            spec = {
                "name": f"{layer.name}/{name.rsplit('/', 1)[-1]}",
                "shape": list(value.shape),
                "dtype": "float32",
            }
            if quantize:
                lo, hi = float(value.min()), float(value.max())
                scale = (hi - lo) / 255 or 1.0
                q = np.round((value - lo) / scale).astype(np.uint8)
                spec["quantization"] = {"dtype": "uint8", "scale": scale, "min": lo}
                blobs.append(q.tobytes())
            else:
                blobs.append(value.astype("<f4").tobytes())
            specs.append(spec)
    data = b"".join(blobs)
    cuts = np.linspace(0, len(data), shards + 1).astype(int)
    paths = []
    for n in range(shards):
        paths.append(f"group1-shard{n + 1}of{shards}.bin")
        (folder / paths[-1]).write_bytes(data[cuts[n] : cuts[n + 1]])
    topology = {"class_name": "Sequential", "keras_version": "tfjs-layers 4.22.0"}
    topology |= {"backend": "tensor_flow.js", "config": (config or model_config(layers))["config"]}
    model = {"format": "layers-model", "generatedBy": "TensorFlow.js tfjs-layers v4.22.0",
             "modelTopology": topology, "weightsManifest": [{"paths": paths, "weights": specs}]}  # fmt: skip
    (folder / "model.json").write_text(json.dumps(model))
    return folder / "model.json"


def dequantized(layers: list[Layer]) -> list[Layer]:
    """The layers as TF.js reads them back from uint8 quantization (q * scale + min)."""
    out = []
    for layer in layers:
        weights = []
        for name, value in layer.weights:
            value = np.asarray(value, dtype=np.float32)
            lo, hi = float(value.min()), float(value.max())
            scale = (hi - lo) / 255 or 1.0
            weights.append((name, np.round((value - lo) / scale).astype(np.uint8) * scale + lo))
        out.append(Layer(layer.kind, layer.name, layer.config, weights))
    return out
