"""The cell hunt (Karpathy, Johnson & Fei-Fei 2015; LSTMVis): trace a text, compute its annotation tracks
(`lstmlm.studies.tracks`) and rank every unit of every layer by how well its cell c (and hidden state h)
predicts each track (`lstmlm.studies.unit_ranking`).

`lstmlm cells --model DIR --data FILE` ranks every built-in track over a file (e.g. the validation text)
and writes `DIR/cell_hunt.json.gz`, which the playground's Cell-hunt view and the API read (like the unit
atlas). Values are traced as evaluation reads a file: `batch_size` columns, the state carried through.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from lstmlm.cells import state_keys
from lstmlm.data import batchify
from lstmlm.messages import Message
from lstmlm.model import LanguageModel, State
from lstmlm.model_cache import read_cache, write_cache
from lstmlm.studies.tracks import REGEX, Track, compute_tracks, regex_track
from lstmlm.studies.unit_ranking import TrackRanking, rank_tracks
from lstmlm.studies.unit_scores import one_torch_thread, scratch
from lstmlm.trace import trace

CACHE = "cell_hunt.json.gz"
CACHE_VERSION = 1
PASSAGE_STEPS = {"character": 1500, "word": 300}  # the text kept in the cache for the view to show


def signals_of(model: LanguageModel) -> tuple[str, ...]:
    """What is ranked: an LSTM's cell c and hidden state h; a GRU's or plain RNN's h."""
    return state_keys(model.config.cell)


def unit_values(
    model: LanguageModel,
    ids: Sequence[int],
    batch_size: int = 1,
    bptt: int = 256,
    state: State | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> tuple[dict[str, np.ndarray], int]:
    """Trace `ids` and keep c and h of every layer, one row per unit: ({signal: (L, H, N) float32}, N), so
    that each unit's values over the text are contiguous (the ranking sorts them). With batch_size > 1
    the text is cut into columns as evaluation cuts it (each from a zero state; the last N % batch_size
    steps dropped); with 1 it is read in one piece from `state` (None: a zero state).

    workers > 1 (on CPU, batch_size > 1): the columns are independent, so each of `workers` threads traces
    its own share of them with one torch thread (a recurrence of batch 10 is too small to split well
    inside an operation, and threads that wait on each other at every step stall on a busy machine).
    torch's thread count is set to 1 meanwhile (it is process-wide) and restored after; the values equal
    the one-thread trace's to float rounding."""
    ids_t = torch.as_tensor(list(ids), dtype=torch.long)
    data = batchify(ids_t, batch_size) if batch_size > 1 else ids_t[:, None]  # (S, B)
    steps, B = data.shape
    if steps == 0:
        raise ValueError(Message("hunt.short", "the text is too short to trace"))
    L, H = model.config.num_layers, model.config.hidden_dim
    signals = signals_of(model)
    out = {s: scratch((L, H, B, steps), np.float32) for s in signals}  # not np.empty: see `scratch`
    data = data.to(model.embedding.weight.device)
    workers = max(1, min(workers, B)) if data.device.type == "cpu" else 1
    groups = [(B * w // workers, B * (w + 1) // workers) for w in range(workers)]  # column ranges
    done = [0] * workers
    lock = threading.Lock()

    @torch.no_grad()
    def read(w: int) -> None:
        c0, c1 = groups[w]
        cols = data[:, c0:c1]
        carried = state if state is not None and B == 1 else model.init_state(c1 - c0)
        for start in range(0, steps, bptt):
            end = min(start + bptt, steps)
            tr = trace(model, cols[start:end], carried, log_probs=False)
            carried = tr.state
            for layer, lt in enumerate(tr.layers):
                for s in signals:  # (T, b, H) -> this group's columns of (H, B, T)
                    out[s][layer, :, c0:c1, start:end] = lt.get(s).permute(2, 1, 0).float().cpu()
            if progress:
                with lock:
                    done[w] = end
                    progress(min(done), steps)

    if workers == 1:
        read(0)
    else:
        with one_torch_thread(), ThreadPoolExecutor(workers) as pool:
            list(pool.map(read, range(workers)))
    return {s: v.reshape(L, H, B * steps) for s, v in out.items()}, B * steps


@dataclass
class Hunt:
    """A hunt over one text: the tokens, the tracks, the unit values and each track's ranking."""

    tokens: list[str]
    tracks: dict[str, Track]
    values: dict[str, np.ndarray]  # signal -> (L, H, N): one row per unit
    rankings: dict[str, TrackRanking] = field(default_factory=dict)


def hunt(
    model: LanguageModel,
    tokens: Sequence[str],
    regex: str | None = None,
    builtin: bool = True,
    batch_size: int = 1,
    bptt: int = 256,
    state: State | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> Hunt:
    """Trace `tokens` and rank every unit for every built-in track (unless `builtin` is False) and for the
    person's `regex` track when given (`workers`: see `unit_values`). ValueError for an unusable regex or
    a text too short."""
    tokenizer = model.vocab.tokenizer
    tokens = list(tokens)
    if len(tokens) < 2:
        raise ValueError(
            Message("hunt.two_tokens", "the text needs at least 2 {unit}s to hunt over", unit=tokenizer.unit)
        )
    ids = model.vocab.encode(tokens).ids
    values, n = unit_values(model, ids, batch_size, bptt, state, progress, workers)
    tokens = tokens[:n]  # batchify drops the last few steps
    tracks = compute_tracks(tokens, tokenizer) if builtin else {}
    if regex:
        tracks[REGEX] = regex_track(tokens, tokenizer, regex)
    return Hunt(tokens, tracks, values, rank_tracks(values, list(tracks.values())))


# ---------------------------------------------------------------------------------------------
# The cache in the model directory
# ---------------------------------------------------------------------------------------------


def hunt_json(model: LanguageModel, h: Hunt, source: str = "") -> dict:
    """The cache's content: every track's statistic and marked means (L, S, H), and a passage of the text."""
    unit = model.vocab.tokenizer.unit
    passage = model.vocab.tokenizer.rejoin(h.tokens[: PASSAGE_STEPS[unit]])
    info = getattr(model, "info", None) or {}

    def arr(a: np.ndarray) -> list:
        return np.where(np.isfinite(a), np.round(a, 5), np.nan).tolist()

    return {
        "version": CACHE_VERSION,
        "model_saved": info.get("saved"),
        "source": source,
        "steps": len(h.tokens),
        "unit": unit,
        "signals": list(next(iter(h.rankings.values())).signals) if h.rankings else [],
        "num_layers": model.config.num_layers,
        "hidden_dim": model.config.hidden_dim,
        "passage": passage,
        "tracks": {
            name: {
                "label": r.label,
                "kind": r.kind,
                "marked": r.marked,
                "note": r.note,
                "skipped": r.skipped,
                "statistic": arr(r.statistic),
                "marked_mean": arr(r.marked_mean),
            }
            for name, r in h.rankings.items()
        },
    }


def save_hunt(model_dir: str | os.PathLike, data: dict) -> Path:
    """Write DIR/cell_hunt.json.gz atomically (NaN written as null)."""
    return write_cache(model_dir, CACHE, _nan_to_none(data))


def _nan_to_none(x):
    if isinstance(x, float) and x != x:
        return None
    if isinstance(x, list):
        return [_nan_to_none(v) for v in x]
    if isinstance(x, dict):
        return {k: _nan_to_none(v) for k, v in x.items()}
    return x


def load_hunt(model_dir: str | os.PathLike | None) -> dict | None:
    """The cached ranking of a model directory, or None: none, unreadable, or built for another model
    (other sizes, or a model saved since)."""
    cached = None if model_dir is None else read_cache(model_dir, CACHE)
    if cached is None:
        return None
    data, model = cached
    if data.get("version") != CACHE_VERSION:
        return None
    if data.get("num_layers") != model.get("num_layers") or data.get("hidden_dim") != model.get("hidden_dim"):
        return None
    return data


def cached_ranking(data: dict, name: str) -> TrackRanking:
    """One track's ranking from a loaded cache; ValueError naming the cached tracks if it is not there."""
    tracks = data.get("tracks") or {}
    if name not in tracks:
        raise ValueError(f"the cached ranking has no track {name!r}: it has {', '.join(tracks)}")
    t = tracks[name]

    def arr(a) -> np.ndarray:
        return np.array(_none_to_nan(a), dtype=np.float64)

    return TrackRanking(
        name, t["label"], t["kind"], tuple(data["signals"]), arr(t["statistic"]), arr(t["marked_mean"]),
        int(data["steps"]), float(t["marked"]), t.get("note", ""), t.get("skipped", ""),
    )  # fmt: skip


def _none_to_nan(x):
    if x is None:
        return float("nan")
    if isinstance(x, list):
        return [_none_to_nan(v) for v in x]
    return x
