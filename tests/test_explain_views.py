"""The Intervene, Equations and Counterfactual views without a browser: what they compute from the library,
and that their figures hold those numbers."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from lstmlm.prompt import read_prompt
from playground import plots as explain_plots
from playground.views.counterfactual import (
    change_one_word,
    counterfactual_json,
    counterfactual_view,
    delta_window,
)
from playground.views.equations import equations_json, memory_window
from playground.views.generate import GenerationSettings, generate_words
from playground.views.intervene import (
    InterventionRequest,
    make_intervention,
    run_intervention,
    steps_label,
)

PROMPT = "the cat sat on the mat and the dog"


def test_make_intervention_reads_units_and_steps(tiny_model):
    ids = read_prompt(tiny_model.vocab, PROMPT).ids
    iv = make_intervention(tiny_model, ids, InterventionRequest(1, "list", "1,3-4", steps="2-", value=1.0))
    assert (iv.layer, iv.target, iv.value, iv.units, iv.start, iv.stop) == (1, "f", 1.0, (1, 3, 4), 2, None)
    zero = InterventionRequest(0, "all", steps="2-4", action="zero_candidate", value=0.7)  # value ignored
    iv = make_intervention(tiny_model, ids, zero)
    assert (iv.target, iv.value, iv.units, iv.start, iv.stop) == ("g", 0.0, None, 2, 5)
    iv = make_intervention(tiny_model, ids, InterventionRequest(0, "top", top_n=3, statistic="variance"))
    assert len(iv.units) == 3


@pytest.mark.parametrize(
    ("req", "message"),
    [
        (InterventionRequest(action="pin_forget", value=1.5), "between 0 and 1"),
        (InterventionRequest(action="explode"), "action must be one of"),
        (InterventionRequest(units="list", unit_list="3-99"), "unit 99 does not exist"),
        (InterventionRequest(steps="40"), "step 40 does not exist"),
        (InterventionRequest(layer=2), "layer must be one of 0..1"),
    ],
)
def test_bad_interventions_say_what_to_change(tiny_model, req, message):
    with pytest.raises(ValueError, match=message):
        run_intervention(tiny_model, PROMPT, req, n_words=0)


def test_intervention_pins_the_gate_and_keeps_the_plain_generation(tiny_model):
    req = InterventionRequest(
        layer=1, units="list", unit_list="2,5", steps="3-", action="pin_forget", value=1.0
    )
    res = run_intervention(tiny_model, PROMPT, req, n_words=6, seed=3, k=5)
    f = res.intervened["f"]  # (T, H)
    assert np.all(f[3:, [2, 5]] == 1.0) and not np.allclose(res.plain["f"][3:, [2, 5]], 1.0)
    assert np.array_equal(f[:3], res.plain["f"][:3])  # before the first pinned step nothing changes
    assert "from step 3 (on) on" in res.description
    expected = [
        gw.word
        for gw in generate_words(
            tiny_model, read_prompt(tiny_model.vocab, PROMPT), GenerationSettings(0.8, 40, 0.95, 6, 3)
        )
    ]
    assert [w["word"] for w in res.generated_plain] == expected  # without = the Generate view's words
    out = res.to_json()
    assert out["before"]["words"] == res.change.before.words and len(out["moved"]) == 5
    assert out["intervention"] == {**out["intervention"], "units": [2, 5], "start": 3, "stop": None}


def test_steps_label_names_the_words():
    tokens = ["the", "cat", "sat", "on"]
    assert steps_label(tokens, 1, 3) == "steps 1 (cat) to 2 (sat)"
    assert steps_label(tokens, 2, 3) == "step 2 (sat) only"
    assert steps_label(tokens, 1, None).startswith("from step 1 (cat) on")


def test_equations_add_up_as_displayed(tiny_model):
    out = equations_json(tiny_model, PROMPT, layer=1, step=4, unit=3, digits=4)
    n, shown = out["numbers"], out["shown"]
    assert out["word"] == "the" and out["step"] == 4
    assert abs(n["f_t"] * n["c_prev"] + n["i_t"] * n["g_t"] - n["c_t"]) < 1e-5
    assert Decimal(shown["kept"]) + Decimal(shown["written"]) == Decimal(shown["c_t"])
    assert abs(float(shown["c_t"]) - n["c_t"]) <= 1.1e-4
    assert f"= {shown['c_t']}$$" in out["latex"] and "Layer 2, unit 3, step 4 (the)" in out["latex"]
    assert out["memory"]["c"][4] == pytest.approx(n["c_t"], abs=1e-5)
    assert "遗忘门" in equations_json(tiny_model, PROMPT, 0, -1, 0, lang="zh")["latex"]
    with pytest.raises(ValueError, match="step 20 does not exist"):
        equations_json(tiny_model, PROMPT, step=20)


def test_equations_count_steps_from_either_end_and_a_refusal_quotes_the_step_asked(tiny_model):
    T = len(PROMPT.split())  # words the tiny model knows: one step each
    assert equations_json(tiny_model, PROMPT, step=-T)["step"] == 0
    assert equations_json(tiny_model, PROMPT, step=-1)["step"] == T - 1
    for asked in (-T - 1, -100, T):  # was "step -1 does not exist" for step=-(T + 1): the step after adding T
        refusal = rf"^step {asked} does not exist: the prompt has steps 0..{T - 1} "
        with pytest.raises(ValueError, match=refusal):
            equations_json(tiny_model, PROMPT, step=asked)


def test_memory_window_and_its_plots(tiny_model):
    mem, words, first = memory_window(tiny_model, PROMPT, 0, 2)
    assert first == 0 and len(words) == len(mem.c) == 9 and words[1] == "1 cat"
    fig = explain_plots.memory_stack(words, mem.kept, mem.written, mem.c, "m")
    kept, written, cell = fig.data
    assert (
        np.allclose(kept.y, mem.kept) and np.allclose(written.y, mem.written) and np.allclose(cell.y, mem.c)
    )
    assert np.allclose(np.asarray(kept.y) + np.asarray(written.y), mem.c, atol=1e-5)
    assert fig.layout.barmode == "relative"
    z = np.array(explain_plots.horizon_heatmap(words, mem.horizon, "h").data[0].z, dtype=float)
    assert (
        np.allclose(np.diag(z), 1.0) and np.isnan(z[3, 1]) and z[1, 3] == pytest.approx(mem.f[2] * mem.f[3])
    )


def test_the_memory_window_keeps_the_number_of_words_its_caption_says(tiny_model):
    from playground.i18n import EN, ZH
    from playground.views.equations import MAX_MEMORY_STEPS

    text = " ".join(["the cat sat on the mat ."] * 12)  # 84 words
    mem, words, first = memory_window(tiny_model, text, 0, 2)
    assert len(mem.c) == 84 and first == 84 - MAX_MEMORY_STEPS and len(words) == MAX_MEMORY_STEPS
    assert words[0] == f"{first} {read_prompt(tiny_model.vocab, text).tokens[first]}"
    # the caption's words are plain text (playground/text imports no view): it must state the same limit
    assert f"the last {MAX_MEMORY_STEPS} words" in EN["eq.memory_caption.word"]
    assert f"最后 {MAX_MEMORY_STEPS} 个词" in ZH["eq.memory_caption.word"]
    assert f"the last {MAX_MEMORY_STEPS} characters" in EN["eq.memory_caption.character"]
    assert f"最后 {MAX_MEMORY_STEPS} 个字符" in ZH["eq.memory_caption.character"]


def test_the_counterfactual_tab_says_two_unknown_words_read_as_unk(tiny_model):
    from playground.tabs.counterfactual import read_alike_note

    cf, _ = counterfactual_view(tiny_model, "the Zorblax was", "the Quibble was", 0)
    assert cf.first_difference is None
    note = read_alike_note(tiny_model, cf)
    assert (
        "“Zorblax” and “Quibble” (step 1): both read as “a rare word”, a word the model does not know" in note
    )
    assert read_alike_note(tiny_model, counterfactual_view(tiny_model, "the cat", "the dog", 0)[0]) == ""


def test_counterfactual_differs_from_the_changed_word_on(tiny_model):
    out = counterfactual_json(tiny_model, "the cat sat on the mat", "the dog sat on the mat", layer=1, k=4)
    assert out["first_difference"] == 1
    assert all(v[0] == 0.0 for v in out["mean_abs_delta"].values())  # same first word: same values
    assert out["mean_abs_delta"]["c"][1] > 0 and len(out["mean_abs_delta"]["c"]) == 6
    assert len(out["moved"]) == 4
    cf, layer = counterfactual_view(tiny_model, "the cat sat", "the cat sat on", 0)
    assert cf.first_difference == 3 and layer == 0  # B continues A
    with pytest.raises(ValueError, match="prompt B is empty"):
        counterfactual_json(tiny_model, "the cat", "  ")


def test_counterfactual_plots_hold_the_numbers(tiny_model):
    cf, layer = counterfactual_view(tiny_model, "the cat sat on the mat", "the dog sat on the mat", 1)
    fig = explain_plots.difference_lines([str(t) for t in range(6)], cf.mean_abs[layer], 1, "d")
    by_name = {tr.name: np.asarray(tr.y) for tr in fig.data}
    assert np.allclose(by_name["cell C"], cf.mean_abs[layer]["c"])
    assert fig.layout.shapes[0].x0 == 1  # the first difference is marked
    z, units = delta_window(cf.delta[layer]["c"], max_cells=18)  # 6 positions: 3 units fit
    assert z.shape == (3, 6) and units[0] == int(np.argmax(np.abs(cf.delta[layer]["c"]).mean(0)))
    assert np.allclose(z[0], cf.delta[layer]["c"][:, units[0]])


def test_before_after_and_moved_bars():
    fig = explain_plots.before_after_bars((["a", "b"], [0.5, 0.2]), (["c", "a"], [0.4, 0.3]))
    assert list(fig.data[0].x) == [0.5, 0.2] and list(fig.data[1].y) == ["<b>c</b>", "a"]  # new word bold
    fig = explain_plots.moved_bars(["<unk>", "b"], [0.1, 0.3], [0.4, 0.2])
    assert list(fig.data[0].y) == ["a rare word ▲", "b ▼"] and list(fig.data[1].x) == [0.4, 0.2]
    assert fig.layout.barmode == "group"


def test_change_one_word():
    assert change_one_word("The boy who lived next door was") == "The girl who lived next door was"
    assert change_one_word("He said") == "She said"
    assert change_one_word("the cat sat") == "the cat"
