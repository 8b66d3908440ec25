"""Issue 17 item 5, the library's notices in a real browser: a prompt over the length cap, typed on the
Chinese page, is announced in Chinese by every view that reads it (lstmlm's `Prompt.notice`, a Message
the page renders from playground/text/library.py), and no view shows English outside the Chinese walk's
allow-list (tests/test_browser_i18n.py's `english_words`)."""

from __future__ import annotations

import pytest
from browser_kit import chromium, new_page, serve
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from test_browser_i18n import VISIBLE_TEXT, english_words

from lstmlm.prompt import MAX_PROMPT_WORDS
from playground.views.gradient import MAX_FLOW_WORDS

pytestmark = pytest.mark.browser

LONG = "the cat sat on the mat . " * 50  # 350 words of the tiny model's vocabulary (conftest.WORDS)
# views that read the prompt and show its notice, with the button that draws the view (None: it follows)
VIEWS = {
    "next_word": None,
    "gates": None,
    "surprisal": None,
    "units": None,
    "gradient": None,
    "intervene": "#intervene-button",
}  # fmt: skip  (Equations shows no notice)
CAPS = {"gradient": MAX_FLOW_WORDS}  # a view that reads fewer words than the app's cap says its own


def test_the_prompt_length_notice_is_chinese_on_every_view(tiny_model):
    tokens = tiny_model.vocab.encode_text(LONG).tokens
    assert len(tokens) > MAX_PROMPT_WORDS  # the prompt is over the cap: the model reads its last 300
    with serve(tiny_model) as url, chromium() as browser:
        page = new_page(browser, timeout_ms=40_000)
        page.goto(url + "?view=next_word&lang=zh")
        page.wait_for_function("() => document.documentElement.lang.startsWith('zh')")
        page.locator("#prompt textarea").fill(LONG)  # typed, as a student pastes a long text
        for view, button in VIEWS.items():
            cap = CAPS.get(view, MAX_PROMPT_WORDS)
            want = f"文本太长：模型只读最后 {cap} 个词（上限是 {cap}）。"
            page.locator(f'button[role=tab][data-tab-id="{view}"]').click()
            if button:
                page.locator(button).click()
            notices = (
                "() => [...document.querySelectorAll('.lp-notice')].filter((e) => e.offsetParent !== null)"
            )
            try:
                page.wait_for_function(
                    f"(w) => ({notices})().some((e) => e.textContent.includes(w))", arg=want
                )
            except PlaywrightTimeout:
                seen = page.evaluate(f"() => ({notices})().map((e) => e.textContent)")
                pytest.fail(f"the {view} view shows no Chinese length notice; its notices: {seen}")
            for _ in range(60):  # the view's other outputs may still be redrawing: poll until no English
                texts = page.evaluate(VISIBLE_TEXT)
                left = english_words(texts)
                if not left:
                    break
                page.wait_for_timeout(500)
            assert not left, f"English on the Chinese {view} view with a long prompt: {left}"
            said = [t for t in texts if "模型只读最后" in t]
            assert said and all(want in t for t in said), (view, said)
