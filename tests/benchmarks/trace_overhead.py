"""Traced forward vs the fused forward: 200-word prompt, 2x256 LSTM, 33,278 words, batch 1.

Run: python tests/benchmarks/trace_overhead.py [--runs 30] [--threads N]. Prints one JSON line of medians
(ms) and their ratio, measured alternately in the same process on random weights. Only compare figures
taken on an otherwise idle machine: with other processes on the cores, torch's threads wait for each other.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.trace import trace

VOCAB_SIZE, HIDDEN, LAYERS, PROMPT = 33_278, 256, 2, 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each (median reported; >= 20)")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = ModelConfig(
        vocab_size=VOCAB_SIZE,
        embed_dim=HIDDEN,
        hidden_dim=HIDDEN,
        num_layers=LAYERS,
        dropout=0.0,
        tie_weights=True,
    )
    model = LanguageModel(config).eval()
    ids = torch.randint(VOCAB_SIZE, (PROMPT, 1))
    state = tuple(0.1 * torch.randn(LAYERS, 1, HIDDEN) for _ in range(2))

    @torch.no_grad()
    def fused() -> torch.Tensor:
        features, _ = model(ids, state)
        return model.log_probs(features)  # (T, 1, V)

    def traced() -> torch.Tensor:
        return trace(model, ids, state).log_probs  # plus every gate, c and h of every layer

    max_diff = float((fused() - traced()).abs().max())  # also warms up both
    times: dict[str, list[float]] = {"trace": [], "fused": []}
    for _ in range(max(args.runs, 20)):
        for name, fn in (("trace", traced), ("fused", fused)):  # alternate so load changes hit both
            start = time.perf_counter()
            fn()
            times[name].append(1000 * (time.perf_counter() - start))
    trace_ms, fused_ms = statistics.median(times["trace"]), statistics.median(times["fused"])
    print(
        json.dumps(
            {
                "trace_ms": round(trace_ms, 2),
                "fused_ms": round(fused_ms, 2),
                "ratio": round(trace_ms / fused_ms, 3),
                # on a busy machine the fastest runs are the ones least disturbed by other processes
                "ratio_of_fastest": round(min(times["trace"]) / min(times["fused"]), 3),
                "max_abs_diff_log_probs": max_diff,
                "runs": len(times["trace"]),
                "prompt_words": PROMPT,
                "vocab_size": VOCAB_SIZE,
                "hidden_dim": HIDDEN,
                "num_layers": LAYERS,
                "threads": torch.get_num_threads(),
            }
        )
    )


if __name__ == "__main__":
    main()
