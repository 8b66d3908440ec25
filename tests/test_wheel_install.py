"""The package as a user installs it: a wheel built from the source, installed into a fresh virtual
environment (not editable, run from a folder outside the source tree), runs `lstmlm next`, `lstmlm trace
--json` and `lstm-playground` on the model it carries.

The environment sees the system's site-packages only to reuse torch, gradio and the other dependencies
(nothing is downloaded); the test checks that `lstmlm` and `playground` are imported from the environment.
"""

from __future__ import annotations

import json
import os
import runpy
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from lstmlm.bundled import DEFAULT_MODEL, PACKAGED
from lstmlm.cli import main

REPO = Path(__file__).resolve().parent.parent
SOURCE = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "lstmlm", "playground", "assets/models",
          "assets/teaching_texts")  # fmt: skip
PROMPT = "The cat sat on the"
MAX_WHEEL_MB = 100

pytestmark = pytest.mark.slow


def _copy_source(dest: Path) -> None:
    """What a fresh clone holds of the package (without caches or build folders)."""
    for name in SOURCE:
        src = REPO / name
        if src.is_dir():
            skip = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.tmp")
            shutil.copytree(src, dest / name, ignore=skip)
        else:
            shutil.copy2(src, dest / name)


def _expected_model_files() -> set[str]:
    """Each model folder's own non-hidden files, as the wheel should carry them (setup.py's CLONE_ONLY
    folders stay in the clone)."""
    clone_only = runpy.run_path(str(REPO / "setup.py"), run_name="setup_under_test")["CLONE_ONLY"]
    assert DEFAULT_MODEL not in clone_only
    names = set()
    for folder in (REPO / "assets" / "models").iterdir():
        if (folder / "config.json").is_file() and folder.name not in clone_only:
            for f in folder.iterdir():
                if f.is_file() and not f.name.startswith(".") and not f.name.endswith(".tmp"):
                    names.add(f"lstmlm/{PACKAGED}/{folder.name}/{f.name}")
    return names


def _run(cmd: list[str], cwd: Path, env: dict, timeout: float = 120) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{cmd}: {done.stderr[-3000:]}"
    return done.stdout


def _http(url: str, body: dict | None = None, timeout: float = 30) -> str:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy
    with opener.open(request, timeout=timeout) as response:
        return response.read().decode()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_wheel_installs_into_a_fresh_venv_and_runs(tmp_path, capsys):
    started = time.monotonic()
    src, dist, venv, elsewhere = (tmp_path / n for n in ("src", "dist", "venv", "elsewhere"))
    src.mkdir()
    elsewhere.mkdir()
    _copy_source(src)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",) and not k.startswith("LSTMLM_")}
    env.update(GRADIO_ANALYTICS_ENABLED="False", HF_HUB_DISABLE_TELEMETRY="1")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"

    pip = [sys.executable, "-m", "pip"]
    _run([*pip, "wheel", ".", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist)], src, env)
    (wheel,) = dist.glob("lstm_playground-*.whl")
    assert wheel.stat().st_size < MAX_WHEEL_MB * 1e6, f"{wheel.stat().st_size / 1e6:.1f} MB"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    carried = {n for n in names if n.startswith(f"lstmlm/{PACKAGED}/")}
    assert carried == _expected_model_files()
    for name in (DEFAULT_MODEL, "storybooks-gru", "storybooks-rnn"):  # the default model and its line-up
        assert f"lstmlm/{PACKAGED}/{name}/model.safetensors" in carried
    texts = {n for n in names if n.startswith("lstmlm/_teaching_texts/")}  # the Live Lab's built-in texts
    assert texts == {
        f"lstmlm/_teaching_texts/{f.name}" for f in (REPO / "assets/teaching_texts").glob("*.txt")
    }
    data = {  # every data file inside the packages (word lists...) is in the wheel too
        f.relative_to(REPO).as_posix()
        for package in ("lstmlm", "playground")
        for f in (REPO / package).rglob("*")
        if f.is_file() and f.suffix not in (".py", ".pyc", ".tmp") and "__pycache__" not in f.parts
    }
    assert data <= names, sorted(data - names)

    # --system-site-packages only to reuse the installed dependencies; --no-index: nothing is downloaded,
    # and pip still checks that the wheel's requirements are met
    _run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], tmp_path, env)
    python = venv / "bin" / "python"
    _run([*pip, "--python", str(python), "install", "--no-index", "-q", str(wheel)], elsewhere, env)
    where = json.loads(
        _run(
            [
                str(python),
                "-c",
                "import json, lstmlm, playground, lstmlm.bundled as b;"
                "print(json.dumps([lstmlm.__file__, playground.__file__, str(b.default_model_dir())]))",
            ],
            elsewhere,
            env,
        )
    )
    quotes = _run(  # the Live Lab reads its teaching texts from the installed package
        [str(python), "-c", "from lstmlm.training.live import TEACHING_TEXTS as T, teaching_root as r;"
         "print(r()); print(T['quotes'].read(), end='')"], elsewhere, env,
    )  # fmt: skip
    root, text = quotes.split("\n", 1)
    assert Path(root).is_relative_to(venv), root
    assert text == (REPO / "assets/teaching_texts/quotes.txt").read_text(encoding="utf-8")
    for path in where:  # the installed copy, with its own model; never the source tree
        assert Path(path).is_relative_to(venv) and not Path(path).is_relative_to(REPO), path
    assert Path(where[2]).name == DEFAULT_MODEL

    lstmlm = str(venv / "bin" / "lstmlm")
    answer = json.loads(_run([lstmlm, "next", PROMPT, "--json", "-k", "5"], elsewhere, env))
    assert main(["next", PROMPT, "--json", "-k", "5"]) == 0  # the clone's model, read here
    expected = json.loads(capsys.readouterr().out)
    # the same words and numbers; the probabilities to float32 rounding only (this test process may run
    # torch with another thread count than a fresh one, which changes the order of a matmul's sums)
    same = {k: v for k, v in expected.items() if k not in ("next", "entropy_bits")}
    assert {k: v for k, v in answer.items() if k not in ("next", "entropy_bits")} == same
    assert [n["word"] for n in answer["next"]] == [n["word"] for n in expected["next"]]
    probs = [n["prob"] for n in expected["next"]]
    assert [n["prob"] for n in answer["next"]] == pytest.approx(probs, rel=1e-5)
    assert answer["entropy_bits"] == pytest.approx(expected["entropy_bits"], rel=1e-5)

    traced = json.loads(_run([lstmlm, "trace", "--json", PROMPT], elsewhere, env))
    assert traced["tokens"] == expected["tokens"]
    assert [n["word"] for n in traced["next"][:5]] == [n["word"] for n in expected["next"]]
    layer = traced["layers"][-1]
    assert {"i", "f", "g", "o", "c", "h"} <= set(layer) and len(layer["c"]) == len(expected["tokens"])

    port = _free_port()
    server = subprocess.Popen(
        [str(venv / "bin" / "lstm-playground"), "--port", str(port)],
        cwd=elsewhere,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, server.stdout.read()
            try:
                page = _http(url + "/", timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, "lstm-playground did not answer within 90 s"
                time.sleep(0.5)
        assert "LSTM Playground" in page
        event = json.loads(_http(f"{url}/gradio_api/call/next_words", {"data": [PROMPT, 5]}))["event_id"]
        stream = _http(f"{url}/gradio_api/call/next_words/{event}")
        data = [line[len("data:") :] for line in stream.splitlines() if line.startswith("data:")]
        (result,) = json.loads(data[-1])
        assert result["words"] == [n["word"] for n in expected["next"]]
        assert result["probs"] == pytest.approx([n["prob"] for n in expected["next"]], abs=1e-6)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"wheel {wheel.stat().st_size / 1e6:.1f} MB; whole test {time.monotonic() - started:.1f} s")
