"""Issues 15-17 (newcomer trial): a character model's Generate tab and Live Lab heatmap name characters,
not words (English and Chinese); Cell hunt's jump to Intervene widens the cell slider to the unit's
observed values and replaces the preset note; the Live Lab's shared text check and its settings' messages."""

from __future__ import annotations

import gradio as gr
import numpy as np
import pytest
import torch

from lstmlm.checkpoint import load_model, save_model
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.tokenizers import CHARS
from lstmlm.training.live import LiveSettings, LiveSettingsError, LiveTextError, read_upload
from lstmlm.training.live.settings import check_text
from lstmlm.vocab import Vocab
from playground.plots.live import snapshot_figure
from playground.tabs import generate as generate_tab
from playground.tabs.cell_hunt import CELL_LIMIT, INTERVENE_CONTROLS, cell_bound, to_intervene
from playground.text import words_in
from playground.views.cell_hunt import CELL_RANGE, hunt_view
from playground.views.generate import GenerationSettings, reshaping_at, reshaping_summary

TEXT = 'He said "no (really) way".\nShe said "yes".\n' * 4


@pytest.fixture(scope="module")
def char_model(tmp_path_factory) -> LanguageModel:
    """A tiny untrained character model (1 layer x 8 units), saved and loaded as the app loads one."""
    root = tmp_path_factory.mktemp("unitwording")
    vocab = Vocab.from_tokens(CHARS.tokenize(TEXT), tokenizer=CHARS)
    torch.manual_seed(0)
    config = ModelConfig(vocab_size=len(vocab), embed_dim=8, hidden_dim=8, num_layers=1, dropout=0.0)
    save_model(root / "model", LanguageModel(config).eval(), vocab)
    return load_model(root / "model")


def _keys(block: gr.Blocks) -> set[str]:
    """Every i18n key a built page shows as a component's label, info or value."""
    keys = set()
    for comp in block.blocks.values():
        for attr in ("label", "info", "value", "placeholder"):
            v = getattr(comp, attr, None)
            if isinstance(v, gr.i18n.I18nData):
                keys.add(v.key)
    return keys


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_character_models_generate_tab_never_says_word(char_model, lang):
    with gr.Blocks() as demo:
        prompt = gr.Textbox()
        with gr.Tabs():
            generate_tab.build(char_model, prompt)
    shown = [words_in(lang, k) for k in _keys(demo) if k.startswith("gen.")]
    assert shown and not [s for s in shown if ("word" in s.lower() if lang == "en" else "词" in s)]
    assert words_in(lang, "gen.step.character") in shown  # the step slider names characters


@pytest.mark.parametrize(("lang", "word", "unit"), [("en", "word", "character"), ("zh", "词", "字符")])
def test_the_reshaping_summary_counts_characters(char_model, lang, word, unit):
    ids = char_model.vocab.encode_text("He said").ids
    for top_k, top_p, t in ((5, 0.5, 0.7), (0, 1.0, 0.0), (1, 1.0, 1.5)):
        settings = GenerationSettings(temperature=t, top_k=top_k, top_p=top_p)
        r = reshaping_at(char_model, ids, settings, chosen_id=ids[-1])
        text = reshaping_summary(r, settings, lang, "character")
        assert word not in text.lower() and unit in text
    text = reshaping_summary(r, GenerationSettings(top_k=5), lang, "character")
    if lang == "en":  # the vocabulary's size, counted here from the vocabulary itself
        assert f"of {len(char_model.vocab):,} characters" in text


def test_the_live_heatmap_names_the_tokenizers_unit():
    values = np.zeros((4, 3), dtype=np.float32)
    for unit, expect in (("character", "characters (steps 0..3)"), ("word", "words (steps 0..3)")):
        fig = snapshot_figure(values, list("abcd"), 10, 1.0, np.arange(3), 0, "i", unit)
        assert fig.layout.xaxis.title.text == expect


def test_the_cell_slider_covers_the_units_observed_values():
    assert cell_bound(np.array([6.0, 10.2, -3.0])) == (11.0, False)
    assert cell_bound(np.array([0.5, -1.0])) == (CELL_RANGE, False)
    assert cell_bound(np.array([-70.0])) == (CELL_LIMIT, True)
    assert cell_bound(np.zeros(0)) == (CELL_RANGE, False)


def test_intervene_from_cell_hunt_sets_the_slider_and_the_preset_note(char_model, monkeypatch):
    v = hunt_view(char_model, TEXT, "quote", over="text")
    best = v.best(1)[0]
    c = v.values["c"][best.layer, best.unit]
    # make the unit's observed C pass the default ±5: the slider must widen to cover it
    v.values["c"][best.layer, best.unit] = c * (9.0 / max(float(np.abs(c).max()), 1e-6))
    monkeypatch.setattr("playground.tabs.cell_hunt.hunt_view", lambda *a, **k: v)
    found = {"track": "quote", "regex": "", "over": "text"}
    key = f"{best.layer}:c:{best.unit}"
    out = to_intervene(char_model, None, list(INTERVENE_CONTROLS), TEXT, found, key)
    got = dict(zip(INTERVENE_CONTROLS, out[2:], strict=True))
    observed = v.values["c"][best.layer, best.unit]
    assert got["value"].maximum == 9.0 and got["value"].minimum == -9.0
    assert abs(got["value"].value) <= 9.0
    assert got["preset"] is None  # no named preset is what was set
    assert f"unit {best.unit} of layer {best.layer + 1}" in got["expect"]
    assert f"{observed.min():.2f}" in got["expect"] and f"{observed.max():.2f}" in got["expect"]


@pytest.mark.parametrize("text", ["\x00" * 3000, "a text\x00with a NUL"])
def test_one_binary_check_for_pasted_text_and_uploads(text):
    with pytest.raises(LiveTextError, match="binary data"):
        check_text(text)
    with pytest.raises(LiveTextError, match="binary data"):
        read_upload(text.encode("utf-8"), "the file")


def test_whole_number_ranges_print_plainly():
    with pytest.raises(LiveSettingsError, match=r"seed must be in 0\.\.2147483647, got -1$"):
        LiveSettings.from_dict({"seed": -1})
    with pytest.raises(LiveSettingsError, match=r"lr must be in 0\.0001\.\.0\.05, got 5$"):
        LiveSettings.from_dict({"lr": 5.0})
