"""A class at once: N clients (threads) each typing a sentence word by word (`next_words` after every word),
then generating a few words and tracing the prompt, in a loop, against `python -m playground` on loopback.

Prints one JSON line: requests, failed, busy (answered "queue full, try again": HTTP 503), p95_ms,
median_ms, rss_growth_mb (server resident memory, end minus start after a warm-up). Goals for 30 clients
over 60 s: 0 failed, p95 <= 1000 ms, growth <= 50 MB.

    python tests/benchmarks/classroom_load.py [--model DIR] [--clients 30] [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # also when a test loads this file by path
from playground_latency import default_model, wait_until_up  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback never uses a proxy
SENTENCES = [
    "The game was released in Japan in 2010 and in North America a year later .",
    "the cat sat on the mat and the dog ran to the house .",
    "In 1998 the band recorded its first album , which was praised by critics .",
    "The river flows north through the valley before it reaches the sea .",
]
TIMEOUT = 30  # seconds before one request counts as failed (hung)


class Busy(Exception):
    """The queue was full: the server said to try again."""


def call(base: str, api_name: str, data: list, timeout: float = TIMEOUT) -> None:
    """POST a call and read its event stream to the end; Busy on HTTP 503, RuntimeError on any failure."""
    req = urllib.request.Request(
        f"{base}/gradio_api/call/{api_name}",
        data=json.dumps({"data": data}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with OPENER.open(req, timeout=timeout) as r:
            event_id = json.loads(r.read())["event_id"]
    except urllib.error.HTTPError as e:
        if e.code == 503:
            raise Busy(e.read().decode(errors="replace")) from None
        raise RuntimeError(f"{api_name}: HTTP {e.code}") from None
    event = ""
    with OPENER.open(f"{base}/gradio_api/call/{api_name}/{event_id}", timeout=timeout) as r:
        for raw in r:
            line = raw.decode().rstrip("\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                if event == "error":
                    raise RuntimeError(f"{api_name}: {line[5:200]}")
                return
    raise RuntimeError(f"{api_name}: the stream ended without a result")


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB, from /proc (Linux)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(model: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "playground", "--model", str(model), "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def student(base: str, seed: int, stop_at: float, results: list, lock: threading.Lock) -> None:
    """One client: type a sentence word by word, generate a little, trace it; again until stop_at."""
    rng = random.Random(seed)
    while time.time() < stop_at:
        words = rng.choice(SENTENCES).split()
        prompt = ""
        requests = [("next_words", lambda p: [p, 10]) for _ in words]
        requests += [("generate", lambda p: [p, 5, 0.8, 40, 0.95, rng.randrange(1000)])]
        requests += [("trace", lambda p: [p, 0, "f,i,o,g,c,h", "float16", 3])]
        for i, (api_name, data) in enumerate(requests):
            if time.time() >= stop_at:
                return
            if i < len(words):
                prompt = " ".join(words[: i + 1])
            start = time.perf_counter()
            try:
                call(base, api_name, data(prompt))
                outcome = "ok"
            except Busy:
                outcome = "busy"
                time.sleep(0.5)  # what the message asks: try again shortly
            except Exception as e:  # noqa: BLE001 - every failure counts, whatever its kind
                outcome = f"failed: {e}"
            with lock:
                results.append((outcome, (time.perf_counter() - start) * 1000))


def run(model: Path, clients: int, seconds: float) -> dict:
    """Start the app, run the class against it, stop the app; the figures as a dict."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(model, port)
    try:
        wait_until_up(base, proc)
        for api_name, data in (("next_words", ["the", 10]), ("generate", ["the", 3]), ("trace", ["the", 0])):
            call(
                base,
                api_name,
                data
                + ([0.8, 40, 0.95, 0] if api_name == "generate" else [])
                + (["f,i,o,g,c,h", "float16", 3] if api_name == "trace" else []),
            )  # warm-up: first calls allocate caches that are not growth
        rss_start = rss_mb(proc.pid)
        results: list = []
        lock = threading.Lock()
        stop_at = time.time() + seconds
        threads = [
            threading.Thread(target=student, args=(base, i, stop_at, results, lock), daemon=True)
            for i in range(clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + TIMEOUT + 10)
        rss_end = rss_mb(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    ok_ms = sorted(ms for outcome, ms in results if outcome == "ok")
    failures = [outcome for outcome, _ in results if outcome.startswith("failed")]
    return {
        "clients": clients,
        "seconds": seconds,
        "requests": len(results),
        "failed": len(failures),
        "busy": sum(outcome == "busy" for outcome, _ in results),
        "p95_ms": round(ok_ms[int(0.95 * (len(ok_ms) - 1))], 1) if ok_ms else None,
        "median_ms": round(statistics.median(ok_ms), 1) if ok_ms else None,
        "rss_growth_mb": round(rss_end - rss_start, 1),
        "first_failures": failures[:3],
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=None, help="model directory (default: the bundled model)")
    p.add_argument("--clients", type=int, default=30)
    p.add_argument("--seconds", type=float, default=60)
    args = p.parse_args()
    print(json.dumps(run(args.model or default_model(), args.clients, args.seconds)))


if __name__ == "__main__":
    main()
