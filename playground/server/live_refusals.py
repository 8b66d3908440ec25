"""The Live Lab's refusals: the errors `live_jobs.LiveJobs` raises when a training cannot be started,
found, controlled, paused or resumed, each with a `Message` that says why and what to do
(playground/text/library.py has their Chinese). live_jobs re-exports the three error classes.
"""

from __future__ import annotations

from lstmlm.messages import Message


class LiveBusy(RuntimeError):
    """This session already has a training (queued, running or paused), or the queue is full."""


class ReadOnly(PermissionError):
    """A share token was used to control a training: only its id can pause, resume or stop it."""


class UnknownJob(KeyError):
    """No job has this id (never started, or removed after its session ended or an hour passed)."""

    def __str__(self) -> str:
        return self.args[0] if self.args else "unknown job"


def busy_yours() -> LiveBusy:
    """This session already has an active training (running, paused or waiting)."""
    return LiveBusy(
        Message(
            "live.busy_yours",
            "you already have a training (running, paused or waiting): stop it first, or wait "
            "until it finishes",
        )
    )


def busy_server(waiting: int, places: int) -> LiveBusy:
    """The queue is full: `waiting` trainings wait for one of the server's `places` (max_running)."""
    return LiveBusy(
        Message(
            "live.busy_server",
            "the server is busy: {waiting} trainings are waiting for one of its {places} places. "
            "Try again in a few minutes",
            waiting=waiting,
            places=places,
        )
    )


def unknown_job(key: object) -> UnknownJob:
    """No job has this id or share token (its first 40 characters are quoted)."""
    return UnknownJob(
        Message(
            "live.unknown_job",
            "no training has the id {job!r} (it ended more than an hour ago, its page was closed, or "
            "it never started): start a new one",
            job=str(key)[:40],
        )
    )


def read_only() -> ReadOnly:
    """A share token was used where only the job's id may control it."""
    return ReadOnly(
        Message(
            "live.read_only",
            "this is a shared, read-only training: only the person who started it can control it",
        )
    )


def cannot_pause(state: str) -> ValueError:
    """Only a running training can be paused; this one is in `state` (queued, paused, done, ...)."""
    return ValueError(
        Message(
            "live.pause_state",
            "only a running training can be paused; this one is {state}",
            state=state,
        )
    )


def cannot_resume(state: str) -> ValueError:
    """Only a paused training can go on; this one is in `state`."""
    return ValueError(
        Message(
            "live.resume_state",
            "only a paused training can go on; this one is {state}",
            state=state,
        )
    )
