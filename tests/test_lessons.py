"""The Start-here lessons (their links open the named tab with the named prompt and settings) and the live
cell diagram (its numbers are the trace's, read back from the SVG)."""

from __future__ import annotations

import math
import re

import pytest

from lstmlm.trace import trace
from playground.classroom import Limits, parse_intervention, parse_query
from playground.diagram import cell_svg, cell_values
from playground.lessons import LESSONS, lessons_html, step_link
from playground.views import line_start


def _tab_ids(model) -> set[str]:
    import gradio as gr

    from playground.app import build_app

    return {b.id for b in build_app(model).blocks.values() if isinstance(b, gr.Tab) and b.id}


def test_lessons_have_3_to_5_steps_in_both_languages():
    assert 3 <= len(LESSONS) <= 4
    for lesson in LESSONS:
        assert 3 <= len(lesson.steps) <= 5, lesson.key
        assert lesson.title_en and lesson.title_zh
        for step in lesson.steps:
            assert all((step.en, step.zh, step.ask_en, step.ask_zh)), lesson.key
            assert re.search(r"[\u4e00-\u9fff]", step.zh + step.ask_zh)  # the Chinese text is Chinese


def test_every_lesson_link_opens_the_named_tab_with_the_named_prompt(tiny_model):
    tabs = _tab_ids(tiny_model)
    top = tiny_model.config.num_layers - 1
    limits = Limits(num_layers=tiny_model.config.num_layers, hidden_dim=tiny_model.config.hidden_dim)
    opened = 0
    for lesson in LESSONS:
        for step in lesson.steps:
            link = step_link(step, tiny_model.config.num_layers)
            if step.screen is None:
                assert link == ""
                continue
            s = parse_query(link, limits)
            assert s.view == step.screen.view and s.view in tabs
            assert s.prompt == step.screen.prompt
            assert (s.temperature, s.top_p, s.gate) == (
                step.screen.temperature, step.screen.top_p, step.screen.gate,
            )  # fmt: skip
            if s.view == "intervene":  # the top layer of this model, pinned as the step says
                spec = parse_intervention(s.iv, limits)
                assert spec["layer"] == top and spec["action"] == "pin_forget" and spec["units"] == "all"
            assert parse_query(step_link(step, 2, "zh"), limits).lang == "zh"
            opened += 1
    assert opened >= 8
    assert "start" in tabs


def test_lessons_html_links_only_views_that_exist():
    page = lessons_html(2, views={"next_word", "generate"})
    hrefs = re.findall(r'href="([^"]+)"', page)
    views = {parse_query(h.replace("&amp;", "&")).view for h in hrefs}
    assert views == {"next_word", "generate"}
    assert "lp-lang-zh" in page and "lp-lang-en" in page
    assert len(hrefs) == 2 * 5  # 3 + 2 steps with a view, in each language


def _numbers(svg: str) -> dict[str, float]:
    return {k: float(v) for k, v in re.findall(r'data-q="(\w+)"[^>]*>([^<]+)<', svg)}


@pytest.mark.parametrize(("layer", "step", "unit"), [(0, 0, 0), (1, 3, 7), (1, 5, 2)])
def test_the_diagram_shows_the_trace_numbers(tiny_model, layer, step, unit):
    text = "the cat sat on the mat ."
    ids = tiny_model.vocab.encode_text(text).ids
    lt = trace(tiny_model, ids, line_start(tiny_model), log_probs=False).layers[layer]
    want = {name: float(getattr(lt, name)[step, 0, unit]) for name in ("f", "i", "g", "o", "c", "h")}
    want["c_prev"] = float((lt.c0[0] if step == 0 else lt.c[step - 1, 0])[unit])
    want["h_prev"] = float((lt.h0[0] if step == 0 else lt.h[step - 1, 0])[unit])
    want["fc"], want["ig"] = want["f"] * want["c_prev"], want["i"] * want["g"]
    want["tc"] = math.tanh(want["c"])
    got = _numbers(cell_svg(cell_values(tiny_model, text, layer, step, unit)))
    assert set(got) == set(want)
    for name, value in want.items():
        assert got[name] == pytest.approx(value, abs=5.1e-5), name
    # the drawn numbers obey the cell's own equations (C_t = f C_{t-1} + i C~_t, h_t = o tanh C_t)
    assert got["c"] == pytest.approx(got["fc"] + got["ig"], abs=2e-4)
    assert got["h"] == pytest.approx(got["o"] * math.tanh(got["c"]), abs=2e-4)


def test_the_diagram_refuses_bad_input_with_a_message(tiny_model):
    with pytest.raises(ValueError, match="steps 0..2"):
        cell_values(tiny_model, "the cat sat", 0, 3, 0)
    with pytest.raises(ValueError, match="units 0..7"):
        cell_values(tiny_model, "the cat sat", 0, 0, 8)
    with pytest.raises(ValueError, match="type a prompt"):
        cell_values(tiny_model, "   ", 0, 0, 0)
