"""One Live Lab training as the pages see it: its settings, its folder, its progress as the worker's
messages told it (the curve, validations, sample, snapshots) and how it ended. `live_jobs` keeps the
table of jobs and their queue; `live_worker` runs each in its own process.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lstmlm.training.live import LiveSettings, Sample, Snapshot
from playground.server.live_worker import context

MAX_EVALS = 300  # validations a status lists at most (evenly thinned; the best and the last always in)
CURVE_POINTS = 400  # training-loss points kept for the curve (thinned by 2 when full)
ACTIVE = ("queued", "running", "paused")  # a session with a job in one of these cannot start another


def thinned(evals: list[dict], most: int = MAX_EVALS) -> list[dict]:
    """At most `most` of the validations `evals` (step order), evenly spaced, with the first, the one at the
    best validation loss and the last always among them (the curve's note on overfitting compares the two)."""
    if len(evals) <= most:
        return list(evals)
    every = math.ceil(len(evals) / max(1, most - 2))  # room for the best and the last beside the grid
    loss = [e["val_loss"] if math.isfinite(e["val_loss"]) else math.inf for e in evals]
    best = min(range(len(evals)), key=loss.__getitem__)
    keep = set(range(0, len(evals), every)) | {best, len(evals) - 1}
    return [evals[k] for k in sorted(keep)]


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
    resume_when_paused: bool = False  # a resume asked while the pause was still under way
    resumes: int = 0  # how often it was paused and went on
    batch_size: int = 0  # the batch size it trains with (a tiny text: fewer columns than asked; 0: unknown)
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
    stop_event: object = field(default_factory=lambda: context().Event())  # shared with its worker process
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
                evals=thinned(self.evals),
                # over every validation, not the thinned list above (its best may be thinned out)
                best_val_loss=min((e["val_loss"] for e in self.evals), default=None),
                # the step of the model saved (and downloaded): the first validation at the best loss (a
                # save needs a strictly lower loss, validate.py), not the last step the sample showed
                best_step=min(self.evals, key=lambda e: e["val_loss"])["step"] if self.evals else None,
                sample=asdict(self.sample) if self.sample else None,
                snapshots=len(self.snapshots),
                has_model=self.has_model,
                summary=self.summary,
                error=self.error,
                settings=asdict(self.settings),  # as asked: lab_train takes them back as they are
                # the batch size it trains with: settings' own, or fewer columns for a tiny text
                batch_size=self.batch_size or self.settings.batch_size,
                # a pause asked and not yet done (and no resume asked since): the button offers Resume
                pausing=self.pausing and not self.resume_when_paused,
                share=self.share,
                queue_position=0,
                read_only=False,
            )
            if curve:
                out["curve"] = {"step": list(self.curve_steps), "loss": list(self.curve_loss)}
        return out

    def record(self, kind: str, value) -> None:
        """A worker's message, into the job the pages read."""
        with self.lock:
            if kind == "step":
                step, seconds, loss, per_s = value
                self.step, self.seconds, self.tokens_per_s = step, seconds, per_s
                if step % self.curve_every == 0 and math.isfinite(loss):
                    self.curve_steps.append(step)
                    self.curve_loss.append(loss)
                    if len(self.curve_steps) >= CURVE_POINTS:  # keep every other point; record half as often
                        self.curve_steps, self.curve_loss = self.curve_steps[::2], self.curve_loss[::2]
                        self.curve_every *= 2
            elif kind == "eval":
                self.evals.append(value)
            elif kind == "sample":
                self.sample = value
            elif kind == "snapshot":
                self.snapshots.append(value)
