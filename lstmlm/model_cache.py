"""Studies cached in a model directory (the unit atlas, the cell-hunt ranking): one gzipped JSON file each,
written atomically and read back only while it still belongs to the model beside it."""

from __future__ import annotations

import gzip
import json
import os
import zlib
from pathlib import Path


def write_cache(model_dir: str | os.PathLike, name: str, data: dict) -> Path:
    """Write DIR/name as gzipped JSON atomically (a staged file renamed over it)."""
    path = Path(model_dir) / name
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        tmp.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def read_cache(model_dir: str | os.PathLike, name: str) -> tuple[dict, dict] | None:
    """DIR/name and the model settings of DIR/config.json (num_layers, hidden_dim, ...), or None when the
    file is missing or unreadable, or was built before the model was saved again (its `model_saved`)."""
    directory = Path(model_dir)
    try:
        data = json.loads(gzip.decompress((directory / name).read_bytes()).decode("utf-8"))
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        settings = dict(config["model"])
    except (OSError, ValueError, EOFError, zlib.error, TypeError, KeyError):
        return None
    if not isinstance(data, dict) or (data.get("model_saved") and data["model_saved"] != config.get("saved")):
        return None
    return data, settings
