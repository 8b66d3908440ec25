"""Cell hunt, timed (issue 15): how long ranking every unit of a model for every built-in track takes over a
text, split into tracing (c and h of every layer), computing the tracks, and scoring (AUC from ranks for
yes/no tracks, Pearson r for counts). Goal: <= 10 s for the bundled character model on the War and Peace
validation text on 2 CPU cores. Also prints each track's best unit and its AUC or r.

Run: python tests/benchmarks/cell_hunt.py [--model DIR] [--data FILE] [--max-steps N] [--threads N]
Default: assets/models/warpeace-char-lstm on /work/shared/data/warpeace/valid.txt (or ../shared/...), when
present. The columns are traced on --threads worker threads as `lstmlm cells` does (torch's thread count by
default; --workers 1 for the one-thread trace). Prints one JSON line with wall seconds and the CPU seconds
the process used (the latter says more on a machine other work is using: see the 1-minute load average).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import torch

from lstmlm.checkpoint import load_model
from lstmlm.cli.common import file_tokenizer
from lstmlm.data import read_tokens
from lstmlm.studies.cell_hunt import unit_values
from lstmlm.studies.tracks import compute_tracks
from lstmlm.studies.unit_ranking import rank_tracks

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = ROOT / "assets" / "models" / "warpeace-char-lstm"
DATA_CANDIDATES = [ROOT.parent / "shared" / "data" / "warpeace" / "valid.txt",
                   Path("/work/shared/data/warpeace/valid.txt")]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL), help="model directory")
    parser.add_argument("--data", default=None, help="text to hunt over (default: War and Peace valid.txt)")
    parser.add_argument("--max-steps", type=int, default=0, help="only the first N steps (0 = all)")
    parser.add_argument("--batch-size", type=int, default=10, help="columns, as lstmlm cells (default 10)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default)")
    parser.add_argument("--workers", type=int, default=0, help="trace threads (0 = torch's thread count)")
    ns = parser.parse_args()
    if not Path(ns.model, "config.json").exists():
        print(f"no model at {ns.model}: train it or pass --model DIR", file=sys.stderr)
        return 2
    data = Path(ns.data) if ns.data else next((p for p in DATA_CANDIDATES if p.exists()), None)
    if data is None or not data.exists():
        print("no text to hunt over: pass --data FILE", file=sys.stderr)
        return 2
    if ns.threads:
        torch.set_num_threads(ns.threads)
    model = load_model(ns.model)
    tokens = read_tokens(data, tokenizer=file_tokenizer(model, raw=False))
    tokens = tokens[: ns.max_steps] if ns.max_steps else tokens
    ids = model.vocab.encode(tokens).ids

    workers = ns.workers or torch.get_num_threads()
    cpu0, start = time.process_time(), time.perf_counter()
    values, n = unit_values(model, ids, batch_size=ns.batch_size, workers=workers)
    cpu1, traced = time.process_time(), time.perf_counter()
    tracks = compute_tracks(tokens[:n], model.vocab.tokenizer)
    cpu2, tracked = time.process_time(), time.perf_counter()
    rankings = rank_tracks(values, list(tracks.values()))
    cpu3, ranked = time.process_time(), time.perf_counter()

    best = {}
    for name, r in rankings.items():
        if r.skipped:
            best[name] = {"skipped": r.skipped}
            continue
        top = r.best(1)[0]
        best[name] = {"layer": top.layer, "signal": top.signal, "unit": top.unit,
                      ("auc" if r.kind == "binary" else "r"): round(top.statistic, 4)}  # fmt: skip
    cfg = model.config
    print(json.dumps({
        "model": str(ns.model),
        "data": str(data),
        "steps": n,
        "units": cfg.num_layers * cfg.hidden_dim,
        "signals": list(values),
        "tracks": len(tracks),
        "threads": torch.get_num_threads(),
        "trace_workers": workers,
        "seconds_total": round(ranked - start, 2),
        "seconds_trace": round(traced - start, 2),
        "seconds_tracks": round(tracked - traced, 2),
        "seconds_rank": round(ranked - tracked, 2),
        "cpu_seconds_total": round(cpu3 - cpu0, 2),
        "cpu_seconds_trace": round(cpu1 - cpu0, 2),
        "cpu_seconds_tracks": round(cpu2 - cpu1, 2),
        "cpu_seconds_rank": round(cpu3 - cpu2, 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "goal_s": 10,
        "best": best,
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
