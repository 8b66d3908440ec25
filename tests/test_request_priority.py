"""The server's requests run below its Live Lab trainings (Linux nice is per thread): checked on real threads
and a real worker process, read back with os.getpriority, in a fresh interpreter (the setting changes the
priority of the thread that calls it for good)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's"),
]

PROBE = r"""
import json, os, sys, threading
from playground.server.live_worker import context, lower_request_priority

def nice_of_this_thread():
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

def report(queue):
    queue.put(os.getpriority(os.PRIO_PROCESS, 0))

if __name__ == "__main__":
    before = nice_of_this_thread()
    applied = lower_request_priority(int(sys.argv[1]))
    lower_request_priority(int(sys.argv[1]))  # a second call (main() run twice) lowers it no further
    seen = {}
    t = threading.Thread(target=lambda: seen.update(thread=nice_of_this_thread()))
    t.start(); t.join()
    ctx = context()
    q = ctx.Queue()
    p = ctx.Process(target=report, args=(q,))
    p.start(); worker = q.get(timeout=60); p.join(timeout=30)
    print(json.dumps(dict(before=before, applied=applied, main=nice_of_this_thread(), thread=seen["thread"],
                          worker=worker)))
"""


def run_probe(nice: int, tmp_path) -> dict:
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    out = subprocess.run(
        [sys.executable, str(script), str(nice)], capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_requests_run_below_the_trainings(tmp_path):
    start = os.getpriority(os.PRIO_PROCESS, 0)
    if start + 5 > 19:
        pytest.skip(f"this test runs at nice {start}: no room to lower it by 5")
    r = run_probe(5, tmp_path)
    assert r["applied"] == 5
    assert r["main"] == r["before"] + 5  # the thread that serves
    assert r["thread"] == r["before"] + 5  # a thread it starts afterwards (the web server's) inherits it
    assert r["worker"] == r["before"]  # a training's worker keeps the priority the server started with


def test_zero_changes_nothing(tmp_path):
    r = run_probe(0, tmp_path)
    assert r["applied"] == 0
    assert r["main"] == r["thread"] == r["worker"] == r["before"]


def test_out_of_range_is_refused_before_start():
    out = subprocess.run(
        [sys.executable, "-m", "playground", "--request-nice", "25", "--port", "1"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 2
    assert "--request-nice must be between 0 and 19, got 25" in out.stderr
    assert "Traceback" not in out.stderr
