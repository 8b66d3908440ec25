"""What the Equations & memory view shows, as plain data (no gradio): the LSTM equations of one unit at one
step with their numbers (`lstmlm.studies.equations`), the unit's memory over the prompt, and the numbers the
cell diagram draws (`cell_values`, for `plots.cell_diagram`). The prompt is read like every view reads it.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from lstmlm.model import LanguageModel
from lstmlm.prompt import read_prompt, reader
from lstmlm.studies.arrays import layer_arrays
from lstmlm.studies.equations import (
    displayed_cell_sum,
    equation_numbers,
    equations_latex,
    memory_breakdown,
)
from lstmlm.studies.runaway import runaway_cells, runaway_note
from playground.display import display_word
from playground.plots.cell_diagram import CellValues
from playground.views.cell_diagram import DIAGRAM_EMPTY
from playground.views.gates import check_layer
from playground.views.inputs import prompt_words, whole


def word_step(tokens: list[str], word: str, unit: str = "word") -> int | None:
    """The step (0-based, as the Step menu numbers them) that a link's or lesson's `word` names in a prompt
    read as `tokens`: digits name that step; other text the first token equal to it, or with a character
    model (`unit` "character") the last character of its first whole-word place ("boy" in "The boy":
    the "y"). None for "" (the view shows the last word) and for a step or word the prompt does not have."""
    word = word.strip()
    if not word:
        return None
    if word.isdigit():
        return int(word) if int(word) < len(tokens) else None
    if unit != "character":
        return next((n for n, token in enumerate(tokens) if token == word), None)
    ends, text = [], ""  # ends[n]: the offset of token n's last character in the joined text
    for token in tokens:
        text += token
        ends.append(len(text) - 1)
    found = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text)
    return None if found is None else next(n for n, end in enumerate(ends) if end >= found.end() - 1)


def equations_json(
    model: LanguageModel,
    text: str,
    layer: int = 0,
    step: int = -1,
    unit: int = 0,
    digits: int = 4,
    lang: str = "en",
) -> dict:
    """The LSTM equations of one unit at one step (step -1 = the last word): numbers and Markdown/LaTeX."""
    tokens, ids, notice = prompt_words(model, text)
    layer = check_layer(model, whole(layer, "layer"))
    asked, unit, digits = whole(step, "step"), whole(unit, "unit"), whole(digits, "digits")
    step = asked + len(ids) if asked < 0 else asked  # -1: the last word
    if not 0 <= step < len(ids):
        steps = f"0..{len(ids) - 1} (or -{len(ids)}..-1 from its end)"
        raise ValueError(f"step {asked} does not exist: the prompt has steps {steps}")
    if not 1 <= digits <= 8:
        raise ValueError(f"digits must be between 1 and 8, got {digits}")
    tr = layer_arrays(reader(model).trace(ids))
    n = equation_numbers(tr, layer, step, unit)
    word = display_word(tokens[step], unit=model.vocab.tokenizer.unit)  # (`unit` here: the cell's number)
    latex = equations_latex(replace(n, layer=layer + 1), digits, lang, word=word)  # tabs count layers from 1
    kept, written, c_shown = displayed_cell_sum(n, digits)
    numbers = {
        k: round(getattr(n, k), 8)
        for k in ("z_f", "z_i", "z_g", "z_o", "f_t", "i_t", "g_t", "o_t", "h_prev", "c_prev", "c_t",
                  "tanh_c_t", "h_t", "kept", "written")
    }  # fmt: skip
    mem = memory_breakdown(tr, layer, unit)
    cells = runaway_cells(tr[layer].get("c"))  # (T, H) of the layer
    this = next((r for r in cells if r.unit == unit), None)
    note = (
        f"Unit {unit} is a runaway cell: its |C| reaches {this.max_abs:,.1f} over this prompt, while a "
        f"typical unit of layer {layer + 1} stays within {this.typical:.2f}. It integrates (forget gate "
        "near 1), so tanh(C) is ±1 whatever it holds and h only shows the output gate."
        if this
        else runaway_note(cells, layer)
    )
    return {
        "tokens": tokens,
        "notice": notice,
        "layer": layer,
        "step": step,
        "unit": unit,
        "word": word,
        "numbers": numbers,
        "shown": {"kept": kept, "written": written, "c_t": c_shown},
        "latex": latex,
        "runaway": [{"unit": r.unit, "max_abs": round(r.max_abs, 4)} for r in cells],
        "runaway_note": note,  # "" when no cell of the layer runs away
        "memory": {
            "kept": np.round(mem.kept, 6).tolist(),
            "written": np.round(mem.written, 6).tolist(),
            "c": np.round(mem.c, 6).tolist(),
        },
    }


MAX_MEMORY_STEPS = 60  # the memory views show at most the last 60 words (the horizon is steps x steps)


def memory_window(model: LanguageModel, text: str, layer: int, unit: int):
    """The memory breakdown of one unit over (at most) the last MAX_MEMORY_STEPS words, and those words."""
    tokens, ids, _ = prompt_words(model, text)
    tr = reader(model).trace(ids)
    mem = memory_breakdown(tr, check_layer(model, layer), unit)
    first = max(0, len(ids) - MAX_MEMORY_STEPS)
    words = [f"{t} {display_word(w, unit=model.vocab.tokenizer.unit)}" for t, w in enumerate(tokens)][first:]
    return mem, words, first


def cell_values(model: LanguageModel, text: str, layer: int, step: int, unit: int) -> CellValues:
    """The trace's values of `unit` in `layer` at `step` of `text` (read as every view reads a prompt).

    Raises ValueError for a prompt without words, a non-LSTM model, or a layer/step/unit out of range."""
    if model.config.cell != "lstm":
        raise ValueError(f"the cell diagram draws an LSTM; this model's cell is {model.config.cell!r}")
    p = read_prompt(model.vocab, text)
    if not p.ids:
        raise ValueError(DIAGRAM_EMPTY)
    if not 0 <= layer < model.config.num_layers:
        raise ValueError(
            f"layer {layer} does not exist: the model has layers 0..{model.config.num_layers - 1}"
        )
    if not 0 <= step < len(p.ids):
        raise ValueError(f"step {step} does not exist: the prompt has steps 0..{len(p.ids) - 1}")
    if not 0 <= unit < model.config.hidden_dim:
        raise ValueError(f"unit {unit} does not exist: the layer has units 0..{model.config.hidden_dim - 1}")
    lt = reader(model).trace(p.ids).layers[layer]  # each (T, 1, H)
    prev_c = lt.c0[0, unit] if step == 0 else lt.c[step - 1, 0, unit]
    prev_h = lt.h0[0, unit] if step == 0 else lt.h[step - 1, 0, unit]
    at = lambda name: float(getattr(lt, name)[step, 0, unit])  # noqa: E731
    return CellValues(
        p.tokens[step], step, layer, unit, float(prev_c), float(prev_h),
        at("f"), at("i"), at("g"), at("o"), at("c"), at("h"),
    )  # fmt: skip
