"""The one table of cell quantities, and per-unit statistics of a quantity over a prompt or a text.

What a layer of each cell records (PyTorch's gate order, then the state), in the article's notation
(colah, "Understanding LSTM Networks", 2015; the GRU of Cho et al. 2014 as PyTorch writes it):

    LSTM      i f g o c h     gates i, f, o = σ(·) in (0, 1); candidate g = C̃ = tanh(·) in (-1, 1);
                              cell C unbounded; h = o ⊙ tanh(C) in (-1, 1)
    GRU       r z n h         gates r, z = σ(·); candidate n = tanh(·); h in (-1, 1)
    RNN       h               h = tanh(·) in (-1, 1), or relu(·) in [0, ∞) for rnn_relu

`chunk` is the quantity's block in PyTorch's stacked weights and biases (`weight_ih_l{k}` is (chunks·H, E)
and rows [chunk·H, (chunk+1)·H) belong to that gate: LSTM i f g o, GRU r z n, RNN h) and in a traced layer's
`preact`; None for what no weight block computes (the LSTM's c and h, the GRU's h). `display` is the
position in the app's order (the LSTM's f i o g c h: the gates as the article introduces them, then the
candidate and the memory). Pure Python and numpy: no torch, so views and plots can read it cheaply.

Statistics take values (T, H) (T steps, H units) and give one number per unit (H,), in the array's dtype.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

CELLS = ("lstm", "gru", "rnn_tanh", "rnn_relu")
CELL_NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn_tanh": "plain RNN (tanh)", "rnn_relu": "plain RNN (relu)"}
# Saturation (Karpathy, Johnson & Fei-Fei 2015, "Visualizing and understanding recurrent networks"): a gate
# in (0, 1) is left-saturated (closed) below LOW and right-saturated (open) above HIGH; a quantity in
# (-1, 1) is saturated when |x| > HIGH; the unbounded cell C when |tanh(C)| > HIGH (what h sees of it).
LOW, HIGH = 0.1, 0.9
STATISTICS = ("mean", "variance", "saturation", "mean_abs")


@dataclass(frozen=True)
class Quantity:
    """One recorded quantity of one cell kind (see the module docstring for the table)."""

    cell: str  # lstm | gru | rnn_tanh | rnn_relu
    key: str  # the trace's name: i f g o c h | r z n h | h
    chunk: int | None  # its block in PyTorch's stacked weights / a trace's preact; None: no weight block
    display: int  # position in the app's order (0 first)
    label: str  # plain English: "forget gate"
    symbol: str  # the article's notation, plain Unicode: "f", "C̃", "C"
    value_range: tuple[float, float] | None  # (low, high) it lies in; None: unbounded (the LSTM's cell)
    is_sigmoid: bool  # a σ gate, in (0, 1)
    is_state: bool  # carried to the next step (the LSTM's c and h; h elsewhere)

    @property
    def name(self) -> str:
        """'forget gate f', 'candidate C̃': the label and its symbol, for controls and messages."""
        return f"{self.label} {self.symbol}"


def _row(cell, key, chunk, display, label, symbol, value_range, sigmoid=False, state=False) -> Quantity:
    return Quantity(cell, key, chunk, display, label, symbol, value_range, sigmoid, state)


UNIT, SIGNED = (0.0, 1.0), (-1.0, 1.0)
# In record order (PyTorch's gate order, then the state): the order of a trace's quantities.
TABLE: dict[str, tuple[Quantity, ...]] = {
    "lstm": (
        _row("lstm", "i", 0, 1, "input gate", "i", UNIT, sigmoid=True),
        _row("lstm", "f", 1, 0, "forget gate", "f", UNIT, sigmoid=True),
        _row("lstm", "g", 2, 3, "candidate", "C̃", SIGNED),
        _row("lstm", "o", 3, 2, "output gate", "o", UNIT, sigmoid=True),
        _row("lstm", "c", None, 4, "cell state", "C", None, state=True),
        _row("lstm", "h", None, 5, "hidden state", "h", SIGNED, state=True),
    ),
    "gru": (
        _row("gru", "r", 0, 0, "reset gate", "r", UNIT, sigmoid=True),
        _row("gru", "z", 1, 1, "update gate", "z", UNIT, sigmoid=True),
        _row("gru", "n", 2, 2, "candidate", "n", SIGNED),
        _row("gru", "h", None, 3, "hidden state", "h", SIGNED, state=True),
    ),
    "rnn_tanh": (_row("rnn_tanh", "h", 0, 0, "hidden state", "h", SIGNED, state=True),),
    "rnn_relu": (_row("rnn_relu", "h", 0, 0, "hidden state", "h", (0.0, math.inf), state=True),),
}


def check_cell(cell: str) -> str:
    """`cell` if it is a known cell kind, else ValueError naming them."""
    if cell not in TABLE:
        raise ValueError(f"cell must be one of {', '.join(CELLS)}, got {cell!r}")
    return cell


def quantities(cell: str) -> tuple[Quantity, ...]:
    """The cell's quantities in record order (LSTM i f g o c h; GRU r z n h; RNN h); ValueError if unknown."""
    return TABLE[check_cell(cell)]


def quantity(cell: str, key: str) -> Quantity:
    """One quantity of a cell; ValueError naming the cell's quantities when it has no `key`."""
    for q in quantities(cell):
        if q.key == key:
            return q
    keys = ", ".join(q.key for q in quantities(cell))
    raise ValueError(f"a {CELL_NAMES[cell]} layer records {keys}, not {key!r}")


def record_order(cell: str) -> tuple[str, ...]:
    """Keys in record order: ('i', 'f', 'g', 'o', 'c', 'h') for an LSTM."""
    return tuple(q.key for q in quantities(cell))


def display_order(cell: str) -> tuple[str, ...]:
    """Keys in the app's order: ('f', 'i', 'o', 'g', 'c', 'h') for an LSTM, ('r', 'z', 'n', 'h') for a GRU."""
    return tuple(q.key for q in sorted(quantities(cell), key=lambda q: q.display))


def chunk_order(cell: str) -> tuple[str, ...]:
    """Keys of PyTorch's weight blocks in order (a trace's preact blocks): LSTM i f g o, GRU r z n, RNN h."""
    chunked = [q for q in quantities(cell) if q.chunk is not None]
    return tuple(q.key for q in sorted(chunked, key=lambda q: q.chunk))


def sigmoid_gates(cell: str) -> tuple[str, ...]:
    """The σ gates (values in (0, 1)) in display order: LSTM f i o, GRU r z, RNN none."""
    return tuple(k for k in display_order(cell) if quantity(cell, k).is_sigmoid)


def state_keys(cell: str) -> tuple[str, ...]:
    """What is carried from step to step, per unit: an LSTM's c and h, a GRU's or plain RNN's h."""
    return tuple(q.key for q in quantities(cell) if q.is_state)


def any_cell(key: str) -> Quantity:
    """The quantity `key` of the first cell that records it (LSTM, then GRU, then RNN): for tables by key."""
    for cell in CELLS:
        for q in TABLE[cell]:
            if q.key == key:
                return q
    raise ValueError(f"no cell records {key!r}")


ALL_KEYS = tuple(dict.fromkeys(q.key for cell in CELLS for q in TABLE[cell]))  # i f g o c h r z n


# ---------------------------------------------------------------------------------------------
# Per-unit statistics on values (T, H): one number per unit (H,), in the array's dtype.
# ---------------------------------------------------------------------------------------------


def _check_values(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values)
    if values.ndim != 2 or values.shape[0] == 0:
        raise ValueError(f"values must be (steps, units) with at least one step, got shape {values.shape}")
    return values


def unit_mean(values: np.ndarray) -> np.ndarray:
    """Per unit, the mean over steps: values (T, H) -> (H,)."""
    return _check_values(values).mean(axis=0)


def unit_variance(values: np.ndarray) -> np.ndarray:
    """Per unit, the population variance over steps (divided by T, numpy's default): (T, H) -> (H,)."""
    return _check_values(values).var(axis=0)


def saturation_fractions(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per unit, the fraction of steps a gate in (0, 1) is below LOW (closed) and above HIGH (open);
    values (T, H) -> two (H,) float64 arrays."""
    values = _check_values(values)
    return (values < LOW).mean(axis=0), (values > HIGH).mean(axis=0)


def unit_saturation(q: Quantity, values: np.ndarray) -> np.ndarray:
    """Per unit, the fraction of steps the quantity is at an extreme (see LOW, HIGH): a σ gate below LOW or
    above HIGH; a bounded quantity when |x| > HIGH (a relu RNN's h, unbounded above, counts so too); the
    LSTM's unbounded cell when |tanh(C)| > HIGH. values (T, H) -> (H,) float64."""
    values = _check_values(values)
    if q.is_sigmoid:  # one count per unit, divided once: exactly k / T (the two fractions' sum may not be)
        return ((values < LOW) | (values > HIGH)).mean(axis=0)
    squashed = np.tanh(values) if q.value_range is None else values
    return (np.abs(squashed) > HIGH).mean(axis=0)


def unit_statistic(q: Quantity, values: np.ndarray, statistic: str) -> np.ndarray:
    """Per unit (H,), one of STATISTICS of the quantity's values (T, H): mean, variance (population),
    saturation (`unit_saturation`) or mean_abs (the mean of |x|); ValueError naming them otherwise."""
    if statistic == "mean":
        return unit_mean(values)
    if statistic == "variance":
        return unit_variance(values)
    if statistic == "saturation":
        return unit_saturation(q, values)
    if statistic == "mean_abs":
        return np.abs(_check_values(values)).mean(axis=0)
    raise ValueError(f"statistic must be one of {', '.join(STATISTICS)}, got {statistic!r}")
