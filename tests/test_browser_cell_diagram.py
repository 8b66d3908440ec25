"""The live cell diagram of Equations & memory in a real browser: the step buttons change the word, play shows
every word once with one request per word and stops on the last, a click on a part (or Enter on it)
highlights its equation, "all units" draws a bar glyph per quantity, a GRU model gets its own diagram, and
in presenter mode at 1920x1080 the diagram fits the screen."""

from __future__ import annotations

import pytest
from browser_kit import chromium, new_page, serve

from lstmlm import load_model

pytestmark = pytest.mark.browser
TIMEOUT = 90_000  # the machine is shared: a redraw can take many seconds
PROMPT = "the cat sat on the mat ."  # steps 0..6
SVG = "#cell-diagram svg.lp-cell-diagram"
STEP_IS = "s => document.querySelector('#cell-diagram svg.lp-cell-diagram')?.dataset.step === s"

# Every distinct step the diagram shows, in order, from the one shown now (a MutationObserver on its box).
WATCH = """() => {
  const box = document.querySelector('#cell-diagram');
  window.lpSteps = [box.querySelector('svg.lp-cell-diagram').dataset.step];
  new MutationObserver(() => {
    const s = box.querySelector('svg.lp-cell-diagram')?.dataset.step;
    if (s !== undefined && s !== window.lpSteps[window.lpSteps.length - 1]) window.lpSteps.push(s);
  }).observe(box, {childList: true, subtree: true, attributes: true});
}"""
# The fn_index of the play timer's tick: the dependency triggered by a "tick" that draws the diagram.
TICK_FN = """() => {
  const c = window.gradio_config;
  const cell = c.components.find((x) => x.props && x.props.elem_id === 'cell-diagram').id;
  return c.dependencies.find((d) => d.targets.some((t) => t[1] === 'tick') && d.outputs.includes(cell)).id;
}"""


def _open(page, url: str, prompt: str = PROMPT) -> None:
    page.goto(url)
    page.locator("#prompt textarea").fill(prompt)
    page.get_by_role("tab", name="Equations & memory").click()
    page.wait_for_function(STEP_IS, arg=str(len(prompt.split()) - 1))


def _click(page, part: str) -> None:
    """A mouse click in the middle of the diagram's first `part` (whatever is drawn on top there)."""
    shape = page.locator(f"{SVG} {part}").first
    shape.scroll_into_view_if_needed()
    box = shape.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def _equation(page) -> str:
    """The TeX source of the highlighted equation (KaTeX keeps it in an <annotation>)."""
    hit = page.locator("#equations .lp-eq-hit")
    hit.wait_for()
    assert hit.count() == 1
    return hit.locator("annotation").first.text_content().strip()


def test_step_play_click_and_all_units(tiny_model):
    with serve(tiny_model) as url, chromium() as browser:
        page = new_page(browser, timeout_ms=TIMEOUT)
        _open(page, url)
        svg = page.locator(SVG)
        assert "“.”" in svg.text_content()
        page.locator("#diagram-back").click()  # the word before: "mat"
        page.wait_for_function(STEP_IS, arg="5")
        assert (
            "“mat”" in svg.text_content() and "step 5" in svg.get_attribute("aria-label") + svg.text_content()
        )
        page.locator("#diagram-forward").click()
        page.wait_for_function(STEP_IS, arg="6")

        # play from the last word: back to the first, one word per request, and stop on the last
        tick = page.evaluate(TICK_FN)
        ticks: list[int] = []
        page.on(
            "request",
            lambda r: (
                ticks.append(1)
                if "queue/join" in r.url and (r.post_data_json or {}).get("fn_index") == tick
                else None
            ),
        )
        page.evaluate(WATCH)
        page.locator("#diagram-play").click()
        page.wait_for_function("() => window.lpSteps.length > 1 && window.lpSteps.at(-1) === '6'")
        page.wait_for_timeout(3500)  # three more periods of the timer: nothing more may come
        assert page.evaluate("() => window.lpSteps") == ["6", *(str(s) for s in range(7))]
        assert len(ticks) == 6  # words 1..6, one request each; none after the last word

        # a click on a part highlights its equation
        _click(page, '[data-part="f"] rect')
        assert _equation(page).startswith("f_t =")
        _click(page, '[data-part="c"] circle')
        assert _equation(page).startswith("C_t =")
        _click(page, '[data-part="o"] rect')
        assert _equation(page).startswith("o_t =")
        page.locator(f'{SVG} [data-part="i"]').first.focus()  # from the keyboard: Tab to a part, Enter
        page.keyboard.press("Enter")
        assert _equation(page).startswith("i_t =")

        # every unit: a glyph per quantity with the layer's 8 values
        page.locator("#diagram-mode label").nth(1).click()
        page.wait_for_selector(f"{SVG} g[data-q]")
        glyphs = page.locator(f"{SVG} g[data-q]")
        assert glyphs.count() == 11
        assert len(glyphs.first.get_attribute("data-values").split()) == 8


def test_a_gru_gets_its_own_diagram_and_equations(tiny_cell_dirs):
    with serve(load_model(tiny_cell_dirs["gru"])) as url, chromium() as browser:
        page = new_page(browser, timeout_ms=TIMEOUT)
        _open(page, url)
        assert page.locator(SVG).get_attribute("data-cell") == "gru"
        _click(page, '[data-part="z"] rect')
        assert _equation(page).startswith("z_t =")
        _click(page, '[data-part="n"] rect')
        assert _equation(page).startswith("n_t =")
        page.locator("#diagram-back").click()
        page.wait_for_function(STEP_IS, arg="5")
        assert page.locator("#memory-stack").is_hidden()


def test_presenter_mode_fits_the_diagram_on_a_projector(tiny_model):
    with serve(tiny_model) as url, chromium() as browser:
        page = new_page(browser, timeout_ms=TIMEOUT)
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.goto(f"{url}?prompt=the+cat+sat+on+the&view=equations&mode=present")
        page.wait_for_function("() => document.body.classList.contains('lp-present')")
        page.wait_for_function(STEP_IS, arg="4")
        box = page.locator(SVG).bounding_box()
        assert box["width"] <= 1920 and box["height"] <= 1080
        for button in ("#diagram-back", "#diagram-forward", "#diagram-play", "#diagram-stop"):
            assert page.locator(button).is_visible()
