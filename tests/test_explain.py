"""Equations with live numbers and the memory breakdown, checked against hand-computed references."""

from __future__ import annotations

import math
import random
import re
from decimal import Decimal

import numpy as np
import pytest
import torch

from lstmlm.sampling import start_state
from lstmlm.studies.arrays import layer_arrays
from lstmlm.studies.equations import (
    EquationNumbers,
    displayed_cell_sum,
    equation_numbers,
    equations_latex,
    memory_breakdown,
)
from lstmlm.trace import Intervention, trace

PROMPT = "the cat sat on the mat . a dog ran to the house . the bird is in the house"


@pytest.fixture()
def traced(tiny_model):
    ids = tiny_model.vocab.encode_text(PROMPT).ids
    return trace(tiny_model, ids, start_state(tiny_model)), ids


@torch.no_grad()
def reference_layers(model, ids, state):
    """The LSTM equations written out in float64, one unit-free step at a time, straight from the weights."""
    x = model.embedding.weight.double()[ids]  # (T, E)
    h0, c0 = (s.double()[:, 0] for s in state)  # (L, H)
    out = []
    for layer in range(model.config.num_layers):
        w = [
            getattr(model.rnn, f"{n}_l{layer}").double()
            for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        ]
        h, c = h0[layer], c0[layer]
        rows = []
        for t in range(len(ids)):
            z = w[0] @ x[t] + w[2] + w[1] @ h + w[3]  # (4H,) in order i, f, g, o
            i, f, g, o = z.chunk(4)
            i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
            c_prev, h_prev = c, h
            c = f * c + i * g
            h = o * torch.tanh(c)
            rows.append(dict(z=z, i=i, f=f, g=g, o=o, c=c, h=h, c_prev=c_prev, h_prev=h_prev))
        out.append(rows)
        x = torch.stack([r["h"] for r in rows])
    return out


def test_layer_arrays_are_the_trace(traced):
    tr, ids = traced
    layers = layer_arrays(tr)
    assert (
        len(layers) == 2 and layers[0].h.shape == (len(ids), 8) and layers[0].preact.shape == (len(ids), 32)
    )
    for la, lt in zip(layers, tr.layers, strict=True):
        for name in ("i", "f", "g", "o", "c", "h", "preact"):
            np.testing.assert_array_equal(la.get(name), lt.get(name)[:, 0].numpy())
        np.testing.assert_array_equal(la.c0, lt.c0[0].numpy())


def test_equation_numbers_match_the_equations_from_the_weights(tiny_model, traced):
    tr, ids = traced
    ref = reference_layers(tiny_model, ids, start_state(tiny_model))
    rng = random.Random(0)
    for _ in range(40):
        layer, step, unit = rng.randrange(2), rng.randrange(len(ids)), rng.randrange(8)
        n = equation_numbers(tr, layer, step, unit)
        r = ref[layer][step]
        z_i, z_f, z_g, z_o = r["z"].view(4, 8)[:, unit]
        expected = {
            "z_i": z_i,
            "z_f": z_f,
            "z_g": z_g,
            "z_o": z_o,
            "tanh_c_t": torch.tanh(r["c"][unit]),
            "kept": r["f"][unit] * r["c_prev"][unit],
            "written": r["i"][unit] * r["g"][unit],
        }
        for name in ("i", "f", "g", "o", "c", "h"):
            expected[f"{name}_t"] = r[name][unit]
        expected |= {"c_prev": r["c_prev"][unit], "h_prev": r["h_prev"][unit]}
        for name, value in expected.items():
            assert getattr(n, name) == pytest.approx(float(value), abs=2e-5), (name, layer, step, unit)
        assert n.kept + n.written == pytest.approx(n.c_t, abs=1e-6)
        assert n.pinned == ()


CELL_LINE = re.compile(r"\$\$C_t = .*\\approx (-?\d+\.\d+) ([+-]) (\d+\.\d+) = (-?\d+\.\d+)\$\$")


@pytest.mark.parametrize("digits", [2, 3, 4, 6])
def test_shown_cell_state_is_the_sum_of_the_shown_terms(traced, digits):
    tr, ids = traced
    rng = random.Random(digits)
    for _ in range(60):
        n = equation_numbers(tr, rng.randrange(2), rng.randrange(len(ids)), rng.randrange(8))
        md = equations_latex(n, digits=digits)
        kept, sign, written, c_shown = CELL_LINE.search(md).groups()
        total = Decimal(kept) + Decimal(written) if sign == "+" else Decimal(kept) - Decimal(written)
        assert total == Decimal(c_shown)  # adds up exactly as displayed
        assert float(kept) == pytest.approx(n.kept, abs=0.5 * 10**-digits + 1e-12)
        assert abs(float(written)) == pytest.approx(abs(n.written), abs=0.5 * 10**-digits + 1e-12)
        # at most one unit in the last place (two half-unit roundings), plus the float32 kernel's own
        # rounding of c_t against the float64 sum of the terms: two ulps of |c_t| (4.6 has an ulp of 5e-7)
        float32_slack = 2 * torch.finfo(torch.float32).eps * max(1.0, abs(n.c_t))
        assert abs(float(c_shown) - n.c_t) <= 10**-digits + float32_slack
        assert (f"{n.c_t:.{digits + 3}f}" in md) == (c_shown != f"{n.c_t:.{digits}f}")  # rounding explained
        assert md.count("$$") == 12  # six equations


def synthetic(**values) -> EquationNumbers:
    base = dict(
        layer=0,
        step=3,
        unit=1,
        z_f=0.0,
        z_i=0.0,
        z_g=0.0,
        z_o=0.0,
        f_t=0.5,
        i_t=0.5,
        g_t=0.0,
        o_t=0.5,
        h_prev=0.0,
        c_prev=0.0,
        c_t=0.0,
        tanh_c_t=0.0,
        h_t=0.0,
        kept=0.0,
        written=0.0,
        pinned=(),
    )
    return EquationNumbers(**(base | values))


def test_rounding_that_disagrees_is_shown_as_the_sum_and_explained():
    # 0.00004 + 0.00004 = 0.00008: each term rounds to 0.0000, the sum to 0.0001.
    n = synthetic(kept=0.00004, written=0.00004, c_t=0.00008, f_t=0.0001, c_prev=0.4, i_t=0.0001, g_t=0.4)
    assert displayed_cell_sum(n, 4) == ("0.0000", "0.0000", "0.0000")
    md = equations_latex(n, digits=4)
    assert "\\approx 0.0000 + 0.0000 = 0.0000$$" in md
    assert "Before rounding the terms, C_t = 0.0000800." in md
    n = synthetic(kept=0.12345, written=-0.02341, c_t=0.10004)
    assert displayed_cell_sum(n, 4) == ("0.1235", "-0.0234", "0.1001")  # Decimal sum, no float noise
    assert "\\approx 0.1235 - 0.0234 = 0.1001$$" in equations_latex(n)


def test_both_languages_use_the_article_notation(traced):
    tr, _ = traced
    n = equation_numbers(tr, 1, 4, 2)
    en, zh = equations_latex(n, lang="en", word="on"), equations_latex(n, lang="zh")
    for md in (en, zh):
        for symbol in (
            "f_t = \\sigma(W_f",
            "i_t = \\sigma(W_i",
            "\\tilde{C}_t = \\tanh(W_C",
            "C_{t-1}",
            "C_t = f_t * C_{t-1} + i_t * \\tilde{C}_t",
            "o_t = \\sigma(W_o",
            "h_t = o_t * \\tanh(C_t)",
        ):
            assert symbol in md
        assert f"\\sigma({n.z_f:.4f}) = {n.f_t:.4f}$$" in md
    assert "Forget gate" in en and "**Layer 1, unit 2, step 4 (on)**" in en
    assert "遗忘门" in zh and "输入门" in zh and "输出门" in zh and "细胞状态" in zh and "Forget" not in zh
    with pytest.raises(ValueError, match="lang must be one of en, zh"):
        equations_latex(n, lang="fr")


def test_pinned_values_are_marked_and_the_cell_follows_them(tiny_model, traced):
    _, ids = traced
    ivs = [
        Intervention(0, "f", 1.0, units=(3,), start=2),
        Intervention(1, "c", 0.5, units=(5,), start=4, stop=5),
    ]
    tr = trace(tiny_model, ids, start_state(tiny_model), ivs)
    n = equation_numbers(tr, 0, 2, 3)
    assert n.pinned == ("f",) and n.f_t == 1.0
    assert n.c_t == pytest.approx(n.c_prev + n.i_t * n.g_t, abs=1e-6)  # nothing forgotten
    md = equations_latex(n)
    assert "$$f_t = 1.0000$$" in md and f"the equation gives {1 / (1 + math.exp(-n.z_f)):.4f}" in md
    n = equation_numbers(tr, 1, 4, 5)
    assert n.pinned == ("c",) and n.c_t == 0.5
    md = equations_latex(n)
    assert "$$C_t = 0.5000$$" in md and "\\tanh(0.5000)" in md
    assert equation_numbers(tr, 0, 1, 3).pinned == ()  # before the intervention starts


def test_equation_numbers_reject_what_does_not_exist(traced):
    tr, ids = traced
    with pytest.raises(ValueError, match="unit 8 does not exist: layer 0 has units 0..7"):
        equation_numbers(tr, 0, 0, 8)
    with pytest.raises(ValueError, match=f"steps 0..{len(ids) - 1}"):
        equation_numbers(tr, 0, len(ids), 0)
    with pytest.raises(ValueError, match="layers 0..1"):
        equation_numbers(tr, 2, 0, 0)


def test_memory_breakdown_against_a_loop(traced):
    tr, ids = traced
    T = len(ids)
    for layer, unit in ((0, 0), (1, 6)):
        m = memory_breakdown(tr, layer, unit)
        f, i, g, c = (tr.layers[layer].get(k)[:, 0, unit].double().numpy() for k in "figc")
        c0 = float(tr.layers[layer].c0[0, unit])
        np.testing.assert_allclose(m.kept + m.written, m.c, atol=1e-6)
        np.testing.assert_allclose(m.kept, f * np.concatenate(([c0], c[:-1])), rtol=1e-12)
        np.testing.assert_allclose(m.written, i * g, rtol=1e-12)
        for s in range(T):
            for t in range(T):
                if t < s:
                    assert math.isnan(m.horizon[s, t])
                else:
                    product = 1.0
                    for r in range(s + 1, t + 1):
                        product *= f[r]
                    assert m.horizon[s, t] == pytest.approx(product, rel=1e-12)
        # What is left of the start plus what is left of every write is the cell.
        for t in range(T):
            left = c0 * np.prod(f[: t + 1]) + sum(m.written[s] * m.horizon[s, t] for s in range(t + 1))
            assert m.c[t] == pytest.approx(left, abs=1e-5)
        assert m.initial[-1] == pytest.approx(c0 * np.prod(f))
