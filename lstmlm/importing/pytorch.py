"""PyTorch files -> a `Network`: state dicts of the recurrent language models courses and recipes train.

Read with `torch.load(f, map_location="cpu", weights_only=True)` only: tensors and plain containers
(dicts, lists, strings, numbers), never pickled code; a safetensors file with safetensors. A whole model
saved by `torch.save(model, f)` pickles its class and is refused with that class's name.

The state dict's layout (one nn.LSTM / nn.GRU / nn.RNN, its output layer, an embedding or one-hot input) is
read from the parameter names and shapes, whatever the modules are called: `pytorch_layout`.

A checkpoint dict with the state dict under "state_dict" / "model_state_dict" / "model" may carry the
token list beside it ("tokens", "chars", "idx_to_token", {"char2idx": ...}, ...): it is used when its
length is the number of output classes. Names prefixed "module." (nn.DataParallel) are read without it.
"""

from __future__ import annotations

import os
import pickle
import re
import warnings
from pathlib import Path

import torch
from safetensors.torch import load_file

from lstmlm.importing.network import ImportModelError, Network, is_safetensors
from lstmlm.importing.pytorch_layout import network_from_state_dict
from lstmlm.importing.vocabulary import tokens_from_object
from lstmlm.messages import Message

_STATE_KEYS = ("state_dict", "model_state_dict", "model", "net", "model_state")


def read_torch_file(path: str | os.PathLike) -> tuple[dict[str, torch.Tensor], dict]:
    """The state dict (name -> tensor) and the checkpoint's other plain entries (e.g. its token list)."""
    path = Path(path)
    if not path.is_file():
        raise ImportModelError(Message("import.no_file", "{path}: no such file", path=str(path)))
    with open(path, "rb") as f:
        safetensors = is_safetensors(f.read(9))
    try:
        with warnings.catch_warnings():  # e.g. "Detected pickle protocol 4": the error below says more
            warnings.simplefilter("ignore", UserWarning)
            obj = load_file(path) if safetensors else torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        found = re.search(r"GLOBAL ([\w.]+)", str(e))
        if found and found.group(1).endswith("."):  # a name cut off: the file ends early, it is not code
            raise ImportModelError(_unreadable(path, "the file ends in the middle (cut short?)")) from None
        what = (
            Message("import.pickled_class", "a pickled {name}", name=found.group(1))
            if found
            else Message("import.pickled_code", "pickled code or objects")
        )
        raise ImportModelError(
            Message(
                "import.pickled",
                "{path}: not a plain state dict: it holds {what}, which is never loaded (loading it would "
                "run code from the file). If it is a whole model saved by torch.save(model, f), load it "
                "where you trust it and save torch.save(model.state_dict(), f) instead",
                path=str(path),
                what=what,
            )
        ) from None
    except Exception as e:  # bytes that are no torch file fail anywhere in its unpickler
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ImportModelError(_unreadable(path, first)) from None
    extras: dict = {}
    if isinstance(obj, dict) and not any(isinstance(v, torch.Tensor) for v in obj.values()):
        for key in _STATE_KEYS:  # nested in a training checkpoint
            if isinstance(obj.get(key), dict):
                extras = {k: v for k, v in obj.items() if k != key}
                obj = obj[key]
                break
    if (
        not isinstance(obj, dict)
        or not obj
        or not all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in obj.items())
    ):
        raise ImportModelError(
            Message(
                "import.not_state_dict",
                "{path}: not a state dict (expected a dict of parameter name -> tensor)",
                path=str(path),
            )
        )
    # nn.DataParallel / DistributedDataParallel prefix every name with "module."
    if all(k.startswith("module.") for k in obj):
        obj = {k.removeprefix("module."): v for k, v in obj.items()}
    return dict(obj), extras


def _unreadable(path: Path, error: str) -> Message:
    """A file that torch.load / safetensors cannot read, with their reason (English)."""
    return Message(
        "import.torch_unreadable",
        "{path}: not a readable PyTorch file ({error})",
        path=str(path),
        error=error,
    )


def network_from_torch_file(path: str | os.PathLike, cell: str | None = None) -> Network:
    """Read a PyTorch file and find its layout (pytorch_layout); `tokens`: its token list when one fits."""
    state, extras = read_torch_file(path)
    net = network_from_state_dict(state, cell)
    net.tokens = tokens_from_object(extras, size=net.decoder_weight.shape[0]) if extras else None
    return net
