"""What the Gates view shows: one layer's gates, cell and hidden state over a prompt, as numpy arrays,
with the unit orderings, saturation fractions and the window that keeps a heatmap small (no gradio).
A GRU shows its own gates (reset r, update z, candidate n, hidden h), a plain RNN its hidden state h.

Arrays here are (steps, units): row t is the word at position t, column u is unit u of the layer.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np

from lstmlm import cells
from lstmlm.cells import CELL_NAMES
from lstmlm.model import LanguageModel
from lstmlm.prompt import Prompt, read_prompt, reader
from lstmlm.studies.runaway import RunawayCell, robust_bound, runaway_cells, runaway_note
from playground.display import display_word
from playground.text import unit_fields, words_in

# The cell tables come from lstmlm.cells (the one table): orders, labels in the article's notation, ranges.
CELL_GATES = {cell: cells.display_order(cell) for cell in cells.CELLS}  # each cell's, in the selector's order
GATES = CELL_GATES["lstm"]  # f i o g c h: the order of the view's gate selector (an LSTM's)
GATE_LABELS = {
    k: cells.any_cell(k).name for k in cells.ALL_KEYS
}  # plain text: "forget gate f", "candidate C̃"
GATE_TITLES = {
    k: f"{cells.any_cell(k).name}<sub>t</sub>" for k in cells.ALL_KEYS
}  # plotly titles (<sub> tags)
SIGMOID_GATES = cells.sigmoid_gates("lstm")  # f i o, in (0, 1); g and h lie in (-1, 1), c is unbounded
CELL_SIGMOID_GATES = {cell: cells.sigmoid_gates(cell) for cell in cells.CELLS}  # GRU: r z; RNN: none
SATURATING = tuple(k for k in cells.ALL_KEYS if cells.any_cell(k).is_sigmoid)  # every cell's gates in (0, 1)
ORDERINGS = ("index", "mean", "variance", "saturation")
LOW, HIGH = (
    cells.LOW,
    cells.HIGH,
)  # a gate below 0.1 is "left-saturated" (closed), above 0.9 "right-saturated"
MAX_HEATMAP_STEPS = 150  # a heatmap shows at most the last 150 words...
MAX_HEATMAP_CELLS = 80_000  # ...and at most 80k cells (~430 KB as float32): fewer units if needed


@dataclass
class LayerValues:
    """One layer's recorded values over a prompt; each array (steps, units) float32."""

    tokens: list[str]
    layer: int
    num_layers: int
    values: dict[str, np.ndarray]  # gate name -> (T, H), in CELL_GATES[cell] order
    cell: str = "lstm"
    unit: str = "word"  # what one step is: "word" or "character" (the model's tokenizer)

    @property
    def steps(self) -> int:
        return len(self.tokens)

    @property
    def units(self) -> int:
        return next(iter(self.values.values())).shape[1]


def cell_gates(model: LanguageModel) -> tuple[str, ...]:
    """What the Gates view shows of this model, in the selector's order (f i o g c h; r z n h; h)."""
    return CELL_GATES[model.config.cell]


def check_layer(model: LanguageModel, layer: int) -> int:
    """The layer index if it exists, else ValueError saying which ones do."""
    num_layers = model.config.num_layers
    if isinstance(layer, bool) or not isinstance(layer, int) or not 0 <= layer < num_layers:
        raise ValueError(
            f"layer must be one of 0..{num_layers - 1} (this model has {num_layers} layers), got {layer}"
        )
    return layer


def trace_layer(model: LanguageModel, prompt: Prompt, layer: int) -> LayerValues | None:
    """Trace the prompt from a line start and keep one layer's values; None for an empty prompt."""
    check_layer(model, layer)
    if not prompt.ids:
        return None
    # Gates only: the next-word softmax over every position is the costly part and not shown here.
    tr = reader(model).trace(prompt.ids)
    lt = tr.layers[layer]
    values = {g: lt.get(g)[:, 0].float().numpy() for g in CELL_GATES[tr.cell]}  # (T, B=1, H) -> (T, H)
    num_layers = model.config.num_layers
    return LayerValues(
        tokens=prompt.tokens,
        layer=layer,
        num_layers=num_layers,
        values=values,
        cell=tr.cell,
        unit=prompt.unit,
    )


def saturation(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per unit, the fraction of steps with the gate < 0.1 (left) and > 0.9 (right); values (T, H)."""
    return cells.saturation_fractions(values)


def saturation_score(gate: str, values: np.ndarray) -> np.ndarray:
    """Per unit, the fraction of steps at an extreme: gates < 0.1 or > 0.9; g, n, h, tanh(c) beyond +-0.9."""
    return cells.unit_saturation(cells.any_cell(gate), values)


def unit_order(gate: str, values: np.ndarray, ordering: str) -> np.ndarray:
    """Unit indices (H,) in display order: by index, or by mean / variance / saturation, largest first."""
    if ordering not in ORDERINGS:
        raise ValueError(f"ordering must be one of {', '.join(ORDERINGS)}, got {ordering!r}")
    units = values.shape[1]
    if ordering == "index":
        return np.arange(units)
    key = {
        "mean": lambda: cells.unit_mean(values),
        "variance": lambda: cells.unit_variance(values),
        "saturation": lambda: saturation_score(gate, values),
    }[ordering]()
    return np.argsort(-key, kind="stable")


def runaway_said(cells: list[RunawayCell], layer: int, bound: float, lang: str, limit: int = 3) -> str:
    """The runaway cells (lstmlm's `runaway_note`, English) and where the colour scale ends, in `lang`."""
    if lang != "zh":
        clipped = f" The colour scale ends at ±{bound:.2f} (the other units); those cells show at its ends."
        return runaway_note(cells, layer) + clipped
    named = "、".join(f"单元 {r.unit}（|C| 最大 {r.max_abs:,.1f}）" for r in cells[:limit])
    more = f"等 {len(cells)} 个" if len(cells) > limit else ""
    return words_in(
        "zh", "gates.runaway", layer=layer + 1, named=named, more=more, typical=cells[0].typical, bound=bound
    )


@dataclass
class HeatmapData:
    """A window of one gate, ready to draw: z is (units shown, steps shown), rows in display order."""

    z: np.ndarray  # (U, S) float32
    words: list[str]  # (S,) the words along the step axis
    first_step: int  # position in the prompt of words[0]
    units: list[int]  # (U,) unit index of each row
    gate: str
    layer: int
    notice: str  # what was left out, and any runaway cell, or ""
    bound: float | None = None  # the cell's colour scale: ±bound (None: the plot's own)
    runaway: tuple[int, ...] = ()  # units whose |C_t| is far outside the rest (cell state only)
    unit: str = "word"  # what one step is: "word" or "character"


def heatmap_window(
    lv: LayerValues,
    gate: str,
    ordering: str = "index",
    max_steps: int = MAX_HEATMAP_STEPS,
    max_cells: int = MAX_HEATMAP_CELLS,
    lang: str = "en",
) -> HeatmapData:
    """The last `max_steps` words x as many units (in `ordering`) as fit in `max_cells`; its notice (what
    was left out, any runaway cell) in `lang` ('zh' Chinese, else English)."""
    if gate not in lv.values:
        raise ValueError(f"gate must be one of {', '.join(lv.values)}, got {gate!r}")
    values = lv.values[gate]
    first = max(0, lv.steps - max_steps)
    window = values[first:]  # (S, H)
    order = unit_order(gate, window, ordering)
    keep = max(1, min(len(order), max_cells // max(1, window.shape[0])))
    order = order[:keep]
    units = unit_fields(lang, lv.unit)
    notes = []
    if first:
        notes.append(words_in(lang, "gates.last_steps", n=window.shape[0], total=lv.steps, **units))
    if keep < lv.units:
        by = words_in(lang, f"order.{ordering}")
        notes.append(words_in(lang, "gates.some_units", n=keep, total=lv.units, order=by))
    stop = "。" if lang == "zh" else "."
    notice = ("；" if lang == "zh" else "; ").join(notes).capitalize() + (stop if notes else "")
    bound, runaway = None, ()
    if gate == "c":  # one cell that integrates must not wash out the colours of all the others
        cells = runaway_cells(window)
        runaway = tuple(r.unit for r in cells)
        bound = robust_bound(window, runaway)
        if cells:
            said = runaway_said(cells, lv.layer, bound, lang)
            notice = ("" if lang == "zh" else " ").join(x for x in (notice, said) if x)
    return HeatmapData(
        z=np.ascontiguousarray(window[:, order].T),
        words=[display_word(w, unit=lv.unit) for w in lv.tokens[first:]],
        first_step=first,
        units=order.tolist(),
        gate=gate,
        layer=lv.layer,
        notice=notice,
        bound=bound,
        runaway=runaway,
        unit=lv.unit,
    )


# One unit's lines: every quantity in display order but the LSTM's candidate (f i o c h; r z n h; h).
UNIT_SERIES = {cell: tuple(k for k in CELL_GATES[cell] if (cell, k) != ("lstm", "g")) for cell in cells.CELLS}


def unit_series(lv: LayerValues, unit: int) -> dict[str, np.ndarray]:
    """One unit's f, i, o, c, h over the prompt (a GRU's r, z, n, h; a plain RNN's h), each (T,)."""
    if isinstance(unit, bool) or not isinstance(unit, int) or not 0 <= unit < lv.units:
        raise ValueError(
            f"unit must be one of 0..{lv.units - 1} (layer {lv.layer} has {lv.units} units), got {unit}"
        )
    return {g: lv.values[g][:, unit] for g in UNIT_SERIES[lv.cell]}


def parse_gates(gates: str, cell: str = "lstm") -> list[str]:
    """'f,i,c' -> ['f', 'i', 'c'], 'all' -> every gate of the cell; ValueError naming the allowed ones."""
    allowed = CELL_GATES[cell]
    if (gates or "").strip().lower() == "all":
        return list(allowed)
    names = [g.strip() for g in (gates or "").split(",") if g.strip()]
    bad = [g for g in names if g not in allowed]
    if bad or not names:
        which = "" if cell == "lstm" else f" (this model is a {CELL_NAMES[cell]})"
        raise ValueError(
            f"gates must be a comma-separated list of {', '.join(allowed)}{which} or all, got {gates!r}"
        )
    return list(dict.fromkeys(names))


ENCODINGS = ("float16", "list")


def encode_array(values: np.ndarray, encoding: str = "float16", decimals: int = 3) -> dict | list:
    """A (T, H) array for JSON: {"dtype", "shape", "bdata"} with base64 little-endian float16 bytes (compact
    and fast: `np.frombuffer(base64.b64decode(bdata), "<f2").reshape(shape)`), or nested lists, rounded."""
    if encoding == "list":
        return np.round(values.astype(np.float64), decimals).tolist()
    data = np.ascontiguousarray(values, dtype="<f2").tobytes()
    return {"dtype": "float16", "shape": list(values.shape), "bdata": base64.b64encode(data).decode("ascii")}


def trace_json(
    model: LanguageModel,
    text: str,
    layer: int = 0,
    gates: str = "all",
    encoding: str = "float16",
    decimals: int = 3,
) -> dict:
    """What the `trace` endpoint returns: the prompt's tokens and one layer's values.

    `values[gate]` is (steps, units), encoded by `encode_array`: an LSTM's f, i, o, g, c, h, a GRU's r, z, n,
    h, a plain RNN's h ("all": every one). Per unit, `saturation[gate]` holds the fractions of steps below
    0.1 and above 0.9 (the forget, input and output gates; a GRU's reset and update gates).
    """
    names = parse_gates(gates, model.config.cell)
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}, got {encoding!r}")
    decimals = max(0, min(int(decimals), 6))
    prompt = read_prompt(model.vocab, text)
    lv = trace_layer(model, prompt, check_layer(model, layer))
    out = {
        "tokens": prompt.tokens,
        "unknown": prompt.unknown,
        "layer": layer,
        "num_layers": model.config.num_layers,
        "hidden_dim": model.config.hidden_dim,
        "notice": prompt.notice,
        "values": {},
        "saturation": {},
    }
    if lv is None:
        out["notice"] = "The prompt is empty: type some words to trace."
        return out
    for g in names:
        out["values"][g] = encode_array(lv.values[g], encoding, decimals)
        if g in SATURATING:
            left, right = saturation(lv.values[g])
            out["saturation"][g] = {
                "below_0.1": encode_array(left, "list", 4),
                "above_0.9": encode_array(right, "list", 4),
            }
    return out
