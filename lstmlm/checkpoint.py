"""A model is a directory: `model.safetensors` (tensors), `config.json` (settings and a training
summary) and `vocab.txt` (one word per line). Loading never unpickles anything.
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

from .bundled import default_model_dir  # re-exported: the one place the default is resolved
from .model import LanguageModel, ModelConfig
from .vocab import Vocab

FORMAT = "lstmlm-model"
FORMAT_VERSION = 1
WEIGHTS, CONFIG, VOCAB = "model.safetensors", "config.json", "vocab.txt"


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


def _fsync_write(path: Path, write) -> None:
    with open(path, "wb") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())


def save_model(
    directory: str | os.PathLike,
    model: LanguageModel,
    vocab: Vocab,
    training: dict | None = None,
    dtype: torch.dtype = torch.float32,
) -> Path:
    """Write the model directory; every file is staged under a temporary name, then renamed into place."""
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
        "training": training or {},
        "saved": datetime.now(timezone.utc).isoformat(timespec="microseconds"),
    }
    tag = f".tmp-{os.getpid()}"
    staged = {name: directory / (name + tag) for name in (WEIGHTS, VOCAB, CONFIG)}
    previous = {name: directory / (name + tag + "-previous") for name in staged}
    rescue = False
    try:
        tensors = _tensors_to_save(model, dtype)
        # safetensors writes to a path; fsync it afterwards
        save_file(tensors, str(staged[WEIGHTS]), metadata={"format": FORMAT})
        with open(staged[WEIGHTS], "rb+") as f:
            os.fsync(f.fileno())
        _fsync_write(staged[VOCAB], lambda f: f.write(("\n".join(vocab.words) + "\n").encode()))
        _fsync_write(staged[CONFIG], lambda f: f.write(json.dumps(config, indent=2).encode()))
        # Three renames are not one: keep the previous files under a second name until all three are in
        # place, and put them back if a rename fails, so the directory never mixes two models.
        for name in staged:
            if (directory / name).exists():
                _link_or_copy(directory / name, previous[name])
        replaced: list[str] = []
        try:
            for name, tmp in staged.items():  # config last: who sees the new config sees the new weights
                os.replace(tmp, directory / name)
                replaced.append(name)
        except BaseException:
            rescue = True  # until the previous files are back, their second names are their only names
            for name in reversed(replaced):
                if previous[name].exists():
                    os.replace(previous[name], directory / name)
                else:  # there was no previous model: leave no half of the new one
                    (directory / name).unlink(missing_ok=True)
            rescue = False
            raise
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        for tmp in (*staged.values(), *(() if rescue else previous.values())):
            tmp.unlink(missing_ok=True)
    return directory


def remove_stale_staged(directory: Path) -> None:
    """Delete files staged (`<name>.tmp-<pid>...`) by a save whose process is gone, e.g. killed mid-save."""
    for path in directory.glob("*.tmp-*"):
        pid = path.name.rsplit(".tmp-", 1)[1].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _process_exists(int(pid)):
            path.unlink(missing_ok=True)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, owned by someone else
        return True
    return True


def _link_or_copy(src: Path, dst: Path) -> None:
    """A second name for src (a hard link; a copy where the file system has none)."""
    dst.unlink(missing_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def read_config(directory: str | os.PathLike) -> dict:
    """Parse and check config.json of a model directory."""
    path = Path(directory) / CONFIG
    if not Path(directory).is_dir():
        raise CheckpointError(f"{directory}: not a model directory (it does not exist or is not a folder)")
    if not path.is_file():
        raise CheckpointError(f"{path}: missing (a model directory needs {CONFIG}, {WEIGHTS} and {VOCAB})")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise CheckpointError(f"{path}: not valid JSON ({e})") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise CheckpointError(f'{path}: not an lstmlm model config (expected "format": "{FORMAT}")')
    if config.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(
            f"{path}: unknown format version {config.get('format_version')!r} "
            f"(this lstmlm reads {FORMAT_VERSION})"
        )
    return config


def load_model(directory: str | os.PathLike | None = None, device: str = "cpu") -> LanguageModel:
    """Load a model directory; the returned model (eval mode) carries `.vocab` and `.info` (config.json)."""
    directory = Path(directory) if directory is not None else default_model_dir()
    config = read_config(directory)
    try:
        model_config = ModelConfig.from_dict(config.get("model", {}))
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"{directory / CONFIG}: bad model settings: {e}") from None
    vocab_path = directory / VOCAB
    if not vocab_path.is_file():
        raise CheckpointError(f"{vocab_path}: missing")
    try:
        vocab = Vocab.load(vocab_path)
    except (ValueError, UnicodeDecodeError) as e:
        raise CheckpointError(f"{vocab_path}: unreadable ({e})") from None
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
        with safe_open(str(weights_path), framework="pt") as f:
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
    model.info = config
    return model.to(device).eval()
