"""The Cell-hunt view on a tiny character model: the view's data (ranking over the text and from the cache,
the regex track, the Intervene settings), the `cell_hunt` endpoint, and one browser run that hunts, picks a
unit and opens Intervene on it with set_cell selected."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from lstmlm import load_model, save_model
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.studies.cell_hunt import hunt, hunt_json, save_hunt
from lstmlm.tokenizers import CHARS
from lstmlm.vocab import Vocab
from playground.i18n import EN
from playground.views.cell_hunt import (
    DEFAULT_TEXT,
    cell_hunt_json,
    hunt_view,
    intervene_settings,
    shaded_track_text,
    track_choices,
)
from playground.views.next_word import line_start

TEXT = 'He said "no (really) way".\nShe said "yes".\n' * 6


@pytest.fixture(scope="module")
def char_dir(tmp_path_factory) -> Path:
    """A tiny untrained character model (2 layers x 8 units) with a cached ranking over TEXT."""
    root = tmp_path_factory.mktemp("charhunt")
    vocab = Vocab.from_tokens(CHARS.tokenize(TEXT + DEFAULT_TEXT), tokenizer=CHARS)
    torch.manual_seed(0)
    config = ModelConfig(vocab_size=len(vocab), embed_dim=8, hidden_dim=8, num_layers=2, dropout=0.0)
    save_model(root / "model", LanguageModel(config).eval(), vocab)
    model = load_model(root / "model")
    save_hunt(root / "model", hunt_json(model, hunt(model, CHARS.tokenize(TEXT), batch_size=2), "valid.txt"))
    return root / "model"


@pytest.fixture(scope="module")
def char_model(char_dir):
    return load_model(char_dir)


def test_view_ranks_over_the_text_as_the_library_does(char_model):
    v = hunt_view(char_model, TEXT, "quote", over="text")
    direct = hunt(char_model, CHARS.tokenize(TEXT), state=line_start(char_model))
    assert v.over == "text" and v.tokens == direct.tokens
    assert np.array_equal(v.ranking.statistic, direct.rankings["quote"].statistic, equal_nan=True)
    best = v.best(1)[0]
    values = v.unit_values(best.layer, best.signal, best.unit)
    assert np.array_equal(values, direct.values[best.signal][best.layer, best.unit])
    assert [name for _, name in track_choices(char_model)][-1] == "regex"
    assert "line_wrap" in [name for _, name in track_choices(char_model)]


def test_view_uses_the_cache_and_says_so(char_model, char_dir):
    from lstmlm.studies.cell_hunt import load_hunt

    cache = load_hunt(char_dir)
    v = hunt_view(char_model, "short text", "paren", over="validation", cache=cache)
    assert v.over == "validation" and v.ranking.steps == cache["steps"] and "valid.txt" in v.notice
    own = hunt_view(char_model, TEXT, "regex", regex="said", over="validation", cache=cache)
    assert own.over == "text" and "ranked over the text below" in own.notice
    nocache = hunt_view(char_model, TEXT, "quote", over="validation", cache=None)
    assert nocache.over == "text" and "no cached ranking" in nocache.notice
    with pytest.raises(ValueError, match="not a valid regular expression"):
        hunt_view(char_model, TEXT, "regex", regex="[")
    with pytest.raises(ValueError, match="track must be one of"):
        hunt_view(char_model, TEXT, "nope")


def test_the_best_units_values_are_rounded_to_4_places(char_model):
    """Rounded in float64: a float32 rounded to 4 places read 0.03819999843835831 in the JSON."""
    got = cell_hunt_json(char_model, TEXT, "quote", k=3)
    values = got["best_unit_values"]
    assert len(values) == len(got["tokens"]) and any(v != 0 for v in values)
    assert all(len(repr(v).split(".")[1]) <= 4 for v in values), values[:5]


def test_intervene_settings_pin_the_cell_to_its_inside_value(char_model):
    v = hunt_view(char_model, TEXT, "quote")
    r = v.best(1)[0]
    s = intervene_settings(v.ranking, r.layer, r.unit)
    c = v.values["c"][r.layer, r.unit]
    inside = float(c[v.track.values > 0].mean())  # the mean of c where the track is on, computed here
    assert s == {"layer": r.layer, "action": "set_cell", "value": round(max(-5, min(5, inside)), 2),
                 "units": "list", "unit_list": str(r.unit), "steps": "0-"}  # fmt: skip


def test_shaded_text_keeps_line_breaks_and_draws_the_track(char_model):
    v = hunt_view(char_model, 'a "b"\nc', "quote")
    html = shaded_track_text(v.tokens, np.array([0.5, -1, 1, 0, 0, 0, 0]), v.track.values, CHARS, "u", "q")
    assert html.count("⏎</span>\n") == 1  # the line break is drawn and kept
    assert html.count("border-bottom-color") == 2  # a, space: out; the opening quote and b: in
    assert 'title="u +1.000 · q 1"' in html


def test_cell_hunt_endpoint(char_model, char_dir):
    from conftest import app_client

    with app_client(char_model, model_dir=char_dir) as client:
        answer = client.predict(TEXT, "quote", "", "text", 3, api_name="/cell_hunt")
        expected = cell_hunt_json(char_model, TEXT, "quote", k=3)
        assert answer["best"] == expected["best"] and len(answer["best"]) == 3
        assert answer["tokens"] == CHARS.tokenize(TEXT) and answer["intervene"]["action"] == "set_cell"
        cached = client.predict("", "line_pos", "", "validation", 2, api_name="/cell_hunt")
        assert cached["over"] == "validation" and cached["statistic"] == "pearson_r"
        with pytest.raises(Exception, match="not a valid regular expression"):
            client.predict(TEXT, "regex", "(", "text", 3, api_name="/cell_hunt")


@pytest.mark.browser
def test_browser_hunt_then_intervene(char_model, char_dir):
    from browser_kit import open_page, serve

    with serve(char_model, model_dir=char_dir) as url, open_page(url) as page:
        page.get_by_role("tab", name="Cell hunt").click()
        page.locator("#cell-hunt-text textarea").fill(TEXT)
        page.get_by_text("the text below").click()
        page.locator("#cell-hunt-button").click()
        page.wait_for_selector("#cell-hunt-shaded", timeout=30_000)
        assert page.locator(".lp-hunt-table tr").count() == 1 + 2 * 3  # header + 3 units x 2 layers
        assert page.locator("#cell-hunt-shaded span").count() == len(CHARS.tokenize(TEXT))
        v = hunt_view(char_model, TEXT, "quote")
        best = v.best(1)[0]
        picked = page.locator("#cell-hunt-units input:checked").get_attribute("value")
        assert picked == f"{best.layer}:{best.signal}:{best.unit}"
        page.locator("#cell-hunt-intervene").click()
        page.wait_for_selector("#intervene-button", state="visible", timeout=10_000)
        page.wait_for_function(
            "() => [...document.querySelectorAll('input[type=radio]:checked')]"
            ".some(e => e.value === 'set_cell')",
            timeout=10_000,
        )
        unit_list = page.get_by_label(EN["iv.unit_list"]).input_value()
        assert unit_list == str(best.unit)
        # the preset box names no preset and its note says what Cell hunt set (issue 17)
        note = page.locator("#intervene-from-hunt").inner_text()
        assert f"unit {best.unit} of layer {best.layer + 1}" in note
        assert page.locator("#intervene-preset input:checked").count() == 0
        # the value slider reaches every C the unit took over the text (at least the default ±5)
        c = v.values["c"][best.layer, best.unit]
        top = float(page.locator("#intervene-value input[type=range]").get_attribute("max"))
        assert top >= max(5.0, float(abs(c).max()))


def test_word_models_hunt_words(tiny_model):
    text = 'the cat sat ( on the mat ) . " a dog ran " . the bird sat .'
    v = hunt_view(tiny_model, text, "paren")
    assert v.tokens == tiny_model.vocab.tokenizer.tokenize(text)
    assert v.track.values.tolist()[3:8] == [1, 1, 1, 1, 0]  # "(" on the mat ")" (the state after each)
    assert [name for _, name in track_choices(tiny_model)] == [
        "quote", "paren", "line_pos", "sentence_start", "sentence_pos", "regex",
    ]  # fmt: skip
    own = hunt_view(tiny_model, text, "regex", regex=r"\b(cat|dog)\b")
    assert own.track.values.sum() == 2 and own.ranking.signals == ("c", "h")


def test_a_gru_is_hunted_by_its_hidden_state(tiny_cell_dirs):
    gru = load_model(tiny_cell_dirs["gru"])
    v = hunt_view(gru, 'the " cat " sat . a " dog " ran .', "quote")
    assert v.ranking.signals == ("h",) and set(v.values) == {"h"}
    assert intervene_settings(v.ranking, 0, 0)["value"] == 1.0  # no cell to read: the slider's default
