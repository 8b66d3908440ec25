"""Start here in a real browser: the tab comes first, a lesson's step link opens its view with its prompt,
and Equations & memory draws the live cell diagram for that prompt."""

from __future__ import annotations

import pytest
from browser_kit import chromium, new_page, serve

from playground.lessons import LESSONS

pytestmark = pytest.mark.browser


def test_start_here_is_first_and_a_lesson_link_opens_its_view(tiny_model):
    lesson = next(lesson for lesson in LESSONS if lesson.key == "forget_gate")
    step = next(n for n, s in enumerate(lesson.steps, 1) if s.screen and s.screen.view == "equations")
    prompt = lesson.steps[step - 1].screen.prompt
    with serve(tiny_model) as url, chromium() as browser:
        page = new_page(browser)
        page.goto(url)
        tabs = page.locator("button[role=tab]")
        tabs.first.wait_for()
        assert tabs.first.text_content().strip() == "Start here"
        tabs.first.click()
        link = page.locator(f'#lessons .lp-lang-en a[data-lesson="{lesson.key}"][data-step="{step}"]')
        link.click()
        page.wait_for_function("t => document.querySelector('#prompt textarea')?.value === t", arg=prompt)
        selected = page.locator("button[role=tab][aria-selected=true]").text_content().strip()
        assert selected == "Equations & memory"
        # the diagram is drawn for the last word of the prompt, with the trace's numbers in it
        svg = page.locator("#cell-diagram svg.lp-cell-diagram")
        svg.wait_for()
        assert "unit 0" in svg.get_attribute("aria-label")
        assert len(svg.locator("text[data-q]").all()) == 11

        # a Chinese browser sees the Chinese lessons (and their links keep the language)
        page = new_page(browser, locale="zh-CN")
        page.goto(url)
        page.locator("button[role=tab]").first.click()
        page.locator("#lessons .lp-lang-zh").wait_for(state="visible")
        assert not page.locator("#lessons .lp-lang-en").is_visible()
        assert "lang=zh" in page.locator("#lessons .lp-lang-zh a").first.get_attribute("href")
