"""A class of N students playing the Class game against `python -m playground` on loopback, through the
room endpoints (each client one session hash, as a browser tab): every student joins the room, polls
`room_state` every POLL_S seconds (as an open Class-game tab does) and guesses each round's word a few
seconds after it opens; the teacher (one more client, polling too) pushes a sentence, reveals each round
after ROUND_S seconds (the models' top words: the app's LSTM and the bundled GRU and RNN beside it),
steps on, and pushes the sentence again at its end.

Prints one JSON line: students, joined, join_p95_ms (the students join together before the game: the
first call of each session, timed apart), seconds, requests, failed, busy, p50_ms / p95_ms / max_ms over
every answered call of the game (POST and its event stream, as a script sees it), the same per endpoint,
rounds revealed, guesses sent and the guesses counted at the reveals (the last round's are sent but not
yet revealed; late_guesses: sent just as the teacher revealed, and refused),
server_cpu_s, and p95_goal_met (p95 <= 1000 ms). Everything shares the machine's cores with this script.

    python tests/benchmarks/class_game_load.py [--model DIR] [--students 30] [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # also when a test loads this file by path
from classroom_load import Busy, call, cpu_seconds, free_port, percentile, start_server  # noqa: E402
from playground_latency import default_model, wait_until_up  # noqa: E402

SENTENCE = "The cat sat on the | mat and the dog ran to the house ."
GUESSES = ["mat", "floor", "chair", "bed", "and", "the", "dog", "cat", "ran", "to", "house", "."]
POLL_S = 1.5  # as the tab's gr.Timer
ROUND_S = 10.0  # the teacher reveals this long after a round opens, and steps on 3 s after the reveal
GUESS_AFTER_S = (1.0, 7.0)  # a student guesses this long after seeing a new round
GOAL_MS = 1000.0
ENDPOINTS = ("room_state", "room_guess", "room_push", "room_reveal", "room_step")


class Log:
    """Every call's (endpoint, outcome, milliseconds), from every thread."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, float]] = []
        self.lock = threading.Lock()

    def timed(self, base: str, api_name: str, data: list, session: str):
        """The call's result (None if it failed or the server was busy), logged with its time."""
        start = time.perf_counter()
        result, outcome = None, "ok"
        try:
            result = call(base, api_name, data, session=session)[0]
        except Busy:
            outcome = "busy"
        except Exception as e:  # noqa: BLE001 - every failure counts, whatever its kind
            # a guess that reached the server just after the reveal is refused, as it should be
            outcome = "late" if "is revealed" in str(e) else f"failed: {e}"
        with self.lock:
            self.rows.append((api_name, outcome, (time.perf_counter() - start) * 1000))
        return result


def join(base: str, code: str, seed: int, log: Log, ids: dict) -> None:
    """One student joins (the first call of its session: Gradio sets up the session's state)."""
    joined = log.timed(base, "room_join", [code, ""], f"class-student-{seed}")
    if joined is not None:
        ids[seed] = joined["student"]


def student(base: str, code: str, seed: int, me: str, stop_at: float, log: Log, sent: list) -> None:
    """Poll every POLL_S; guess each new round once, a few seconds after it opened."""
    rng = random.Random(seed)
    session = f"class-student-{seed}"
    time.sleep(rng.uniform(0, POLL_S))  # pages do not poll in step
    guess_at = None
    while time.time() < stop_at:
        now = time.time()
        state = log.timed(base, "room_state", [code, me], session)
        if state is not None and state["pushed"] and not state["revealed"] and not state["your_guess"]:
            if guess_at is None:  # a new round: think a little
                guess_at = now + rng.uniform(*GUESS_AFTER_S)
            elif now >= guess_at:
                if log.timed(base, "room_guess", [code, me, rng.choice(GUESSES)], session) is not None:
                    with log.lock:
                        sent.append(1)
                guess_at = None
        elif state is not None:
            guess_at = None
        time.sleep(max(0.0, POLL_S - (time.time() - now)))


def teacher(base: str, code: str, key: str, stop_at: float, log: Log, rounds: list) -> None:
    """Push the sentence; every ROUND_S reveal (keeping the count of guesses) and step on."""
    session = "class-teacher"
    log.timed(base, "room_push", [code, key, SENTENCE], session)
    opened = time.time()
    while time.time() < stop_at:
        state = log.timed(base, "room_state", [code, key], session)
        if state is not None and time.time() - opened >= ROUND_S and not state["revealed"]:
            revealed = log.timed(base, "room_reveal", [code, key], session)
            if revealed is not None:
                rounds.append(revealed["guesses"])
            time.sleep(3.0)
            if state["last_word"]:  # the sentence's end: push it again
                log.timed(base, "room_push", [code, key, SENTENCE], session)
            else:
                log.timed(base, "room_step", [code, key], session)
            opened = time.time()
        time.sleep(POLL_S)


def run(model: Path, students: int, seconds: float) -> dict:
    """Start the app, play the game against it, stop the app; the figures as a dict."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(model, port)
    try:
        wait_until_up(base, proc)
        room = call(base, "room_open", [""], session="class-teacher")[0]
        code, key = room["code"], room["key"]
        joins, ids = Log(), {}
        joining = [threading.Thread(target=join, args=(base, code, i, joins, ids)) for i in range(students)]
        for t in joining:
            t.start()
        for t in joining:
            t.join(120)
        log, sent, rounds = Log(), [], []
        cpu_start = cpu_seconds(proc.pid)
        stop_at = time.time() + seconds
        threads = [
            threading.Thread(target=teacher, args=(base, code, key, stop_at, log, rounds), daemon=True)
        ]
        threads += [
            threading.Thread(target=student, args=(base, code, i, me, stop_at, log, sent), daemon=True)
            for i, me in sorted(ids.items())
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + 60)
        cpu_end = cpu_seconds(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except Exception:  # noqa: BLE001
            proc.kill()
    joined = sorted(ms for _, outcome, ms in joins.rows if outcome == "ok")
    ok = sorted(ms for _, outcome, ms in log.rows if outcome == "ok")
    failures = [outcome for _, outcome, _ in log.rows if outcome.startswith("failed")]
    p95 = percentile(ok, 0.95)
    figures = {
        "students": students,
        "joined": len(ids),
        "join_p95_ms": percentile(joined, 0.95),
        "seconds": seconds,
        "requests": len(log.rows),
        "failed": len(failures),
        "busy": sum(outcome == "busy" for _, outcome, _ in log.rows),
        "late_guesses": sum(outcome == "late" for _, outcome, _ in log.rows),
        "p50_ms": round(statistics.median(ok), 1) if ok else None,
        "p95_ms": p95,
        "max_ms": round(ok[-1], 1) if ok else None,
    }
    for endpoint in ENDPOINTS:
        ms = sorted(ms for name, outcome, ms in log.rows if outcome == "ok" and name == endpoint)
        figures[f"{endpoint}_requests"] = len(ms)
        figures[f"{endpoint}_p95_ms"] = percentile(ms, 0.95)
    figures |= {
        "rounds_revealed": len(rounds),
        "guesses_sent": len(sent),
        "guesses_counted": sum(rounds),
        "server_cpu_s": round(cpu_end - cpu_start, 1),
        "p95_goal_met": p95 is not None and p95 <= GOAL_MS and not failures,
        "first_failures": failures[:3],
    }
    return figures


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=None, help="model directory (default: the bundled model)")
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--seconds", type=float, default=60)
    args = p.parse_args()
    print(json.dumps(run(args.model or default_model(), args.students, args.seconds)))


if __name__ == "__main__":
    main()
