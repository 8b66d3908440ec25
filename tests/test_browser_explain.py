"""End to end in a real browser: drive one intervention and see the after-distribution appear, open the
equations view (typeset by KaTeX) and compare two prompts; screenshots of each view.

As in tests/test_browser.py: with the tiny test model the screenshots go to a temporary folder;
`LSTM_PLAYGROUND_SCREENSHOT_MODEL=DIR pytest tests/test_browser_explain.py` writes the README's to
assets/screenshots/.
"""

from __future__ import annotations

import os

import pytest
from browser_kit import MODEL_ENV, open_page, serve, shot, shots_dir

pytestmark = pytest.mark.browser

PROMPT = "The album was released in the United States on"


@pytest.fixture(scope="module")
def app_url(tiny_model_dir):
    from lstmlm import load_model

    model = load_model(os.environ.get(MODEL_ENV) or tiny_model_dir)
    with serve(model) as url:
        yield url, model


@pytest.fixture(scope="module")
def page(app_url, tmp_path_factory):
    with open_page(app_url[0], shots_dir(tmp_path_factory), timeout_ms=60_000) as pg:
        pg.wait_for_selector("#next-word-chart .ytick text")
        pg.locator("#prompt textarea").fill(PROMPT)
        yield pg


def test_intervention(app_url, page):
    from playground.display import display_word
    from playground.views.intervene import InterventionRequest, run_intervention

    _, model = app_url
    layer = model.config.num_layers - 1
    page.get_by_role("tab", name="Intervene").click()
    page.locator("#intervene-layer").get_by_label(f"Layer {layer + 1}").check()
    page.locator("#intervene-steps textarea, #intervene-steps input").fill("0-")
    page.locator("#intervene-button").click()
    req = InterventionRequest(layer=layer, steps="0-", action="pin_output", value=0.0)  # the default preset
    res = run_intervention(model, PROMPT, req, n_words=20, seed=0, k=10)
    after = sorted(display_word(w) for w in res.change.after.words)
    # the right-hand chart (y2) lists the words after the intervention, a word new to the top k in bold
    page.wait_for_function(
        "w => { const gd = document.querySelector('#intervene-bars .js-plotly-plot');"
        " return !!gd && gd.data.length === 2 && JSON.stringify([...document.querySelectorAll("
        "'#intervene-bars .y2tick text')].map(t => t.textContent).sort()) === JSON.stringify(w); }",
        arg=after,
    )
    assert "output gate o to 0" in page.locator("#intervene-text").inner_text()
    assert page.locator("#intervene-effect").inner_text().startswith("The top word")
    assert "With the intervention" in page.locator("#intervene-generated").inner_text()
    page.wait_for_selector("#intervene-heatmap .heatmaplayer image, #intervene-heatmap .hm image")
    shot(page, "intervene", full_page=True)


def test_equations(app_url, page):
    from lstmlm.prompt import read_prompt

    last = len(read_prompt(app_url[1].vocab, PROMPT).tokens) - 1
    page.get_by_role("tab", name="Equations & memory").click()
    page.wait_for_selector("#equations .katex")
    text = page.locator("#equations").inner_text()
    assert "Forget gate" in text and f"step {last} (on)" in text  # the last word of the prompt
    page.wait_for_selector("#memory-stack .barlayer .point")
    page.wait_for_selector("#memory-horizon .heatmaplayer image, #memory-horizon .hm image")
    shot(page, "equations", full_page=True)


def test_counterfactual(app_url, page):
    page.get_by_role("tab", name="Change one word").click()
    # words the tiny model knows (the default pair's "boy"/"girl" both read as <unk> for it: nothing differs)
    page.locator("#prompt-a textarea, #prompt-a input").first.fill("the cat sat on the")
    page.locator("#prompt-b textarea, #prompt-b input").first.fill("the dog sat on the")
    page.locator("#counterfactual-button").click()
    page.wait_for_selector("#counterfactual-lines .scatterlayer .trace")
    assert "first differ at step 1 (cat/dog)" in page.locator("#counterfactual-text").inner_text()
    page.wait_for_selector("#counterfactual-bars .barlayer .point")
    shot(page, "counterfactual", full_page=True)
