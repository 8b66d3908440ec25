"""Unit search (as in LSTMVis, but live on the typed prompt): the units that are high inside a span of words
and low outside it, or the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstmlm.messages import Message
from lstmlm.studies.arrays import Traced, check_index, layer_arrays


@dataclass
class UnitScore:
    """One unit's score for a span, with the means it came from."""

    unit: int
    score: float
    inside_mean: float
    outside_mean: float


@dataclass
class UnitSearch:
    """Units ranked for a span of steps [span_start, span_stop), best first."""

    layer: int
    signal: str
    method: str
    high: list[UnitScore]  # high inside the span, low outside
    low: list[UnitScore]  # low inside the span, high outside


def unit_search(
    tr: Traced,
    layer: int,
    span_start: int,
    span_stop: int,
    signal: str = "h",
    k: int = 10,
    method: str = "mean",
) -> UnitSearch:
    """Rank the units of `layer` by how `signal` separates steps [span_start, span_stop) from the rest.

    method "mean": mean inside minus mean outside (reverse: mean outside minus mean inside).
    method "minmax" (LSTMVis-style): min inside minus max outside, > 0 only when every step inside is above
    every step outside (reverse: min outside minus max inside).
    """
    layers = layer_arrays(tr)
    check_index(layers, layer)
    names = layers[layer].names  # i, f, g, o, c, h for an LSTM; r, z, n, h for a GRU; h for a plain RNN
    if signal not in names:
        raise ValueError(f"signal must be one of {', '.join(names)}, got {signal!r}")
    if method not in ("mean", "minmax"):
        raise ValueError(f"method must be 'mean' or 'minmax', got {method!r}")
    x = layers[layer].get(signal).astype(np.float64)  # (T, H)
    T = x.shape[0]
    if not 0 <= span_start < span_stop <= T:
        raise ValueError(
            Message(
                "units.span",
                "the span must satisfy 0 <= start < stop <= {steps} (steps of the prompt), "
                "got {start}..{stop}",
                steps=T,
                start=span_start,
                stop=span_stop,
            )
        )
    if span_stop - span_start == T:
        raise ValueError(
            Message(
                "units.span_whole",
                "select fewer words: unit search compares the span with the words outside it",
            )
        )
    inside = np.zeros(T, dtype=bool)
    inside[span_start:span_stop] = True
    x_in, x_out = x[inside], x[~inside]  # (T_in, H), (T_out, H)
    mean_in, mean_out = x_in.mean(0), x_out.mean(0)
    if method == "mean":
        high, low = mean_in - mean_out, mean_out - mean_in
    else:
        high, low = x_in.min(0) - x_out.max(0), x_out.min(0) - x_in.max(0)

    def ranked(score: np.ndarray) -> list[UnitScore]:
        order = sorted(range(len(score)), key=lambda u: (-score[u], u))[: max(0, k)]
        return [UnitScore(u, float(score[u]), float(mean_in[u]), float(mean_out[u])) for u in order]

    return UnitSearch(layer, signal, method, ranked(high), ranked(low))
