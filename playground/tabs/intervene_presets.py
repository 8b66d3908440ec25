"""Intervene's presets: the controls a preset sets (and what to expect from it), and which preset the
controls match after they changed by hand, by a lesson or by a shared link; the value slider each action
gets. Handlers take the model first (bound with partial in tabs/intervene.py)."""

from __future__ import annotations

import html

import gradio as gr

from lstmlm.model import LanguageModel
from playground import markup
from playground.i18n import language, say, t
from playground.text import unit_fields
from playground.views.intervene import PRESETS, preset_values


def value_slider(action: str, value: float | None = 0.0) -> gr.Slider:
    """The value control for an action: 0..1 for a gate, -5..5 for the cell, its label and whether it can be
    moved; reset to `value` (None: keep the value, for an action a lesson or a link set)."""
    lo, hi = (-5.0, 5.0) if action == "set_cell" else (0.0, 1.0)
    kept = {} if value is None else {"value": value}  # an update changes only what it is given
    return gr.Slider(
        minimum=lo, maximum=hi, label=t(f"iv.value.{action}"), interactive=action != "zero_candidate", **kept
    )


UNIT_OFF = "unit_off"  # the preset that switches off the unit Units found (not in PRESETS: it needs one)


def choose_preset(model: LanguageModel, name: str, found: dict | None = None) -> tuple:
    """The controls a preset sets: layer, action, value slider, units, unit list, steps, and what to
    expect (in the page's language). UNIT_OFF sets the cell C of the unit Units found (`found`: {"layer",
    "unit"}) to 0 at every step; without one it sets the same controls with an empty unit list (so Apply
    asks for a unit rather than running the previous preset under this name) and says how to find or pick
    one."""
    lang = language()
    named = unit_fields(lang, model.vocab.tokenizer.unit)
    if name == UNIT_OFF:
        if not found:
            note = say("iv.expect.unit_none", lang, **named)
            return (
                gr.skip(),
                "set_cell",
                value_slider("set_cell", 0.0),
                "list",
                "",
                "0-",
                markup.notice(note),  # yellow: nothing is set up to apply yet
            )
        layer, unit = int(found["layer"]), int(found["unit"])
        note = say(
            "iv.expect.unit_off", lang, neuron=unit, layer=layer + 1, n_units=model.config.hidden_dim, **named
        )
        return (
            layer,
            "set_cell",
            value_slider("set_cell", 0.0),
            "list",
            str(unit),
            "0-",
            (f'<div class="lp-small">{html.escape(note)}</div>'),
        )
    lay, act, val, note = preset_values(name, model.config.num_layers, lang, model.vocab.tokenizer.unit)
    return (
        lay,
        act,
        value_slider(act, val),
        "all",
        gr.skip(),
        "0-",
        f'<div class="lp-small">{html.escape(note)}</div>',
    )


def preset_shown(
    model: LanguageModel, preset: str | None, layer: int, action: str, value: float, units: str, steps: str
) -> tuple:
    """The preset box and its note after the controls changed (by hand, a lesson or a shared link): the
    named preset the controls now match exactly, with its note; when they match none while a named preset
    is shown, no preset and a note saying these are your own settings (a preset must never look applied
    when it is not). Left alone when no named preset is shown (none, UNIT_OFF, or Cell hunt's note)."""
    lang = language()
    unit = model.vocab.tokenizer.unit
    try:
        now = (int(layer), action, float(value), units, str(steps).strip())
    except (TypeError, ValueError):  # a control being edited
        now = None
    for name in PRESETS:
        lay, act, val, note = preset_values(name, model.config.num_layers, lang, unit)
        if now == (lay, act, val, "all", "0-"):
            return name, f'<div class="lp-small">{html.escape(note)}</div>'
    if preset in PRESETS:
        return None, f'<div class="lp-small">{html.escape(say("iv.own_settings", lang))}</div>'
    return gr.skip(), gr.skip()
