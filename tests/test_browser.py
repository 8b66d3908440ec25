"""End to end in a real browser: headless Debian chromium driven by Playwright types a prompt, sees the bar
chart's words, streams a generation, opens the gates heatmap and the Learn view, and takes screenshots.

With the tiny test model (the default, as in CI) the screenshots go to a temporary folder; the README's
come from a real model: `LSTM_PLAYGROUND_SCREENSHOT_MODEL=DIR pytest tests/test_browser.py` writes them
to assets/screenshots/.
"""

from __future__ import annotations

import os

import pytest
from browser_kit import CLIPBOARD, MODEL_ENV, open_page, serve, shot, shots_dir

pytestmark = pytest.mark.browser

PROMPT = "The cat sat on the"
GATES_PROMPT = 'The band said that the album was "a story about love ( and loss ) in a small town", and that'


@pytest.fixture(scope="module")
def app_url(tiny_model_dir):
    from lstmlm import load_model

    model = load_model(os.environ.get(MODEL_ENV) or tiny_model_dir)
    with serve(model) as url:
        yield url, model


@pytest.fixture(scope="module")
def page(app_url, tmp_path_factory):
    with open_page(app_url[0], shots_dir(tmp_path_factory), record_outside=True, permissions=CLIPBOARD) as pg:
        yield pg


def _wait_for_chart(pg, words: list[str]) -> None:
    """Wait until the bar chart shows exactly `words` (in any order: plotly writes the ticks bottom-up)."""
    try:
        pg.wait_for_function(
            "w => JSON.stringify([...document.querySelectorAll('#next-word-chart .ytick text')]"
            ".map(t => t.textContent).sort()) === JSON.stringify(w)",
            arg=sorted(words),
        )
    except Exception:
        shown = pg.evaluate(
            "[...document.querySelectorAll('#next-word-chart .ytick text')].map(t => t.textContent)"
        )
        raise AssertionError(f"the chart shows {sorted(shown)}, expected {sorted(words)}") from None


def test_next_word_view(app_url, page):
    from lstmlm.prompt import read_prompt
    from playground.display import display_word
    from playground.views.next_word import predict_next

    _, model = app_url
    page.wait_for_selector("#next-word-chart .ytick text")
    box = page.locator("#prompt textarea")
    box.fill("")
    box.press_sequentially(PROMPT, delay=15)  # live update while typing
    # the tab labels a predicted line break "⏎ new line" (playground/tabs/next_word.py: word_labels)
    predicted = predict_next(model, read_prompt(model.vocab, PROMPT), 10).words
    expected = [display_word(w) + (" new line" if w == "<eos>" else "") for w in predicted]
    _wait_for_chart(page, expected)
    page.wait_for_function(
        "n => document.querySelectorAll('#tokens .lp-chip:not(.lp-legend .lp-chip)').length === n",
        arg=len(read_prompt(model.vocab, PROMPT).tokens),
    )
    assert "bits" in page.locator("#entropy").inner_text()
    shot(page, "next_word")

    # a paste updates the view too (Gradio's Textbox fires no `.input` for it)
    page.evaluate("navigator.clipboard.writeText(' mat and')")
    box.press("End")
    box.press("Control+V")
    page.wait_for_function(
        "n => document.querySelectorAll('#tokens .lp-chip:not(.lp-legend .lp-chip)').length === n",
        arg=len(read_prompt(model.vocab, PROMPT + " mat and").tokens),
    )

    # clicking a candidate word appends it to the prompt, and the view follows
    n = len(read_prompt(model.vocab, PROMPT + " mat and").tokens)
    page.locator("#candidates button").first.click()
    page.wait_for_function(
        "n => document.querySelectorAll('#tokens .lp-chip:not(.lp-legend .lp-chip)').length === n", arg=n + 1
    )
    assert page.locator("#prompt textarea").input_value().startswith(PROMPT + " mat and")


def test_generate_view_streams(app_url, page):
    page.get_by_role("tab", name="Generate").click()
    page.locator("#prompt textarea").fill(PROMPT)
    page.wait_for_selector("#generate-button")
    # count the generated words each time the output changes, to see them arrive one by one
    page.evaluate("""() => {
        window.__counts = [];
        const target = document.querySelector('#generated');
        new MutationObserver(() => window.__counts.push(target.querySelectorAll('.lp-gen').length))
            .observe(target, {childList: true, subtree: true, characterData: true});
    }""")
    page.locator("#generate-button").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#generated .lp-gen').length >= 30 "
        "&& !document.querySelector('#generated .lp-cursor')"
    )
    counts = sorted(set(page.evaluate("window.__counts")))
    assert any(0 < c < 30 for c in counts), f"no partial output seen: {counts}"
    page.wait_for_selector(".lp-summary")
    shot(page, "generate", full_page=True)


def test_gates_view(app_url, page):
    from lstmlm.prompt import read_prompt
    from playground.views.gates import trace_layer, unit_order

    _, model = app_url
    page.get_by_role("tab", name="Gates & memory").click()
    page.wait_for_selector("#gates-heatmap .heatmaplayer image, #gates-heatmap .hm image")
    assert "forget gate" in page.locator("#gates-heatmap .gtitle").text_content()
    # typing while the tab is open redraws it
    page.locator("#prompt textarea").fill(GATES_PROMPT)
    lv = trace_layer(model, read_prompt(model.vocab, GATES_PROMPT), 0)
    page.wait_for_function("n => document.querySelectorAll('#unit-words .lp-w').length === n", arg=lv.steps)
    # the words label the columns along the top, under the title: a tall heatmap (512 rows) would push
    # labels at the bottom below a laptop's screen
    boxes = page.evaluate(
        """() => {
          const box = (e) => e.getBoundingClientRect();
          const plot = document.querySelector('#gates-heatmap');
          const cells = box(plot.querySelector('.heatmaplayer image, .hm image'));
          const words = [...plot.querySelectorAll('.xtick text')].map((e) => box(e).bottom);
          const title = box(plot.querySelector('.gtitle')).bottom;
          return {cells: cells.top, words: Math.max(...words), title: title};
        }"""
    )
    assert boxes["title"] <= boxes["words"] <= boxes["cells"] + 1, boxes
    page.get_by_label("variance").check()
    page.wait_for_function(
        "() => document.querySelector('#gates-heatmap .gtitle').textContent.includes('variance')"
    )
    top = int(unit_order("f", lv.values["f"], "variance")[0])
    page.get_by_role("button", name="Pick the top unit of this order").click()
    page.wait_for_function(
        "u => document.querySelector('#unit-words').textContent.includes(`unit ${u}:`)", arg=top
    )
    shot(page, "gates", full_page=True)


def test_learn_view_and_no_outside_requests(app_url, page):
    from lstmlm.prompt import read_prompt
    from playground.tabs.learn import EXAMPLES

    _, model = app_url
    page.get_by_role("tab", name="Learn").click()
    page.wait_for_selector(".lp-learn .katex")  # the equations are typeset (KaTeX ships with gradio)
    assert "Forget gate" in page.locator(".lp-learn").first.inner_text()
    shot(page, "learn", full_page=True)
    # an example fills the prompt and opens the Next-word view, which follows
    example = dict(EXAMPLES)["Lists"]
    page.locator("#examples").get_by_text("Lists:").click()
    page.wait_for_function("t => document.querySelector('#prompt textarea').value === t", arg=example)
    page.wait_for_selector("#next-word-chart .ytick text", state="visible")
    page.wait_for_function(
        "n => document.querySelectorAll('#tokens .lp-chip:not(.lp-legend .lp-chip)').length === n",
        arg=len(read_prompt(model.vocab, example).tokens),
    )
    assert page.get_by_role("tab", name="Next word").get_attribute("aria-selected") == "true"
    assert page.outside == [], f"requests left the machine: {page.outside[:5]}"
