"""End to end in a real browser: the Compare view puts the three models' next words and perplexities side
by side and runs a long-range probe; the Gradient-flow view draws one line per model for the prompt and the
shipped averages. Same chromium and flags as tests/test_browser.py.

`LSTM_PLAYGROUND_SCREENSHOT_MODEL=DIR pytest tests/test_browser_compare.py` writes the README's screenshots
(compare.png, gradient_flow.png) with that model and the other bundled models.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import launch_app
from test_compare_api import with_flow

from tests.test_browser import ARGS, CHROMIUM, MODEL_ENV, README_SHOTS, _shot

pytestmark = pytest.mark.browser

PROMPT = "The cat sat on the mat . a dog ran to the house"


@pytest.fixture(scope="module")
def app_url(tiny_model_dir, tiny_cell_dirs, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium); .ci/run installs it")
    from lstmlm import load_model
    from playground.app import build_app
    from playground.lineup import bundled_dirs

    model_dir = os.environ.get(MODEL_ENV)
    if model_dir:
        others = bundled_dirs()
    else:  # the tiny LSTM, GRU and RNN, each with a small averaged flow
        root = tmp_path_factory.mktemp("lineup")
        model_dir = with_flow(tiny_model_dir, root / "lstm")
        others = [with_flow(tiny_cell_dirs[c], root / c) for c in ("gru", "rnn_tanh")]
    demo = build_app(load_model(model_dir), model_dir=model_dir, compare_dirs=others)
    url = launch_app(demo)
    try:
        yield url
    finally:
        demo.close()


@pytest.fixture(scope="module")
def page(app_url, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        pg = browser.new_page(viewport={"width": 1500, "height": 1000})
        pg.shots = README_SHOTS if os.environ.get(MODEL_ENV) else tmp_path_factory.mktemp("screenshots")
        pg.set_default_timeout(30_000)
        pg.goto(app_url)
        pg.wait_for_selector("#prompt textarea")
        yield pg
        browser.close()


def test_compare_view(page):
    page.locator("#prompt textarea").fill(PROMPT)
    page.get_by_role("tab", name="Compare").click()
    page.wait_for_function("() => document.querySelectorAll('#compare-table tbody tr').length === 3")
    rows = page.locator("#compare-table tbody tr").all_inner_texts()
    assert [r.split()[0] for r in rows] == ["LSTM", "GRU", "plain"]
    assert all(float(r.split("\t")[1].replace(",", "")) > 1 for r in rows)  # a perplexity in every row
    page.wait_for_selector("#compare-bars .js-plotly-plot")
    assert page.locator("#compare-surprisal .scatterlayer .trace").count() == 3
    legend = page.eval_on_selector_all("#compare-bars .legendtext", "els => els.map(e => e.textContent)")
    assert len(legend) == 3 and legend[0].startswith("LSTM")
    # typing a new prompt redraws the table while the tab is open
    before = page.locator("#compare-table").inner_text()
    page.locator("#prompt textarea").fill(PROMPT + " and")
    page.wait_for_function("b => document.querySelector('#compare-table').innerText !== b", arg=before)
    page.locator("#prompt textarea").fill(PROMPT)
    page.locator("#probe-run").click()
    page.wait_for_selector("#probe-note .lp-notice, #probe-plot .js-plotly-plot")
    _shot(page, "compare", full_page=True)


def test_gradient_flow_view(page):
    page.locator("#prompt textarea").fill(PROMPT)
    page.get_by_role("tab", name="Gradient flow").click()
    page.wait_for_selector("#gradient-prompt .js-plotly-plot")
    page.wait_for_function(
        "() => document.querySelectorAll('#gradient-prompt .scatterlayer .trace').length === 3"
    )
    assert "house" in page.locator("#gradient-head").inner_text()
    assert page.locator("#gradient-averaged .scatterlayer .trace").count() == 6  # a band and a line per model
    _shot(page, "gradient_flow", full_page=True)
    _element_shot(page, "#gradient-averaged", "gradient_flow_averaged")


def _element_shot(pg, selector: str, name: str) -> None:
    """One plot alone (the README shows the averaged gradient flow by itself), in 256 colours."""
    from PIL import Image

    path = pg.shots / f"{name}.png"
    pg.locator(selector).screenshot(path=str(path))
    Image.open(path).convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)
    assert path.stat().st_size < 200_000, f"{path} is {path.stat().st_size} bytes"
