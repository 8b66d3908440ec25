"""Live Lab trainings on the server: the table of jobs and their queue. Each training runs in its own worker
process (`live_worker`: one torch thread, its own memory and time cap) watched by a thread of the server,
at most one active training per browser session and `max_running` running at once on the server (the rest
wait in a queue, first come first served, their position shown), each in its own temporary folder, removed
when its session ends, an hour after it finished (looked for at most once a minute, whenever the registry
is used) or when the server ends. A training can be paused (its thread ends and frees its
place; resuming queues it again and it goes on exactly where it stopped) and stopped. No gradio here: the
tab and the API (`api/live`) read `status()` and call `start` / `pause` / `resume` / `stop`. What each
refuses, and why, is in live_refusals.py; how jobs end (dropped, swept, all stopped at exit) in
live_job_ends.py.

The registry is the one object shared by all sessions, and it holds only what a key names. A job
(`live_job.LiveJob`) has two keys, both uuid4 (unguessable): its id, which controls it (the tab keeps it in
its session's gr.State, the API hands it to its caller), and its share token, which only reads it: a
teacher's link `?view=live&lab=TOKEN` lets students watch the same curve and scrub the same snapshots
without training, pausing or stopping.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import time
import uuid
import weakref
from pathlib import Path

from lstmlm.training.live import LiveSettings, lab_batch_size, live_corpus, zip_model
from playground.server import live_worker
from playground.server.live_job import LiveJob
from playground.server.live_job_ends import JobEnds

# the refusals live in live_refusals.py; the error classes are imported from here too (old import path)
from playground.server.live_refusals import (  # noqa: F401
    LiveBusy,
    ReadOnly,
    UnknownJob,
    busy_server,
    busy_yours,
    cannot_pause,
    cannot_resume,
    read_only,
    unknown_job,
)

MAX_RUNNING = max(1, (os.cpu_count() or 2) // 2)  # trainings at once: one per two cores (`--lab-trainings`)
MAX_QUEUED = 20  # trainings waiting at most; past that, "busy, try again"
KEEP_S = 3600.0  # a finished job's folder is removed this long after it ended (or when its session ends)
SWEEP_EVERY_S = 60.0  # finished jobs are looked for at most this often when a job is looked up
MAX_JOBS = 40  # jobs kept at most (finished ones go first, oldest first)
MEMORY_CAP_MB = 1536  # a training's worker process is ended past this resident memory (torch itself: ~300)
TIME_GRACE_S = 30.0  # ... or this long past its time budget (a step, the last validation and save)


class LiveJobs(JobEnds):
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
        self.swept = time.monotonic()  # when finished jobs were last looked for (`sweep`)
        self.closing = False  # set by `close`: nothing starts any more
        LiveJobs.instances.add(self)

    def start(self, text: str, settings: LiveSettings, owner: str | None = None, probe: str = "") -> LiveJob:
        """Check the text and settings, then train in a new thread as soon as a place is free (queued until
        then); the job. Raises LiveTextError / LiveSettingsError for bad input, LiveBusy when this session
        already has a training or the queue is full."""
        settings.check()
        corpus = live_corpus(text, settings)  # bad text fails here, in the caller's thread, with its message
        self.sweep()
        with self.lock:
            if owner is not None and any(j.owner == owner and j.active for j in self.jobs.values()):
                raise busy_yours()
            if len(self.queue) >= self.max_queued:
                raise busy_server(len(self.queue), self.max_running)
            job = LiveJob(uuid.uuid4().hex, owner, settings, Path(tempfile.mkdtemp(prefix="live-lab-")))
            job.text, job.probe = text, probe
            job.batch_size = lab_batch_size(settings, corpus)
            self.jobs[job.id] = job
            self.shares[job.share] = job.id
            self.queue.append(job.id)
        self._advance()
        return job

    def _advance(self) -> None:
        """Start queued jobs, oldest first, while fewer than max_running run."""
        with self.lock:
            while (
                not self.closing
                and self.queue
                and sum(j.running for j in self.jobs.values()) < self.max_running
            ):
                job = self.jobs[self.queue.pop(0)]
                with job.lock:
                    job.state = "running"
                thread = threading.Thread(
                    target=self._run, args=(job, job.resumes > 0), name=f"live-{job.id[:8]}", daemon=True
                )
                self.threads = {t for t in self.threads if t.is_alive()} | {thread}
                if not LiveJobs._exit_hook:
                    atexit.register(LiveJobs.close_everywhere)
                    LiveJobs._exit_hook = True
                thread.start()

    def _run(self, job: LiveJob, resume: bool) -> None:
        """The watching thread: run the worker process (`live_worker.watch`: progress into the job, ended past
        its memory or time cap), then record how it ended and free its place."""
        state, summary, error = "failed", None, ""
        args = (job.text, job.settings, str(job.folder), job.probe, resume)
        try:
            summary, error = live_worker.watch(
                args,
                job.stop_event,
                f"live-{job.id[:8]}",
                job.settings.seconds,
                job.record,
                self.memory_cap_mb,
                self.time_grace_s,
            )
            if summary is not None:
                interrupted = summary["stop_reason"] == "interrupted"
                state = ("paused" if job.pausing else "stopped") if interrupted else "done"
        finally:
            with job.lock:
                job.state, job.error, job.pausing = state, error, False
                again, job.resume_when_paused = state == "paused" and job.resume_when_paused, False
                if summary is not None:
                    job.summary = summary
                if state != "paused":
                    job.ended = time.monotonic()
            if job.dropped:  # nothing can read it any more
                shutil.rmtree(job.folder, ignore_errors=True)
            elif again:  # resumed while it was pausing: it goes on now that it has paused
                try:
                    self.resume(job.id)
                except (UnknownJob, ValueError):  # dropped or stopped meanwhile: it stays as it is
                    pass
            self._advance()  # its place is free

    def get(self, key: str) -> LiveJob:
        """The job with this id or share token; UnknownJob otherwise. Drops jobs finished more than keep_s
        ago first (`sweep`, at most once a minute): a job started through the API has no page whose closing
        removes it."""
        if time.monotonic() - self.swept > SWEEP_EVERY_S:
            self.sweep()
        with self.lock:
            if isinstance(key, str):
                job = self.jobs.get(key) or self.jobs.get(self.shares.get(key, ""))
            else:
                job = None
        if job is None:
            raise unknown_job(key)
        return job

    def control(self, job_id: str) -> LiveJob:
        """The job with this id (not a share token: ReadOnly); UnknownJob otherwise."""
        job = self.get(job_id)
        if job.id != job_id:
            raise read_only()
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
                raise cannot_pause(job.state)
            job.pausing, job.resume_when_paused = True, False
        job.stop_event.set()
        return job

    def resume(self, job_id: str) -> LiveJob:
        """Queue a paused job again; it goes on from where it paused (the same losses as if never paused).
        A job still pausing (asked a moment ago) goes on as soon as it has paused. ValueError when it is
        neither paused nor pausing."""
        job = self.control(job_id)
        with self.lock:
            with job.lock:
                if job.state == "running" and job.pausing:
                    job.resume_when_paused = True
                    return job
                if job.state != "paused":
                    raise cannot_resume(job.state)
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
                job.pausing = job.resume_when_paused = False
                if job.state in ("queued", "paused"):
                    job.state, job.ended = "stopped", time.monotonic()
        job.stop_event.set()
        return job

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
