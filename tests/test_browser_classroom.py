"""Classroom mode and the Chinese interface in a real browser: a shared link restores the prompt, the view
and its settings; "Link to this screen" builds such a link; presenter mode hides secondary controls; a
zh-CN browser (or ?lang=zh) sees Chinese tab names. With LSTM_PLAYGROUND_SCREENSHOT_MODEL=DIR the
screenshots go to assets/screenshots/ (classroom.png, chinese.png)."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from browser_kit import CLIPBOARD, MODEL_ENV, chromium, new_page, serve, shot, shots_dir

pytestmark = pytest.mark.browser

PROMPT = 'The band said that the album was "a story about love'


@pytest.fixture(scope="module")
def app(tiny_model_dir, tmp_path_factory):
    from lstmlm import load_model

    model = load_model(os.environ.get(MODEL_ENV) or tiny_model_dir)
    with serve(model) as url, chromium() as browser:
        yield url, model, browser, shots_dir(tmp_path_factory)


def _page(browser, shots=None, locale: str = "en-US"):
    return new_page(browser, shots, locale=locale, permissions=CLIPBOARD)


def _selected_tab(page) -> str:
    return page.locator("button[role=tab][aria-selected=true]").text_content().strip()


def test_shared_link_restores_the_screen_and_presenter_mode(app):
    url, model, browser, shots = app
    layer = model.config.num_layers - 1
    unit = model.config.hidden_dim - 1
    query = {"prompt": PROMPT, "view": "gates", "layer": layer, "gate": "i", "unit": 999, "mode": "present"}
    page = _page(browser, shots)
    page.goto(url + "?" + urlencode(query))
    page.wait_for_function("t => document.querySelector('#prompt textarea')?.value === t", arg=PROMPT)
    page.wait_for_function("() => document.body.classList.contains('lp-present')")
    assert _selected_tab(page) == "Gates & memory"
    # the gates view is drawn for the restored layer/gate, and the unit was clamped to the last one
    page.wait_for_function(
        "u => document.querySelector('#unit-words')?.textContent.includes(`unit ${u}:`)", arg=unit
    )
    page.wait_for_selector("#gates-heatmap .gtitle")
    assert "input gate" in page.locator("#gates-heatmap .gtitle").text_content()
    assert f"layer {layer + 1}" in page.locator("#gates-heatmap .gtitle").text_content()
    assert not page.locator("footer").is_visible()  # presenter mode hides the footer and side controls
    shot(page, "classroom")

    # "Link to this screen" gives a link that carries the same state
    page.locator("#lp-present input").uncheck()
    page.wait_for_function("() => !document.body.classList.contains('lp-present')")
    page.locator("#lp-link-button").click()
    page.wait_for_function(
        "() => (document.querySelector('#lp-link textarea, #lp-link input')?.value || '').startsWith('http')"
    )
    link = page.locator("#lp-link textarea, #lp-link input").first.input_value()
    got = {k: v[0] for k, v in parse_qs(urlparse(link).query).items()}
    assert got["prompt"] == PROMPT and got["view"] == "gates" and got["gate"] == "i"
    assert got["unit"] == str(unit) and "mode" not in got
    assert page.evaluate("location.href") == link
    page.close()


def test_hostile_link_falls_back_to_defaults(app):
    url, _, browser, _ = app
    page = _page(browser)
    page.goto(url + "?view=../../etc&k=nan&temperature=1e999&seed=-5&unknown=1&prompt=" + "x%20" * 3000)
    page.wait_for_function(
        "() => (document.querySelector('#prompt textarea')?.value || '').startsWith('x x')"
    )
    assert len(page.locator("#prompt textarea").input_value()) <= 2000
    assert _selected_tab(page) == "Next word"
    page.close()


def test_chinese_interface(app):
    url, _, browser, shots = app
    page = _page(browser, shots, locale="zh-CN")
    page.goto(url)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[role=tab]')].some(e => e.textContent.includes('学习'))"
    )
    tabs = page.locator("button[role=tab]").evaluate_all("els => els.map(e => e.textContent.trim())")
    assert "下一个词" in tabs and "门与记忆" in tabs and "学习" in tabs, tabs
    page.locator("button[role=tab]", has_text="学习").click()
    page.wait_for_selector(".lp-learn .katex")
    assert "遗忘门" in page.locator(".lp-learn").first.inner_text()
    shot(page, "chinese")
    page.close()

    # an English browser switches with ?lang=zh (through Gradio's Settings panel), and back with the button
    page = _page(browser)
    page.goto(url + "?lang=zh")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[role=tab]')].some(e => e.textContent.includes('下一个词'))"
        " && document.querySelector('#lp-lang')"
    )
    # the switch names the other language as soon as the tabs are Chinese (it said 中文 for seconds, while
    # Gradio's own words still followed the browser), and a press then ends in English
    assert page.locator("#lp-lang").inner_text().strip() == "English"
    page.locator("#lp-lang").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[role=tab]')].some(e => e.textContent.includes('Next word'))"
    )
    page.close()
