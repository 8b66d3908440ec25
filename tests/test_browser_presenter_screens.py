"""Issue 17, other screens than the projector's: a 1366x768 laptop (nothing wider than the screen, every tab
on screen, the Next-word chart starting on the first screen) and a 768x1024 tablet (every tab wraps onto the
screen; Start here and Learn open and fit its width)."""

from __future__ import annotations

import pytest
from browser_kit import chromium, serve

pytestmark = pytest.mark.browser

TABS = ".tab-container:not(.visually-hidden) button[role=tab]"
FITS = """() => ({
  scroll: document.scrollingElement.scrollWidth, width: innerWidth,
  outside: [...document.querySelectorAll(TABS_SELECTOR)]
    .filter((b) => { const r = b.getBoundingClientRect(); return r.left < 0 || r.right > innerWidth + 0.5; })
    .map((b) => b.textContent.trim()),
  tabs: document.querySelectorAll(TABS_SELECTOR).length,
})"""


@pytest.fixture(scope="module")
def app(tiny_model_dir):
    from lstmlm import load_model

    with serve(load_model(tiny_model_dir)) as url, chromium() as browser:
        yield url, browser


def _open(browser, url: str, width: int, height: int):
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.set_default_timeout(90_000)
    page.goto(url + "?prompt=the+cat+sat+on+the&view=next_word")
    page.wait_for_selector("#next-word-chart .ytick text")
    page.wait_for_timeout(500)
    return page


def _fits(page) -> dict:
    return page.evaluate(FITS.replace("TABS_SELECTOR", repr(TABS)))


def test_laptop_screen(app):
    url, browser = app
    page = _open(browser, url, 1366, 768)
    fits = _fits(page)
    assert fits["scroll"] <= fits["width"] and fits["tabs"] >= 14 and not fits["outside"], fits
    chart = page.locator("#next-word-chart").bounding_box()
    assert chart["y"] < 768 and chart["x"] + chart["width"] <= 1366, chart
    page.close()


def test_tablet_reaches_start_and_learn(app):
    url, browser = app
    page = _open(browser, url, 768, 1024)
    fits = _fits(page)
    assert fits["scroll"] <= fits["width"] and not fits["outside"], fits
    page.locator('button[role=tab][data-tab-id="learn"]').click()
    page.locator(".lp-learn p").first.wait_for(state="visible")
    assert page.locator(".lp-learn p").first.bounding_box()["width"] <= 768
    page.locator('button[role=tab][data-tab-id="start"]').click()
    page.locator("#lessons").wait_for(state="visible")
    assert page.locator("#lessons").bounding_box()["width"] <= 768
    assert _fits(page)["scroll"] <= 768
    page.close()


# Everything drawn inside an upload box (Gradio's icon, "Drop File Here", "- or -", "Click to Upload") must
# lie inside it: a box given a fixed height of 90 px cut the icon off at the top and "Click to Upload" at the
# bottom.
CLIPPED = """(zone) => {
  const box = document.querySelector(zone).getBoundingClientRect();
  return [...document.querySelectorAll(zone + ' button *')]
    .filter((e) => e.getClientRects().length && (e.tagName === 'svg' || e.children.length === 0))
    .map((e) => [e.tagName, e.textContent.trim(), e.getBoundingClientRect()])
    .filter(([, , r]) => r.height > 0 && (r.top < box.top - 1 || r.bottom > box.bottom + 1))
    .map(([tag, text, r]) => `${tag} "${text}" ${Math.round(r.top)}..${Math.round(r.bottom)} outside ` +
      `${Math.round(box.top)}..${Math.round(box.bottom)}`);
}"""


@pytest.mark.parametrize("query", ["", "&mode=present", "&lang=zh", "&lang=zh&mode=present"])
def test_the_upload_box_shows_all_it_draws(app, query):
    url, browser = app
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.set_default_timeout(90_000)
    page.goto(url + "?view=live" + query)
    page.locator("#live-upload button").first.wait_for(state="visible")
    if "lang=zh" in query:
        zh = "() => document.querySelector('#live-upload button').textContent.includes('或')"
        page.wait_for_function(zh)
    page.wait_for_timeout(500)
    assert page.evaluate(CLIPPED, "#live-upload") == []
    page.close()
