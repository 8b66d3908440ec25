"""Classroom mode and the Chinese interface in a real browser: a shared link restores the prompt, the view
and its settings; "Link to this screen" builds such a link; presenter mode hides secondary controls; a
zh-CN browser (or ?lang=zh) sees Chinese tab names. With LSTM_PLAYGROUND_SCREENSHOT_MODEL=DIR the
screenshots go to assets/screenshots/ (classroom.png, chinese.png)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from conftest import launch_app

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
README_SHOTS = Path(__file__).resolve().parent.parent / "assets" / "screenshots"
MODEL_ENV = "LSTM_PLAYGROUND_SCREENSHOT_MODEL"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PROMPT = 'The band said that the album was "a story about love'


@pytest.fixture(scope="module")
def app(tiny_model_dir, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    from lstmlm import load_model
    from playground.app import build_app

    model = load_model(os.environ.get(MODEL_ENV) or tiny_model_dir)
    demo = build_app(model)
    url = launch_app(demo)
    shots = README_SHOTS if os.environ.get(MODEL_ENV) else tmp_path_factory.mktemp("screenshots")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            yield url, model, browser, shots
            browser.close()
    finally:
        demo.close()


def _page(browser, locale: str = "en-US"):
    context = browser.new_context(
        viewport={"width": 1500, "height": 1000},
        locale=locale,
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def _shot(page, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)
    page.screenshot(path=str(path))
    from PIL import Image

    Image.open(path).convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)


def _selected_tab(page) -> str:
    return page.locator("button[role=tab][aria-selected=true]").text_content().strip()


def test_shared_link_restores_the_screen_and_presenter_mode(app):
    url, model, browser, shots = app
    layer = model.config.num_layers - 1
    unit = model.config.hidden_dim - 1
    query = {"prompt": PROMPT, "view": "gates", "layer": layer, "gate": "i", "unit": 999, "mode": "present"}
    page = _page(browser)
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
    _shot(page, shots / "classroom.png")

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
    page = _page(browser, locale="zh-CN")
    page.goto(url)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[role=tab]')].some(e => e.textContent.includes('学习'))"
    )
    tabs = page.locator("button[role=tab]").evaluate_all("els => els.map(e => e.textContent.trim())")
    assert "下一个词" in tabs and "门与记忆" in tabs and "学习" in tabs, tabs
    page.locator("button[role=tab]", has_text="学习").click()
    page.wait_for_selector(".lp-learn .katex")
    assert "遗忘门" in page.locator(".lp-learn").first.inner_text()
    _shot(page, shots / "chinese.png")
    page.close()

    # an English browser switches with ?lang=zh (through Gradio's Settings panel), and back with the button
    page = _page(browser)
    page.goto(url + "?lang=zh")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[role=tab]')].some(e => e.textContent.includes('下一个词'))"
    )
    page.locator("#lp-lang").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[role=tab]')].some(e => e.textContent.includes('Next word'))"
    )
    page.close()
