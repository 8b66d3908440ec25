"""A lesson on a laptop screen, in a real browser: at 1366x768, for every step of every shipped lesson, the
lesson bar (pinned at the top) covers neither what the step points at (its highlight, else its view's main
output) nor the view's first controls, which the steps talk about, and a button a step says to press is
wholly on screen below the bar; and a lesson (or a link) that sets
Intervene's controls leaves them exactly as setting them by hand does (the value's label, range and state,
the preset box)."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from browser_kit import chromium, new_page, serve, settled
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from test_browser_lessons import _goto

from playground.views.lessons import LESSON_DIR, load_lessons, step_link, step_screen
from playground.views.start import MAIN_OUTPUT, main_output

pytestmark = pytest.mark.browser
TIMEOUT = 90_000  # the machine is shared: a page reload plus a redraw can take many seconds

# [[id, top, bottom, covered, starts on screen] for the step's target (its highlight, else its view's main
# output), the view's main output and the view's first control, then [bar top, bar bottom, room]]: covered =
# overlaps the bar's box, or the point at its centre (its top 20 px when tall) belongs to the bar; room =
# whether the first control and the target's first 150 px fit below the bar together
COVERED = """([target, main]) => {
  const bar = document.getElementById('lesson-bar'), b = bar.getBoundingClientRect();
  const t = document.getElementById(target), panel = t.closest('[role=tabpanel], .tabitem');
  const first = panel && [...panel.querySelectorAll('.block, .form, button')]
    .find((e) => e.getBoundingClientRect().height > 0);
  const part = (e) => {
    const r = e.getBoundingClientRect();
    const y = Math.min((r.top + r.bottom) / 2, r.top + 20);
    const x = (r.left + r.right) / 2, at = document.elementFromPoint(x, y);
    const over = r.top < b.bottom && r.bottom > b.top && r.left < b.right && r.right > b.left;
    return [e.id || 'first control', Math.round(r.top), Math.round(r.bottom),
            over || !!(at && bar.contains(at)), r.top < innerHeight];
  };
  const tr = t.getBoundingClientRect(), fr = (first || t).getBoundingClientRect();
  const room = tr.top - fr.top + Math.min(tr.height, 150) <= innerHeight - 16 - b.height;
  return [part(t), part(document.getElementById(main) || t), part(first || t),
          [Math.round(b.top), Math.round(b.bottom), room]];
}"""


# the buttons a step's text tells the reader to press in the view it opens: (phrase, elem_id) per view
PRESS = {
    "generate": (("Press Generate", "generate-button"),),
    "cell_hunt": (("Press Hunt", "cell-hunt-button"), ("Intervene on this unit", "cell-hunt-intervene")),
    "intervene": (("Press Apply", "intervene-button"),),
}
# the controls a step's text talks about in the view it opens (and sets): each must be in sight with the step
# (lesson 2's temperature sat under the bar while the page showed the Generate button at the column's foot)
TALKED_ABOUT = {"generate": (("temperature", "gen-temperature"), ("top-p", "gen-top-p"))}
# whether the element is wholly on screen below the lesson bar
IN_SIGHT = """(id) => { const r = document.getElementById(id).getBoundingClientRect();
  const b = document.getElementById('lesson-bar').getBoundingClientRect();
  return r.height > 0 && r.top >= b.bottom - 1 && r.bottom <= innerHeight; }"""


def steps_text(lesson, n: int) -> str:
    """Step `n`'s English text and question, as the page shows them."""
    step = lesson.steps[n - 1]
    return f"{step.en} {step.ask_en}"


def test_the_press_phrases_name_the_shipped_steps():
    """The phrases above are the shipped lessons' (lesson 2's Generate, lesson 4's Hunt, lesson 3's Apply),
    so the browser test checks those buttons."""
    lessons = {ls.key: ls for ls in load_lessons([LESSON_DIR])[0]}
    said = {
        (key, n, b)
        for key, ls in lessons.items()
        for n in range(1, len(ls.steps) + 1)
        for phrase, b in PRESS.get(step_screen(ls, n, 2).view, ())
        if phrase in steps_text(ls, n)
    }
    assert {("temperature", n, "generate-button") for n in (1, 2, 3)} <= said
    assert ("quote_cell", 1, "cell-hunt-button") in said
    assert ("forget_gate", 4, "intervene-button") in said


def test_the_lesson_bar_never_covers_what_a_step_talks_about_on_a_laptop_screen(tiny_model):
    lessons, problems = load_lessons([LESSON_DIR])
    assert not problems
    layers = tiny_model.config.num_layers
    seen, faults = [], []
    with serve(tiny_model) as url, chromium() as browser:
        page = new_page(browser, timeout_ms=TIMEOUT)
        page.set_viewport_size({"width": 1366, "height": 768})
        for lesson in lessons:
            for n in range(1, len(lesson.steps) + 1):
                _goto(page, urljoin(url, step_link(lesson, n, layers)))
                page.wait_for_function(
                    "n => document.querySelector('#lesson-bar .lp-lesson-bar')?.dataset.step === String(n)",
                    arg=n,
                )
                target = main_output(lesson, n, layers)
                page.locator(f"#{target}").wait_for()
                # the page scrolls to the step's view while it draws (views/start_page.py, showStep): let it
                view = step_screen(lesson, n, layers).view
                shown, main, first, bar = settled(page, COVERED, [target, MAIN_OUTPUT.get(view, target)])
                pressed = [b for phrase, b in PRESS.get(view, ()) if phrase in steps_text(lesson, n)]
                hidden = [b for b in pressed if not page.evaluate(IN_SIGHT, b)]  # a button it says to press
                said = steps_text(lesson, n).lower()
                talked = [c for phrase, c in TALKED_ABOUT.get(view, ()) if phrase in said]
                hidden += [c for c in talked if not page.evaluate(IN_SIGHT, c)]
                if main[3] and target in pressed:  # pressing the outlined button brings the output back
                    page.locator(f"#{target}").click()
                    main = settled(page, COVERED, [target, MAIN_OUTPUT.get(view, target)])[1]
                ok = (
                    bar[1] - bar[0] < 0.2 * 768  # the bar is compact on a laptop screen
                    and not shown[3]
                    and shown[4]  # the step's target is on screen, not under the bar
                    # nor is the view's main output, unless the step outlines another part of the view
                    # below it (lesson 4's shaded text under the 512-row heatmap: both do not fit)
                    and (not main[3] or target not in (MAIN_OUTPUT.get(view), *pressed))
                    and (not first[3] or not bar[2])  # nor its first control, where both fit
                )
                if not ok or hidden:
                    faults.append((lesson.key, n, shown, main, first, bar, hidden))
                seen.append((lesson.key, n))
    assert not faults, "\n".join(map(str, faults))
    assert len(seen) == sum(len(ls.steps) for ls in lessons) >= 16


# the value slider as the page shows it: its label, range and whether it can be moved
SLIDER = """() => { const e = document.getElementById('intervene-value');
  const r = e.querySelector('input[type=range]');
  return [e.querySelector('[data-testid=block-info]')?.textContent.trim(), r.min, r.max, r.disabled]; }"""


ERRORS = ".toast-body, #intervene-value .error, #intervene-preset .error, #intervene-expect .error"


def _settled_text(page, selector: str, quiet_ms: int = 1000, timeout_s: float = 60) -> str:
    """The element's text once it is not empty and has not changed for `quiet_ms` (views redraw in turns)."""
    last, steady = None, 0
    for _ in range(int(timeout_s * 1000 / 250)):
        text = page.locator(selector).text_content() or ""
        steady = steady + 250 if text and text == last else 0
        if steady >= quiet_ms:
            return text
        last = text
        page.wait_for_timeout(250)
    return last or ""


def test_controls_set_by_a_lesson_look_as_if_set_by_hand(tiny_model):
    """For every action a link can name, the value slider a link leaves equals the one choosing that action
    by hand leaves (label, range, state), with the link's value kept; the forget-gate lesson's "never
    forget" step shows the preset and the slider as picking the preset by hand does."""
    from playground.classroom.links import TARGET_OF_ACTION
    from playground.tabs.intervene import ACTIONS

    lesson = next(ls for ls in load_lessons([LESSON_DIR])[0] if ls.key == "forget_gate")
    n = next(n for n, s in enumerate(lesson.steps, 1) if s.screen and s.screen.view == "intervene")
    top = tiny_model.config.num_layers - 1
    with serve(tiny_model) as url, chromium() as browser:
        page = new_page(browser, timeout_ms=TIMEOUT)
        value = {"set_cell": 2.5, "zero_candidate": 0.0}
        by_hand_of = {}  # each action picked by hand in turn, on one page
        _goto(page, f"{url}?view=intervene")
        for action in ACTIONS:
            page.locator(f"#intervene-action input[value={action}]").check()
            page.wait_for_function(
                "a => document.querySelector('#intervene-value [data-testid=block-info]')?.textContent.trim()"
                " && document.querySelector('#intervene-action input:checked')?.value === a",
                arg=action,
            )
            by_hand_of[action] = settled(page, SLIDER)
        for action in ACTIONS:
            by_hand = by_hand_of[action]
            v = value.get(action, 0.35)
            _goto(
                page,
                f"{url}?view=intervene&iv=layer:{top},target:{TARGET_OF_ACTION[action]},value:{v},units:all",
            )
            page.wait_for_function(
                "a => document.querySelector('#intervene-action input:checked')?.value === a", arg=action
            )
            assert settled(page, SLIDER) == by_hand, (action, by_hand)
            # no error badge or toast: a cell value of 2.5 was once checked against a gate's 0..1 range
            assert page.locator(ERRORS).count() == 0, (action, page.locator(ERRORS).all_inner_texts())
            got = float(page.locator("#intervene-value input[type=number]").input_value())
            assert got == pytest.approx(v), (action, got)
        # the lesson's step against picking "Never forget" by hand
        _goto(page, f"{url}?view=intervene")
        page.locator("#intervene-preset input[value=never_forget_top]").check()
        page.wait_for_function(
            "() => document.querySelector('#intervene-action input:checked')?.value === 'pin_forget'"
        )
        page.wait_for_function(  # the preset's value reaches the slider, then what it expects is said
            "() => document.querySelector('#intervene-value input[type=number]')?.value === '1'"
        )
        by_hand = [page.evaluate(SLIDER), _settled_text(page, "#intervene-expect")]
        _goto(page, urljoin(url, step_link(lesson, n, tiny_model.config.num_layers)))
        page.wait_for_function(
            "() => document.querySelector('#intervene-preset input:checked')?.value === 'never_forget_top'"
        )
        try:  # the link's controls and then the expectation are redrawn in turn (slower under load)
            page.wait_for_function(
                "t => document.querySelector('#intervene-expect')?.textContent === t", arg=by_hand[1]
            )
        except PlaywrightTimeoutError:
            pass  # the assert below says what differs
        assert [page.evaluate(SLIDER), page.locator("#intervene-expect").text_content()] == by_hand
        assert "forget" in by_hand[0][0].lower() and by_hand[0][1:] == ["0", "1", False]
