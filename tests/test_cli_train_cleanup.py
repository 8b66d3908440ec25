"""`lstmlm train` that fails before saving anything leaves no --out folder it created itself, and never
touches a folder that was there before."""

from __future__ import annotations

import pytest
from conftest import write_corpus

from lstmlm.cli import main
from lstmlm.model import LanguageModel

TINY = ["--embed-dim", "8", "--hidden-dim", "8", "--num-layers", "1", "--batch-size", "4", "--bptt", "10",
        "--epochs", "1", "--device", "cpu", "--quiet", "--no-auto"]  # fmt: skip


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("corpus"), lines=(60, 10, 10))


def _nan_at_first_step(monkeypatch) -> None:
    real = LanguageModel.loss

    def loss(self, features, targets):
        value = real(self, features, targets)
        return value * float("nan") if self.training else value

    monkeypatch.setattr(LanguageModel, "loss", loss)


def test_nan_at_step_1_removes_the_folders_it_created(corpus_dir, tmp_path, monkeypatch, capsys):
    _nan_at_first_step(monkeypatch)
    out = tmp_path / "new" / "run"  # both folders are this run's
    assert main(["train", "--data", str(corpus_dir), "--out", str(out), *TINY]) == 1
    assert "became nan at step 1" in capsys.readouterr().err
    assert not (tmp_path / "new").exists() and list(tmp_path.iterdir()) == []


def test_a_folder_that_existed_is_kept_with_everything_in_it(corpus_dir, tmp_path, monkeypatch):
    _nan_at_first_step(monkeypatch)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    assert main(["train", "--data", str(corpus_dir), "--out", str(out), *TINY]) == 1
    assert (out / "notes.txt").read_text() == "my notes"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["train", "--data", str(corpus_dir), "--out", str(empty), *TINY]) == 1
    assert empty.is_dir()  # existed before: stays, even empty


def test_bad_data_leaves_no_folder(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    (data / "train.txt").write_bytes(b"\xff\xfe not utf-8 \xff\n")
    (data / "valid.txt").write_text("a b c\n")
    out = tmp_path / "out"
    assert main(["train", "--data", str(data), "--out", str(out), *TINY]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert not out.exists()


def test_ctrl_c_while_reading_the_corpus_leaves_no_folder(corpus_dir, tmp_path, monkeypatch, capsys):
    from lstmlm.data import Corpus

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Corpus, "from_folder", interrupted)
    out = tmp_path / "out"
    assert main(["train", "--data", str(corpus_dir), "--out", str(out), *TINY]) == 130
    assert "interrupted before training started" in capsys.readouterr().err
    assert not out.exists()


def test_a_run_that_saved_keeps_its_folder(corpus_dir, tmp_path):
    out = tmp_path / "ok"
    assert main(["train", "--data", str(corpus_dir), "--out", str(out), *TINY]) == 0
    assert (out / "config.json").is_file() and (out / "model.safetensors").is_file()
