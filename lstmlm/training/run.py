"""One training run's state and its setup: the model, optimiser, batches and position that `train()`'s
epochs and validations share, built (or restored from `<out>/resume/`) before the first step."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch

from lstmlm.data import Corpus, batch_starts, batchify
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.training import distributed as ddp
from lstmlm.training.averaging import WeightAverage
from lstmlm.training.config import METRICS, Callback, TrainConfig, TrainingSetupError
from lstmlm.training.optim import make_optimizer
from lstmlm.training.resume import check_resumable, load_average, load_resume, read_resume_meta


def resolve_device(name: str) -> torch.device:
    """auto -> cuda when available, else cpu."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for but no CUDA device is available")
    return torch.device(name)


@dataclass
class TrainingRun:
    """Everything one call of `train()` carries from step to step (and saves in `<out>/resume/`)."""

    corpus: Corpus
    model_config: ModelConfig
    cfg: TrainConfig
    out: Path
    callbacks: list[Callback]
    should_stop: Callable[[], bool]
    summary: dict | None
    rank: int
    world: int
    device: torch.device
    columns: slice  # this rank's columns of every batch
    model: LanguageModel
    optimizer: torch.optim.Optimizer
    train_data: torch.Tensor  # (T, batch_size // world)
    valid_data: torch.Tensor  # (T, eval_batch_size)
    starts: list[int]  # the first row of each training window
    position: dict  # epoch, batch, step, seconds, best_val_loss, lr, evals, words, ...: saved on resume
    recent_losses: list[float]  # the last 200 training losses: train_loss in metrics.jsonl
    state: object  # the recurrent state carried from window to window
    net: torch.nn.Module | None = None  # the model's loss, under torchrun DistributedDataParallel
    average: WeightAverage | None = None  # the EMA of the weights (TrainConfig.ema_decay > 0)
    run_start: float = field(default_factory=time.monotonic)
    seconds_before: float = 0.0  # the training seconds of the runs this one resumes
    words_since_start: int = 0

    def elapsed(self) -> float:
        """Training seconds, those of the runs this one resumes included."""
        return self.seconds_before + time.monotonic() - self.run_start

    def start_clock(self) -> None:
        self.seconds_before = self.position["seconds"]
        self.run_start = time.monotonic()

    def stop_reason_now(self) -> str | None:
        """Interrupt or time budget; under torchrun all ranks stop at the same step (or they would hang)."""
        cfg = self.cfg
        code = (
            2
            if self.should_stop()
            else 1
            if cfg.max_minutes and self.elapsed() >= cfg.max_minutes * 60
            else 0
        )
        if not code and cfg.max_words and self.position["words"] >= cfg.max_words:
            code = 3
        code = ddp.max_over_ranks(code, self.device, self.world)
        return {0: None, 1: "time budget", 2: "interrupted", 3: "word budget"}[code]

    def annealed_out(self) -> bool:
        """The plateau schedule ends the run once the lr is negligible."""
        return self.cfg.schedule == "plateau" and self.position["lr"] < self.cfg.min_lr

    def mean_recent(self) -> float:
        return sum(self.recent_losses) / max(len(self.recent_losses), 1)


def setup(
    corpus: Corpus,
    model_config: ModelConfig,
    cfg: TrainConfig,
    out: Path,
    callbacks: list[Callback],
    should_stop: Callable[[], bool],
    resume: bool,
    summary: dict | None,
) -> TrainingRun:
    """Build the run, or restore it from `out/resume/`; bad settings, data or state: TrainingSetupError."""
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
        if corpus.train.numel() < 2 * cfg.batch_size:  # batchify needs 2 tokens in each column
            unit = corpus.vocab.tokenizer.unit
            raise ValueError(
                f"the training text has {corpus.train.numel():,} {unit}s: too few for --batch-size "
                f"{cfg.batch_size} (each of its columns needs at least 2 {unit}s); give a longer text or "
                f"--batch-size {max(1, corpus.train.numel() // 2)} or less"
            )
        per_rank = cfg.batch_size // world
        columns = slice(rank * per_rank, (rank + 1) * per_rank)  # this rank's part of every batch
        train_data = batchify(corpus.train, cfg.batch_size)[:, columns].to(device)  # (T, per_rank)
        eval_batch_size = min(cfg.eval_batch_size, max(1, corpus.valid.numel() // 2))
        valid_data = batchify(corpus.valid, eval_batch_size).to(device)
        run = TrainingRun(
            corpus=corpus,
            model_config=model_config,
            cfg=cfg,
            out=out,
            callbacks=callbacks,
            should_stop=should_stop,
            summary=summary,
            rank=rank,
            world=world,
            device=device,
            columns=columns,
            model=model,
            optimizer=optimizer,
            train_data=train_data,
            valid_data=valid_data,
            starts=list(batch_starts(train_data, cfg.bptt)),
            position=dict(  # validated_step, pending_validation: see validate.validate
                epoch=1,
                batch=0,
                step=0,
                seconds=0.0,
                best_val_loss=math.inf,
                lr=cfg.lr,
                evals=0,
                words=0,
                validated_step=-1,
                pending_validation=False,
            ),
            recent_losses=[],
            state=model.init_state(per_rank),
            average=WeightAverage(model, cfg.ema_decay) if cfg.ema_decay > 0 else None,
        )
        if meta is not None:
            restore(run, out)
    except ValueError as e:  # ResumeError included
        raise TrainingSetupError(str(e)) from None
    if rank == 0:
        out.mkdir(parents=True, exist_ok=True)
        if not resume:
            (out / METRICS).unlink(missing_ok=True)  # a new run starts a new learning curve
    if resume:
        position = run.position
        for cb in callbacks:
            cb.on_message(
                f"resuming at epoch {position['epoch']}, batch {position['batch']}, step {position['step']}"
            )
    run.net = ddp.loss_module(model, world, cfg.ar, cfg.tar)  # under torchrun: DistributedDataParallel
    for cb in callbacks:  # duck-typed callbacks may lack on_start
        if (on_start := getattr(cb, "on_start", None)) is not None:
            on_start(model)
    run.start_clock()
    return run


def restore(run: TrainingRun, out: str | os.PathLike) -> None:
    """Continue from `out/resume/`: weights, optimiser, carried state and position as they were saved."""
    cfg, optimizer = run.cfg, run.optimizer
    meta, run.state = load_resume(
        Path(out), run.model, optimizer, run.device, cfg.batch_size, run.rank, run.world
    )
    if run.average is not None:
        run.average.restore(load_average(Path(out), meta))
    run.position = {k: meta.get(k, run.position[k]) for k in run.position}  # "words": states before budgets
    run.recent_losses = list(meta.get("recent_losses", []))
    if (meta.get("train_config") or {}).get("lr", cfg.lr) != cfg.lr:
        run.position["lr"] = cfg.lr  # a new --lr restarts the plateau schedule from it
    for g in optimizer.param_groups:
        g["lr"] = run.position["lr"]
        if "fused" in optimizer.defaults:  # the saved groups may predate the fused kernels
            g["fused"] = optimizer.defaults["fused"]
