"""The end of the Live Lab's jobs: a job dropped (its page closed, its hour after the end run out) and its
folder removed, finished jobs swept, and every training stopped when the server ends (at exit, on SIGTERM
or after a test). A mixin of the registry (`live_jobs.LiveJobs`), whose table, queue and lock it reads;
no gradio here."""

from __future__ import annotations

import shutil
import threading
import time
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playground.server.live_job import LiveJob


class JobEnds:
    """How the registry's jobs end: `drop`, `drop_owner`, `sweep`, `stop_all` and `close` (with their
    every-registry forms for the exit hook). The registry sets the attributes below."""

    instances: weakref.WeakSet  # every registry of the process
    lock: threading.Lock
    jobs: dict[str, LiveJob]
    shares: dict[str, str]
    queue: list[str]
    threads: set[threading.Thread]
    keep_s: float
    max_jobs: int
    swept: float
    closing: bool

    def stop_all(self, timeout: float = 30.0) -> int:
        """Ask every training of this registry to stop and wait up to `timeout` seconds for their threads;
        how many are still running. A training thread still inside torch when the interpreter exits aborts
        the process ("terminate called without an active exception"), so this runs at exit."""
        with self.lock:
            jobs, threads = list(self.jobs.values()), list(self.threads)
            self.queue.clear()
        for job in jobs:
            with job.lock:  # an end, not a pause: nothing goes on after it
                job.pausing = job.resume_when_paused = False
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

    def close(self, timeout: float = 30.0) -> int:
        """The server is ending: start nothing more, stop every training (`stop_all`), then drop every job
        and remove its folder (one whose training still runs past `timeout` keeps it: its thread would remove
        it when train() returns, if the process lives that long); how many still run."""
        self.closing = True
        still = self.stop_all(timeout)
        with self.lock:
            jobs = list(self.jobs.values())
        for job in jobs:
            self.drop(job)
        return still

    @classmethod
    def close_everywhere(cls, timeout: float = 30.0) -> int:
        """close for every registry of the process (at exit); how many trainings are still running."""
        return sum(jobs.close(timeout) for jobs in list(cls.instances))

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
        self.swept = time.monotonic()
        with self.lock:
            finished = sorted((j for j in self.jobs.values() if not j.active), key=lambda j: j.ended or 0)
        old = [j for j in finished if j.ended is not None and now - j.ended > self.keep_s]
        over = max(0, len(self.jobs) - len(old) - self.max_jobs)
        old += [j for j in finished if j not in old][:over]
        for job in old:
            self.drop(job)
        return len(old)
