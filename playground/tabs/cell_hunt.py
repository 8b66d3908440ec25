"""Cell hunt: pick a track computed from the text (inside quotes, position in the line, ... or a regular
expression of your own), find the units whose cell c or hidden state h follow it best, see the text shaded
by a found unit with the track under it, and open Intervene on that unit with one click.

It does not follow the prompt as you type (a hunt reads up to thousands of characters): it runs when Hunt
is pressed, over its own text box ("Use my prompt" copies the prompt in)."""

from __future__ import annotations

import html
import math
from functools import partial
from typing import Any

import gradio as gr
import numpy as np
import plotly.graph_objects as go

from lstmlm.model import LanguageModel
from playground import markup
from playground.i18n import language, say, shown, t
from playground.plots.cell_hunt import best_table, unit_track_scatter
from playground.plots.style import placeholder
from playground.tabs import TabView
from playground.views.cell_hunt import (
    CELL_RANGE,
    HuntView,
    best_rows,
    default_text,
    describe,
    hunt_view,
    intervene_settings,
    parse_unit_key,
    shaded_track_text,
    track_choices,
    track_label,
    unit_key,
)
from playground.views.intervene import ACTIONS

CELL_LIMIT = ACTIONS["set_cell"][2][1]  # the largest |C| the Intervene view accepts

# what the button sets: the preset box (cleared: no named preset applies) and its note, then the settings
INTERVENE_CONTROLS = ("preset", "expect", "layer", "action", "value", "units", "unit_list", "steps")


def cell_bound(observed: np.ndarray) -> tuple[float, bool]:
    """The cell slider's half-range for a unit whose C took the values `observed` (any shape): the
    default ±CELL_RANGE, widened to the next whole number above the largest |C| seen, at most CELL_LIMIT;
    and whether the values pass that limit (the setting is then capped)."""
    reach = float(np.abs(observed).max()) if np.size(observed) else 0.0
    return float(min(CELL_LIMIT, max(CELL_RANGE, math.ceil(reach)))), reach > CELL_LIMIT


def run(
    model: LanguageModel, cache: dict | None, text: str, track: str, regex: str, over: str, signal: str
) -> tuple:
    """Hunt: the best units' table, the found units to pick from, the best one's pictures, and what was
    hunted (the tab's state, so that picking a unit need not ask again). In the page's language."""
    lang = language()
    try:
        v = hunt_view(model, text, track, regex, over, cache, lang)
    except ValueError as e:
        # said in the result area, the last hunt cleared (left there it reads as this one's) and forgotten
        # (picking a unit then says to hunt first); no gr.Error: it stamped a red "Error" on every output
        return cannot_hunt(e, lang), gr.Radio(choices=[], value=None), "", None, {}
    signal = None if signal == "both" else signal
    best = [] if v.ranking.skipped else v.best(8, signal)
    table = best_table(
        [best_rows(rows) for rows in v.per_layer(3, signal)], v.ranking.kind, v.ranking.skipped, lang
    )
    label = html.escape(track_label(track, model.vocab.tokenizer.unit, lang, v.track.label))
    head = f'<div class="lp-label">{say("hunt.best_for", lang, track=label)}</div>'
    summary = markup.notice(v.notice) + head + table
    choices = [(describe(r, v.ranking.kind, lang), unit_key(r)) for r in best]
    picked = choices[0][1] if choices else None
    shaded, scatter = unit_pictures(model, v, picked, lang)
    found = {"track": track, "regex": regex, "over": over, "choices": choices}
    return summary, gr.Radio(choices=choices, value=picked), shaded, scatter, found


def cannot_hunt(problem: Exception, lang: str, key: str = "hunt.cannot_because") -> str:
    """Why the hunt (or a picked unit, `key` "hunt.cannot_show_because") cannot be shown and what to
    change, for the result area (yellow, #cell-hunt-cannot)."""
    return markup.refusal(say(key, lang, reason=shown(problem, lang)), "cell-hunt-cannot")


def unit_pictures(model: LanguageModel, v: HuntView, key: str | None, lang: str) -> tuple[str, go.Figure]:
    """The text shaded by the unit `key` ('layer:signal:unit') and its scatter against the track, in
    `lang`."""
    if key is None:
        return markup.placeholder(say("hunt.no_unit", lang)), placeholder(say("hunt.no_unit", lang))
    layer, signal, unit = parse_unit_key(key)
    r = next(r for r in v.best(10_000) if (r.layer, r.signal, r.unit) == (layer, signal, unit))
    values = v.unit_values(layer, signal, unit)
    signal_name = say(f"gate.{signal}", lang) if signal in ("c", "h") else signal
    label = say("hunt.unit_label", lang, layer=layer + 1, signal=signal_name, unit=unit)
    track = track_label(v.track.name, model.vocab.tokenizer.unit, lang, v.track.label)
    shaded = shaded_track_text(v.tokens, values, v.track.values, model.vocab.tokenizer, label, track, lang)
    scatter = unit_track_scatter(values, v.track.values, v.ranking.kind, describe(r, v.ranking.kind, lang),
                                 track, say("hunt.value_label", lang, signal=r.signal, unit=r.unit),
                                 lang)  # fmt: skip
    return shaded, scatter


def pick(model: LanguageModel, cache: dict | None, text: str, found: dict, key: str | None) -> tuple:
    """A picked unit's pictures (the hunt is read again: the state holds what was hunted, not the values)."""
    if not found or not key:
        return gr.skip(), gr.skip()
    lang = language()
    try:
        v = hunt_view(model, text, found["track"], found["regex"], found["over"], cache, lang)
        return unit_pictures(model, v, key, lang)
    except ValueError as e:  # e.g. the text was emptied since the hunt: said where the picture was
        return cannot_hunt(e, lang, "hunt.cannot_show_because"), None


def to_intervene(
    model: LanguageModel, cache: dict | None, names: list[str], text: str, found: dict, key: str | None
) -> tuple:
    """Open Intervene with the picked unit's cell set to its value where the track is on, the value
    slider wide enough for every C the unit took over the text (cell_bound), the preset box cleared and
    its note saying what was set: the tab, the active view, then the Intervene controls `names`, then the
    unit's picture and scatter (left as they are; where the hunt can no longer be read: the reason and no
    scatter, as `pick` shows them, and nothing opens)."""
    if not found or not key:
        gr.Warning(say("hunt.first"))
        return (gr.skip(),) * (4 + len(names))
    lang = language()
    try:
        layer, _, unit = parse_unit_key(key)
        v = hunt_view(model, text, found["track"], found["regex"], found["over"], cache)
    except ValueError as e:  # e.g. the text was emptied since the hunt
        return (gr.skip(),) * (2 + len(names)) + (cannot_hunt(e, lang, "hunt.cannot_show_because"), None)
    observed = v.unit_values(layer, "c", unit) if "c" in v.values else np.zeros(0)
    bound, capped = cell_bound(observed)
    s = intervene_settings(v.ranking, layer, unit, bound)
    lo, hi = (float(observed.min()), float(observed.max())) if observed.size else (0.0, 0.0)
    note = say(
        "hunt.iv_note",
        lang,
        unit=unit,
        layer=layer + 1,
        value=f"{s['value']:g}",
        lo=f"{lo:.2f}",
        hi=f"{hi:.2f}",
        bound=f"{bound:g}",
    )
    note += say("hunt.iv_capped", lang, bound=f"{bound:g}") if capped else ""
    values = {
        **s,
        "preset": None,
        "expect": f'<div class="lp-small" id="intervene-from-hunt">{html.escape(note)}</div>',
        "value": gr.Slider(minimum=-bound, maximum=bound, value=s["value"], label=t("iv.value.set_cell")),
    }  # fmt: skip
    return gr.Tabs(selected="intervene"), "intervene", *[values[n] for n in names], gr.skip(), gr.skip()


def prompt_text(prompt: str | None) -> str:
    """ "Use my prompt": the prompt, copied into the hunt's text box."""
    return prompt or ""


def build(
    model: LanguageModel,
    prompt: gr.Textbox,
    active: gr.State,
    tabs: gr.Tabs,
    cache: dict | None,
    intervene: dict[str, Any] | None = None,
) -> TabView:
    """The Cell-hunt tab. `cache` is the model's cached ranking (None: none); `intervene` the Intervene
    tab's controls (preset, expect, layer, action, value, units, unit_list, steps), which "Intervene on
    this unit" sets."""
    unit_name = model.vocab.tokenizer.unit
    lstm = model.config.cell == "lstm"

    with gr.Tab(t("tab.cell_hunt"), id="cell_hunt") as tab:
        gr.HTML(f'<div class="lp-small">{t("hunt.intro")}</div>')
        with gr.Row():
            # the tracks' names: one i18n key per track and kind of step (the browser translates whole keys)
            tracks = [
                (t(f"hunt.trackname.{name}.{unit_name}"), name) for _, name in track_choices(model, cache)
            ]
            track = gr.Dropdown(tracks, value="quote", label=t("hunt.track"), scale=3,
                                elem_id="cell-hunt-track")  # fmt: skip
            regex = gr.Textbox("", label=t("hunt.regex"),
                               placeholder=t("hunt.regex_example"), scale=3, max_lines=1,
                               elem_id="cell-hunt-regex")  # fmt: skip
            overs = [(t(f"hunt.over.{k}"), k) for k in ("validation", "text")]
            over = gr.Radio(overs if cache else overs[1:], value="validation" if cache else "text",
                            label=t("hunt.over"), scale=3)  # fmt: skip
            signals = [(t(f"hunt.signal.{k}"), k) for k in (("both", "c", "h") if lstm else ("h",))]
            signal = gr.Radio(signals, value=signals[0][1], label=t("hunt.signal"), scale=2)
        text = gr.Textbox(default_text(cache), lines=6, max_lines=14, label=t("hunt.text"),
                          elem_id="cell-hunt-text")  # fmt: skip
        with gr.Row():
            use_prompt = gr.Button(t("hunt.use_prompt"), size="sm", scale=0, min_width=160)
            go_button = gr.Button(t("hunt.hunt"), variant="primary", elem_id="cell-hunt-button", scale=1)
        summary = gr.HTML(f'<div class="lp-placeholder">{t("hunt.empty")}</div>', elem_id="cell-hunt-summary")
        unit = gr.Radio([], label=t("hunt.found"), elem_id="cell-hunt-units")
        shaded = gr.HTML(elem_id="cell-hunt-picture")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                scatter = gr.Plot(None, show_label=False, elem_id="cell-hunt-scatter")
            with gr.Column(scale=1, min_width=220):
                iv_button = gr.Button(
                    t("hunt.intervene"), elem_id="cell-hunt-intervene", visible=lstm and bool(intervene)
                )
                gr.HTML(f'<div class="lp-small">{t("hunt.intervene_note")}</div>')
        found = gr.State({})

    quiet = dict(api_visibility="private", concurrency_limit=2, concurrency_id="cell_hunt")
    hunt_in, hunt_out = [text, track, regex, over, signal], [summary, unit, shaded, scatter, found]
    go_button.click(partial(run, model, cache), hunt_in, hunt_out, **quiet)
    regex.submit(partial(run, model, cache), hunt_in, hunt_out, **quiet)
    unit.input(
        partial(pick, model, cache), [text, found, unit], [shaded, scatter], show_progress="hidden", **quiet
    )
    use_prompt.click(prompt_text, prompt, text, queue=False, show_progress="hidden", api_visibility="private")
    names = [n for n in INTERVENE_CONTROLS if n in (intervene or {})]
    if intervene and lstm:
        outputs = [tabs, active, *[intervene[n] for n in names], shaded, scatter]
        iv_button.click(partial(to_intervene, model, cache, names), [text, found, unit], outputs, **quiet)
    return TabView(tab)
