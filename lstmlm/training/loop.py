"""The training loop as a function with callbacks: no printing, no argument parsing.

`train()` runs epochs of truncated back-propagation through time over a `Corpus`, evaluates on the
validation split, anneals the learning rate when validation stops improving, saves the best model
directory atomically, appends every evaluation to `metrics.jsonl`, and keeps a resumable state in
`<out>/resume/`. Under `torchrun` it trains with DistributedDataParallel, each rank on its own columns
of the batch; only rank 0 writes.

The run's state and its setup are in `run`, validation and saving in `validate`; its settings, callbacks
and errors in `config`, the optimiser and learning-rate schedules in `optim`, the DistributedDataParallel
plumbing in `distributed`; the names below are importable from here too.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from pathlib import Path

import torch

from lstmlm.data import Corpus, get_batch
from lstmlm.model import ModelConfig, detach_state, zero_columns
from lstmlm.training import distributed as ddp
from lstmlm.training.config import (
    METRICS,
    METRICS_KEYS,
    Callback,
    Progress,
    TrainConfig,
    TrainingDiverged,
    TrainingSaveError,
    TrainingSetupError,
    loss_figure,
)
from lstmlm.training.distributed import BatchLoss
from lstmlm.training.optim import budget_spent, make_optimizer, scheduled_lr
from lstmlm.training.run import TrainingRun, resolve_device, setup
from lstmlm.training.validate import evaluate, save_state, validate

__all__ = [  # also the names other modules import from here
    "METRICS",
    "METRICS_KEYS",
    "BatchLoss",
    "Callback",
    "Progress",
    "TrainConfig",
    "TrainingDiverged",
    "TrainingSaveError",
    "TrainingSetupError",
    "evaluate",
    "make_optimizer",
    "resolve_device",
    "scheduled_lr",
    "train",
]


def restart_columns(step: int, every: int, batch_size: int) -> torch.Tensor:
    """(batch_size,) bool: the columns whose carried state restarts from zero before window `step`.

    Column j restarts when (step + j * every // batch_size) % every == 0: each column once every `every`
    windows, staggered so that about batch_size / every columns restart at each step. It depends on the
    step only, so a resumed run restarts the same columns as an uninterrupted one."""
    offsets = torch.arange(batch_size) * every // batch_size
    return (step + offsets) % every == 0


def train(
    corpus: Corpus,
    model_config: ModelConfig,
    cfg: TrainConfig,
    out: str | os.PathLike,
    callbacks: list[Callback] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    resume: bool = False,
    summary: dict | None = None,
) -> dict:
    """Train, keeping the best model in `out`; returns the final summary (best/test perplexity, ...).

    With `resume=True` the run continues from `out/resume/` exactly (same losses as if never stopped);
    `model_config` and the settings in `config.FIXED_ON_RESUME` must then be the saved run's, the
    others may change.
    Problems with the settings, the data or the saved state raise TrainingSetupError before any step.
    """
    run = setup(corpus, model_config, cfg, Path(out), callbacks or [], should_stop, resume, summary)
    position = run.position
    run.model.train()
    if position["pending_validation"] and not validate(run, run.mean_recent()):  # stopped inside it before
        stop_reason = "interrupted"
    else:
        stop_reason = run_epochs(run)
    if stop_reason in ("time budget", "word budget") and run.recent_losses and not validated_now(run):
        if not validate(run, run.mean_recent()):  # the last stretch may hold the best model
            stop_reason = "interrupted"
    save_state(run)
    ddp.barrier(run.world)
    if stop_reason == "word budget":  # --max-words counts the model's tokens: characters for a chars model
        stop_reason = f"{run.corpus.vocab.tokenizer.unit} budget"
    return {
        "stop_reason": stop_reason,
        "best_val_loss": position["best_val_loss"],
        "best_val_ppl": math.exp(min(position["best_val_loss"], 700)),
        "steps": position["step"],
        "epoch": position["epoch"],
        "seconds": round(position["seconds"], 1),
    }


def run_epochs(run: TrainingRun) -> str:
    """The epochs left, each validated at its end (unless it just was); why they ended: "finished",
    "learning rate below --min-lr", or `run_epoch`'s reason."""
    cfg, position = run.cfg, run.position
    while position["epoch"] <= cfg.epochs:
        if reason := run_epoch(run):
            return reason
        if run.annealed_out():
            return "finished"
        if not validated_now(run) and not validate(run, run.mean_recent()):
            return "interrupted"
        position["epoch"] += 1
        position["batch"] = 0
        if run.annealed_out():
            return "learning rate below --min-lr"
    return "finished"


def validated_now(run: TrainingRun) -> bool:
    """Whether the model was validated at this very step (every `eval_every` steps, or by a resumed run)."""
    return run.position["validated_step"] == run.position["step"]


def run_epoch(run: TrainingRun) -> str | None:
    """The rest of the current epoch, validating every `eval_every` steps; the stop reason if one came
    (interrupt, time or word budget), else None (the epoch ended, or the plateau schedule annealed out)."""
    cfg, position = run.cfg, run.position
    while position["batch"] < len(run.starts):
        if reason := run.stop_reason_now():
            return reason
        train_step(run)
        if cfg.eval_every and position["step"] % cfg.eval_every == 0:
            if not validate(run, run.mean_recent()):
                return "interrupted"
            if run.annealed_out():
                return None
    return None


def train_step(run: TrainingRun) -> None:
    """One window: forward, backward, clip, optimiser step; tell the callbacks."""
    cfg, position, optimizer = run.cfg, run.position, run.optimizer
    inputs, targets = get_batch(run.train_data, run.starts[position["batch"]], cfg.bptt)
    run.state = detach_state(run.state)
    if cfg.state_restart_every:
        restart = restart_columns(position["step"], cfg.state_restart_every, cfg.batch_size)
        run.state = zero_columns(run.state, restart[run.columns].to(run.device))
    total_steps, seconds = cfg.epochs * len(run.starts), run.elapsed()
    spent = budget_spent(cfg, position["step"], total_steps, seconds, position["words"])  # share of the run
    if cfg.schedule != "plateau":
        for g in optimizer.param_groups:
            g["lr"] = scheduled_lr(cfg, position["step"], total_steps, seconds, position["words"])
    loss, penalty, run.state = run.net(inputs, run.state, targets)
    objective = loss + penalty  # AR/TAR (0 when off)
    if cfg.cell_penalty and isinstance(run.state, tuple):  # keeps |C_t| from running away
        objective = objective + cfg.cell_penalty * run.state[1].pow(2).mean()
    objective.backward()
    if cfg.clip > 0:
        torch.nn.utils.clip_grad_norm_(run.model.parameters(), cfg.clip)
    loss_value = ddp.mean_over_ranks(loss.detach(), run.world).item()
    if not math.isfinite(loss_value):
        optimizer.zero_grad(set_to_none=True)
        saved = (
            f"The best model in {run.out} "
            f"({loss_figure(position['best_val_loss'], run.corpus.vocab.tokenizer.unit)}) is untouched."
            if math.isfinite(position["best_val_loss"])
            else "No model had been saved yet."
        )
        raise TrainingDiverged(
            f"the training loss became {loss_value} at step {position['step'] + 1}; "
            f"stopped. {saved} Try a lower --lr or a smaller --clip."
        )
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    if run.average is not None and spent >= cfg.ema_start:
        if not run.average.shadow:
            for cb in run.callbacks:
                cb.on_message(
                    f"averaging the weights from step {position['step'] + 1} (EMA, decay {cfg.ema_decay:g}): "
                    "validations and the saved model use the average from now on"
                )
        run.average.update()
    position["step"] += 1
    position["batch"] += 1
    run.words_since_start += targets.numel() * run.world
    position["words"] += targets.numel() * run.world
    run.recent_losses = (run.recent_losses + [loss_value])[-200:]
    progress = Progress(
        position["step"],
        position["epoch"],
        position["batch"],
        len(run.starts),
        loss_value,
        optimizer.param_groups[0]["lr"],
        run.words_since_start / max(time.monotonic() - run.run_start, 1e-9),
        run.elapsed(),
    )
    for cb in run.callbacks:
        cb.on_step(progress)
