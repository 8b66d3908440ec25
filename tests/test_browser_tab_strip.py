"""Issue 15 (newcomer trial): at a 1400 px window, clicking a tab made another tab's button show the
clicked tab's label ("Class game" read "Train your own", a second "Learn" appeared): a gr.State created
in the strip (commit 8e8cdaf moved it into its tab) shifted the buttons. Clicks every tab and checks after
each that the strip still holds every tab, in order, each button with its own label (English and Chinese).
It fails at 8e8cdaf^ (a tab button missing after Intervene)."""

from __future__ import annotations

import pytest

from playground.i18n import EN, ZH
from playground.tabs.registry import TABS

pytestmark = pytest.mark.browser

# every tab button of the shown strip (the app's strip wraps: no overflow menu), as (tab id, its text)
BUTTONS = """() => [...document.querySelectorAll('.tab-container:not(.visually-hidden) button[role=tab]')]
  .map((b) => [b.getAttribute('data-tab-id') || '', b.innerText.trim()])"""


def _open(page, tab_id: str) -> None:
    page.locator(f'.tab-container:not(.visually-hidden) button[role=tab][data-tab-id="{tab_id}"]').click()
    page.wait_for_timeout(400)


@pytest.mark.parametrize("lang", ["en", "zh"])  # Chinese: the page's relabelling script rewrites the buttons
def test_every_tab_button_keeps_its_own_label_at_1400px(tiny_model, lang):
    from browser_kit import chromium, new_page, serve

    labels = {spec.id: (ZH if lang == "zh" else EN)[spec.label_key] for spec in TABS}
    with serve(tiny_model) as url, chromium() as browser:
        page = new_page(browser)
        page.set_viewport_size({"width": 1400, "height": 900})
        page.goto(f"{url}?lang={lang}")
        page.wait_for_selector("button[role=tab]")
        page.wait_for_timeout(1500)  # the relabelling script runs on the next frames
        present = [i for i, _ in page.evaluate(BUTTONS)]
        assert len(present) >= 10 and set(present) <= set(labels), present
        for tab_id in present:
            _open(page, tab_id)
            shown = page.evaluate(BUTTONS)
            texts = [text for _, text in shown]
            assert [i for i, _ in shown] == present, (tab_id, shown)  # none missing, none added
            assert len(texts) == len(set(texts)), (tab_id, shown)  # no label twice
            wrong = [(i, text) for i, text in shown if text != labels[i]]
            assert not wrong, (tab_id, wrong)
