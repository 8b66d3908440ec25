"""Issues 15-17 (newcomer trial): a character model's Generate tab and Live Lab heatmap name characters,
not words (English and Chinese); Cell hunt's jump to Intervene widens the cell slider to the unit's
observed values and replaces the preset note; the Live Lab's shared text check and its settings' messages."""

from __future__ import annotations

import json
import re

import gradio as gr
import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from lstmlm.checkpoint import load_model, save_model
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.tokenizers import CHARS
from lstmlm.training.live import LiveSettings, LiveSettingsError, LiveTextError, read_upload
from lstmlm.training.live.settings import check_text
from lstmlm.vocab import Vocab
from playground.app import build_app
from playground.i18n import EN, ZH
from playground.plots.live import snapshot_figure
from playground.tabs import generate as generate_tab
from playground.tabs.cell_hunt import CELL_LIMIT, INTERVENE_CONTROLS, cell_bound, to_intervene
from playground.text import words_in
from playground.views.cell_hunt import CELL_RANGE, hunt_view
from playground.views.generate import GenerationSettings, reshaping_at, reshaping_summary
from playground.views.lineup import make_lineup

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
    got = dict(zip(INTERVENE_CONTROLS, out[2:-2], strict=True))  # last: the unit's picture and scatter
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


# ---- every tab on a character model (issue 15 item 2): no text says "word" / "词" ----

# Genuine uses, each a word whatever the model reads: Chinese 词表 is "vocabulary" (a character model has
# one too); the Counterfactual copy button swaps a whole word (views/counterfactual.change_one_word); Cell
# hunt's tracks are positions in words and sentences (Karpathy et al.'s cells of a character model); the
# long-range probes are word phrases, measured in words (Compare skips character models for them).
ALLOWED = {
    "en": ("change one word for B", "position in the word", "first word of a sentence", "many words later"),
    "zh": ("词表", "改一个词作 B", "词内位置", "句子的第一个词", "过了很多词之后"),
}
WORD = re.compile(r"\bwords?\b", re.IGNORECASE)  # not "password", nor a value such as "word_pos"
MARKER = re.compile(r'__i18n__(\{"__type__": "translation_metadata", "key": "[^"]+"\})')


def _strings(obj: object, seen: set[int] | None = None) -> list[str]:
    """Every text in a tab function's outputs or a built page's components: strings (HTML without its
    tags, ids and classes), i18n keys (as markers), figures' titles, names, hovers and annotations."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, gr.i18n.I18nData):
        return [str(obj)]
    if isinstance(obj, go.Figure):
        layout = obj.to_plotly_json()["layout"]
        layout.pop("template", None)
        return _strings([layout, obj.to_plotly_json()["data"]], seen)
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _strings(v, seen)]
    if isinstance(obj, (list, tuple)):
        return [s for v in obj for s in _strings(v, seen)]
    if isinstance(obj, gr.blocks.Block):
        attrs = ("label", "info", "value", "placeholder", "choices", "samples", "sample_labels")
        return [s for a in attrs for s in _strings(getattr(obj, a, None), seen)]
    return []


def _visible(texts: list[str], lang: str) -> list[str]:
    """The texts as a reader sees them in `lang`: i18n markers replaced, HTML tags dropped."""
    out = []
    for s in texts:
        s = MARKER.sub(lambda m: (ZH if lang == "zh" else EN)[json.loads(m.group(1))["key"]], s)
        out.append(re.sub(r"<[^>]*>", " ", s))
    return out


def _saying_word(texts: list[str], lang: str) -> list[str]:
    bad = []
    for s in _visible(texts, lang):
        for allowed in ALLOWED[lang]:
            s = s.replace(allowed, "")
        if WORD.search(s) if lang == "en" else ("词" in s):
            bad.append(s)
    return sorted(set(bad))


def _inside(block: gr.blocks.Block) -> list:
    """`block` and every block under it."""
    return [block, *[b for child in getattr(block, "children", []) for b in _inside(child)]]


@pytest.fixture(scope="module")
def char_page(char_model) -> list:
    """The components of the whole app built over the character model, less three tabs: the Live Lab (it
    trains a new model and offers words or characters; its own tests cover its wording), and Learn and
    Start here (a reference page and lessons whose texts are not in playground/text's keys; not yet per
    unit: issue 15)."""
    demo = build_app(char_model)
    skipped = {
        id(b)
        for tab in demo.blocks.values()
        if getattr(tab, "id", None) in ("live", "learn", "start")
        for b in _inside(tab)
    }
    return [b for b in demo.blocks.values() if id(b) not in skipped]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_character_models_page_never_says_word(char_page, lang):
    assert _saying_word(_strings(char_page), lang) == []


def _tab_outputs(model: LanguageModel) -> dict[str, object]:
    """The main function of each tab (each calls its view in views/*) on `model` and TEXT."""
    from playground.tabs import (
        compare,
        counterfactual,
        equations,
        gates,
        gradient,
        intervene,
        next_word,
        surprisal,
        units,
    )

    lineup = make_lineup(model, None, ())
    text_b = TEXT.replace("said", "sayd", 1)
    out = {
        "next_word": next_word.update(model, TEXT, 5),
        "surprisal": surprisal.update(model, TEXT),
        "gates": gates.update(model, TEXT, 0, "f", "variance", 0)[:-1],
        "counterfactual": counterfactual.compare_prompts(model, TEXT, text_b, 0),
        "intervene": intervene.apply_intervention(
            model, TEXT, 0, "pin_forget", 1.0, "all", "", 4, "mean", "3-", 5, 0, "f"
        ),
        "presets": [intervene.choose_preset(model, n) for n in (*intervene.PRESETS, intervene.UNIT_OFF)]
        + [intervene.choose_preset(model, intervene.UNIT_OFF, {"layer": 0, "unit": 1})],
        "equations": [equations.show_equations(model, TEXT, 0, 3, 0, m) for m in ("one", "all")],
        "units": [
            units.words(model, TEXT, "3-7"),
            units.search(model, None, TEXT, 0, "h", "3-7", "mean"),
            units.show_unit(model, None, TEXT, 0, "3-7", 1),
        ],
        "compare": compare.update(lineup, TEXT),
        "gradient": gradient.update(lineup, TEXT),
    }
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_character_models_tabs_never_say_word(char_model, lang, monkeypatch):
    import playground.page_language

    monkeypatch.setattr(playground.page_language, "serving_request", lambda: _Request(lang))
    found = {tab: _saying_word(_strings(out), lang) for tab, out in _tab_outputs(char_model).items()}
    assert {tab: bad for tab, bad in found.items() if bad} == {}


class _Request:
    """A page's request as `language()` reads it: its lp_lang cookie."""

    def __init__(self, lang: str) -> None:
        self.headers = {"cookie": f"lp_lang={lang}"}
        self.cookies = {"lp_lang": lang}
