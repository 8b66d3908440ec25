"""The Start-here lessons (files checked against their schema; their links open the named tab with the
named prompt and settings) and the live cell diagram (its numbers are the trace's, read back from the SVG)."""

from __future__ import annotations

import html
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


def _eq_step(**open_) -> dict:
    """A step opening Equations on "the cat" with `open_` (a None value: the key left out)."""
    screen = {k: v for k, v in {"view": "equations", "prompt": "the cat", **open_}.items() if v is not None}
    return {"say": {"en": "a", "zh": "b"}, "open": screen}


def _eq_file(**open_) -> dict:
    return {"title": {"en": "x", "zh": "x"}, "steps": [_eq_step(**open_)]}


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
    # Equations' layer, unit and word: each refusal names the step and what to write
    ({"title": {"en": "x", "zh": "x"}, "steps": [_eq_step(view="next_word"), _eq_step(layer=-2)]},
     "step 2: open.layer = -2: write a layer number from 0 (the first) to 63, or \"top\""),
    (_eq_file(layer=99), "layer = 99 is not a value the app accepts (a link would open 63); write a layer"),
    (_eq_file(unit="7"), "open.unit must be a number"),
    (_eq_file(view="gates", word="cat"), 'word is read by the Equations view only: add "view": "equations"'),
    (_eq_file(prompt=None, word="cat"), "word needs the step's own \"prompt\""),
    (_eq_file(word="dog"), "step 1: open.word 'dog' is not a word of the prompt 'the cat'; write one of its"),
    (_eq_file(word="ca"), "open.word 'ca' is not a word of the prompt"),  # a whole word, not a piece of one
    (_eq_file(word="the cat"), "open.word must be one word of the prompt (no spaces"),
    (_eq_file(word=-1), "open.word = -1: steps are numbered from 0"),
    (_eq_file(word=1.5), "open.word must be a step number such as 3"),
]  # fmt: skip
# rules the JSON Schema cannot say (they need another key's value, or a link's clamping)
SCHEMA_ALLOWS = ("first step", "temperature = 5.0", "not an intervention", "Equations view only")
SCHEMA_ALLOWS += ("needs the step's own", "is not a word of the prompt", "would open 63")


@pytest.mark.parametrize(("data", "words"), BAD)
def test_a_bad_lesson_is_refused_with_what_to_change(data, words):
    with pytest.raises(LessonError, match=re.escape(words)):
        parse_lesson(data, "mine")
    jsonschema = pytest.importorskip("jsonschema")
    if not any(rule in words for rule in SCHEMA_ALLOWS):
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
    opened = equations = 0
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
            if s.view == "equations":  # the forget-gate lesson's unit of the top layer as it reads "boy"
                hidden = tiny_model.config.hidden_dim
                assert (s.layer, s.unit, s.word) == (top, min(want.unit, hidden - 1), "boy")
                equations += 1
            assert parse_query(step_link(lesson, n, 2, "zh"), limits).lang == "zh"
            opened += 1
    assert opened == 16 and equations == 1  # 3 + 3 + 4 + 3 + 3 steps
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
    # the last step goes on to the next lesson's first step; the last lesson's last step ends there
    for lesson, following in zip(lessons, [*lessons[1:], None], strict=True):
        end = lesson_bar_html(lessons, lesson.key, str(len(lesson.steps)), 2)
        links = re.findall(r'class="lp-lesson-nav lp-following" href="([^"]+)"', end)
        if following is None:
            assert links == [] and "end of the lesson" in end
        else:
            assert [u.replace("&amp;", "&") for u in links] == [
                step_link(following, 1, 2),
                step_link(following, 1, 2, "zh"),
            ]
            assert f"next lesson: {html.escape(following.title_en)}" in end and "下一课" in end
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


EQ_OPEN = {"view": "equations", "prompt": "the cat sat on the mat .", "layer": "top", "unit": 5}
EQ_OPEN["word"] = "sat"


def _eq_lesson(**open_):
    step = {"say": {"en": "Look.", "zh": "看。"}, "open": {**EQ_OPEN, **open_}}
    return parse_lesson({"title": {"en": "T", "zh": "标题"}, "steps": [step]}, "eq")


def test_a_step_opens_equations_at_a_layer_unit_and_word(tiny_model):
    from playground.classroom.bar import link_query, restored

    layers, hidden = tiny_model.config.num_layers, tiny_model.config.hidden_dim
    limits = Limits(num_layers=layers, hidden_dim=hidden)
    link = step_link(_eq_lesson(), 1, layers)
    s = parse_query(link, limits)
    assert (s.view, s.layer, s.unit, s.word) == ("equations", layers - 1, 5, "sat")
    assert parse_query(step_link(_eq_lesson(word=2), 1, layers), limits).word == "2"
    assert parse_query(step_link(_eq_lesson(unit=600), 1, layers), limits).unit == hidden - 1  # clamped
    # page load: the link's layer and unit go to Gates and Equations alike, the word to Equations
    names = ["layer", "gate", "order", "unit", "layer", "unit", "word"]
    params = dict(parse_qs_last(link))
    out = restored(limits, names, [], {"gates", "equations"}, False, params)
    assert out[4:] == (layers - 1, gr_skip(), gr_skip(), 5, layers - 1, 5, "sat")  # gate, order: not named
    # "Link to this screen" carries the open tab's layer and unit, and the word shown
    owners = ["gates"] * 4 + ["equations"] * 3
    values = (0, "f", "index", 3, 1, 6, "4")
    on_eq = parse_query(link_query(limits, names, owners, [], "the cat", "equations", False, *values), limits)
    on_gates = parse_query(link_query(limits, names, owners, [], "the cat", "gates", False, *values), limits)
    assert (on_eq.layer, on_eq.unit, on_eq.word) == (1, 6, "4")
    assert (on_gates.layer, on_gates.unit) == (0, 3)


def parse_qs_last(link: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(link.lstrip("?"), keep_blank_values=True)


def test_the_equations_tab_shows_the_linked_word_until_the_prompt_changes(tiny_model):
    from playground.tabs import equations as tab

    text = "the cat sat on the mat ."
    first = tab.show_if_open(tiny_model, text, 1, None, 5, "one", "equations", "sat", None)
    assert first[0].value == 2 and first[-2:] == ("sat", text)  # the word; kept for this prompt
    assert 'data-step="2"' in first[2] and "unit 5" in first[2]
    again = tab.show_if_open(tiny_model, text, 1, 2, 5, "one", "equations", *first[-2:])  # e.g. in Chinese
    assert again[0].value == 2
    typed = tab.show_if_open(tiny_model, text + " the", 1, 2, 5, "one", "equations", *first[-2:])
    assert typed[0].value == 7 and typed[-2:] == ("", text + " the")  # a new prompt: its last word
    missing = tab.show_if_open(tiny_model, "the dog ran", 1, None, 5, "one", "equations", "sat", None)
    assert missing[0].value == 2 and missing[-2] == ""  # not in the prompt: the last word
    assert tab.show_if_open(tiny_model, text, 1, None, 5, "one", "gates", "sat", None) == (gr_skip(),) * 7
    # a step chosen on screen is the word a link to this screen carries
    chosen = tab.drawn_at(tiny_model, text, 0, 4, 0, "one")
    assert chosen[0].value == 4 and chosen[-2:] == ("4", text)
    opened = tab.opened(tiny_model, text, 0, 4, 0, "one", *chosen[-2:])  # the tab opened again
    assert opened[0].value == 4


def gr_skip():
    import gradio as gr

    return gr.skip()


def test_word_step_reads_a_number_or_a_word_as_the_model_reads_the_prompt():
    from playground.views.equations import word_step

    words = ["The", "boy", "played", ".", "The", "boy"]
    found = [word_step(words, w) for w in ("boy", "played", "5", "6", "", "boys", "b")]
    assert found == [1, 2, 5, None, None, None, None]
    chars = list("The boy") + ["<eos>"] + list("boys.")  # a character model: a word's last character
    assert word_step(chars, "boy", "character") == 6
    assert word_step(chars, "boys", "character") == 11  # after the line-end token, offsets still agree
    assert word_step(chars, "oy", "character") is None  # a whole word only


def test_a_step_beyond_the_model_is_said_with_its_step_and_what_to_change(tiny_model):
    from lstmlm.prompt import read_prompt
    from playground.views.lessons import model_problems

    layers, hidden = tiny_model.config.num_layers, tiny_model.config.hidden_dim
    tokens_of = lambda text: read_prompt(tiny_model.vocab, text).tokens  # noqa: E731
    assert model_problems(_eq_lesson(), layers, hidden, tokens_of) == []
    said = model_problems(_eq_lesson(layer=2, unit=8, word=9), layers, hidden, tokens_of)
    at = "lesson 'eq', step 1: open"
    assert said == [
        f'{at}.layer = 2, but this model has 2 layer(s) (0 to 1); write "top" or a smaller layer',
        f"{at}.unit = 8, but this model's layers have 8 units (0 to 7); choose a smaller unit",
        f"{at}.word = '9', but this model reads the prompt as 7 words (steps 0 to 6) and has no such step; "
        "write one of 'the', 'cat', 'sat', 'on', 'the', 'mat', '.' or a smaller step number",
    ]
    shipped = [p for ls in _lessons() for p in model_problems(ls, 2, 512, tokens_of)]
    assert shipped == []  # the bundled word models: 2 layers of 512 units
