"""A Live Lab training's worker process and the server thread's watch over it.

Each training runs in its own process (one torch thread, forked from a forkserver that has imported torch
and lstmlm once), so that no training shares the server's interpreter (GIL). The server's watching thread
(`watch`) passes the worker's messages on, and ends the worker past its memory cap or its time budget plus
a grace. No gradio here, and no job table: `live_jobs` owns the jobs and calls `watch` for each.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import queue
import sys
import threading
import time
from collections.abc import Callable

from lstmlm.messages import Message, message_of
from lstmlm.model_dir import process_exists
from lstmlm.training.live import LAB_THREADS, LiveSettings, Sample, Snapshot, train_live
from lstmlm.training.loop import Callback, Progress

# torch threads a training uses (the server's other requests keep the other cores); the command a Lab model
# records to train it again (lstmlm.training.live.command) gives the same --threads
WORKER_THREADS = LAB_THREADS

_CONTEXT = None


def context():
    """The multiprocessing context of the workers: forkserver (a clean process that has imported torch and
    lstmlm once; each worker is a fork of it: fast to start, and never a fork of the threaded server)."""
    global _CONTEXT
    if _CONTEXT is None:
        methods = multiprocessing.get_all_start_methods()
        _CONTEXT = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if _CONTEXT.get_start_method() == "forkserver":
            _CONTEXT.set_forkserver_preload(["torch", "lstmlm.training.live"])
    return _CONTEXT


_FORKSERVER_NICE: dict[str, int] = {}  # the priority the forkserver was started at (and so the trainings)


def start_forkserver() -> bool:
    """Start the workers' forkserver now (it imports torch and lstmlm once), at the calling thread's
    priority, which every training's worker then inherits. False where workers are spawned instead."""
    if context().get_start_method() != "forkserver":
        return False
    if sys.platform.startswith("linux"):
        _FORKSERVER_NICE.setdefault("nice", os.getpriority(os.PRIO_PROCESS, 0))
    multiprocessing.forkserver.ensure_running()
    return True


def lower_request_priority(request_nice: int) -> int:
    """Let Live Lab trainings run ahead of the server's requests on a machine short of cores: lower the
    calling thread's priority by `request_nice` (Linux `nice`, 0..19; 0 does nothing) once the forkserver
    runs (`start_forkserver`), so the trainings keep the priority they had. Linux keeps a priority per
    thread and a new thread inherits its creator's: call it on the main thread just before the web server
    starts its threads, and every request runs `request_nice` below the trainings; a training keeps its
    core while a class uses the others. Returns the nice applied: 0 off Linux, without a running
    forkserver (spawned workers would inherit the lower priority), or where it cannot be changed."""
    request_nice = max(0, min(19, int(request_nice)))
    if request_nice == 0 or not sys.platform.startswith("linux") or not start_forkserver():
        return 0
    try:  # relative to the forkserver's priority, so that a second call does not lower it further
        base = _FORKSERVER_NICE.setdefault("nice", os.getpriority(os.PRIO_PROCESS, 0))
        os.setpriority(os.PRIO_PROCESS, 0, min(19, base + request_nice))
    except OSError:
        return 0
    return request_nice


class Forward(Callback):
    """In the worker process: every event of the training, sent to the server's watching thread."""

    def __init__(self, messages) -> None:
        self.messages = messages

    def on_step(self, p: Progress) -> None:
        self.messages.put(("step", (p.step, p.seconds, p.loss, p.words_per_s)))

    def on_eval(self, record: dict) -> None:
        self.messages.put(("eval", {k: record[k] for k in ("step", "seconds", "train_loss", "val_loss")}))

    def on_sample(self, sample: Sample) -> None:
        self.messages.put(("sample", sample))

    def on_snapshot(self, snapshot: Snapshot) -> None:
        self.messages.put(("snapshot", snapshot))


def failure(e: Exception) -> Message:
    """How a training that raised `e` ended: 'LiveTextError: the text ...' (a Chinese page shows `live.failed`
    around the reason, itself in Chinese when `e` was raised with a Message)."""
    return Message("live.failed", "{kind}: {reason}", kind=type(e).__name__, reason=message_of(e) or str(e))


def server_alive(pid: int) -> bool:
    """Whether process `pid` still runs (`process_exists`; a zombie, dead but not yet reaped, does not)."""
    if not process_exists(pid):
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc: os.kill said it exists


def end_with_server(server_pid: int, messages, every_s: float = 1.0) -> None:
    """In the worker, on a daemon thread: end this process once the server that started it is gone (killed
    without its exit hooks, e.g. SIGKILL or a crash). Its parent is the forkserver, so this is the only way
    it learns; and its exit would otherwise wait for ever to flush `messages` to a reader that is gone,
    keeping the worker and the forkserver (~0.5 GB together) alive."""
    while server_alive(server_pid):
        time.sleep(every_s)
    messages.cancel_join_thread()
    os._exit(1)


def train_in_worker(
    text: str,
    settings: LiveSettings,
    folder: str,
    probe: str,
    resume: bool,
    messages,
    stop,
    server_pid: int | None = None,
) -> None:
    """A worker process's whole life: train, then say how it ended ("done" and the summary, or "error");
    ended at once if the server (`server_pid`) goes away meanwhile (`end_with_server`)."""
    import torch

    if server_pid is not None:
        threading.Thread(target=end_with_server, args=(server_pid, messages), daemon=True).start()
    torch.set_num_threads(WORKER_THREADS)
    try:
        summary = train_live(text, settings, folder, [Forward(messages)], stop.is_set, probe or None, resume)
        messages.put(("done", summary))
    except Exception as e:  # noqa: BLE001 - the page shows it
        messages.put(("error", failure(e)))


def resident_mb(pid: int) -> float:
    """A process's resident memory in MB (Linux /proc; 0 where it cannot be read)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def watch(
    args: tuple,
    stop,
    name: str,
    budget_s: float,
    record: Callable[[str, object], None],
    memory_cap_mb: float,
    time_grace_s: float,
) -> tuple[dict | None, str]:
    """Run `train_in_worker(*args, messages, stop, this process's pid)` in a worker process and watch it
    (`args`: text, settings, folder, probe, resume; `stop`: an Event of `context()`): each progress message
    goes to `record(kind, value)`; the worker is ended past `memory_cap_mb` of resident memory or
    `time_grace_s` past `budget_s`. (the training's summary, or None; the error, or "")."""
    summary, error = None, ""
    ctx = context()
    messages = ctx.Queue()
    worker = ctx.Process(
        target=train_in_worker, args=(*args, messages, stop, os.getpid()), name=name, daemon=True
    )
    try:
        worker.start()
        deadline = time.monotonic() + budget_s + time_grace_s
        while True:
            try:
                kind, value = messages.get(timeout=0.25)
            except queue.Empty:
                if not worker.is_alive():
                    error = Message(
                        "live.crashed",
                        "the training process ended unexpectedly (exit code {code})",
                        code=worker.exitcode,
                    )
                    break
                kind = None
            if kind == "done":
                summary = value
                break
            if kind == "error":
                error = value
                break
            if kind is not None:
                record(kind, value)
            if (used := resident_mb(worker.pid)) > memory_cap_mb:
                error = Message(
                    "live.memory_cap",
                    "the training used {used:.0f} MB of memory, more than the {cap:.0f} MB each may use, and "
                    "was ended: use fewer units, a shorter sequence or less text",
                    used=used,
                    cap=memory_cap_mb,
                )
                break
            if time.monotonic() > deadline:
                error = Message(
                    "live.time_cap",
                    "the training ran {grace:.0f} s past its time budget and was ended",
                    grace=time_grace_s,
                )
                break
    except Exception as e:  # noqa: BLE001 - the page shows it; the server goes on
        error = failure(e)
    finally:
        worker.join(timeout=10 if summary is not None else 0)
        if worker.is_alive():
            worker.kill()
            worker.join(timeout=10)
        messages.close()
    return summary, error
