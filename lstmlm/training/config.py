"""What `train()` is told and what it tells back: its settings, the progress its callbacks see, the
metrics file it writes and the errors it raises. Plain dataclasses: nothing here imports torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

METRICS = "metrics.jsonl"
# metrics.jsonl: one JSON object per validation, with these keys
METRICS_KEYS = ("step", "epoch", "train_loss", "val_loss", "val_ppl", "lr", "seconds", "words", "best")
# settings that shape the saved state (hidden state, batch positions, optimiser slots): fixed on resume
FIXED_ON_RESUME = ("batch_size", "bptt", "optimizer")
OPTIMIZERS, SCHEDULES = ["adam", "sgd"], ["cosine", "linear", "plateau"]
DEVICES, SAVE_DTYPES = ["auto", "cpu", "cuda"], ["float32", "float16"]


def loss_figure(nats: float, unit: str = "word") -> str:
    """A validation loss (mean nats per token) as the field reports it for a model of `unit` tokens:
    "validation perplexity P" (P = e^nats) for words; "validation loss N nats/character (B bits/character)"
    (B = N / ln 2) for characters."""
    if unit == "character":
        return f"validation loss {nats:.3f} nats/character ({nats / math.log(2):.3f} bits/character)"
    return f"validation perplexity {math.exp(min(nats, 700)):.2f}"


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
    bptt: int = 35  # tokens (words, or characters) per truncated back-propagation window
    eval_batch_size: int = 10  # the standard protocol: batch 10, bptt 35, state carried through
    epochs: int = 40  # passes over the training text
    # with a time budget the cosine/linear schedules decay over whichever ends first, epochs or minutes
    max_minutes: float = 0.0  # stop after this much training time, then evaluate and save (0 = no limit)
    # a budget in words processed (training targets, all ranks) means the same on a busy or an idle machine;
    # the cosine/linear schedules decay over whichever of epochs, minutes and words ends first
    max_words: int = 0  # stop after this many training tokens (words or characters), evaluate, save (0 = off)
    eval_every: int = 0  # also validate every N steps (0 = once per epoch)
    # The state is carried from window to window, so without restarts a model meets a zero state only at its
    # first step, untrained, while evaluation starts every column from zero: a model trained so read some
    # columns very badly at first (README: "why a perplexity may depend on how the text is cut"). Restarting
    # each column every N windows (staggered across columns) shows it zero-state starts all along.
    state_restart_every: int = 50  # zero a column's carried state every N windows (0 = never)
    cell_penalty: float = 0.0  # add this x mean(c^2) of the cell state at each window's end to the loss
    # AR and TAR (Merity et al. 2017): penalties on the top layer's output h_t, added to the loss
    ar: float = 0.0  # activation regularisation: add this x mean(h_t^2) of the output after dropout
    tar: float = 0.0  # temporal AR: add this x mean((h_t - h_{t-1})^2) of the output before dropout
    # weight averaging (lstmlm/training/averaging.py): validations and the saved model use the average
    ema_decay: float = 0.0  # EMA of the weights, avg = d x avg + (1 - d) x w after each step (0 = off)
    ema_start: float = 0.667  # share of the budget (steps, minutes or words) spent when averaging starts
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
    words_per_s: float  # training tokens (words, or characters) per second over all ranks, since (re)start
    seconds: float  # training time so far, including earlier runs when resumed


class Callback:
    """Override what you need; the loop never knows who is watching."""

    def on_start(self, model) -> None:
        """Once, before the first step: the model being trained (read it between steps; never change it)."""

    def on_step(self, p: Progress) -> None: ...
    def on_eval(self, record: dict) -> None: ...
    def on_message(self, text: str) -> None: ...


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; the best model saved so far is untouched."""


class TrainingSetupError(ValueError):
    """Settings, data or a saved state that cannot be trained on; raised before the first step."""


class TrainingSaveError(RuntimeError):
    """Writing to `out` failed (full disk, unwritable folder); the best model saved before is intact."""
