"""The server side of the language switch, without a browser: which language a request asks for (its
lp_lang cookie, else Accept-Language), `say`, the two dictionaries in step, plots drawn in Chinese, and
Gradio's own dictionaries found for the page script."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from playground import plots
from playground.classroom.bar import presenting
from playground.classroom.language import gradio_locales
from playground.i18n import EN, PAIRS, ZH, language, page_cookie, plot_words, say
from playground.text.plots import ZH_PLOT_WORDS
from playground.views.gates import GATE_TITLES


class FakeRequest:
    def __init__(self, **headers: str):
        self.headers = headers


def test_language_reads_the_cookie_then_accept_language():
    assert language(FakeRequest(cookie="a=1; lp_lang=zh")) == "zh"
    assert language(FakeRequest(cookie="lp_lang=en", **{"accept-language": "zh-CN,zh"})) == "en"
    assert language(FakeRequest(cookie="lp_lang=fr", **{"accept-language": "zh-CN,zh"})) == "zh"
    assert language(FakeRequest(**{"accept-language": "de-DE"})) == "en"
    assert language(FakeRequest(cookie='broken"; lp_lang')) == "en"
    assert language() == "en"  # outside a request (a script, a test)
    assert page_cookie("lp_present", FakeRequest(cookie="lp_present=1")) == "1"
    assert presenting(FakeRequest(cookie="lp_present=1")) and not presenting(
        FakeRequest(cookie="lp_present=0")
    )


def test_say_fills_fields_in_either_language():
    assert say("gates.caption", "en", layer=2, unit=5, step="word", what="x") == (
        "Layer 2, unit 5: each word shaded by its x"
    )
    assert say("eq.name", "zh", layer=1, unit=3) == "第 1 层，单元 3"
    assert say("next.title") == "What comes next?"


def test_both_languages_have_every_key_and_match_their_sources():
    assert set(EN) == set(ZH)
    assert set(ZH_PLOT_WORDS) == set(plots.WORDS)
    assert all(EN[f"gatetitle.{g}"] == title for g, title in GATE_TITLES.items())
    for (
        key
    ) in PAIRS:  # the {fields} `say` fills are the same in both languages (LaTeX texts are not in PAIRS)
        assert sorted(re.findall(r"{(\w+)", EN[key])) == sorted(re.findall(r"{(\w+)", ZH[key])), key


def test_a_heatmap_in_chinese():
    z = np.zeros((3, 2), dtype=np.float32)
    english = plots.gate_heatmap(z, ["the", "cat"], [4, 0, 7], "f", "t")
    chinese = plots.gate_heatmap(z, ["the", "cat"], [4, 0, 7], "f", "t", words_text=plot_words("zh"))
    assert list(english.data[0].y) == ["unit 4", "unit 0", "unit 7"]
    assert list(chinese.data[0].y) == ["单元 4", "单元 0", "单元 7"]
    assert english.layout.yaxis.title.text == "3 units" and chinese.layout.yaxis.title.text == "3 个单元"
    assert chinese.layout.xaxis.title.text == "词（第 0..1 步）"


def test_gradio_dictionaries_are_found():
    """The page script swaps Gradio's own words from Gradio's en and zh-CN dictionaries: both files are found
    among its assets, the English one exporting the upload box's section (its words live in Gradio's core
    module) and the Chinese one holding them (read here as text, not through the page)."""
    import gradio as gr

    files = gradio_locales()
    assets = Path(gr.__file__).parent / "templates" / "frontend" / "assets"
    assert set(files) == {"en", "zh"} and files["zh"].startswith("zh-CN-"), files
    assert " as upload_text" in (assets / files["en"]).read_text(encoding="utf-8")
    chinese = (assets / files["zh"]).read_text(encoding="utf-8")
    assert all(w in chinese for w in ("将文件拖放到此处", "点击上传", "简体中文"))
