"""A student's phone (412x900) and a tablet (768x1024) in real chromium, on the hub's app (the header with
the model picker): a page opened by a room link (?room=CODE) fits the screen's width, its title is not
covered by the model box, and the Class game's join box is on the first screen."""

from __future__ import annotations

import pytest
from browser_kit import chromium, new_page, serve_hub

pytestmark = pytest.mark.browser

SCREENS = [(412, 900), (768, 1024)]


@pytest.fixture(scope="module")
def app(tiny_model_dir):
    with serve_hub(tiny_model_dir) as (_hub, url), chromium() as browser:
        yield url, browser


@pytest.mark.parametrize("width,height", SCREENS)
def test_room_link_on_a_small_screen(app, width, height):
    url, browser = app
    pg = new_page(browser, timeout_ms=90_000)
    pg.set_viewport_size({"width": width, "height": height})
    pg.goto(url + "?room=ABCDE")
    pg.locator("#lp-model-picker").get_by_text("reads words").wait_for()
    pg.wait_for_function("() => (document.querySelector('#class-code input')?.value || '') === 'ABCDE'")
    pg.wait_for_timeout(1500)  # the scroll to the game, after the load's last update
    got = pg.evaluate(
        """() => {
          const join = document.querySelector('#class-join').getBoundingClientRect();
          const sub = document.querySelector('.lp-header p').getBoundingClientRect();
          return {scroll: document.scrollingElement.scrollWidth, inner: innerWidth,
                  subWidth: sub.width, joinTop: join.top, joinBottom: join.bottom};
        }"""
    )
    assert got["scroll"] <= got["inner"], got  # nothing wider than the screen
    assert got["subWidth"] >= 0.6 * width - 80, got  # the subtitle runs across the screen, not a word a line
    assert 0 <= got["joinTop"] and got["joinBottom"] <= height, got  # the game on the first screen
    pg.evaluate("() => window.scrollTo(0, 0)")
    on_title = pg.evaluate(
        """() => { const h1 = document.querySelector('.lp-header h1'), r = h1.getBoundingClientRect();
                   const el = document.elementFromPoint(r.left + 10, r.top + r.height / 2);
                   return !!el && h1.contains(el); }"""
    )
    assert on_title, "the title is covered"
    pg.context.close()


def test_a_round_on_a_phone_fits_the_screen(app):
    """A student on a 412 px phone plays a round: after the reveal (the charts and the score table), the
    page is no wider than the screen and the score table ends inside it (a wide table scrolls itself)."""
    url, browser = app
    teacher = new_page(browser, timeout_ms=90_000)
    teacher.goto(url)
    teacher.get_by_role("tab", name="Class game").click()
    teacher.get_by_text("Teacher: open a room").click()
    teacher.locator("#class-open").click()
    code = teacher.locator("#class-banner .lp-room-code").text_content().strip()
    teacher.locator("#class-sentence textarea").fill("the cat sat | on the mat .")
    teacher.locator("#class-push").click()
    phone = new_page(browser, timeout_ms=90_000)
    phone.set_viewport_size({"width": 412, "height": 900})
    phone.goto(f"{url}?room={code}")
    phone.wait_for_function("() => document.querySelector('#class-round')?.textContent.includes('the cat')")
    phone.wait_for_timeout(1000)
    guess = phone.locator("#class-guess").locator("textarea, input").first.bounding_box()
    assert 0 <= guess["y"] and guess["y"] + guess["height"] <= 900, guess  # the guess box on the first screen
    phone.locator("#class-guess").locator("textarea, input").first.fill("on")
    phone.locator("#class-send").click()
    phone.wait_for_function("() => document.querySelector('#class-round')?.textContent.includes('on')")
    teacher.locator("#class-reveal").click()
    phone.wait_for_function("() => document.querySelector('#class-scores table') !== null")
    phone.wait_for_timeout(1000)
    got = phone.evaluate(
        """() => { const t = document.querySelector('#class-scores table').getBoundingClientRect();
                   const page = document.scrollingElement.scrollWidth;
                   return {scroll: page, inner: innerWidth, right: t.right}; }"""
    )
    assert got["scroll"] <= got["inner"] and got["right"] <= got["inner"], got
    teacher.context.close()
    phone.context.close()
