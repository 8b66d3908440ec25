"""Live Lab, "Open this snapshot in every view" in a real browser (chromium): the snapshot's model opens in a
new browser tab, and the teacher's page stays where it is with its training still running (it opened in the
same tab before: leaving the page ended the training and removed its files, download and share link with
them). A refused click (no training yet) says why and leaves no empty tab behind; a browser that blocks the
new tab gets a link to it and a sentence saying so, and the page stays."""

from __future__ import annotations

import re

import pytest
from browser_kit import chromium, new_page, serve_hub
from test_live_app import HEATMAP, anbn_text

STEP = (  # the step number the status line shows
    "() => Number((document.querySelector('#live-status')?.textContent.match(/step ([\\d,]+)/)"
    " || [0, '0'])[1].replace(/,/g, ''))"
)


@pytest.mark.browser
def test_open_a_snapshot_in_a_new_tab_keeps_the_training(tiny_model_dir):
    with serve_hub(tiny_model_dir) as (_, url), chromium() as browser:
        page = new_page(browser, timeout_ms=90_000)
        page.goto(url)
        page.get_by_role("tab", name="Train your own").click()
        page.locator("#live-open").click()  # nothing trained yet: refused, and the empty tab closed
        page.locator(".toast-body").filter(has_text="Train a model first").first.wait_for()
        page.wait_for_function("() => !window.lpNewTab")
        page.wait_for_timeout(500)
        assert len(page.context.pages) == 1
        page.locator("#live-text textarea").fill(anbn_text())
        page.locator("#live-train").click()
        page.wait_for_function(f"() => ({STEP})() > 0", timeout=90_000)
        page.wait_for_function(f"() => ({HEATMAP})() !== null", timeout=90_000)  # a snapshot is shown
        with page.context.expect_page() as opened:
            page.locator("#live-open").click()
        other = opened.value
        other.wait_for_url(re.compile(r"/m/live-lab-model-at-step-[\d-]+s/"), timeout=90_000)
        other.get_by_role("tab", name="Next character").wait_for()  # the Lab's model reads characters
        # on the run's own text (the page's prompt box holds the main model's sentence, not this text's)
        other.wait_for_function(
            "t => document.querySelector('#prompt textarea')?.value === t", arg=anbn_text()[:100]
        )
        assert page.url.split("?")[0] == url  # the teacher's page stayed
        at = page.evaluate(STEP)
        page.wait_for_function(f"() => ({STEP})() > {at}", timeout=90_000)  # and its training goes on
        assert "Training" in page.locator("#live-status").inner_text()
        # a browser that blocks the new tab (window.open refused, as a popup blocker does): the page stays,
        # says why and shows a link to the snapshot that opens in a new tab (it navigated this page away
        # before, which ended the training and removed its files)
        page.evaluate("() => { window.open = () => null; }")
        pages = len(page.context.pages)
        page.locator("#live-open").click()
        note = page.locator("#live-open-note .live-open-blocked")
        note.wait_for()
        assert "Your browser blocked the new tab" in note.inner_text()
        link = note.get_by_role("link", name="Open the snapshot in a new tab")
        assert link.is_visible() and link.get_attribute("target") == "_blank"
        assert re.search(r"/m/live-lab-model-at-step-[\d-]+s/", link.get_attribute("href"))
        page.wait_for_timeout(1000)
        assert page.url.split("?")[0] == url and len(page.context.pages) == pages
        with page.context.expect_page() as linked:
            link.click()
        linked.value.wait_for_url(re.compile(r"/m/live-lab-model-at-step-[\d-]+s/"), timeout=90_000)
        at = page.evaluate(STEP)
        page.wait_for_function(f"() => ({STEP})() > {at}", timeout=90_000)  # its training still goes on
        assert page.url.split("?")[0] == url
        page.locator("#live-stop").click()
        page.wait_for_function("() => /Stopped/.test(document.querySelector('#live-status')?.textContent)")
