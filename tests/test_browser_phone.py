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
