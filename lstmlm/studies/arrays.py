"""A trace's layers as numpy arrays: the input every study reads.

`layer_arrays` turns a `Trace` into one `LayerArrays` per layer for an LSTM (i f g o c h, pre-activations, the
starting state) or one `CellArrays` for a GRU or plain RNN (its own quantities, e.g. r, z, n, h); the studies
take either (`Traced`) and check layer / unit / step numbers with `check_index`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch

from lstmlm.cells import CELL_NAMES, record_order
from lstmlm.trace import Trace

NAMES = record_order("lstm")  # the recorded values of an LSTM layer, in PyTorch's gate order: i f g o c h


@dataclass
class LayerArrays:
    """One layer of one traced sequence, as numpy float32 arrays."""

    i: np.ndarray  # (T, H) input gate
    f: np.ndarray  # (T, H) forget gate
    g: np.ndarray  # (T, H) candidate C~_t
    o: np.ndarray  # (T, H) output gate
    c: np.ndarray  # (T, H) cell C_t
    h: np.ndarray  # (T, H) hidden h_t
    preact: np.ndarray  # (T, 4H) pre-activations in PyTorch's gate order i, f, g, o
    h0: np.ndarray  # (H,) state before the first step
    c0: np.ndarray  # (H,)
    cell: ClassVar[str] = "lstm"
    names: ClassVar[tuple[str, ...]] = NAMES  # what `get` gives besides preact

    def get(self, name: str) -> np.ndarray:
        return getattr(self, name)


@dataclass
class CellArrays:
    """One layer of one traced sequence of a GRU (r, z, n, h) or plain RNN (h), as numpy float32 arrays."""

    cell: str  # gru | rnn_tanh
    values: dict[str, np.ndarray]  # in cells.record_order(cell), each (T, H)
    preact: np.ndarray  # (T, kH) arguments of the gates' σ / tanh (cells.chunk_order)
    h0: np.ndarray  # (H,) state before the first step

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.values)

    @property
    def h(self) -> np.ndarray:
        return self.values["h"]

    def get(self, name: str) -> np.ndarray:
        if name == "preact":
            return self.preact
        if name not in self.values:
            raise ValueError(
                f"a {CELL_NAMES[self.cell]} layer records {', '.join(self.values)}, not {name!r}"
            )
        return self.values[name]


AnyLayerArrays = LayerArrays | CellArrays
Traced = Trace | Sequence[AnyLayerArrays]


def layer_arrays(tr: Traced, batch: int = 0) -> list[AnyLayerArrays]:
    """A trace's layers as numpy for sequence `batch` (layers already converted pass through): `LayerArrays`
    for an LSTM, `CellArrays` for a GRU or plain RNN."""
    if not isinstance(tr, Trace):
        return list(tr)

    def arr(t: torch.Tensor) -> np.ndarray:
        return t.detach().float().cpu().numpy()

    if tr.cell != "lstm":
        return [
            CellArrays(
                tr.cell,
                {n: arr(lt.get(n)[:, batch]) for n in record_order(tr.cell)},
                arr(lt.preact[:, batch]),
                arr(lt.h0[batch]),
            )
            for lt in tr.layers
        ]
    return [
        LayerArrays(
            **{n: arr(lt.get(n)[:, batch]) for n in (*NAMES, "preact")},
            h0=arr(lt.h0[batch]),
            c0=arr(lt.c0[batch]),
        )
        for lt in tr.layers
    ]


def check_index(
    layers: list[AnyLayerArrays], layer: int, unit: int | None = None, step: int | None = None
) -> None:
    """Raise ValueError naming the valid range for a layer / unit / step the trace does not have."""
    if not 0 <= layer < len(layers):
        raise ValueError(f"layer {layer} does not exist: this model has layers 0..{len(layers) - 1}")
    T, H = layers[layer].h.shape
    if unit is not None and not 0 <= unit < H:
        raise ValueError(f"unit {unit} does not exist: layer {layer} has units 0..{H - 1}")
    if step is not None and not 0 <= step < T:
        raise ValueError(f"step {step} does not exist: the prompt has steps 0..{T - 1}")


def lstm_layer(layers: list[AnyLayerArrays], layer: int) -> LayerArrays:
    """layers[layer], which must be an LSTM's: ValueError naming the cell otherwise."""
    la = layers[layer]
    if not isinstance(la, LayerArrays):
        raise ValueError(f"the equations and the memory are an LSTM's; this is a {CELL_NAMES[la.cell]}")
    return la
