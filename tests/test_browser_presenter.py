"""Issue 17, presenter mode for projectors, in a real browser at 1920x1080: every text measured (the prompt,
the word chips, the uncertainty line, the tab labels, the chart's tick labels, title and axis title, the
unit caption and the explanations) is at least 1.5x its normal computed size (font size times CSS zoom),
the Next-word chart takes the full width, the secondary controls are hidden, and the Gates heatmap of a
40-unit model shows only the first 32 units of its order, with a note, inside 1920x1080."""

from __future__ import annotations

import pytest
import torch
from browser_kit import chromium, serve

from playground.classroom.bar import PRESENT_UNITS

pytestmark = pytest.mark.browser

HIDDEN = 40  # more units than presenter mode shows
SIZES = """() => {
  const size = (sel) => {
    const e = [...document.querySelectorAll(sel)].find((x) => x.getBoundingClientRect().height > 0);
    if (!e) return null;
    let zoom = 1;
    for (let a = e; a; a = a.parentElement) zoom *= parseFloat(getComputedStyle(a).zoom || 1);
    return parseFloat(getComputedStyle(e).fontSize) * zoom;
  };
  return Object.fromEntries(Object.entries(SELECTORS).map(([k, sel]) => [k, size(sel)]));
}"""
NEXT_WORD = {
    "prompt": "#prompt textarea",
    "chip": "#candidates button",
    "uncertainty": ".lp-entropy-text",
    "tab": ".tab-container:not(.visually-hidden) button[role=tab]",
    "tick": "#next-word-chart .ytick text",
    "title": "#next-word-chart .gtitle",
    "axis": "#next-word-chart .xtitle",
    "language button": "#lp-lang",
    "link button": "#lp-link-button",
}
GATES = {"caption": "#unit-words .lp-label", "tick": "#gates-heatmap .ytick text"}
LEARN = {"explanation": ".lp-learn p"}


@pytest.fixture(scope="module")
def app(tiny_corpus, tmp_path_factory):
    from lstmlm import load_model
    from lstmlm.data import Corpus
    from lstmlm.model import ModelConfig
    from lstmlm.training.loop import TrainConfig, train

    out = tmp_path_factory.mktemp("wide-model")
    corpus = Corpus.from_folder(tiny_corpus)
    torch.manual_seed(0)
    config = ModelConfig(vocab_size=len(corpus.vocab), embed_dim=HIDDEN, hidden_dim=HIDDEN, num_layers=1)
    train(corpus, config, TrainConfig(epochs=1, batch_size=4, bptt=10, lr=0.01, device="cpu"), out)
    with serve(load_model(out)) as url, chromium() as browser:
        yield url, browser


def _page(browser, url: str, view: str, present: bool, ready: str):
    page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    page.set_default_timeout(90_000)
    page.goto(f"{url}?prompt=the+cat+sat+on+the&view={view}" + ("&mode=present" if present else ""))
    page.wait_for_selector(ready)
    if present:
        page.wait_for_function("() => document.body.classList.contains('lp-present')")
    page.wait_for_timeout(1000)  # the presenter redraw (Gates) and plotly's relayout
    return page


def _sizes(page, selectors: dict[str, str]) -> dict[str, float]:
    import json

    return page.evaluate(SIZES.replace("SELECTORS", json.dumps(selectors)))


def test_every_text_is_half_again_larger_and_the_chart_fills_the_width(app):
    url, browser = app
    measured = {}
    for present in (False, True):
        page = _page(browser, url, "next_word", present, "#next-word-chart .ytick text")
        page.wait_for_selector("#candidates button")
        sizes = _sizes(page, NEXT_WORD)
        chart = page.locator("#next-word-chart .js-plotly-plot").bounding_box()  # drawn, not its box
        row = page.locator("#next-word-row").bounding_box()
        secondary = page.locator(".lp-secondary").first.is_visible()
        page.locator('button[role=tab][data-tab-id="learn"]').click()
        page.wait_for_selector(".lp-learn p")
        sizes |= _sizes(page, LEARN)
        page.close()
        page = _page(browser, url, "gates", present, "#unit-words .lp-label")
        page.wait_for_selector("#gates-heatmap .ytick text")
        page.wait_for_timeout(1000)  # the presenter redraw replaces the heatmap
        sizes |= {f"gates {k}": v for k, v in _sizes(page, GATES).items()}
        page.close()
        measured[present] = sizes, chart["width"] / row["width"], secondary
    (normal, normal_share, normal_secondary), (big, big_share, big_secondary) = (
        measured[False],
        measured[True],
    )
    for key, size in normal.items():
        assert size and big[key] and big[key] >= 1.5 * size - 1e-6, (key, normal, big)
    assert normal_share < 0.7 and big_share > 0.97, (normal_share, big_share)  # the chart: full width
    assert normal_secondary and not big_secondary  # the k slider and the token chips are hidden


def test_gates_heatmap_fits_the_screen_with_the_first_units(app):
    url, browser = app
    rows = {}
    for present in (False, True):
        page = _page(browser, url, "gates", present, "#gates-heatmap .ytick text")
        rows[present] = page.wait_for_function(  # the rows drawn (plotly may skip some of their labels)
            "n => { const gd = document.querySelector('#gates-heatmap .js-plotly-plot');"
            " const y = gd && gd.data && gd.data[0].y; return y && y.length === n && y.length; }",
            arg=PRESENT_UNITS if present else HIDDEN,
        ).json_value()
        if present:
            box = page.locator("#gates-heatmap .js-plotly-plot").bounding_box()
            assert box["height"] <= 1080 and box["width"] <= 1920, box
            note = page.locator(".lp-notice").first.inner_text()
            assert f"first {PRESENT_UNITS} of {HIDDEN} units" in note, note
        page.close()
    assert rows == {False: HIDDEN, True: PRESENT_UNITS}
