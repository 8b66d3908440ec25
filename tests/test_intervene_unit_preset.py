"""Issue 17 item 6: Intervene's preset "switch off the unit found in Units" sets the controls to the unit
Units found (cell C = 0 at every step, that unit only), says what to expect, and, applied, the traced cell
of that unit is 0 at every step while the other units read the first word exactly as without it."""

from __future__ import annotations

import numpy as np

from playground.tabs.intervene import UNIT_OFF, choose_preset
from playground.tabs.units import remember
from playground.views.intervene import InterventionRequest, run_intervention


def test_the_preset_sets_the_found_unit_and_says_what_to_expect(tiny_model):
    found = remember(1, 3.0)  # what Units records after its search showed layer 2 (0-based 1), unit 3
    layer, action, value, units, unit_list, steps, expect = choose_preset(tiny_model, UNIT_OFF, found)
    assert (layer, action, value.value, units, unit_list, steps) == (1, "set_cell", 0.0, "list", "3", "0-")
    hidden = tiny_model.config.hidden_dim
    assert "unit 3 of layer 2" in expect and f"one unit of {hidden}" in expect
    nothing = choose_preset(tiny_model, UNIT_OFF, remember(0, None))  # no unit found yet
    assert "Find units" in nothing[-1] and len(nothing) == 7


def test_applied_it_switches_off_that_cell_only(tiny_model):
    req = InterventionRequest(layer=1, units="list", unit_list="3", steps="0-", action="set_cell", value=0.0)
    res = run_intervention(tiny_model, "the cat sat on the", req, 0, 0, 5)
    c, plain = res.intervened["c"], res.plain["c"]  # (T, H) each
    assert np.all(c[:, 3] == 0.0) and np.any(plain[:, 3] != 0.0)
    others = [u for u in range(c.shape[1]) if u != 3]
    np.testing.assert_array_equal(c[0, others], plain[0, others])  # the first word: only unit 3 differs
