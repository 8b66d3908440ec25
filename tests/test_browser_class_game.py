"""The Class game in real chromium, three pages (a teacher and two students, each its own browser
context): the teacher opens a room and pushes a sentence, the students join by the room's link and
guess, the teacher's chart counts the guesses live while the students see no answer, the teacher reveals
and the students see the actual word, their result and the score. A page in a room that opens another
tab stops polling."""

from __future__ import annotations

import time
from urllib.parse import urlparse

import pytest
from browser_kit import chromium, is_backend_call, new_page, serve

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000  # a shared, loaded machine: generous


@pytest.fixture(scope="module")
def app(tiny_model_dir):
    from lstmlm import load_model

    with serve(load_model(tiny_model_dir), model_dir=tiny_model_dir) as url, chromium() as browser:
        yield url, browser


def field(page, elem_id: str):
    return page.locator(f"#{elem_id}").locator("textarea, input").first


def chart_words(page, chart: str = "class-chart") -> list[str]:
    """The bar labels of one of the page's charts ([] when it holds no bars)."""
    return page.evaluate(
        """id => { const p = document.querySelector('#' + id + ' .js-plotly-plot');
                   const d = p && p.data && p.data[0]; return d && d.y ? d.y : []; }""",
        chart,
    )


def test_a_round_with_a_teacher_and_two_students(app):
    url, browser = app
    teacher = new_page(browser, timeout_ms=TIMEOUT_MS)
    teacher.goto(url)
    teacher.get_by_role("tab", name="Class game").click()
    teacher.get_by_text("Teacher: open a room").click()
    teacher.locator("#class-open").click()
    code = teacher.locator("#class-banner .lp-room-code").text_content().strip()
    assert len(code) == 5
    teacher.wait_for_function(
        "c => document.querySelector('#class-link textarea, #class-link input')?.value"
        ".endsWith('?room=' + c)",
        arg=code,
    )
    link = field(teacher, "class-link").input_value()
    assert link.startswith("http://127.0.0.1") and urlparse(link).query == f"room={code}"

    field(teacher, "class-sentence").fill("the cat sat | on the mat .")
    teacher.locator("#class-push").click()
    teacher.wait_for_function(
        "() => document.querySelector('#class-round')?.textContent.includes('the cat sat')"
    )

    students = []
    for guess in ("on", "in"):
        page = new_page(browser, timeout_ms=TIMEOUT_MS)
        page.goto(link)  # the link opens the Class game tab and joins (the room has no password)
        page.wait_for_function(
            "() => document.querySelector('#class-round')?.textContent.includes('the cat sat')"
        )
        assert page.locator("#class-round .lp-room-blank").count() == 1
        field(page, "class-guess").fill(guess)
        page.locator("#class-send").click()
        page.wait_for_function(
            "g => document.querySelector('#class-round')?.textContent.includes('Your guess: ' + g)", arg=guess
        )
        students.append(page)

    # the teacher's chart counts both guesses (its page polls); the students' show neither guesses nor answer
    teacher.wait_for_function(
        "() => document.querySelector('#class-round')?.textContent"
        ".includes('2 of 2 students here have guessed')"
    )
    teacher.wait_for_function(
        "() => { const d = document.querySelector('#class-chart .js-plotly-plot')?.data;"
        " return d && d.length === 1 && d[0].y.length === 2; }"
    )
    assert sorted(chart_words(teacher)) == ["in", "on"]
    for page in students:
        assert chart_words(page) == [] and page.locator("#class-round .lp-room-actual").count() == 0

    teacher.locator("#class-reveal").click()
    for page, verdict in zip(
        students, ("You guessed it: on", "The word was on; you guessed in."), strict=True
    ):
        page.wait_for_function(
            "() => document.querySelector('#class-round .lp-room-actual')?.textContent === 'on'"
        )
        page.wait_for_function(
            "v => document.querySelector('#class-round')?.textContent.includes(v)", arg=verdict
        )
        page.wait_for_function(  # the model's words beside the class's guesses
            "() => (document.querySelector('#class-model-0 .js-plotly-plot')?.data || []).length === 1"
        )
        assert sorted(chart_words(page)) == ["in", "on"]
        assert len(chart_words(page, "class-model-0")) == 8
        row = page.locator("#class-scores tbody tr").first.locator("td").all_text_contents()
        assert row[:3] == ["on", "1 / 2", "1.00"]  # -log2((1 + 1) / (2 + 2)) = 1 bit

    # a student who opens another tab stops polling: no calls while reading it
    page = students[1]
    calls: list[float] = []
    page.on(
        "request",
        lambda r: calls.append(time.monotonic()) if is_backend_call(r.url) else None,
    )
    page.get_by_role("tab", name="Next word").click()
    page.wait_for_timeout(3_000)  # the tab switch and at most one more tick, which stops the timer
    settled = time.monotonic()
    page.wait_for_timeout(5_000)
    assert sum(1 for t in calls if t > settled) == 0, "a page on another tab kept polling its room"

    teacher.locator("#class-step").click()
    students[0].wait_for_function(
        "() => document.querySelector('#class-round')?.textContent.includes('the cat sat on')"
        " && document.querySelector('#class-round .lp-room-blank')"
    )
    for page in (teacher, *students):
        page.context.close()
