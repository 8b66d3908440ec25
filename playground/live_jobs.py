"""Live Lab trainings on the server: one background thread per training, at most one per browser session and
`MAX_RUNNING` at once on the server, each in its own temporary folder, removed when its session ends or an
hour after it finished. No gradio here: the tab and the API (`api_live`) read `status()` and call `start` /
`stop`.

The registry is the one object shared by all sessions, and it holds only what a job id names: a job's
text, settings and results are reachable only through its id (uuid4, unguessable), which the tab keeps in
its session's gr.State and the API hands to its caller.
"""

from __future__ import annotations

import atexit
import math
import shutil
import tempfile
import threading
import time
import uuid
import weakref
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lstmlm.live import LiveSettings, Sample, Snapshot, live_corpus, train_live, zip_model
from lstmlm.train import Callback, Progress

MAX_RUNNING = 2  # trainings at once on the server (a 2-core machine: one core each)
KEEP_S = 3600.0  # a finished job's folder is removed this long after it ended (or when its session ends)
MAX_JOBS = 40  # jobs kept at most (finished ones go first, oldest first)
MAX_EVALS = 300  # validations a status lists at most (evenly thinned, the last always in)
CURVE_POINTS = 400  # training-loss points kept for the curve (thinned by 2 when full)


class LiveBusy(RuntimeError):
    """The server already runs MAX_RUNNING trainings, or this session already runs one."""


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
    started: float = field(default_factory=time.monotonic)
    state: str = "running"  # running | done | stopped | failed
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
    stop_event: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    curve_every: int = 1

    @property
    def running(self) -> bool:
        return self.state == "running"

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
            )
            if curve:
                out["curve"] = {"step": list(self.curve_steps), "loss": list(self.curve_loss)}
        return out


class _Recorder(Callback):
    def __init__(self, job: LiveJob) -> None:
        self.job = job

    def on_step(self, p: Progress) -> None:
        job = self.job
        with job.lock:
            job.step, job.seconds, job.tokens_per_s = p.step, p.seconds, p.words_per_s
            if p.step % job.curve_every == 0 and math.isfinite(p.loss):
                job.curve_steps.append(p.step)
                job.curve_loss.append(p.loss)
                if len(job.curve_steps) >= CURVE_POINTS:  # keep every other point; record half as often
                    job.curve_steps, job.curve_loss = job.curve_steps[::2], job.curve_loss[::2]
                    job.curve_every *= 2

    def on_eval(self, record: dict) -> None:
        keep = {k: record[k] for k in ("step", "seconds", "train_loss", "val_loss")}
        with self.job.lock:
            self.job.evals.append(keep)

    def on_sample(self, sample: Sample) -> None:
        with self.job.lock:
            self.job.sample = sample

    def on_snapshot(self, snapshot: Snapshot) -> None:
        with self.job.lock:
            self.job.snapshots.append(snapshot)


class LiveJobs:
    """The server's trainings, by job id. Thread-safe."""

    # every registry made in this process, so that all trainings can be stopped at exit (or after a test)
    instances: weakref.WeakSet[LiveJobs] = weakref.WeakSet()
    _exit_hook = False

    def __init__(self, max_running: int = MAX_RUNNING, keep_s: float = KEEP_S, max_jobs: int = MAX_JOBS):
        self.max_running, self.keep_s, self.max_jobs = max_running, keep_s, max_jobs
        self.jobs: dict[str, LiveJob] = {}
        self.threads: set[threading.Thread] = set()  # dropped jobs' threads too, until they end
        self.lock = threading.Lock()
        LiveJobs.instances.add(self)

    def stop_all(self, timeout: float = 30.0) -> int:
        """Ask every training of this registry to stop and wait up to `timeout` seconds for their threads;
        how many are still running. A training thread still inside torch when the interpreter exits aborts
        the process ("terminate called without an active exception"), so this runs at exit."""
        with self.lock:
            jobs, threads = list(self.jobs.values()), list(self.threads)
        for job in jobs:
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
        """Check the text and settings, then train in a new thread; the job. Raises LiveTextError /
        LiveSettingsError for bad input, LiveBusy when this session or the server is at its limit."""
        settings.check()
        live_corpus(text, settings)  # bad text fails here, in the caller's thread, with its message
        self.sweep()
        with self.lock:
            running = [j for j in self.jobs.values() if j.running]
            if owner is not None and any(j.owner == owner for j in running):
                raise LiveBusy("you are already training a model: stop it first, or wait until it finishes")
            if len(running) >= self.max_running:
                raise LiveBusy(
                    f"the server is busy: {len(running)} trainings are running"
                    f" (at most {self.max_running} at "
                    "once). Try again in a minute"
                )
            job = LiveJob(
                uuid.uuid4().hex,
                owner,
                settings,
                Path(tempfile.mkdtemp(prefix="live-lab-")),
                started=time.monotonic(),
            )
            self.jobs[job.id] = job
        thread = threading.Thread(
            target=self._run, args=(job, text, probe), name=f"live-{job.id[:8]}", daemon=True
        )
        with self.lock:
            self.threads = {t for t in self.threads if t.is_alive()} | {thread}
        if not LiveJobs._exit_hook:
            atexit.register(LiveJobs.stop_everywhere)
            LiveJobs._exit_hook = True
        thread.start()
        return job

    def _run(self, job: LiveJob, text: str, probe: str) -> None:
        try:
            summary = train_live(
                text, job.settings, job.folder, [_Recorder(job)], job.stop_event.is_set, probe or None
            )
            with job.lock:
                job.summary = summary
                job.state = "stopped" if summary["stop_reason"] == "interrupted" else "done"
        except Exception as e:  # noqa: BLE001 - the page shows it; the server goes on
            with job.lock:
                job.state, job.error = "failed", f"{type(e).__name__}: {e}"
        finally:
            job.ended = time.monotonic()
            if job.dropped:  # nothing can read it any more
                shutil.rmtree(job.folder, ignore_errors=True)

    def get(self, job_id: str) -> LiveJob:
        """The job with this id; UnknownJob otherwise."""
        with self.lock:
            job = self.jobs.get(job_id) if isinstance(job_id, str) else None
        if job is None:
            raise UnknownJob(
                f"no training has the id {str(job_id)[:40]!r} (it ended more than an hour ago, its page was "
                "closed, or it never started): start a new one"
            )
        return job

    def stop(self, job_id: str) -> LiveJob:
        """Ask a job to stop after its current step (it still saves its best model)."""
        job = self.get(job_id)
        job.stop_event.set()
        return job

    def drop(self, job: LiveJob) -> None:
        """Stop a job and remove it and its folder (a running one removes its folder when it ends)."""
        job.stop_event.set()
        with self.lock:
            self.jobs.pop(job.id, None)
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
            finished = sorted((j for j in self.jobs.values() if not j.running), key=lambda j: j.ended or 0)
        old = [j for j in finished if j.ended is not None and now - j.ended > self.keep_s]
        over = max(0, len(self.jobs) - len(old) - self.max_jobs)
        old += [j for j in finished if j not in old][:over]
        for job in old:
            self.drop(job)
        return len(old)

    def zip_path(self, job_id: str) -> Path:
        """The job's model as a .zip in its folder (rewritten each call); FileNotFoundError before a save."""
        job = self.get(job_id)
        path = job.folder / "live-lab-model.zip"
        path.write_bytes(zip_model(job.folder))
        return path


JOBS = LiveJobs()  # the server's registry (jobs are reached only through their unguessable ids)
