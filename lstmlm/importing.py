"""Bring your own model: a PyTorch examples `word_language_model` state dict -> a model directory.

That recipe's `RNNModel` has `encoder` (nn.Embedding), `rnn` (nn.LSTM / nn.GRU / nn.RNN), `drop` and
`decoder` (nn.Linear), the decoder's weight optionally tied to the encoder's. Its parameters already
carry PyTorch's own names, so importing is a renaming:

    encoder.weight -> embedding.weight      rnn.* -> rnn.*      decoder.* -> decoder.* (softmax "full")

Its vocabulary is not saved with the weights: the recipe's `data.Corpus` numbers words in order of first
appearance, scanning train.txt, then valid.txt, then test.txt, every line's words followed by `<eos>`
(`words = line.split() + ['<eos>']`). `recipe_words(folder)` rebuilds that list from the same folder.

The file is read with `torch.load(f, map_location="cpu", weights_only=True)` only: plain tensors, never
pickled code. (The recipe's own `main.py` saves the whole model with `torch.save(model, f)`, which pickles
its class; load it once where you trust it and `torch.save(model.state_dict(), f)`.)

Wrapping any other `nn.LSTM` language model (embedding -> nn.LSTM -> linear layer) with its word list:

    from lstmlm import LanguageModel, ModelConfig, Vocab, save_model

    config = ModelConfig(vocab_size=len(words), embed_dim=E, hidden_dim=H, num_layers=L,
                         dropout=0.0, tie_weights=False, softmax="full")
    model = LanguageModel(config)
    model.embedding.load_state_dict(my_embedding.state_dict())  # weight (V, E)
    model.rnn.load_state_dict(my_lstm.state_dict())  # weight_ih_l0 (4H, E), ...: gate order i, f, g, o
    model.decoder.load_state_dict(my_linear.state_dict())  # weight (V, H), bias (V,)
    model.vocab = Vocab(words)  # word i is row i
    save_model("runs/mine", model.eval(), model.vocab, {"imported_from": "my model"})

The nn.LSTM needs biases (`bias=True`), one direction and no projections (`proj_size=0`); `batch_first`
does not matter (same weights). `load_model("runs/mine")` then gives the model back, and every lstmlm tool
(trace, playground, `lstmlm index`) reads it. The word list should hold `<unk>` (any word it lacks is read
as `<unk>`) and `<eos>` (the line break).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import warnings
from pathlib import Path

import torch

from .model import LanguageModel, ModelConfig
from .vocab import EOS, UNK, Vocab

RECIPE = "pytorch/examples word_language_model"
GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1}  # rows of weight_ih per hidden unit, by cell
# A corpus without <unk> gets one more word so that any text can be typed: its embedding row is zero and
# its output bias this low, so exp(bias - max logit) underflows to 0 and every other probability is kept.
UNK_BIAS = -1e4


class ImportModelError(ValueError):
    """A state dict or corpus that cannot be imported; the message says which file and why."""


def read_state_dict(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Load a file of tensors only (weights_only=True): anything else is an ImportModelError."""
    path = Path(path)
    if not path.is_file():
        raise ImportModelError(f"{path}: no such file")
    try:
        with warnings.catch_warnings():  # e.g. "Detected pickle protocol 4": the error below says more
            warnings.simplefilter("ignore", UserWarning)
            obj = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ImportModelError(
            f"{path}: not a plain state dict (it holds pickled code or objects, which are never loaded: "
            f"{first}). If it is a whole model saved by torch.save(model, f), load it where you trust it "
            f"and save torch.save(model.state_dict(), f) instead"
        ) from None
    except (RuntimeError, OSError, EOFError, ValueError) as e:
        raise ImportModelError(f"{path}: not a readable PyTorch file ({e})") from None
    if isinstance(obj, dict) and not any(isinstance(v, torch.Tensor) for v in obj.values()):
        for key in ("state_dict", "model_state_dict", "model"):  # nested in a training checkpoint
            if isinstance(obj.get(key), dict):
                obj = obj[key]
                break
    if (
        not isinstance(obj, dict)
        or not obj
        or not all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in obj.items())
    ):
        raise ImportModelError(f"{path}: not a state dict (expected a dict of parameter name -> tensor)")
    # nn.DataParallel / DistributedDataParallel prefix every name with "module."
    if all(k.startswith("module.") for k in obj):
        obj = {k.removeprefix("module."): v for k, v in obj.items()}
    return dict(obj)


def recipe_words(folder: str | os.PathLike) -> list[str]:
    """The recipe's vocabulary: first appearance in train.txt, valid.txt, test.txt; `<eos>` ends each line."""
    folder = Path(folder)
    words: dict[str, None] = {}  # insertion-ordered set
    for split in ("train.txt", "valid.txt", "test.txt"):
        path = folder / split
        if not path.is_file():
            raise ImportModelError(f"{path}: missing (the recipe's vocabulary is read from {split})")
        try:
            with open(path, encoding="utf-8") as f:  # text mode, as the recipe reads it
                for line in f:
                    words.update(dict.fromkeys(line.split()))
                    words[EOS] = None
        except (OSError, UnicodeDecodeError) as e:
            raise ImportModelError(f"{path}: unreadable ({e})") from None
    return list(words)


def config_from_state_dict(
    state: dict[str, torch.Tensor], vocab_size: int, cell: str | None = None, tied: bool | None = None
) -> ModelConfig:
    """Sizes from tensor shapes; `cell` and `tied` are checked against them (None: inferred)."""
    needed = ("encoder.weight", "decoder.bias", "rnn.weight_ih_l0", "rnn.weight_hh_l0")
    missing = [k for k in needed if k not in state]
    if missing:
        raise ImportModelError(
            f"not a word_language_model RNNModel state dict: missing {missing} (found {sorted(state)[:6]}...)"
        )
    shapes = {k: tuple(state[k].shape) for k in needed}
    if (
        len(shapes["encoder.weight"]) != 2
        or len(shapes["rnn.weight_ih_l0"]) != 2
        or len(shapes["rnn.weight_hh_l0"]) != 2
    ):
        raise ImportModelError(f"unexpected tensor shapes for an RNNModel: {shapes}")
    rows, embed_dim = shapes["encoder.weight"]
    if rows != vocab_size:
        raise ImportModelError(
            f"the model's embedding has {rows:,} rows but the corpus gives {vocab_size:,} words: import it "
            "with the corpus folder it was trained on (its train.txt, valid.txt and test.txt, unchanged)"
        )
    hidden_dim = shapes["rnn.weight_hh_l0"][1]
    layers = [re.fullmatch(r"rnn\.weight_hh_l(\d+)", k) for k in state]
    num_layers = 1 + max(int(m.group(1)) for m in layers if m)
    gate_rows = shapes["rnn.weight_ih_l0"][0]
    inferred = {g * hidden_dim: c for c, g in GATES.items()}.get(gate_rows)
    if inferred is None:
        raise ImportModelError(
            f"rnn.weight_ih_l0 has {gate_rows} rows for {hidden_dim} units: not an LSTM (4 x {hidden_dim}), "
            f"GRU (3 x) or RNN (1 x)"
        )
    if cell is not None and cell != inferred:
        raise ImportModelError(f"--cell {cell}: the weights are those of a {inferred}")
    decoder = state.get("decoder.weight")
    same = decoder is None or (
        decoder.shape == state["encoder.weight"].shape and torch.equal(decoder, state["encoder.weight"])
    )
    if tied and not same:
        raise ImportModelError("--tied: decoder.weight differs from encoder.weight, so they were not tied")
    try:
        return ModelConfig(
            vocab_size=vocab_size,
            cell=inferred,
            embed_dim=embed_dim,
            hidden_dim=hidden_dim,
            num_layers=num_layers,
            dropout=0.0,  # training only; unknown from the weights
            tie_weights=same,
            softmax="full",
        )
    except ValueError as e:
        raise ImportModelError(f"these tensors make no model: {e}") from None


def from_recipe(
    state: dict[str, torch.Tensor], words: list[str], cell: str | None = None, tied: bool | None = None
) -> LanguageModel:
    """A LanguageModel (eval mode, `.vocab` set) with the recipe's weights; adds `<unk>` when missing."""
    config = config_from_state_dict(state, len(words), cell, tied)
    tensors = {"embedding.weight": state["encoder.weight"], "decoder.bias": state["decoder.bias"]}
    tensors["decoder.weight"] = state.get("decoder.weight", state["encoder.weight"])
    tensors |= {k: v for k, v in state.items() if k.startswith("rnn.")}
    extra = sorted(
        k
        for k in state
        if k not in ("encoder.weight", "decoder.weight", "decoder.bias") and not k.startswith("rnn.")
    )
    if extra:
        raise ImportModelError(f"unexpected tensors for an RNNModel: {extra[:5]}")
    if UNK not in words:
        words, tensors = [*words, UNK], _with_unk(tensors, config.tie_weights)
        config = ModelConfig.from_dict(dict(config.to_dict(), vocab_size=len(words)))
    model = LanguageModel(config)
    try:
        model.load_state_dict({k: v.float() for k, v in tensors.items()}, strict=True)
    except RuntimeError as e:
        lines = [line.strip() for line in str(e).splitlines() if line.strip()]
        raise ImportModelError(f"the tensors do not fit an RNNModel of these sizes: {lines[-1]}") from None
    model.vocab = Vocab(words)
    return model.eval()


def _with_unk(tensors: dict[str, torch.Tensor], tied: bool) -> dict[str, torch.Tensor]:
    """One more vocabulary row for <unk>: a zero embedding that the output layer never predicts."""
    out = dict(tensors)
    emb = tensors["embedding.weight"]
    out["embedding.weight"] = torch.cat([emb, emb.new_zeros(1, emb.size(1))])
    if tied:
        out["decoder.weight"] = out["embedding.weight"]
    else:
        dec = tensors["decoder.weight"]
        out["decoder.weight"] = torch.cat([dec, dec.new_zeros(1, dec.size(1))])
    bias = tensors["decoder.bias"]
    out["decoder.bias"] = torch.cat([bias, bias.new_full((1,), UNK_BIAS)])
    return out


def import_recipe(
    state_dict_path: str | os.PathLike,
    corpus_dir: str | os.PathLike,
    cell: str | None = None,
    tied: bool | None = None,
) -> tuple[LanguageModel, dict]:
    """Read and convert; returns the model and the training summary to save with it."""
    state = read_state_dict(state_dict_path)
    words = recipe_words(corpus_dir)
    model = from_recipe(state, words, cell, tied)
    digest = hashlib.sha256(Path(state_dict_path).read_bytes()).hexdigest()
    summary = {
        "imported": True,
        "imported_from": str(state_dict_path),
        "sha256": digest,
        "recipe": RECIPE,
        "data": str(corpus_dir),
        "vocabulary": "first appearance in train.txt, valid.txt, test.txt (the recipe's order)",
        "added_unk": UNK not in words,
    }
    return model, summary
