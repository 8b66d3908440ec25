"""Ctrl-C at any moment of any `lstmlm` subcommand, while torch is still loading included, ends with one line
on stderr and exit status 130, never a traceback; the model it was reading is left as it was."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest
import torch

from lstmlm.cli import INTERRUPTED, main


def _digest(folder) -> dict[str, str]:
    """sha256 of every file of a model directory, by name."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


def _ctrl_c(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    "argv, where",
    [
        (["eval", "--data", "{corpus}/test.txt"], (torch.nn.LSTM, "forward")),  # reading the file
        (["next", "the cat"], ("lstmlm.checkpoint.safe_open",)),  # loading the model's weights
        (["sample", "the cat", "-n", "5"], ("lstmlm.checkpoint.safe_open",)),
    ],
)
def test_ctrl_c_inside_a_command_is_one_line(capsys, monkeypatch, tiny_model_dir, tiny_corpus, argv, where):
    argv = [a.format(corpus=tiny_corpus) for a in argv] + ["--model", str(tiny_model_dir)]
    before = _digest(tiny_model_dir)
    monkeypatch.setattr(*where, _ctrl_c)
    code = main(argv)
    captured = capsys.readouterr()
    assert code == INTERRUPTED == 130
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lstmlm: interrupted (Ctrl-C)"), captured.err
    assert "Traceback" not in captured.err + captured.out
    assert _digest(tiny_model_dir) == before


def test_ctrl_c_while_torch_is_loading(tiny_model_dir):
    # `lstmlm` as its console script runs it (`from lstmlm.cli import main`), with the Ctrl-C arriving
    # while `import torch` runs: on a slow machine that is the first seconds of every command
    script = (
        "import builtins, sys\n"
        "real = builtins.__import__\n"
        "def ctrl_c_in_torch(name, *args, **kwargs):\n"
        "    if name == 'torch' or name.startswith('torch.'):\n"
        "        raise KeyboardInterrupt\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = ctrl_c_in_torch\n"
        "from lstmlm.cli import main\n"
        f"sys.exit(main(['next', '--model', {str(tiny_model_dir)!r}, 'the cat']))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "lstmlm: interrupted (Ctrl-C) before the command finished; no file was left half-written, "
        "run the command again to finish it"
    ]
    assert done.stdout == ""
