"""End to end in a real browser with a GRU as the app's model: the header names the cell, the Gates view
offers and draws the GRU's own r, z, n, h, and the Intervene view says why it needs an LSTM. Chromium, its
flags and the app's set-up come from tests/browser_kit.py."""

from __future__ import annotations

import pytest
from browser_kit import open_page, serve

pytestmark = pytest.mark.browser

PROMPT = "the cat sat on the mat . a dog ran to the house"


@pytest.fixture(scope="module")
def page(tiny_cell_dirs):
    from lstmlm import load_model

    with serve(load_model(tiny_cell_dirs["gru"])) as url, open_page(url) as pg:
        pg.wait_for_selector("#prompt textarea")
        yield pg


def _title(pg, selector: str) -> str:
    return pg.locator(f"{selector} .gtitle").text_content()


def test_gates_view_shows_the_gru_gates(page):
    assert "2 × 8 GRU" in page.locator(".lp-header").inner_text()
    page.locator("#prompt textarea").fill(PROMPT)
    page.get_by_role("tab", name="Gates & memory").click()
    page.wait_for_selector("#gates-heatmap .heatmaplayer image, #gates-heatmap .hm image")
    for label in ("reset gate r", "update gate z", "candidate n", "hidden state h"):
        assert page.get_by_label(label).count() == 1, label
    assert page.get_by_label("forget gate f").count() == 0
    assert "reset gate r" in _title(page, "#gates-heatmap")
    for label in ("update gate z", "candidate n", "hidden state h"):
        page.get_by_label(label).check()
        page.wait_for_function(
            "t => document.querySelector('#gates-heatmap .gtitle').textContent.includes(t)", arg=label
        )
    legend = page.locator(".legendtext").all_text_contents()  # the unit's lines
    assert {"r reset", "z update", "n candidate", "h hidden"} <= set(legend)
    assert {"reset gate", "update gate"} <= set(page.locator(".annotation-text").all_text_contents())


def test_intervene_view_says_it_needs_an_lstm(page):
    page.get_by_role("tab", name="Intervene").click()
    note = page.locator("#intervene-lstm-only")
    note.wait_for()
    assert "this model is a GRU" in note.inner_text() and "Gates & memory" in note.inner_text()
