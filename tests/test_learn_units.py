"""Issue 17: Learn, Start here and the lessons name what the loaded model reads: "character" (字符) for the
character model (assets/models/warpeace-char-lstm), "word" (词) for a word model, as Class game does."""

from __future__ import annotations

import re
from pathlib import Path

import gradio as gr
import pytest

from lstmlm.checkpoint import load_model
from playground.page_language import EN, ZH
from playground.tabs import learn
from playground.views.lessons import load_lesson
from playground.views.start import lesson_bar_html, lessons_html

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "assets" / "models"
LESSONS = sorted(p for p in (ROOT / "playground" / "lesson_files").glob("*.json") if "schema" not in p.name)
KEY = re.compile(r'"key": "([^"]+)"')  # the i18n key a translatable Markdown value carries


@pytest.fixture(scope="module")
def char_model():
    model = load_model(MODELS / "warpeace-char-lstm")
    assert model.vocab.tokenizer.unit == "character"
    return model


def learn_texts(model) -> tuple[str, str]:
    """Learn's texts as the page shows them for `model`, in English and in Chinese (read from the tab's
    Markdown components' i18n keys, which the browser translates from the same tables)."""
    with gr.Blocks() as demo:
        prompt, active = gr.Textbox(), gr.State()
        with gr.Tabs() as tabs:
            learn.build(model, prompt, tabs, active)
    keys = [k for b in demo.blocks.values() if isinstance(b, gr.Markdown) for k in KEY.findall(str(b.value))]
    assert "learn.title" in keys
    return "\n".join(EN[k] for k in keys), "\n".join(ZH[k] for k in keys)


def test_learn_says_character_for_the_character_model(char_model):
    en, zh = learn_texts(char_model)
    assert "At every character $t$, the LSTM reads the character's vector" in en
    assert "**Next character**" in en and "the next-character distribution" in en
    assert not re.search(r"next[- ]word|every word|last word", en, re.IGNORECASE)
    assert "在每个字符的位置 $t$" in zh and "**下一个字符**" in zh and "下一个词" not in zh


def test_learn_still_says_word_for_a_word_model():
    en, zh = learn_texts(load_model(MODELS / "storybooks-lstm"))
    assert "At every word $t$" in en and "**Next word**" in en and "{unit}" not in en
    assert "**下一个词**" in zh and "{unit}" not in zh and "字符" not in zh


def test_start_here_and_the_lesson_bar_say_character(char_model):
    lessons = tuple(load_lesson(p) for p in LESSONS)
    unit = char_model.vocab.tokenizer.unit
    page = lessons_html(lessons, char_model.config.num_layers, None, unit)
    assert "{unit}" not in page and "{Unit}" not in page
    assert "the character that comes next" in page and "Skip: open Next character first" in page
    assert "模型预计下一个字符是什么" in page and "“下一个字符”" in page
    assert not re.search(r"next[- ]word|top word|suggested words", page, re.IGNORECASE)
    bar = lesson_bar_html(lessons, "next_word", "1", char_model.config.num_layers, unit)
    assert "Open the Next-character view" in bar and "用一个故事开头打开“下一个字符”视图" in bar
    # a word model reads the same files as before the marks: "word" and 词
    words = lessons_html(lessons, 2, None, "word")
    assert "the word that comes next" in words and "模型预计下一个词是什么" in words


def test_every_named_mark_in_the_lesson_files_is_a_unit_mark():
    """A {name} other than {unit}/{Unit} would reach the page as written (a typo such as {units})."""
    marks = set()
    for path in LESSONS:
        marks |= set(re.findall(r"\{[A-Za-z_]+\}", path.read_text(encoding="utf-8")))
    assert marks == {"{unit}", "{Unit}"} or marks == {"{unit}"}


def test_the_class_game_score_note_names_the_rooms_unit():
    from playground.text import unit_fields, words_in
    from playground.views.class_game import scores_html

    score = {"actual": "e", "right": 2, "guesses": 5, "class_bits": 1.22, "model_bits": {"LSTM": 0.5}}
    totals = {"words": 1, "class_bits": 1.22, "model_bits": {"LSTM": 0.5}}
    page = scores_html({"unit": "character", "scores": [score], "totals": totals})
    assert "lower = the character was easier to predict" in page and "-log2 P(character)" in page
    assert not re.search(r"\bwords?\b", page)
    zh = words_in("zh", "class.score_note", **unit_fields("zh", "character"))
    assert "这个字符越好猜" in zh and "词" not in zh
