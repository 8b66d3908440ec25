"""The models the Compare and Gradient-flow views put side by side: the app's own model first, then the
other bundled models (the GRU and the plain RNN trained with the LSTM's recipe) or any given directories.
All are read-only and shared by every user, like the main model."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lstmlm.bundled import bundled_model_dirs
from lstmlm.checkpoint import CheckpointError, load_model
from lstmlm.model import LanguageModel
from lstmlm.studies.compare import model_label
from lstmlm.studies.gradflow import AverageFlow, load_flow

CELL_COLORS = {"lstm": "#4f46e5", "gru": "#0d9488", "rnn_tanh": "#ea580c"}
EXTRA_COLORS = ("#be185d", "#65a30d", "#0369a1", "#a16207")
CELL_ORDER = {"lstm": 0, "gru": 1, "rnn_tanh": 2}


def json_number(x: float | None, digits: int = 4) -> float | None:
    """A number for the endpoints' JSON (compare, gradient_flow): rounded; None for None, NaN or infinity."""
    return None if x is None or not math.isfinite(x) else round(float(x), digits)


@dataclass
class Entry:
    """One model of the line-up."""

    label: str  # e.g. "LSTM 2×512"
    model: LanguageModel
    color: str
    flow: AverageFlow | None = None  # its shipped averaged gradient flow, if any
    path: str = ""


def bundled_dirs() -> list[Path]:
    """Every bundled model directory (assets/models/* in a clone, lstmlm/_models/* installed), by name;
    `make_lineup` orders them by cell."""
    return bundled_model_dirs()


def make_lineup(
    model: LanguageModel,
    model_dir: str | os.PathLike | None,
    others: Sequence[str | os.PathLike] = (),
    load: Callable[[Path], LanguageModel] | None = None,
) -> list[Entry]:
    """The main model and the loadable models of `others` (a directory that does not load is skipped with
    a message on stderr: the app still starts). Duplicates of the main directory are dropped. `load` reads
    a model directory (default load_model; the model hub passes its own, so each model loads once)."""
    entries = [Entry(model_label(model), model, CELL_COLORS.get(model.config.cell, EXTRA_COLORS[0]))]
    entries[0].flow, entries[0].path = load_flow(model_dir), str(model_dir or "")
    main = Path(model_dir).resolve() if model_dir is not None else None
    seen = {main}
    loaded = []
    for d in others:
        path = Path(d).resolve()
        if path in seen:
            continue
        seen.add(path)
        try:
            other = (load or load_model)(path)
        except CheckpointError as e:
            print(f"lstm-playground: not comparing {d}: {e}", file=sys.stderr)
            continue
        reads, main_reads = other.vocab.tokenizer.name, model.vocab.tokenizer.name
        if (reads == "chars") != (main_reads == "chars"):  # words and characters are not comparable steps
            print(
                f"lstm-playground: the Compare view leaves out {Path(d).name} "
                f"(it reads {'characters' if reads == 'chars' else 'words'}, the main model does not)",
                file=sys.stderr,
            )
            continue
        loaded.append((path, other))
    loaded.sort(key=lambda pm: (CELL_ORDER.get(pm[1].config.cell, 9), str(pm[0])))
    used = {entries[0].color}
    for path, m in loaded:
        color = CELL_COLORS.get(m.config.cell)
        if color is None or color in used:
            color = next((c for c in EXTRA_COLORS + tuple(CELL_COLORS.values()) if c not in used), "#6b7280")
        used.add(color)
        label = model_label(m)
        if any(e.label == label for e in entries):
            label = f"{label} ({path.name})"
        entries.append(Entry(label, m, color, load_flow(path), str(path)))
    return entries
