"""Issue 17 item 6 in a real browser: find a unit in Units, then Intervene's preset "switch off the unit
found in Units" fills in that unit (its layer, the list, C = 0), says so, and Apply puts the effect in
words."""

from __future__ import annotations

import pytest
from browser_kit import chromium, new_page, serve

pytestmark = pytest.mark.browser


def test_switch_off_the_unit_found_in_units(tiny_model):
    with serve(tiny_model) as url, chromium() as browser:
        page = new_page(browser, timeout_ms=90_000)
        page.goto(url + "?view=units&prompt=the+cat+sat+on+the+mat")
        page.wait_for_selector("#numbered-words")
        page.locator("#units-span textarea, #units-span input").first.fill("2-3")
        page.locator("#units-search").click()
        page.wait_for_selector("#units-lines .gtitle")
        unit = page.locator("#units-unit input").input_value()
        page.locator('button[role=tab][data-tab-id="intervene"]').click()
        page.locator("#intervene-preset label", has_text="Switch off the unit found in Units").click()
        expect = f"unit {unit} of layer 1"  # the search ran on Units' first layer
        page.wait_for_function(
            "w => document.querySelector('#intervene-expect').textContent.includes(w)", arg=expect
        )
        assert page.locator("#intervene-action input[value=set_cell]").is_checked()
        page.locator("#intervene-button").click()
        page.wait_for_selector("#intervene-effect")
        assert f"unit {unit}" in page.locator("#intervene-text").inner_text()  # the description names it
        assert "The top word" in page.locator("#intervene-effect").inner_text()


def test_switch_off_before_any_unit_was_found_says_so_in_the_result_area(tiny_model):
    """The newcomer's case: a result on screen, then "Switch off the unit found in Units" with no unit found
    yet, and Apply. The result area says what to do (Units or Cell hunt), the previous result is gone, and
    there is no red "Error" badge and no toast (it used to show both, the toast twice)."""
    with serve(tiny_model) as url, chromium() as browser:
        page = new_page(browser, timeout_ms=90_000)
        page.goto(url + "?view=intervene&prompt=the+cat+sat+on+the+mat")
        page.locator("#intervene-button").click()
        page.wait_for_selector("#intervene-effect")  # a first result, from the default preset
        page.locator("#intervene-preset label", has_text="Switch off the unit found in Units").click()
        page.wait_for_function(
            "() => document.querySelector('#intervene-expect').textContent.includes('Cell hunt')"
        )
        page.locator("#intervene-button").click()
        page.wait_for_selector("#intervene-cannot")
        said = page.locator("#intervene-cannot").inner_text()
        assert "Cannot apply this intervention: no unit is chosen" in said and "Cell hunt" in said, said
        page.wait_for_timeout(1000)  # time for a toast or an error badge to appear
        assert page.locator("#intervene-effect").count() == 0  # no stale result
        assert page.locator("#intervene-generated").inner_text().strip() == ""
        assert page.locator(".toast-body").count() == 0
        badges = page.locator(
            "#intervene-summary .error, #intervene-bars .error, #intervene-generated .error"
        )
        assert badges.count() == 0
