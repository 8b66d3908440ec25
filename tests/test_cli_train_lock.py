"""Two `lstmlm train` runs into one --out: the second is refused while the first writes there (they would
mix their best models, resume states and metrics.jsonl), and the folder is free again once the first ends,
however it ends (here: SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import write_corpus

from lstmlm.cli import main

REPO = Path(__file__).resolve().parent.parent
TINY = ["--softmax", "full", "--embed-dim", "8", "--hidden-dim", "8", "--batch-size", "4", "--bptt", "10",
        "--threads", "1", "--device", "cpu", "--quiet", "--no-auto"]  # fmt: skip


def test_a_second_training_into_the_same_folder_is_refused_until_the_first_ends(tmp_path, capsys):
    corpus_dir = write_corpus(tmp_path / "corpus", lines=(1500, 40, 40))
    out = tmp_path / "run"
    args = ["train", "--data", str(corpus_dir), "--out", str(out), "--eval-every", "20", *TINY]
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(REPO))
    first = subprocess.Popen(
        [sys.executable, "-m", "lstmlm.cli", *args, "--epochs", "500"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while not (out / "metrics.jsonl").exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert first.poll() is None, first.communicate()  # training, and it has validated once
        before = (out / "metrics.jsonl").read_bytes()

        assert main([*args, "--epochs", "1"]) == 2
        err = capsys.readouterr().err
        assert f"another lstmlm train is writing to {out}" in err and "give another --out" in err
        assert "Traceback" not in err
        assert (out / "metrics.jsonl").read_bytes().startswith(before)  # the first run's curve, untouched

        first.send_signal(signal.SIGKILL)  # no handler, no clean-up: the OS drops the lock with the process
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    assert main([*args, "--epochs", "1"]) == 0  # free again
    assert "another lstmlm train" not in capsys.readouterr().err
    assert (out / "config.json").is_file()
