"""Interventions: what the traced forward (`lstmlm.trace.trace`) may pin, and the checks of a request.

An `Intervention` pins an LSTM gate (i, f, g, o) or the cell c to a value for chosen units of one layer over
a stretch of steps; `check_interventions` refuses, with a `Message` saying what is allowed, one the model
cannot take. TARGETS names what may be pinned; GATE_RANGES the range of each gate. trace.py applies them
(`_pin`, step by step, inside its forward) and re-exports these names.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass

from lstmlm.cells import chunk_order, quantities, quantity
from lstmlm.messages import Message
from lstmlm.model import LanguageModel

TARGETS = {
    q.key: q.label for q in quantities("lstm") if q.key != "h"
}  # what an Intervention may pin: i f g o c
GATE_RANGES = {
    k: quantity("lstm", k).value_range for k in chunk_order("lstm")
}  # i, f, o in [0, 1]; g in [-1, 1]


@dataclass(frozen=True)
class Intervention:
    """Pin `target` (i, f, g, o or c) to `value` for `units` (None = all) of `layer`, steps [start, stop)."""

    layer: int
    target: str
    value: float
    units: tuple[int, ...] | None = None
    start: int = 0
    stop: int | None = None  # exclusive; None = to the end

    def steps(self, t: int) -> bool:
        return t >= self.start and (self.stop is None or t < self.stop)


def check_interventions(model: LanguageModel, interventions: Sequence[Intervention], steps: int) -> None:
    """Raise ValueError, saying what is allowed, for an intervention the model cannot take: a `Message`
    (English; the playground shows it in the page's language by its key, playground/text/library.py)."""
    L, H = model.config.num_layers, model.config.hidden_dim
    for iv in interventions:
        if not _whole(iv.layer) or not 0 <= iv.layer < L:
            raise ValueError(
                Message(
                    "trace.layer",
                    "layer {layer!r} does not exist: this model has layers 0..{last}",
                    layer=iv.layer,
                    last=L - 1,
                )
            )
        if not isinstance(iv.target, str) or iv.target not in TARGETS:
            raise ValueError(
                Message(
                    "trace.target",
                    "cannot intervene on {target!r}: choose one of {targets}",
                    target=iv.target,
                    targets=", ".join(TARGETS),
                )
            )
        try:
            value = float(iv.value)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(
                Message("trace.value", "intervention value must be a number, got {value!r}", value=iv.value)
            ) from None
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(
                Message(
                    "trace.finite", "intervention value must be a finite number, got {value}", value=iv.value
                )
            )
        lo, hi = GATE_RANGES.get(iv.target, (-1e6, 1e6))
        if not lo <= value <= hi:
            raise ValueError(
                Message(
                    "trace.range",
                    "{name} values lie in [{lo:g}, {hi:g}], got {value:g}",
                    name=TARGETS[iv.target],
                    target=iv.target,
                    lo=lo,
                    hi=hi,
                    value=value,
                )
            )
        units_ok = iv.units is None or (isinstance(iv.units, (tuple, list)) and all(map(_whole, iv.units)))
        if not units_ok:
            raise ValueError(
                Message(
                    "trace.units",
                    "units must be whole numbers in 0..{last}, got {units!r}",
                    last=H - 1,
                    units=iv.units,
                )
            )
        if iv.units is not None and any(not 0 <= u < H for u in iv.units):
            raise ValueError(
                Message(
                    "trace.units_range",
                    "units must be in 0..{last} (layer {layer} has {size} units)",
                    last=H - 1,
                    layer=iv.layer,
                    size=H,
                )
            )
        if not _whole(iv.start) or (iv.stop is not None and not _whole(iv.stop)):
            raise ValueError(
                Message(
                    "trace.steps_whole",
                    "steps must be whole numbers, got {start!r}..{stop!r}",
                    start=iv.start,
                    stop=iv.stop,
                )
            )
        if iv.start < 0 or (iv.stop is not None and iv.stop < iv.start):
            raise ValueError(
                Message(
                    "trace.steps_order",
                    "steps must satisfy 0 <= start <= stop, got {start}..{stop}",
                    start=iv.start,
                    stop=iv.stop,
                )
            )


def _whole(x) -> bool:
    """An int (or NumPy integer), not a bool."""
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)
