"""Gates & memory: for one layer, heatmaps (units x words) of f, i, o, the candidate, the cell and the
hidden state; one unit's values as lines and as shaded words; and the layer's gate-saturation scatter.
A GRU shows its reset gate r, update gate z, candidate n and hidden state h; a plain RNN its h."""

from __future__ import annotations

import gradio as gr
import numpy as np
import plotly.graph_objects as go

from lstmlm.model import LanguageModel
from lstmlm.tokenizers import Tokenizer
from playground import markup
from playground.classroom.bar import PRESENT_UNITS, presenting
from playground.i18n import plot_words, say, t
from playground.plots import style as plots
from playground.tabs import TabView
from playground.views.gates import (
    CELL_SIGMOID_GATES,
    GATE_LABELS,
    ORDERINGS,
    SATURATING,
    cell_gates,
    heatmap_window,
    saturation,
    trace_layer,
    unit_order,
    unit_series,
)
from playground.views.next_word import display_word, read_prompt


def _unit_views(lv, gate: str, unit: int, tokenizer: Tokenizer) -> tuple[str, go.Figure]:
    """The prompt shaded by one unit's value of `gate` (tanh for the cell), and its lines plot."""
    values = lv.values[gate][:, unit]
    if gate == "c":
        values = np.tanh(values)
    lo, hi, diverging = (0.0, 1.0, False) if gate in SATURATING else (-1.0, 1.0, True)
    label = "tanh(C)" if gate == "c" else GATE_LABELS[gate].split()[-1]
    words = markup.shaded_words(lv.tokens, values, lo, hi, diverging, label, tokenizer)
    what = say("gates.tanh_cell") if gate == "c" else say(f"gate.{gate}")
    step = say(f"unit.{tokenizer.unit}")
    caption = (
        '<div class="lp-label">'
        + say("gates.caption", layer=lv.layer + 1, unit=unit, step=step, what=what)
        + "</div>"
    )
    shown = [display_word(w) for w in lv.tokens]
    fig = plots.unit_lines(shown, unit_series(lv, unit), unit, lv.layer, plot_words())
    return caption + words, fig


def build(model: LanguageModel, prompt: gr.Textbox, active: gr.State) -> TabView:
    """The Gates tab; it redraws when opened, on its own controls, and on typing while it is open."""
    num_layers, hidden = model.config.num_layers, model.config.hidden_dim
    gates, sigmoid_gates = cell_gates(model), CELL_SIGMOID_GATES[model.config.cell]

    def saturation_plot(lv) -> go.Figure:
        if not sigmoid_gates:
            return plots.placeholder(say("gates.no_gates"), height=200)
        fractions = {g: saturation(lv.values[g]) for g in sigmoid_gates}
        return plots.saturation_scatter(fractions, lv.layer, plot_words())

    def heatmap(lv, gate: str, order: str) -> tuple[str, go.Figure]:
        hm = heatmap_window(lv, gate, order)
        order_name = say(f"order.{order}")
        title = say(
            "gates.heatmap_title", gate=say(f"gatetitle.{gate}"), layer=lv.layer + 1, order=order_name
        )
        note = hm.notice  # (English from gateview: what a long prompt left out)
        z, units = hm.z, hm.units
        if presenting() and len(units) > PRESENT_UNITS:  # rows a projector can show at 1080 px
            z, units = z[:PRESENT_UNITS], units[:PRESENT_UNITS]
            shown = say("gates.presenter_rows", n=PRESENT_UNITS, total=lv.units, order=order_name)
            note = f"{shown} {note}".strip()
        return markup.notice(note), plots.gate_heatmap(
            z, hm.words, units, gate, title, hm.first_step, hm.bound, hm.unit, plot_words()
        )

    def update(text: str, layer: int, gate: str, order: str, unit: int) -> tuple:
        p = read_prompt(model.vocab, text)
        lv = trace_layer(model, p, int(layer))
        if lv is None:
            empty_text = say("gates.empty")
            empty = plots.placeholder(empty_text)
            return "", empty, markup.placeholder(empty_text), empty, empty
        note, fig = heatmap(lv, gate, order)
        words, lines = _unit_views(lv, gate, min(int(unit), hidden - 1), model.vocab.tokenizer)
        return markup.notice(p.notice) + note, fig, words, lines, saturation_plot(lv)

    def update_if_open(text: str, layer: int, gate: str, order: str, unit: int, tab: str) -> tuple:
        return update(text, layer, gate, order, unit) if tab == "gates" else (gr.skip(),) * 5

    def update_heatmap(text: str, layer: int, gate: str, order: str) -> tuple[str, go.Figure]:
        p = read_prompt(model.vocab, text)
        lv = trace_layer(model, p, int(layer))
        if lv is None:
            return "", plots.placeholder(say("gates.empty"))
        note, fig = heatmap(lv, gate, order)
        return markup.notice(p.notice) + note, fig

    def update_unit(text: str, layer: int, gate: str, unit: int) -> tuple[str, go.Figure]:
        lv = trace_layer(model, read_prompt(model.vocab, text), int(layer))
        if lv is None:
            return markup.placeholder(say("gates.empty")), plots.placeholder(say("gates.empty"))
        return _unit_views(lv, gate, min(int(unit), hidden - 1), model.vocab.tokenizer)

    def top_unit(text: str, layer: int, gate: str, order: str) -> int:
        lv = trace_layer(model, read_prompt(model.vocab, text), int(layer))
        return 0 if lv is None else int(unit_order(gate, lv.values[gate], order)[0])

    def layer_name(n: int) -> str:
        where = "bottom." if n == 0 and num_layers > 1 else "top." if n == num_layers - 1 and n else ""
        return t(f"layer.{where}{n + 1}")  # the browser translates whole keys: one key per layer

    with gr.Tab(t("tab.gates"), id="gates") as tab:
        with gr.Row():
            layer = gr.Radio(
                [(layer_name(n), n) for n in range(num_layers)],
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
        heat = gr.Plot(
            plots.placeholder(say("gates.open_tab", "en")), show_label=False, elem_id="gates-heatmap"
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=2):
                unit = gr.Slider(0, hidden - 1, value=0, step=1, label=t("gates.unit"))
                top = gr.Button(t("gates.top"), size="sm")
                unit_words = gr.HTML(elem_id="unit-words")
            with gr.Column(scale=3):
                unit_plot = gr.Plot(show_label=False)
        sat = gr.Plot(show_label=False, elem_classes=["lp-secondary"])

    outputs = [notice, heat, unit_words, unit_plot, sat]
    # Two redraws at a time (one torch thread each); each browser sends only its latest change.
    quiet = dict(
        show_progress="hidden", api_visibility="private", concurrency_limit=2, concurrency_id="gates"
    )
    full = [prompt, layer, gate, order, unit]
    tab.select(update, full, outputs, **quiet)
    layer.input(update, full, outputs, **quiet)
    gate.input(update, full, outputs, **quiet)
    order.input(update_heatmap, [prompt, layer, gate, order], [notice, heat], **quiet)
    unit.input(
        update_unit, [prompt, layer, gate, unit], [unit_words, unit_plot], trigger_mode="always_last", **quiet
    )
    top.click(top_unit, [prompt, layer, gate, order], unit, **quiet).then(
        update_unit, [prompt, layer, gate, unit], [unit_words, unit_plot], **quiet
    )
    controls = {"layer": layer, "gate": gate, "order": order, "unit": unit}
    return TabView(tab, update_if_open, [*full, active], outputs, controls=controls)
