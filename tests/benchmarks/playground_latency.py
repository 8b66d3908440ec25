"""Latency of the playground's endpoints through the raw HTTP API (gradio_client would add ~50 ms of polling).

Starts `python -m playground` on a free loopback port, then for each call POSTs /gradio_api/call/<api_name>
and reads the event stream until `complete`. No prompt is sent twice: the playground remembers the states of
prompts it has read, so a repeated prompt would measure that memory, not the model. Three kinds of calls:
  typing_words: as a person types, each call one word longer than the last (sentences of the text below,
      from 1 to 50 words, each sentence starting somewhere else);
  typing_chars: each call one character longer than the last (from the text's 41st word on);
  unrelated: 50-word prompts that share no beginning (the text's words shuffled anew for each call).
Prints one JSON line: for next_words, the median and p95 (ms) of each kind (goals for unrelated <= 40 and
<= 100); trace_median_ms over unrelated 100-word prompts (one layer, all six arrays; goal <= 150) and
trace_payload_kb.

    python tests/benchmarks/playground_latency.py [--model DIR] [--calls 40]
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
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEXT = (
    "The game was released in Japan in 2010 and in North America a year later . It received positive reviews "
    "from critics , who praised its story , its characters and its music , although some found the battles "
    "too slow . The soundtrack was composed by a team of four , led by a composer who had worked on the "
    "earlier games in the series . A sequel was announced in 2012 , and the original game was later ported "
    "to other consoles , with new songs , new characters and a harder mode for players who had finished it ."
).split()
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback never goes through a proxy


def prompt_of(words: int) -> str:
    """A prompt of exactly `words` WikiText tokens (the text above, repeated as needed)."""
    return " ".join((TEXT * (words // len(TEXT) + 1))[:words])


def typing_words(calls: int) -> list[str]:
    """Prompts as a person types them word by word: 1, 2, ... 50 words, then again from another start."""
    prompts, start = [], 0
    while len(prompts) < calls:
        words = (TEXT * 3)[start : start + 50]
        prompts += [" ".join(words[: n + 1]) for n in range(len(words))]
        start += 17  # the next sentence starts elsewhere in the text
    return prompts[:calls]


def typing_chars(calls: int) -> list[str]:
    """Prompts as a person types them letter by letter: each one character longer than the last."""
    text = " ".join(TEXT[40:])  # a stretch the word-by-word typing does not begin with
    return [text[: n + 1] for n in range(calls)]


def unrelated(calls: int, words: int, seed: int) -> list[str]:
    """Prompts of `words` words that share no beginning: the text's words shuffled anew for each."""
    rng, prompts = random.Random(seed), []
    while len(prompts) < calls:
        shuffled = rng.sample(TEXT * (words // len(TEXT) + 1), words)
        if all(p.split()[0] != shuffled[0] for p in prompts[-5:]):
            prompts.append(" ".join(shuffled))
    return prompts


def summary(ms: list[float]) -> tuple[float, float]:
    """(median, p95) in ms, rounded to 0.1."""
    return round(statistics.median(ms), 1), round(statistics.quantiles(ms, n=20)[18], 1)


def call(base: str, api_name: str, data: list) -> tuple[float, int]:
    """One call through the queue: seconds from POST to the `complete` event, and the payload bytes."""
    start = time.perf_counter()
    req = urllib.request.Request(
        f"{base}/gradio_api/call/{api_name}",
        data=json.dumps({"data": data}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with OPENER.open(req, timeout=60) as r:
        event_id = json.loads(r.read())["event_id"]
    event = ""
    with OPENER.open(f"{base}/gradio_api/call/{api_name}/{event_id}", timeout=60) as r:
        for raw in r:
            line = raw.decode().rstrip("\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                if event == "error":
                    raise RuntimeError(f"{api_name} failed: {line}")
                return time.perf_counter() - start, len(line) - 5
    raise RuntimeError(f"{api_name}: the stream ended without a result")


def wait_until_up(base: str, proc: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode}")
        try:
            with OPENER.open(f"{base}/gradio_api/info", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the app did not start in time")


def default_model() -> Path:
    sys.path.insert(0, str(ROOT))
    from lstmlm.checkpoint import default_model_dir

    bundled = default_model_dir()
    return bundled if bundled.exists() else ROOT / "runs" / "wt2"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--model", type=Path, default=None, help="model directory (default: bundled, else runs/wt2)"
    )
    p.add_argument("--calls", type=int, default=40, help="next_words calls measured (>= 30)")
    p.add_argument("--trace-calls", type=int, default=15, help="trace calls measured")
    args = p.parse_args()
    model = args.model or default_model()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    proc = subprocess.Popen(
        [sys.executable, "-m", "playground", "--model", str(model), "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_up(base, proc)
        for prompt in unrelated(5, 100, seed=99):  # warm up: lazy imports, allocator growth (not measured)
            call(base, "next_words", [prompt, 10])
            call(base, "trace", [prompt, 0, "f,i,o,g,c,h", "float16", 3])
        n = max(30, args.calls)
        kinds = {
            "typing_words": typing_words(n),
            "typing_chars": typing_chars(n),
            "unrelated": unrelated(n, 50, seed=1),
        }
        sent = [p for prompts in kinds.values() for p in prompts]
        assert len(set(sent)) == len(sent), "a prompt sent twice would measure the memo"
        ms = {
            kind: [call(base, "next_words", [p, 10])[0] * 1000 for p in prompts]
            for kind, prompts in kinds.items()
        }
        traces = [
            call(base, "trace", [p, 0, "f,i,o,g,c,h", "float16", 3])
            for p in unrelated(args.trace_calls, 100, 2)
        ]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    figures = {}
    for kind, values in ms.items():
        figures[f"next_words_{kind}_median_ms"], figures[f"next_words_{kind}_p95_ms"] = summary(values)
    figures |= {
        "trace_median_ms": round(statistics.median(t for t, _ in traces) * 1000, 1),
        "trace_payload_kb": round(traces[-1][1] / 1024, 1),
        "calls_per_kind": n,
        "trace_calls": len(traces),
        "model": str(model),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
