"""Issue 17 item 6: Intervene's preset "switch off the unit found in Units" sets the controls to the unit
Units found (cell C = 0 at every step, that unit only), says what to expect, and, applied, the traced cell
of that unit is 0 at every step while the other units read the first word exactly as without it; chosen
before any unit was found, it asks for one instead of leaving the last preset's settings to be applied."""

from __future__ import annotations

import html

import numpy as np
import pytest

from lstmlm.messages import message_of
from playground.tabs.intervene import UNIT_OFF, choose_preset
from playground.tabs.units import remember
from playground.views.intervene import InterventionRequest, run_intervention


def test_the_preset_sets_the_found_unit_and_says_what_to_expect(tiny_model):
    found = remember(1, 3.0)  # what Units records after its search showed layer 2 (0-based 1), unit 3
    layer, action, value, units, unit_list, steps, expect = choose_preset(tiny_model, UNIT_OFF, found)
    assert (layer, action, value.value, units, unit_list, steps) == (1, "set_cell", 0.0, "list", "3", "0-")
    hidden = tiny_model.config.hidden_dim
    assert "unit 3 of layer 2" in expect and f"one unit of {hidden}" in expect


def test_without_a_found_unit_it_asks_for_one_and_keeps_nothing_of_the_last_preset(tiny_model):
    """Chosen before Units found a unit, the preset does not leave the previous preset's settings in place
    (Apply would run them under this name): the controls take its own shape with an empty unit list, the
    yellow note says how to find or pick a unit, and Apply with the empty list says to write unit numbers
    (it used to read an empty list as every unit)."""
    nothing = choose_preset(tiny_model, UNIT_OFF, remember(0, None))  # no unit found yet
    layer, action, value, units, unit_list, steps, expect = nothing
    assert (action, value.value, units, unit_list, steps) == ("set_cell", 0.0, "list", "", "0-")
    assert 'class="lp-notice"' in expect and "Find units" in expect and "type its number" in expect
    assert "nothing is switched off" in expect
    req = InterventionRequest(layer=1, units="list", unit_list="  ", steps="0-", action="set_cell", value=0.0)
    with pytest.raises(ValueError, match="no units given") as caught:
        run_intervention(tiny_model, "the cat sat on the", req, 0, 0, 5)
    assert message_of(caught.value).key == "intervene.no_units"  # said in Chinese too (text/library.py)


def test_applied_it_switches_off_that_cell_only(tiny_model):
    req = InterventionRequest(layer=1, units="list", unit_list="3", steps="0-", action="set_cell", value=0.0)
    res = run_intervention(tiny_model, "the cat sat on the", req, 0, 0, 5)
    c, plain = res.intervened["c"], res.plain["c"]  # (T, H) each
    assert np.all(c[:, 3] == 0.0) and np.any(plain[:, 3] != 0.0)
    others = [u for u in range(c.shape[1]) if u != 3]
    np.testing.assert_array_equal(c[0, others], plain[0, others])  # the first word: only unit 3 differs


def test_the_preset_box_follows_the_controls(tiny_model):
    """Controls set by a lesson or a link (not by the preset box) select the preset they equal, with its
    note; controls that equal none clear a named preset and say so; UNIT_OFF and Cell hunt's note (no
    preset) are left alone."""
    from playground.tabs.intervene import preset_shown
    from playground.views.intervene import DEFAULT_PRESET, PRESETS, preset_values

    top = tiny_model.config.num_layers - 1
    name, note = preset_shown(
        tiny_model, DEFAULT_PRESET, top, "pin_forget", 1, "all", " 0- "
    )  # a lesson's f = 1
    assert name == "never_forget_top" and html.escape(preset_values(name, top + 1)[3]) in note
    for shown in PRESETS:  # each preset's own controls select it
        layer, action, value, _ = preset_values(shown, top + 1)
        assert preset_shown(tiny_model, None, layer, action, value, "all", "0-")[0] == shown
    own = preset_shown(tiny_model, DEFAULT_PRESET, top, "pin_output", 0.3, "all", "0-")
    assert own[0] is None and "Your own settings" in own[1]
    assert preset_shown(tiny_model, DEFAULT_PRESET, 0, "pin_output", 0.0, "all", "0-")[0] is None  # layer 1
    assert preset_shown(tiny_model, DEFAULT_PRESET, top, "pin_output", 0.0, "list", "0-")[0] is None
    for left in (UNIT_OFF, None):  # nothing named is shown: both outputs skipped
        skipped = preset_shown(tiny_model, left, top, "set_cell", 0.0, "list", "0-")
        assert all(part == {"__type__": "update"} for part in skipped), skipped


class _Request:
    """A page's request as `language()` reads it: its lp_lang cookie."""

    def __init__(self, lang: str) -> None:
        self.headers = {"cookie": f"lp_lang={lang}"}
        self.cookies = {"lp_lang": lang}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_apply_without_a_unit_says_where_to_find_one_in_the_result_area(tiny_model, lang, monkeypatch):
    """The newcomer's case: "Switch off the unit found in Units" before any unit was found, then Apply.
    It used to raise gr.Error (a bare red "Error" over the result, the reason only in a toast, the last
    result left under it); now the result area says why and where to find a unit (Units or Cell hunt),
    and every other output is cleared. The preset's note names Cell hunt too. Other bad input is said the
    same way, with the library's reason."""
    import playground.page_language
    from playground.tabs.intervene import apply_intervention

    monkeypatch.setattr(playground.page_language, "serving_request", lambda: _Request(lang))
    layer, action, value, units, unit_list, steps, expect = choose_preset(tiny_model, UNIT_OFF, None)
    cell_hunt, intervene_button = {
        "en": ("Cell hunt", "Intervene on this unit"),
        "zh": ("寻找单元", "对这个单元做干预"),
    }[lang]
    assert cell_hunt in expect and intervene_button in expect
    top = tiny_model.config.num_layers - 1  # the layer the previous preset left (the preset skips it)
    out = apply_intervention(
        tiny_model, "the cat sat on the", top, action, value.value, units, unit_list, 10, "mean_abs_c", steps,
        5, 0, "c",
    )  # fmt: skip
    summary, bars, moved, heat, generated = out
    assert (bars, moved, heat, generated) == (None, None, None, "")  # no stale result under the message
    assert 'id="intervene-cannot"' in summary and "Error" not in summary
    find = {"en": "Find units", "zh": "查找单元"}[lang]
    assert find in summary and cell_hunt in summary and intervene_button in summary, summary
    said = apply_intervention(
        tiny_model,
        "the cat sat on the",
        top,
        "pin_forget",
        0.0,
        "all",
        "",
        10,
        "mean_abs_c",
        "x-y",
        5,
        0,
        "c",
    )[0]
    from lstmlm.studies.intervene import parse_steps
    from playground.i18n import shown

    with pytest.raises(ValueError) as caught:
        parse_steps("x-y", 5)
    assert html.escape(shown(caught.value, lang)) in said and 'id="intervene-cannot"' in said
    assert {"en": "Cannot apply this intervention: ", "zh": "无法应用这个干预："}[lang] in said
