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
from safetensors.torch import load_file, save_file

from .checkpoint import save_model
from .data import Corpus, batch_starts, batchify, get_batch
from .model import LanguageModel, ModelConfig, detach_state

RESUME_DIR = "resume"
METRICS = "metrics.jsonl"


@dataclass
class TrainConfig:
    """Optimisation settings (each becomes a `lstmlm train` option)."""

    optimizer: str = field(default="adam", metadata={"choices": ["adam", "sgd"]})  # adam | sgd
    lr: float = 0.002  # initial learning rate (the SGD reference recipe uses 20)
    schedule: str = field(default="cosine", metadata={"choices": ["cosine", "linear", "plateau"]})  # lr schedule
    lr_decay: float = 0.5  # plateau schedule: multiply the learning rate by this when validation does not improve
    min_lr: float = 1e-6  # stop once the learning rate falls below this
    weight_decay: float = 0.0  # L2 penalty
    clip: float = 0.25  # clip the gradient norm to this (0 = off)
    batch_size: int = 32  # columns of the batchified training text (split across ranks under torchrun)
    bptt: int = 35  # words per truncated back-propagation window
    eval_batch_size: int = 10  # the standard protocol: batch 10, bptt 35, state carried through
    epochs: int = 40  # passes over the training text
    max_minutes: float = 0.0  # stop after this much training time, then evaluate and save (0 = no limit);
    # cosine/linear schedules then decay over whichever ends first, the epochs or the minutes
    eval_every: int = 0  # also validate every N steps (0 = once per epoch)
    seed: int = 1111  # seeds weight init, dropout and everything random in training
    device: str = field(default="auto", metadata={"choices": ["auto", "cpu", "cuda"]})  # auto | cpu | cuda
    threads: int = 0  # torch CPU threads (0 = torch's default)
    save_dtype: str = field(default="float32", metadata={"choices": ["float32", "float16"]})  # weights on disk


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


def _make_optimizer(model: torch.nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    if cfg.optimizer == "adam":
        return torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    raise ValueError(f"optimizer must be 'adam' or 'sgd', not {cfg.optimizer!r}")


def _save_resume(out: Path, model, optimizer, state, position: dict) -> None:
    """Everything needed to continue exactly: weights, optimiser, RNG, carried hidden state, position."""
    d = out / RESUME_DIR
    d.mkdir(parents=True, exist_ok=True)
    tensors = {f"model.{k}": v.detach().cpu().contiguous() for k, v in model.state_dict().items()
               if not (k == "decoder.weight" and model.config.tie_weights and model.config.softmax == "full")}
    opt = optimizer.state_dict()
    for pid, s in opt["state"].items():
        for k, v in s.items():
            tensors[f"opt.{pid}.{k}"] = v.detach().cpu().reshape(-1) if v.dim() == 0 else v.detach().cpu()
    tensors["rng.cpu"] = torch.get_rng_state()
    hidden = state if isinstance(state, tuple) else (state,)
    for n, h in enumerate(hidden):
        tensors[f"hidden.{n}"] = h.detach().cpu().contiguous()
    meta = dict(position, param_groups=opt["param_groups"], opt_scalar_keys={
        str(pid): [k for k, v in s.items() if v.dim() == 0] for pid, s in opt["state"].items()})
    tag = f".tmp-{os.getpid()}"
    save_file(tensors, str(d / ("state.safetensors" + tag)))
    (d / ("state.json" + tag)).write_text(json.dumps(meta, indent=1))
    os.replace(d / ("state.safetensors" + tag), d / "state.safetensors")
    os.replace(d / ("state.json" + tag), d / "state.json")


def _load_resume(out: Path, model, optimizer, device) -> tuple[dict, tuple | torch.Tensor]:
    d = out / RESUME_DIR
    meta = json.loads((d / "state.json").read_text())
    tensors = load_file(str(d / "state.safetensors"))
    model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")}, strict=False)
    opt_state: dict = {}
    for k, v in tensors.items():
        if k.startswith("opt."):
            _, pid, name = k.split(".", 2)
            scalar = name in meta["opt_scalar_keys"].get(pid, [])
            opt_state.setdefault(int(pid), {})[name] = v.reshape(()) if scalar else v.to(device)
    optimizer.load_state_dict({"state": opt_state, "param_groups": meta["param_groups"]})
    torch.set_rng_state(tensors["rng.cpu"])
    hidden = [tensors[f"hidden.{n}"].to(device) for n in range(2) if f"hidden.{n}" in tensors]
    return meta, (tuple(hidden) if len(hidden) == 2 else hidden[0])


def scheduled_lr(cfg: TrainConfig, step: int, total_steps: int, seconds: float) -> float:
    """The cosine/linear schedule: from cfg.lr down to 0 over the run (steps or the time budget)."""
    frac = step / max(total_steps, 1)
    if cfg.max_minutes:
        frac = max(frac, seconds / (cfg.max_minutes * 60))
    frac = min(frac, 1.0)
    if cfg.schedule == "cosine":
        return cfg.lr * 0.5 * (1 + math.cos(math.pi * frac))
    return cfg.lr * (1 - frac)


def has_resume_state(out: str | os.PathLike) -> bool:
    """Whether `out` holds a state that `train(resume=True)` can continue from."""
    return (Path(out) / RESUME_DIR / "state.json").is_file()


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
    """Train, keeping the best model in `out`; returns the final summary (best/test perplexity, ...)."""
    callbacks = callbacks or []
    out = Path(out)
    rank, world = _world()
    device = resolve_device(cfg.device)
    if device.type == "cuda" and world > 1:
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
    if cfg.threads > 0:
        torch.set_num_threads(cfg.threads)
    if cfg.batch_size % world:
        raise ValueError(f"batch_size {cfg.batch_size} must be divisible by the {world} processes")
    torch.manual_seed(cfg.seed)

    model = LanguageModel(model_config).to(device)
    optimizer = _make_optimizer(model, cfg)
    per_rank = cfg.batch_size // world
    train_data = batchify(corpus.train, cfg.batch_size)[:, rank * per_rank : (rank + 1) * per_rank].to(device)
    valid_data = batchify(corpus.valid, min(cfg.eval_batch_size, max(1, corpus.valid.numel() // 2))).to(device)
    starts = list(batch_starts(train_data, cfg.bptt))

    position = {"epoch": 1, "batch": 0, "step": 0, "seconds": 0.0, "best_val_loss": math.inf,
                "lr": cfg.lr, "evals": 0, "stopped_early": False}
    state = model.init_state(per_rank)
    if resume:
        position, state = _load_resume(out, model, optimizer, device)
        for g in optimizer.param_groups:
            g["lr"] = position["lr"]
        for cb in callbacks:
            cb.on_message(f"resuming at epoch {position['epoch']}, batch {position['batch']}, "
                          f"step {position['step']}")
    net: torch.nn.Module = model
    if world > 1:
        net = torch.nn.parallel.DistributedDataParallel(model)

    run_start = time.monotonic()
    seconds_before = position["seconds"]
    words_since_start = 0

    def elapsed() -> float:
        return seconds_before + time.monotonic() - run_start

    def validate(train_loss: float) -> None:
        val_loss, _ = evaluate(model, valid_data, cfg.bptt)
        position["evals"] += 1
        improved = val_loss < position["best_val_loss"]
        record = {"step": position["step"], "epoch": position["epoch"], "train_loss": train_loss,
                  "val_loss": val_loss, "val_ppl": math.exp(min(val_loss, 700)),
                  "lr": optimizer.param_groups[0]["lr"], "seconds": round(elapsed(), 1), "best": improved}
        if improved:
            position["best_val_loss"] = val_loss
            if rank == 0:
                info = dict(summary or {}, epochs=position["epoch"] - 1 + position["batch"] / len(starts),
                            steps=position["step"], val_perplexity=record["val_ppl"],
                            train_seconds=round(elapsed(), 1), train_config=asdict(cfg))
                save_model(out, model, corpus.vocab, info, dtype=getattr(torch, cfg.save_dtype))
        elif cfg.schedule == "plateau":  # anneal
            for g in optimizer.param_groups:
                g["lr"] *= cfg.lr_decay
        position["lr"] = optimizer.param_groups[0]["lr"]
        if rank == 0:
            with open(out / METRICS, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
        for cb in callbacks:
            cb.on_eval(record)

    def annealed_out() -> bool:  # the plateau schedule ends the run once the lr is negligible
        return cfg.schedule == "plateau" and position["lr"] < cfg.min_lr

    model.train()
    recent_losses: list[float] = []
    stop_reason = "finished"
    while position["epoch"] <= cfg.epochs:
        while position["batch"] < len(starts):
            if should_stop():
                stop_reason = "interrupted"
                break
            if cfg.max_minutes and elapsed() >= cfg.max_minutes * 60:
                stop_reason = "time budget"
                break
            inputs, targets = get_batch(train_data, starts[position["batch"]], cfg.bptt)
            state = detach_state(state)
            if cfg.schedule != "plateau":
                for g in optimizer.param_groups:
                    g["lr"] = scheduled_lr(cfg, position["step"], cfg.epochs * len(starts), elapsed())
            features, state = net(inputs, state)
            loss = model.loss(features, targets)
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
                raise TrainingDiverged(
                    f"the training loss became {loss_value} at step {position['step'] + 1}; stopped. "
                    f"The best model in {out} is untouched. Try a lower --lr or a smaller --clip."
                )
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            position["step"] += 1
            position["batch"] += 1
            words_since_start += targets.numel() * world
            recent_losses = (recent_losses + [loss_value])[-200:]
            progress = Progress(position["step"], position["epoch"], position["batch"], len(starts),
                                loss_value, optimizer.param_groups[0]["lr"],
                                words_since_start / max(time.monotonic() - run_start, 1e-9), elapsed())
            for cb in callbacks:
                cb.on_step(progress)
            if cfg.eval_every and position["step"] % cfg.eval_every == 0:
                validate(sum(recent_losses) / len(recent_losses))
                if annealed_out():
                    break
        if stop_reason != "finished" or annealed_out():
            break
        if not cfg.eval_every or position["step"] % cfg.eval_every:
            validate(sum(recent_losses) / max(len(recent_losses), 1))
        position["epoch"] += 1
        position["batch"] = 0
        if annealed_out():
            stop_reason = "learning rate below --min-lr"
            break

    position["seconds"] = elapsed()
    if stop_reason == "interrupted":
        if rank == 0:
            _save_resume(out, model, optimizer, state, position)
    else:
        if stop_reason == "time budget" and recent_losses and position["batch"] > 0:
            validate(sum(recent_losses) / len(recent_losses))  # the last stretch may hold the best model
        if rank == 0:
            _save_resume(out, model, optimizer, state, position)
    if world > 1:
        dist.barrier()
    return {"stop_reason": stop_reason, "best_val_loss": position["best_val_loss"],
            "best_val_ppl": math.exp(min(position["best_val_loss"], 700)), "steps": position["step"],
            "epoch": position["epoch"], "seconds": round(position["seconds"], 1)}
