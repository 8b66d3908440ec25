"""Traced forward vs the fused forward on the bundled LSTM's configuration (2x512, 240-d input, adaptive
softmax over 33,278 words, its own weights), 200-word prompt, batch 1.

Two ratios: the whole forward (`ratio`: the trace with its log-probabilities / the fused LSTM with the
adaptive softmax's log-probabilities) and the recurrent part alone (`recurrent_ratio`: the trace without
log-probabilities / embedding + fused nn.LSTM), so the output layer's cost, the same in both, does not hide
what tracing costs.

Run: python tests/benchmarks/trace_overhead.py [--model NAME|DIR] [--runs 30] [--threads N]. Prints one
JSON line of medians (ms), measured alternately in the same process. Only compare figures taken on an
otherwise idle machine: with other processes on the cores, torch's threads wait for each other.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

from lstmlm.bundled import resolve_model
from lstmlm.checkpoint import load_model
from lstmlm.trace import trace

PROMPT = 200
BUNDLED_LSTM = "wikitext2-lstm"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", default=BUNDLED_LSTM, help=f"model directory or name (default {BUNDLED_LSTM})"
    )
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each (median reported; >= 20)")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    model_dir = resolve_model(args.model)
    model = load_model(model_dir).eval()
    c = model.config
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(c.vocab_size, (PROMPT, 1), generator=gen)
    state = tuple(0.1 * torch.randn(c.num_layers, 1, c.hidden_dim, generator=gen) for _ in range(2))

    @torch.no_grad()
    def fused() -> torch.Tensor:
        features, _ = model(ids, state)
        return model.log_probs(features)  # (T, 1, V)

    @torch.no_grad()
    def fused_recurrent() -> torch.Tensor:
        return model.rnn(model.embedding(ids), state)[0]  # (T, 1, H): what the trace records, fused

    def traced() -> torch.Tensor:
        return trace(model, ids, state).log_probs  # plus every gate, c and h of every layer

    def traced_recurrent() -> torch.Tensor:
        return trace(model, ids, state, log_probs=False).layers[-1].h

    max_diff = float((fused() - traced()).abs().max())  # also warms up both
    max_diff_h = float((fused_recurrent() - traced_recurrent()).abs().max())
    runs = {
        "trace": traced,
        "fused": fused,
        "trace_recurrent": traced_recurrent,
        "fused_recurrent": fused_recurrent,
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(max(args.runs, 20)):
        for name, fn in runs.items():  # alternate so load changes hit all of them
            start = time.perf_counter()
            fn()
            times[name].append(1000 * (time.perf_counter() - start))
    ms = {name: statistics.median(t) for name, t in times.items()}
    print(
        json.dumps(
            {
                "trace_ms": round(ms["trace"], 2),
                "fused_ms": round(ms["fused"], 2),
                "ratio": round(ms["trace"] / ms["fused"], 3),
                "trace_recurrent_ms": round(ms["trace_recurrent"], 2),
                "fused_recurrent_ms": round(ms["fused_recurrent"], 2),
                "recurrent_ratio": round(ms["trace_recurrent"] / ms["fused_recurrent"], 3),
                # on a busy machine the fastest runs are the ones least disturbed by other processes
                "ratio_of_fastest": round(min(times["trace"]) / min(times["fused"]), 3),
                "recurrent_ratio_of_fastest": round(
                    min(times["trace_recurrent"]) / min(times["fused_recurrent"]), 3
                ),
                "max_abs_diff_log_probs": max_diff,
                "max_abs_diff_h": max_diff_h,
                "runs": len(times["trace"]),
                "prompt_words": PROMPT,
                "model": model_dir.name,
                "vocab_size": c.vocab_size,
                "softmax": c.softmax,
                "embed_dim": c.embed_dim,
                "hidden_dim": c.hidden_dim,
                "num_layers": c.num_layers,
                "threads": torch.get_num_threads(),
            }
        )
    )


if __name__ == "__main__":
    main()
