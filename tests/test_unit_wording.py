"""Issues 15-17 (newcomer trial): a character model's Generate tab and Live Lab heatmap name characters,
not words (English and Chinese); Cell hunt's jump to Intervene widens the cell slider to the unit's
observed values and replaces the preset note; the Live Lab's shared text check and its settings' messages.
A character model's <unk> is "a rare character" (生僻字符) on screen; a word model's stays "a rare word"."""

from __future__ import annotations

import html
import json
import re

import gradio as gr
import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from lstmlm.bundled import resolve_model
from lstmlm.checkpoint import load_model, save_model
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.prompt import read_prompt
from lstmlm.sampling import top_words
from lstmlm.studies.intervene import compare_distributions
from lstmlm.tokenizers import CHARS
from lstmlm.training.live import LiveSettings, LiveSettingsError, LiveTextError, read_upload
from lstmlm.training.live.settings import check_text
from lstmlm.vocab import Vocab
from playground import markup
from playground.app import build_app
from playground.display import RARE_EXPLAINED, RARE_LABEL, display_word, rare_label
from playground.i18n import EN, ZH
from playground.plots.class_game import bars_figure
from playground.plots.live import snapshot_figure
from playground.tabs import change_charts
from playground.tabs import counterfactual as counterfactual_tab
from playground.tabs import generate as generate_tab
from playground.tabs import next_word as next_word_tab
from playground.tabs.cell_hunt import CELL_LIMIT, INTERVENE_CONTROLS, cell_bound, to_intervene
from playground.text import words_in
from playground.views.cell_hunt import CELL_RANGE, hunt_view
from playground.views.generate import GenerationSettings, reshaping_at, reshaping_summary
from playground.views.intervene import effect_sentence
from playground.views.lineup import make_lineup
from playground.views.next_word import next_log_probs

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


def _tab_outputs(model: LanguageModel, text: str = TEXT) -> dict[str, object]:
    """The main function of each tab (each calls its view in views/*) on `model` and `text`."""
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
    text_b = text.replace("said", "sayd", 1)
    out = {
        "next_word": next_word.update(model, text, 5),
        "surprisal": surprisal.update(model, text),
        "gates": gates.update(model, text, 0, "f", "variance", 0)[:-1],
        "counterfactual": counterfactual.compare_prompts(model, text, text_b, 0),
        "intervene": intervene.apply_intervention(
            model, text, 0, "pin_forget", 1.0, "all", "", 4, "mean", "3-", 5, 0, "f"
        ),
        "presets": [intervene.choose_preset(model, n) for n in (*intervene.PRESETS, intervene.UNIT_OFF)]
        + [intervene.choose_preset(model, intervene.UNIT_OFF, {"layer": 0, "unit": 1})],
        "equations": [equations.show_equations(model, text, 0, 3, 0, m) for m in ("one", "all")],
        "units": [
            units.words(model, text, "3-7"),
            units.search(model, None, text, 0, "h", "3-7", "mean"),
            units.show_unit(model, None, text, 0, "3-7", 1),
        ],
        "compare": compare.update(lineup, text),
        "gradient": gradient.update(lineup, text),
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


# ---- <unk> on a character model: "a rare character" (生僻字符), never "a rare word" (生僻词) ----

RARE = {"en": ("a rare character", "a rare word"), "zh": ("生僻字符", "生僻词")}  # lang -> (said, never said)
UNKNOWN = 'He said "中" and paid 100 €.\n'  # "中" and "€" are not among warpeace-char-lstm's characters


@pytest.fixture(scope="module")
def warpeace() -> LanguageModel:
    """The bundled character model (War and Peace, 80 characters and <unk>), loaded as the app loads it."""
    return load_model(resolve_model("warpeace-char-lstm"))


def _page_in(lang: str, monkeypatch) -> None:
    """Serve the handlers as if for a page in `lang` (its lp_lang cookie)."""
    import playground.page_language

    monkeypatch.setattr(playground.page_language, "serving_request", lambda: _Request(lang))


def _screen(obj: object) -> str:
    """Every text of a tab's outputs, HTML attributes (a chip's title) included, entities decoded."""
    return html.unescape("\n".join(_strings(obj)))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_character_models_unknown_characters_read_as_rare_characters_on_every_tab(
    warpeace, lang, monkeypatch
):
    _page_in(lang, monkeypatch)
    p = read_prompt(warpeace.vocab, UNKNOWN)
    unk = warpeace.vocab.index["<unk>"]
    assert [p.tokens[i] for i in p.unknown] == ["中", "€"] and {p.ids[i] for i in p.unknown} == {unk}
    rare, never = RARE[lang]
    screen = _screen(_tab_outputs(warpeace, UNKNOWN))
    assert rare in screen and never not in screen
    title = {
        "en": "not in the vocabulary: the model reads it as a rare character",
        "zh": "不在词表中：模型把它读作生僻字符",
    }[lang]
    chips = html.unescape(next_word_tab.update(warpeace, UNKNOWN, 5)[3])  # the prompt as the model reads it
    assert chips.count(f'title="{title}"') == 2  # "中" and "€"
    # Counterfactual: two unknown characters the model reads alike
    summary = counterfactual_tab.compare_prompts(warpeace, 'He said "中"', 'He said "€"', 0)[0]
    assert {"en": "both read as “a rare character”, a character", "zh": "都被读作“生僻字符”"}[lang] in summary
    assert never not in summary


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_character_models_unk_as_an_output_is_a_rare_character(warpeace, lang, monkeypatch):
    """Where <unk> is something the model gives (it ranks low after War and Peace, so the whole distribution
    is asked for, or a distribution is made with it on top): the next-character labels and the note under
    them, the Intervene sentence and charts, generated text, the Class game's and the Live Lab's charts."""
    _page_in(lang, monkeypatch)
    vocab, rare, never = warpeace.vocab, *RARE[lang]
    p = read_prompt(vocab, UNKNOWN)
    nxt = top_words(next_log_probs(warpeace, p.ids), vocab, len(vocab))  # every character, <unk> among them
    assert rare in next_word_tab.word_labels(nxt.words, p.unit)
    note = html.unescape(markup.set_apart_note(nxt.words, nxt.probs, p.unit))
    explained = {
        "en": "the model's stand-in for every character outside its vocabulary",
        "zh": "词表之外的所有字符",
    }
    assert f"{rare} " in note and explained[lang] in note and never not in note and "word" not in note
    before = torch.full((len(vocab),), -20.0)
    before[vocab.index["a"]], before[vocab.index["e"]] = 0.0, -1.0
    after = before.clone()
    after[vocab.index["<unk>"]], after[vocab.index["a"]] = 0.0, -3.0
    change = compare_distributions(before.log_softmax(0), after.log_softmax(0), vocab, 5)
    said = effect_sentence(change, lang, "character")
    assert f"“{rare}”" in said and never not in said
    bars, moved = change_charts(change, ("before", "after"), ("b", "a"), "t", "m", unit="character")
    assert rare in _screen([bars, moved]) and never not in _screen([bars, moved])
    drawn = [{"word": "<unk>", "prob": 0.01, "rank": 70}]  # Generate with "Allow <unk>" ticked
    text = markup.generated_text(p.tokens, drawn, tokenizer=vocab.tokenizer)
    assert rare in text and never not in text
    chart = bars_figure("LSTM", ["<unk>", "a"], [0.5, 0.5], "#000", None, "p", "character")
    assert rare in _screen(chart) and never not in _screen(chart)
    values = np.zeros((2, 3), dtype=np.float32)
    snapshot = snapshot_figure(values, ["a", "<unk>"], 10, 1.0, np.arange(3), 0, "h", "character", lang)
    assert rare in _screen(snapshot) and never not in _screen(snapshot)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_word_models_unk_is_still_a_rare_word(tiny_model, lang, monkeypatch):
    _page_in(lang, monkeypatch)
    vocab, (_, rare) = tiny_model.vocab, RARE[lang]
    assert rare_label(lang) == rare_label(lang, unit="word") == {"en": RARE_LABEL, "zh": "生僻词"}[lang]
    assert display_word("<unk>", lang) == rare and display_word("<unk>", lang, unit="character") != rare
    p = read_prompt(vocab, "the zorblax sat on the")
    assert p.unknown == [1] and p.unit == "word"
    chips = html.unescape(next_word_tab.update(tiny_model, "the zorblax sat on the", 5)[3])
    title = {
        "en": "not in the vocabulary: the model reads it as a rare word",
        "zh": "不在词表中：模型把它读作生僻词",
    }
    assert f'title="{title[lang]}"' in chips
    nxt = top_words(next_log_probs(tiny_model, p.ids), vocab, len(vocab))
    note = html.unescape(markup.set_apart_note(nxt.words, nxt.probs, p.unit))
    explained = {
        "en": RARE_EXPLAINED,
        "zh": "“生僻词”就是 <unk>：模型用它代表词表之外的所有词。它不是一个可以添加的词；"
        "除非你勾选“允许 <unk>”，生成时不会抽到它。",
    }
    assert f"{rare} " in note and explained[lang] in note and "character" not in note and "字符" not in note
    summary = counterfactual_tab.compare_prompts(tiny_model, "the zorblax sat", "the quibble sat", 0)[0]
    assert {"en": "both read as “a rare word”, a word", "zh": "都被读作“生僻词”"}[lang] in summary
