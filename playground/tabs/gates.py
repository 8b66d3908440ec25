"""Gates & memory: for one layer, heatmaps (units x words) of f, i, o, the candidate, the cell and the
hidden state; one unit's values as lines and as shaded words; and the layer's gate-saturation scatter.
A GRU shows its reset gate r, update gate z, candidate n and hidden state h; a plain RNN its h.

The prompt is traced once per change of prompt or layer: the handlers share the traced layer through a
per-page `LayerTrace` in a gr.State, so choosing a gate ordering, a unit or "top unit" draws from it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import gradio as gr
import numpy as np
import plotly.graph_objects as go

from lstmlm.cells import any_cell
from lstmlm.model import LanguageModel
from lstmlm.prompt import Prompt, read_prompt
from lstmlm.tokenizers import Tokenizer
from playground import markup
from playground.classroom.bar import PRESENT_UNITS, presenting
from playground.display import display_word
from playground.i18n import language, layer_name, plot_words, say, t
from playground.plots.gates import gate_heatmap, saturation_scatter, unit_lines
from playground.plots.style import placeholder
from playground.tabs import TabView
from playground.views.gates import (
    CELL_SIGMOID_GATES,
    ORDERINGS,
    SATURATING,
    LayerValues,
    cell_gates,
    heatmap_window,
    saturation,
    trace_layer,
    unit_order,
    unit_series,
)


def unit_views(lv: LayerValues, gate: str, unit: int, tokenizer: Tokenizer) -> tuple[str, go.Figure]:
    """The prompt shaded by one unit's value of `gate` (tanh for the cell), and its lines plot."""
    values = lv.values[gate][:, unit]
    if gate == "c":
        values = np.tanh(values)
    lo, hi, diverging = (0.0, 1.0, False) if gate in SATURATING else (-1.0, 1.0, True)
    label = "tanh(C)" if gate == "c" else any_cell(gate).symbol
    words = markup.shaded_words(lv.tokens, values, lo, hi, diverging, label, tokenizer)
    what = say("gates.tanh_cell") if gate == "c" else say(f"gate.{gate}")
    step = say(f"unit.{tokenizer.unit}")
    caption = (
        '<div class="lp-label">'
        + say("gates.caption", layer=lv.layer + 1, unit=unit, step=step, what=what)
        + "</div>"
    )
    shown = [display_word(w, unit=tokenizer.unit) for w in lv.tokens]
    fig = unit_lines(shown, unit_series(lv, unit), unit, lv.layer, plot_words(), tokenizer.unit)
    return caption + words, fig


@dataclass
class LayerTrace:
    """One page's last traced layer: the prompt text and layer it was traced for, and its values."""

    text: str
    layer: int
    prompt: Prompt
    values: LayerValues | None  # None: the prompt was empty


def traced_layer(model: LanguageModel, text: str, layer: int, cache: LayerTrace | None) -> LayerTrace:
    """The layer's values over the prompt: `cache` when it holds this prompt and layer, else a new trace."""
    if cache is not None and cache.text == text and cache.layer == int(layer):
        return cache
    p = read_prompt(model.vocab, text)
    return LayerTrace(text, int(layer), p, trace_layer(model, p, int(layer)))


def saturation_plot(model: LanguageModel, lv: LayerValues) -> go.Figure:
    """The layer's gate-saturation scatter (a placeholder for a plain RNN, which has no gates)."""
    sigmoid_gates = CELL_SIGMOID_GATES[model.config.cell]
    if not sigmoid_gates:
        return placeholder(say("gates.no_gates"), height=200)
    fractions = {g: saturation(lv.values[g]) for g in sigmoid_gates}
    return saturation_scatter(fractions, lv.layer, plot_words())


def heatmap(lv: LayerValues, gate: str, order: str) -> tuple[str, go.Figure]:
    """What the heatmap left out (a notice) and the heatmap of one gate, units in `order`."""
    hm = heatmap_window(lv, gate, order, lang=language())
    order_name = say(f"order.{order}")
    title = say("gates.heatmap_title", gate=say(f"gatetitle.{gate}"), layer=lv.layer + 1, order=order_name)
    note = hm.notice  # what a long prompt or a wide layer left out, in the page's language
    z, units = hm.z, hm.units
    if presenting() and len(units) > PRESENT_UNITS:  # rows a projector can show at 1080 px
        z, units = z[:PRESENT_UNITS], units[:PRESENT_UNITS]
        shown = say("gates.presenter_rows", n=PRESENT_UNITS, total=lv.units, order=order_name)
        note = f"{shown} {note}".strip()
    return markup.notice(note), gate_heatmap(
        z, hm.words, units, gate, title, hm.first_step, hm.bound, hm.unit, plot_words()
    )


def update(
    model: LanguageModel,
    text: str,
    layer: int,
    gate: str,
    order: str,
    unit: int,
    cache: LayerTrace | None = None,
) -> tuple:
    """Every output of the tab (notice, heatmap, unit words, unit lines, saturation) and the trace."""
    tr = traced_layer(model, text, layer, cache)
    lv = tr.values
    if lv is None:
        empty_text = say("gates.empty")
        empty = placeholder(empty_text)
        return "", empty, markup.placeholder(empty_text), empty, empty, tr
    note, fig = heatmap(lv, gate, order)
    words, lines = unit_views(lv, gate, min(int(unit), model.config.hidden_dim - 1), model.vocab.tokenizer)
    return markup.notice(tr.prompt.notice) + note, fig, words, lines, saturation_plot(model, lv), tr


def update_if_open(
    model: LanguageModel, text: str, layer: int, gate: str, order: str, unit: int, tab: str
) -> tuple:
    """The app's prompt listener: `update` (a new trace) while the Gates tab is open, else nothing."""
    return update(model, text, layer, gate, order, unit) if tab == "gates" else (gr.skip(),) * 6


def update_heatmap(
    model: LanguageModel, text: str, layer: int, gate: str, order: str, cache: LayerTrace | None
) -> tuple[str, go.Figure, LayerTrace]:
    """The notice and the heatmap in a new unit order."""
    tr = traced_layer(model, text, layer, cache)
    if tr.values is None:
        return "", placeholder(say("gates.empty")), tr
    note, fig = heatmap(tr.values, gate, order)
    return markup.notice(tr.prompt.notice) + note, fig, tr


def update_unit(
    model: LanguageModel, text: str, layer: int, gate: str, unit: int, cache: LayerTrace | None
) -> tuple[str, go.Figure, LayerTrace]:
    """One unit's shaded words and lines."""
    tr = traced_layer(model, text, layer, cache)
    if tr.values is None:
        return markup.placeholder(say("gates.empty")), placeholder(say("gates.empty")), tr
    unit = min(int(unit), model.config.hidden_dim - 1)
    return *unit_views(tr.values, gate, unit, model.vocab.tokenizer), tr


def top_unit(
    model: LanguageModel, text: str, layer: int, gate: str, order: str, cache: LayerTrace | None
) -> tuple[int, LayerTrace]:
    """The first unit in `order` (0 for an empty prompt)."""
    tr = traced_layer(model, text, layer, cache)
    lv = tr.values
    return (0 if lv is None else int(unit_order(gate, lv.values[gate], order)[0])), tr


def build(model: LanguageModel, prompt: gr.Textbox, active: gr.State) -> TabView:
    """The Gates tab; it redraws when opened, on its own controls, and on typing while it is open."""
    num_layers, hidden = model.config.num_layers, model.config.hidden_dim
    gates = cell_gates(model)
    with gr.Tab(t("tab.gates"), id="gates") as tab:
        with gr.Row():
            layer = gr.Radio(
                [(layer_name(n, num_layers), n) for n in range(num_layers)],
                value=0,
                label=t("gates.layer"),
                scale=1,
                elem_id="gates-layer",
            )
            gate = gr.Radio(
                [(t(f"gate.{g}"), g) for g in gates],
                value=gates[0],
                label=t("gates.show"),
                scale=3,
                elem_id="gates-gate",
            )
            order = gr.Radio(
                [(t(f"order.{o}"), o) for o in ORDERINGS],
                value="index",
                label=t("gates.order"),
                scale=2,
                elem_id="gates-order",
            )
        notice = gr.HTML()
        heat = gr.Plot(placeholder(say("gates.open_tab", "en")), show_label=False, elem_id="gates-heatmap")
        with gr.Row(equal_height=False):
            with gr.Column(scale=2):
                unit = gr.Slider(0, hidden - 1, value=0, step=1, label=t("gates.unit"))
                top = gr.Button(t("gates.top"), size="sm")
                unit_words = gr.HTML(elem_id="unit-words")
            with gr.Column(scale=3):
                unit_plot = gr.Plot(show_label=False)
        sat = gr.Plot(show_label=False, elem_classes=["lp-secondary"])
        # This page's LayerTrace: one trace per prompt or layer, shared by the handlers. At most one layer of
        # a capped prompt (300 steps x 512 units x 6 values x 4 bytes = 3.7 MB for the bundled LSTM);
        # dropped after 10 idle minutes, after which the next handler traces again.
        cache = gr.State(time_to_live=600)

    outputs = [notice, heat, unit_words, unit_plot, sat, cache]
    # Two redraws at a time (one torch thread each); each browser sends only its latest change.
    quiet = dict(
        show_progress="hidden", api_visibility="private", concurrency_limit=2, concurrency_id="gates"
    )
    full = [prompt, layer, gate, order, unit]
    redraw = partial(update, model)
    tab.select(redraw, [*full, cache], outputs, **quiet)
    layer.input(redraw, [*full, cache], outputs, **quiet)
    gate.input(redraw, [*full, cache], outputs, **quiet)
    order.input(
        partial(update_heatmap, model), [prompt, layer, gate, order, cache], [notice, heat, cache], **quiet
    )
    one_unit = partial(update_unit, model)
    unit_inputs, unit_outputs = [prompt, layer, gate, unit, cache], [unit_words, unit_plot, cache]
    unit.input(one_unit, unit_inputs, unit_outputs, trigger_mode="always_last", **quiet)
    top.click(partial(top_unit, model), [prompt, layer, gate, order, cache], [unit, cache], **quiet).then(
        one_unit, unit_inputs, unit_outputs, **quiet
    )
    controls = {"layer": layer, "gate": gate, "order": order, "unit": unit}
    return TabView(tab, partial(update_if_open, model), [*full, active], outputs, controls=controls)
