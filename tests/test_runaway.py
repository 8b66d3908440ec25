"""Runaway cells and counter units: the statistics, and the Gates, Equations and Units views on a model
whose unit 3 is set to integrate (C_t = C_{t-1} + 1 at every word)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstmlm.prompt import read_prompt
from lstmlm.studies.runaway import counter_units, robust_bound, runaway_cells, runaway_note
from playground import plots
from playground.views.equations import equations_json
from playground.views.gates import heatmap_window, trace_layer
from playground.views.units import counter_units_view

PROMPT = " ".join(["the cat sat on the mat ."] * 6)  # 42 words
COUNTER = 3


def integrating(model, layer: int = 0, unit: int = COUNTER):
    """Make `unit` of `layer` integrate: i = f = 1, candidate g = 1, so C_t = C_{t-1} + 1 (nearly exactly);
    every other unit's weights shrink so that its cell stays small."""
    rnn, H = model.rnn, model.config.hidden_dim
    with torch.no_grad():
        for name, p in rnn.named_parameters():
            if name.endswith(f"_l{layer}"):
                p.mul_(0.3)
                rows = [unit, H + unit, 2 * H + unit, 3 * H + unit]  # i, f, g, o
                p[rows] = 0.0
                if name.startswith("bias_ih"):
                    p[rows] = 20.0  # sigmoid(20) = 1 - 2e-9, tanh(20) = 1
    return model


def test_runaway_cells_and_the_robust_bound_on_made_up_cells():
    rng = np.random.default_rng(0)
    c = rng.uniform(-2, 2, size=(50, 8))
    c[:, 5] = np.arange(50) * 3.0  # reaches 147
    cells = runaway_cells(c)
    assert [r.unit for r in cells] == [5]
    assert cells[0].max_abs == pytest.approx(147.0)
    assert cells[0].typical == pytest.approx(np.median(np.abs(c).max(0)))
    others = np.delete(np.abs(c), 5, axis=1)
    assert robust_bound(c, [5]) == pytest.approx(np.percentile(others, 99))
    assert robust_bound(c, [5]) < 2.0 < np.percentile(np.abs(c), 99)  # the unit would set the scale otherwise
    assert "unit 5 (|C| up to 147.0)" in runaway_note(cells, layer=0) and "layer 1" in runaway_note(cells, 0)
    assert runaway_cells(rng.uniform(-2, 2, size=(50, 8))) == [] and runaway_note([]) == ""
    small = rng.uniform(-0.1, 0.1, size=(50, 8))
    small[:, 5] = 9.0  # far above the rest but below RUNAWAY_MIN (10): not called a runaway
    assert runaway_cells(small) == []
    small[0, 5] = 10.5
    assert [r.unit for r in runaway_cells(small)] == [5]


def test_counter_units_fit_a_line_against_the_position():
    rng = np.random.default_rng(1)
    T = 40
    c = rng.normal(0, 1, size=(T, 6))
    c[:, 2] = 0.5 * np.arange(T) + rng.normal(0, 0.1, T)  # a counter
    c[:, 4] = -0.2 * np.arange(T) + rng.normal(0, 2.0, T)  # a noisy down-counter
    ranked = counter_units(c, k=6)
    assert [u.unit for u in ranked[:2]] == [2, 4]
    for u in ranked:
        slope = np.polyfit(np.arange(T), c[:, u.unit], 1)[0]
        r = np.corrcoef(np.arange(T), c[:, u.unit])[0, 1]
        assert u.slope == pytest.approx(slope, rel=1e-9)
        assert u.r == pytest.approx(r, rel=1e-9)
        assert u.growth == pytest.approx(slope * (T - 1), rel=1e-9)
    assert [u.score for u in ranked] == sorted((u.score for u in ranked), reverse=True)
    with pytest.raises(ValueError, match="at least 3 words"):
        counter_units(c[:2])


def test_gates_view_names_the_runaway_cell_and_scales_colours_to_the_rest(tiny_model):
    model = integrating(tiny_model)
    lv = trace_layer(model, read_prompt(model.vocab, PROMPT), 0)
    c = lv.values["c"]  # (T, H)
    assert c[-1, COUNTER] > 40  # it counts the words (and the line start)
    hm = heatmap_window(lv, "c")
    assert hm.runaway == (COUNTER,)
    assert f"unit {COUNTER} (|C| up to {np.abs(c[:, COUNTER]).max():,.1f})" in hm.notice
    zh = heatmap_window(lv, "c", lang="zh").notice  # the Chinese page's: the same unit, |C| and bound
    assert f"单元 {COUNTER}（|C| 最大 {np.abs(c[:, COUNTER]).max():,.1f}）" in zh
    assert f"±{np.percentile(np.delete(np.abs(c), COUNTER, axis=1), 99):.2f}" in zh and "Runaway" not in zh
    others = np.delete(np.abs(c), COUNTER, axis=1)
    assert hm.bound == pytest.approx(np.percentile(others, 99), rel=1e-5)
    fig = plots.gate_heatmap(hm.z, hm.words, hm.units, "c", "cell", hm.first_step, hm.bound)
    assert fig.data[0].zmax == pytest.approx(hm.bound) and fig.data[0].zmin == pytest.approx(-hm.bound)
    # the hidden state and the gates are bounded: no note, no bound of their own
    assert heatmap_window(lv, "h").runaway == () and heatmap_window(lv, "f").bound is None
    # the unmodified model has no runaway cell
    lv0 = trace_layer(tiny_model.__class__(tiny_model.config), read_prompt(model.vocab, PROMPT), 0)
    assert "Runaway" not in heatmap_window(lv0, "c").notice


def test_equations_note_the_runaway_cell(tiny_model):
    model = integrating(tiny_model)
    eq = equations_json(model, PROMPT, layer=0, step=-1, unit=COUNTER)
    assert eq["runaway"][0]["unit"] == COUNTER
    assert eq["runaway"][0]["max_abs"] == pytest.approx(max(abs(x) for x in eq["memory"]["c"]), rel=1e-5)
    assert eq["runaway_note"].startswith(f"Unit {COUNTER} is a runaway cell")
    other = equations_json(model, PROMPT, layer=0, step=-1, unit=0)
    assert f"unit {COUNTER} (|C| up to" in other["runaway_note"]
    assert equations_json(model, PROMPT, layer=1, step=-1, unit=0)["runaway_note"] == ""


def test_units_view_finds_the_counter_unit(tiny_model):
    model = integrating(tiny_model)
    found = counter_units_view(model, PROMPT, 0, k=3)
    assert found[0].unit == COUNTER
    assert found[0].slope == pytest.approx(1.0, abs=1e-3) and found[0].r == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(ValueError, match="three words"):
        counter_units_view(model, "the cat", 0)
