"""The classroom filter and `<unk>` in the playground (issues 21 and 12 fault 11): a model that strongly
prefers a listed word and `<unk>` shows "(hidden word)" and "a rare word" in the Next-word view, never offers
them as words to click, never generates them, and the API says how many words it hid. The research switch
(`lstm-playground --show-all-words`, here `showing_all_words()`) shows the word."""

from __future__ import annotations

import gradio as gr
import pytest
from conftest import app_client
from test_hidden_words import COON, DARKEY, MODEL, PROMPT, UNK, raw_log_probs

from lstmlm.safewords import HIDDEN_LABEL, showing_all_words
from playground.display import RARE_LABEL
from playground.tabs import next_word

TEXT = "the cat sat"


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """The tiny model that prefers "coon", saved and loaded as a user's own model directory."""
    from lstmlm import load_model
    from lstmlm.checkpoint import save_model

    out = tmp_path_factory.mktemp("prefers_listed_app")
    save_model(out, MODEL, MODEL.vocab)
    return load_model(out)


def expected_top(n: int) -> list[tuple[int, float]]:
    """(id, probability) of the n most likely next words after TEXT, from the model's raw log-probs."""
    p = raw_log_probs(MODEL, PROMPT).exp()
    ids = p.argsort(descending=True)[:n].tolist()
    return [(i, float(p[i])) for i in ids]


def next_word_view(model, text: str, k: int):
    """The Next-word tab's redraw (chart, entropy and notes, candidate words, token chips) for `text`."""
    with gr.Blocks():
        view = next_word.build(model, gr.Textbox())
    return view.refresh_fn(text, k)


def test_next_word_view_hides_the_listed_word_and_sets_unk_apart(model):
    top = expected_top(4)
    assert [i for i, _ in top[:3]] == [COON, UNK, DARKEY]  # the model's own ranking
    chart, notes, candidates, _ = next_word_view(model, TEXT, 4)
    bars = chart.data[0]
    fourth = model.vocab.words[top[3][0]]
    assert list(bars.y) == [HIDDEN_LABEL, RARE_LABEL, HIDDEN_LABEL, fourth]
    assert list(bars.x) == pytest.approx([p for _, p in top], rel=1e-5)  # the true numbers, not renormalized
    grey = list(bars.marker.color)
    assert grey[0] == grey[1] == grey[2] != grey[3]  # set apart: not words to add
    # the chips offer only the real word; neither the hidden word nor <unk> is sent to the browser
    assert candidates.raw_samples == [[fourth]] and candidates.sample_labels == [fourth]
    assert "coon" not in notes.lower() and "darkey" not in notes.lower()
    assert f"{RARE_LABEL} {top[1][1]:.1%}" in notes and "stand-in for every word outside" in notes
    assert f"{HIDDEN_LABEL} {top[0][1] + top[2][1]:.1%}" in notes


def test_research_switch_shows_the_word_in_the_view(model):
    with showing_all_words():
        chart, _, candidates, _ = next_word_view(model, TEXT, 3)
    assert list(chart.data[0].y)[0] == "coon" and [["coon"]] == candidates.raw_samples[:1]
    assert list(chart.data[0].y)[1] == RARE_LABEL  # <unk> is still what it is


@pytest.fixture(scope="module")
def client(model):
    with app_client(model) as c:
        yield c


def test_api_next_words_hides_and_counts(client):
    got = client.predict(TEXT, 4, api_name="/next_words")
    top = expected_top(4)
    assert got["words"] == [HIDDEN_LABEL, "<unk>", HIDDEN_LABEL, MODEL.vocab.words[top[3][0]]]
    assert got["probs"] == pytest.approx([p for _, p in top], abs=1e-6) and got["hidden"] == 2
    with showing_all_words():  # the server runs in this process: the switch is the server's
        shown = client.predict(TEXT, 4, api_name="/next_words")
    assert shown["words"][:3] == ["coon", "<unk>", "Darkey"] and shown["hidden"] == 0


def test_api_generate_never_draws_listed_words_or_unk_unless_asked(client):
    # temperature 1, no cut: without the mask ~90% of the words would be "coon", "Darkey" or <unk>
    got = client.predict(TEXT, 60, 1.0, 0, 1.0, 5, api_name="/generate")
    words = [w["word"] for w in got["words"]]
    assert len(words) == 60 and not set(words) & {"coon", "Darkey", "<unk>", HIDDEN_LABEL}
    assert got["hidden"] == 0 and "coon" not in got["text"].lower()
    asked = client.predict(TEXT, 60, 1.0, 0, 1.0, 5, True, api_name="/generate")
    words = [w["word"] for w in asked["words"]]
    assert words.count("<unk>") > 20 and not set(words) & {"coon", "Darkey", HIDDEN_LABEL}


def test_api_surprisal_hides_the_expected_word(client):
    got = client.predict("the coon sat", 3, api_name="/surprisal")
    text = str(got).lower()
    assert "coon" not in text and "darkey" not in text and got["hidden"] > 0
