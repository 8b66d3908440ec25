"""The shipped lessons' claims, checked on the bundled models: every word a step's question names (in quotes)
is among the words its view shows for the step's prompt, and the steps that state what the model does
(forget_gate: the dark forget gates at the full stop, number agreement in the counterfactual, the unit at
"boy"; why_gates: which model prefers "were") still show it. A lesson written for an older model fails here
with the step named."""

from __future__ import annotations

import re
from functools import cache

import pytest
import torch

from lstmlm.bundled import default_model_dir
from lstmlm.checkpoint import load_model
from lstmlm.prompt import read_prompt
from lstmlm.sampling import start_state
from lstmlm.trace import trace
from playground.views.lessons import LESSON_DIR, load_lessons, step_screen

QUOTED = re.compile(r'"([^"\s]+)"')  # a quoted single word in a question: "were"


@cache
def default():
    model = load_model(default_model_dir())
    model.eval()
    return model


@cache
def lineup():
    from playground.views.lineup import bundled_dirs, make_lineup

    return make_lineup(default(), default_model_dir(), bundled_dirs())


def lesson(key: str):
    return next(ls for ls in load_lessons([LESSON_DIR])[0] if ls.key == key)


def shown_words(view: str, prompt: str, k: int) -> set[str] | None:
    """The next words the view draws for `prompt` on the bundled models (None: a view that shows none)."""
    if view == "next_word":
        from playground.views.next_word import predict_next

        return set(predict_next(default(), read_prompt(default().vocab, prompt), k).words)
    if view == "compare":
        from playground.tabs.compare import K
        from playground.views.compare import compare_view, union_words

        _, scores = compare_view(lineup(), prompt, K)
        return set(union_words(lineup(), scores, K)[0])
    return None


def asked_words(step, prompt: str) -> list[str]:
    """The quoted words of a step's question that are not words of its prompt (those name the next word)."""
    return [w for w in QUOTED.findall(step.ask_en) if w not in prompt.split()]


STEPS = [(ls.key, n) for ls in load_lessons([LESSON_DIR])[0] for n in range(1, len(ls.steps) + 1)]


@pytest.mark.parametrize(("key", "n"), STEPS)
def test_every_word_a_question_names_is_shown_by_its_view(key, n):
    ls = lesson(key)
    step, screen = ls.steps[n - 1], step_screen(ls, n, default().config.num_layers)
    words = asked_words(step, screen.prompt or "") if screen is not None else []
    shown = shown_words(screen.view, screen.prompt, screen.k) if words else None
    if shown is None:  # nothing asked by name, or a view whose words are the prompt's own
        return
    missing = [w for w in words if w not in shown]
    assert not missing, f"lesson {key!r} step {n} asks about {missing}, not among {sorted(shown)}"


def test_why_gates_step_1_only_the_lstm_prefers_were_and_the_perplexity_question_has_one_answer():
    """The question "which model gives 'were' more than 'was'?" has one answer on the bundled family: the
    LSTM (both words are in the chart: the test above). "Which has the lowest perplexity on the sentence: is
    it the same model?" has one too (no tie); since the GRU and RNN were retrained with the LSTM's recipe
    (2026-12-02) it is the GRU, which reads the sentence best yet prefers "was": the step asks, not tells."""
    from playground.tabs.compare import K
    from playground.views.compare import compare_view

    step = lesson("why_gates").steps[0]
    assert '"were"' in step.ask_en and '"was"' in step.ask_en and "the same model?" in step.ask_en
    entries = lineup()
    _, scores = compare_view(entries, step.screen.prompt, K)
    cells = [e.model.config.cell for e in entries]
    assert cells == ["lstm", "gru", "rnn_tanh"]
    prefers = [
        s.prob_of(e.model.vocab, "were") > s.prob_of(e.model.vocab, "was")
        for e, s in zip(entries, scores, strict=True)
    ]
    assert prefers == [True, False, False], [(s.words[:4], c) for s, c in zip(scores, cells, strict=True)]
    low, second = sorted(s.perplexity for s in scores)[:2]
    assert second > 1.02 * low, [s.perplexity for s in scores]  # a clear answer, not a tie


def test_forget_gate_step_2_the_subjects_number_decides_the_verb():
    """A ("The boy who ...") makes "was" the top word and "were" rank below it; B ("The boys who ...")
    makes "were" the top word and "was" rank below it; the singular and plural "is"/"are" move the same
    way. "Use the text above as A" fills B with boy -> girl, as the step says."""
    from playground.views.counterfactual import change_one_word, counterfactual_view

    step = lesson("forget_gate").steps[1]
    a = step.screen.prompt
    b = a.replace("The boy ", "The boys ", 1)
    assert a.startswith("The boy ") and '"boys"' in step.en
    assert change_one_word(a) == a.replace("boy", "girl", 1) and '(B gets "girl" for "boy")' in step.en
    cf, _ = counterfactual_view(default(), a, b, 0, 10)
    before, after = cf.next_words.before, cf.next_words.after
    p_a = dict(zip(before.words, before.probs, strict=True))
    p_b = dict(zip(after.words, after.probs, strict=True))
    assert before.words[0] == "was" and after.words[0] == "were", (before.words, after.words)
    # 0.234 against 0.091 after B; 0.302 against 0.008 (not in the top 10) after A
    assert p_b["were"] > 2 * p_b["was"] and p_a["was"] > 10 * p_a.get("were", 0)
    # the number, not a word nine words back, is what moved: is -> are too, and most of the change is there
    moved = {m.word: m.after - m.before for m in cf.next_words.moved}
    assert moved["were"] > 0.15 and moved["was"] < -0.15 and moved["are"] > 0 and moved["is"] < 0
    assert cf.next_words.total_variation > 0.25
    words_between = a.split()[2:]  # "who lived in ... river"
    assert f"{len(words_between)}" == "9" and "nine {unit}s after the subject" in step.en


def top_layer_trace(prompt: str):
    model = default()
    ids = model.vocab.encode_text(prompt).ids
    with torch.no_grad():
        tr = trace(model, ids, state=start_state(model))
    return [model.vocab.words[i] for i in ids], tr.layers[-1]


def test_forget_gate_step_1_many_top_layer_units_go_dark_at_the_full_stop():
    """Asked "at which word do many units go dark at once?", the top layer's f_t shows the full stop: more
    units below 0.3 there than at any other word, by a clear margin."""
    step = lesson("forget_gate").steps[0]
    assert step.screen.gate == "f" and step.screen.layer == -1  # "top"
    words, top = top_layer_trace(step.screen.prompt)
    dark = (top.f[:, 0] < 0.3).sum(1).tolist()  # (T,) units nearly closed at each word
    assert words[dark.index(max(dark))] == "."
    assert max(dark) > 1.15 * sorted(dark)[-2], list(zip(words, dark, strict=True))


def test_forget_gate_step_3_unit_is_the_one_the_rule_picks():
    """Step 3's unit is the top layer's unit at "boy" with the largest f - i among units whose |C_{t-1}| is
    at least 0.5 (the rule of /work/notes/s7/find_unit.py): it keeps its memory, f near 1 and i near 0."""
    step = lesson("forget_gate").steps[2]
    words, top = top_layer_trace(step.screen.prompt)
    t = words.index(step.screen.word)
    f, i, c = top.f[t, 0], top.i[t, 0], top.c[:, 0]
    score = (f - i).masked_fill(c[t - 1].abs() < 0.5, -9)
    assert int(score.argmax()) == step.screen.unit == 225
    u = step.screen.unit
    assert f[u] > 0.9 and i[u] < 0.1 and abs(float(c[t, u] - c[t - 1, u])) < 0.1


def test_why_gates_step_3_some_top_layer_units_stay_bright_from_the_subject_on():
    """Asked to "find a unit that stays bright from 'girls' to the end", the top layer (the step's layer)
    has such units: f_t > 0.9 at every word from the subject to the last (25 on the bundled default)."""
    step = lesson("why_gates").steps[2]
    assert step.screen.gate == "f" and step.screen.layer == -1 and '"girls"' in step.ask_en
    words, top = top_layer_trace(step.screen.prompt)
    bright = (top.f[words.index("girls") :, 0] > 0.9).all(0)  # (H,) open at every word from "girls" on
    assert int(bright.sum()) >= 10, int(bright.sum())


# A question that asks for the model's top word: "most likely", "the top {unit}", "which {unit} is first".
ASKS_TOP = re.compile(r"most likely|likeliest|\btop \{unit\}|\{unit\} is first", re.I)
UNK = "<unk>"


def top_words(screen) -> list[str] | None:
    """The top word of every distribution the step's view draws for its prompt on the bundled models
    (None: a view with no next-word distribution)."""
    model = default()
    if screen.view == "next_word":
        from playground.views.next_word import predict_next

        return predict_next(model, read_prompt(model.vocab, screen.prompt), 1).words[:1]
    if screen.view == "compare":
        from playground.tabs.compare import K
        from playground.views.compare import compare_view

        return [s.words[0] for s in compare_view(lineup(), screen.prompt, K)[1]]
    if screen.view == "counterfactual":  # A as typed; B (boy -> boys) is checked by the step's own test
        from playground.views.counterfactual import counterfactual_view

        cf, _ = counterfactual_view(model, screen.prompt, screen.prompt, 0, 10)
        return cf.next_words.before.words[:1]
    if screen.view == "intervene":
        from playground.views.intervene import ACTIONS, InterventionRequest, run_intervention

        iv = dict(kv.split(":", 1) for kv in screen.iv.split(","))
        action = next(a for a, (target, _, _) in ACTIONS.items() if target == iv["target"])
        req = InterventionRequest(layer=int(iv["layer"]), action=action, value=float(iv.get("value", 0)))
        change = run_intervention(model, screen.prompt, req, n_words=0).change
        return [change.before.words[0], change.after.words[0]]
    if screen.view == "cell_hunt":  # the top word Intervene shows after "Intervene on this unit" and Apply
        from playground.views.cell_hunt import intervene_settings
        from playground.views.intervene import InterventionRequest, run_intervention

        v, _ = quote_hunt()
        best = v.best(1)[0]
        req = InterventionRequest(**intervene_settings(v.ranking, best.layer, best.unit))
        change = run_intervention(model, screen.prompt, req, n_words=0).change
        return [change.before.words[0], change.after.words[0]]
    return None


TOP_STEPS = [(key, n) for key, n in STEPS if ASKS_TOP.search(lesson(key).steps[n - 1].ask_en)]


def test_the_questions_about_the_top_word_are_found():
    """The pattern finds the shipped questions that ask for the top word (next_word 1 and 3, forget_gate
    2 and 4, quote_cell 3), so the test below checks them."""
    found = {("next_word", 1), ("next_word", 3), ("forget_gate", 2), ("forget_gate", 4), ("quote_cell", 3)}
    assert found <= set(TOP_STEPS)


@pytest.mark.parametrize(("key", "n"), TOP_STEPS)
def test_no_question_about_the_top_word_is_answered_by_unk(key, n):
    """A step asking which word is most likely / on top must not have "a rare word" (<unk>) as the answer
    on the bundled default (lesson 1 once opened on "... there was a little": <unk> 2.6% above "girl")."""
    screen = step_screen(lesson(key), n, default().config.num_layers)
    tops = top_words(screen)
    assert tops is not None, f"lesson {key!r} step {n} asks for the top word of view {screen.view!r}"
    assert UNK not in tops, f"lesson {key!r} step {n}: the top word of {screen.prompt!r} is {UNK}: {tops}"


@cache
def quote_hunt():
    """Cell hunt's quote track over its built-in text on the bundled default (no `lstmlm cells` cache is
    shipped with it, so the view hunts over the text in its box, as a newcomer pressing Hunt does)."""
    from lstmlm.studies.cell_hunt import load_hunt
    from playground.views.cell_hunt import default_text, hunt_view

    cache = load_hunt(default_model_dir())
    over = "validation" if cache else "text"
    return hunt_view(default(), default_text(cache), "quote", "", over, cache, "en"), cache


def test_quote_cell_step_1_one_unit_has_the_top_score_and_step_2_opens_it():
    """The question "which unit has the highest score, and in which layer?" has one answer as the table
    shows it (3 decimals): unit 431 of layer 2 (c and h both 1.000; next 0.999), the first found unit;
    step 2 opens Gates on that layer and unit, and the step's text names them."""
    v, _ = quote_hunt()
    best = v.best(8)
    top = round(best[0].score, 3)
    rows = [r for rows in v.per_layer(3) for r in rows]
    at_top = {(r.layer, r.unit) for r in rows if round(r.score, 3) == top}
    assert at_top == {(best[0].layer, best[0].unit)} == {(1, 431)}, [(r.layer, r.unit, r.score) for r in best]
    ls = lesson("quote_cell")
    assert "Press Hunt" in ls.steps[0].en and "highest score" in ls.steps[0].ask_en
    assert ls.steps[0].highlight == "cell-hunt-button"
    screen = step_screen(ls, 2, default().config.num_layers)
    assert (screen.view, screen.gate, screen.layer, screen.unit) == ("gates", "c", 1, 431)
    assert "431 in layer 2" in ls.steps[1].en and "431" in ls.steps[1].zh and "第 2 层" in ls.steps[1].zh


def test_quote_cell_step_2_the_units_cell_flips_at_both_quotes():
    """Asked whether the shading changes at the opening quote and back at the closing one: the cell goes
    from about 0 before the quote to below -0.4 inside it, and above +0.4 after the closing quote."""
    screen = lesson("quote_cell").steps[1].screen
    words, top = top_layer_trace(screen.prompt)
    c = top.c[:, 0, screen.unit].tolist()  # (T,)
    first, last = words.index('"'), len(words) - 1 - words[::-1].index('"')
    assert all(abs(x) < 0.2 for x in c[:first]), c
    assert all(x < -0.4 for x in c[first:last]) and all(x > 0.4 for x in c[last:]), c


def test_quote_cell_step_3_apply_says_what_happened_to_the_top_word():
    """Step 3 asks what Apply's sentence says; "Intervene on this unit" pins unit 431's cell to its value
    inside quotes at every word of the step's prompt (no quote in it): the sentence is the "stayed" one
    (the top word "," keeps 24%), so "is one unit enough?" is answered on screen: no."""
    from playground.views.cell_hunt import intervene_settings
    from playground.views.intervene import InterventionRequest, effect_sentence, run_intervention

    v, _ = quote_hunt()
    step = lesson("quote_cell").steps[2]
    assert '"' not in step.screen.prompt and step.highlight == "cell-hunt-intervene"
    assert "sentence under the Apply button" in step.ask_en and "应用" in step.ask_zh
    s = intervene_settings(v.ranking, 1, 431)
    change = run_intervention(default(), step.screen.prompt, InterventionRequest(**s), n_words=0).change
    assert s["value"] < -0.2  # the unit is low inside quotes
    said = effect_sentence(change)
    assert said.startswith("The top word stayed") and change.total_variation < 0.05, said
