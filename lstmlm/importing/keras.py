"""Keras and TensorFlow.js files -> a `Network`, read as JSON and HDF5 (h5py): no TensorFlow or Keras runs.

Three containers, one model description (the Keras layer config) and the same weights:

    Keras 3 `.keras`   a zip: config.json (the model's config) + model.weights.h5, where the variables of
                       layer `name` are layers/<name>/vars/0, 1, ... (an RNN's under layers/<name>/cell/vars)
    Keras 2 `.h5`      HDF5: attribute model_config (JSON) + group model_weights/<name>, whose attribute
                       weight_names lists its datasets in order ("lstm/lstm_cell/kernel:0", ...)
    TF.js layers       model.json: modelTopology (the config) + weightsManifest (names, shapes, dtypes) over
                       the binary shards, concatenated in order, little-endian

The layer config read from any of them becomes a Network in `keras_layers` (its chain of layers read in
`keras_chain`, the recurrent layers' equations in `keras_cells`; refusals beside each).
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path

import numpy as np

from lstmlm.importing.keras_chain import layer_list
from lstmlm.importing.keras_layers import Weights, network_from_keras
from lstmlm.importing.network import ImportModelError, Network, not_a_model_file
from lstmlm.messages import Message


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportModelError(
            Message(
                "import.h5py",
                "reading Keras files needs h5py: pip install 'lstm-playground[import]' (or pip install h5py)",
            )
        ) from None
    return h5py


# ---------------------------------------------------------------------------------------------------------
# The three containers
# ---------------------------------------------------------------------------------------------------------


def read_keras_zip(path: str | os.PathLike) -> Network:
    """A Keras 3 `.keras` file (config.json + model.weights.h5 in a zip)."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as z:
            config = json.loads(z.read("config.json"))
            weights_h5 = z.read("model.weights.h5")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise ImportModelError(
            Message(
                "import.keras_unreadable",
                "{path}: not a readable .keras file ({error})",
                path=str(path),
                error=str(e),
            )
        ) from None
    h5py = _h5py()
    paths = _keras3_paths(config)
    with h5py.File(io.BytesIO(weights_h5), "r") as f:
        root = next((f[k] for k in ("layers", "_layer_checkpoint_dependencies") if k in f), None)

        def weights_of(name: str) -> Weights:
            group = root.get(paths.get(name, name)) if root is not None else None
            return [(None, a) for a in _vars_in_order(group)] if group is not None else []

        net = network_from_keras(config, weights_of, f"Keras 3 .keras ({path.name})")
    if net.tokens is None:
        net.tokens = _layer_vocabulary(path, net.decoder_weight.shape[0])
    return net


def _layer_vocabulary(path: Path, classes: int) -> list[str] | None:
    """The vocabulary a TextVectorization / StringLookup layer saved in the .keras zip
    (assets/layers/NAME/vocabulary.txt: its get_vocabulary(), one token a line), when it has one token per
    output class; else None (the vocabulary is then given or found beside the file)."""
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if re.fullmatch(r"assets/layers/[^/]+/vocabulary\.txt", n)]
        if len(names) != 1:
            return None
        tokens = z.read(names[0]).decode("utf-8", errors="replace").split("\n")
    return tokens if len(tokens) == classes else None


def _keras3_paths(config: dict) -> dict[str, str]:
    """Layer name -> its group in model.weights.h5. Keras 3 names the group after the layer's class, not
    its name: snake_case of the class, then _1, _2, ... for repeats within the model ("dense", "dense_1")."""
    try:
        layers = layer_list(config)
    except ImportModelError:
        return {}  # network_from_keras says why
    used: dict[str, int] = {}
    paths = {}
    for layer in layers:
        kind = str(layer.get("class_name", ""))
        key = re.sub(r"\W+", "", kind)
        key = re.sub(r"([a-z])([A-Z])", r"\1_\2", re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", key)).lower()
        used[key] = used.get(key, -1) + 1
        paths[(layer.get("config") or {}).get("name", kind)] = key if used[key] == 0 else f"{key}_{used[key]}"
    return paths


def _vars_in_order(group) -> list[np.ndarray]:
    """A Keras 3 layer's variables: its own vars/0, 1, ... then those of its sub-objects (cell, layer)."""
    out = []
    if "vars" in group:
        names = sorted(group["vars"].keys(), key=lambda k: int(k) if k.isdigit() else 1 << 30)
        out += [np.asarray(group["vars"][k][()]) for k in names]
    for key in sorted(k for k in group.keys() if k != "vars"):
        if hasattr(group[key], "keys"):
            out += _vars_in_order(group[key])
    return out


def read_keras_h5(path: str | os.PathLike) -> Network:
    """A Keras 2 (or Keras 3 legacy) `.h5` file: model_config attribute + model_weights group."""
    path = Path(path)
    h5py = _h5py()
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise ImportModelError(
            Message(
                "import.h5_unreadable",
                "{path}: not a readable HDF5 file ({error})",
                path=str(path),
                error=str(e),
            )
        ) from None
    with f:
        raw = f.attrs.get("model_config")
        if raw is None:
            raise ImportModelError(
                Message(
                    "import.weights_only",
                    "{path}: holds weights only (model.save_weights): the architecture is not in the file. "
                    'Save the whole model with model.save("model.keras") (or .h5) and import that',
                    path=str(path),
                )
            )
        config = json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
        group = f["model_weights"] if "model_weights" in f else f

        def weights_of(name: str) -> Weights:
            if name not in group:
                return []
            layer = group[name]
            names = [
                n.decode("utf-8") if isinstance(n, bytes) else str(n)
                for n in layer.attrs.get("weight_names", [])
            ]
            return [(_role(n), np.asarray(layer[n][()])) for n in names]

        version = f.attrs.get("keras_version", b"")
        version = version.decode() if isinstance(version, bytes) else str(version)
        return network_from_keras(config, weights_of, f"Keras {version or '2'} .h5 ({path.name})")


_TFJS_DTYPES = {"float32": np.float32, "int32": np.int32, "uint8": np.uint8, "uint16": np.uint16,
                "float16": np.float16}  # fmt: skip


def read_tfjs(path: str | os.PathLike) -> Network:
    """A TensorFlow.js layers model: model.json (or its folder) and the weight shards beside it."""
    path = Path(path)
    model_json = path / "model.json" if path.is_dir() else path
    folder = model_json.parent
    try:
        data = json.loads(model_json.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise ImportModelError(
            Message(
                "import.tfjs_unreadable",
                "{path}: not a readable model.json ({error})",
                path=str(model_json),
                error=str(e),
            )
        ) from None
    topology = data.get("modelTopology") if isinstance(data, dict) else None
    if topology is None:  # JSON, but no model: a vocabulary, a Keras config.json, ...
        raise ImportModelError(not_a_model_file(model_json))
    if not isinstance(topology, dict) or data.get("format") == "graph-model" or "node" in topology:
        raise ImportModelError(
            Message(
                "import.tfjs_graph",
                "{path}: not a TF.js layers model (a graph model, converted from a SavedModel, holds a "
                "TensorFlow program rather than layers); convert the Keras model with "
                "tensorflowjs_converter --input_format keras, or save it from TF.js with model.save()",
                path=str(model_json),
            )
        )
    config = topology.get("model_config", topology)
    manifest = data.get("weightsManifest")
    if not isinstance(manifest, list):
        raise ImportModelError(
            Message("import.tfjs_manifest", "{path}: no weightsManifest", path=str(model_json))
        )
    arrays: dict[str, np.ndarray] = {}
    order: list[str] = []
    notes: list[str] = []
    for group in manifest:
        blob = b"".join(_shard(folder, p) for p in group.get("paths", []))
        offset = 0
        for w in group.get("weights", []):
            name, shape, dtype = w["name"], tuple(int(s) for s in w["shape"]), w.get("dtype", "float32")
            count = int(np.prod(shape)) if shape else 1
            quant = w.get("quantization")
            stored = quant["dtype"] if quant else dtype
            if stored not in _TFJS_DTYPES:
                raise ImportModelError(
                    Message(
                        "import.tfjs_dtype",
                        "{path}: weight {name} has dtype {dtype!r}, not a number type",
                        path=str(model_json),
                        name=name,
                        dtype=stored,
                    )
                )
            nbytes = count * np.dtype(_TFJS_DTYPES[stored]).itemsize
            if offset + nbytes > len(blob):
                raise ImportModelError(
                    Message(
                        "import.tfjs_truncated",
                        "{path}: the shards end before weight {name} (truncated file?)",
                        path=str(model_json),
                        name=name,
                    )
                )
            values = np.frombuffer(
                blob, dtype=np.dtype(_TFJS_DTYPES[stored]).newbyteorder("<"), count=count, offset=offset
            )
            offset += nbytes
            if quant and stored in ("uint8", "uint16"):  # as TF.js dequantizes: q * scale + min
                values = (values.astype(np.float64) * quant["scale"] + quant["min"]).astype(np.float32)
                notes.append(f"{name}: {stored}-quantized weights, read as TF.js dequantizes them")
            arrays[name] = values.astype(np.float32).reshape(shape)
            order.append(name)
        if offset != len(blob):
            raise ImportModelError(
                Message(
                    "import.tfjs_bytes",
                    "{path}: the shards of {shards} hold {size} bytes, the manifest describes {described}",
                    path=str(model_json),
                    shards=group.get("paths"),
                    size=len(blob),
                    described=offset,
                )
            )

    def weights_of(name: str) -> Weights:
        return [(_role(n), arrays[n]) for n in order if name in n.split("/")[:-1]]

    net = network_from_keras(config, weights_of, f"TensorFlow.js layers model ({model_json.name})")
    net.notes += notes
    return net


def _shard(folder: Path, relative: str) -> bytes:
    """One weight file named in the manifest: inside the model's folder only."""
    target = (folder / relative).resolve()
    if folder.resolve() not in target.parents:
        raise ImportModelError(
            Message(
                "import.tfjs_outside",
                "{path}: weight path {shard!r} leaves the model's folder",
                path=str(folder / "model.json"),
                shard=relative,
            )
        )
    try:
        return target.read_bytes()
    except OSError as e:
        raise ImportModelError(
            Message(
                "import.tfjs_shard",
                "{path}: missing weight shard ({error})",
                path=str(target),
                error=str(e.strerror or e),
            )
        ) from None


def _role(name: str) -> str:
    """ "lstm/lstm_cell/kernel:0" -> "kernel"."""
    return name.rsplit("/", 1)[-1].split(":", 1)[0]
