"""Nothing lost in training: SIGKILL at any moment (saves included) leaves a model directory that loads and
evaluates (or none yet), whose weights, config and vocabulary come from one save, and a resumable state; a
full disk or unwritable folder is reported, not a traceback.

`lstmlm train` runs with --eval-every 1 on a tiny corpus, so it saves a new best model at nearly every step.
`test_sigkill_before_each_file_operation_of_a_save` kills a save before each of its file operations in turn.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from conftest import write_corpus
from safetensors.torch import load_file

from lstmlm import LanguageModel, ModelConfig, Vocab, checkpoint, load_model, save_model
from lstmlm.cli import main
from lstmlm.training import resume
from lstmlm.training.resume import RESUME_DIR, STATE_JSON, has_resume_state

REPO = Path(__file__).resolve().parent.parent
KILLS = 9  # three of them Ctrl-C first (n % 3 == 1); each file operation is also killed in turn below
TINY = "--embed-dim 8 --hidden-dim 8 --batch-size 4 --bptt 10 --threads 1 --device cpu --quiet".split()


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"), lines=(300, 20, 20))


def train_args(corpus_dir: Path, out: Path, *extra: str) -> list[str]:
    return ["train", "--data", str(corpus_dir), "--out", str(out), "--eval-every", "1", *TINY, *extra]


def spawn(argv: list[str], prelude: str = "") -> subprocess.Popen:
    """`lstmlm <argv>` in a new process; `prelude` runs first in it (to plant a kill)."""
    code = f"{prelude}\nimport sys\nfrom lstmlm.cli import main\nsys.exit(main(sys.argv[1:]))"
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-c", code, *argv],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def saves_so_far(out: Path) -> int:
    try:
        return (out / "metrics.jsonl").read_bytes().count(b"\n")
    except OSError:
        return 0


def fingerprint(tensors: dict[str, torch.Tensor]) -> str:
    """The recurrent weights' bytes (float32), hashed: every training step changes them."""
    h = hashlib.sha256()
    for k in sorted(k for k in tensors if k.startswith("rnn.")):
        h.update(k.encode() + tensors[k].detach().float().contiguous().numpy().tobytes())
    return h.hexdigest()


LOG_SAVES = """
import json, os, sys
sys.path.insert(0, {tests!r})
import lstmlm.training.validate as train
from test_kill_during_save import fingerprint
real_save = train.save_model
def save_model(out, model, vocab, info, **kwargs):
    with open({log!r}, "a") as f:  # what this save is about to write, before it writes anything
        f.write(json.dumps({{"steps": info["steps"], "weights": fingerprint(model.state_dict())}}) + "\\n")
        f.flush()
        os.fsync(f.fileno())
    return real_save(out, model, vocab, info, **kwargs)
train.save_model = save_model
"""


def check_model_dir(out: Path, corpus_dir: Path, had_model: bool, log: Path | None = None) -> bool:
    """The model in `out` loads and evaluates, or there is none yet (then there never was one). With the
    log of saves (LOG_SAVES), its weights are the ones the save that wrote its config.json wrote."""
    if not (out / "config.json").exists():
        assert not had_model, "a model that existed is gone"
        assert not any((out / name).exists() for name in ("model.safetensors", "vocab.txt")), "half a model"
        return False
    model = load_model(out)
    assert model.config.hidden_dim == 8
    if log is not None:
        steps = json.loads((out / "config.json").read_text())["training"]["steps"]
        written = {
            json.loads(line)["weights"]
            for line in log.read_text().splitlines()
            if json.loads(line)["steps"] == steps
        }
        assert fingerprint(load_file(str(out / "model.safetensors"))) in written, (
            f"the weights are not those of the save that wrote config.json (step {steps})"
        )
        corpus_words = load_model(out).vocab.words
        assert (out / "vocab.txt").read_text().split("\n")[:-1] == corpus_words
    assert main(["eval", "--model", str(out), "--data", str(corpus_dir / "test.txt"), "--json"]) == 0
    return True


def staged_files(out: Path) -> list[str]:
    """Staged names, and model version folders that `.current` does not name."""
    current = os.readlink(out / ".current") if (out / ".current").is_symlink() else None
    return sorted(
        p.name
        for d in (out, out / RESUME_DIR)
        if d.is_dir()
        for p in d.iterdir()
        if ".tmp-" in p.name or (p.name.startswith(".model-") and p.name != current)
    )


@pytest.mark.slow
def test_sigkill_at_random_moments_never_breaks_the_model_or_a_later_run(corpus_dir, tmp_path, capsys):
    out, rng, log = tmp_path / "run", random.Random(5), tmp_path / "saves.jsonl"
    prelude = LOG_SAVES.format(tests=str(Path(__file__).parent), log=str(log))
    had_model, outcomes = False, []
    for n in range(KILLS):
        resumed = has_resume_state(out) and rng.random() < 0.6
        argv = train_args(corpus_dir, out, "--epochs", "1000", *(["--resume"] if resumed else []))
        before = saves_so_far(out)
        proc = spawn(argv, prelude)
        try:
            deadline = time.monotonic() + 120
            while saves_so_far(out) == before and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)  # until it validates and saves: from here on, every step saves
            assert proc.poll() is None, proc.communicate()[1].decode()
            time.sleep(rng.uniform(0, 0.3))
            if n % 3 == 1:  # Ctrl-C (it saves its resumable state), then SIGKILL at any moment of that
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=rng.uniform(0, 0.5) if n > 1 else 60)
                except subprocess.TimeoutExpired:
                    pass
            proc.send_signal(signal.SIGKILL)
            stderr = proc.communicate(timeout=60)[1].decode()
        finally:
            if proc.poll() is None:
                proc.kill()
        assert "Traceback" not in stderr, stderr
        outcomes.append(
            ("resumed " if resumed else "") + f"exit {proc.returncode}" + " staged" * bool(staged_files(out))
        )
        had_model = check_model_dir(out, corpus_dir, had_model, log)
        if has_resume_state(out):  # a state a kill left behind is whole: its step is the one its tensors hold
            meta = json.loads((out / RESUME_DIR / STATE_JSON).read_text())
            assert (out / RESUME_DIR / meta.get("tensors", "state.safetensors")).is_file()
    capsys.readouterr()
    assert any(o.startswith("resumed") for o in outcomes), outcomes
    # a later run, resumed or not, works and cleans up what the killed saves left behind
    for extra in (["--resume"] if has_resume_state(out) else [], []):
        assert main(train_args(corpus_dir, out, "--epochs", "1", "--max-minutes", "0.02", *extra)) == 0
        assert check_model_dir(out, corpus_dir, had_model)
    assert staged_files(out) == []
    assert len(list((out / RESUME_DIR).glob("state*.safetensors"))) == 1


KILL_AT_REPLACE = """
import os, signal
real_replace, calls = os.replace, []
def replace(src, dst):
    calls.append(dst)
    if len(calls) == {n}:
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(src, dst)
os.replace = replace
"""
KILL_IN_STAGING = """
import os, signal
import lstmlm.checkpoint as ck
real_save_file, calls = ck.save_file, []
def save_file(tensors, path, metadata=None):
    calls.append(path)
    real_save_file(tensors, path, metadata=metadata)
    if len(calls) == 2:  # the second save: its weights are staged, nothing renamed yet
        os.kill(os.getpid(), signal.SIGKILL)
ck.save_file = save_file
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "where, prelude, had_model",
    [
        ("first save, names made, before its commit", KILL_AT_REPLACE.format(n=4), False),
        ("second save, before its commit", KILL_AT_REPLACE.format(n=5), True),
        ("second save, weights staged", KILL_IN_STAGING, True),
    ],
    ids=["first-save-before-commit", "second-save-before-commit", "second-save-staged"],
)
def test_sigkill_inside_a_save(corpus_dir, tmp_path, capsys, where, prelude, had_model):
    out = tmp_path / "run"
    proc = spawn(train_args(corpus_dir, out, "--epochs", "1000"), prelude)
    stderr = proc.communicate(timeout=300)[1].decode()
    assert proc.returncode == -signal.SIGKILL, stderr
    assert check_model_dir(out, corpus_dir, had_model) == had_model
    if had_model:
        assert load_model(out).info["training"]["steps"] == 1  # what the first save wrote
    assert staged_files(out)  # the kill left staged files ...
    assert main(train_args(corpus_dir, out, "--epochs", "1", "--max-minutes", "0.01")) == 0
    assert check_model_dir(out, corpus_dir, True)
    assert staged_files(out) == []  # ... which the next save removes
    capsys.readouterr()


# Python's audit events for file operations (os.replace raises "os.rename"); os.fsync has none, and the
# weights are written by safetensors' Rust code: a kill before the next event covers those.
FILE_EVENTS = {"open", "os.rename", "os.symlink", "os.link", "os.remove", "os.rmdir", "os.mkdir"}


def save_killed_before(step: int, directory: Path, model: LanguageModel, vocab: Vocab, info: dict) -> bool:
    """save_model in a forked child that SIGKILLs itself just before its step-th file operation; whether
    it was killed (False: the save finished within fewer operations)."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            done = 0

            def hook(event: str, args) -> None:
                nonlocal done
                if event in FILE_EVENTS:
                    done += 1
                    if done == step:
                        os.kill(os.getpid(), signal.SIGKILL)

            sys.addaudithook(hook)
            save_model(directory, model, vocab, info)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status):
        assert os.WEXITSTATUS(status) == 0, "the save failed without being killed"
        return False
    assert os.WTERMSIG(status) == signal.SIGKILL
    return True


def tiny_lm(seed: int, vocab_size: int) -> LanguageModel:
    torch.manual_seed(seed)
    return LanguageModel(ModelConfig(vocab_size=vocab_size, embed_dim=8, hidden_dim=8, num_layers=2)).eval()


def which_save(directory: Path, saves: dict[str, Path]) -> str | None:
    """Which reference save the three files of `directory` are (None: no model there); fails when they are
    not all three from one save. Compares bytes (config.json without its time stamp), not load_model."""
    names = ("model.safetensors", "config.json", "vocab.txt")
    present = [name for name in names if (directory / name).exists()]
    if not present:
        return None
    assert present == list(names), f"half a model: only {present}"

    def content(folder: Path, name: str):
        if name == "config.json":
            return {k: v for k, v in json.loads((folder / name).read_text()).items() if k != "saved"}
        return (folder / name).read_bytes()

    origin = {
        name: [label for label, ref in saves.items() if content(ref, name) == content(directory, name)]
        for name in names
    }
    assert all(len(labels) == 1 for labels in origin.values()), origin
    assert len({labels[0] for labels in origin.values()}) == 1, f"files from different saves: {origin}"
    return origin["config.json"][0]


@pytest.mark.slow
@pytest.mark.parametrize("before", ["nothing", "a saved model", "three plain files"])
def test_sigkill_before_each_file_operation_of_a_save(tmp_path, before):
    vocab_a = Vocab(["<eos>", "<unk>", *(f"a{n}" for n in range(18))])
    vocab_b = Vocab(["<eos>", "<unk>", *(f"b{n}" for n in range(19))])  # other words, one more row
    a, b = tiny_lm(0, 20), tiny_lm(1, 21)
    saves = {"A": save_model(tmp_path / "A", a, vocab_a, {"steps": 1})}
    saves["B"] = save_model(tmp_path / "B", b, vocab_b, {"steps": 2})
    step, killed_at = 0, []
    while True:
        step += 1
        out = tmp_path / f"kill-{step}"
        if before == "a saved model":
            save_model(out, a, vocab_a, {"steps": 1})
        elif before == "three plain files":  # as the bundled models are, and older saves were
            out.mkdir()
            for name in ("model.safetensors", "config.json", "vocab.txt"):
                (out / name).write_bytes((saves["A"] / name).read_bytes())
        if not save_killed_before(step, out, b, vocab_b, {"steps": 2}):
            assert which_save(out, saves) == "B" and staged_files(out) == []
            break
        found = which_save(out, saves)
        killed_at.append(found)
        assert found in ("B", None if before == "nothing" else "A"), f"killed before operation {step}"
        if found is not None:
            model = load_model(out)
            assert model.info["training"]["steps"] == {"A": 1, "B": 2}[found]
            assert model.vocab.words == (vocab_a, vocab_b)[found == "B"].words
        save_model(out, b, vocab_b, {"steps": 2})  # a later save (another process) completes and tidies up
        assert which_save(out, saves) == "B" and staged_files(out) == []
    assert len(killed_at) >= 8 and killed_at[-1] == "B"  # many kill points, the last after the commit
    assert killed_at[0] == (None if before == "nothing" else "A")


def fail_saves(monkeypatch, module, code: int, after: int = 0) -> list:
    """Make `module.save_file` fail with OSError(code) from its (after+1)-th call, leaving a partial file."""
    calls = []
    real = module.save_file

    def save_file(tensors, path, metadata=None):
        calls.append(path)
        if len(calls) > after:
            Path(path).write_bytes(b"\0" * 100)  # what a full disk leaves: part of a file
            raise OSError(code, os.strerror(code), path)
        real(tensors, path, metadata=metadata)

    monkeypatch.setattr(module, "save_file", save_file)
    return calls


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS])
def test_a_failed_save_is_reported_and_the_best_model_kept(corpus_dir, tmp_path, monkeypatch, capsys, code):
    out = tmp_path / "run"
    fail_saves(monkeypatch, checkpoint, code, after=2)  # the third best model cannot be written
    assert main(train_args(corpus_dir, out, "--epochs", "1")) == 1
    err = capsys.readouterr().err
    assert f"lstmlm: error: cannot save the best model in {out}: {os.strerror(code)}." in err
    assert "The best model saved before (validation perplexity " in err and "is intact" in err
    assert f"The training state is in {out / RESUME_DIR}" in err and "--resume" in err
    assert "Traceback" not in err
    monkeypatch.undo()
    assert load_model(out).info["training"]["steps"] == 2  # the second save, whole
    assert staged_files(out) == []
    assert main(["eval", "--model", str(out), "--data", str(corpus_dir / "test.txt")]) == 0
    # room again: --resume goes on from the failed step and saves that model again
    assert main(train_args(corpus_dir, out, "--resume", "--max-minutes", "0.005")) == 0
    assert load_model(out).info["training"]["steps"] >= 3
    capsys.readouterr()


def test_when_nothing_can_be_written_the_message_says_so(corpus_dir, tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    fail_saves(monkeypatch, checkpoint, errno.ENOSPC)
    fail_saves(monkeypatch, resume, errno.ENOSPC)
    assert main(train_args(corpus_dir, out, "--epochs", "1")) == 1
    err = capsys.readouterr().err
    assert (
        f"cannot save the best model in {out}: No space left on device. No model had been saved yet." in err
    )
    assert "The training state could not be saved either (No space left on device)" in err
    assert "Traceback" not in err and not (out / "config.json").exists() and staged_files(out) == []
