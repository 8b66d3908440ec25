"""The Class game's "which gate closes at the full stop?" question: the answer checked against numpy means of
the gate arrays of the model's own trace (read from a line start: <eos> first, as the app reads a prompt),
one round over HTTP with a teacher and two students, refusals, and every new text in English and Chinese."""

from __future__ import annotations

import numpy as np
import pytest
from gradio_client.exceptions import AppError

SENTENCE = "the cat sat on the mat ."


def call(client, name: str, **kwargs):
    return client.predict(api_name=f"/{name}", **kwargs)


def expected_gates(model, words: list[str]) -> tuple[dict[str, tuple[float, float]], str]:
    """Each gate's (mean at the word before the ".", mean at the ".") over the top layer's units, and the
    gate whose mean drops most, computed in numpy from lstmlm.trace.trace run from the model's own
    initial state on <eos> + the words (not the prompt reader the app uses)."""
    from lstmlm.trace import trace

    ids = [model.vocab.eos_id, *model.vocab.encode(words).ids]
    top = trace(model, ids, model.init_state(1), log_probs=False).layers[-1]
    arrays = {k: top.get(k)[:, 0].detach().numpy().astype(np.float64) for k in "fio"}  # (T, H)
    means = {k: (float(a[-2].sum() / a.shape[1]), float(a[-1].sum() / a.shape[1])) for k, a in arrays.items()}
    drops = np.array([means[k][0] - means[k][1] for k in "fio"])
    return means, "fio"[int(np.argmax(drops))]  # argmax: the first of a tie, as the rule says


@pytest.fixture(scope="module")
def app(tiny_model_dir):
    from conftest import app_client

    from lstmlm import load_model

    model = load_model(tiny_model_dir)
    with app_client(model, model_dir=tiny_model_dir) as client:
        yield client, model


def test_gate_reader_equals_numpy_means(tiny_model):
    from playground.views.class_game import make_gate_reader

    for sentence in (SENTENCE, "a dog ran to the house . the bird is in the mat ."):
        words = sentence.split()
        got = make_gate_reader(tiny_model)(words)
        means, answer = expected_gates(tiny_model, words)
        for k in "fio":
            assert got.before[k] == pytest.approx(means[k][0], abs=1e-6)
            assert got.at_stop[k] == pytest.approx(means[k][1], abs=1e-6)
        assert got.answer == answer


def test_gate_answer_rule():
    from playground.server.room_scoring import GateAnswer

    g = GateAnswer(before={"f": 0.5, "i": 0.6, "o": 0.2}, at_stop={"f": 0.4, "i": 0.3, "o": 0.5})
    assert g.answer == "i" and g.drops["o"] == pytest.approx(-0.3)
    tie = GateAnswer(before={"f": 0.5, "i": 0.5, "o": 0.5}, at_stop={"f": 0.4, "i": 0.4, "o": 0.6})
    assert tie.answer == "f"  # a tie goes to the first of f, i, o
    rising = GateAnswer(before={"f": 0.1, "i": 0.1, "o": 0.1}, at_stop={"f": 0.3, "i": 0.2, "o": 0.4})
    assert rising.answer == "i"  # no mean falls: the one that rises least


def test_gate_round_teacher_and_two_students(app):
    client, model = app
    room = call(client, "room_open")
    code, key = room["code"], room["key"]
    a = call(client, "room_join", code=code)["student"]
    b = call(client, "room_join", code=code)["student"]
    state = call(client, "room_push_gate", code=code, key=key, text=SENTENCE)
    assert state["question"] == "gate" and state["prompt"] == SENTENCE.split() and state["rounds"] == 1
    call(client, "room_guess", code=code, student=a, guess="Forget")
    mine = call(client, "room_guess", code=code, student=b, guess="o")
    assert mine["your_guess"] == "o" and mine["gates"] is None and mine["histogram"] is None
    with pytest.raises(AppError, match="pick a gate"):
        call(client, "room_guess", code=code, student=b, guess="cat")

    call(client, "room_reveal", code=code, key=key)
    seen = call(client, "room_state", code=code, token=a)
    means, answer = expected_gates(model, SENTENCE.split())
    assert seen["gates"]["answer"] == answer and seen["your_guess"] == "f"
    for k in "fio":
        g = seen["gates"]["gates"][k]
        assert (g["before"], g["at_stop"]) == pytest.approx(means[k], abs=1e-5)
        assert g["drop"] == pytest.approx(means[k][0] - means[k][1], abs=1e-5)
    assert seen["histogram"] == [["f", 1], ["o", 1]]
    assert seen["models"] == [] and seen["scores"] == []  # a gate round asks no model for words

    from playground.views.class_game import round_html

    page = round_html(seen)
    assert f"{means[answer][0]:.3f}" in page and "1 / 2" in page  # the value and the class's picks
    with pytest.raises(AppError, match="one round"):
        call(client, "room_step", code=code, key=key)


def test_gate_question_refusals(tiny_cell_dirs):
    from lstmlm import load_model
    from playground.server.room import RoomError
    from playground.server.rooms import RoomStore
    from playground.views.class_game import make_gate_reader
    from playground.views.lineup import Entry

    store = RoomStore(gates=lambda words: None)
    code, key = store.open()
    for text in ("the cat sat", ".", "  "):
        with pytest.raises(RoomError, match="full stop|type a sentence"):
            store.push_gate(code, key, text)
    store.push_gate(code, key, "the cat | sat .")  # a "|" is ignored
    assert store.state(code, key)["prompt"] == ["the", "cat", "sat", "."]
    gru = load_model(tiny_cell_dirs["gru"])
    with pytest.raises(ValueError, match="needs an LSTM"):
        make_gate_reader(gru)
    from playground.views.class_game import make_store

    no_gates = make_store([Entry("GRU", gru, "#000000")])
    code, key = no_gates.open()
    with pytest.raises(RoomError, match="with an LSTM"):
        no_gates.push_gate(code, key, "the cat sat .")


def test_gate_text_in_english_and_chinese():
    from playground.text.class_game import PAIRS

    keys = [k for k in PAIRS if k.startswith("class.gate") or k == "class.push_gate"]
    assert len(keys) >= 15
    for k in keys:
        en, zh = PAIRS[k]
        assert en.strip() and zh.strip() and en != zh
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), k
