"""Every view on a character model (issue 15 item 2): characters are the steps, spaces and line breaks are
shown as ␣ and ⏎, the text is laid out without spaces between characters, labels say "character", and
generation allows 500 characters (a word model keeps 200 words). One API call streams characters."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch

from lstmlm import load_model, save_model
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.prompt import read_prompt
from lstmlm.tokenizers import CHARS
from lstmlm.vocab import Vocab
from playground import markup, plots
from playground.display import display_word
from playground.plots.surprisal import surprisal_text
from playground.tabs.next_word import word_labels
from playground.views.counterfactual import counterfactual_json
from playground.views.equations import equations_json, memory_window
from playground.views.export import export_trace_files
from playground.views.gates import heatmap_window, trace_layer
from playground.views.generate import GenerationSettings, coerce_settings, generate_limit, generate_words
from playground.views.intervene import InterventionRequest, run_intervention
from playground.views.next_word import predict_next
from playground.views.surprisal import surprisal_view

TEXT = 'He said "no (really) way".\nShe said "yes".\n' * 4


@pytest.fixture(scope="module")
def char_model(tmp_path_factory) -> LanguageModel:
    """A tiny untrained character model (2 layers x 8 units), saved and loaded as the app loads one."""
    root = tmp_path_factory.mktemp("charviews")
    vocab = Vocab.from_tokens(CHARS.tokenize(TEXT), tokenizer=CHARS)
    torch.manual_seed(0)
    config = ModelConfig(vocab_size=len(vocab), embed_dim=8, hidden_dim=8, num_layers=2, dropout=0.0)
    save_model(root / "model", LanguageModel(config).eval(), vocab)
    return load_model(root / "model")


def _span_texts(html: str) -> str:
    """The text inside the shaded spans, in order (the spaces between spans included)."""
    body = re.sub(r"<br>", "\n", html)
    return re.sub(r"<[^>]+>", "", body)


def test_spaces_and_line_breaks_are_visible(char_model):
    assert display_word(" ") == "␣" and display_word("<eos>") == "⏎"
    p = read_prompt(char_model.vocab, "e s\nH")
    assert p.tokens == ["e", " ", "s", "<eos>", "H"] and p.unit == "character"
    nxt = predict_next(char_model, p, 40)
    labels = word_labels(nxt.words)
    assert "␣" in labels and "⏎ new line" in labels  # every character is ranked: both are among the 40
    chips = markup.token_chips(p.tokens, p.unknown, unit=p.unit)
    assert "5 characters, all in the vocabulary" in chips and "␣" in chips and "⏎" in chips
    assert "equally likely characters" in markup.entropy_line(nxt.entropy_bits, p.unit)


def test_text_views_lay_characters_out_as_text(char_model):
    p = read_prompt(char_model.vocab, "He s\nay")
    shaded = markup.shaded_words(p.tokens, np.zeros(7), -1, 1, True, tokenizer=CHARS)
    assert _span_texts(shaded) == "He s⏎\nay"  # no space between characters, the line break kept
    words = [{"word": w, "prob": 0.5, "rank": 1} for w in ["y", " ", "e"]]
    assert _span_texts(markup.generated_text(p.tokens, words, tokenizer=CHARS)) == "He s\nayy e"
    p, s = surprisal_view(char_model, "He s")
    assert _span_texts(surprisal_text(p.tokens, s.words, (), CHARS)) == "He s"


def test_gates_heatmap_counts_characters(char_model):
    lv = trace_layer(char_model, read_prompt(char_model.vocab, TEXT), 0)
    hm = heatmap_window(lv, "c", max_steps=50)
    assert hm.unit == "character" and hm.notice.startswith(f"Showing the last 50 of {len(TEXT)} characters")
    zh = heatmap_window(lv, "c", max_steps=50, lang="zh").notice  # the Chinese page's, same numbers
    assert zh.startswith(f"只显示 {len(TEXT)} 个字符中的最后 50 个") and "characters" not in zh
    last = CHARS.tokenize(TEXT)[-50:]
    assert hm.words == [{" ": "␣", "<eos>": "⏎"}.get(c, c) for c in last] and "␣" in hm.words
    fig = plots.gate_heatmap(hm.z, hm.words, hm.units, "c", "t", hm.first_step, unit=hm.unit)
    assert fig.layout.xaxis.title.text.startswith("characters (steps")


def test_generation_allows_500_characters_and_streams_characters(char_model, tiny_model):
    assert generate_limit(char_model) == 500 and generate_limit(tiny_model) == 200
    settings = coerce_settings(0.8, 0, 1.0, 500, 1, limit=generate_limit(char_model))
    out = list(generate_words(char_model, read_prompt(char_model.vocab, "He"), settings))
    assert len(out) == 500 and all(w.word in char_model.vocab.words for w in out)
    with pytest.raises(ValueError, match="number of characters must be between 1 and 500, got 501"):
        coerce_settings(0.8, 0, 1.0, 501, 1, limit=500)
    with pytest.raises(ValueError, match="number of words must be between 1 and 200"):
        list(
            generate_words(
                tiny_model, read_prompt(tiny_model.vocab, "the"), GenerationSettings(max_words=201)
            )
        )


def test_intervene_equations_counterfactual_and_exports_on_characters(char_model):
    req = InterventionRequest(layer=0, units="list", unit_list="3", action="set_cell", value=2.0, steps="0-")
    res = run_intervention(char_model, "He said", req, n_words=10, seed=0)
    assert res.tokens == list("He said") and len(res.generated_intervened) == 10
    with pytest.raises(ValueError, match="number of characters must be between 0 and"):  # not "words"
        run_intervention(char_model, "He said", req, n_words=10**6)
    eq = equations_json(char_model, "He said", layer=1, step=2, unit=0)
    assert eq["tokens"] == list("He said") and eq["word"] == "␣"  # step 2 is the space
    cf = counterfactual_json(char_model, 'He said "no', 'He said "so', layer=0, k=5)
    assert cf["first_difference"] == 9 and len(cf["tokens_a"]) == len(cf["tokens_b"]) == 11
    mem = memory_window(char_model, TEXT, 0, 0)
    assert mem is not None
    files = export_trace_files(char_model, "He\nsaid")
    assert all(Path(p).exists() for p in files.values())


def test_generate_endpoint_streams_characters(char_model):
    from conftest import app_client

    with app_client(char_model) as client:
        job = client.submit("He", 300, 0.8, 0, 1.0, 0, False, api_name="/generate")
        answers = list(job)
        final = job.result()
    assert final["done"] and len(final["words"]) == 300
    assert all(len(w["word"]) == 1 or w["word"] == "<eos>" for w in final["words"])
    assert final["text"] == CHARS.detokenize(w["word"] for w in final["words"])
    assert len(answers) >= 2  # streamed, not one answer at the end


def test_compare_leaves_out_word_models_of_a_char_model_in_one_note(char_model, tiny_model_dir, capsys):
    """A character model's Compare line-up cannot hold word models (their steps differ): they are left out
    with one note naming them all, not one error-like line each."""
    from playground.views.lineup import make_lineup

    lineup = make_lineup(char_model, None, [tiny_model_dir, tiny_model_dir.parent / "missing-model"])
    assert [e.model for e in lineup] == [char_model]
    lines = [line for line in capsys.readouterr().err.splitlines() if "leaves out" in line]
    assert lines == [
        "lstm-playground: note: the Compare view leaves out 1 model that reads words "
        f"(the main model reads characters): {tiny_model_dir.name}"
    ]
