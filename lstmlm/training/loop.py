"""The training loop as a function with callbacks: no printing, no argument parsing.

`train()` runs epochs of truncated back-propagation through time over a `Corpus`, evaluates on the
validation split, anneals the learning rate when validation stops improving, saves the best model
directory atomically, appends every evaluation to `metrics.jsonl`, and keeps a resumable state in
`<out>/resume/`. Under `torchrun` it trains with DistributedDataParallel, each rank on its own columns
of the batch; only rank 0 writes.

Its settings, callbacks and errors are in `train_config`, the optimiser and learning-rate schedules in
`optim`, the DistributedDataParallel plumbing in `distributed`; all are importable from here too.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import torch

from lstmlm.checkpoint import save_model
from lstmlm.data import Corpus, batch_starts, batchify, get_batch
from lstmlm.model import LanguageModel, ModelConfig, detach_state, zero_columns
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
)
from lstmlm.training.distributed import BatchLoss
from lstmlm.training.optim import make_optimizer, scheduled_lr
from lstmlm.training.resume import check_resumable, load_resume, read_resume_meta, save_resume

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


def resolve_device(name: str) -> torch.device:
    """auto -> cuda when available, else cpu."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for but no CUDA device is available")
    return torch.device(name)


@torch.no_grad()
def evaluate(model: LanguageModel, data: torch.Tensor, bptt: int = 35) -> tuple[float, int]:
    """Mean negative log-likelihood (nats/word) over batchified `data` (T, B), state carried through."""
    was_training = model.training
    model.eval()
    state = model.init_state(data.size(1))
    total, count = 0.0, 0
    for start in batch_starts(data, bptt):
        inputs, targets = get_batch(data, start, bptt)
        features, state = model(inputs, state)
        n = targets.numel()
        total += model.loss(features, targets).item() * n
        count += n
    model.train(was_training)
    return total / max(count, 1), count


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
    `model_config` and the settings in `train_config.FIXED_ON_RESUME` must then be the saved run's, the
    others may change.
    Problems with the settings, the data or the saved state raise TrainingSetupError before any step.
    """
    callbacks = callbacks or []
    out = Path(out)
    rank, world = ddp.rank_and_world()
    try:
        device = ddp.rank_device(resolve_device(cfg.device), world)
        if cfg.batch_size % world:
            raise ValueError(f"batch_size {cfg.batch_size} must be divisible by the {world} processes")
        meta = read_resume_meta(out) if resume else None
        if meta is not None:
            check_resumable(meta, model_config, cfg)
        if cfg.threads > 0:
            torch.set_num_threads(cfg.threads)
        torch.manual_seed(cfg.seed)
        model = LanguageModel(model_config).to(device)
        if world > 1:
            torch.manual_seed(cfg.seed + rank)  # the same weights everywhere, but each rank its own dropout
        optimizer = make_optimizer(model, cfg)
        per_rank = cfg.batch_size // world
        columns = slice(rank * per_rank, (rank + 1) * per_rank)  # this rank's part of every batch
        train_data = batchify(corpus.train, cfg.batch_size)[:, columns].to(device)  # (T, per_rank)
        eval_batch_size = min(cfg.eval_batch_size, max(1, corpus.valid.numel() // 2))
        valid_data = batchify(corpus.valid, eval_batch_size).to(device)
        starts = list(batch_starts(train_data, cfg.bptt))
        position = dict(
            epoch=1, batch=0, step=0, seconds=0.0, best_val_loss=math.inf, lr=cfg.lr, evals=0, words=0
        )
        recent_losses: list[float] = []  # the last 200 training losses: train_loss in metrics.jsonl
        state = model.init_state(per_rank)
        if meta is not None:
            meta, state = load_resume(out, model, optimizer, device, cfg.batch_size, rank, world)
            position = {k: meta.get(k, position[k]) for k in position}  # "words": states before budgets
            recent_losses = list(meta.get("recent_losses", []))
            if (meta.get("train_config") or {}).get("lr", cfg.lr) != cfg.lr:
                position["lr"] = cfg.lr  # a new --lr restarts the plateau schedule from it
            for g in optimizer.param_groups:
                g["lr"] = position["lr"]
                if "fused" in optimizer.defaults:  # the saved groups may predate the fused kernels
                    g["fused"] = optimizer.defaults["fused"]
    except ValueError as e:  # ResumeError included
        raise TrainingSetupError(str(e)) from None
    if rank == 0:
        out.mkdir(parents=True, exist_ok=True)
        if not resume:
            (out / METRICS).unlink(missing_ok=True)  # a new run starts a new learning curve
    if resume:
        for cb in callbacks:
            cb.on_message(
                f"resuming at epoch {position['epoch']}, batch {position['batch']}, step {position['step']}"
            )
    net = ddp.loss_module(model, world)  # under torchrun: DistributedDataParallel
    for cb in callbacks:  # duck-typed callbacks may lack on_start
        if (on_start := getattr(cb, "on_start", None)) is not None:
            on_start(model)

    run_start = time.monotonic()
    seconds_before = position["seconds"]
    words_since_start = 0

    def elapsed() -> float:
        return seconds_before + time.monotonic() - run_start

    def stop_reason_now() -> str | None:
        """Interrupt or time budget; under torchrun all ranks stop at the same step (or they would hang)."""
        code = 2 if should_stop() else 1 if cfg.max_minutes and elapsed() >= cfg.max_minutes * 60 else 0
        if not code and cfg.max_words and position["words"] >= cfg.max_words:
            code = 3
        code = ddp.max_over_ranks(code, device, world)
        return {0: None, 1: "time budget", 2: "interrupted", 3: "word budget"}[code]

    def validate(train_loss: float) -> None:
        val_loss, _ = evaluate(model, valid_data, cfg.bptt)
        val_loss = ddp.from_rank0(val_loss, device, world)  # rank 0 decides what counts as an improvement
        position["evals"] += 1
        improved = val_loss < position["best_val_loss"]
        record = {
            "step": position["step"],
            "epoch": position["epoch"],
            "train_loss": train_loss,
            "val_loss": val_loss,
            "val_ppl": math.exp(min(val_loss, 700)),
            "lr": optimizer.param_groups[0]["lr"],
            "seconds": round(elapsed(), 1),
            "words": position["words"],
            "best": improved,
        }
        if improved:
            if rank == 0:
                info = dict(
                    summary or {},
                    epochs=position["epoch"] - 1 + position["batch"] / len(starts),
                    steps=position["step"],
                    words_processed=position["words"],
                    val_perplexity=record["val_ppl"],
                    train_seconds=round(elapsed(), 1),
                    train_config=asdict(cfg),
                )
                try:
                    save_model(out, model, corpus.vocab, info, dtype=getattr(torch, cfg.save_dtype))
                except OSError as e:
                    raise save_failed(e, "save the best model in") from e
            position["best_val_loss"] = val_loss  # only once saved: a resumed run then saves it again
        elif cfg.schedule == "plateau":  # anneal
            for g in optimizer.param_groups:
                g["lr"] *= cfg.lr_decay
        position["lr"] = optimizer.param_groups[0]["lr"]
        if rank == 0:
            try:
                with open(out / METRICS, "a", encoding="utf-8") as f:
                    f.write(json.dumps(record) + "\n")
            except OSError as e:
                raise save_failed(e, f"append to {METRICS} in") from e
        for cb in callbacks:
            cb.on_eval(record)

    def save_state() -> None:
        """The resumable state in out/resume (every rank calls this under torchrun)."""
        position["seconds"] = elapsed()
        meta = dict(
            position,
            recent_losses=recent_losses,
            model_config=model_config.to_dict(),
            train_config=asdict(cfg),
            summary=summary or {},
            world_size=world,
        )
        save_resume(out, model, optimizer, state, meta, rank, world)

    def save_failed(error: OSError, what: str) -> TrainingSaveError:
        """Say what failed and why, and keep the training state if it can still be written."""
        best = position["best_val_loss"]
        kept = (
            f"The best model saved before (validation perplexity {math.exp(min(best, 700)):.2f}) is intact."
            if math.isfinite(best)
            else "No model had been saved yet."
        )
        if world == 1:  # under torchrun the other ranks are not here to gather the state
            try:
                save_state()
                kept += f" The training state is in {out / 'resume'}: make room, then continue with --resume."
            except OSError as e2:
                kept += f" The training state could not be saved either ({e2.strerror or e2})."
        return TrainingSaveError(f"cannot {what} {out}: {error.strerror or error}. {kept}")

    def annealed_out() -> bool:  # the plateau schedule ends the run once the lr is negligible
        return cfg.schedule == "plateau" and position["lr"] < cfg.min_lr

    def mean_recent() -> float:
        return sum(recent_losses) / max(len(recent_losses), 1)

    model.train()
    stop_reason = "finished"
    while position["epoch"] <= cfg.epochs:
        while position["batch"] < len(starts):
            if reason := stop_reason_now():
                stop_reason = reason
                break
            inputs, targets = get_batch(train_data, starts[position["batch"]], cfg.bptt)
            state = detach_state(state)
            if cfg.state_restart_every:
                restart = restart_columns(position["step"], cfg.state_restart_every, cfg.batch_size)
                state = zero_columns(state, restart[columns].to(device))
            if cfg.schedule != "plateau":
                for g in optimizer.param_groups:
                    g["lr"] = scheduled_lr(
                        cfg, position["step"], cfg.epochs * len(starts), elapsed(), position["words"]
                    )
            loss, state = net(inputs, state, targets)
            objective = loss
            if cfg.cell_penalty and isinstance(state, tuple):  # keeps |C_t| from running away
                objective = loss + cfg.cell_penalty * state[1].pow(2).mean()
            objective.backward()
            if cfg.clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
            loss_value = ddp.mean_over_ranks(loss.detach(), world).item()
            if not math.isfinite(loss_value):
                optimizer.zero_grad(set_to_none=True)
                saved = (
                    f"The best model in {out} (validation perplexity "
                    f"{math.exp(min(position['best_val_loss'], 700)):.2f}) is untouched."
                    if math.isfinite(position["best_val_loss"])
                    else "No model had been saved yet."
                )
                raise TrainingDiverged(
                    f"the training loss became {loss_value} at step {position['step'] + 1}; "
                    f"stopped. {saved} Try a lower --lr or a smaller --clip."
                )
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            position["step"] += 1
            position["batch"] += 1
            words_since_start += targets.numel() * world
            position["words"] += targets.numel() * world
            recent_losses = (recent_losses + [loss_value])[-200:]
            progress = Progress(
                position["step"],
                position["epoch"],
                position["batch"],
                len(starts),
                loss_value,
                optimizer.param_groups[0]["lr"],
                words_since_start / max(time.monotonic() - run_start, 1e-9),
                elapsed(),
            )
            for cb in callbacks:
                cb.on_step(progress)
            if cfg.eval_every and position["step"] % cfg.eval_every == 0:
                validate(mean_recent())
                if annealed_out():
                    break
        if stop_reason != "finished" or annealed_out():
            break
        if not cfg.eval_every or position["step"] % cfg.eval_every:
            validate(mean_recent())
        position["epoch"] += 1
        position["batch"] = 0
        if annealed_out():
            stop_reason = "learning rate below --min-lr"
            break

    if stop_reason in ("time budget", "word budget") and recent_losses and position["batch"] > 0:
        validate(mean_recent())  # the last stretch may hold the best model
    save_state()
    ddp.barrier(world)
    return {
        "stop_reason": stop_reason,
        "best_val_loss": position["best_val_loss"],
        "best_val_ppl": math.exp(min(position["best_val_loss"], 700)),
        "steps": position["step"],
        "epoch": position["epoch"],
        "seconds": round(position["seconds"], 1),
    }
