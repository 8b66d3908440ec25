"""The allowed range of every numeric setting of `lstmlm train` (model and training), and the check that
a model of given settings fits in memory before anything is allocated. Plain Python: nothing here imports
torch. A value out of range is refused with a message naming the option and what to give instead
(`lstmlm train` turns it into an argparse error, exit status 2, before anything is read or written)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Range:
    """low <= value <= high (low excluded when `low_open`); None: no bound. Floats must also be finite."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False

    def problem(self, value: float) -> str | None:
        """Why `value` is out of range ("must be ..."), or None."""
        if isinstance(value, float) and not math.isfinite(value):
            return f"must be a finite number, {self.describe()}"
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return f"must be {self.describe()}"
        if self.high is not None and value > self.high:
            return f"must be {self.describe()}"
        return None

    def describe(self) -> str:
        low = None if self.low is None else f"{'>' if self.low_open else '>='} {self.low:g}"
        high = None if self.high is None else f"<= {self.high:g}"
        return " and ".join(s for s in (low, high) if s) or "any number"


POSITIVE, NON_NEGATIVE, AT_LEAST_1 = Range(0, low_open=True), Range(0), Range(1)
SEED_MAX = 2**63 - 1

# every numeric field of ModelConfig and TrainConfig (vocab_size comes from the corpus, not an option)
RANGES: dict[str, Range] = {
    "embed_dim": AT_LEAST_1,
    "hidden_dim": AT_LEAST_1,
    "num_layers": AT_LEAST_1,
    "dropout": Range(0, 0.99),
    "dropout_input": Range(-1, 0.99),  # -1: the dropout value (ModelConfig refuses the rest of [-1, 0))
    "dropout_hidden": Range(-1, 0.99),
    "dropout_embed": Range(0, 0.99),
    "adaptive_cutoffs": AT_LEAST_1,  # each cutoff
    "adaptive_div_value": Range(1),
    "lr": POSITIVE,
    "lr_decay": Range(0, 1, low_open=True),
    "min_lr": NON_NEGATIVE,
    "weight_decay": NON_NEGATIVE,
    "clip": NON_NEGATIVE,
    "batch_size": AT_LEAST_1,
    "bptt": AT_LEAST_1,
    "eval_batch_size": AT_LEAST_1,
    "epochs": AT_LEAST_1,
    "max_minutes": NON_NEGATIVE,
    "max_words": NON_NEGATIVE,
    "eval_every": NON_NEGATIVE,
    "state_restart_every": NON_NEGATIVE,
    "cell_penalty": NON_NEGATIVE,
    "ar": NON_NEGATIVE,
    "tar": NON_NEGATIVE,
    "ema_decay": Range(0, 0.999999),
    "ema_start": Range(0, 1),
    "seed": Range(0, SEED_MAX),
    "threads": NON_NEGATIVE,
}


def check_setting(name: str, value) -> str | None:
    """The message for `--name value` out of its range in RANGES (a tuple: each item), or None."""
    rng = RANGES.get(name)
    if rng is None or isinstance(value, (bool, str)):
        return None
    for v in value if isinstance(value, (tuple, list)) else (value,):
        if why := rng.problem(v):
            return f"--{name.replace('_', '-')} {v:g}: {why}"
    return None


def training_bytes(model: dict, batch_size: int, bptt: int) -> int:
    """Estimated bytes one training step needs (float32): weights, their gradients and Adam's two moment
    buffers (4 copies of every parameter), and the activations kept for back-propagation: per layer and
    token the gates and states (gates + 4 vectors of hidden_dim), the embeddings and the output layer's
    logits and their gradient (the whole vocabulary for a full softmax, the head for an adaptive one).
    `model` holds vocab_size, embed_dim, hidden_dim, num_layers, cell, softmax, adaptive_cutoffs and
    tie_weights (tied: the output layer reuses the embedding; the tied adaptive softmax adds its projection
    H -> E and one (E,) weight and bias per cluster)."""
    from lstmlm.training.sizing import GATES, recurrent_weights

    vocab, embed, hidden = model["vocab_size"], model["embed_dim"], model["hidden_dim"]
    layers, cell = model["num_layers"], model.get("cell", "lstm")
    gates = GATES.get(cell, 4)
    cutoffs = [c for c in model.get("adaptive_cutoffs", ()) if 0 < c < vocab]
    adaptive = model.get("softmax") == "adaptive" and cutoffs
    output = vocab * (hidden + 1)  # an output matrix and bias (an untied adaptive softmax: at most this)
    if model.get("tie_weights"):  # the embedding scores the words: only the biases, and the projection
        output = vocab + ((hidden + 1) * embed + len(cutoffs) * (embed + 1) if adaptive else 0)
    params = vocab * embed + recurrent_weights(embed, hidden, layers, cell) + output
    out_width = cutoffs[0] + len(cutoffs) if adaptive else vocab
    tokens = batch_size * bptt
    activations = tokens * (embed + layers * hidden * (gates + 4) + 2 * out_width)
    return 4 * (4 * params + activations)


def available_bytes() -> int | None:
    """Memory this machine can give now (MemAvailable of /proc/meminfo; else physical pages), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def memory_problem(model: dict, batch_size: int, bptt: int, available: int | None = None) -> str | None:
    """Why a model of these settings would not fit in the memory `available` (default: this machine's now),
    with what to change, or None. Unknown available memory: None (nothing is refused)."""
    available = available_bytes() if available is None else available
    need = training_bytes(model, batch_size, bptt)
    if available is None or need <= available:
        return None
    return (
        f"a {model['num_layers']} x {model['hidden_dim']:,} {model.get('cell', 'lstm')} with "
        f"{model['embed_dim']:,}-wide embeddings and a {model['vocab_size']:,}-token vocabulary at batch "
        f"size {batch_size}, bptt {bptt} needs about {need / 2**30:,.1f} GiB to train; "
        f"{available / 2**30:,.1f} GiB is free. Lower --hidden-dim, --num-layers, --embed-dim, "
        "--batch-size or --bptt (or --max-vocab)"
    )
