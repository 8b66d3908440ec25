"""What the Units view shows (no gradio): the units that mark a span of the prompt (`lstmlm.studies.units`),
the counter units (`lstmlm.studies.runaway`) and a unit's top contexts from the unit atlas
(`lstmlm.studies.atlas`), over a prompt read the way every view reads it (`read_prompt`, from a line start),
as plain dicts for the endpoints and the tab.

Spans: the endpoints and `unit_search_view` take 0-based steps, `span_start` included, `span_stop` excluded
(as `lstmlm.studies.units.unit_search`); the Units tab shows words numbered from 1 and reads "3-7" as words 3
to 7 inclusive (`parse_span`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import numpy as np

from lstmlm.cells import CELL_NAMES
from lstmlm.messages import Message
from lstmlm.model import LanguageModel
from lstmlm.prompt import Prompt, read_prompt, reader
from lstmlm.studies.arrays import layer_arrays
from lstmlm.studies.runaway import CounterUnit, counter_units
from lstmlm.studies.units import UnitSearch, unit_search
from playground.text import words_in
from playground.views.gates import UNIT_SERIES, check_layer

SIGNALS = ("h", "c")  # what unit search and the atlas rank: hidden state or cell (a GRU's or RNN's: h)
METHODS = ("mean", "minmax")
MAX_UNITS_LISTED = 50  # most units one search returns per direction
NO_ATLAS = words_in("en", "units.no_atlas")  # (the tab shows it in the page's language)


def parse_span(text: str, steps: int) -> tuple[int, int]:
    """'3-7' (words 3 to 7, numbered from 0 as Intervene and Equations count steps) -> steps (3, 8), start
    included and stop excluded; '5' -> (5, 6).

    ValueError says what to type."""
    m = re.fullmatch(r"\s*(\d+)\s*(?:(?:-|–|\.\.|to)\s*(\d+)\s*)?", text or "")
    if not m:
        raise ValueError(
            Message(
                "units.range_unread",
                "type the words to select as a range like 3-7 (words 0..{last}), got {text!r}",
                last=steps - 1,
                text=text,
            )
        )
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    if first > last:
        first, last = last, first
    if not 0 <= first <= last < steps:
        raise ValueError(
            Message(
                "units.range_outside",
                "the range must lie within words 0..{last_step} of the prompt, got {first}-{last}",
                last_step=steps - 1,
                first=first,
                last=last,
            )
        )
    return first, last + 1


def check_signal(signal: str, cell: str = "lstm") -> str:
    """The signal if this cell has it (h; an LSTM also c), else ValueError saying which ones it has."""
    if cell != "lstm" and signal != "h":
        raise ValueError(
            f"signal must be 'h' (hidden state): a {CELL_NAMES[cell]} has no cell, got {signal!r}"
        )
    if signal not in SIGNALS:
        raise ValueError(f"signal must be 'h' (hidden state) or 'c' (cell), got {signal!r}")
    return signal


@dataclass
class UnitSearchView:
    """A unit search over the prompt, and the searched layer's values to draw a unit with."""

    prompt: Prompt
    result: UnitSearch
    span_start: int
    span_stop: int
    series: dict[str, np.ndarray]  # f, i, o, c, h (GRU r, z, n, h; plain RNN h) -> (T, H) of the layer

    def unit_series(self, unit: int) -> dict[str, np.ndarray]:
        """One unit's f, i, o, c, h (or the cell's own series) over the prompt, each (T,)."""
        return {g: v[:, unit] for g, v in self.series.items()}


def unit_search_view(
    model: LanguageModel,
    text: str,
    layer: int,
    span_start: int,
    span_stop: int,
    signal: str = "h",
    k: int = 10,
    method: str = "mean",
) -> UnitSearchView:
    """Units of `layer` ranked by how `signal` is high in steps [span_start, span_stop) and low elsewhere."""
    check_layer(model, layer)
    check_signal(signal, model.config.cell)
    if method not in METHODS:
        raise ValueError(f"method must be 'mean' or 'minmax', got {method!r}")
    p = read_prompt(model.vocab, text)
    if len(p.ids) < 2:
        raise ValueError(
            Message(
                "units.two_words",
                "type at least two words: unit search compares the selected words with the others",
            )
        )
    k = max(1, min(int(k), MAX_UNITS_LISTED))
    tr = reader(model).trace(p.ids)
    layers = layer_arrays(tr)
    result = unit_search(layers, layer, span_start, span_stop, signal, k, method)
    series = {g: layers[layer].get(g) for g in UNIT_SERIES[model.config.cell]}
    return UnitSearchView(p, result, span_start, span_stop, series)


def unit_search_json(
    model: LanguageModel,
    text: str,
    layer: int = 0,
    span_start: int = 0,
    span_stop: int = 1,
    signal: str = "h",
    k: int = 10,
    method: str = "mean",
) -> dict:
    """What the `unit_search` endpoint returns: the span's words and the ranked units both ways."""
    v = unit_search_view(model, text, layer, span_start, span_stop, signal, k, method)

    def scores(units: list) -> list[dict]:
        return [{k: round(x, 6) if isinstance(x, float) else x for k, x in asdict(s).items()} for s in units]

    return {
        "tokens": v.prompt.tokens,
        "notice": v.prompt.notice,
        "layer": layer,
        "signal": signal,
        "method": method,
        "span": [span_start, span_stop],
        "span_words": v.prompt.tokens[span_start:span_stop],
        "high": scores(v.result.high),
        "low": scores(v.result.low),
    }


def counter_units_view(model: LanguageModel, text: str, layer: int, k: int = 10) -> list[CounterUnit]:
    """Units of an LSTM `layer` whose cell state grows (or falls) most steadily with the position in the
    prompt ("counter" units), best first. ValueError for a GRU/RNN (no cell) or fewer than 3 words."""
    check_layer(model, layer)
    if model.config.cell != "lstm":
        raise ValueError(
            f"counter units are found in the cell state; a {CELL_NAMES[model.config.cell]} has none"
        )
    p = read_prompt(model.vocab, text)
    k = max(1, min(int(k), MAX_UNITS_LISTED))
    if len(p.ids) < 3:
        raise ValueError(
            "type at least three words: a counter unit's cell grows with the position in the text"
        )
    layers = layer_arrays(reader(model).trace(p.ids))
    return counter_units(layers[layer].get("c"), k)


def counter_choices(
    units: list[CounterUnit], lang: str = "en", step_unit: str = "word"
) -> list[tuple[str, int]]:
    """Radio choices 'unit 5 · C +0.91/word, r 0.99 (+45.6 over the text)' -> 5, in `lang`; `step_unit`
    ("word" or "character") names what a step reads."""
    return [
        (
            words_in(lang, "units.counter_choice", unit=u.unit, slope=f"{u.slope:+.2f}", r=f"{u.r:.2f}",
                     growth=f"{u.growth:+.1f}", step=words_in(lang, f"unit.{step_unit}")),
            u.unit,
        )
        for u in units
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Unit atlas
# ---------------------------------------------------------------------------------------------

ATLAS_KEYS = ("h_high", "h_low", "c_high", "c_low")


def atlas_unit(atlas: dict | None, layer: int, unit: int) -> dict:
    """One unit's top contexts from the atlas: {h_high, h_low, c_high, c_low, source, words_scanned} (no c_
    for a GRU or plain RNN, whose atlas ranks h only).

    ValueError with NO_ATLAS when there is no atlas, or naming the valid layers/units."""
    if atlas is None:
        raise ValueError(NO_ATLAS)
    layers = atlas["layers"]
    if isinstance(layer, bool) or not isinstance(layer, int) or not 0 <= layer < len(layers):
        raise ValueError(f"layer must be one of 0..{len(layers) - 1}, got {layer}")
    units = layers[layer]
    if isinstance(unit, bool) or not isinstance(unit, int) or not 0 <= unit < len(units):
        raise ValueError(f"unit must be one of 0..{len(units) - 1} (layer {layer}), got {unit}")
    entry = units[unit]
    return {
        "layer": layer,
        "unit": unit,
        **{key: entry.get(key, []) for key in ATLAS_KEYS if key[0] in atlas.get("signals", "ch")},
        "source": atlas.get("source", ""),
        "words_scanned": atlas.get("words_scanned", 0),
    }
