"""Where models are found: the ones that ship with the package, and folders of your own.

The source tree keeps models in `assets/models/<name>/`. A wheel carries the same folders as package data
in `lstmlm/_models/<name>/` (copied there at build time by `setup.py`). Everything here reads them through
`importlib.resources`, so one code path serves a clone (editable install or none), an installed wheel and
a zipped install; a model inside a zip archive is copied once per process into a temporary folder, because
safetensors reads a real file.

To switch the default model of the CLI and the playground, change `DEFAULT_MODEL`.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importlib.resources.abc from Python 3.11 on
    from importlib.abc import Traversable

DEFAULT_MODEL = "storybooks-lstm"  # the bundled model used when no --model is given
MODEL_ENV = "LSTMLM_MODEL"  # a model directory that replaces the default
MODELS_PATH_ENV = "LSTMLM_MODELS_PATH"  # folders of your own model folders (os.pathsep-separated)
PACKAGED = "_models"  # lstmlm/_models/<name>/ inside a built wheel
SOURCE_TREE = Path(__file__).resolve().parent.parent / "assets" / "models"  # a clone's models


@dataclass(frozen=True)
class InstalledModel:
    """One model directory that `--model NAME` can name."""

    name: str  # the folder's name, e.g. "wikitext2-lstm"
    location: str  # where it lives (inside a zip archive for a zipped install)
    origin: str  # "bundled" or the $LSTMLM_MODELS_PATH folder it was found in
    config: dict  # its config.json


def _packaged_root() -> Traversable | None:
    try:
        root = resources.files("lstmlm") / PACKAGED
    except (ModuleNotFoundError, TypeError):  # pragma: no cover: lstmlm imported without a package spec
        return None
    return root if root.is_dir() else None


def bundled_root() -> Traversable | None:
    """The folder of bundled models: the package data of an installed wheel, else a clone's assets/models;
    None when neither exists (a wheel built without models)."""
    packaged = _packaged_root()
    if packaged is not None:
        return packaged
    return SOURCE_TREE if SOURCE_TREE.is_dir() else None


def _is_model(folder: Traversable) -> bool:
    return folder.is_dir() and (folder / "config.json").is_file()


def _model_folders(root: Traversable) -> list[Traversable]:
    return sorted((p for p in root.iterdir() if _is_model(p)), key=lambda p: p.name)


def extra_roots() -> list[Path]:
    """The folders named by $LSTMLM_MODELS_PATH, in order (missing ones included: `lstmlm models` says so)."""
    value = os.environ.get(MODELS_PATH_ENV, "")
    return [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]


def _read_config(folder: Traversable) -> dict:
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return config if isinstance(config, dict) else {}


def installed_models() -> list[InstalledModel]:
    """Every model a name can pick: the $LSTMLM_MODELS_PATH folders first (so yours can shadow a bundled
    name), then the bundled models; each name once."""
    found: dict[str, InstalledModel] = {}
    sources: list[tuple[Traversable, str]] = [(r, str(r)) for r in extra_roots() if r.is_dir()]
    root = bundled_root()
    if root is not None:
        sources.append((root, "bundled"))
    for root, origin in sources:
        for folder in _model_folders(root):
            if folder.name not in found:
                found[folder.name] = InstalledModel(folder.name, str(folder), origin, _read_config(folder))
    return list(found.values())


_extracted: dict[str, Path] = {}


def _on_disk(folder: Traversable) -> Path:
    """`folder` as a real directory: itself when it is one, else a copy in a per-process temporary folder
    (a zipped install), removed at exit."""
    if isinstance(folder, Path):
        return folder
    key = str(folder)
    if key not in _extracted:
        target = Path(tempfile.mkdtemp(prefix="lstmlm-model-")) / folder.name
        atexit.register(shutil.rmtree, target.parent, True)
        target.mkdir()
        for item in folder.iterdir():
            if item.is_file():
                (target / item.name).write_bytes(item.read_bytes())
        _extracted[key] = target
    return _extracted[key]


def bundled_model_dirs() -> list[Path]:
    """Every bundled model as a real directory (the playground's Compare line-up), sorted by name."""
    root = bundled_root()
    return [] if root is None else [_on_disk(f) for f in _model_folders(root)]


def installed_model_dir(name: str) -> Path | None:
    """The directory of the installed model called `name` (see `installed_models`), or None."""
    roots: list[Traversable] = [r for r in extra_roots() if r.is_dir()]
    root = bundled_root()
    if root is not None:
        roots.append(root)
    for root in roots:
        folder = root / name
        if _is_model(folder):
            return _on_disk(folder)
    return None


def default_model_dir() -> Path:
    """$LSTMLM_MODEL when set, else the installed model named `DEFAULT_MODEL`. When that is missing, the
    path where it should be (loading it then fails with a message naming that path)."""
    env = os.environ.get(MODEL_ENV)
    if env:
        return Path(env)
    found = installed_model_dir(DEFAULT_MODEL)
    if found is not None:
        return found
    packaged = _packaged_root()
    return (packaged if isinstance(packaged, Path) else SOURCE_TREE) / DEFAULT_MODEL


def resolve_model(value: str | os.PathLike | None) -> Path:
    """What a `--model` option names: None is the default model; an existing path is itself; a bare name
    such as "wikitext2-gru" is that installed model; anything else is returned as a path, so that loading
    it fails with a message naming it."""
    if value is None or str(value) == "":
        return default_model_dir()
    path = Path(value)
    if path.exists() or len(path.parts) != 1:
        return path
    found = installed_model_dir(str(value))
    return found if found is not None else path
