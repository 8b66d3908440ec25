"""Training: the loop as a library function, its resumable state, and `lstmlm train` end to end.

Tiny corpora from conftest.write_corpus (16 words), 2-layer models with 8 units, CPU, one thread.
"""

from __future__ import annotations

import json
import math
import os
import shlex
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import torch
from conftest import write_corpus

from lstmlm import load_model
from lstmlm.cli import main
from lstmlm.data import Corpus
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.training.loop import (
    METRICS,
    METRICS_KEYS,
    Callback,
    TrainConfig,
    TrainingDiverged,
    TrainingSetupError,
    evaluate,
    scheduled_lr,
    train,
)

REPO = Path(__file__).resolve().parent.parent
TINY_FLAGS = (
    "--softmax full --embed-dim 8 --hidden-dim 8 --batch-size 4 --bptt 10 --threads 1 --device cpu --quiet"
).split()


@contextmanager
def torch_threads(n: int):
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@pytest.fixture(autouse=True)
def one_thread():
    """Same numbers every run, and no fight for the cores with whatever else is running."""
    with torch_threads(1):
        yield


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def corpus(corpus_dir) -> Corpus:
    return Corpus.from_folder(corpus_dir)


def tiny_model(corpus: Corpus, **kw) -> ModelConfig:
    settings = dict(vocab_size=len(corpus.vocab), embed_dim=8, hidden_dim=8, dropout=0.3)
    return ModelConfig(**{**settings, **kw})


def tiny_train(**kw) -> TrainConfig:
    settings = dict(batch_size=4, bptt=10, epochs=2, lr=0.01, device="cpu", eval_every=50)
    return TrainConfig(**{**settings, **kw})


class Recorder(Callback):
    """Every step's loss and every evaluation record, as the loop reports them."""

    def __init__(self):
        self.losses: list[float] = []
        self.evals: list[dict] = []
        self.on_eval_hook = None

    def on_step(self, p) -> None:
        self.losses.append(p.loss)

    def on_eval(self, record: dict) -> None:
        self.evals.append(record)
        if self.on_eval_hook:
            self.on_eval_hook(record)


def without_time(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


def read_metrics(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / METRICS).read_text().splitlines()]


@pytest.fixture(scope="module")
def reference_run(corpus, tmp_path_factory) -> tuple[Recorder, dict, Path]:
    """2 epochs without interruption (dropout 0.3, validation every 50 steps): what the others compare to."""
    out, rec = tmp_path_factory.mktemp("reference"), Recorder()
    with torch_threads(1):
        result = train(corpus, tiny_model(corpus), tiny_train(), out, [rec])
    return rec, result, out


def test_training_lowers_validation_loss(corpus, reference_run):
    rec, result, out = reference_run
    torch.manual_seed(TrainConfig.seed)
    untrained = LanguageModel(tiny_model(corpus))
    valid = corpus.valid[: (corpus.valid.numel() // 10) * 10].view(10, -1).t()
    before, _ = evaluate(untrained, valid, 10)
    assert before == pytest.approx(math.log(len(corpus.vocab)), abs=0.1)  # uniform guesses at the start
    assert result["best_val_loss"] < before - 0.4
    val = [r["val_loss"] for r in read_metrics(out)]
    assert val[-1] < val[0] and min(val) == pytest.approx(result["best_val_loss"])
    assert sum(rec.losses[-50:]) / 50 < sum(rec.losses[:50]) / 50 - 0.4


@pytest.mark.parametrize("stop_after", [137, 213])  # mid-epoch, and the last batch of epoch 1
def test_resume_continues_with_the_same_losses(corpus, reference_run, tmp_path, stop_after):
    whole, expected, whole_out = reference_run  # dropout 0.3: the saved generator state matters
    first, second = Recorder(), Recorder()
    stop = lambda: len(first.losses) >= stop_after  # noqa: E731
    stopped = train(corpus, tiny_model(corpus), tiny_train(), tmp_path, [first], should_stop=stop)
    assert stopped["stop_reason"] == "interrupted" and stopped["steps"] == stop_after
    result = train(corpus, tiny_model(corpus), tiny_train(), tmp_path, [second], resume=True)

    assert first.losses + second.losses == whole.losses  # exactly, not approximately
    assert without_time(read_metrics(tmp_path)) == without_time(read_metrics(whole_out))
    assert result["best_val_loss"] == expected["best_val_loss"] and result["steps"] == expected["steps"]
    weights = "model.safetensors"
    assert (tmp_path / weights).read_bytes() == (whole_out / weights).read_bytes()


def test_same_seed_same_losses_other_seed_other_losses(corpus, reference_run, tmp_path):
    whole = reference_run[0]
    runs = []
    for seed in (TrainConfig.seed, TrainConfig.seed + 1):
        rec = Recorder()
        stop = lambda rec=rec: len(rec.losses) >= 60  # noqa: E731
        train(
            corpus, tiny_model(corpus), tiny_train(seed=seed), tmp_path / str(seed), [rec], should_stop=stop
        )
        runs.append(rec.losses)
    assert runs[0] == whole.losses[:60]
    assert runs[1] != whole.losses[:60]


def test_metrics_jsonl_has_the_documented_keys(reference_run):
    rec, _, out = reference_run
    records = read_metrics(out)
    steps = [50, 100, 150, 200, 213, 250, 300, 350, 400, 426]  # every 50 steps, and each epoch's end
    assert [r["step"] for r in records] == steps
    for r in records:
        assert set(r) == set(METRICS_KEYS)
        # what the playground's learning curve reads
        assert {"step", "epoch", "train_loss", "val_ppl", "lr", "seconds"} <= set(r)
        assert r["val_ppl"] == pytest.approx(math.exp(r["val_loss"]))
    assert records == rec.evals


def test_cosine_schedule_goes_from_lr_to_zero():
    cfg = TrainConfig(lr=0.5, schedule="cosine")
    lrs = [scheduled_lr(cfg, step, 1000, 0.0) for step in range(1001)]
    assert lrs[0] == 0.5 and lrs[500] == pytest.approx(0.25)
    assert lrs[999] < 1e-5 and lrs[1000] == pytest.approx(0.0, abs=1e-12)
    assert all(a >= b for a, b in zip(lrs, lrs[1:], strict=False))
    timed = TrainConfig(lr=0.5, schedule="linear", max_minutes=10)  # the time budget ends first
    assert scheduled_lr(timed, 10, 1000, 300.0) == pytest.approx(0.25)
    assert scheduled_lr(timed, 10, 1000, 600.0) == 0.0


def _nan_at_step(monkeypatch, k: int) -> None:
    """Make the k-th training loss NaN (validation losses are left alone)."""
    real_loss = LanguageModel.loss
    calls = {"n": 0}

    def loss(self, features, targets):
        value = real_loss(self, features, targets)
        if self.training:
            calls["n"] += 1
            if calls["n"] == k:
                return value * float("nan")
        return value

    monkeypatch.setattr(LanguageModel, "loss", loss)


def test_nan_loss_stops_and_leaves_the_best_model_untouched(corpus, tmp_path, monkeypatch):
    _nan_at_step(monkeypatch, 120)
    rec, saved = Recorder(), {}
    files = ("model.safetensors", "config.json", "vocab.txt")
    rec.on_eval_hook = lambda r: saved.update({f: (tmp_path / f).read_bytes() for f in files})
    with pytest.raises(TrainingDiverged, match=r"became nan at step 120.*untouched"):
        train(corpus, tiny_model(corpus), tiny_train(), tmp_path, [rec])
    assert [r["step"] for r in rec.evals] == [50, 100] and len(rec.losses) == 119
    assert {f: (tmp_path / f).read_bytes() for f in files} == saved
    assert len(read_metrics(tmp_path)) == 2


def test_nan_loss_via_cli_exits_1_with_a_message(corpus_dir, tmp_path, monkeypatch, capsys):
    _nan_at_step(monkeypatch, 60)
    out = tmp_path / "m"
    code = main(["train", "--data", str(corpus_dir), "--out", str(out), "--eval-every", "50", *TINY_FLAGS])
    err = capsys.readouterr().err
    assert code == 1
    assert "lstmlm: error: the training loss became nan at step 60" in err and "Traceback" not in err
    assert load_model(out).info["training"]["steps"] == 50


def test_problems_are_reported_before_training(corpus_dir, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    bad_utf8 = tmp_path / "bad"
    bad_utf8.mkdir()
    (bad_utf8 / "train.txt").write_bytes(b"the cat \xff\xfe sat\n")
    (bad_utf8 / "valid.txt").write_text("the cat\n")
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    (tiny / "train.txt").write_text("the cat\n")
    (tiny / "valid.txt").write_text("the cat\n")
    cases = {
        "cannot write to --out": ["--data", str(corpus_dir), "--out", str(blocker / "model")],
        "cannot read": ["--train", str(tmp_path / "missing.txt"), "--out", str(tmp_path / "o1")],
        "needs train.txt and valid.txt": ["--data", str(tmp_path), "--out", str(tmp_path / "o2")],
        "utf-8": ["--data", str(bad_utf8), "--out", str(tmp_path / "o3")],
        "too few for --batch-size": ["--data", str(tiny), "--out", str(tmp_path / "o4")],
        "no saved state": ["--data", str(corpus_dir), "--out", str(tmp_path / "o5"), "--resume"],
    }
    if not torch.cuda.is_available():
        cases["no CUDA device"] = ["--data", str(corpus_dir), "--out", str(tmp_path / "o6"), "--device=cuda"]
    for expected, args in cases.items():
        code = main(["train", *args, "--softmax", "full", "--embed-dim", "8", "--hidden-dim", "8", "--quiet"])
        err = capsys.readouterr().err
        assert code == 2, (expected, err)
        assert err.startswith("lstmlm: error:") and expected in err and "Traceback" not in err
    assert not any(tmp_path.glob("o*/metrics.jsonl")) and not (tmp_path / "o1").exists()


def test_train_raw_text_file_splits_off_validation(tmp_path, capsys):
    text = tmp_path / "story.txt"
    sizes, animals, moods = ("big", "small", "red", "blue"), ("cat", "dog", "bird"), ("happy", "fine", "here")
    lines = [
        f"The {a} {b} sat on the mat, and it was {c}." for a in sizes for b in animals for c in moods
    ] * 6
    text.write_text("\n".join(lines) + "\n")
    out = tmp_path / "m"
    assert main(["train", "--train", str(text), "--out", str(out), "--epochs", "1", *TINY_FLAGS]) == 0
    assert "Done (finished)" in capsys.readouterr().out
    model = load_model(out)
    assert "," in model.vocab.words and "The" in model.vocab.words  # tokenized: punctuation split off
    corpus = Corpus.from_raw_text(text)
    held_out = corpus.valid.numel() / (corpus.train.numel() + corpus.valid.numel())
    assert held_out == pytest.approx(0.1, abs=0.01)  # the last 10% of the lines
    last_line = [model.vocab.words[i] for i in corpus.valid[-14:-1]]
    assert last_line == "The blue bird sat on the mat , and it was here .".split()
    assert len(read_metrics(out)) == 1 and read_metrics(out)[0]["val_ppl"] < len(model.vocab)


def test_cli_resume_rebuilds_the_saved_model_and_takes_training_overrides(corpus_dir, tmp_path, capsys):
    out = tmp_path / "m"
    args = ["train", "--data", str(corpus_dir), "--out", str(out)]
    assert main([*args, "--epochs", "1", "--num-layers", "1", "--dropout", "0.1", *TINY_FLAGS]) == 0
    capsys.readouterr()
    # no model options: the saved 1x8 model comes back; --epochs overrides the saved 1
    assert main([*args, "--resume", "--epochs", "2", "--quiet"]) == 0
    assert "resuming at epoch 2, batch 0, step 213" in capsys.readouterr().err
    model = load_model(out)
    assert (model.config.hidden_dim, model.config.num_layers, model.config.dropout) == (8, 1, 0.1)
    assert [r["epoch"] for r in read_metrics(out)] == [1, 2]
    assert model.info["training"]["train_config"]["batch_size"] == 4  # saved, not the default 32
    assert model.info["training"]["resumed_with"][0].endswith("--resume --epochs 2 --quiet")
    # model options that agree are fine; ones that contradict the saved model are an error
    assert main([*args, "--resume", "--epochs", "2", "--hidden-dim", "8", "--quiet"]) == 0
    capsys.readouterr()
    assert main([*args, "--resume", "--hidden-dim", "16", "--num-layers", "2"]) == 2
    err = capsys.readouterr().err
    assert "--hidden-dim 16 (saved: 8), --num-layers 2 (saved: 1)" in err
    assert main([*args, "--resume", "--batch-size", "8"]) == 2
    assert "--batch-size 4; it cannot change on resume" in capsys.readouterr().err


def test_resume_from_a_state_saved_without_settings(corpus, corpus_dir, tmp_path, capsys):
    """States written before the settings were saved: the command's model options are used."""
    out = tmp_path / "m"
    model_cfg = tiny_model(corpus, dropout=0.0)
    train(corpus, model_cfg, tiny_train(epochs=1, eval_every=0), out)
    state = out / "resume" / "state.json"
    meta = json.loads(state.read_text())
    for key in ("model_config", "train_config", "summary", "recent_losses", "world_size"):
        del meta[key]
    state.write_text(json.dumps(meta))
    args = ["train", "--data", str(corpus_dir), "--out", str(out), "--resume", "--epochs", "2"]
    assert main([*args, "--quiet"]) == 2  # the default 512-unit model does not fit the saved weights
    err = capsys.readouterr().err
    assert "predates saved model settings" in err and "do not fit this model" in err
    assert "Traceback" not in err
    assert main([*args, "--dropout", "0", "--tie-weights", *TINY_FLAGS]) == 0
    assert [r["epoch"] for r in read_metrics(out)] == [1, 2]


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


def _env() -> dict:
    return dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(REPO))


@pytest.mark.slow
def test_sigint_saves_state_exits_0_and_says_how_to_resume(tmp_path, capsys):
    corpus_dir = write_corpus(tmp_path / "corpus", lines=(1500, 40, 40))
    out = tmp_path / "m"
    args = ["--data", str(corpus_dir), "--out", str(out), "--epochs=500", "--eval-every=20", *TINY_FLAGS]
    cmd = _python("-m", "lstmlm.cli", "train", *args)
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), cwd=REPO
    )
    try:
        deadline = time.monotonic() + 60
        while not (out / METRICS).exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert (out / "resume" / "state.json").is_file()
    step = json.loads((out / "resume" / "state.json").read_text())["step"]
    line = stdout.strip().splitlines()[-1]
    assert line.startswith(
        f"Interrupted at step {step}: state saved in {out / 'resume'}. Resume with: lstmlm "
    )
    resume = shlex.split(line.split("Resume with: ", 1)[1])
    assert resume == ["lstmlm", "train", "--out", str(out), "--resume", "--data", str(corpus_dir)]
    # the printed command works as printed (no model options); a spent time budget stops it at once
    assert main([*resume[1:], "--max-minutes", "1e-6"]) == 0
    captured = capsys.readouterr()
    assert f"resuming at epoch 1, batch {step}" in captured.err and "Done (time budget)" in captured.out
    assert load_model(out).config.hidden_dim == 8


@pytest.mark.slow
def test_torchrun_two_processes_train_a_loadable_model(corpus_dir, tmp_path):
    out = tmp_path / "m"
    torchrun = ["-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    args = ["--data", str(corpus_dir), "--out", str(out), "--epochs", "1", *TINY_FLAGS, "--bptt", "35"]
    # an adaptive softmax whose last cluster (<unk>) never gets a target: DDP must cope with unused weights
    adaptive = ["--softmax", "adaptive", "--no-tie-weights", "--adaptive-cutoffs", "4", "15"]
    cmd = _python(*torchrun, "-m", "lstmlm.cli", "train", *args, *adaptive, "--adaptive-div-value", "2")
    done = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=240, cwd=REPO)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("Done (finished)") == 1  # rank 0 reports, rank 1 is quiet
    model = load_model(out)
    assert model.config.softmax == "adaptive"
    steps_per_epoch = math.ceil((Corpus.from_folder(corpus_dir).train.numel() // 4 - 1) / 35)
    assert [r["step"] for r in read_metrics(out)] == [steps_per_epoch]  # one writer: no duplicated lines
    written = {p.name for p in out.iterdir() if not p.name.startswith(".")}  # .current, .model-*: one save
    assert written == {"config.json", "metrics.jsonl", "model.safetensors", "resume", "vocab.txt"}
    assert len(list(out.glob(".model-*"))) == 1
    meta = json.loads((out / "resume" / "state.json").read_text())
    assert meta["world_size"] == 2 and not list((out / "resume").glob("*.tmp-*"))
    valid = Corpus.from_folder(corpus_dir, vocab=model.vocab).valid
    loss, _ = evaluate(model, valid[: valid.numel() // 10 * 10].view(10, -1).t(), 35)
    assert loss == pytest.approx(read_metrics(out)[-1]["val_loss"], rel=1e-4)


def test_setup_errors_come_before_any_step(corpus, tmp_path):
    rec = Recorder()
    with pytest.raises(TrainingSetupError, match="too few"):
        tiny_corpus = Corpus(corpus.vocab, corpus.train[:5], corpus.valid, None)
        train(tiny_corpus, tiny_model(corpus), tiny_train(), tmp_path, [rec])
    train(corpus, tiny_model(corpus), tiny_train(epochs=1), tmp_path)
    with pytest.raises(TrainingSetupError, match="vocab_size"):
        train(corpus, tiny_model(corpus, vocab_size=20), tiny_train(), tmp_path, [rec], resume=True)
    with pytest.raises(TrainingSetupError, match="bptt"):
        train(corpus, tiny_model(corpus), tiny_train(bptt=12), tmp_path, [rec], resume=True)
    assert rec.losses == []


def test_a_word_budget_stops_training_and_is_recorded(corpus, tmp_path):
    """--max-words: the run stops at the first step past the budget; metrics and config record the words."""
    cfg = tiny_train(batch_size=4, bptt=5, max_words=60, epochs=50, eval_every=0)
    result = train(corpus, tiny_model(corpus), cfg, tmp_path / "m")
    assert result["stop_reason"] == "word budget"
    assert result["steps"] == 3  # 20 words a step: 20, 40, 60 -> stop before the 4th
    assert read_metrics(tmp_path / "m")[-1]["words"] == 60
