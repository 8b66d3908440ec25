"""Character training speed (issue 15): characters/s of `lstmlm train --tokenizer chars` against a plain
PyTorch loop written here from a description, same model, data, batch, sequence length and clip.

lstmlm: `lstmlm.training.loop.train()`, the function `lstmlm train` runs, called in-process on a Corpus cut
by the
`chars` tokenizer from the first --chars characters of War and Peace (train.txt) with the bundled character
model's recipe: 2 x 256 LSTM, 64-dimensional embedding, full softmax, untied, dropout 0.1, batch 64,
bptt 100, Adam lr 0.002, clip 0.25 (its defaults: cosine schedule, columns restarted every 50 windows, fused
Adam). A callback notes the time of every step; `should_stop` ends the run after --warmup + --steps steps.

plain: what a tutorial reader writes: chars = sorted(set(text)), nn.Embedding -> nn.Dropout -> nn.LSTM ->
nn.Dropout -> nn.Linear, the text cut into 64 columns, windows of 100, the state detached between windows,
F.cross_entropy, backward, clip_grad_norm_(0.25), torch.optim.Adam(lr=0.002) with its defaults.

Each repeat runs both sides in turn (lstmlm first, then plain, the order swapped every other repeat), each
from fresh weights: --warmup untimed steps, then --steps timed ones. A side's figure in a repeat is the
characters of its timed steps over their wall time; the line reports each side's median over the repeats,
the ratio lstmlm / plain (goal >= 0.95), the same per CPU second of the process (`ratio_cpu`: less
disturbed by other work on the machine, which slows both sides unevenly), and the 1-minute load average.

Run: python tests/benchmarks/char_training.py [--chars 300000] [--steps 8] [--warmup 2] [--repeats 3]
     [--threads 1] [--data FILE]
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from lstmlm.data import Corpus
from lstmlm.model import ModelConfig
from lstmlm.tokenizers import get_tokenizer
from lstmlm.training.loop import Callback, TrainConfig, train

ROOT = Path(__file__).resolve().parents[2]
DATA_CANDIDATES = [ROOT.parent / "shared" / "data" / "warpeace" / "train.txt",
                   Path("/work/shared/data/warpeace/train.txt")]  # fmt: skip
EMBED, HIDDEN, LAYERS, DROPOUT = 64, 256, 2, 0.1
BATCH, BPTT, LR, CLIP = 64, 100, 0.002, 0.25


class StepTimes(Callback):
    """The wall and CPU time of every step's end, and a stop request once `total` steps are done."""

    def __init__(self, total: int):
        self.total, self.times = total, []

    def on_step(self, p) -> None:
        self.times.append((time.perf_counter(), time.process_time()))

    def should_stop(self) -> bool:
        return len(self.times) >= self.total


def per_second(times: list[tuple[float, float]], warmup: int, steps: int) -> tuple[float, float]:
    """Characters per wall second and per CPU second of the steps after the warm-up."""
    (wall0, cpu0), (wall1, cpu1) = times[warmup - 1], times[warmup + steps - 1]
    chars = steps * BATCH * BPTT
    return chars / (wall1 - wall0), chars / max(cpu1 - cpu0, 1e-9)


def lstmlm_run(
    train_file: Path, valid_file: Path, warmup: int, steps: int, threads: int
) -> tuple[float, float]:
    """Characters per wall and per CPU second of the timed steps of one `train()` run (chars tokenizer, the
    bundled model's recipe)."""
    corpus = Corpus.from_raw_text(train_file, valid_file, tokenizer=get_tokenizer("chars"))
    config = ModelConfig(vocab_size=len(corpus.vocab), embed_dim=EMBED, hidden_dim=HIDDEN, num_layers=LAYERS,
                         dropout=DROPOUT, tie_weights=False, softmax="full")  # fmt: skip
    cfg = TrainConfig(batch_size=BATCH, bptt=BPTT, lr=LR, clip=CLIP, threads=threads, device="cpu", epochs=1)
    timer = StepTimes(warmup + steps)
    with tempfile.TemporaryDirectory() as out:
        train(corpus, config, cfg, out, callbacks=[timer], should_stop=timer.should_stop)
    if len(timer.times) < warmup + steps:
        raise SystemExit(f"the text gave only {len(timer.times)} steps: pass a larger --chars")
    return per_second(timer.times, warmup, steps)


class CharLSTM(nn.Module):
    """The plain model: embedding, a 2-layer LSTM, a linear layer to the characters."""

    def __init__(self, vocab_size: int):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, EMBED)
        self.drop = nn.Dropout(DROPOUT)
        self.lstm = nn.LSTM(EMBED, HIDDEN, LAYERS, dropout=DROPOUT)
        self.out = nn.Linear(HIDDEN, vocab_size)

    def forward(self, x, hidden):
        y, hidden = self.lstm(self.drop(self.embed(x)), hidden)  # (T, B, H)
        return self.out(self.drop(y)), hidden  # (T, B, V)


def plain_run(text: str, warmup: int, steps: int, threads: int) -> tuple[tuple[float, float], int]:
    """Characters per wall and per CPU second of the timed steps of the plain loop, and its vocabulary."""
    torch.set_num_threads(threads)
    torch.manual_seed(1111)
    chars = sorted(set(text))
    index = {ch: i for i, ch in enumerate(chars)}
    ids = torch.tensor([index[ch] for ch in text])
    n = ids.numel() // BATCH
    data = ids[: n * BATCH].view(BATCH, n).t().contiguous()  # (n, B): column b is the b-th slice of the text
    model = CharLSTM(len(chars)).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    hidden = None
    times = []
    for i in range(0, n - 1 - BPTT, BPTT):
        if len(times) == warmup + steps:
            break
        x, y = data[i : i + BPTT], data[i + 1 : i + 1 + BPTT]
        if hidden is not None:
            hidden = tuple(h.detach() for h in hidden)
        optimizer.zero_grad()
        logits, hidden = model(x, hidden)
        loss = F.cross_entropy(logits.view(-1, len(chars)), y.reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
        loss.item()
        times.append((time.perf_counter(), time.process_time()))
    if len(times) < warmup + steps:
        raise SystemExit(f"the text gave only {len(times)} steps: pass a larger --chars")
    return per_second(times, warmup, steps), len(chars)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=None, help="text to train on (default: War and Peace train.txt)")
    parser.add_argument("--chars", type=int, default=300_000, help="its first N characters (default 300,000)")
    parser.add_argument("--steps", type=int, default=8, help="timed steps of each side per repeat")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps first (>= 1)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats (medians reported)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads on both sides (default 1)")
    ns = parser.parse_args()
    source = Path(ns.data) if ns.data else next((p for p in DATA_CANDIDATES if p.exists()), None)
    if source is None or not source.exists():
        print("no text to train on: pass --data FILE", file=sys.stderr)
        return 2
    if ns.warmup < 1 or ns.steps < 1 or ns.repeats < 1:
        print("--warmup, --steps and --repeats must be >= 1", file=sys.stderr)
        return 2
    text = source.read_text(encoding="utf-8")[: ns.chars + ns.chars // 10]
    train_text, valid_text = text[: ns.chars], text[ns.chars :]
    speeds: dict[str, list[tuple[float, float]]] = {"lstmlm": [], "plain": []}
    with tempfile.TemporaryDirectory() as tmp:
        train_file, valid_file = Path(tmp, "train.txt"), Path(tmp, "valid.txt")
        train_file.write_text(train_text, encoding="utf-8")
        valid_file.write_text(valid_text, encoding="utf-8")
        plain_vocab = 0
        for r in range(ns.repeats):
            for side in ("lstmlm", "plain") if r % 2 == 0 else ("plain", "lstmlm"):
                if side == "lstmlm":
                    speeds[side].append(lstmlm_run(train_file, valid_file, ns.warmup, ns.steps, ns.threads))
                else:
                    cps, plain_vocab = plain_run(train_text, ns.warmup, ns.steps, ns.threads)
                    speeds[side].append(cps)
    median = {side: statistics.median(w for w, _ in v) for side, v in speeds.items()}
    median_cpu = {side: statistics.median(c for _, c in v) for side, v in speeds.items()}
    print(json.dumps({
        "ratio": round(median["lstmlm"] / median["plain"], 3),
        "goal_ratio": 0.95,
        "lstmlm_chars_per_s": round(median["lstmlm"]),
        "plain_chars_per_s": round(median["plain"]),
        "lstmlm_runs": [round(w) for w, _ in speeds["lstmlm"]],
        "plain_runs": [round(w) for w, _ in speeds["plain"]],
        # per CPU second of the process: what a busy machine disturbs least (with --threads 1)
        "ratio_cpu": round(median_cpu["lstmlm"] / median_cpu["plain"], 3),
        "lstmlm_chars_per_cpu_s": round(median_cpu["lstmlm"]),
        "plain_chars_per_cpu_s": round(median_cpu["plain"]),
        "model": f"{LAYERS} x {HIDDEN} LSTM, embed {EMBED}, full softmax, dropout {DROPOUT}",
        "batch": BATCH, "bptt": BPTT, "clip": CLIP, "lr": LR, "plain_vocab": plain_vocab,
        "chars": len(train_text), "steps": ns.steps, "warmup": ns.warmup, "repeats": ns.repeats,
        "threads": ns.threads, "load_average_1min": round(os.getloadavg()[0], 2), "torch": torch.__version__,
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
