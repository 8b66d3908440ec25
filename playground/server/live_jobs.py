"""Live Lab trainings on the server: each runs in its own worker process (one torch thread, its own memory
and time cap) watched by a thread of the server, at most one active training per
browser session and `max_running` running at once on the server (the rest wait in a queue, first come
first served, their position shown), each in its own temporary folder, removed when its session ends or an
hour after it finished. A training can be paused (its thread ends and frees its place; resuming queues it
again and it goes on exactly where it stopped) and stopped. No gradio here: the tab and the API
(`api_live`) read `status()` and call `start` / `pause` / `resume` / `stop`.

The registry is the one object shared by all sessions, and it holds only what a key names. A job has two
keys, both uuid4 (unguessable): its id, which controls it (the tab keeps it in its session's gr.State, the
API hands it to its caller), and its share token, which only reads it: a teacher's link `?view=live&lab=TOKEN`
lets students watch the same curve and scrub the same snapshots without training, pausing or stopping.
"""

from __future__ import annotations

import atexit
import math
import multiprocessing
import os
import queue
import shutil
import tempfile
import threading
import time
import uuid
import weakref
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lstmlm.training.live import LiveSettings, Sample, Snapshot, live_corpus, train_live, zip_model
from lstmlm.training.loop import Callback, Progress

MAX_RUNNING = max(1, (os.cpu_count() or 2) // 2)  # trainings at once: one per two cores (`--lab-trainings`)
MAX_QUEUED = 20  # trainings waiting at most; past that, "busy, try again"
KEEP_S = 3600.0  # a finished job's folder is removed this long after it ended (or when its session ends)
MAX_JOBS = 40  # jobs kept at most (finished ones go first, oldest first)
MAX_EVALS = 300  # validations a status lists at most (evenly thinned, the last always in)
CURVE_POINTS = 400  # training-loss points kept for the curve (thinned by 2 when full)
MEMORY_CAP_MB = 1536  # a training's worker process is ended past this resident memory (torch itself: ~300)
TIME_GRACE_S = 30.0  # ... or this long past its time budget (a step, the last validation and save)
WORKER_THREADS = 1  # torch threads a training uses (the server's other requests keep the other cores)
ACTIVE = ("queued", "running", "paused")  # a session with a job in one of these cannot start another


class LiveBusy(RuntimeError):
    """This session already has a training (queued, running or paused), or the queue is full."""


class ReadOnly(PermissionError):
    """A share token was used to control a training: only its id can pause, resume or stop it."""


class UnknownJob(KeyError):
    """No job has this id (never started, or removed after its session ended or an hour passed)."""

    def __str__(self) -> str:
        return self.args[0] if self.args else "unknown job"


@dataclass
class LiveJob:
    """One training: its folder, its progress as the callbacks saw it, and how it ended."""

    id: str
    owner: str | None  # the browser session that started it (None: an API call)
    settings: LiveSettings
    folder: Path
    text: str = field(default="", repr=False)  # kept for a resume after a pause
    probe: str = ""
    share: str = field(default_factory=lambda: uuid.uuid4().hex)  # the read-only key
    started: float = field(default_factory=time.monotonic)
    state: str = "queued"  # queued | running | paused | done | stopped | failed
    pausing: bool = False  # the stop_event asks for a pause, not an end
    resumes: int = 0  # how often it was paused and went on
    step: int = 0
    seconds: float = 0.0
    tokens_per_s: float = 0.0
    curve_steps: list[int] = field(default_factory=list)
    curve_loss: list[float] = field(default_factory=list)
    evals: list[dict] = field(default_factory=list)  # {step, seconds, train_loss, val_loss}
    sample: Sample | None = None
    snapshots: list[Snapshot] = field(default_factory=list)
    summary: dict | None = None
    error: str = ""
    ended: float | None = None
    dropped: bool = False  # removed from the registry while running: its thread removes the folder
    stop_event: object = field(default_factory=lambda: _context().Event())  # shared with its worker process
    lock: threading.Lock = field(default_factory=threading.Lock)
    curve_every: int = 1

    @property
    def running(self) -> bool:
        """Its thread is (or is about to be) training."""
        return self.state == "running"

    @property
    def active(self) -> bool:
        """Queued, running or paused: not finished."""
        return self.state in ACTIVE

    @property
    def has_model(self) -> bool:
        return (self.folder / "model.safetensors").exists()

    def status(self, curve: bool = True) -> dict:
        """Where the training is, as JSON-ready values (small: the curve is at most CURVE_POINTS long)."""
        with self.lock:
            out = dict(
                job=self.id,
                state=self.state,
                step=self.step,
                seconds=round(self.seconds, 2),
                budget_s=self.settings.seconds,
                tokens_per_s=round(self.tokens_per_s),
                unit=self.settings.tokenizer_object.unit,
                evals=self.evals[:: max(1, math.ceil(len(self.evals) / MAX_EVALS))][:-1] + self.evals[-1:],
                sample=asdict(self.sample) if self.sample else None,
                snapshots=len(self.snapshots),
                has_model=self.has_model,
                summary=self.summary,
                error=self.error,
                settings=asdict(self.settings),
                share=self.share,
                queue_position=0,
                read_only=False,
            )
            if curve:
                out["curve"] = {"step": list(self.curve_steps), "loss": list(self.curve_loss)}
        return out


_CONTEXT = None


def _context():
    """The multiprocessing context of the workers: forkserver (a clean process that has imported torch and
    lstmlm once; each worker is a fork of it: fast to start, and never a fork of the threaded server)."""
    global _CONTEXT
    if _CONTEXT is None:
        methods = multiprocessing.get_all_start_methods()
        _CONTEXT = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if _CONTEXT.get_start_method() == "forkserver":
            _CONTEXT.set_forkserver_preload(["torch", "lstmlm.training.live"])
    return _CONTEXT


class _Forward(Callback):
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


def _worker(text: str, settings: LiveSettings, folder: str, probe: str, resume: bool, messages, stop) -> None:
    """A worker process's whole life: train, then say how it ended ("done" and the summary, or "error")."""
    import torch

    torch.set_num_threads(WORKER_THREADS)
    try:
        summary = train_live(text, settings, folder, [_Forward(messages)], stop.is_set, probe or None, resume)
        messages.put(("done", summary))
    except Exception as e:  # noqa: BLE001 - the page shows it
        messages.put(("error", f"{type(e).__name__}: {e}"))


def _resident_mb(pid: int) -> float:
    """A process's resident memory in MB (Linux /proc; 0 where it cannot be read)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _record(job: LiveJob, kind: str, value) -> None:
    """A worker's message, into the job the pages read."""
    with job.lock:
        if kind == "step":
            step, seconds, loss, per_s = value
            job.step, job.seconds, job.tokens_per_s = step, seconds, per_s
            if step % job.curve_every == 0 and math.isfinite(loss):
                job.curve_steps.append(step)
                job.curve_loss.append(loss)
                if len(job.curve_steps) >= CURVE_POINTS:  # keep every other point; record half as often
                    job.curve_steps, job.curve_loss = job.curve_steps[::2], job.curve_loss[::2]
                    job.curve_every *= 2
        elif kind == "eval":
            job.evals.append(value)
        elif kind == "sample":
            job.sample = value
        elif kind == "snapshot":
            job.snapshots.append(value)


class LiveJobs:
    """The server's trainings, by job id (control) and share token (read-only). Thread-safe."""

    # every registry made in this process, so that all trainings can be stopped at exit (or after a test)
    instances: weakref.WeakSet[LiveJobs] = weakref.WeakSet()
    _exit_hook = False

    def __init__(
        self,
        max_running: int = MAX_RUNNING,
        keep_s: float = KEEP_S,
        max_jobs: int = MAX_JOBS,
        max_queued: int = MAX_QUEUED,
        memory_cap_mb: float = MEMORY_CAP_MB,
        time_grace_s: float = TIME_GRACE_S,
    ) -> None:
        if max_running < 1:
            raise ValueError(f"at least one training must be allowed to run at once, got {max_running}")
        self.max_running, self.keep_s, self.max_jobs = max_running, keep_s, max_jobs
        self.max_queued = max_queued
        self.memory_cap_mb, self.time_grace_s = memory_cap_mb, time_grace_s
        self.jobs: dict[str, LiveJob] = {}
        self.shares: dict[str, str] = {}  # share token -> job id
        self.queue: list[str] = []  # job ids waiting for a place, first come first served
        self.threads: set[threading.Thread] = set()  # dropped jobs' threads too, until they end
        self.lock = threading.Lock()
        LiveJobs.instances.add(self)

    def stop_all(self, timeout: float = 30.0) -> int:
        """Ask every training of this registry to stop and wait up to `timeout` seconds for their threads;
        how many are still running. A training thread still inside torch when the interpreter exits aborts
        the process ("terminate called without an active exception"), so this runs at exit."""
        with self.lock:
            jobs, threads = list(self.jobs.values()), list(self.threads)
            self.queue.clear()
        for job in jobs:
            job.pausing = False
            job.stop_event.set()
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self.lock:
            self.threads = {t for t in self.threads if t.is_alive()}
            return len(self.threads)

    @classmethod
    def stop_everywhere(cls, timeout: float = 30.0) -> int:
        """stop_all for every registry of the process; how many trainings are still running."""
        return sum(jobs.stop_all(timeout) for jobs in list(cls.instances))

    def start(self, text: str, settings: LiveSettings, owner: str | None = None, probe: str = "") -> LiveJob:
        """Check the text and settings, then train in a new thread as soon as a place is free (queued until
        then); the job. Raises LiveTextError / LiveSettingsError for bad input, LiveBusy when this session
        already has a training or the queue is full."""
        settings.check()
        live_corpus(text, settings)  # bad text fails here, in the caller's thread, with its message
        self.sweep()
        with self.lock:
            if owner is not None and any(j.owner == owner and j.active for j in self.jobs.values()):
                raise LiveBusy(
                    "you already have a training (running, paused or waiting): stop it first, or wait "
                    "until it finishes"
                )
            if len(self.queue) >= self.max_queued:
                raise LiveBusy(
                    f"the server is busy: {len(self.queue)} trainings are waiting for one of its "
                    f"{self.max_running} places. Try again in a few minutes"
                )
            job = LiveJob(uuid.uuid4().hex, owner, settings, Path(tempfile.mkdtemp(prefix="live-lab-")))
            job.text, job.probe = text, probe
            self.jobs[job.id] = job
            self.shares[job.share] = job.id
            self.queue.append(job.id)
        self._advance()
        return job

    def _advance(self) -> None:
        """Start queued jobs, oldest first, while fewer than max_running run."""
        with self.lock:
            while self.queue and sum(j.running for j in self.jobs.values()) < self.max_running:
                job = self.jobs[self.queue.pop(0)]
                with job.lock:
                    job.state = "running"
                thread = threading.Thread(
                    target=self._run, args=(job, job.resumes > 0), name=f"live-{job.id[:8]}", daemon=True
                )
                self.threads = {t for t in self.threads if t.is_alive()} | {thread}
                if not LiveJobs._exit_hook:
                    atexit.register(LiveJobs.stop_everywhere)
                    LiveJobs._exit_hook = True
                thread.start()

    def _run(self, job: LiveJob, resume: bool) -> None:
        """The watching thread: start the worker process, pass its messages on to the job, end it when it
        passes its memory or time cap, and free its place when it ends."""
        state, error, summary = "failed", "", None
        ctx = _context()
        messages = ctx.Queue()
        args = (job.text, job.settings, str(job.folder), job.probe, resume, messages, job.stop_event)
        worker = ctx.Process(target=_worker, args=args, name=f"live-{job.id[:8]}", daemon=True)
        try:
            worker.start()
            deadline = time.monotonic() + job.settings.seconds + self.time_grace_s
            while True:
                try:
                    kind, value = messages.get(timeout=0.25)
                except queue.Empty:
                    if not worker.is_alive():
                        error = f"the training process ended unexpectedly (exit code {worker.exitcode})"
                        break
                    kind = None
                if kind == "done":
                    summary = value
                    break
                if kind == "error":
                    error = value
                    break
                if kind is not None:
                    _record(job, kind, value)
                if (used := _resident_mb(worker.pid)) > self.memory_cap_mb:
                    cap = self.memory_cap_mb
                    error = (
                        f"the training used {used:.0f} MB of memory, more than the {cap:.0f} MB each may "
                        "use, and was ended: use fewer units, a shorter sequence or less text"
                    )
                    break
                if time.monotonic() > deadline:
                    error = f"the training ran {self.time_grace_s:.0f} s past its time budget and was ended"
                    break
            if summary is not None:
                interrupted = summary["stop_reason"] == "interrupted"
                state = ("paused" if job.pausing else "stopped") if interrupted else "done"
        except Exception as e:  # noqa: BLE001 - the page shows it; the server goes on
            error = f"{type(e).__name__}: {e}"
        finally:
            worker.join(timeout=10 if summary is not None else 0)
            if worker.is_alive():
                worker.kill()
                worker.join(timeout=10)
            messages.close()
            with job.lock:
                job.state, job.error, job.pausing = state, error, False
                if summary is not None:
                    job.summary = summary
                if state != "paused":
                    job.ended = time.monotonic()
            if job.dropped:  # nothing can read it any more
                shutil.rmtree(job.folder, ignore_errors=True)
            self._advance()  # its place is free

    def get(self, key: str) -> LiveJob:
        """The job with this id or share token; UnknownJob otherwise."""
        with self.lock:
            if isinstance(key, str):
                job = self.jobs.get(key) or self.jobs.get(self.shares.get(key, ""))
            else:
                job = None
        if job is None:
            raise UnknownJob(
                f"no training has the id {str(key)[:40]!r} (it ended more than an hour ago, its page was "
                "closed, or it never started): start a new one"
            )
        return job

    def control(self, job_id: str) -> LiveJob:
        """The job with this id (not a share token: ReadOnly); UnknownJob otherwise."""
        job = self.get(job_id)
        if job.id != job_id:
            raise ReadOnly(
                "this is a shared, read-only training: only the person who started it can control it"
            )
        return job

    def status(self, key: str, curve: bool = True) -> dict:
        """The job's status (see LiveJob.status) with its place in the queue (1 = next; 0 = not waiting);
        through a share token, read_only is true and the control id is left out."""
        job = self.get(key)
        out = job.status(curve)
        with self.lock:
            out["queue_position"] = self.queue.index(job.id) + 1 if job.id in self.queue else 0
        if key != job.id:
            out["job"], out["read_only"] = None, True
        return out

    def pause(self, job_id: str) -> LiveJob:
        """Ask a running job to pause after its current step (it frees its place; `resume` goes on).
        ValueError when it is not running."""
        job = self.control(job_id)
        with job.lock:
            if job.state != "running":
                raise ValueError(f"only a running training can be paused; this one is {job.state}")
            job.pausing = True
        job.stop_event.set()
        return job

    def resume(self, job_id: str) -> LiveJob:
        """Queue a paused job again; it goes on from where it paused (the same losses as if never paused).
        ValueError when it is not paused."""
        job = self.control(job_id)
        with self.lock:
            with job.lock:
                if job.state != "paused":
                    raise ValueError(f"only a paused training can go on; this one is {job.state}")
                job.state, job.resumes = "queued", job.resumes + 1
                job.stop_event.clear()
            self.queue.append(job.id)
        self._advance()
        return job

    def stop(self, job_id: str) -> LiveJob:
        """End a job: a running one after its current step (it still saves its best model), a queued or
        paused one at once."""
        job = self.control(job_id)
        with self.lock:
            if job.id in self.queue:
                self.queue.remove(job.id)
            with job.lock:
                job.pausing = False
                if job.state in ("queued", "paused"):
                    job.state, job.ended = "stopped", time.monotonic()
        job.stop_event.set()
        return job

    def drop(self, job: LiveJob) -> None:
        """Stop a job and remove it and its folder (a running one removes its folder when it ends)."""
        job.pausing = False
        job.stop_event.set()
        with self.lock:
            self.jobs.pop(job.id, None)
            self.shares.pop(job.share, None)
            if job.id in self.queue:
                self.queue.remove(job.id)
        job.dropped = True
        if not job.running:  # else its thread removes the folder once train() returns
            shutil.rmtree(job.folder, ignore_errors=True)

    def drop_owner(self, owner: str) -> int:
        """A browser session ended: drop its jobs; how many."""
        with self.lock:
            mine = [j for j in self.jobs.values() if j.owner == owner]
        for job in mine:
            self.drop(job)
        return len(mine)

    def sweep(self, now: float | None = None) -> int:
        """Drop jobs that ended more than keep_s ago, then the oldest finished ones over max_jobs."""
        now = time.monotonic() if now is None else now
        with self.lock:
            finished = sorted((j for j in self.jobs.values() if not j.active), key=lambda j: j.ended or 0)
        old = [j for j in finished if j.ended is not None and now - j.ended > self.keep_s]
        over = max(0, len(self.jobs) - len(old) - self.max_jobs)
        old += [j for j in finished if j not in old][:over]
        for job in old:
            self.drop(job)
        return len(old)

    def zip_path(self, key: str) -> Path:
        """The job's model as a .zip in its folder (rewritten each call); FileNotFoundError before a save."""
        job = self.get(key)
        path = job.folder / "live-lab-model.zip"
        tmp = path.with_suffix(".zip.tmp")
        tmp.write_bytes(zip_model(job.folder))
        tmp.replace(path)  # a teacher's and a student's download at once never read a half-written file
        return path


JOBS = LiveJobs()  # the server's registry (jobs are reached only through their unguessable keys)


def configure(max_running: int) -> None:
    """The server setting: how many trainings run at once (`lstm-playground --lab-trainings N`)."""
    if max_running < 1:
        raise ValueError(f"--lab-trainings must be at least 1, got {max_running}")
    JOBS.max_running = max_running
    JOBS._advance()
