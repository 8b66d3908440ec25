"""Equations & memory, one drawing: the step menu, the cell's equations with a step's numbers, the cell
diagram (one unit, or every unit of the layer) and, for an LSTM, the unit's memory plots (`show_equations`);
what it cannot draw is said in the equations' place (`cannot_show`). The tab, its step buttons and play are in
equations.py."""

from __future__ import annotations

import gradio as gr
import plotly.graph_objects as go

from lstmlm.model import LanguageModel
from lstmlm.prompt import read_prompt
from playground import markup
from playground.display import display_word
from playground.i18n import language, plot_words, say, shown
from playground.plots import cell_diagram
from playground.plots.cell_diagram_cells import cell_svg_any
from playground.plots.equations import horizon_heatmap, memory_stack
from playground.plots.style import placeholder
from playground.text import per_unit
from playground.views.cell_diagram import OTHER_CELL_WORDS, cell_diagrams, other_cell_latex
from playground.views.cell_kind import is_lstm
from playground.views.equations import equations_json, memory_window


def step_choices(tokens: list[str], unit: str = "word") -> list[tuple[str, int]]:
    """('3: sat', 3) for every step of the prompt; `unit` ('word' or 'character': what the model reads)
    names its <unk>."""
    return [(f"{t}: {display_word(w, unit=unit)}", t) for t, w in enumerate(tokens)]


def prompt_tokens(model: LanguageModel, text: str) -> list[str]:
    """The prompt's tokens as the model reads them; none when it cannot read them (a word a vocabulary
    without <unk> lacks: `show_equations` says so)."""
    try:
        return read_prompt(model.vocab, text).tokens
    except ValueError:
        return []


def cannot_show(problem: Exception, lang: str, lstm: bool) -> tuple:
    """`show_equations`'s outputs when it cannot draw: the reason where the equations go (yellow,
    #equations-cannot) and every other output cleared (left there it would read as this prompt's)."""
    said = markup.refusal(say("eq.cannot_because", lang, reason=shown(problem, lang)), "equations-cannot")
    cleared = None if lstm else gr.skip()  # a GRU's or RNN's tab has no memory plots
    return gr.Dropdown(choices=[], value=None), said, "", cleared, cleared


def show_equations(
    model: LanguageModel, text: str, layer: int, step: int | None, unit: int, mode: str = "one"
) -> tuple[gr.Dropdown, str, str, go.Figure | None, go.Figure | None]:
    """Step choices, the equations (Markdown/LaTeX), the cell diagram (SVG) and the two memory plots (an
    LSTM's; gr.skip() for a GRU or RNN, whose tab has none). `step` None: the last word; `mode` "all"
    draws every unit of the layer. What it cannot draw (e.g. a word the model cannot read) is said in the
    equations' place (`cannot_show`), never as a gr.Error (a red "Error" stamped on every output)."""
    lang = language()  # the page's (i18n.py): the same switch as every other label
    lstm = is_lstm(model)
    try:
        tokens = read_prompt(model.vocab, text).tokens
    except ValueError as e:  # a word a vocabulary without <unk> lacks
        return cannot_show(e, lang, lstm)
    if not tokens:
        empty_text = say("eq.empty", lang)
        empty = placeholder(empty_text) if lstm else gr.skip()
        return gr.Dropdown(choices=[], value=None), markup.placeholder(empty_text), "", empty, empty
    step = len(tokens) - 1 if step is None or not 0 <= int(step) < len(tokens) else int(step)
    unit = max(0, min(int(unit or 0), model.config.hidden_dim - 1))
    words = {k: say(per_unit(f"diagram.{k}", model.vocab.tokenizer.unit), lang) for k in cell_diagram.WORDS}
    try:
        one, drawn = cell_diagrams(model, text, int(layer), step, unit, every_unit=mode == "all")
        svg = cell_svg_any(drawn, words_text=words)
        if not lstm:
            latex = other_cell_latex(
                one,
                {k: say(per_unit(f"cells.{k}", model.vocab.tokenizer.unit), lang) for k in OTHER_CELL_WORDS},
            )
            choices = step_choices(tokens, model.vocab.tokenizer.unit)
            return gr.Dropdown(choices=choices, value=step), latex, svg, gr.skip(), gr.skip()
        eq = equations_json(model, text, int(layer), step, unit, 4, lang)
        mem, mem_words, first = memory_window(model, text, int(layer), unit)
    except (ValueError, TypeError) as e:
        return cannot_show(e, lang, lstm)
    name = say("eq.name", lang, layer=int(layer) + 1, unit=unit)
    words_text = plot_words(lang)
    stack = memory_stack(
        mem_words,
        mem.kept[first:],
        mem.written[first:],
        mem.c[first:],
        say("eq.stack_title", lang, name=name),
        words_text,
        model.vocab.tokenizer.unit,
    )
    horizon = horizon_heatmap(
        mem_words, mem.horizon[first:, first:], say("eq.horizon_title", lang, name=name), words_text
    )
    note = say("eq.note", lang)
    latex = f"> **{note}** {eq['runaway_note']}\n\n{eq['latex']}" if eq["runaway_note"] else eq["latex"]
    choices = step_choices(tokens, model.vocab.tokenizer.unit)
    return gr.Dropdown(choices=choices, value=step), latex, svg, stack, horizon
