"""Which format a model file is, from its bytes (not its name), and the refusals of files that are no model
lstmlm reads: a TensorFlow SavedModel (or a file inside one), a TensorFlow checkpoint, anything else."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

from lstmlm.importing.network import ImportModelError, is_safetensors, not_a_model_file
from lstmlm.messages import Message

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
PICKLE_PROTO = b"\x80"  # the first byte of a pickle of protocol 2 or later
TABLE_MAGIC = bytes.fromhex("57fb808b247547db")  # ends a TensorFlow table: a checkpoint's .index
SAVED_MODEL_FILES = {"saved_model.pb", "keras_metadata.pb", "fingerprint.pb"}


def detect_format(path: str | os.PathLike) -> str:
    """ "keras" (.keras zip), "keras-h5" (HDF5), "tfjs" (model.json or its folder) or "torch", from the
    file's bytes, not its name. Raises ImportModelError for a missing path, a TensorFlow SavedModel or a file
    in none of these formats."""
    path = Path(path)
    if path.is_dir():
        if (path / "model.json").is_file():
            return "tfjs"
        if (path / "saved_model.pb").is_file():
            raise ImportModelError(_saved_model(path))
        raise ImportModelError(
            Message(
                "import.folder",
                "{path}: a folder without model.json (TF.js); give the model file itself",
                path=str(path),
            )
        )
    if not path.is_file():
        raise ImportModelError(Message("import.no_file", "{path}: no such file", path=str(path)))
    folder = path.parent.parent if path.parent.name == "variables" else path.parent
    if (path.name in SAVED_MODEL_FILES or folder != path.parent) and (folder / "saved_model.pb").is_file():
        raise ImportModelError(_saved_model(folder))  # a file inside tf.keras 2's model.save("dir")
    if _is_tf_checkpoint(path):
        raise ImportModelError(
            Message(
                "import.tf_checkpoint",
                "{path}: a TensorFlow checkpoint (model.save_weights without .h5, or tf.train.Checkpoint): "
                "weights only, without the architecture. Save the whole model with "
                'model.save("model.keras") (or .h5) and import that',
                path=str(path),
            )
        )
    with open(path, "rb") as f:
        head = f.read(9)
    if head[:8] == HDF5_MAGIC:
        return "keras-h5"
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError) as e:
            raise ImportModelError(
                Message(
                    "import.bad_zip", "{path}: a damaged zip file ({error})", path=str(path), error=str(e)
                )
            ) from None
        if "config.json" in names and "model.weights.h5" in names:
            return "keras"
        return "torch"  # torch.save's zip format (archive/data.pkl)
    if head.lstrip()[:1] == b"{":
        return "tfjs"
    if head[:1] == PICKLE_PROTO or is_safetensors(head):
        return "torch"  # torch.save's legacy format (a pickle), or safetensors (8-byte header length, JSON)
    raise ImportModelError(not_a_model_file(path))


def _saved_model(folder: Path) -> Message:
    return Message(
        "import.saved_model",
        "{path}: a TensorFlow SavedModel, which holds TensorFlow programs that lstmlm does not "
        'run: save the Keras model as model.save("model.keras") and import that file',
        path=str(folder),
    )


def _is_tf_checkpoint(path: Path) -> bool:
    """A TensorFlow checkpoint's files: NAME.index (a TensorFlow table: its magic ends the file) or
    NAME.data-00000-of-00001 beside it."""
    if re.search(r"\.data-\d{5}-of-\d{5}$", path.name):
        return (path.parent / (path.name.rsplit(".data-", 1)[0] + ".index")).is_file()
    if path.suffix != ".index" or path.stat().st_size < len(TABLE_MAGIC):
        return False
    with open(path, "rb") as f:
        f.seek(-len(TABLE_MAGIC), os.SEEK_END)
        return f.read() == TABLE_MAGIC
