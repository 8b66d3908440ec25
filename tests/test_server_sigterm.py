"""SIGTERM (`kill`, a service manager's stop) ends the server as Ctrl+C does: a Live Lab training running at
that moment is stopped, its worker process ends, and its folder is removed. (Python's own answer to SIGTERM
ended the process at once: the folder stayed in the temporary directory and the worker ran on.)"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]

sys.path.insert(0, str(Path(__file__).parent / "benchmarks"))
from playground_latency import OPENER, wait_until_up  # noqa: E402 - the benchmarks' server helpers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (children, their children, ...), read from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start_server(
    model_dir: Path, tmp_path: Path, stderr=subprocess.DEVNULL
) -> tuple[subprocess.Popen, str, Path]:
    """`python -m playground` on a free port, its temporary directory under `tmp_path` (where the Live Lab's
    job folders go): (the process, its URL, that directory)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    port = free_port()
    env = dict(os.environ, TMPDIR=str(tmp), NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    proc = subprocess.Popen(
        [sys.executable, "-m", "playground", "--model", str(model_dir), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        text=True,
    )
    return proc, f"http://127.0.0.1:{port}", tmp


def first_running_message(base: str) -> dict:
    """Start a 60 s Live Lab training of a teaching text; the first streamed message that says it runs."""
    body = json.dumps({"data": ["", {"seconds": 60}, "anbn", ""]}).encode()
    req = urllib.request.Request(
        f"{base}/gradio_api/call/lab_train", data=body, headers={"Content-Type": "application/json"}
    )
    with OPENER.open(req, timeout=60) as r:
        event_id = json.loads(r.read())["event_id"]
    with OPENER.open(f"{base}/gradio_api/call/lab_train/{event_id}", timeout=120) as r:
        for raw in r:
            line = raw.decode().strip()
            if line.startswith("data:") and line[5:].strip() not in ("", "null"):
                message = json.loads(line[5:])[0]
                if message.get("state") == "running" and message.get("step", 0) > 0:
                    return message
    raise AssertionError("the training never reported a step")


def test_sigterm_stops_the_training_and_removes_its_folder(tiny_model_dir, tmp_path):
    proc, base, tmp = start_server(tiny_model_dir, tmp_path, stderr=subprocess.PIPE)
    try:
        wait_until_up(base, proc)
        first_running_message(base)
        folders = list(tmp.glob("live-lab-*"))
        assert len(folders) == 1, folders  # the training's folder, in the server's temporary directory
        below = descendants(proc.pid)
        assert below, "the training's worker process was not found under the server"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err[-2000:]
    assert "Traceback" not in err, err[-2000:]
    assert not folders[0].exists(), list(folders[0].iterdir())
    deadline = time.time() + 30  # the worker and the forkserver end with their server
    while any(alive(p) for p in below) and time.time() < deadline:
        time.sleep(0.2)
    assert not [p for p in below if alive(p)], "a process of the server outlived it"


def test_main_in_process_gives_sigterm_back_as_it_found_it(tiny_model_dir, monkeypatch):
    """While it serves, SIGTERM is Ctrl+C; after main() returns, the handler is the one it found, a
    handler set from outside Python (getsignal None) included, which comes back as the default."""
    import gradio as gr

    from playground import __main__ as server_main

    seen = []
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **kw: seen.append(signal.getsignal(signal.SIGTERM)))
    monkeypatch.setattr(server_main, "port_problem", lambda host, port: None)
    mine = lambda signum, frame: None  # noqa: E731
    before = signal.signal(signal.SIGTERM, mine)
    try:
        assert server_main.main(["--model", str(tiny_model_dir)]) == 0
        assert seen == [server_main._as_ctrl_c] and signal.getsignal(signal.SIGTERM) is mine
        monkeypatch.setattr(signal, "signal", _reports_none_once(signal.signal))
        assert server_main.stop_on_sigterm() == (True, signal.SIG_DFL)
    finally:
        signal.signal(signal.SIGTERM, before if before is not None else signal.SIG_DFL)


def _reports_none_once(real):
    """signal.signal as it answers when the handler it replaces was set outside Python: None."""

    def fake(signum, handler):
        real(signum, handler)
        return None

    return fake


def test_a_resume_pending_at_close_starts_nothing():
    """The server ends while a training is pausing with a resume asked: it is stopped, not started again."""
    from test_live_app import TINY, anbn_text, wait_for

    from lstmlm.training.live import LiveSettings
    from playground.server.live_jobs import LiveJobs

    jobs = LiveJobs(max_running=1)
    job = jobs.start(anbn_text(), LiveSettings(seconds=300, **TINY))
    wait_for(lambda: job.step >= 2)
    jobs.pause(job.id)
    jobs.resume(job.id)  # kept until it has paused
    assert jobs.close(timeout=60) == 0
    time.sleep(0.5)
    assert job.resumes == 0 and job.state == "stopped" and not job.running and not job.folder.exists()
    assert not [t for t in jobs.threads if t.is_alive()]


def test_a_killed_server_leaves_no_training_process_behind(tiny_model_dir, tmp_path):
    """SIGKILL (or a crash) skips every exit hook: the Lab's worker learns it from the server's pid and ends
    within seconds, and the forkserver with it (they used to wait for ever, ~0.5 GB, flushing progress
    messages to a reader that was gone)."""
    proc, base, _ = start_server(tiny_model_dir, tmp_path)
    try:
        wait_until_up(base, proc)
        first_running_message(base)
        below = descendants(proc.pid)
        assert below, "the training's worker process was not found under the server"
    finally:
        proc.kill()
        proc.wait()
    deadline = time.time() + 30
    while any(alive(p) for p in below) and time.time() < deadline:
        time.sleep(0.2)
    left = [p for p in below if alive(p)]
    for p in left:  # a failed run leaves nothing behind for the next test either
        os.kill(p, signal.SIGKILL)
    assert not left, "a training process outlived its killed server"
