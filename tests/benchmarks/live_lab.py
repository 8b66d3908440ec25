"""Live Lab with its default settings on a teaching text: the validation loss after ~30 s and at the end of
the budget, and whether a unit's cell tracks "inside quotes" (the AUC of each unit's C against the label,
best unit; the untrained model's best unit beside it, since a random unit can already follow the quote
character a little).

    taskset -c 0 python tests/benchmarks/live_lab.py [--text quotes] [--seconds 60]

Prints one JSON line. Figures depend on the machine's load: say how loaded it was when quoting them.
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
from lstmlm.live import TEACHING_TEXTS, LiveSettings, live_configs, live_corpus, train_live
from lstmlm.model import LanguageModel
from lstmlm.trace import trace
from lstmlm.train import Callback


def unit_auc(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(T, H) values, (T,) bool labels -> (H,) ROC AUC of each unit's value for the label (ranks, no ties
    correction: the values are floats)."""
    ranks = values.argsort(axis=0).argsort(axis=0) + 1  # (T, H), 1-based
    pos, neg = labels.sum(), (~labels).sum()
    return (ranks[labels].sum(axis=0) - pos * (pos + 1) / 2) / (pos * neg)


def quote_labels(tokens: list[str]) -> np.ndarray:
    """After reading token t, is the text inside a quotation ("...")?"""
    inside, out = False, []
    for t in tokens:
        if t == '"':
            inside = not inside
        out.append(inside)
    return np.array(out)


def best_quote_unit(model: LanguageModel, ids: list[int], labels: np.ndarray) -> dict:
    tr = trace(model.eval(), ids, log_probs=False)
    best = {"auc": 0.5}
    for n, layer in enumerate(tr.layers):
        auc = unit_auc(layer.c[:, 0].numpy(), labels)
        strength = np.maximum(auc, 1 - auc)
        u = int(strength.argmax())
        if strength[u] > best["auc"]:
            best = {
                "auc": round(float(strength[u]), 4),
                "layer": n,
                "unit": u,
                "sign": "+" if auc[u] >= 0.5 else "-",
            }
    return best


class Evals(Callback):
    def __init__(self) -> None:
        self.evals = []

    def on_eval(self, record: dict) -> None:
        self.evals.append(record)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--text", default="quotes", choices=list(TEACHING_TEXTS))
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    text = TEACHING_TEXTS[args.text].read()
    settings = LiveSettings(seconds=args.seconds)
    rec = Evals()
    out = tempfile.mkdtemp(prefix="live-bench-")
    start = time.monotonic()
    summary = train_live(text, settings, out, [rec])
    wall = time.monotonic() - start

    def val_at(seconds: float) -> float | None:
        done = [r["val_loss"] for r in rec.evals if r["seconds"] <= seconds]
        return round(min(done), 4) if done else None

    corpus = live_corpus(text, settings)
    ids = corpus.valid.tolist()[:4000]
    tokens = corpus.vocab.decode(ids)
    labels = quote_labels(tokens)
    trained = best_quote_unit(load_model(out), ids, labels)
    torch.manual_seed(settings.seed)
    untrained = best_quote_unit(LanguageModel(live_configs(settings, corpus)[0]), ids, labels)
    print(json.dumps(dict(
        text=args.text, settings_seconds=args.seconds, wall_s=round(wall, 1), steps=summary["steps"],
        val_loss_30s=val_at(30), val_loss_end=round(summary["best_val_loss"], 4),
        bits_end=round(summary["best_val_loss"] / np.log(2), 4),
        quote_unit_trained=trained, quote_unit_untrained=untrained,
        loadavg=os.getloadavg()[0],
    )))  # fmt: skip


if __name__ == "__main__":
    main()
