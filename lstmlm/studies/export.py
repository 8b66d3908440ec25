"""Getting the numbers out: a trace as CSV (long format), NPZ or JSON, and generated words as CSV.

An LSTM trace has i, f, g, o, c, h per layer; the NPZ and JSON of a GRU trace have r, z, n, h, and of a plain
RNN trace h (`CELL_QUANTITIES`), in place of the LSTM's columns, arrays and keys.

Every function returns the file's bytes and, given `path`, also writes them there. The files are plain:
`numpy.load(f)` (no pickle), `pandas.read_csv(f)`, `json.load(f)`. Floats are written with 9 significant
digits, which read back to exactly the float32 the trace holds.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from lstmlm.sampling import GeneratedWord, NextWords
from lstmlm.studies.arrays import NAMES, LayerArrays, Traced, layer_arrays
from lstmlm.trace import Trace

TRACE_COLUMNS = ("layer", "step", "word", "unit", *NAMES)
GENERATED_COLUMNS = ("step", "word", "id", "prob", "rank", "sampled_prob")


def _out(data: bytes, path: str | os.PathLike | None) -> bytes:
    if path is not None:
        Path(path).write_bytes(data)
    return data


def _check_tokens(tr: Traced, tokens: Sequence[str]) -> list[LayerArrays]:
    layers = layer_arrays(tr)
    if len(tokens) != layers[0].h.shape[0]:
        raise ValueError(f"{len(tokens)} tokens for a trace of {layers[0].h.shape[0]} steps")
    return layers


def _cell_layers(tr: Traced, tokens: Sequence[str]) -> tuple[tuple[str, ...], list[dict[str, np.ndarray]]]:
    """The quantities the trace records and, per layer, each of them and `preact` as numpy (T, ·)."""
    if not isinstance(tr, Trace) or tr.cell == "lstm":
        return NAMES, [{k: la.get(k) for k in (*NAMES, "preact")} for la in _check_tokens(tr, tokens)]
    if len(tokens) != tr.layers[0].h.shape[0]:
        raise ValueError(f"{len(tokens)} tokens for a trace of {tr.layers[0].h.shape[0]} steps")
    names = tr.quantities
    return names, [{k: lt.get(k)[:, 0].float().cpu().numpy() for k in (*names, "preact")} for lt in tr.layers]


def trace_csv(tr: Traced, tokens: Sequence[str], path: str | os.PathLike | None = None) -> bytes:
    """One row per layer, step and unit: layer, step, word, unit, i, f, g, o, c, h (UTF-8 CSV; for a GRU
    r, z, n, h, for a plain RNN h)."""
    names, layers = _cell_layers(tr, tokens)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow((*TRACE_COLUMNS[:4], *names))
    for n, la in enumerate(layers):
        values = np.stack([la[k] for k in names], axis=-1).tolist()  # (T, H, 6 for an LSTM) nested lists
        for t, units in enumerate(values):
            writer.writerows([n, t, tokens[t], u, *(f"{x:.9g}" for x in row)] for u, row in enumerate(units))
    return _out(buf.getvalue().encode("utf-8"), path)


def trace_npz(
    tr: Traced, tokens: Sequence[str], path: str | os.PathLike | None = None, ids: Sequence[int] | None = None
) -> bytes:
    """Arrays `tokens` (T,), optional `ids` (T,), and per layer n: `layer{n}_i` ... `layer{n}_h` (T, H) and
    `layer{n}_preact` (T, 4H, gate order i, f, g, o); for a GRU `layer{n}_r`, z, n, h and preact (T, 3H)."""
    names, layers = _cell_layers(tr, tokens)
    arrays: dict[str, np.ndarray] = {"tokens": np.array(list(tokens), dtype=str)}
    if ids is not None:
        arrays["ids"] = np.asarray(ids, dtype=np.int64)
    for n, la in enumerate(layers):
        arrays.update({f"layer{n}_{k}": la[k] for k in (*names, "preact")})
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return _out(buf.getvalue(), path)


def trace_dict(
    tr: Traced, tokens: Sequence[str], unknown: Sequence[str] = (), next_words: NextWords | None = None
) -> dict:
    """The trace as `lstmlm trace --json` prints it: tokens, unknown, layers[n][i|f|g|o|c|h] (T x H), next
    (a GRU's layers hold r, z, n, h; a plain RNN's h)."""
    names, layers = _cell_layers(tr, tokens)
    out = {
        "tokens": list(tokens),
        "unknown": list(unknown),
        "layers": [{k: la[k].tolist() for k in names} for la in layers],
    }
    if next_words is not None:
        out["next"] = [
            {"word": w, "prob": p} for w, p in zip(next_words.words, next_words.probs, strict=True)
        ]
    return out


def trace_json(
    tr: Traced,
    tokens: Sequence[str],
    unknown: Sequence[str] = (),
    next_words: NextWords | None = None,
    path: str | os.PathLike | None = None,
) -> bytes:
    """`trace_dict` as UTF-8 JSON."""
    return _out(json.dumps(trace_dict(tr, tokens, unknown, next_words)).encode("utf-8"), path)


def generated_csv(words: Sequence[GeneratedWord], path: str | os.PathLike | None = None) -> bytes:
    """Generated words, one row each: step, word, id, prob (under the model), rank, sampled_prob."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, GENERATED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: v for k, v in asdict(w).items() if k in GENERATED_COLUMNS} for w in words)
    return _out(buf.getvalue().encode("utf-8"), path)
