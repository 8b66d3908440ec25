"""Equations & memory: pick a word (step), a layer and a unit; the five LSTM equations with that step's
numbers, and the unit's memory over the prompt: what it kept against what it wrote at every step, and how
much of each write survives later (the running product of the forget gate)."""

from __future__ import annotations

import gradio as gr
import plotly.graph_objects as go

from lstmlm.model import LanguageModel

from .. import diagram, explain_plots, markup, plots
from ..cells import is_lstm
from ..explain_views import MAX_MEMORY_STEPS, equations_json, memory_window
from ..i18n import t
from ..views import display_word, read_prompt
from . import TabView, lstm_only_tab

LATEX = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]
EMPTY = "Type a prompt to see the equations."


def step_choices(tokens: list[str]) -> list[tuple[str, int]]:
    """('3: sat', 3) for every step of the prompt."""
    return [(f"{t}: {display_word(w)}", t) for t, w in enumerate(tokens)]


def build(model: LanguageModel, prompt: gr.Textbox, active: gr.State) -> TabView:
    """The Equations tab; it redraws when opened, on its controls, and on typing while it is open."""
    if not is_lstm(model):
        return lstm_only_tab(model, "equations", t("tab.equations"), "equations")
    num_layers, hidden = model.config.num_layers, model.config.hidden_dim

    def update(
        text: str, layer: int, step: int | None, unit: int, lang: str
    ) -> tuple[gr.Dropdown, str, str, go.Figure, go.Figure]:
        tokens = read_prompt(model.vocab, text).tokens
        if not tokens:
            empty = plots.placeholder(EMPTY)
            return gr.Dropdown(choices=[], value=None), markup.placeholder(EMPTY), "", empty, empty
        step = len(tokens) - 1 if step is None or not 0 <= int(step) < len(tokens) else int(step)
        unit = max(0, min(int(unit or 0), hidden - 1))
        try:
            eq = equations_json(model, text, int(layer), step, unit, 4, lang)
            mem, words, first = memory_window(model, text, int(layer), unit)
            svg = diagram.cell_svg(diagram.cell_values(model, text, int(layer), step, unit))
        except (ValueError, TypeError) as e:
            raise gr.Error(str(e), title="Cannot show these equations", print_exception=False) from None
        name = f"layer {int(layer) + 1}, unit {unit}"
        stack = explain_plots.memory_stack(
            words, mem.kept[first:], mem.written[first:], mem.c[first:], f"Kept vs written memory · {name}"
        )
        horizon = explain_plots.horizon_heatmap(
            words, mem.horizon[first:, first:], f"Memory horizon · {name}: share of a write left later"
        )
        latex = f"> **Note.** {eq['runaway_note']}\n\n{eq['latex']}" if eq["runaway_note"] else eq["latex"]
        return gr.Dropdown(choices=step_choices(tokens), value=step), latex, svg, stack, horizon

    def update_if_open(text: str, layer: int, step: int | None, unit: int, lang: str, tab: str) -> tuple:
        return update(text, layer, None, unit, lang) if tab == "equations" else (gr.skip(),) * 5

    with gr.Tab(t("tab.equations"), id="equations") as tab:
        with gr.Row():
            layer = gr.Radio(
                [(f"Layer {n + 1}", n) for n in range(num_layers)],
                value=0,
                label="Layer",
                scale=1,
                elem_id="equations-layer",
            )
            step = gr.Dropdown([], value=None, label="Word (step)", scale=2, elem_id="equations-step")
            unit = gr.Slider(0, hidden - 1, value=0, step=1, label="Unit", scale=3, elem_id="equations-unit")
            lang = gr.Radio([("English", "en"), ("中文", "zh")], value="en", label="Language", scale=1)
        equations = gr.Markdown(
            markup.placeholder("Open this tab to fill in the equations."),
            latex_delimiters=LATEX,
            elem_classes=["lp-learn"],
            elem_id="equations",
        )
        cell = gr.HTML("", elem_id="cell-diagram")  # the cell drawn with this unit's numbers (diagram.py)
        gr.HTML(
            '<div class="lp-small">Kept against written memory of this unit at every word; the horizon: '
            "row s, column t = f<sub>s+1</sub>·…·f<sub>t</sub>, the share of what was written at step s "
            f"that is still in the cell at step t (at most the last {MAX_MEMORY_STEPS} words).</div>"
        )
        with gr.Row(equal_height=False):
            stack = gr.Plot(show_label=False, elem_id="memory-stack")
            horizon = gr.Plot(show_label=False, elem_id="memory-horizon")

    outputs = [step, equations, cell, stack, horizon]
    quiet = dict(
        show_progress="hidden", api_visibility="private", concurrency_limit=2, concurrency_id="equations"
    )
    full = [prompt, layer, step, unit, lang]
    tab.select(update, full, outputs, **quiet)
    for control in (layer, step, lang):
        control.input(update, full, outputs, **quiet)
    unit.input(update, full, outputs, trigger_mode="always_last", **quiet)
    return TabView(tab, update_if_open, [*full, active], outputs)
