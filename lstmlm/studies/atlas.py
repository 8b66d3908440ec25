"""The unit atlas: for every unit of every layer, the contexts of a corpus where it is most
positive and most negative (as in LSTMVis, precomputed so the playground can show them offline).

Built once per model by `lstmlm index --model DIR --data FILE` into `DIR/atlas.json.gz` (gzip'd JSON):

    {"version": 1, "words_scanned": N, "top": k, "batch_size": 10, "bptt": 35, "signals": ["c", "h"],
     "num_layers": L, "hidden_dim": H, "model_saved": <config.json "saved">, "source": FILE,
     "layers": [[{"c_high": [{"pos", "before", "word", "after", "value"}, ... k, highest first],
                  "c_low": [... lowest first], "h_high": [...], "h_low": [...]},   # unit 0
                 ...],                                                              # H units
                ...]}                                                               # L layers

A GRU or plain RNN has no cell: its atlas holds h only ("signals": ["h"], keys "h_high" and "h_low").
`pos` is the word's index in the scanned text, `word` the word whose step gave `value`, `before` the
words leading up to it. The text is scanned as evaluation scans it: batchified into `batch_size`
columns, `bptt` steps at a time, the state carried through, so each column starts from a zero state.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import torch

from lstmlm.cells import state_keys
from lstmlm.data import batchify, read_tokens
from lstmlm.model import LanguageModel
from lstmlm.model_cache import read_cache, write_cache
from lstmlm.trace import trace

ATLAS = "atlas.json.gz"


def signals_of(model: LanguageModel) -> tuple[str, ...]:
    """What the atlas ranks for this model: the LSTM's cell and hidden state, or h alone."""
    return state_keys(model.config.cell)


Extremes = dict[tuple[int, str, int], tuple[torch.Tensor, torch.Tensor]]  # see `scan_extremes`


@torch.no_grad()
def scan_extremes(
    model: LanguageModel,
    data: torch.Tensor,
    top: int,
    bptt: int,
    progress: Callable[[int, int], None] | None = None,
) -> Extremes:
    """Scan the batchified text `data` (T, B) with the state carried through, `bptt` steps at a time.

    Returns best[(layer, signal, sign)] = (values (k, H), text positions (k, H)), k = `top`, for every
    signal of `signals_of(model)`; sign +1 keeps the highest values, -1 the lowest (their values negated).
    """
    device = data.device
    steps, B = data.shape
    H = model.config.hidden_dim
    signals = signals_of(model)
    best: Extremes = {}
    state = model.init_state(B)
    for start in range(0, steps, bptt):
        chunk = data[start : start + bptt]  # (T, B)
        tr = trace(model, chunk, state, log_probs=False)
        state = tr.state
        T = chunk.size(0)
        # the text position of step t of column b: b * steps + start + t
        pos = (
            torch.arange(B, device=device)[None, :] * steps + start + torch.arange(T, device=device)[:, None]
        )
        pos = pos.reshape(T * B, 1).expand(-1, H)  # (T*B, H)
        for layer, lt in enumerate(tr.layers):
            for signal in signals:
                values = lt.get(signal).reshape(T * B, H)
                for sign in (1, -1):
                    v, p = sign * values, pos
                    if (layer, signal, sign) in best:
                        bv, bp = best[(layer, signal, sign)]
                        v, p = torch.cat([bv, v]), torch.cat([bp, p])
                    tv, ti = v.topk(min(top, v.size(0)), dim=0)  # (k, H)
                    best[(layer, signal, sign)] = (tv, p.gather(0, ti))
        if progress:
            progress(min(start + bptt, steps), steps)
    return best


def unit_contexts(
    model: LanguageModel, tokens: list[str], best: Extremes, context: int, after: int
) -> list[list[dict]]:
    """Per layer, per unit: {"c_high": [snippet, ...], "c_low": ..., "h_high": ..., "h_low": ...} from the
    extremes `scan_extremes` found; a snippet is {pos, before, word, after, value}."""
    join = model.vocab.tokenizer.rejoin  # words with spaces between, characters as they are

    def snippet(p: int, value: float) -> dict:
        return {
            "pos": p,
            "before": join(tokens[max(0, p - context) : p]),
            "word": tokens[p],
            "after": join(tokens[p + 1 : p + 1 + after]),
            "value": round(value, 4),
        }

    layers = []
    for layer in range(model.config.num_layers):
        columns = {}  # (signal, name) -> per unit: [(pos, value), ...] best first
        for signal in signals_of(model):
            for sign, name in ((1, "high"), (-1, "low")):
                tv, tp = best[(layer, signal, sign)]
                values, positions = (sign * tv).t().tolist(), tp.t().tolist()  # (H, k)
                columns[(signal, name)] = list(zip(positions, values, strict=True))
        layers.append(
            [
                {
                    f"{signal}_{name}": [snippet(p, v) for p, v in zip(*per_unit[u], strict=True)]
                    for (signal, name), per_unit in columns.items()
                }
                for u in range(model.config.hidden_dim)
            ]
        )
    return layers


def build_atlas(
    model: LanguageModel,
    tokens: list[str],
    top: int = 5,
    context: int = 12,
    after: int = 3,
    batch_size: int = 10,
    bptt: int = 35,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Scan `tokens` with the state carried through; keep each unit's `top` highest and lowest c and h
    (h alone for a GRU or plain RNN)."""
    if top < 1:
        raise ValueError(f"top must be >= 1, got {top}")
    device = model.embedding.weight.device
    ids = torch.tensor(model.vocab.encode(tokens).ids, dtype=torch.long)
    data = batchify(ids, batch_size).to(device)  # (T, B); column b holds tokens [b*T, (b+1)*T)
    steps, B = data.shape
    best = scan_extremes(model, data, top, bptt, progress)
    info = getattr(model, "info", None) or {}
    return {
        "version": 1,
        "words_scanned": steps * B,
        "top": top,
        "batch_size": B,
        "bptt": bptt,
        "signals": list(signals_of(model)),
        "num_layers": model.config.num_layers,
        "hidden_dim": model.config.hidden_dim,
        "model_saved": info.get("saved"),
        "layers": unit_contexts(model, tokens, best, context, after),
    }


def save_atlas(model_dir: str | os.PathLike, atlas: dict, source: str) -> Path:
    """Write DIR/atlas.json.gz atomically."""
    return write_cache(model_dir, ATLAS, dict(atlas, source=source))


def load_atlas(model_dir: str | os.PathLike) -> dict | None:
    """The atlas of a model directory, or None when it has none, an unreadable one, or one built for
    another model (other sizes, or a model saved since: retraining into the folder makes it stale)."""
    cached = read_cache(model_dir, ATLAS)
    if cached is None:
        return None
    atlas, model = cached
    if atlas.get("version") != 1 or not isinstance(atlas.get("layers"), list):
        return None
    hidden_dim = model.get("hidden_dim")
    if len(atlas["layers"]) != model.get("num_layers") or atlas.get("hidden_dim", hidden_dim) != hidden_dim:
        return None
    return atlas


def index_file(model: LanguageModel, path: str | os.PathLike, **kw) -> dict:
    """Build the atlas over a tokenized corpus file (e.g. WikiText-2 valid.txt)."""
    return build_atlas(model, read_tokens(path), **kw)
