"""Model directories: exact round trips, a CheckpointError naming the file for every defect, atomic saves."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

import lstmlm
from lstmlm.checkpoint import CheckpointError, load_model, read_config, save_model
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.vocab import Vocab

VOCAB = Vocab(["<eos>", "<unk>", *(f"w{n}" for n in range(18))])  # 20 words


def make(seed: int = 0, vocab_size: int = 20, **settings) -> LanguageModel:
    torch.manual_seed(seed)
    config = {"vocab_size": vocab_size, "embed_dim": 8, "hidden_dim": 8, "num_layers": 2, "dropout": 0.0}
    return LanguageModel(ModelConfig(**(config | settings))).eval()


IDS = torch.tensor([[0, 3, 5, 7, 2, 9]]).T  # (T, 1)


@torch.no_grad()
def log_probs(model: LanguageModel) -> torch.Tensor:
    return model.log_probs(model(IDS)[0])


@pytest.fixture()
def saved(tmp_path) -> Path:
    return save_model(
        tmp_path / "model", make(), VOCAB, {"data": "tiny", "epochs": 1, "val_perplexity": 17.5}
    )


def leftovers(directory: Path) -> list[str]:
    """Staged names, and version folders other than the one `.current` names."""
    current = os.readlink(directory / ".current") if (directory / ".current").is_symlink() else None
    return sorted(
        p.name
        for p in directory.iterdir()
        if ".tmp-" in p.name or (p.name.startswith(".model-") and p.name != current)
    )


def visible(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if not p.name.startswith("."))


# --- round trips ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"tie_weights": False},
        {"softmax": "adaptive", "tie_weights": False, "adaptive_cutoffs": (5, 12), "adaptive_div_value": 2.0},
        {"cell": "gru"},
    ],
)
def test_round_trip_gives_identical_log_probs(tmp_path, settings):
    model = make(**settings)
    save_model(tmp_path / "m", model, VOCAB, {"data": "tiny", "epochs": 3})
    assert visible(tmp_path / "m") == ["config.json", "model.safetensors", "vocab.txt"]
    loaded = lstmlm.load_model(tmp_path / "m")
    assert torch.equal(log_probs(loaded), log_probs(model))
    assert not loaded.training
    assert loaded.config == model.config
    assert loaded.vocab.words == VOCAB.words
    assert loaded.info["training"] == {"data": "tiny", "epochs": 3}
    assert loaded.info["format"] == "lstmlm-model" and loaded.info["format_version"] == 1
    assert loaded.info["dtype"] == "float32" and loaded.info["saved"].startswith("20")


def test_tied_weights_are_stored_once_and_tied_again(saved):
    assert "decoder.weight" not in load_file(str(saved / "model.safetensors"))
    loaded = load_model(saved)
    assert loaded.decoder.weight is loaded.embedding.weight


def test_files_are_plain_tensors_json_and_text(saved):
    config = json.loads((saved / "config.json").read_text())
    assert config["model"]["hidden_dim"] == 8 and config["training"]["val_perplexity"] == 17.5
    assert (saved / "vocab.txt").read_text().split("\n")[:3] == ["<eos>", "<unk>", "w0"]
    tensors = load_file(str(saved / "model.safetensors"))
    assert tensors["rnn.weight_hh_l1"].shape == (32, 8) and tensors["rnn.weight_hh_l1"].dtype == torch.float32
    assert read_config(saved) == config


def test_float16_save_is_half_the_size_and_close(tmp_path):
    model = make()
    save_model(tmp_path / "f32", model, VOCAB)
    save_model(tmp_path / "f16", model, VOCAB, dtype=torch.float16)
    loaded = load_model(tmp_path / "f16")
    assert loaded.info["dtype"] == "float16"
    assert load_file(str(tmp_path / "f16" / "model.safetensors"))["embedding.weight"].dtype == torch.float16
    assert loaded.embedding.weight.dtype == torch.float32  # ready to run
    size = {d: (tmp_path / d / "model.safetensors").stat().st_size for d in ("f16", "f32")}
    assert size["f16"] < 0.6 * size["f32"]
    diff = (log_probs(loaded) - log_probs(model)).abs().max().item()
    assert 0 < diff < 1e-3


def test_saving_checks_the_vocabulary_size(tmp_path):
    with pytest.raises(ValueError, match="vocabulary has 20 words but the model has 21 rows"):
        save_model(tmp_path / "m", make(vocab_size=21), VOCAB)


# --- every defect is a CheckpointError naming the file ------------------------------------------------


def rewrite_tensors(directory: Path, change) -> None:
    tensors = load_file(str(directory / "model.safetensors"))
    change(tensors)
    save_file(tensors, str(directory / "model.safetensors"))


def edit_config(directory: Path, change) -> None:
    config = json.loads((directory / "config.json").read_text())
    change(config)
    (directory / "config.json").write_text(json.dumps(config))


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def grow_vocab(directory: Path) -> None:  # config and vocab agree on 21 words, the tensors have 20 rows
    edit_config(directory, lambda c: c["model"].update(vocab_size=21))
    with open(directory / "vocab.txt", "a") as f:
        f.write("extra\n")


DEFECTS = {
    "missing config": (
        "config.json",
        lambda d: (d / "config.json").unlink(),
        r"missing \(a model directory needs",
    ),
    "missing weights": ("model.safetensors", lambda d: (d / "model.safetensors").unlink(), "missing"),
    "missing vocab": ("vocab.txt", lambda d: (d / "vocab.txt").unlink(), "missing"),
    "config not JSON": (
        "config.json",
        lambda d: (d / "config.json").write_text("{format: lstmlm"),
        "not valid JSON",
    ),
    "model settings null": (
        "config.json",
        lambda d: edit_config(d, lambda c: c.update(model=None)),
        r"bad model settings: expected an object of settings, got null$",
    ),
    "model settings absent": (  # not read as the defaults (vocab_size 10000) and blamed on vocab.txt
        "config.json",
        lambda d: edit_config(d, lambda c: c.pop("model")),
        r"missing model settings: \['embed_dim', 'hidden_dim', 'num_layers', 'vocab_size'\]$",
    ),
    "vocab_size absent": (
        "config.json",
        lambda d: edit_config(d, lambda c: c["model"].pop("vocab_size")),
        r"bad model settings: missing model settings: \['vocab_size'\]$",
    ),
    "config a list": (
        "config.json",
        lambda d: (d / "config.json").write_text("[1, 2]"),
        r'not an lstmlm model config \(expected "format": "lstmlm-model"\)',
    ),
    "wrong format": (
        "config.json",
        lambda d: edit_config(d, lambda c: c.update(format="gpt2")),
        "not an lstmlm model config",
    ),
    "future version": (
        "config.json",
        lambda d: edit_config(d, lambda c: c.update(format_version=2)),
        r"unknown format version 2 \(this lstmlm reads 1\)",
    ),
    "bad settings": (
        "config.json",
        lambda d: edit_config(d, lambda c: c["model"].update(hidden_dim=-8)),
        "bad model settings: hidden_dim must be a whole number >= 1",
    ),
    "unknown setting": (
        "config.json",
        lambda d: edit_config(d, lambda c: c["model"].update(heads=4)),
        r"bad model settings: unknown model settings: \['heads'\]",
    ),
    "vocab too short": (
        "vocab.txt",
        lambda d: (d / "vocab.txt").write_text("\n".join(VOCAB.words[:-1]) + "\n"),
        "has 19 words but config.json says vocab_size 20",
    ),
    "vocab duplicate": (
        "vocab.txt",
        lambda d: (d / "vocab.txt").write_text("\n".join(VOCAB.words[:-1] + ["w0"])),
        "unreadable .*duplicate word 'w0'",
    ),
    "vocab not UTF-8": ("vocab.txt", lambda d: (d / "vocab.txt").write_bytes(b"\xff\xfe" * 20), "unreadable"),
    "config and tensors disagree": (
        "model.safetensors",
        grow_vocab,
        r"tensor embedding.weight has shape \(20, 8\), config.json implies \(21, 8\)",
    ),
    "truncated tensors": (
        "model.safetensors",
        lambda d: truncate(d / "model.safetensors"),
        "not a readable safetensors file",
    ),
    "empty tensors": (
        "model.safetensors",
        lambda d: (d / "model.safetensors").write_bytes(b""),
        "not a readable safetensors file",
    ),
    "wrong shape": (
        "model.safetensors",
        lambda d: rewrite_tensors(d, lambda t: t.update({"rnn.weight_hh_l1": torch.zeros(8, 32)})),
        r"tensor rnn.weight_hh_l1 has shape \(8, 32\), config.json implies \(32, 8\)",
    ),
    "missing tensor": (
        "model.safetensors",
        lambda d: rewrite_tensors(d, lambda t: t.pop("rnn.bias_hh_l1")),
        r"tensors do not match config.json: missing \['rnn.bias_hh_l1'\]",
    ),
    "extra tensor": (
        "model.safetensors",
        lambda d: rewrite_tensors(d, lambda t: t.update(extra=torch.ones(2))),
        r"unexpected \['extra'\]",
    ),
    "NaN weights": (
        "model.safetensors",
        lambda d: rewrite_tensors(d, lambda t: t["rnn.weight_ih_l0"].__setitem__((3, 1), float("nan"))),
        "tensor rnn.weight_ih_l0 holds NaN or infinite values",
    ),
    "infinite weights": (
        "model.safetensors",
        lambda d: rewrite_tensors(d, lambda t: t["decoder.bias"].__setitem__(0, float("inf"))),
        "tensor decoder.bias holds NaN or infinite values",
    ),
}


@pytest.mark.parametrize("defect", list(DEFECTS))
def test_every_defect_raises_a_checkpoint_error_naming_the_file(saved, defect):
    filename, damage, message = DEFECTS[defect]
    damage(saved)
    with pytest.raises(CheckpointError, match=message) as caught:
        load_model(saved)
    assert str(caught.value).startswith(f"{saved / filename}: ")


def test_a_missing_directory(tmp_path):
    with pytest.raises(CheckpointError, match="not a model directory") as caught:
        load_model(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in str(caught.value)
    (tmp_path / "file").write_text("x")
    with pytest.raises(CheckpointError, match="not a model directory"):
        load_model(tmp_path / "file")


class Plant:
    """Unpickling this creates a file: what a malicious checkpoint would do with a real command."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.mark.parametrize("writer", ["pickle", "torch.save"])
def test_a_pickle_planted_as_weights_is_never_unpickled(saved, tmp_path, writer):
    control = tmp_path / "control-marker"
    pickle.loads(pickle.dumps(Plant(str(control))))  # the payload is live: unpickling runs it
    assert control.exists()

    marker = tmp_path / "marker"
    weights = saved / "model.safetensors"
    if writer == "pickle":
        weights.write_bytes(pickle.dumps({"embedding.weight": Plant(str(marker))}))
    else:
        torch.save({"embedding.weight": Plant(str(marker))}, weights)
    with pytest.raises(CheckpointError, match="not a readable safetensors file") as caught:
        load_model(saved)
    assert str(caught.value).startswith(f"{weights}: ")
    assert not marker.exists()


# --- atomic saving ------------------------------------------------------------------------------------


def test_saving_leaves_no_temporary_files_and_overwrites(saved):
    assert leftovers(saved) == []
    newer = make(seed=1)
    save_model(saved, newer, VOCAB, {"epochs": 2})
    assert leftovers(saved) == []
    loaded = load_model(saved)
    assert torch.equal(log_probs(loaded), log_probs(newer))
    assert loaded.info["training"] == {"epochs": 2}


def failing_step(monkeypatch, fail_on: int) -> list:
    """Make the fail_on-th rename or symlink of a save raise, as a full disk would at that point."""
    calls = []
    real_replace, real_symlink = os.replace, os.symlink

    def step(real):
        def fail_or_do(src, dst, *args, **kwargs):
            calls.append((real.__name__, Path(src).name, Path(dst).name))
            if len(calls) == fail_on:
                raise OSError(28, "No space left on device")
            real(src, dst, *args, **kwargs)

        return fail_or_do

    monkeypatch.setattr(os, "replace", step(real_replace))
    monkeypatch.setattr(os, "symlink", step(real_symlink))
    return calls


def test_a_save_commits_with_one_rename(saved):
    calls = []
    real_replace = os.replace
    try:
        os.replace = lambda src, dst: (calls.append(Path(dst).name), real_replace(src, dst))
        save_model(saved, make(seed=1), VOCAB)
    finally:
        os.replace = real_replace
    assert calls == [".current"]  # the names already point through .current: only it moves
    assert all(os.readlink(saved / name) == f".current/{name}" for name in visible(saved))


@pytest.mark.parametrize("fail_on", [1, 2, 3, 4, 5, 6, 7, 8])
def test_a_failed_save_leaves_the_previous_model(tmp_path, monkeypatch, fail_on):
    plain = tmp_path / "plain"  # three plain files, as the bundled models and older saves are
    save_model(tmp_path / "first", make(), VOCAB, {"epochs": 1})
    plain.mkdir()
    for name in ("config.json", "model.safetensors", "vocab.txt"):
        (plain / name).write_bytes((tmp_path / "first" / name).read_bytes())
    before = log_probs(load_model(plain))
    bigger = make(seed=1, vocab_size=21)  # a different model, even a different shape
    calls = failing_step(monkeypatch, fail_on)
    try:
        save_model(plain, bigger, Vocab([*VOCAB.words, "new"]), {"epochs": 9})
    except OSError as e:
        assert "No space left" in str(e)
        monkeypatch.undo()
        loaded = load_model(plain)
        assert torch.equal(log_probs(loaded), before)
        assert len(loaded.vocab) == 20 and loaded.info["training"]["epochs"] == 1
    else:  # fewer steps than fail_on: the save went through
        monkeypatch.undo()
        assert len(calls) < fail_on and load_model(plain).info["training"]["epochs"] == 9
    assert leftovers(plain) == []
    assert visible(plain) == ["config.json", "model.safetensors", "vocab.txt"]


def test_a_failed_first_save_leaves_no_half_model(tmp_path, monkeypatch):
    failing_step(monkeypatch, 2)
    with pytest.raises(OSError):
        save_model(tmp_path / "new", make(), VOCAB)
    monkeypatch.undo()
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == []
    with pytest.raises(CheckpointError, match="config.json: missing"):
        load_model(tmp_path / "new")


def test_a_copy_made_by_following_links_loads_and_saves_again(saved, tmp_path):
    """shutil.copytree (like a zip or an upload) turns `.current` into a real folder and the three names into
    plain files: the copy loads as the original, and a new save into the copy replaces it whole."""
    import shutil

    copy = Path(shutil.copytree(saved, tmp_path / "copy"))
    assert (copy / ".current").is_dir() and not (copy / ".current").is_symlink()
    assert torch.equal(log_probs(load_model(copy)), log_probs(load_model(saved)))
    other = make(seed=5)
    save_model(copy, other, load_model(saved).vocab)
    assert torch.equal(log_probs(load_model(copy)), log_probs(other))
    assert torch.equal(log_probs(load_model(saved)), log_probs(make()))  # the original is untouched
