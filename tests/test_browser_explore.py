"""End to end in a real browser: the Surprisal view colours the prompt's words (hover shows rank and what
was expected), a trace export downloads and loads back, and the Units view finds units for a span and
opens one with its atlas contexts. Chromium and its flags come from tests/browser_kit.py.

`LSTM_PLAYGROUND_SCREENSHOT_MODEL=DIR pytest tests/test_browser_explore.py` writes the README's
screenshots (surprisal.png, units.png) to assets/screenshots/ with that model.
"""

from __future__ import annotations

import csv
import os
import shutil

import pytest
from browser_kit import MODEL_ENV, open_page, serve, shot, shots_dir

from lstmlm.studies.atlas import build_atlas, save_atlas

pytestmark = pytest.mark.browser

PROMPT = "the cat sat on the mat . a dog ran to the house"  # every word known to the tiny model


@pytest.fixture(scope="module")
def app_url(tiny_model_dir, tiny_corpus, tmp_path_factory):
    from lstmlm import load_model

    model_dir = os.environ.get(MODEL_ENV)
    if model_dir:
        model = load_model(model_dir)
    else:  # the tiny model, with a small atlas in a copy of its folder
        model = load_model(tiny_model_dir)
        model_dir = tmp_path_factory.mktemp("atlas") / "model"
        shutil.copytree(tiny_model_dir, model_dir)
        tokens = (tiny_corpus / "valid.txt").read_text().split()[:300]
        save_atlas(model_dir, build_atlas(model, tokens, top=3), source="valid.txt")
    with serve(model, model_dir=model_dir) as url:
        yield url, model


@pytest.fixture(scope="module")
def page(app_url, tmp_path_factory):
    with open_page(app_url[0], shots_dir(tmp_path_factory), accept_downloads=True) as pg:
        pg.wait_for_selector("#prompt textarea")
        yield pg


def test_surprisal_view(app_url, page):
    from playground.views.surprisal import surprisal_view

    _, model = app_url
    page.locator("#prompt textarea").fill(PROMPT)
    page.get_by_role("tab", name="Surprisal").click()
    p, s = surprisal_view(model, PROMPT)
    page.wait_for_function(
        "n => document.querySelectorAll('#surprisal-words .lp-s').length === n", arg=len(p.tokens)
    )
    first = page.locator("#surprisal-words .lp-s").first
    w = s.words[0]
    assert first.get_attribute("data-bucket") == w.bucket
    assert f"rank {w.rank:,}" in first.get_attribute("title") and "expected:" in first.get_attribute("title")
    assert f"Perplexity {s.perplexity:,.1f}" in page.locator("#surprisal-summary").inner_text()
    page.wait_for_selector("#surprisal-bars .bars path")
    # PNG export is plotly's own toolbar button, which gradio keeps
    page.locator("#surprisal-bars .nsewdrag").first.hover()
    assert page.locator('#surprisal-bars [data-title="Download plot as a PNG"]').count() == 1
    shot(page, "surprisal", full_page=True)


def test_trace_export_downloads(app_url, page, tmp_path):
    from lstmlm.prompt import read_prompt

    _, model = app_url
    page.get_by_role("tab", name="Surprisal").click()
    page.locator("#export-prepare").click()
    page.wait_for_selector("#export-csv", state="visible")
    with page.expect_download() as info:
        page.locator("#export-csv").click()
    path = tmp_path / "trace.csv"
    info.value.save_as(path)
    assert info.value.suggested_filename == "trace.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    tokens = read_prompt(model.vocab, PROMPT).tokens
    cfg = model.config
    assert len(rows) == cfg.num_layers * len(tokens) * cfg.hidden_dim and rows[0]["word"] == tokens[0]


def test_units_view(app_url, page):
    page.locator("#prompt textarea").fill(PROMPT)
    page.get_by_role("tab", name="Units").click()
    page.wait_for_selector("#numbered-words")
    page.locator("#units-span textarea, #units-span input").first.fill("4-6")
    page.locator("#units-search").click()
    page.wait_for_selector("#units-high label")
    page.wait_for_selector("#units-lines .gtitle")
    page.locator("#units-low label").nth(1).click()  # open the second unit of the reverse list
    unit = page.locator("#units-low label").nth(1).inner_text().split()[1]
    page.wait_for_function(
        "u => document.querySelector('#units-lines .gtitle').textContent.includes(`unit ${u} `)", arg=unit
    )
    assert page.locator("#numbered-words .lp-sel").count() == 3
    atlas = page.locator("#units-atlas")
    assert atlas.locator("mark").count() > 0 or "lstmlm index" in atlas.inner_text()
    shot(page, "units", full_page=True)


def test_generated_words_download(app_url, page, tmp_path):
    from lstmlm.prompt import read_prompt
    from playground.views.generate import GenerationSettings, generate_words

    _, model = app_url
    page.locator("#prompt textarea").fill(PROMPT)
    page.get_by_role("tab", name="Generate").click()
    page.locator("#generate-button").click()
    page.wait_for_selector("#generated-csv", state="visible")
    with page.expect_download() as info:
        page.locator("#generated-csv").click()
    path = tmp_path / "generated.csv"
    info.value.save_as(path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    seed = int(page.locator("#seed-used").inner_text().split()[1].rstrip(":"))  # each press draws a seed
    expected = list(generate_words(model, read_prompt(model.vocab, PROMPT), GenerationSettings(seed=seed)))
    assert [r["word"] for r in rows] == [w.word for w in expected]
