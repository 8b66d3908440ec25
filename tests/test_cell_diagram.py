"""The live cell diagram (LSTM, GRU, plain RNN; one unit or every unit) against the cell's equations worked by
hand in NumPy (float64) from the model's weights, themselves checked against the model's fused nn.LSTM /
nn.GRU / nn.RNN; each part's link to its equation; and the Equations tab's step, play and stop handlers."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import gradio as gr
import numpy as np
import pytest
import torch

from lstmlm import load_model
from lstmlm.studies.arrays import layer_arrays
from lstmlm.studies.equations import equation_numbers, equations_latex
from lstmlm.trace import trace
from playground.plots.cell_diagram import EQUATION_ORDER, cell_svg
from playground.plots.cell_diagram_cells import cell_svg_any
from playground.tabs import equations as tab
from playground.text.equations import PAIRS
from playground.views.cell_diagram import OTHER_CELL_WORDS, cell_diagrams, other_cell_latex
from playground.views.next_word import line_start

TEXT = "the cat sat on the mat ."
SVG = "{http://www.w3.org/2000/svg}"
DRAWN = {  # what each diagram writes on its parts
    "lstm": {"c_prev", "h_prev", "f", "i", "g", "o", "c", "h", "fc", "ig", "tc"},
    "gru": {"h_prev", "z", "r", "n", "h", "keep", "omz", "rhn", "new"},
    "rnn_tanh": {"h_prev", "a", "h"},
    "rnn_relu": {"h_prev", "a", "h"},
}
LHS = {
    "f": "f_t",
    "i": "i_t",
    "g": "\\tilde{C}_t",
    "c": "C_t",
    "o": "o_t",
    "h": "h_t",
    "r": "r_t",
    "z": "z_t",
}
LHS["n"] = "n_t"


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def by_hand(model, ids: list[int]) -> list[dict[str, np.ndarray]]:
    """Every layer's quantities, (T, H) each, for `ids` read after a line break (<eos>) from the zero state:
    PyTorch's documented equations in float64. Row t is the prompt's word t (the <eos> row is dropped);
    h_prev (and c_prev) are the states before each word."""
    cell = model.config.cell
    x = model.embedding.weight.detach().double().numpy()[[model.vocab.eos_id, *ids]]
    layers = []
    for layer in range(model.config.num_layers):
        w_ih, w_hh, b_ih, b_hh = (
            getattr(model.rnn, f"{n}_l{layer}").detach().double().numpy()
            for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        )
        H = w_hh.shape[1]
        h, c = np.zeros(H), np.zeros(H)
        rows: dict[str, list[np.ndarray]] = {}
        for x_t in x:
            row = {"h_prev": h, "c_prev": c}
            xp, hp = w_ih @ x_t + b_ih, w_hh @ h + b_hh
            if cell == "lstm":
                a = xp + hp
                i, f, g, o = (
                    _sigmoid(a[:H]),
                    _sigmoid(a[H : 2 * H]),
                    np.tanh(a[2 * H : 3 * H]),
                    _sigmoid(a[3 * H :]),
                )
                c = f * c + i * g
                h = o * np.tanh(c)
                row |= dict(i=i, f=f, g=g, o=o, c=c, h=h, fc=f * row["c_prev"], ig=i * g, tc=np.tanh(c))
            elif cell == "gru":
                r, z = _sigmoid(xp[:H] + hp[:H]), _sigmoid(xp[H : 2 * H] + hp[H : 2 * H])
                hn = hp[2 * H :]
                n = np.tanh(xp[2 * H :] + r * hn)
                h = (1 - z) * n + z * h
                row |= dict(
                    r=r, z=z, n=n, h=h, keep=z * row["h_prev"], omz=1 - z, rhn=r * hn, new=(1 - z) * n
                )
            else:
                a = xp + hp
                h = np.tanh(a) if cell == "rnn_tanh" else np.maximum(a, 0.0)
                row |= dict(a=a, h=h)
            for k, v in row.items():
                rows.setdefault(k, []).append(v)
        layers.append({k: np.stack(v)[1:] for k, v in rows.items()})
        x = np.stack(rows["h"])
    return layers


@pytest.fixture(scope="module", params=["lstm", "gru", "rnn_tanh", "rnn_relu"])
def model(request, tiny_model_dir, tiny_cell_dirs):
    return load_model(tiny_model_dir if request.param == "lstm" else tiny_cell_dirs[request.param])


def test_the_hand_equations_are_the_fused_kernels(model):
    """The reference below is PyTorch's own: its top layer's h equals nn.LSTM / nn.GRU / nn.RNN's output."""
    ids = model.vocab.encode_text(TEXT).ids
    with torch.no_grad():
        out, _ = model.rnn(model.embedding(torch.tensor([model.vocab.eos_id, *ids])[:, None]))
    fused = out[1:, 0].double().numpy()
    np.testing.assert_allclose(by_hand(model, ids)[-1]["h"], fused, atol=1e-5)


def _drawn(svg: str) -> dict[str, list[float]]:
    """Every number of the SVG by its data-q: a <text>'s one value, or a glyph's data-values."""
    root = ET.fromstring(svg)
    got: dict[str, list[float]] = {}
    for el in root.iter():
        name = el.get("data-q")
        if name is None:
            continue
        assert name not in got, f"{name} drawn twice"
        shown = el.get("data-values") if el.tag == f"{SVG}g" else el.text
        got[name] = [float(v) for v in shown.split()]
    return got


@pytest.mark.parametrize(("layer", "step", "unit"), [(0, 0, 0), (1, 3, 7), (1, 6, 2)])
def test_the_svg_numbers_are_the_cells_equations(model, layer, step, unit):
    cell = model.config.cell
    want = by_hand(model, model.vocab.encode_text(TEXT).ids)[layer]
    one, every = cell_diagrams(model, TEXT, layer, step, unit, every_unit=True)
    got_one, got_every = _drawn(cell_svg_any(one)), _drawn(cell_svg_any(every))
    assert set(got_one) == set(got_every) == DRAWN[cell]
    for name in DRAWN[cell]:  # 4 decimals shown; the trace is float32
        assert got_one[name] == pytest.approx([want[name][step, unit]], abs=5.1e-5), name
        assert got_every[name] == pytest.approx(list(want[name][step]), abs=5.1e-5), name
    assert len(got_every["h"]) == model.config.hidden_dim


def test_every_part_opens_an_equation_in_the_order_they_are_written(model):
    """Each data-part names one of the cell's equations, each equation has a part, and the equations are
    written (one $$ block each) in the order the svg's data-order gives the page's click script."""
    cell = model.config.cell
    one, _ = cell_diagrams(model, TEXT, 1, 4, 3)
    svg = cell_svg_any(one)
    root = ET.fromstring(svg)
    assert root.get("data-order").split() == list(EQUATION_ORDER[cell])
    assert {el.get("data-part") for el in root.iter() if el.get("data-part")} == set(EQUATION_ORDER[cell])
    if cell == "lstm":
        ids = model.vocab.encode_text(TEXT).ids
        arrays = layer_arrays(trace(model, ids, line_start(model), log_probs=False))
        latex = equations_latex(equation_numbers(arrays, 1, 4, 3))
    else:
        latex = other_cell_latex(one, {k: PAIRS[f"cells.{k}"][0] for k in OTHER_CELL_WORDS})
    blocks = re.findall(r"\$\$(.+?)\$\$", latex)
    assert [b.split(" = ")[0].strip() for b in blocks] == [LHS[s] for s in EQUATION_ORDER[cell]]


def test_the_gru_and_rnn_equations_carry_the_units_numbers(model):
    cell = model.config.cell
    if cell == "lstm":
        pytest.skip("the LSTM's equations are lstmlm.studies.equations' (tests/test_explain.py)")
    want = {k: v[5, 6] for k, v in by_hand(model, model.vocab.encode_text(TEXT).ids)[0].items()}
    one, _ = cell_diagrams(model, TEXT, 0, 5, 6)
    latex = other_cell_latex(one, {k: PAIRS[f"cells.{k}"][1] for k in OTHER_CELL_WORDS})  # Chinese words
    blocks = re.findall(r"\$\$(.+?)\$\$", latex)
    last = float(re.split(r"=|\\approx", blocks[-1])[-1])
    assert last == pytest.approx(want["h"], abs=5.1e-5)
    assert "**第 1 层，第 6 个单元，第 5 步（mat）**" in latex
    if cell == "gru":
        r = float(blocks[0].rsplit("=", 1)[-1])
        assert r == pytest.approx(want["r"], abs=5.1e-5)
        # h_t = (1 - z) n + z h_{t-1}, its four factors written as drawn
        factors = [float(f.strip("() ")) for f in re.findall(r"(\(?-?\d+\.\d+\)?) \\times", blocks[3])]
        assert factors == pytest.approx([want["omz"], want["z"]], abs=5.1e-5)
    else:
        fn = math.tanh if cell == "rnn_tanh" else (lambda a: max(a, 0.0))
        assert last == pytest.approx(fn(want["a"]), abs=5.1e-5)


def test_bad_input_says_what_to_change(tiny_model):
    with pytest.raises(ValueError, match="steps 0..6"):
        cell_diagrams(tiny_model, TEXT, 0, 7, 0)
    with pytest.raises(ValueError, match="units 0..7"):
        cell_diagrams(tiny_model, TEXT, 0, 0, 8)
    with pytest.raises(ValueError, match="layers 0..1"):
        cell_diagrams(tiny_model, TEXT, 2, 0, 0)
    with pytest.raises(ValueError, match="type a prompt"):
        cell_diagrams(tiny_model, "  ", 0, 0, 0)
    one, _ = cell_diagrams(tiny_model, TEXT, 0, 0, 0)
    with pytest.raises(ValueError, match="cell_svg_any"):
        cell_svg(one.__class__("gru", "x", 0, 0, 0, {}))
    with pytest.raises(ValueError, match="GRU or plain RNN"):
        other_cell_latex(one, {})


def _step(out: tuple) -> int:
    return out[0].value


def test_step_buttons_stay_within_the_prompt(tiny_model):
    assert _step(tab.step_by(tiny_model, -1, TEXT, 0, 3, 0, "one")) == 2
    assert _step(tab.step_by(tiny_model, -1, TEXT, 0, 0, 0, "one")) == 0
    assert _step(tab.step_by(tiny_model, 1, TEXT, 0, 6, 0, "one")) == 6
    assert _step(tab.step_by(tiny_model, 1, TEXT, 0, None, 0, "one")) == 6  # nothing shown yet: the last
    svg = tab.step_by(tiny_model, 1, TEXT, 1, 2, 5, "all")[2]
    assert 'data-step="3"' in svg and len(_drawn(svg)["f"]) == 8


def test_play_ticks_one_word_at_a_time_and_stops_at_the_end(tiny_model):
    start = tab.play(tiny_model, TEXT, 0, None, 0, "one")
    assert _step(start) == 0 and start[-1].active is True  # from the first word
    assert _step(tab.play(tiny_model, TEXT, 0, 2, 0, "one")) == 2  # from the word shown
    shown, step = [0], 0
    while True:
        out = tab.tick(tiny_model, TEXT, 0, step, 0, "one", "equations")
        if out[0] is gr.skip() or not isinstance(out[0], gr.Dropdown):
            assert out[-1].active is False
            break
        step = _step(out)
        shown.append(step)
        if not out[-1].active:
            break
    assert shown == list(range(7))  # every word once, and the timer stopped on the last
    closed = tab.tick(tiny_model, TEXT, 0, 2, 0, "one", "next")  # the tab was left: stop, draw nothing
    assert closed[-1].active is False and not isinstance(closed[0], gr.Dropdown)
    assert tab.play(tiny_model, "the", 0, None, 0, "one")[-1].active is False  # one word: nothing to play
    assert tab.stop().active is False


def test_the_tab_shows_a_gru_or_rnn_without_memory_plots(model):
    out = tab.show_equations(model, TEXT, 1, 2, 3)
    assert f'data-cell="{model.config.cell}"' in out[2] and "$$" in out[1]
    if model.config.cell != "lstm":
        assert not isinstance(out[3], type(out[0])) and "h_t" in out[1]
    # a layer the model lacks: said where the equations go, the rest cleared (no gr.Error badge)
    steps, said, svg, stack, horizon = tab.show_equations(model, TEXT, 5, 0, 0)
    assert 'id="equations-cannot"' in said and "layers 0..1" in said and (steps.choices, svg) == ([], "")
    cleared = None if model.config.cell == "lstm" else gr.skip()  # a GRU's or RNN's tab has no memory plots
    assert stack == horizon == cleared
