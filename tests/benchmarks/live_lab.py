"""Live Lab with its default settings on each teaching text: the validation loss after 30 s and at the end of
the budget (60 s), and whether the Cell hunt finds the structure the text was written around (the best
unit's cell against `planted_track`: max(AUC, 1 - AUC) for a yes/no track, |Pearson r| for a count, over
the held-out last tenth; the untrained model's best unit beside it, since a random unit already follows a
character a little).

    nice -n 10 python tests/benchmarks/live_lab.py [--text quotes ...] [--seconds 60]

Trains with one torch thread, as the playground's worker does. Prints one JSON line per text. The budget
is wall-clock time: on a loaded machine the run takes fewer
steps. Say how loaded the machine was (the line's loadavg) when quoting the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

import numpy as np
import torch

from lstmlm.checkpoint import load_model
from lstmlm.model import LanguageModel
from lstmlm.studies.cell_hunt import unit_values
from lstmlm.studies.unit_ranking import rank_tracks
from lstmlm.training.live import (
    TEACHING_TEXTS,
    LiveSettings,
    live_configs,
    live_corpus,
    planted_track,
    train_live,
)
from lstmlm.training.loop import Callback


class Evals(Callback):
    def __init__(self) -> None:
        self.evals, self.chars_per_s = [], 0.0

    def on_step(self, p) -> None:
        self.chars_per_s = p.words_per_s  # tokens per second since the start

    def on_eval(self, record: dict) -> None:
        self.evals.append(record)


def best_unit(model: LanguageModel, ids: list[int], teaching) -> dict:
    """The unit whose cell follows the planted track best: its layer, unit, score and statistic."""
    values, n = unit_values(model.eval(), ids)
    track = planted_track(teaching, model.vocab.decode(ids[:n]), model.vocab.tokenizer)
    ranking = rank_tracks({"c": values["c"]}, [track])[track.name]
    (top,) = ranking.best(1)
    return {"track": track.name, "kind": track.kind, "score": round(top.score, 3),
            "statistic": round(top.statistic, 3), "layer": top.layer, "unit": top.unit}  # fmt: skip


def run(name: str, seconds: float) -> dict:
    teaching = TEACHING_TEXTS[name]
    text = teaching.read()
    settings = LiveSettings(seconds=seconds)
    rec = Evals()
    out = tempfile.mkdtemp(prefix="live-bench-")
    start = time.monotonic()
    summary = train_live(text, settings, out, [rec])
    wall = time.monotonic() - start

    def best_by(s: float) -> float | None:
        done = [r["val_loss"] for r in rec.evals if r["seconds"] <= s]
        return round(min(done), 4) if done else None

    corpus = live_corpus(text, settings)
    ids = corpus.valid.tolist()
    trained = best_unit(load_model(out), ids, teaching)
    torch.manual_seed(settings.seed)
    fresh = LanguageModel(live_configs(settings, corpus)[0])
    fresh.vocab = corpus.vocab
    untrained = best_unit(fresh, ids, teaching)
    return dict(
        text=name, seconds=seconds, wall_s=round(wall, 1), steps=summary["steps"],
        chars_per_s=round(rec.chars_per_s),
        uniform=round(float(np.log(summary["vocab_size"])), 3),
        val_loss_30s=best_by(30), val_loss_end=round(summary["best_val_loss"], 4),
        planted_trained=trained, planted_untrained=untrained, valid_chars=len(ids),
        loadavg=round(os.getloadavg()[0], 2),
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--text", nargs="*", default=list(TEACHING_TEXTS), choices=list(TEACHING_TEXTS))
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (the playground's worker: 1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for name in args.text:
        print(json.dumps(run(name, args.seconds)), flush=True)


if __name__ == "__main__":
    main()
