"""The Start-here lessons (files checked against their schema; their links open the named tab with the
named prompt and settings) and the live cell diagram (its numbers are the trace's, read back from the SVG)."""

from __future__ import annotations

import json
import math
import re

import pytest

from lstmlm.trace import trace
from playground.classroom.links import VIEWS, Limits, parse_intervention, parse_query
from playground.plots.cell_diagram import cell_svg
from playground.text import worded
from playground.views.equations import cell_values
from playground.views.lessons import (
    LESSON_DIR,
    LESSONS_ENV,
    LessonError,
    load_lesson,
    load_lessons,
    parse_lesson,
    step_link,
    step_screen,
)
from playground.views.next_word import line_start
from playground.views.start import lesson_bar_html, lessons_html

SCHEMA = json.loads((LESSON_DIR / "lesson.schema.json").read_text(encoding="utf-8"))
SHIPPED = sorted(p for p in LESSON_DIR.glob("*.json") if not p.name.endswith(".schema.json"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def _lessons():
    lessons, problems = load_lessons([LESSON_DIR])
    assert problems == []
    return lessons


def _tab_ids(model) -> set[str]:
    import gradio as gr

    from playground.app import build_app

    return {b.id for b in build_app(model).blocks.values() if isinstance(b, gr.Tab) and b.id}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_lesson_file_follows_the_schema(path):
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)  # raises on the first difference
    lesson = load_lesson(path)  # and the app's own reader accepts it
    assert lesson.key == path.stem and len(lesson.steps) == len(data["steps"])


def test_five_lessons_in_english_and_chinese_in_order():
    lessons = _lessons()
    assert [ls.key for ls in lessons] == [
        "next_word",
        "temperature",
        "forget_gate",
        "quote_cell",
        "why_gates",
    ]
    for lesson in lessons:
        assert 3 <= len(lesson.steps) <= 5, lesson.key
        assert CJK.search(lesson.title_zh) and not CJK.search(lesson.title_en)
        for step in lesson.steps:
            assert all((step.en, step.zh, step.ask_en, step.ask_zh)), lesson.key
            assert CJK.search(step.zh + step.ask_zh) and not CJK.search(step.en + step.ask_en)
    views = {s.screen.view for ls in lessons for s in ls.steps if s.screen}
    # next-word prediction, temperature, the forget gate (boy/boys), the quote unit, LSTM against a plain RNN
    assert {"next_word", "generate", "gates", "counterfactual", "intervene", "cell_hunt", "compare"} <= views
    assert "gradient" in views


BAD = [  # (file content, words the message must contain)
    ({"steps": []}, "title"),
    ({"title": {"en": "x"}, "steps": []}, "both languages"),
    ({"title": {"en": "x", "zh": "x"}, "steps": []}, "1 to 10 steps"),
    ({"title": {"en": "x", "zh": "x"}, "steps": [{"say": {"en": "a", "zh": "b"}}]}, "first step"),
    ({"title": {"en": "x", "zh": "x"}, "steps": [{"say": {"en": "a", "zh": "b"}, "open": {"view": "nope"}}]},
     "view must be one of"),
    ({"title": {"en": "x", "zh": "x"},
      "steps": [{"say": {"en": "a", "zh": "b"}, "open": {"view": "generate", "temperature": 5}}]},
     "temperature = 5.0 is not a value"),
    ({"title": {"en": "x", "zh": "x"},
      "steps": [{"say": {"en": "a", "zh": "b"}, "open": {"view": "generate", "temp": 1}}]},
     "unknown keys ['temp']"),
    ({"title": {"en": "x", "zh": "x"},
      "steps": [{"say": {"en": "a", "zh": "b"}, "open": {"view": "intervene", "iv": "layer:top,target:q"}}]},
     "not an intervention"),
    ({"title": {"en": "x", "zh": "x"},
      "steps": [{"say": {"en": "a", "zh": "b"}, "open": {"view": "gates", "gate": 3}}]}, "must be a text"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "words"), BAD)
def test_a_bad_lesson_is_refused_with_what_to_change(data, words):
    with pytest.raises(LessonError, match=re.escape(words)):
        parse_lesson(data, "mine")
    jsonschema = pytest.importorskip("jsonschema")
    if words not in ("first step", "temperature = 5.0 is not a value", "not an intervention"):
        with pytest.raises(jsonschema.ValidationError):  # the schema refuses it too
            jsonschema.validate(data, SCHEMA)


def test_a_teachers_folder_adds_and_replaces_lessons_and_a_broken_file_is_left_out(tmp_path, monkeypatch):
    mine = {
        "order": 0,
        "title": {"en": "My lesson", "zh": "我的课"},
        "steps": [
            {"say": {"en": "Look.", "zh": "看。"}, "open": {"view": "gates", "gate": "i", "layer": "top"}}
        ],
    }
    (tmp_path / "mine.json").write_text(json.dumps(mine), encoding="utf-8")
    (tmp_path / "temperature.json").write_text(json.dumps(mine), encoding="utf-8")  # replaces the shipped one
    (tmp_path / "broken.json").write_text('{"title": ', encoding="utf-8")
    monkeypatch.setenv(LESSONS_ENV, str(tmp_path))
    lessons, problems = load_lessons()
    keys = [ls.key for ls in lessons]
    assert keys[0] == "mine" and "temperature" in keys and len(keys) == 6  # order 0 comes first
    assert next(ls for ls in lessons if ls.key == "temperature").title_en == "My lesson"
    assert len(problems) == 1 and "broken.json is not valid JSON" in problems[0] and "line 1" in problems[0]
    # "top" is the top layer of the model the link is made for
    assert parse_query(step_link(lessons[0], 1, 3), Limits(num_layers=3)).layer == 2
    assert parse_query(step_link(lessons[0], 1, 1), Limits(num_layers=3)).layer == 0


def test_every_lesson_link_opens_the_named_tab_with_the_named_prompt(tiny_model):
    tabs = _tab_ids(tiny_model)
    top = tiny_model.config.num_layers - 1
    limits = Limits(num_layers=tiny_model.config.num_layers, hidden_dim=tiny_model.config.hidden_dim)
    opened = 0
    for lesson in _lessons():
        for n, step in enumerate(lesson.steps, 1):
            link = step_link(lesson, n, tiny_model.config.num_layers)
            assert link.endswith(f"lesson={lesson.key}&step={n}")
            s = parse_query(link, limits)
            want = step.screen or step_screen(lesson, n - 1, 2)  # no screen: the previous step's
            assert s.view == want.view and s.view in tabs
            assert s.prompt == want.prompt
            assert (s.temperature, s.top_p, s.gate, s.order) == (
                want.temperature, want.top_p, want.gate, want.order,
            )  # fmt: skip
            if s.view == "intervene":  # the top layer of this model, pinned as the step says
                spec = parse_intervention(s.iv, limits)
                assert spec["layer"] == top and spec["action"] == "pin_forget" and spec["units"] == "all"
                assert spec["value"] == 1.0  # "never forget": the preset with a visible change
            assert parse_query(step_link(lesson, n, 2, "zh"), limits).lang == "zh"
            opened += 1
    assert opened == 16  # 3 + 3 + 4 + 3 + 3 steps
    assert "start" in tabs


def test_lessons_html_links_only_views_that_exist():
    page = lessons_html(_lessons(), 2, views={"next_word", "generate"})
    hrefs = [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', page) if "lesson=" in h]
    views = {parse_query(h).view for h in hrefs}
    assert views == {"next_word", "generate"}
    assert "lp-lang-zh" in page and "lp-lang-en" in page
    assert len(hrefs) == 2 * 6  # 3 + 3 steps (the third of lesson 1 stays on its second's view), per language
    assert "start=skip" in page and "start=show" in page  # Skip, and its undo


def test_the_lesson_bar_shows_the_step_and_its_neighbours():
    lessons = _lessons()
    lesson = next(ls for ls in lessons if ls.key == "forget_gate")
    bar = lesson_bar_html(lessons, "forget_gate", "2", 2)
    en = bar[: bar.index('lp-lang-zh"')]
    asked = worded(lesson.steps[1].ask_en, "en", "word")  # the file's {unit} marks, named for a word model
    assert "step 2 of 4" in en and asked.replace('"', "&quot;") in en and "{unit}" not in bar
    nav = {
        m[0]: m[1].replace("&amp;", "&")
        for m in re.findall(r'class="lp-lesson-nav lp-(\w+)" href="([^"]+)"', en)
    }
    assert nav["prev"] == step_link(lesson, 1, 2) and nav["next"] == step_link(lesson, 3, 2)
    assert "第 2 步,共 4 步" in bar
    last = lesson_bar_html(lessons, "forget_gate", "99", 2)  # clamped to the last step: no next
    assert "step 4 of 4" in last and "lp-next" not in last and "end of the lesson" in last
    overview = lesson_bar_html(lessons, "forget_gate", None, 2)
    assert "4 steps" in overview and "step=1" in overview
    assert lesson_bar_html(lessons, None, None, 2) == ""
    unknown = lesson_bar_html(lessons, "<b>x</b>", None, 2)
    assert "&lt;b&gt;" in unknown and "why_gates" in unknown  # escaped, and the lessons that exist
    assert 'lp-lang-zh">没有叫“&lt;b&gt;x&lt;/b&gt;”的课程' in unknown  # and in Chinese, for a Chinese page


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


def test_the_readme_example_lesson_is_a_valid_lesson():
    readme = (LESSON_DIR.parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Writing a lesson") :]
    example = json.loads(
        section[section.index("```json") + 7 : section.index("```", section.index("```json") + 7)]
    )
    lesson = parse_lesson(example, "commas")
    assert len(lesson.steps) == 2 and step_screen(lesson, 2, 3).iv.startswith("layer:2,target:f")
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(example, SCHEMA)


def test_learn_describes_every_view_in_both_languages():
    from playground import i18n
    from playground.text import learn, per_unit

    def names(rows) -> set[str]:
        return {name for row in rows for name in re.findall(r"\*\*(.+?)\*\*", row[0])}

    tabs = [v for v in ("start", *VIEWS, "live", "class") if v != "memory"]  # "memory": Equations & memory
    for unit, next_tab in (("word", "next_word"), ("character", "next_char")):  # the tab's label per model
        labels = [next_tab if v == "next_word" else v for v in tabs]
        en_rows, zh_rows = learn.view_rows("en", unit), learn.view_rows("zh", unit)
        keys = [per_unit(f"tab.{v}", unit) for v in labels]  # "Change one character" on a character model
        assert names(en_rows) == {i18n.EN[k] for k in keys}
        assert names(zh_rows) == {i18n.ZH[k] for k in keys}
        assert len(en_rows) == len(zh_rows) == len(i18n._ZH_VIEWS)  # row by row the same views
        for en, zh in zip(en_rows, zh_rows, strict=True):
            assert all(CJK.search(cell) for cell in zh) and "<unk>" not in " ".join(en + zh)


def test_a_step_can_outline_a_region_of_the_screen():
    step = {"say": {"en": "Look at the bars.", "zh": "看这些柱子。"}, "open": {"view": "next_word"}}
    title = {"en": "T", "zh": "标题"}
    lesson = parse_lesson({"title": title, "steps": [dict(step, highlight="next-word-chart")]}, "outline")
    assert lesson.steps[0].highlight == "next-word-chart"
    bar = lesson_bar_html((lesson,), "outline", "1", 2)
    assert bar.count("<style>#next-word-chart { outline: 4px solid") == 2  # the English and the Chinese bar
    plain = parse_lesson({"title": {"en": "T", "zh": "标题"}, "steps": [step]}, "plain")
    assert "<style>" not in lesson_bar_html((plain,), "plain", "1", 2)
    for bad in ("Next Word", "x;}body{display:none", 3):  # not an elem_id: nothing is written into a <style>
        with pytest.raises(LessonError, match="highlight must be the id of a part of the screen"):
            parse_lesson({"title": {"en": "T", "zh": "标题"}, "steps": [dict(step, highlight=bad)]}, "bad")
    shipped = [s.highlight for ls in load_lessons([LESSON_DIR])[0] for s in ls.steps if s.highlight]
    assert "next-word-chart" in shipped


# example texts the lessons and Learn quote (typed, not clicked): every other quoted capitalised English or
# Chinese name is a control the student has to find on screen
QUOTED_TEXTS = {"The boy …", "The boys …", "The cat sat on the | mat ."}


def _quoted_names(text: str, zh: bool) -> list[str]:
    """The names a lesson or Learn text puts in quotes: Chinese ones (with a CJK character) in a Chinese
    text, capitalised English ones in an English text (lowercase quotes are words of the prompt: "boy")."""
    quotes = re.findall(r"“([^”]+)”", text) + re.findall(r'"([^"]+)"', text)
    keep = (lambda q: CJK.search(q)) if zh else (lambda q: q[:1].isupper() or q == "next step")
    return [q for q in quotes if keep(q) and q not in QUOTED_TEXTS]


def test_every_control_a_lesson_or_learn_names_is_on_screen_with_that_name(tiny_model):
    """A student told to press “X” or open “Y” finds a tab, button or preset whose label starts with X (in
    the page's language; the lesson bar's own links count): checked against the page's dictionaries, for
    every shipped lesson's text and question and Learn's "what to try" column, with both kinds of model."""
    from playground import i18n
    from playground.text import learn

    lessons = _lessons()
    for zh, table in ((False, i18n.EN), (True, i18n.ZH)):
        lang = "zh" if zh else "en"
        for unit in ("word", "character"):
            labels = [worded(v, lang, unit) for v in table.values() if isinstance(v, str)]
            bar = re.sub(r"<[^>]+>", " ", lesson_bar_html(lessons, lessons[0].key, "2", 2, unit))
            texts = [worded(row[2], lang, unit) for row in learn.view_rows(lang, unit)]
            for lesson in lessons:
                for step in lesson.steps:
                    said = (step.zh, step.ask_zh) if zh else (step.en, step.ask_en)
                    texts += [worded(s, lang, unit) for s in said if s]
            for text in texts:
                for name in _quoted_names(text, zh):
                    found = name in bar or any(label.startswith(name) for label in labels)
                    assert found, f"{lang}: “{name}” is on no tab, button or preset ({text!r})"
