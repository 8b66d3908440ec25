"""Intervene: pin a gate (or zero the candidate, or set the cell) for chosen units and steps of one layer,
and see the next-word distribution before and after, the layer's heatmaps under the intervention, and a
generation with the intervention next to one without (same seed)."""

from __future__ import annotations

import html
from functools import partial
from typing import Any

import gradio as gr
import plotly.graph_objects as go

from lstmlm.model import LanguageModel
from lstmlm.studies.intervene import STATISTICS
from lstmlm.tokenizers import Tokenizer
from playground import markup
from playground.i18n import t
from playground.plots.gates import gate_heatmap
from playground.plots.style import placeholder
from playground.tabs import TabView, change_charts, lstm_only_tab
from playground.views.cell_kind import is_lstm
from playground.views.gates import GATE_LABELS, GATE_TITLES, GATES, LayerValues, heatmap_window
from playground.views.intervene import (
    DEFAULT_PRESET,
    MAX_GENERATED,
    PRESETS,
    InterventionRequest,
    effect_sentence,
    preset_values,
    run_intervention,
)

ACTION_LABELS = {
    "pin_forget": "Pin forget gate f",
    "pin_input": "Pin input gate i",
    "pin_output": "Pin output gate o",
    "zero_candidate": "Zero the candidate C̃",
    "set_cell": "Set the cell C",
}
UNIT_LABELS = {"all": "All units", "list": "A list / range", "top": "Top N by"}
STAT_LABELS = {"mean": "mean", "variance": "variance", "saturation": "saturation", "mean_abs_c": "mean |C|"}
EMPTY = "Choose an intervention and press Apply."


VALUE_LABELS = {
    "pin_forget": "f value (1 = never forget, 0 = forget everything)",
    "pin_input": "i value (1 = write all of the candidate, 0 = write nothing)",
    "pin_output": "o value (1 = show all of the memory, 0 = hide it)",
    "zero_candidate": "value (not used: C̃ is set to 0)",
    "set_cell": "C value",
}


def _value_slider(action: str, value: float = 0.0) -> gr.Slider:
    """The value control for an action: 0..1 for a gate, -5..5 for the cell; reset to `value`."""
    lo, hi = (-5.0, 5.0) if action == "set_cell" else (0.0, 1.0)
    return gr.Slider(
        minimum=lo,
        maximum=hi,
        value=value,
        label=VALUE_LABELS[action],
        interactive=action != "zero_candidate",
    )


PAIR = '<div class="lp-pair" style="display:grid;grid-template-columns:1fr 1fr;gap:24px">'


def _generations(without: list[dict], with_: list[dict], prompt: list[str], tokenizer: Tokenizer) -> str:
    """The two continuations side by side, each word shaded by its probability (as in Generate)."""
    return (
        PAIR
        + '<div><div class="lp-label">Without the intervention</div>'
        + markup.generated_text(prompt, without, tokenizer=tokenizer)
        + '</div><div><div class="lp-label">With the intervention (same seed)</div>'
        + markup.generated_text(prompt, with_, tokenizer=tokenizer)
        + "</div></div>"
        + markup.probability_legend(tokenizer.unit)
    )


def apply_intervention(
    model: LanguageModel, text: str, layer: int, action: str, value: float, units: str, unit_list: str,
    top_n: int, statistic: str, steps: str, n_words: int, seed: int, signal: str,
) -> tuple[str, go.Figure, go.Figure, go.Figure, str]:  # fmt: skip
    """Summary, next-word bars, moved words, the heatmap under the intervention, and both generations."""
    req = InterventionRequest(
        int(layer), units, unit_list, int(top_n), statistic, steps, action, float(value)
    )
    try:
        res = run_intervention(model, text, req, int(n_words), int(seed or 0), 10)
    except (ValueError, TypeError) as e:
        raise gr.Error(str(e), title="Cannot apply this intervention", print_exception=False) from None
    ch = res.change
    bars, moved = change_charts(
        ch,
        ("without the intervention", "with the intervention"),
        ("without", "with"),
        "Next word after your text",
        "Words whose probability moved most",
    )
    summary = (
        f'<div class="lp-summary" id="intervene-text"><b>{html.escape(res.description)}</b><br>'
        f'<span id="intervene-effect">{html.escape(effect_sentence(ch))}</span> '
        f"The next-word distribution moved by {ch.total_variation:.1%} (total variation); "
        f"KL = {ch.kl_bits:.3f} bits.</div>"
    )
    lv = LayerValues(
        res.tokens, req.layer, model.config.num_layers, res.intervened, unit=model.vocab.tokenizer.unit
    )
    hm = heatmap_window(lv, signal)
    title = f"{GATE_TITLES[signal]} with the intervention · layer {req.layer + 1}"
    heat = gate_heatmap(hm.z, hm.words, hm.units, signal, title, hm.first_step, unit=hm.unit)
    gens = _generations(res.generated_plain, res.generated_intervened, res.tokens, model.vocab.tokenizer)
    return markup.notice(res.notice) + summary, bars, moved, heat, gens


def choose_preset(model: LanguageModel, name: str) -> tuple:
    """The controls a preset sets: layer, action, value slider, units, steps, and what to expect."""
    lay, act, val, note = preset_values(name, model.config.num_layers)
    return (
        lay,
        act,
        _value_slider(act, val),
        "all",
        "0-",
        f'<div class="lp-small">{html.escape(note)}</div>',
    )


def intervention_controls(model: LanguageModel) -> dict[str, Any]:
    """The preset, layer / action / value, units and steps rows with the Apply button, created in the open
    tab in this order; returned by name."""
    num_layers, hidden = model.config.num_layers, model.config.hidden_dim
    first_layer, first_action, first_value, first_expect = preset_values(DEFAULT_PRESET, num_layers)
    with gr.Row():
        preset = gr.Radio(
            [(p.label, k) for k, p in PRESETS.items()],
            value=DEFAULT_PRESET,
            label="Try one (it sets the controls below)",
            elem_id="intervene-preset",
            scale=3,
        )
        expect = gr.HTML(
            f'<div class="lp-small">{html.escape(first_expect)}</div>', elem_id="intervene-expect"
        )
    with gr.Row():
        layer = gr.Radio(
            [(f"Layer {n + 1}", n) for n in range(num_layers)],
            value=first_layer,
            label="Layer",
            scale=1,
            elem_id="intervene-layer",
        )
        action = gr.Radio([(v, k) for k, v in ACTION_LABELS.items()], value=first_action, label="Action",
                          scale=4, elem_id="intervene-action")  # fmt: skip
        value = gr.Slider(
            0.0,
            1.0,
            value=first_value,
            step=0.05,
            label=VALUE_LABELS[first_action],
            scale=2,
            elem_id="intervene-value",
        )
    with gr.Row():
        units = gr.Radio([(v, k) for k, v in UNIT_LABELS.items()], value="all", label="Units", scale=2)
        unit_list = gr.Textbox("0-9", label=f"Units (0..{hidden - 1}), e.g. 3,5,10-19", scale=2)
        top_n = gr.Slider(1, hidden, value=min(10, hidden), step=1, label="N", scale=2)
        statistic = gr.Dropdown([(v, k) for k, v in STAT_LABELS.items() if k in STATISTICS],
                                value="mean_abs_c", label="Top N by", scale=1)  # fmt: skip
    with gr.Row():
        steps = gr.Textbox(
            "0-",
            label="Steps: 4 = one step, 2-6 = a range, 4- = from step 4 on",
            scale=3,
            elem_id="intervene-steps",
        )
        n_words = gr.Slider(
            0,
            MAX_GENERATED,
            value=20,
            step=1,
            label=f"{model.vocab.tokenizer.unit.capitalize()}s to generate",
            scale=2,
        )
        seed = gr.Number(0, precision=0, label="Seed", scale=1)
        run = gr.Button("Apply intervention", variant="primary", elem_id="intervene-button", scale=1)
    return dict(
        preset=preset, expect=expect, layer=layer, action=action, value=value, units=units,
        unit_list=unit_list, top_n=top_n, statistic=statistic, steps=steps, n_words=n_words, seed=seed,
        run=run,
    )  # fmt: skip


def build(model: LanguageModel, prompt: gr.Textbox) -> TabView:
    """The Intervene tab; it runs when Apply is pressed (an intervention is a question, not live typing)."""
    if not is_lstm(model):
        return lstm_only_tab(model, "intervene", t("tab.intervene"), "intervene")
    apply = partial(apply_intervention, model)

    with gr.Tab(t("tab.intervene"), id="intervene") as tab:
        gr.HTML(
            '<div class="lp-small">Change what one layer\'s cells do while the model reads your text, '
            f"and watch its prediction respond. Steps count {model.vocab.tokenizer.unit}s from 0.</div>"
        )
        c = intervention_controls(model)
        summary = gr.HTML(markup.placeholder(EMPTY), elem_id="intervene-summary")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                bars = gr.Plot(placeholder(EMPTY), show_label=False, elem_id="intervene-bars")
            with gr.Column(scale=2):
                moved = gr.Plot(show_label=False, elem_id="intervene-moved")
        generated = gr.HTML(elem_id="intervene-generated")
        signal = gr.Radio(
            [(GATE_LABELS[g], g) for g in GATES], value="c", label="Heatmap under the intervention"
        )
        heat = gr.Plot(show_label=False, elem_id="intervene-heatmap")

    quiet = dict(api_visibility="private", concurrency_limit=2, concurrency_id="intervene")
    settings = ("layer", "action", "value", "units", "unit_list", "top_n", "statistic", "steps", "n_words")
    inputs = [prompt, *(c[k] for k in settings), c["seed"], signal]
    outputs = [summary, bars, moved, heat, generated]
    c["run"].click(apply, inputs, outputs, **quiet)
    signal.input(apply, inputs, outputs, show_progress="hidden", **quiet)
    c["action"].input(
        _value_slider, c["action"], c["value"], queue=False, show_progress="hidden", api_visibility="private"
    )
    # user-only (.input); none of these outputs has a listener that writes back, so nothing chains
    chosen = [c[k] for k in ("layer", "action", "value", "units", "steps", "expect")]
    c["preset"].input(
        partial(choose_preset, model), c["preset"], chosen, queue=False, show_progress="hidden",
        api_visibility="private",
    )  # fmt: skip
    # what a shared link restores (playground/classroom/links.py, key "iv")
    controls = {k: c[k] for k in ("layer", "action", "value", "units", "unit_list", "top_n", "steps")}
    return TabView(tab, controls=controls)
