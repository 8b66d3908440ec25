"""Issue 17, presenter mode for projectors, in a real browser at 1920x1080: every text measured (the prompt,
the word chips, the uncertainty line, the tab labels, the chart's tick labels, title and axis title, the
unit caption and the explanations) is at least 1.5x its normal computed size (font size times CSS zoom),
the Next-word chart takes the full width, the secondary controls are hidden, and the Gates heatmap of a
40-unit model shows only the first 32 units of its order, with a note, inside 1920x1080. Generate's text and
chart and Equations' memory plots and cell diagram fill their rows, with the controls a teacher uses while
presenting in sight.

And on every tab, a generic walk: every visible text (each text node's element, every input's and select's
value, every SVG text of the charts) is at least 1.5x its normal size (font size times the CSS zoom of its
ancestors, times the scale of an SVG drawn from a viewBox, as the cell diagram), so a label, a radio or
checkbox text, a slider's value and ends, a dropdown, a button, markdown, a caption or a chart's text that
does not scale fails. Texts are matched between the two modes by their element's path and their words; a
text shown in one mode only (a secondary control presenter mode hides, the heatmap's rows past the first
32) is not compared; KaTeX's MathML copy (read by screen readers, not drawn) is left out. NOT_SCALED lists
what may stay, and why. The sizes come from classroom/presenter.py."""

from __future__ import annotations

import json

import pytest
import torch
from browser_kit import chromium, serve, settled, skip_start, watch_calls

from playground.classroom.bar import PRESENT_UNITS
from playground.tabs.registry import TABS

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
# The charts' texts as drawn: the height of each one's box on screen (getBoundingClientRect), which is what
# a viewer sees whatever the font size and zoom say (a zoom of 1.5 drew a 32 px title 47 px high).
CHART_TEXT = {
    "tick": "#next-word-chart .ytick text",
    "title": "#next-word-chart .gtitle",
    "axis": "#next-word-chart .xtitle",
    "bar label": "#next-word-chart .textpoint text",
    "gates tick": "#gates-heatmap .ytick text",
    "gates title": "#gates-heatmap .gtitle",
}
RENDERED = """() => Object.fromEntries(Object.entries(SELECTORS).map(([k, sel]) => {
  const e = [...document.querySelectorAll(sel)].find((x) => x.getBoundingClientRect().height > 0);
  return [k, e ? e.getBoundingClientRect().height : null];
}))"""
LEARN = {"explanation": ".lp-learn p"}
# Each visible text's computed size, keyed by its element's path (ids, classes) and its first words.
TEXT_SIZES = """() => {
  const out = {};
  const zoomOf = (e) => {
    let z = 1;
    for (let a = e; a; a = a.parentElement) z *= parseFloat(getComputedStyle(a).zoom || 1);
    return z;
  };
  const keyOf = (e) => {
    const parts = [];
    for (let a = e; a && a !== document.body; a = a.parentElement) {
      let p = a.tagName.toLowerCase();
      // ids and classes that change from one page load to the next (gradio's html-xxxx, plotly's cb3e029b)
      const stable = (name) => !/\\d|^svelte-|^html-|^component-/.test(name);
      if (a.id && stable(a.id)) { parts.unshift(p + '#' + a.id); break; }
      const cls = [...a.classList].filter(stable).slice(0, 2).join('.');
      parts.unshift(cls ? p + '.' + cls : p);
    }
    return parts.join('>');
  };
  const shown = (e) => {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    const cs = getComputedStyle(e);
    return cs.visibility !== 'hidden' && cs.display !== 'none' && cs.opacity !== '0';
  };
  const svgScale = (e) => {  // an SVG drawn from a viewBox scales its text with its width
    const svg = e.closest('svg');
    const box = svg && svg.viewBox && svg.viewBox.baseVal;
    return box && box.width > 0 ? svg.clientWidth / box.width : 1;
  };
  const add = (e, words) => {
    const key = keyOf(e) + ' | ' + words.slice(0, 40);
    if (!(key in out)) out[key] = parseFloat(getComputedStyle(e).fontSize) * zoomOf(e) * svgScale(e);
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const words = walker.currentNode.textContent.trim();
    const e = walker.currentNode.parentElement;
    if (!/[^\\s\\u200b-\\u200d\\ufeff]/.test(words) || !e) continue;  // zero-width: nothing to read
    if (e.closest('script, style, noscript, template, .hoverlayer, .modebar, .katex-mathml')) continue;
    if (shown(e)) add(e, words);
  }
  for (const e of document.querySelectorAll('input, textarea, select')) {
    const kind = (e.type || '').toLowerCase();
    if (['checkbox', 'radio', 'range', 'hidden', 'file'].includes(kind) || !shown(e)) continue;
    add(e, '[value] ' + (e.value || e.placeholder || ''));
  }
  return out;
}"""
# (part of a text's path, why it may keep its size): nothing on the page so far. Outside the walk, and
# outside CSS's reach: the browser's own tooltips (title attributes) and an open <select>'s list.
NOT_SCALED: tuple[tuple[str, str], ...] = ()


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
    return page.evaluate(SIZES.replace("SELECTORS", json.dumps(selectors)))


def _drawn(page, selectors: dict[str, str]) -> dict[str, float | None]:
    """Each selector's first shown element's height on screen in px (None: no such element)."""
    return page.evaluate(RENDERED.replace("SELECTORS", json.dumps(selectors)))


def test_every_text_is_half_again_larger_and_the_chart_fills_the_width(app):
    url, browser = app
    measured, heights = {}, {}
    for present in (False, True):
        page = _page(browser, url, "next_word", present, "#next-word-chart .ytick text")
        page.wait_for_selector("#candidates button")
        sizes = _sizes(page, NEXT_WORD)
        drawn = _drawn(page, {k: v for k, v in CHART_TEXT.items() if "next-word" in v})
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
        drawn |= _drawn(page, {k: v for k, v in CHART_TEXT.items() if "gates" in v})
        page.close()
        measured[present] = sizes, chart["width"] / row["width"], secondary
        heights[present] = drawn
    (normal, normal_share, normal_secondary), (big, big_share, big_secondary) = (
        measured[False],
        measured[True],
    )
    for key, size in normal.items():
        assert size and big[key] and big[key] >= 1.5 * size - 1e-6, (key, normal, big)
    assert normal_share < 0.7 and big_share > 0.97, (normal_share, big_share)  # the chart: full width
    # the charts' texts as drawn, not only as sized: 1.5x their height on screen
    assert heights[False]["tick"] and heights[False]["title"] and heights[False]["axis"], heights
    small = {
        key: (height, heights[True][key])
        for key, height in heights[False].items()
        if height is not None and not (heights[True][key] or 0) >= 1.5 * height
    }
    assert not small, (small, heights)
    assert normal_secondary and not big_secondary  # the k slider and the token chips are hidden


# Generate and Equations in presenter mode: each chart (and the generated text) across its row, drawn as
# wide as the row (the chart itself, not its box), and the controls a teacher uses while presenting on the
# page and on the first screen where they open it. Normal mode keeps its side column and its two charts side
# by side (measured at 1920x1080: the reshaping chart 1312 of the row's 1856 px, each memory plot 918).
SHARES = {  # name: (what is drawn, the row it should fill)
    "generate": {
        "text": ("#generated", "#generate-row"),
        "chart": ("#gen-reshaping .js-plotly-plot", "#generate-row"),
    },
    "equations": {
        "stack": ("#memory-stack .js-plotly-plot", "#memory-row"),
        "horizon": ("#memory-horizon .js-plotly-plot", "#memory-row"),
        "diagram": ("#cell-diagram svg", "#cell-diagram"),
    },
}
TEACHER = {  # the controls kept in presenter mode, and whether they must be on the first screen
    "generate": {"#generate-button": True, "#gen-temperature": True, "#keep-seed": True,
                 "#gen-reshaping": False},
    "equations": {"#equations-step": True, "#diagram-back": True, "#diagram-forward": True,
                  "#diagram-play": True, "#diagram-stop": True, "#equations-unit": True},
}  # fmt: skip


def _shares(page, view: str) -> dict[str, float]:
    def width(selector: str) -> float:
        return page.locator(selector).first.bounding_box()["width"]

    return {name: width(drawn) / width(row) for name, (drawn, row) in SHARES[view].items()}


def _controls(page, view: str) -> dict[str, str]:
    """What is wrong with each control a teacher needs: '' when it is shown inside the screen's width (and
    on the first screen, where TEACHER says so)."""
    out = {}
    for selector, first_screen in TEACHER[view].items():
        box = page.locator(selector).bounding_box() if page.locator(selector).is_visible() else None
        if box is None:
            out[selector] = "hidden"
        elif box["x"] < 0 or box["x"] + box["width"] > 1920:
            out[selector] = f"wider than the screen: {box}"
        elif first_screen and box["y"] + box["height"] > 1080:
            out[selector] = f"below the first screen: {box}"
        else:
            out[selector] = ""
    return out


def test_generate_and_equations_fill_the_width_and_keep_their_controls(app):
    url, browser = app
    shares, wrong, csv, scrolled = {}, {}, {}, {}
    for present in (False, True):
        page = _page(browser, url, "generate", present, "#generate-button")
        page.locator("#generate-button").click()
        page.wait_for_selector("#gen-reshaping .gtitle")
        page.wait_for_selector("#generated-csv", state="attached")
        page.wait_for_timeout(1000)  # plotly's relayout
        shares[present] = {f"generate {k}": v for k, v in _shares(page, "generate").items()}
        wrong[present] = _controls(page, "generate")
        csv[present] = page.locator("#generated-csv").is_visible()  # a secondary control in presenter mode
        page.close()
        page = _page(browser, url, "equations", present, "#memory-stack .gtitle")
        page.wait_for_selector("#cell-diagram svg")
        shares[present] |= {f"equations {k}": v for k, v in _shares(page, "equations").items()}
        wrong[present] |= _controls(page, "equations")
        scrolled[present] = _buttons_after_scrolling_down(page)
        page.close()
    normal, big = shares[False], shares[True]
    assert 0.65 < normal["generate chart"] < 0.75 and 0.65 < normal["generate text"] < 0.75, normal
    assert normal["equations stack"] < 0.55 and normal["equations horizon"] < 0.55, normal  # side by side
    assert normal["equations diagram"] < 0.5, normal  # its own size, not the page's width
    assert all(share > 0.95 for share in big.values()), big
    assert not any(wrong[False].values()) and not any(wrong[True].values()), wrong
    assert csv == {False: True, True: False}, csv
    assert not any(scrolled[False].values()) and not any(scrolled[True].values()), scrolled


STEP_BUTTONS = ("#diagram-back", "#diagram-forward", "#diagram-play", "#diagram-stop")


def _buttons_after_scrolling_down(page) -> dict[str, str]:
    """Equations scrolled to its bottom (the memory plots; the page is ~4,400 px tall in presenter mode):
    what is wrong with each step button, '' when it is still inside the screen."""
    page.mouse.wheel(0, 20_000)
    page.wait_for_function("() => scrollY > 0 && scrollY + innerHeight >= document.body.scrollHeight - 2")
    out = {}
    for selector in STEP_BUTTONS:
        box = page.evaluate(
            "(s) => { const r = document.querySelector(s).getBoundingClientRect();"
            " return [r.top, r.bottom]; }",
            selector,
        )
        out[selector] = "" if 0 <= box[0] and box[1] <= 1080 else f"off the screen: top/bottom {box}"
    return out


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


def tab_sizes(browser, url: str, present: bool) -> dict[str, dict[str, float]]:
    """Every tab's visible texts and their sizes, opening the tabs in turn on one page at 1920x1080."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    skip_start(context)
    page = context.new_page()
    watch_calls(page)
    page.set_default_timeout(90_000)
    page.goto(f"{url}?prompt=the+cat+sat+on+the" + ("&mode=present" if present else ""))
    page.wait_for_selector("#next-word-chart .ytick text")
    if present:
        page.wait_for_function("() => document.body.classList.contains('lp-present')")
    sizes = {}
    for spec in TABS:
        page.locator(f'button[role=tab][data-tab-id="{spec.id}"]').click()
        sizes[spec.id] = settled(page, TEXT_SIZES)  # after the tab's redraw and plotly's relayout
    context.close()
    return sizes


def test_every_text_of_every_tab_is_half_again_larger(app):
    url, browser = app
    normal, big = tab_sizes(browser, url, False), tab_sizes(browser, url, True)
    small, compared = {}, 0
    for tab, sizes in normal.items():
        for key, size in sizes.items():
            if key not in big[tab] or any(part in key for part, _ in NOT_SCALED):
                continue
            compared += 1
            if big[tab][key] < 1.5 * size - 0.01:
                small.setdefault(tab, []).append(f"{key}: {size:.1f} -> {big[tab][key]:.1f} px")
    assert compared > 300, json.dumps(normal)[:2000]  # the walk found the tabs' texts
    assert not small, json.dumps(small, indent=1, ensure_ascii=False)
