"""The optimiser `train()` builds and the learning rate it follows.

Three schedules (`TrainConfig.schedule`):
- cosine: lr_t = lr * (1 + cos(pi * frac)) / 2, from lr down to 0
- linear: lr_t = lr * (1 - frac)
  where frac = step / total_steps, or the share of the time or word budget spent if that is further along;
- plateau: lr stays until a validation does not improve, then lr *= lr_decay; the run ends once lr < min_lr
  (applied by the loop, which sees the validations).
"""

from __future__ import annotations

import math

import torch

from lstmlm.training.config import TrainConfig


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


def budget_spent(cfg: TrainConfig, step: int, total_steps: int, seconds: float, words: int = 0) -> float:
    """The share of the run done, in [0, 1]: steps of all epochs, or the time or word budget spent if that is
    further along."""
    frac = step / max(total_steps, 1)
    if cfg.max_minutes:
        frac = max(frac, seconds / (cfg.max_minutes * 60))
    if cfg.max_words:
        frac = max(frac, words / cfg.max_words)
    return min(frac, 1.0)


def scheduled_lr(cfg: TrainConfig, step: int, total_steps: int, seconds: float, words: int = 0) -> float:
    """The cosine/linear schedule: from cfg.lr down to 0 over the run (steps, the time or the word budget)."""
    frac = budget_spent(cfg, step, total_steps, seconds, words)
    if cfg.schedule == "cosine":
        return cfg.lr * 0.5 * (1 + math.cos(math.pi * frac))
    return cfg.lr * (1 - frac)
