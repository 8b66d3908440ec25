"""Start here in a real browser: a first visit opens it and "Skip" is remembered; every shipped lesson is
played end to end from its ?lesson=KEY link through the lesson bar (each step's view is open with its prompt
and its settings, the bar shows the step); progress is kept in the browser; Enter adds no line break to the
prompt; Equations & memory draws the live cell diagram."""

from __future__ import annotations

import pytest
from browser_kit import chromium, new_page, serve

from lstmlm.prompt import read_prompt
from playground.classroom.links import Screen
from playground.text import worded
from playground.views.equations import word_step
from playground.views.lessons import LESSON_DIR, load_lessons, step_screen
from playground.views.start import main_output

pytestmark = pytest.mark.browser
TIMEOUT = 90_000  # the machine is shared: a page reload plus a redraw can take many seconds


SELECTED = "v => document.querySelector('button[role=tab][aria-selected=true]')?.dataset.tabId === v"


def _selected(page) -> str:
    return page.locator("button[role=tab][aria-selected=true]").get_attribute("data-tab-id")


def _goto(page, url: str) -> None:
    """page.goto, again if a late navigation of the page aborted it (net::ERR_ABORTED, seen under load)."""
    from playwright.sync_api import Error

    try:
        page.goto(url)
    except Error as e:
        if "ERR_ABORTED" not in str(e):
            raise
        page.wait_for_timeout(1000)
        page.goto(url)


def _follow(page, link) -> None:
    """Open a link of the lesson bar as a click does (its href, in this tab), retried like `_goto`: under
    load a click on a page that is still busy was sometimes lost."""
    from urllib.parse import urljoin

    _goto(page, urljoin(page.url, link.get_attribute("href")))


def _checked(page, elem_id: str) -> str:
    """The label of the chosen option of the radio group #elem_id."""
    return page.locator(f"#{elem_id} label:has(input:checked)").text_content().strip()


def _number(page, elem_id: str) -> float:
    return float(page.locator(f"#{elem_id} input[type=number]").input_value())


def _check_screen(page, screen: Screen, model) -> None:
    """The page shows `screen`: its tab open, its prompt typed, its settings in their controls."""
    num_layers = model.config.num_layers
    page.wait_for_function(SELECTED, arg=screen.view)
    if screen.prompt is not None:
        page.wait_for_function(
            "t => document.querySelector('#prompt textarea')?.value === t", arg=screen.prompt
        )
    default = Screen()
    if screen.view == "generate":
        assert _number(page, "gen-temperature") == pytest.approx(screen.temperature)
        assert _number(page, "gen-top-p") == pytest.approx(screen.top_p)
    if screen.view == "gates":
        assert _checked(page, "gates-layer").startswith(f"Layer {screen.layer + 1}")
        gates = {"f": "forget", "c": "cell", "i": "input", "o": "output"}
        assert gates[screen.gate] in _checked(page, "gates-gate").lower()
        if screen.order != default.order:
            assert screen.order in _checked(page, "gates-order").lower()
    if screen.view == "equations":  # the layer, the unit (this model's last, if it has fewer) and the word
        assert _checked(page, "equations-layer").startswith(f"Layer {screen.layer + 1}")
        unit = min(screen.unit, model.config.hidden_dim - 1)
        assert _number(page, "equations-unit") == unit
        tokens = read_prompt(model.vocab, screen.prompt).tokens
        step = word_step(tokens, screen.word, model.vocab.tokenizer.unit)
        step = len(tokens) - 1 if step is None else step
        page.wait_for_function(  # the diagram is drawn for that unit at that word
            "([s, u]) => { const svg = document.querySelector('#cell-diagram svg.lp-cell-diagram');"
            " return svg && svg.dataset.step === s && svg.getAttribute('aria-label').includes(u); }",
            arg=[str(step), f"unit {unit}"],
        )
        assert page.locator("#equations-step input").input_value().startswith(f"{step}: ")
    if screen.view == "intervene":  # every lesson's intervention: f pinned in the top layer, all units
        assert "layer:" in screen.iv
        assert _checked(page, "intervene-layer") == f"Layer {num_layers}"
        assert "forget" in _checked(page, "intervene-action").lower()
        want = float(screen.iv.split("value:")[1].split(",")[0])
        assert _number(page, "intervene-value") == pytest.approx(want)


def test_every_lesson_plays_end_to_end_from_its_link(tiny_model):
    lessons, problems = load_lessons([LESSON_DIR])
    assert not problems and len(lessons) >= 5
    layers, unit = tiny_model.config.num_layers, tiny_model.vocab.tokenizer.unit  # {unit} marks: "word"
    with serve(tiny_model) as url, chromium() as browser:
        page = new_page(browser, timeout_ms=TIMEOUT)
        for lesson in lessons:
            _goto(page, f"{url}?lesson={lesson.key}")
            bar = page.locator("#lesson-bar .lp-lang-en")
            bar.wait_for()
            assert worded(lesson.title_en, "en", unit) in bar.text_content()
            page.wait_for_function(SELECTED, arg="start")
            _follow(page, bar.locator("a.lp-next"))  # "Start: step 1 →"
            for n, step in enumerate(lesson.steps, 1):
                page.wait_for_function(
                    "n => document.querySelector('#lesson-bar .lp-lesson-bar')?.dataset.step === String(n)",
                    arg=n,
                )
                bar = page.locator("#lesson-bar .lp-lang-en")
                assert f"step {n} of {len(lesson.steps)}" in bar.text_content()
                assert worded(step.en, "en", unit) in bar.locator(".lp-lesson-say").text_content()
                _check_screen(page, step_screen(lesson, n, layers), tiny_model)
                if step.highlight:  # the region the step points at is outlined
                    style = page.evaluate(
                        "id => { const s = getComputedStyle(document.getElementById(id));"
                        " return [s.outlineStyle, s.outlineWidth]; }",
                        step.highlight,
                    )
                    assert style == ["solid", "4px"], (step.highlight, style)
                if n < len(lesson.steps):
                    _follow(page, bar.locator("a.lp-next"))
                else:
                    assert bar.locator("a.lp-next").count() == 0
            # the progress is kept in this browser: every step of the lesson was opened
            progress = page.evaluate("() => window.lpLessonProgress()")
            assert progress[lesson.key] == list(range(1, len(lesson.steps) + 1))
        _goto(page, url + "?view=start")
        done = page.locator('#lessons .lp-lang-en .lp-lesson-progress[data-lesson="why_gates"]')
        page.wait_for_function("e => e.textContent === '✓ 3/3'", arg=done.element_handle())
        assert page.locator("#lessons .lp-lang-en a.lp-lesson-link.lp-done").count() == 16


def test_a_first_visit_opens_start_here_until_skipped(tiny_model):
    with serve(tiny_model) as url, chromium() as browser:
        page = new_page(browser, timeout_ms=TIMEOUT, first_visit=True)
        _goto(page, url)
        page.wait_for_function(SELECTED, arg="start")
        assert page.locator("#lesson-bar .lp-lesson-bar").count() == 0  # no lesson was asked for
        # a shared link opens its own screen, even on a first visit
        _goto(page, url + "?prompt=the+cat+sat")
        page.wait_for_function("() => document.querySelector('#prompt textarea')?.value === 'the cat sat'")
        page.wait_for_timeout(1500)
        assert _selected(page) == "next_word"
        # Skip: Next word now, and on the next visit
        _goto(page, url)
        page.locator("#lessons .lp-lang-en .lp-start-skip a").click()
        page.wait_for_url("**start=skip**")
        page.wait_for_function(SELECTED, arg="next_word")
        assert page.evaluate("() => localStorage.getItem('lp-start-dismissed')") == "1"
        _goto(page, url)
        page.locator("#prompt textarea").wait_for()
        page.wait_for_timeout(1500)
        assert _selected(page) == "next_word"
        # ... until "open Start here first again"
        page.locator("button[role=tab][data-tab-id=start]").click()
        page.locator("#lessons .lp-lang-en .lp-start-again a").click()
        page.wait_for_url("**start=show**")
        assert page.evaluate("() => localStorage.getItem('lp-start-dismissed')") is None
        _goto(page, url)
        page.wait_for_function(SELECTED, arg="start")


def test_enter_in_the_prompt_adds_no_line_break(tiny_model):
    with serve(tiny_model) as url, chromium() as browser:
        page = new_page(browser, timeout_ms=TIMEOUT)
        _goto(page, url)
        box = page.locator("#prompt textarea")
        box.fill("the cat")
        box.press("End")
        box.press("Enter")
        box.type(" sat")
        assert box.input_value() == "the cat sat"
        # the views still follow the text (the key handler stopped only the line break)
        page.wait_for_function("() => document.querySelector('#tokens')?.textContent.includes('sat')")


def test_start_here_is_first_and_a_lesson_link_opens_its_view(tiny_model):
    lessons, _ = load_lessons([LESSON_DIR])
    lesson = next(lesson for lesson in lessons if lesson.key == "forget_gate")
    step = next(n for n, s in enumerate(lesson.steps, 1) if s.screen and s.screen.view == "equations")
    prompt = lesson.steps[step - 1].screen.prompt
    with serve(tiny_model) as url, chromium() as browser:
        page = new_page(browser, timeout_ms=TIMEOUT)
        _goto(page, url)
        tabs = page.locator("button[role=tab]")
        tabs.first.wait_for()
        assert tabs.first.text_content().strip() == "Start here"
        tabs.first.click()
        link = page.locator(f'#lessons .lp-lang-en a[data-lesson="{lesson.key}"][data-step="{step}"]')
        link.click()
        page.wait_for_function("t => document.querySelector('#prompt textarea')?.value === t", arg=prompt)
        selected = page.locator("button[role=tab][aria-selected=true]").text_content().strip()
        assert selected == "Equations & memory"
        # the diagram is drawn for the last word of the prompt, with the trace's numbers in it
        svg = page.locator("#cell-diagram svg.lp-cell-diagram")
        svg.wait_for()
        # the step's unit, clamped to this 8-unit model's last (the lesson names a default-model unit)
        unit = min(lesson.steps[step - 1].screen.unit, tiny_model.config.hidden_dim - 1)
        assert f"unit {unit}" in svg.get_attribute("aria-label")
        assert len(svg.locator("text[data-q]").all()) == 11

        # a Chinese browser sees the Chinese lessons (and their links keep the language)
        page = new_page(browser, timeout_ms=TIMEOUT, locale="zh-CN")
        _goto(page, url + "?view=start")
        page.locator("#lessons .lp-lang-zh").wait_for(state="visible")
        assert not page.locator("#lessons .lp-lang-en").is_visible()
        assert "lang=zh" in page.locator("#lessons .lp-lang-zh a.lp-lesson-link").first.get_attribute("href")


# the step's main output is on screen below the lesson bar (its first 150 px, or all of it), and the bar is
IN_SIGHT = """id => {
  const bar = document.getElementById('lesson-bar').getBoundingClientRect();
  const say = document.querySelector('#lesson-bar .lp-lang-en .lp-lesson-say').getBoundingClientRect();
  const box = document.getElementById(id).getBoundingClientRect();
  return box.height > 0 && box.top >= bar.bottom - 1 && box.top + Math.min(box.height, 150) <= innerHeight
    && bar.top >= 0 && say.top >= bar.top && say.bottom <= Math.min(bar.bottom, innerHeight);
}"""


GEOMETRY = """id => {
  const r = (e) => { const b = e.getBoundingClientRect(); return [Math.round(b.top), Math.round(b.bottom)]; };
  const chain = []; for (let e = document.getElementById('lesson-bar'); e; e = e.parentElement)
    chain.push(getComputedStyle(e).overflow + '/' + getComputedStyle(e).position);
  return {bar: r(document.getElementById('lesson-bar')), main: r(document.getElementById(id)),
          say: r(document.querySelector('#lesson-bar .lp-lang-en .lp-lesson-say')), y: scrollY,
          h: innerHeight, tab: document.querySelector('button[role=tab][aria-selected=true]')?.dataset.tabId,
          chain: chain.slice(0, 8)};
}"""


def test_each_step_brings_its_view_into_sight_on_a_laptop_screen(tiny_model):
    """At 1366x768 the header, prompt, lesson bar, tab strip and controls fill the first screen: after each
    step of the forget-gate lesson opens its view, the view's main output is scrolled into sight below the
    lesson bar, which stays at the top with the step's text."""
    lesson = next(ls for ls in load_lessons([LESSON_DIR])[0] if ls.key == "forget_gate")
    layers = tiny_model.config.num_layers
    below_the_fold = []
    with serve(tiny_model) as url, chromium() as browser:
        page = new_page(browser, timeout_ms=TIMEOUT)
        page.set_viewport_size({"width": 1366, "height": 768})
        _goto(page, f"{url}?lesson={lesson.key}")
        for n in range(1, len(lesson.steps) + 1):
            _follow(page, page.locator("#lesson-bar .lp-lang-en a.lp-next"))
            page.wait_for_function(
                "n => document.querySelector('#lesson-bar .lp-lesson-bar')?.dataset.step === String(n)", arg=n
            )
            main = main_output(lesson, n, layers)
            assert main, n
            page.locator(f"#{main}").wait_for()
            try:
                page.wait_for_function(IN_SIGHT, arg=main, timeout=30_000)
            except Exception:  # noqa: BLE001 - say where things are
                raise AssertionError((n, main, page.evaluate(GEOMETRY, main))) from None
            page.wait_for_timeout(1000)  # and it stays there while the view finishes drawing
            assert page.evaluate(IN_SIGHT, main), (n, main)
            # where it sits on the page: below the first screen, so the page had to scroll to it
            below_the_fold.append(
                page.evaluate("id => document.getElementById(id).getBoundingClientRect().top + scrollY", main)
            )
    assert max(below_the_fold) > 768, below_the_fold
