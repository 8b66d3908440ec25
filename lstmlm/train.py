"""The training loop as a function with callbacks: no printing, no argument parsing.

`train()` runs epochs of truncated back-propagation through time over a `Corpus`, evaluates on the
validation split, anneals the learning rate when validation stops improving, saves the best model
directory atomically, appends every evaluation to `metrics.jsonl`, and keeps a resumable state in
`<out>/resume/`. Under `torchrun` it trains with DistributedDataParallel, each rank on its own columns
of the batch; only rank 0 writes.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.distributed as dist

from .checkpoint import save_model
from .data import Corpus, batch_starts, batchify, get_batch
from .model import LanguageModel, ModelConfig, detach_state
from .resume import ResumeError, load_resume, read_resume_meta, save_resume

METRICS = "metrics.jsonl"
# metrics.jsonl: one JSON object per validation, with these keys
METRICS_KEYS = ("step", "epoch", "train_loss", "val_loss", "val_ppl", "lr", "seconds", "best")
# settings that shape the saved state (hidden state, batch positions, optimiser slots): fixed on resume
FIXED_ON_RESUME = ("batch_size", "bptt", "optimizer")
OPTIMIZERS, SCHEDULES = ["adam", "sgd"], ["cosine", "linear", "plateau"]
DEVICES, SAVE_DTYPES = ["auto", "cpu", "cuda"], ["float32", "float16"]


@dataclass
class TrainConfig:
    """Optimisation settings (each becomes a `lstmlm train` option)."""

    optimizer: str = field(default="adam", metadata={"choices": OPTIMIZERS})  # adam | sgd
    lr: float = 0.002  # initial learning rate (the SGD reference recipe uses 20)
    schedule: str = field(default="cosine", metadata={"choices": SCHEDULES})  # cosine/linear end at 0
    lr_decay: float = 0.5  # plateau schedule: multiply the lr by this when validation does not improve
    min_lr: float = 1e-6  # stop once the learning rate falls below this
    weight_decay: float = 0.0  # L2 penalty
    clip: float = 0.25  # clip the gradient norm to this (0 = off)
    batch_size: int = 32  # columns of the batchified training text (split across ranks under torchrun)
    bptt: int = 35  # words per truncated back-propagation window
    eval_batch_size: int = 10  # the standard protocol: batch 10, bptt 35, state carried through
    epochs: int = 40  # passes over the training text
    # with a time budget the cosine/linear schedules decay over whichever ends first, epochs or minutes
    max_minutes: float = 0.0  # stop after this much training time, then evaluate and save (0 = no limit)
    eval_every: int = 0  # also validate every N steps (0 = once per epoch)
    seed: int = 1111  # seeds weight init, dropout and everything random in training
    device: str = field(default="auto", metadata={"choices": DEVICES})  # auto | cpu | cuda
    threads: int = 0  # torch CPU threads (0 = torch's default)
    save_dtype: str = field(default="float32", metadata={"choices": SAVE_DTYPES})  # weights on disk


@dataclass
class Progress:
    """What callbacks see after each step."""

    step: int  # optimiser steps so far (global)
    epoch: int  # 1-based
    batch: int  # batch index within the epoch
    batches: int  # batches in an epoch
    loss: float  # this step's training loss (nats/word, averaged over ranks)
    lr: float
    words_per_s: float  # training words per second over all ranks, since (re)start
    seconds: float  # training time so far, including earlier runs when resumed


class Callback:
    """Override what you need; the loop never knows who is watching."""

    def on_step(self, p: Progress) -> None: ...
    def on_eval(self, record: dict) -> None: ...
    def on_message(self, text: str) -> None: ...


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; the best model saved so far is untouched."""


class TrainingSetupError(ValueError):
    """Settings, data or a saved state that cannot be trained on; raised before the first step."""


class TrainingSaveError(RuntimeError):
    """Writing to `out` failed (full disk, unwritable folder); the best model saved before is intact."""


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


def _world() -> tuple[int, int]:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def make_optimizer(model: torch.nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    """The optimiser `train()` uses for `cfg` (also used by tests/benchmarks/train_throughput.py)."""
    optimizers = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}
    if cfg.optimizer not in optimizers:
        raise ValueError(f"optimizer must be 'adam' or 'sgd', not {cfg.optimizer!r}")
    settings = dict(lr=cfg.lr, weight_decay=cfg.weight_decay)
    try:  # one fused pass over the weights: Adam's step measured ~7x faster on CPU
        return optimizers[cfg.optimizer](model.parameters(), fused=True, **settings)
    except (RuntimeError, TypeError, ValueError):  # a torch or device without the fused kernels
        return optimizers[cfg.optimizer](model.parameters(), **settings)


class BatchLoss(torch.nn.Module):
    """model(inputs) and model.loss as ONE forward: DistributedDataParallel only follows parameters used
    inside forward, and the adaptive softmax leaves a tail cluster unused when no target falls in it."""

    def __init__(self, model: LanguageModel):
        super().__init__()
        self.model = model

    def forward(self, inputs: torch.Tensor, state, targets: torch.Tensor):
        features, state = self.model(inputs, state)  # (T, B, H)
        return self.model.loss(features, targets), state


def _check_resumable(meta: dict, model_config: ModelConfig, cfg: TrainConfig) -> None:
    """The model and the settings that shape the saved state must be the saved run's."""
    saved_model = meta.get("model_config")
    if saved_model is not None and ModelConfig.from_dict(saved_model) != model_config:
        diff = [k for k, v in model_config.to_dict().items() if saved_model.get(k) != v]
        raise ResumeError(
            f"the saved run's model differs in {', '.join(diff)} "
            f"(saved: {', '.join(f'{k}={saved_model.get(k)}' for k in diff)})"
        )
    saved_train = meta.get("train_config") or {}
    for k in FIXED_ON_RESUME:
        if k in saved_train and saved_train[k] != getattr(cfg, k):
            flag = "--" + k.replace("_", "-")
            raise ResumeError(f"the saved run used {flag} {saved_train[k]}; it cannot change on resume")


def scheduled_lr(cfg: TrainConfig, step: int, total_steps: int, seconds: float) -> float:
    """The cosine/linear schedule: from cfg.lr down to 0 over the run (steps or the time budget)."""
    frac = step / max(total_steps, 1)
    if cfg.max_minutes:
        frac = max(frac, seconds / (cfg.max_minutes * 60))
    frac = min(frac, 1.0)
    if cfg.schedule == "cosine":
        return cfg.lr * 0.5 * (1 + math.cos(math.pi * frac))
    return cfg.lr * (1 - frac)


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
    `model_config` and the settings in FIXED_ON_RESUME must then be the saved run's, the others may change.
    Problems with the settings, the data or the saved state raise TrainingSetupError before any step.
    """
    callbacks = callbacks or []
    out = Path(out)
    rank, world = _world()
    try:
        device = resolve_device(cfg.device)
        if device.type == "cuda" and world > 1:
            device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
            torch.cuda.set_device(device)
        if cfg.batch_size % world:
            raise ValueError(f"batch_size {cfg.batch_size} must be divisible by the {world} processes")
        meta = read_resume_meta(out) if resume else None
        if meta is not None:
            _check_resumable(meta, model_config, cfg)
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
        position = dict(epoch=1, batch=0, step=0, seconds=0.0, best_val_loss=math.inf, lr=cfg.lr, evals=0)
        recent_losses: list[float] = []  # the last 200 training losses: train_loss in metrics.jsonl
        state = model.init_state(per_rank)
        if meta is not None:
            meta, state = load_resume(out, model, optimizer, device, cfg.batch_size, rank, world)
            position = {k: meta[k] for k in position}
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
    net: torch.nn.Module = BatchLoss(model)
    if world > 1:
        net = torch.nn.parallel.DistributedDataParallel(
            net, find_unused_parameters=model_config.softmax == "adaptive"
        )

    run_start = time.monotonic()
    seconds_before = position["seconds"]
    words_since_start = 0

    def elapsed() -> float:
        return seconds_before + time.monotonic() - run_start

    def stop_reason_now() -> str | None:
        """Interrupt or time budget; under torchrun all ranks stop at the same step (or they would hang)."""
        code = 2 if should_stop() else 1 if cfg.max_minutes and elapsed() >= cfg.max_minutes * 60 else 0
        if world > 1:
            flag = torch.tensor([code], device=device)
            dist.all_reduce(flag, op=dist.ReduceOp.MAX)
            code = int(flag.item())
        return {0: None, 1: "time budget", 2: "interrupted"}[code]

    def validate(train_loss: float) -> None:
        val_loss, _ = evaluate(model, valid_data, cfg.bptt)
        if world > 1:  # rank 0 decides what counts as an improvement, for everyone
            shared = torch.tensor([val_loss], dtype=torch.float64, device=device)
            dist.broadcast(shared, 0)
            val_loss = shared.item()
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
            "best": improved,
        }
        if improved:
            if rank == 0:
                info = dict(
                    summary or {},
                    epochs=position["epoch"] - 1 + position["batch"] / len(starts),
                    steps=position["step"],
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
            if cfg.schedule != "plateau":
                for g in optimizer.param_groups:
                    g["lr"] = scheduled_lr(cfg, position["step"], cfg.epochs * len(starts), elapsed())
            loss, state = net(inputs, state, targets)
            loss.backward()
            if cfg.clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
            loss_value = loss.detach()
            if world > 1:
                dist.all_reduce(loss_value)
                loss_value /= world
            loss_value = loss_value.item()
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

    if stop_reason == "time budget" and recent_losses and position["batch"] > 0:
        validate(mean_recent())  # the last stretch may hold the best model
    save_state()
    if world > 1:
        dist.barrier()
    return {
        "stop_reason": stop_reason,
        "best_val_loss": position["best_val_loss"],
        "best_val_ppl": math.exp(min(position["best_val_loss"], 700)),
        "steps": position["step"],
        "epoch": position["epoch"],
        "seconds": round(position["seconds"], 1),
    }
