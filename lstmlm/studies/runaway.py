"""Cells that run away: units whose |C_t| is far outside the rest of their layer, and "counter" units whose
cell state grows steadily with the position in the text.

An LSTM unit whose forget gate stays near 1 while its input keeps writing the same sign integrates: its
C_t grows without bound over a long text (hundreds, thousands), while the other units stay within a few
units of 0. tanh(C_t) is then ±1 and h_t only shows o_t, but a colour scale or a plot over all units is
dominated by that one cell. The views name such units and scale their colours to the others.
Arrays are (T, H): row t is step t, column u is unit u.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RUNAWAY_FACTOR = 10.0  # runaway: a unit's largest |C_t| is this many times the layer's median largest |C_t|
RUNAWAY_MIN = 10.0  # ...and at least this (tanh(10) = 1 - 4e-9: the cell shows as ±1 whatever it holds)
SCALE_PERCENTILE = 99.0  # the colour scale ends at this percentile of |C_t| over the other units


@dataclass
class RunawayCell:
    """A unit whose cell state is far outside the rest of its layer."""

    unit: int
    max_abs: float  # its largest |C_t| over the steps
    typical: float  # the layer's median (over units) of each unit's largest |C_t|


def runaway_cells(c: np.ndarray) -> list[RunawayCell]:
    """Units of a layer's cells `c` (T, H) whose largest |C_t| is far outside the rest, largest first."""
    c = np.asarray(c, dtype=np.float64)
    if c.ndim != 2 or c.size == 0:
        return []
    largest = np.abs(c).max(axis=0)  # (H,)
    typical = float(np.median(largest))
    limit = max(RUNAWAY_MIN, RUNAWAY_FACTOR * typical)
    units = sorted(np.flatnonzero(largest > limit).tolist(), key=lambda u: -largest[u])
    return [RunawayCell(int(u), float(largest[u]), typical) for u in units]


def robust_bound(c: np.ndarray, exclude: list[int] | tuple[int, ...] = ()) -> float:
    """A colour-scale bound for `c` (T, H): the 99th percentile of |C_t| over the units not in `exclude`."""
    c = np.asarray(c, dtype=np.float64)
    keep = np.setdiff1d(np.arange(c.shape[1]), np.asarray(exclude, dtype=int)) if c.ndim == 2 else []
    rest = np.abs(c[:, keep]) if len(keep) else np.abs(c)
    return float(max(np.percentile(rest, SCALE_PERCENTILE), 1e-3)) if rest.size else 1.0


def runaway_note(cells: list[RunawayCell], layer: int | None = None, limit: int = 3) -> str:
    """One sentence naming the runaway units ("" when there are none); `layer` counts from 0."""
    if not cells:
        return ""
    where = f" of layer {layer + 1}" if layer is not None else ""
    named = ", ".join(f"unit {r.unit} (|C| up to {r.max_abs:,.1f})" for r in cells[:limit])
    more = f" and {len(cells) - limit} more" if len(cells) > limit else ""
    return (
        f"Runaway cell{'s' if len(cells) > 1 else ''}{where}: {named}{more}, against a typical largest "
        f"|C| of {cells[0].typical:.2f}. Such a cell integrates (forget gate near 1); tanh(C) is ±1 "
        "whatever it holds."
    )


@dataclass
class CounterUnit:
    """A unit whose cell state follows the position in the text: C_t ≈ a + slope * t."""

    unit: int
    slope: float  # fitted change of C per word
    r: float  # correlation of C_t with the position t (-1..1)
    growth: float  # fitted change over the whole text: slope * (T - 1)

    @property
    def score(self) -> float:
        """r² x |growth|: large for a cell that changes a lot and steadily."""
        return self.r * self.r * abs(self.growth)


def counter_units(c: np.ndarray, k: int = 10) -> list[CounterUnit]:
    """The `k` units of `c` (T, H) whose cell state grows (or falls) most steadily with position, by
    r² x |growth| (largest first). ValueError with fewer than 3 steps (a line fits any 2 points)."""
    c = np.asarray(c, dtype=np.float64)
    T = c.shape[0]
    if T < 3:
        raise ValueError(f"counter units need at least 3 words to fit a line through, got {T}")
    t = np.arange(T, dtype=np.float64) - (T - 1) / 2  # centred positions (T,)
    centred = c - c.mean(axis=0)  # (T, H)
    slope = (t @ centred) / (t @ t)  # least squares (H,)
    spread = np.sqrt((centred**2).sum(axis=0))
    r = np.where(spread > 0, (t @ centred) / (np.sqrt(t @ t) * np.maximum(spread, 1e-300)), 0.0)
    units = [
        CounterUnit(u, float(slope[u]), float(r[u]), float(slope[u] * (T - 1))) for u in range(c.shape[1])
    ]
    return sorted(units, key=lambda x: (-x.score, x.unit))[: max(0, k)]
