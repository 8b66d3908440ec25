"""Issue 17 in a real browser: presenter mode makes the prompt, the word chips, the explanations and the
chart's labels at least 1.5x larger at 1920x1080 (computed sizes measured in both modes), and Generate draws
a new seed on each press unless "keep this seed" is ticked."""

from __future__ import annotations

import pytest
from browser_kit import chromium, serve, skip_start

pytestmark = pytest.mark.browser

PROMPT = "the cat sat on the"
SIZES = """() => {
  const px = (sel) => {
    const e = document.querySelector(sel);
    return e ? parseFloat(getComputedStyle(e).fontSize) : null;
  };
  const tick = document.querySelector('#next-word-chart .ytick text');
  return {prompt: px('#prompt textarea'), chip: px('#candidates button'), entropy: px('.lp-entropy-text'),
          tick: tick ? tick.getBoundingClientRect().height : null};
}"""


@pytest.fixture(scope="module")
def app(tiny_model_dir):
    from lstmlm import load_model

    with serve(load_model(tiny_model_dir)) as url, chromium() as browser:
        yield url, browser


def _sizes(browser, url: str, present: bool) -> dict:
    page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    page.set_default_timeout(60_000)
    page.goto(url + "?prompt=the+cat+sat+on+the" + ("&mode=present" if present else ""))
    page.wait_for_selector("#next-word-chart .ytick text")
    page.wait_for_selector("#candidates button")
    if present:
        page.wait_for_function("() => document.body.classList.contains('lp-present')")
    page.wait_for_timeout(800)
    sizes = page.evaluate(SIZES)
    page.close()
    return sizes


def test_presenter_mode_makes_every_text_larger(app):
    url, browser = app
    normal, present = _sizes(browser, url, False), _sizes(browser, url, True)
    for key in ("prompt", "chip", "entropy", "tick"):
        assert present[key] >= 1.45 * normal[key], (key, normal[key], present[key])


def test_generate_draws_a_new_seed_unless_kept(app):
    url, browser = app
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    skip_start(context)  # opens on Next word, as a returning visitor's page does
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.locator("#prompt textarea").fill(PROMPT)
    page.get_by_role("tab", name="Generate").click()

    def press() -> int:
        page.evaluate("() => document.querySelector('#seed-used')?.remove()")
        page.locator("#generate-button").click()
        page.wait_for_selector("#seed-used")
        return int(page.locator("#seed-used").inner_text().split()[1].rstrip(":"))

    first, second = press(), press()
    assert first != second  # two presses, two seeds (1 in a million to collide)
    page.locator("#keep-seed input").check()
    assert press() == second and press() == second
    page.close()
