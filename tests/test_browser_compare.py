"""End to end in a real browser: the Compare view puts the three models' next words and perplexities side
by side and runs a long-range probe; the Gradient-flow view draws one line per model for the prompt and the
shipped averages. Chromium and its flags come from tests/browser_kit.py.

`LSTM_PLAYGROUND_SCREENSHOT_MODEL=assets/models/storybooks-lstm pytest tests/test_browser_compare.py` writes
the README's screenshots (compare.png, gradient_flow.png, gradient_flow_averaged.png) with that model and the
bundled models trained on its data (the default line-up: storybooks LSTM, GRU, plain RNN).
"""

from __future__ import annotations

import os
import re

import pytest
from browser_kit import MODEL_ENV, element_shot, open_page, serve, shot, shots_dir
from test_compare_api import with_flow

pytestmark = pytest.mark.browser

PROMPT = "The cat sat on the mat . a dog ran to the house"
if os.environ.get(MODEL_ENV):  # the README's screenshots: a storybook sentence with a quotation to close
    PROMPT = (
        'The old rabbit looked at her children and said, "You may play in the fields or down by the river, '
        "but never go into the farmer's garden, because he will catch you and put you in a pie.\""
    )


@pytest.fixture(scope="module")
def app_url(tiny_model_dir, tiny_cell_dirs, tmp_path_factory):
    from lstmlm import load_model
    from playground.views.lineup import bundled_dirs

    model_dir = os.environ.get(MODEL_ENV)
    if model_dir:
        others = bundled_dirs()
    else:  # the tiny LSTM, GRU and RNN, each with a small averaged flow
        root = tmp_path_factory.mktemp("lineup")
        model_dir = with_flow(tiny_model_dir, root / "lstm")
        others = [with_flow(tiny_cell_dirs[c], root / c) for c in ("gru", "rnn_tanh")]
    with serve(load_model(model_dir), model_dir=model_dir, compare_dirs=others) as url:
        yield url


@pytest.fixture(scope="module")
def page(app_url, tmp_path_factory):
    with open_page(app_url, shots_dir(tmp_path_factory)) as pg:
        pg.wait_for_selector("#prompt textarea")
        yield pg


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
    shot(page, "compare", full_page=True)


def test_gradient_flow_view(page):
    page.locator("#prompt textarea").fill(PROMPT)
    page.get_by_role("tab", name="Gradient flow").click()
    page.wait_for_selector("#gradient-prompt .js-plotly-plot")
    page.wait_for_function(
        "() => document.querySelectorAll('#gradient-prompt .scatterlayer .trace').length === 3"
    )
    last_word = re.findall(r"\w+|[^\w\s]", PROMPT)[-1]  # the screenshot's: a closing quotation mark
    assert f"{last_word}, from the" in page.locator("#gradient-head").inner_text()
    assert page.locator("#gradient-averaged .scatterlayer .trace").count() == 6  # a band and a line per model
    shot(page, "gradient_flow", full_page=True)
    element_shot(page, "#gradient-averaged", "gradient_flow_averaged")
