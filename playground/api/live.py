"""The Live Lab endpoints: `lab_train` starts a training and streams its progress until it ends (its first
message holds the job id, and a share token that only reads it), `lab_status` says where it is (queue
position, loss curve, evaluations, the latest sample, snapshots), `lab_pause` / `lab_resume` / `lab_stop`
control it, `lab_snapshot` reads one snapshot (the probe's gates and what changed since another
snapshot). Registered with `gr.api`,
which reads the parameters from the type hints (so no `from __future__ import annotations` here), through
`add_endpoints` like every endpoint. Bad input gets a message saying what to change (`lab_error`); a full
server says "busy, try again"; an unknown job or a share token used to control one says so.

The README of the previous release named them live_train, live_status, ...: those names still answer, left
out of the API page, for this release only (`old_name`).
"""

import asyncio
import time
from collections.abc import AsyncIterator

import gradio as gr

from lstmlm.training.live import TEACHING_TEXTS, LiveSettings, LiveSettingsError, LiveTextError
from playground.api import BAD_INPUT, add_endpoints, rejecting, served, user_error
from playground.server.live_jobs import JOBS, LiveBusy, LiveJobs, ReadOnly, UnknownJob
from playground.views.live import snapshot_json

LIVE_CONCURRENCY = "live_api"  # the Live Lab's calls are quick (they start, read or stop a worker): 4 at once
# lab_train's streams last as long as their trainings: a group of their own, unlimited (the job registry
# refuses a training past its queue, so streams are as many as trainings), so that they never hold the places
# lab_status and lab_stop need; each waits on the event loop (asyncio.sleep), not in a thread
STREAM_CONCURRENCY = "live_stream"
STREAM_POLL_S = 0.25  # how often a stream reads its training's status
STREAM_EVERY_S = 0.5  # at most one progress message per this many seconds (the last one always)
ENDED = ("done", "stopped", "failed")  # a training in one of these goes no further: its stream ends
# what every message of the stream holds from lab_status (the final one: all of lab_status but the curve)
PROGRESS_KEYS = (
    "job",
    "share",
    "state",
    "queue_position",
    "step",
    "seconds",
    "budget_s",
    "tokens_per_s",
    "unit",
    "best_val_loss",
    "sample",
    "snapshots",
    "has_model",
    "settings",
    "batch_size",
    "pausing",
)


def lab_error(e: Exception) -> gr.Error:
    """A refused Live Lab call as its caller reads it: a busy server, an unknown job or a share token used
    to control one in its own words; bad input (a text or setting, LiveTextError / LiveSettingsError, or
    a value that is not a number) as every endpoint says it (`user_error`)."""
    if isinstance(e, (LiveBusy, UnknownJob, ReadOnly)):
        return gr.Error(str(e), print_exception=False)
    return user_error(e)


refusing = rejecting((LiveBusy, UnknownJob, ReadOnly, *BAD_INPUT), lab_error)


def progress_message(status: dict, curve: dict | None) -> dict:
    """One message of lab_train's stream from a `LiveJobs.status` answer and its training-loss `curve`
    ({"step": [...], "loss": [...]}): PROGRESS_KEYS, the latest training loss (`train_loss`, None before the
    first step) and validation loss (`val_loss`, None before the first validation; both in nats per token),
    `seconds_left` of the budget (0 once ended) and `done` (true in the last message, which also holds all
    of lab_status but the curve: evals, summary, error, read_only)."""
    done = status["state"] in ENDED
    message = {k: status[k] for k in PROGRESS_KEYS}
    message["train_loss"] = curve["loss"][-1] if curve and curve["loss"] else None
    message["val_loss"] = status["evals"][-1]["val_loss"] if status["evals"] else None
    message["seconds_left"] = 0.0 if done else round(max(0.0, status["budget_s"] - status["seconds"]), 2)
    if done:
        message |= {k: v for k, v in status.items() if k != "curve"}
    return dict(message, done=done)


async def stream_progress(jobs: LiveJobs, job_id: str) -> AsyncIterator[dict]:
    """Training `job_id`'s progress messages (`progress_message`): the first at once, then one whenever its
    state, place in the queue, step, validations, snapshots or sample changed (at most every
    STREAM_EVERY_S), through a pause, until it is done, stopped or failed (that message last, done: true).
    UnknownJob if the job is dropped meanwhile."""
    last_seen, last_sent = None, 0.0
    while True:
        status = jobs.status(job_id, curve=True)
        curve = status.pop("curve")
        ended = status["state"] in ENDED
        seen = (
            status["state"],
            status["queue_position"],
            status["step"],
            len(status["evals"]),
            status["snapshots"],
            status["sample"],
        )
        now = time.monotonic()
        if ended or (seen != last_seen and now - last_sent >= STREAM_EVERY_S):
            yield progress_message(status, curve)
            last_seen, last_sent = seen, now
        if ended:
            return
        await asyncio.sleep(STREAM_POLL_S)


def old_name(api_name: str) -> str:
    """The previous release's name of a Live Lab endpoint: 'lab_train' -> 'live_train'."""
    return api_name.replace("lab_", "live_", 1)


def register(jobs: LiveJobs = JOBS) -> None:
    """Add the Live Lab's endpoints to the Blocks being built."""
    # closures over the registry, not partials: gr.api reads each endpoint's own signature and type hints

    async def lab_train(
        text: str = "", settings: dict | None = None, teaching_text: str = "", probe: str = ""
    ) -> AsyncIterator[dict]:
        """Start training a small LSTM on `text` (or on the built-in `teaching_text`: quotes, brackets,
        anbn, numbered, program, poem) and stream its progress until it ends. `settings` (all optional):
        tokenizer (chars | words), num_layers (1-2), hidden_dim (16-256), bptt (10-200), batch_size (1-64),
        lr (0.0001-0.05), dropout (0-0.5), seconds (10-300), seed, max_tokens, eval_every, snapshots (1-20),
        sample_every_s. Each message: {"job": id, "share": a read-only token, "state" (queued, running,
        paused, then done, stopped or failed), "queue_position" (1 = next to start; 0 = not waiting), "step",
        "seconds", "budget_s", "seconds_left", "tokens_per_s", "train_loss" and "val_loss" (the latest, nats
        per token), "best_val_loss", "sample", "snapshots", "has_model", "settings" (as asked), "batch_size"
        (the one trained with: fewer columns than asked for a tiny text), "pausing" (a pause asked, not yet
        done), "done"}; the first comes at once, the last (done: true) holds all of lab_status but the curve
        (summary, error, evals). lab_stop / lab_pause with the job id end or pause it meanwhile."""
        try:
            if teaching_text:
                if teaching_text not in TEACHING_TEXTS:
                    names = ", ".join(TEACHING_TEXTS)
                    raise LiveTextError(
                        f"no teaching text is called {teaching_text!r}: choose one of {names}"
                    )
                if text:
                    raise LiveTextError("give either text or teaching_text, not both")
                text = TEACHING_TEXTS[teaching_text].read()
            if settings is not None and not isinstance(settings, dict):
                raise LiveSettingsError('settings must be a JSON object, e.g. {"seconds": 20}')
            live = LiveSettings.from_dict(settings or {})
            # checking the text reads it all (up to 2 MB): in a thread, not on the server's event loop
            job = await asyncio.to_thread(jobs.start, text, live, None, probe)
            async for message in stream_progress(jobs, job.id):
                yield message
        except (LiveBusy, UnknownJob, ReadOnly, *BAD_INPUT) as e:
            raise lab_error(e) from None

    @refusing
    def lab_status(job: str, curve: bool = True) -> dict:
        """Where training `job` (its id or share token) is: state (queued, running, paused, done, stopped,
        failed), queue_position (1 = next to start; 0 = not waiting), step, seconds, budget_s, tokens_per_s,
        evals [{step, seconds, train_loss, val_loss}] in nats per token (at most 300, evenly thinned),
        best_val_loss (over every validation), the latest sample, the number of
        snapshots, summary and error once it ended; with `curve` the training loss per step."""
        return jobs.status(job, curve=bool(curve))

    def _control(action, job: str) -> dict:
        done = action(job)
        return {"job": done.id, "state": done.state}

    @refusing
    def lab_stop(job: str) -> dict:
        """End training `job` (its id, not a share token): a running one after its current step (its best
        model so far stays saved), a queued or paused one at once. "stopping" is false for one that had
        already ended."""
        ended = not jobs.control(job).active
        return dict(_control(jobs.stop, job), stopping=not ended)

    @refusing
    def lab_pause(job: str) -> dict:
        """Pause running training `job` after its current step: it frees its place on the server and the
        paused time does not count against its budget; `lab_resume` goes on."""
        return dict(_control(jobs.pause, job), pausing=True)

    @refusing
    def lab_resume(job: str) -> dict:
        """Let paused training `job` go on (queued again; it continues exactly where it paused); one still
        pausing (lab_pause a moment ago) goes on as soon as it has paused."""
        return _control(jobs.resume, job)

    @refusing
    def lab_snapshot(job: str, index: int = -1, compare_to: int = 0) -> dict:
        """Snapshot `index` of training `job` (id or share token; -1 = the latest): the probe's tokens (as
        typed; "unknown": the positions of those the model's vocabulary lacks, read as <unk>) and its gates,
        cell and hidden state per layer ({layer: {q: [[T x H]]}}), and "changes": per unit, how its gate
        saturation and its cell's match with each Cell-hunt track changed since snapshot `compare_to` (the 3
        units that changed most for each)."""
        return snapshot_json(jobs.get(job), int(index), int(compare_to))

    quick = (lab_status, lab_stop, lab_pause, lab_resume, lab_snapshot)
    add_endpoints(lab_train, concurrency_limit=None, concurrency_id=STREAM_CONCURRENCY)
    add_endpoints(*quick, concurrency_limit=4, concurrency_id=LIVE_CONCURRENCY)
    # the previous release's names answer the same, off the API page: remove next release
    for fn, limit, group in [(lab_train, None, STREAM_CONCURRENCY)] + [
        (f, 4, LIVE_CONCURRENCY) for f in quick
    ]:
        gr.api(
            served(fn),
            api_name=old_name(fn.__name__),
            concurrency_limit=limit,
            concurrency_id=group,
            api_visibility="undocumented",
        )
