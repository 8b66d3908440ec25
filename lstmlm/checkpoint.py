"""A model is a directory: `model.safetensors` (tensors), `config.json` (settings and a training
summary) and `vocab.txt` (one word per line). Loading never unpickles anything.

A save switches all three at once: they are symlinks into the version folder that `.current` names, and
a save commits by renaming a new `.current` over the old one (see `save_model`; the layout and its
mechanics are in `lstmlm.model_dir`). Directories of three plain files (the bundled models, older saves)
load as they are.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from lstmlm.bundled import default_model_dir  # re-exported: the one place the default is resolved
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.model_dir import (  # noqa: F401  (CURRENT ... remove_stale_staged: re-exported, as before)
    CONFIG,
    CURRENT,
    FILES,
    VERSION_PREFIX,
    VOCAB,
    WEIGHTS,
    WRITING,
    adopt_copied_current,
    current_version,
    file_in_version,
    fsync_dir,
    fsync_write,
    move_behind_current,
    remove_stale_staged,
    swap_link,
    version_name,
)
from lstmlm.tokenizers import get_tokenizer
from lstmlm.vocab import Vocab

FORMAT = "lstmlm-model"
FORMAT_VERSION = 1


class CheckpointError(Exception):
    """A model directory that cannot be loaded; the message names the file and the problem."""


def _tensors_to_save(model: LanguageModel, dtype: torch.dtype) -> dict[str, torch.Tensor]:
    state = model.state_dict()
    if model.config.softmax == "full" and model.config.tie_weights:
        state.pop("decoder.weight")  # the same tensor as embedding.weight; safetensors stores it once
    return {
        k: v.detach().to("cpu", dtype if v.is_floating_point() else v.dtype).contiguous()
        for k, v in state.items()
    }


def save_model(
    directory: str | os.PathLike,
    model: LanguageModel,
    vocab: Vocab,
    training: dict | None = None,
    dtype: torch.dtype = torch.float32,
    sections: dict | None = None,
) -> Path:
    """Write the model directory so that its three files change together.

    Layout: the weights, config and vocabulary of one save live in a hidden folder `.model-<pid>-<id>/`;
    the symlink `.current` names that folder, and `model.safetensors`, `config.json`, `vocab.txt` are
    fixed symlinks to `.current/<name>`. A save writes a new folder, then renames a new `.current` over
    the old one: that rename is the one commit point, so a kill at any moment leaves the old model or the
    new one, never parts of both. The previous folder is removed afterwards (or by the next save, after a
    kill). A directory of three plain files (an older save, a bundled model) is first moved behind
    `.current` one name at a time, each name keeping its content. Raises ValueError when the vocabulary
    does not fit the model, OSError when the folder cannot be written (the previous model stays whole).
    `sections` adds top-level entries to config.json (e.g. "import": what an import read and its
    certificate); a name config.json already uses raises ValueError.
    """
    if len(vocab) != model.config.vocab_size:
        raise ValueError(
            f"vocabulary has {len(vocab)} words but the model has {model.config.vocab_size} rows"
        )
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    remove_stale_staged(directory)
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model": model.config.to_dict(),
        "dtype": str(dtype).removeprefix("torch."),
        "tokenizer": vocab.tokenizer.name,  # how text becomes tokens (lstmlm.tokenizers); absent = wikitext
        "training": training or {},
        "saved": datetime.now(timezone.utc).isoformat(timespec="microseconds"),
    }
    if clash := set(sections or {}) & set(config):
        raise ValueError(f"sections {sorted(clash)}: config.json uses these names itself")
    config |= sections or {}
    version = directory / version_name()
    committed = False
    WRITING.add(version.name)
    try:
        version.mkdir()
        tensors = _tensors_to_save(model, dtype)
        save_file(tensors, str(version / WEIGHTS), metadata={"format": FORMAT})  # to a path; fsync after
        with open(version / WEIGHTS, "rb+") as f:
            os.fsync(f.fileno())
        fsync_write(version / VOCAB, lambda f: f.write(("\n".join(vocab.words) + "\n").encode()))
        fsync_write(version / CONFIG, lambda f: f.write(json.dumps(config, indent=2).encode()))
        fsync_dir(version)
        adopt_copied_current(directory)
        move_behind_current(directory)
        previous = current_version(directory)
        swap_link(directory / CURRENT, version.name)  # the commit
        committed = True
        fsync_dir(directory)
    finally:
        WRITING.discard(version.name)
        if not committed:
            shutil.rmtree(version, ignore_errors=True)
            if not (directory / CURRENT).is_symlink():  # a first save: no names pointing nowhere
                for name in FILES:
                    if (directory / name).is_symlink():
                        (directory / name).unlink()
    if previous != directory and previous.name.startswith(VERSION_PREFIX):
        shutil.rmtree(previous, ignore_errors=True)
    return directory


def read_config(directory: str | os.PathLike) -> dict:
    """Parse and check config.json of a model directory (of the version `.current` names, if any)."""
    return _read_config(Path(directory), current_version(directory))


def _read_config(directory: Path, source: Path) -> dict:
    """config.json as `directory` shows it, read from `source` (the folder holding this version's files)."""
    path = directory / CONFIG
    if not directory.is_dir():
        raise CheckpointError(f"{directory}: not a model directory (it does not exist or is not a folder)")
    if not path.is_file():
        raise CheckpointError(f"{path}: missing (a model directory needs {CONFIG}, {WEIGHTS} and {VOCAB})")
    try:
        config = json.loads(file_in_version(directory, source, CONFIG).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise CheckpointError(f"{path}: not valid JSON ({e})") from None
    except OSError as e:
        raise CheckpointError(f"{path}: unreadable ({e.strerror})") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise CheckpointError(f'{path}: not an lstmlm model config (expected "format": "{FORMAT}")')
    if config.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(
            f"{path}: unknown format version {config.get('format_version')!r} "
            f"(this lstmlm reads {FORMAT_VERSION})"
        )
    return config


def load_model(directory: str | os.PathLike | None = None, device: str = "cpu") -> LanguageModel:
    """Load a model directory; the returned model (eval mode) carries `.vocab`, `.tokenizer` (how it reads
    text: config.json's "tokenizer", wikitext when absent; also `.vocab.tokenizer`) and `.info` (config.json).

    All three files come from one version: the folder `.current` names when the load starts (read again
    if a save swapped it meanwhile). Raises CheckpointError naming the file and the defect."""
    directory = Path(directory) if directory is not None else default_model_dir()
    for attempt in range(3):
        source = current_version(directory)
        try:
            return _load(directory, source, device)
        except CheckpointError:
            if attempt < 2 and current_version(directory) != source:
                continue  # a save committed a new version while this one was read: read that one
            raise
    raise AssertionError("unreachable")


def _load(directory: Path, source: Path, device: str) -> LanguageModel:
    config = _read_config(directory, source)
    try:
        model_config = ModelConfig.from_dict(config.get("model", {}))
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"{directory / CONFIG}: bad model settings: {e}") from None
    vocab_path = directory / VOCAB
    if not vocab_path.is_file():
        raise CheckpointError(f"{vocab_path}: missing")
    try:
        tokenizer = get_tokenizer(config.get("tokenizer"))
    except ValueError as e:
        raise CheckpointError(f"{directory / CONFIG}: {e} (this lstmlm reads text those ways)") from None
    try:
        vocab = Vocab.load(file_in_version(directory, source, VOCAB), tokenizer)
    except (ValueError, UnicodeDecodeError) as e:
        raise CheckpointError(f"{vocab_path}: unreadable ({e})") from None
    except OSError as e:
        raise CheckpointError(f"{vocab_path}: unreadable ({e.strerror})") from None
    if len(vocab) != model_config.vocab_size:
        raise CheckpointError(
            f"{vocab_path}: has {len(vocab)} words but {CONFIG} says vocab_size {model_config.vocab_size}"
        )
    try:
        model = LanguageModel(model_config)
    except (TypeError, ValueError, RuntimeError) as e:
        raise CheckpointError(f"{directory / CONFIG}: bad model settings: {e}") from None
    expected = _tensors_to_save(model, torch.float32)
    weights_path = directory / WEIGHTS
    if not weights_path.is_file():
        raise CheckpointError(f"{weights_path}: missing")
    loaded: dict[str, torch.Tensor] = {}
    try:
        with safe_open(str(file_in_version(directory, source, WEIGHTS)), framework="pt") as f:
            keys = set(f.keys())
            missing, extra = set(expected) - keys, keys - set(expected)
            if missing or extra:
                raise CheckpointError(
                    f"{weights_path}: tensors do not match {CONFIG}: missing {sorted(missing)[:5]}, "
                    f"unexpected {sorted(extra)[:5]}"
                )
            for k in expected:
                t = f.get_tensor(k)
                if tuple(t.shape) != tuple(expected[k].shape):
                    raise CheckpointError(
                        f"{weights_path}: tensor {k} has shape {tuple(t.shape)}, "
                        f"{CONFIG} implies {tuple(expected[k].shape)}"
                    )
                loaded[k] = t.to(expected[k].dtype)
    except CheckpointError:
        raise
    except (SafetensorError, OSError, ValueError, RuntimeError) as e:
        raise CheckpointError(f"{weights_path}: not a readable safetensors file ({e})") from None
    model.load_state_dict(loaded, strict=False)  # decoder.weight, when tied, is embedding.weight
    for k, t in model.state_dict().items():
        if t.is_floating_point() and not torch.isfinite(t).all():
            raise CheckpointError(f"{weights_path}: tensor {k} holds NaN or infinite values")
    model.vocab = vocab
    model.tokenizer = vocab.tokenizer  # the same object: how every reader cuts text for this model
    model.info = config
    return model.to(device).eval()
