"""Training words/s: one `lstmlm` training step vs the plain PyTorch reference recipe, like for like.

The reference is the PyTorch examples word_language_model recipe: nn.Embedding -> nn.LSTM -> nn.Linear ->
F.cross_entropy, plain SGD (p -= lr * grad) after clipping the gradient norm to 0.25. `lstmlm` runs the
step `train()` runs: BatchLoss (model + loss in one forward), backward, clip, the optimiser.
The main figure, `ratio`, is like for like: lstmlm with the same softmax (full) and the same optimiser
(SGD, lr 20) as the reference. Beside it: lstmlm's defaults (fused Adam) with the full softmax
(`ratio_adam_full`) and with the adaptive softmax (`ratio_adam_adaptive`), which do other work per step
and so are not the loop's speed. All 2 x 200 units, dropout 0.2, untied, 33,278 words, batch 20, bptt 35,
in one process, one step of each in turn, the median of --steps timed steps each after --warmup steps.

Run: python tests/benchmarks/train_throughput.py [--steps 12] [--threads 0] [--data DIR]
Prints one JSON line. The words are WikiText-2's training text when --data holds it (the adaptive softmax
cost depends on how often rare words are targets), else a Zipf-distributed stand-in. Other processes on
the machine slow all of them alike but add noise: the line carries the 1-minute load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from lstmlm.data import batchify, get_batch, ids_tensor, read_tokens
from lstmlm.model import LanguageModel, ModelConfig, detach_state
from lstmlm.training.loop import BatchLoss, TrainConfig, make_optimizer
from lstmlm.vocab import Vocab

VOCAB_SIZE, EMBED, HIDDEN, LAYERS, DROPOUT = 33_278, 200, 200, 2, 0.2
BATCH, BPTT, CLIP, SGD_LR = 20, 35, 0.25, 20.0
DEFAULT_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "wikitext-2"


class ReferenceModel(nn.Module):
    """The examples recipe's RNNModel (LSTM, untied), written out."""

    def __init__(self):
        super().__init__()
        self.drop = nn.Dropout(DROPOUT)
        self.encoder = nn.Embedding(VOCAB_SIZE, EMBED)
        self.rnn = nn.LSTM(EMBED, HIDDEN, LAYERS, dropout=DROPOUT)
        self.decoder = nn.Linear(HIDDEN, VOCAB_SIZE)
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

    def forward(self, ids, hidden):
        output, hidden = self.rnn(self.drop(self.encoder(ids)), hidden)  # (T, B, H)
        return self.decoder(self.drop(output)), hidden  # (T, B, V)


def load_words(data: Path, words: int) -> torch.Tensor:
    """The first `words` ids of WikiText-2 train (vocabulary by frequency), or Zipf-distributed ids."""
    if (data / "train.txt").is_file():
        tokens = read_tokens(data / "train.txt")
        vocab = Vocab.from_tokens(tokens)
        if len(vocab) == VOCAB_SIZE:
            return ids_tensor(vocab, tokens[:words])
    ranks = torch.arange(1, VOCAB_SIZE + 1, dtype=torch.float64)
    return torch.multinomial(1.0 / ranks, words, replacement=True, generator=torch.Generator().manual_seed(0))


def lstmlm_stepper(softmax: str, batches, optimizer: str = TrainConfig.optimizer):
    """One training step exactly as train() takes it (lr schedule, BatchLoss, clip, optimiser)."""
    lr = SGD_LR if optimizer == "sgd" else TrainConfig.lr  # SGD as the reference runs it
    cfg = TrainConfig(clip=CLIP, batch_size=BATCH, bptt=BPTT, optimizer=optimizer, lr=lr)
    config = ModelConfig(vocab_size=VOCAB_SIZE, embed_dim=EMBED, hidden_dim=HIDDEN, num_layers=LAYERS,
                         dropout=DROPOUT, tie_weights=False, softmax=softmax)  # fmt: skip
    model = LanguageModel(config).train()
    net, optimizer = BatchLoss(model), make_optimizer(model, cfg)
    state = {"hidden": model.init_state(BATCH), "n": 0}

    def step() -> int:
        inputs, targets = batches[state["n"] % len(batches)]
        state["n"] += 1
        for g in optimizer.param_groups:
            g["lr"] = cfg.lr  # train() sets the scheduled lr every step
        loss, state["hidden"] = net(inputs, detach_state(state["hidden"]), targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
        loss.detach().item()  # train() checks every loss for NaN/inf
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return targets.numel()

    return step


def reference_stepper(batches):
    """The examples recipe's train() body: repackage, zero_grad, forward, loss, backward, clip, SGD."""
    model = ReferenceModel().train()
    zeros = torch.zeros(LAYERS, BATCH, HIDDEN)
    state = {"hidden": (zeros, zeros.clone()), "n": 0}

    def step() -> int:
        inputs, targets = batches[state["n"] % len(batches)]
        state["n"] += 1
        hidden = tuple(h.detach() for h in state["hidden"])
        model.zero_grad()
        output, state["hidden"] = model(inputs, hidden)
        loss = F.cross_entropy(output.view(-1, VOCAB_SIZE), targets.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-SGD_LR)
        loss.item()
        return targets.numel()

    return step


def timed(step) -> float:
    start = time.perf_counter()
    words = step()
    return words / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12, help="timed steps of each (median reported; >= 10)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps of each first")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch's default)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="WikiText-2 folder (for real words)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    ids = load_words(args.data, (args.steps + args.warmup) * BATCH * BPTT + BATCH)
    source = batchify(ids, BATCH)  # (T, B)
    batches = [get_batch(source, start, BPTT) for start in range(0, source.size(0) - BPTT - 1, BPTT)]
    steppers = {
        "lstmlm_full_sgd": lstmlm_stepper("full", batches, "sgd"),
        "reference": reference_stepper(batches),
        "lstmlm_full": lstmlm_stepper("full", batches),
        "lstmlm_adaptive": lstmlm_stepper("adaptive", batches),
    }
    speeds: dict[str, list[float]] = {name: [] for name in steppers}
    names = list(steppers)
    for n in range(args.warmup + args.steps):
        # alternate, so background load hits all alike; rotate the order, so none always follows the
        # adaptive step (whose small buffers leave the allocator in another state)
        for name in names[n % len(names) :] + names[: n % len(names)]:
            wps = timed(steppers[name])
            if n >= args.warmup:
                speeds[name].append(wps)
    median = {name: statistics.median(v) for name, v in speeds.items()}
    print(json.dumps({
        # like for like: full softmax and SGD on both sides
        "ratio": round(median["lstmlm_full_sgd"] / median["reference"], 3),
        "lstmlm_wps": round(median["lstmlm_full_sgd"]),
        "reference_wps": round(median["reference"]),
        # beside it: lstmlm's default optimiser, with the full and the adaptive softmax
        "lstmlm_adam_full_wps": round(median["lstmlm_full"]),
        "ratio_adam_full": round(median["lstmlm_full"] / median["reference"], 3),
        "lstmlm_adam_adaptive_wps": round(median["lstmlm_adaptive"]),
        "ratio_adam_adaptive": round(median["lstmlm_adaptive"] / median["reference"], 3),
        "default_optimizer": TrainConfig.optimizer, "reference_optimizer": "sgd",
        "words": "wikitext-2" if (args.data / "train.txt").is_file() else "zipf",
        "steps": args.steps, "threads": torch.get_num_threads(), "loadavg_1min": os.getloadavg()[0],
        "MALLOC_MMAP_THRESHOLD_": os.environ.get("MALLOC_MMAP_THRESHOLD_"), "torch": torch.__version__,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
