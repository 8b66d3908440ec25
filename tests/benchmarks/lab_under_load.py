"""A Live Lab training and a class using the playground at once: does either slow the other too much?

Starts `python -m playground` on a free loopback port (its default of one Live Lab training per two cores),
then through the raw HTTP API:
  1. alone: one Live Lab training (`lab_train`, a teaching text, the default model, `--seconds` long) with
     nobody else on the server; its characters/s;
  2. under load, twice: the same training again while `--clients` clients (threads) call `next_words`: a
     call, then `--think-ms` of pause. "fresh": each call a prompt of 4-30 words never sent before, the
     worst case (the playground remembers the states after prompts it read, so a new prompt costs one
     model step per word); "typing": as students type, each call the client's own sentence one word longer
     (a new sentence after 30 words), so a call costs one step. The clients' latencies (only calls made
     while the training ran) and the training's characters/s, for each.
Prints one JSON line: next_words p50/p95 under load (goal p95 <= 250 ms; `next_words_*` for fresh prompts,
`typing_*` for typing), the training's characters/s alone and under load and their ratio (goal >= 0.7), the
server process's CPU time per next_words call under load (its own threads, not the training's process: the
figure to compare on a machine shared with other work, where latencies follow the load), with the machine's
cores and load average.

    python tests/benchmarks/lab_under_load.py [--model DIR] [--seconds 30] [--clients 20] [--think-ms 250]
                                             [--request-nice N]

`--request-nice` is the server's (how far its requests run below its trainings; the JSON line says which was
used): run it at two values to see the trade between the two goals.

Figures depend on the machine: run it on an idle one, and say how loaded it was when quoting them.
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
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from playground_latency import OPENER, wait_until_up  # noqa: E402 - the latency benchmark's server helpers

from playground.__main__ import REQUEST_NICE  # noqa: E402 - the server's default, reported

WORDS = (
    "the cat sat on the mat and looked at the little dog who was playing in the garden with a red ball while "
    "the sun went down behind the old house near the river where the children liked to swim in summer"
).split()


def call(base: str, api_name: str, data: list, timeout: float = 120) -> tuple[float, object]:
    """One call through the queue: (seconds from POST to the `complete` event, the result's first value)."""
    start = time.perf_counter()
    req = urllib.request.Request(
        f"{base}/gradio_api/call/{api_name}",
        data=json.dumps({"data": data}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with OPENER.open(req, timeout=timeout) as r:
        event_id = json.loads(r.read())["event_id"]
    event = ""
    with OPENER.open(f"{base}/gradio_api/call/{api_name}/{event_id}", timeout=timeout) as r:
        for raw in r:
            line = raw.decode().rstrip("\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                if event == "error":
                    raise RuntimeError(f"{api_name} failed: {line}")
                return time.perf_counter() - start, json.loads(line[5:])[0]
    raise RuntimeError(f"{api_name}: the stream ended without a result")


def train(base: str, text: str, seconds: float) -> dict:
    """Start a Live Lab training and wait for it to end; its last status."""
    _, started = call(base, "lab_train", ["", {"seconds": seconds}, text, ""])
    while True:
        _, status = call(base, "lab_status", [started["job"], False])
        if status["state"] not in ("queued", "running"):
            return status
        time.sleep(0.5)


def client(
    base: str,
    seed: int,
    think_s: float,
    running: threading.Event,
    ms: list[float],
    calls: list[int],
    typing: bool = False,
) -> None:
    """A student: next_words, a pause, again, while the training runs; each call on a new prompt of 4-30
    words, or (`typing`) on the client's sentence one word longer. `ms`: the latency of each call made
    while the training ran; `calls`: one entry per call made."""
    rng = random.Random(seed)
    sentence: list[str] = []
    while running.is_set():
        if typing:
            sentence = (sentence if len(sentence) < 30 else []) + [rng.choice(WORDS)]
            prompt = " ".join(sentence)
        else:
            prompt = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 30)))  # new every time
        began = running.is_set()
        seconds, _ = call(base, "next_words", [prompt, 10])
        calls.append(1)
        if began and running.is_set():
            ms.append(seconds * 1000)
        time.sleep(think_s * rng.uniform(0.5, 1.5))


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) a process has used so far, from Linux /proc (0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime in clock ticks


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=None, help="model the clients use (default: the bundled)")
    p.add_argument("--text", default="quotes", help="the teaching text trained on (default quotes)")
    p.add_argument("--seconds", type=float, default=30.0, help="each training's time budget (10-300)")
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--think-ms", type=float, default=250.0, help="a client's pause between calls (mean)")
    p.add_argument(
        "--request-nice", type=int, default=None, help="the server's --request-nice (default: its default)"
    )
    args = p.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    env |= dict(GRADIO_ANALYTICS_ENABLED="False", HF_HUB_DISABLE_TELEMETRY="1")
    command = [sys.executable, "-m", "playground", "--port", str(port)]
    command += ["--model", str(args.model)] if args.model else []
    command += ["--request-nice", str(args.request_nice)] if args.request_nice is not None else []
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_up(base, proc)
        for n in range(5):  # warm up: lazy imports, allocator growth (not measured)
            call(base, "next_words", [" ".join(WORDS[n : n + 12]), 10])
        alone = train(base, args.text, args.seconds)
        loaded = {mode: under_load(base, proc.pid, args, mode == "typing") for mode in ("fresh", "typing")}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    result = {}
    for mode, prefix in (("fresh", "next_words"), ("typing", "typing")):
        ms, status, server_cpu_ms = loaded[mode]
        p95 = statistics.quantiles(ms, n=20)[18]
        ratio = status["tokens_per_s"] / max(alone["tokens_per_s"], 1)
        result |= {
            f"{prefix}_p50_ms": round(statistics.median(ms), 1), f"{prefix}_p95_ms": round(p95, 1),
            f"{prefix}_calls": len(ms), f"{prefix}_train_ratio": round(ratio, 3),
            f"{prefix}_goal_p95_met": p95 <= 250, f"{prefix}_goal_ratio_met": ratio >= 0.7,
            f"{prefix}_server_cpu_ms_per_call": server_cpu_ms, f"{prefix}_train_state": status["state"],
        }  # fmt: skip
    print(json.dumps(dict(
        clients=args.clients, think_ms=args.think_ms, train_chars_per_s_alone=alone["tokens_per_s"],
        train_chars_per_s_fresh=loaded["fresh"][1]["tokens_per_s"],
        train_chars_per_s_typing=loaded["typing"][1]["tokens_per_s"], **result,
        text=args.text, seconds=args.seconds, alone_state=alone["state"],
        request_nice=args.request_nice if args.request_nice is not None else REQUEST_NICE,
        cpus=os.cpu_count(), loadavg=round(os.getloadavg()[0], 2),
    )))  # fmt: skip


def under_load(
    base: str, pid: int, args: argparse.Namespace, typing: bool
) -> tuple[list[float], dict, float]:
    """The training again while the clients call next_words: (latencies in ms of the calls made while it
    ran, its last status, the server's CPU ms per call). RuntimeError if fewer than 20 calls ended."""
    running, ms, calls = threading.Event(), [], []
    running.set()
    threads = [
        threading.Thread(
            target=client, args=(base, n, args.think_ms / 1000, running, ms, calls, typing), daemon=True
        )
        for n in range(args.clients)
    ]
    cpu_before = cpu_seconds(pid)
    for t in threads:
        t.start()
    status = train(base, args.text, args.seconds)
    running.clear()
    server_cpu_s, calls_made = cpu_seconds(pid) - cpu_before, len(calls)
    for t in threads:
        t.join(timeout=120)
    if len(ms) < 20:
        raise RuntimeError(f"only {len(ms)} next_words calls ended while the training ran")
    return ms, status, round(server_cpu_s * 1000 / max(calls_made, 1), 1)


if __name__ == "__main__":
    main()
