"""A class at once: N clients (threads) each typing a sentence word by word (`next_words` after every word),
then generating a few words and tracing the prompt, in a loop, against `python -m playground` on loopback.
Each client sends one session hash with all its calls, as a browser tab or gradio_client does;
--bare-calls sends none (curl-style), for which Gradio builds a whole new session per call.

Prints one JSON line: requests, failed, wrong (an answer that is not this call's, or of the wrong size),
busy (answered "queue full, try again": HTTP 503), p95_ms, median_ms (all answered calls), the same
per endpoint, server_cpu_ms_per_request (the server's CPU time over the run / requests) and
client_cpu_ms_per_request (this script's, on the same cores),
rss_growth_mb (server resident memory, end minus start after a warm-up of one call per endpoint),
rss_growth_second_half_mb (end minus the middle of the run), rss_plateaued (the second half added at
most a quarter of the growth, or under 10 MB: memory levels off instead of growing with every request)
and rss_mb_timeline (one sample every tenth of the run). Goals for 30 clients over 60 s: 0 failed,
0 wrong, p95 <= 1000 ms, growth <= 50 MB.

    python tests/benchmarks/classroom_load.py [--model DIR] [--clients 30] [--seconds 60] [--bare-calls]
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
ENDPOINTS = ("next_words", "generate", "trace")
TIMEOUT = 30  # seconds before one request counts as failed (hung)
PLATEAU_MB = 10  # a second half that adds less than this (or under a quarter of the growth) has levelled off


class Busy(Exception):
    """The queue was full: the server said to try again."""


def call(base: str, api_name: str, data: list, timeout: float = TIMEOUT, session: str | None = None) -> list:
    """POST a call and read its event stream to the end: its result (the `data` of its complete event);
    Busy on HTTP 503, RuntimeError on any failure.
    `session`: the caller's session hash (a browser tab or gradio_client sends one; None: a bare call)."""
    body = {"data": data} if session is None else {"data": data, "session_hash": session}
    req = urllib.request.Request(
        f"{base}/gradio_api/call/{api_name}",
        data=json.dumps(body).encode(),
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
                return json.loads(line[5:])
    raise RuntimeError(f"{api_name}: the stream ended without a result")


def wrong_answer(api_name: str, prompt: str, data: list, result: list) -> str | None:
    """Why `result` is not the answer to this call (another call's, or malformed); None when it is."""
    answer = result[0] if isinstance(result, list) and result else None
    if not isinstance(answer, dict):
        return f"{api_name}: no result object"
    if api_name in ("next_words", "trace") and answer.get("tokens") != prompt.split():
        return f"{api_name}: answer for {answer.get('tokens')!r}, asked {prompt!r}"
    if api_name == "next_words":
        probs = answer.get("probs") or []
        if len(probs) != min(data[1], 30) or probs != sorted(probs, reverse=True) or sum(probs) > 1 + 1e-5:
            return f"next_words: {len(probs)} probabilities, not {data[1]} in decreasing order"
    if api_name == "generate" and not 1 <= len(answer.get("words") or []) <= data[1]:
        return f"generate: {len(answer.get('words') or [])} words, asked {data[1]}"
    return None


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB, from /proc (Linux)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far, from /proc (Linux)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


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


def student(
    base: str, seed: int, stop_at: float, results: list, lock: threading.Lock, sessions: bool = True
) -> None:
    """One client: type a sentence word by word, generate a little, trace it; again until stop_at.
    With `sessions`, its calls carry one session hash, as a browser tab's do; else each call is bare."""
    rng = random.Random(seed)
    session = f"student-{seed}-{os.getpid()}" if sessions else None
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
                sent = data(prompt)
                wrong = wrong_answer(api_name, prompt, sent, call(base, api_name, sent, session=session))
                outcome = f"wrong: {wrong}" if wrong else "ok"
            except Busy:
                outcome = "busy"
                time.sleep(0.5)  # what the message asks: try again shortly
            except Exception as e:  # noqa: BLE001 - every failure counts, whatever its kind
                outcome = f"failed: {e}"
            with lock:
                results.append((api_name, outcome, (time.perf_counter() - start) * 1000))


def percentile(sorted_ms: list[float], q: float) -> float | None:
    """The value below which a fraction q of the (sorted) timings lie (nearest rank, rounded to 0.1 ms)."""
    return round(sorted_ms[int(q * (len(sorted_ms) - 1))], 1) if sorted_ms else None


def sample_rss(pid: int, every: float, samples: list, done: threading.Event) -> None:
    """Append (seconds since start, RSS MB) every `every` seconds until `done` is set."""
    start = time.time()
    while not done.wait(every):
        samples.append((time.time() - start, rss_mb(pid)))


def run(model: Path, clients: int, seconds: float, sessions: bool = True) -> dict:
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
        rss_start, cpu_start, client_start = rss_mb(proc.pid), cpu_seconds(proc.pid), time.process_time()
        results: list = []
        lock = threading.Lock()
        samples: list = []
        sampled = threading.Event()
        sampler = threading.Thread(
            target=sample_rss, args=(proc.pid, seconds / 20, samples, sampled), daemon=True
        )
        sampler.start()
        stop_at = time.time() + seconds
        threads = [
            threading.Thread(target=student, args=(base, i, stop_at, results, lock, sessions), daemon=True)
            for i in range(clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + TIMEOUT + 10)
        sampled.set()
        rss_end, cpu_end, client_end = rss_mb(proc.pid), cpu_seconds(proc.pid), time.process_time()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    ok_ms = sorted(ms for _, outcome, ms in results if outcome == "ok")
    failures = [outcome for _, outcome, _ in results if outcome.startswith("failed")]
    growth = rss_end - rss_start
    middle = [mb for t, mb in samples if t <= seconds / 2]
    second_half = rss_end - (middle[-1] if middle else rss_start)
    figures = {
        "clients": clients,
        "seconds": seconds,
        "sessions": sessions,
        "requests": len(results),
        "failed": len(failures),
        "wrong": sum(outcome.startswith("wrong") for _, outcome, _ in results),  # answers to another call
        "busy": sum(outcome == "busy" for _, outcome, _ in results),
        "p95_ms": percentile(ok_ms, 0.95),
        "median_ms": round(statistics.median(ok_ms), 1) if ok_ms else None,
    }
    for endpoint in ENDPOINTS:
        ms = sorted(ms for api_name, outcome, ms in results if outcome == "ok" and api_name == endpoint)
        figures[f"{endpoint}_requests"] = len(ms)
        figures[f"{endpoint}_median_ms"] = round(statistics.median(ms), 1) if ms else None
        figures[f"{endpoint}_p95_ms"] = percentile(ms, 0.95)
    figures |= {
        "server_cpu_ms_per_request": round(1000 * (cpu_end - cpu_start) / max(1, len(results)), 1),
        "client_cpu_ms_per_request": round(1000 * (client_end - client_start) / max(1, len(results)), 1),
        "rss_start_mb": round(rss_start, 1),
        "rss_growth_mb": round(growth, 1),
        "rss_growth_second_half_mb": round(second_half, 1),
        "rss_plateaued": second_half <= max(PLATEAU_MB, growth / 4),
        "rss_mb_timeline": [round(mb) for t, mb in samples[1::2]],
        "first_failures": failures[:3],
        "first_wrong": [outcome for _, outcome, _ in results if outcome.startswith("wrong")][:3],
    }
    return figures


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=None, help="model directory (default: the bundled model)")
    p.add_argument("--clients", type=int, default=30)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument(
        "--bare-calls",
        action="store_true",
        help="send calls without a session hash (curl-style): the server builds a new session for each",
    )
    args = p.parse_args()
    print(json.dumps(run(args.model or default_model(), args.clients, args.seconds, not args.bare_calls)))


if __name__ == "__main__":
    main()
