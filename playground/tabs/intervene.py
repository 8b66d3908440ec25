"""Intervene: pin a gate (or zero the candidate, or set the cell) for chosen units and steps of one layer,
and see the next-word distribution before and after, the layer's heatmaps under the intervention, and a
generation with the intervention next to one without (same seed)."""

from __future__ import annotations

import html
from functools import partial
from typing import Any

import gradio as gr
import plotly.graph_objects as go

from lstmlm.messages import message_of
from lstmlm.model import LanguageModel
from lstmlm.studies.intervene import STATISTICS
from lstmlm.tokenizers import Tokenizer
from playground import markup
from playground.i18n import language, plot_words, say, shown, t
from playground.plots.gates import gate_heatmap
from playground.tabs import TabView, change_charts, lstm_only_tab
from playground.tabs.intervene_presets import UNIT_OFF, choose_preset, preset_shown, value_slider
from playground.text import per_unit, unit_fields
from playground.views.cell_kind import is_lstm
from playground.views.gates import GATES, LayerValues, heatmap_window
from playground.views.intervene import (
    DEFAULT_PRESET,
    MAX_GENERATED,
    PRESETS,
    InterventionRequest,
    describe,
    effect_sentence,
    preset_values,
    run_intervention,
)

# The controls' choices (their words: iv.action.*, iv.units.*, iv.stat.*, iv.value.* in text/intervene.py);
# the statistics are lstmlm.studies.intervene.STATISTICS (lstmlm.cells's list)
ACTIONS = ("pin_forget", "pin_input", "pin_output", "zero_candidate", "set_cell")
UNIT_CHOICES = ("all", "list", "top")


PAIR = '<div class="lp-pair" style="display:grid;grid-template-columns:1fr 1fr;gap:24px">'


def _generations(
    without: list[dict], with_: list[dict], prompt: list[str], tokenizer: Tokenizer, lang: str
) -> str:
    """The two continuations side by side, each word shaded by its probability (as in Generate)."""
    return (
        PAIR
        + f'<div><div class="lp-label">{say("iv.gen_without", lang)}</div>'
        + markup.generated_text(prompt, without, tokenizer=tokenizer)
        + f'</div><div><div class="lp-label">{say("iv.gen_with", lang)}</div>'
        + markup.generated_text(prompt, with_, tokenizer=tokenizer)
        + "</div></div>"
        + markup.probability_legend(tokenizer.unit)
    )


def cannot_apply(problem: Exception, units: str, lang: str, named: dict) -> str:
    """Why the intervention cannot be applied and what to change, for the result area (yellow). An empty
    unit list (e.g. "Switch off the unit found in Units" before any unit was found) says where to find one."""
    said = message_of(problem)
    if units == "list" and said is not None and said.key == "intervene.no_units":
        reason = say("iv.no_unit", lang, **named)
    else:
        reason = shown(problem, lang)
    text = say("iv.cannot_because", lang, reason=reason)
    return f'<div class="lp-notice" id="intervene-cannot">{html.escape(text)}</div>'


def apply_intervention(
    model: LanguageModel, text: str, layer: int, action: str, value: float, units: str, unit_list: str,
    top_n: int, statistic: str, steps: str, n_words: int, seed: int, signal: str,
) -> tuple[str, go.Figure, go.Figure, go.Figure, str]:  # fmt: skip
    """Summary, next-word bars, moved words, the heatmap under the intervention, and both generations, in
    the page's language."""
    lang = language()
    named = unit_fields(lang, model.vocab.tokenizer.unit)
    try:
        req = InterventionRequest(
            int(layer), units, unit_list, int(top_n), statistic, steps, action, float(value)
        )
        res = run_intervention(model, text, req, int(n_words), int(seed or 0), 10)
    except (ValueError, TypeError) as e:
        # said in the result area, and the last result cleared (left there it reads as this one's); no
        # gr.Error: it drew a bare red "Error" over every output and put the reason only in a toast
        return cannot_apply(e, units, lang, named), None, None, None, ""
    ch = res.change
    bars, moved = change_charts(
        ch,
        (say("iv.without_long", lang), say("iv.with_long", lang)),
        (say("iv.without", lang), say("iv.with", lang)),
        say("iv.next_word", lang, **named),
        say("iv.moved_most", lang, **named),
        say("next.probability", lang),
        model.vocab.tokenizer.unit,
    )
    description = describe(res.intervention, req.action, res.tokens, lang, model.vocab.tokenizer.unit)
    moved_by = say("iv.moved", lang, tv=f"{ch.total_variation:.1%}", kl=f"{ch.kl_bits:.3f}", **named)
    summary = (
        f'<div class="lp-summary" id="intervene-text"><b>{html.escape(description)}</b><br>'
        f'<span id="intervene-effect">{html.escape(effect_sentence(ch, lang, model.vocab.tokenizer.unit))}'
        f"</span> {moved_by}</div>"
    )
    lv = LayerValues(
        res.tokens, req.layer, model.config.num_layers, res.intervened, unit=model.vocab.tokenizer.unit
    )
    hm = heatmap_window(lv, signal)
    title = say("iv.heat_title", lang, gate=say(f"gatetitle.{signal}", lang), layer=req.layer + 1)
    words = plot_words(lang)
    heat = gate_heatmap(
        hm.z, hm.words, hm.units, signal, title, hm.first_step, unit=hm.unit, words_text=words
    )
    gens = _generations(
        res.generated_plain, res.generated_intervened, res.tokens, model.vocab.tokenizer, lang
    )
    return markup.notice(res.notice) + summary, bars, moved, heat, gens


def intervention_controls(model: LanguageModel, unit_preset: bool = False) -> dict[str, Any]:
    """The preset, layer / action / value, units and steps rows with the Apply button, created in the open
    tab in this order; returned by name. `unit_preset`: offer UNIT_OFF (Units' found unit is wired in)."""
    num_layers, hidden = model.config.num_layers, model.config.hidden_dim
    unit = model.vocab.tokenizer.unit  # what the model reads: "word" or "character"
    first_layer, first_action, first_value, first_expect = preset_values(DEFAULT_PRESET, num_layers)
    with gr.Row():
        preset = gr.Radio(
            [(t(f"iv.preset.{k}"), k) for k in (*PRESETS, *[UNIT_OFF] * unit_preset)],
            value=DEFAULT_PRESET,
            label=t("iv.preset"),
            elem_id="intervene-preset",
            scale=3,
        )
        expect = gr.HTML(
            f'<div class="lp-small">{t(per_unit(f"iv.expect.{DEFAULT_PRESET}", unit))}</div>',
            elem_id="intervene-expect",
        )
    with gr.Row():
        layer = gr.Radio(
            [(t(f"layer.{n + 1}"), n) for n in range(num_layers)],
            value=first_layer,
            label=t("iv.layer"),
            scale=1,
            elem_id="intervene-layer",
        )
        action = gr.Radio([(t(f"iv.action.{k}"), k) for k in ACTIONS], value=first_action,
                          label=t("iv.action"), scale=4, elem_id="intervene-action")  # fmt: skip
        value = gr.Slider(
            0.0,
            1.0,
            value=first_value,
            step=0.05,
            label=t(f"iv.value.{first_action}"),
            scale=2,
            elem_id="intervene-value",
        )
    with gr.Row():
        units = gr.Radio(
            [(t(f"iv.units.{k}"), k) for k in UNIT_CHOICES], value="all", label=t("iv.units"), scale=2
        )
        unit_list = gr.Textbox("0-9", label=t("iv.unit_list"), info=f"0..{hidden - 1}", scale=2)
        top_n = gr.Slider(1, hidden, value=min(10, hidden), step=1, label="N", scale=2)
        statistic = gr.Dropdown([(t(f"iv.stat.{k}"), k) for k in STATISTICS],
                                value="mean_abs_c", label=t("iv.top_by"), scale=1)  # fmt: skip
    with gr.Row():
        steps = gr.Textbox(
            "0-",
            label=t("iv.steps"),
            scale=3,
            elem_id="intervene-steps",
        )
        n_words = gr.Slider(
            0,
            MAX_GENERATED,
            value=20,
            step=1,
            label=t("iv.n_chars" if model.vocab.tokenizer.unit == "character" else "iv.n_words"),
            scale=2,
        )
        seed = gr.Number(0, precision=0, label=t("iv.seed"), scale=1)
        run = gr.Button(t("iv.apply"), variant="primary", elem_id="intervene-button", scale=1)
    return dict(
        preset=preset, expect=expect, layer=layer, action=action, value=value, units=units,
        unit_list=unit_list, top_n=top_n, statistic=statistic, steps=steps, n_words=n_words, seed=seed,
        run=run,
    )  # fmt: skip


def _action_changed(
    model: LanguageModel, preset: str | None, layer: int, action: str, value: float, units: str, steps: str
) -> tuple:
    """After the action changed (by hand, a lesson or a link): the value slider relabelled for it (its value
    kept), then the preset box and its note (`preset_shown`)."""
    box = preset_shown(model, preset, layer, action, value, units, steps)
    return (value_slider(action, value=None), *box)


def build(model: LanguageModel, prompt: gr.Textbox, found: gr.State | None = None) -> TabView:
    """The Intervene tab; it runs when Apply is pressed (an intervention is a question, not live typing).
    `found`: the Units tab's found unit (its preset "switch off the unit found in Units"; None: no preset)."""
    if not is_lstm(model):
        return lstm_only_tab(model, "intervene", t("tab.intervene"), "intervene")
    apply = partial(apply_intervention, model)

    with gr.Tab(t("tab.intervene"), id="intervene") as tab:
        gr.HTML(f'<div class="lp-small">{t("iv.intro")}</div>')
        c = intervention_controls(model, found is not None)
        summary = gr.HTML(f'<div class="lp-placeholder">{t("iv.empty")}</div>', elem_id="intervene-summary")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                bars = gr.Plot(None, show_label=False, elem_id="intervene-bars")
            with gr.Column(scale=2):
                moved = gr.Plot(show_label=False, elem_id="intervene-moved")
        generated = gr.HTML(elem_id="intervene-generated")
        signal = gr.Radio([(t(f"gate.{g}"), g) for g in GATES], value="c", label=t("iv.heatmap"))
        heat = gr.Plot(show_label=False, elem_id="intervene-heatmap")

    quiet = dict(api_visibility="private", concurrency_limit=2, concurrency_id="intervene")
    settings = ("layer", "action", "value", "units", "unit_list", "top_n", "statistic", "steps", "n_words")
    inputs = [prompt, *(c[k] for k in settings), c["seed"], signal]
    outputs = [summary, bars, moved, heat, generated]
    c["run"].click(apply, inputs, outputs, **quiet)
    signal.input(apply, inputs, outputs, show_progress="hidden", **quiet)
    c["action"].input(
        value_slider, c["action"], c["value"], queue=False, show_progress="hidden", api_visibility="private"
    )
    # user-only (.input); none of these outputs has a listener that writes back, so nothing chains
    chosen = [c[k] for k in ("layer", "action", "value", "units", "unit_list", "steps", "expect")]
    c["preset"].input(
        partial(choose_preset, model), [c["preset"], *([found] if found is not None else [])], chosen,
        queue=False, show_progress="hidden", api_visibility="private",
    )  # fmt: skip
    # the preset box follows the controls (a lesson or a link sets them without it); .change also fires on
    # programmatic updates, and neither output has a listener that writes back, so nothing chains
    shown_by = [c[k] for k in ("preset", "layer", "action", "value", "units", "steps")]
    for k in ("layer", "value", "units", "steps"):
        c[k].change(
            partial(preset_shown, model), shown_by, [c["preset"], c["expect"]], queue=False,
            show_progress="hidden", api_visibility="private", trigger_mode="always_last",
        )  # fmt: skip
    # the action's one listener (an always_last listener must be alone on its trigger): the preset box, and
    # the value relabelled as a click does, keeping the value a lesson or a link set (a label-only update
    # does not fire the value's .change)
    c["action"].change(
        partial(_action_changed, model), shown_by, [c["value"], c["preset"], c["expect"]], queue=False,
        show_progress="hidden", api_visibility="private", trigger_mode="always_last",
    )  # fmt: skip
    # what a shared link restores (playground/classroom/links.py, key "iv")
    controls = {k: c[k] for k in ("layer", "action", "value", "units", "unit_list", "top_n", "steps")}
    start = {k: c[k].value for k in ("preset", "layer", "action", "value", "units", "steps")}
    # the preset box and its note, which Cell hunt's "Intervene on this unit" clears and rewrites
    shared = {k: c[k] for k in ("preset", "expect")}
    return TabView(
        tab, controls=controls, shared=shared, link_fn=partial(_linked, model, start), link_outputs=shared
    )


def _linked(model: LanguageModel, start: dict, spec: dict) -> dict:
    """What a shared link or a lesson step sets with Intervene's controls `spec` (by name), on a page whose
    controls are still `start` (their values as built): the value slider with the range and label of the
    link's action (in the same response as its value, so the server never checks the value against the
    previous action's range: a cell value of 2.5 failed against a gate's 0..1), and the preset box and
    its note as `preset_shown` gives them for the link's controls. The controls' change listeners compute
    the same later; the page no longer depends on when they fire."""
    if not spec:
        return {}
    now = start | {k: v for k, v in spec.items() if k in start}
    keys = ("preset", "layer", "action", "value", "units", "steps")
    preset, expect = preset_shown(model, *(now[k] for k in keys))
    out = {"preset": preset, "expect": expect}
    if "action" in spec or "value" in spec:
        out["value"] = value_slider(now["action"], value=now["value"])
    return out
