"""Equations & memory: pick a word (step), a layer and a unit; the five LSTM equations with that step's
numbers, and the unit's memory over the prompt: what it kept against what it wrote at every step, and how
much of each write survives later (the running product of the forget gate)."""

from __future__ import annotations

from functools import partial

import gradio as gr
import plotly.graph_objects as go

from lstmlm.model import LanguageModel
from playground import markup
from playground.i18n import language, plot_words, say, t
from playground.plots import cell_diagram
from playground.plots.equations import horizon_heatmap, memory_stack
from playground.plots.style import placeholder
from playground.tabs import TabView, lstm_only_tab
from playground.views.cell_kind import is_lstm
from playground.views.equations import cell_values, equations_json, memory_window
from playground.views.next_word import display_word, read_prompt

LATEX = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]


def step_choices(tokens: list[str]) -> list[tuple[str, int]]:
    """('3: sat', 3) for every step of the prompt."""
    return [(f"{t}: {display_word(w)}", t) for t, w in enumerate(tokens)]


def show_equations(
    model: LanguageModel, text: str, layer: int, step: int | None, unit: int
) -> tuple[gr.Dropdown, str, str, go.Figure, go.Figure]:
    """Step choices, the equations (Markdown/LaTeX), the cell diagram (SVG) and the two memory plots."""
    tokens = read_prompt(model.vocab, text).tokens
    lang = language()  # the page's (i18n.py): the same switch as every other label
    if not tokens:
        empty_text = say("eq.empty", lang)
        empty = placeholder(empty_text)
        return gr.Dropdown(choices=[], value=None), markup.placeholder(empty_text), "", empty, empty
    step = len(tokens) - 1 if step is None or not 0 <= int(step) < len(tokens) else int(step)
    unit = max(0, min(int(unit or 0), model.config.hidden_dim - 1))
    try:
        eq = equations_json(model, text, int(layer), step, unit, 4, lang)
        mem, words, first = memory_window(model, text, int(layer), unit)
        svg = cell_diagram.cell_svg(
            cell_values(model, text, int(layer), step, unit),
            words_text={k: say(f"diagram.{k}", lang) for k in cell_diagram.WORDS},
        )
    except (ValueError, TypeError) as e:
        raise gr.Error(str(e), title="Cannot show these equations", print_exception=False) from None
    name = say("eq.name", lang, layer=int(layer) + 1, unit=unit)
    words_text = plot_words(lang)
    stack = memory_stack(
        words,
        mem.kept[first:],
        mem.written[first:],
        mem.c[first:],
        say("eq.stack_title", lang, name=name),
        words_text,
    )
    horizon = horizon_heatmap(
        words, mem.horizon[first:, first:], say("eq.horizon_title", lang, name=name), words_text
    )
    note = say("eq.note", lang)
    latex = f"> **{note}** {eq['runaway_note']}\n\n{eq['latex']}" if eq["runaway_note"] else eq["latex"]
    return gr.Dropdown(choices=step_choices(tokens), value=step), latex, svg, stack, horizon


def show_if_open(model: LanguageModel, text: str, layer: int, step: int | None, unit: int, tab: str) -> tuple:
    """`show_equations` for the typed prompt (its last word) while this tab is open; else nothing changes."""
    return show_equations(model, text, layer, None, unit) if tab == "equations" else (gr.skip(),) * 5


def build(model: LanguageModel, prompt: gr.Textbox, active: gr.State) -> TabView:
    """The Equations tab; it redraws when opened, on its controls, and on typing while it is open."""
    if not is_lstm(model):
        return lstm_only_tab(model, "equations", t("tab.equations"), "equations")
    num_layers, hidden = model.config.num_layers, model.config.hidden_dim
    update = partial(show_equations, model)

    with gr.Tab(t("tab.equations"), id="equations") as tab:
        with gr.Row():
            layer = gr.Radio(
                [(t(f"layer.{n + 1}"), n) for n in range(num_layers)],
                value=0,
                label=t("gates.layer"),
                scale=1,
                elem_id="equations-layer",
            )
            step = gr.Dropdown([], value=None, label=t("eq.step"), scale=2, elem_id="equations-step")
            unit = gr.Slider(
                0, hidden - 1, value=0, step=1, label=t("gates.unit"), scale=3, elem_id="equations-unit"
            )
        equations = gr.Markdown(
            f'<div class="lp-placeholder">{t("eq.open_tab")}</div>',
            latex_delimiters=LATEX,
            elem_classes=["lp-learn"],
            elem_id="equations",
        )
        # the cell drawn with this unit's numbers (plots/cell_diagram.py)
        cell = gr.HTML("", elem_id="cell-diagram")
        gr.HTML(f'<div class="lp-small">{t("eq.memory_caption")}</div>')
        with gr.Row(equal_height=False):
            stack = gr.Plot(show_label=False, elem_id="memory-stack")
            horizon = gr.Plot(show_label=False, elem_id="memory-horizon")

    outputs = [step, equations, cell, stack, horizon]
    quiet = dict(
        show_progress="hidden", api_visibility="private", concurrency_limit=2, concurrency_id="equations"
    )
    full = [prompt, layer, step, unit]
    tab.select(update, full, outputs, **quiet)
    for control in (layer, step):
        control.input(update, full, outputs, **quiet)
    unit.input(update, full, outputs, trigger_mode="always_last", **quiet)
    return TabView(tab, partial(show_if_open, model), [*full, active], outputs)
