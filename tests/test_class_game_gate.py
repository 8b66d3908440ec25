"""The Class game's "which gate closes at the full stop?" question: the answer checked against numpy counts of
the top layer's units that go from open (>= 0.5) to closed (< 0.5) in the model's own trace (read from a line
start: <eos> first, as the app reads a prompt), the rule's threshold ("no gate clearly closes"), one round
over HTTP with a teacher and two students, refusals, and every new text in English and Chinese."""

from __future__ import annotations

import numpy as np
import pytest
from gradio_client.exceptions import AppError

SENTENCE = "the cat sat on the mat ."


def call(client, name: str, **kwargs):
    return client.predict(api_name=f"/{name}", **kwargs)


def expected_gates(model, words: list[str]) -> tuple[dict[str, dict], str]:
    """Per gate: units open (>= 0.5) at the word before the "." and closed (< 0.5) at the ".", units the other
    way, their difference, and the two means over the top layer's units; and the answer: the gate with the
    largest difference (the first of a tie) if it reaches 5% of the units, else "n". Computed in numpy from
    lstmlm.trace.trace run from the model's own initial state on <eos> + the words (not the prompt reader
    the app uses)."""
    from lstmlm.trace import trace

    ids = [model.vocab.eos_id, *model.vocab.encode(words).ids]
    top = trace(model, ids, model.init_state(1), log_probs=False).layers[-1]
    got = {}
    for k in "fio":
        a = top.get(k)[:, 0].detach().numpy().astype(np.float64)  # (T, H)
        before, at = a[-2], a[-1]
        closed = int(np.count_nonzero((before >= 0.5) & (at < 0.5)))
        opened = int(np.count_nonzero((before < 0.5) & (at >= 0.5)))
        means = {"before": float(before.sum() / a.shape[1]), "at_stop": float(at.sum() / a.shape[1])}
        got[k] = {"closed": closed, "opened": opened, "net": closed - opened, **means}
    nets = np.array([got[k]["net"] for k in "fio"])
    best = int(np.argmax(nets))  # argmax: the first of a tie, as the rule says
    needed = int(np.ceil(0.05 * a.shape[1]))
    return got, ("fio"[best] if nets[best] >= needed else "n")


@pytest.fixture(scope="module")
def app(tiny_model_dir):
    from conftest import app_client

    from lstmlm import load_model

    model = load_model(tiny_model_dir)
    with app_client(model, model_dir=tiny_model_dir) as client:
        yield client, model


def test_gate_reader_equals_numpy_counts(tiny_model):
    from playground.server.room_scoring import gate_json
    from playground.views.class_game import make_gate_reader

    for sentence in (SENTENCE, "a dog ran to the house . the bird is in the mat ."):
        words = sentence.split()
        got = gate_json(make_gate_reader(tiny_model)(words))
        expected, answer = expected_gates(tiny_model, words)
        for k in "fio":
            g, e = got["gates"][k], expected[k]
            assert (g["closed"], g["opened"], g["net"]) == (e["closed"], e["opened"], e["net"])
            assert (g["before"], g["at_stop"]) == pytest.approx((e["before"], e["at_stop"]), abs=1e-6)
        assert got["answer"] == answer
        assert (
            got["units"] == tiny_model.config.hidden_dim and got["needed"] == 1
        )  # 5% of 8 units, rounded up


def test_gate_answer_rule():
    from playground.server.room_scoring import GateAnswer

    def answer(before: dict, after: dict) -> GateAnswer:
        return GateAnswer(
            before={k: list(v) for k, v in before.items()}, at_stop={k: list(v) for k, v in after.items()}
        )

    # 20 units: 5% is 1 unit; f closes 2 and opens 1 (net 1), i closes 3 (net 3), o opens 2 (net -2)
    open_, shut = [0.9] * 20, [0.1] * 20
    f_after = [0.1, 0.2, 0.8] + [0.9] * 17
    f_before = [0.9, 0.9, 0.3] + [0.9] * 17
    g = answer(
        {"f": f_before, "i": open_, "o": shut},
        {"f": f_after, "i": [0.4] * 3 + [0.9] * 17, "o": [0.6] * 2 + [0.1] * 18},
    )
    assert (g.closed, g.opened, g.net) == (
        {"f": 2, "i": 3, "o": 0},
        {"f": 1, "i": 0, "o": 2},
        {"f": 1, "i": 3, "o": -2},
    )
    assert g.needed == 1 and g.answer == "i"
    # a value of exactly 0.5 is open: 0.5 -> 0.49 closes, 0.49 -> 0.5 opens
    edge = answer(
        {"f": [0.5, 0.49], "i": [0.5, 0.5], "o": [0.49, 0.49]},
        {"f": [0.49, 0.5], "i": [0.5, 0.49], "o": [0.5, 0.49]},
    )
    assert edge.net == {"f": 0, "i": 1, "o": -1} and edge.answer == "i"
    # a tie goes to the first of f, i, o
    tie = answer({k: [0.9, 0.9] for k in "fio"}, {"f": [0.1, 0.9], "i": [0.9, 0.1], "o": [0.9, 0.9]})
    assert tie.answer == "f"
    # 100 units need a net 5: a net of 4 is "no gate clearly closes" however large the means' drop
    before = {k: [0.99] * 100 for k in "fio"}
    after = {"f": [0.0] * 4 + [0.51] * 96, "i": [0.99] * 100, "o": [0.99] * 100}
    weak = answer(before, after)
    assert weak.needed == 5 and weak.net["f"] == 4 and weak.answer == "n"
    assert weak.mean("f", False) - weak.mean("f", True) > 0.45  # the old rule (largest mean drop) said f
    after["f"][4] = 0.2
    assert answer(before, after).answer == "f"  # net 5 reaches it
    nothing = answer({k: [0.9] * 8 for k in "fio"}, {k: [0.9] * 8 for k in "fio"})
    assert nothing.net == {"f": 0, "i": 0, "o": 0} and nothing.answer == "n"


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
    expected, answer = expected_gates(model, SENTENCE.split())
    assert seen["gates"]["answer"] == answer and seen["your_guess"] == "f"
    for k in "fio":
        g, e = seen["gates"]["gates"][k], expected[k]
        assert (g["closed"], g["opened"], g["net"]) == (e["closed"], e["opened"], e["net"])
        assert (g["before"], g["at_stop"]) == pytest.approx((e["before"], e["at_stop"]), abs=1e-5)
    assert seen["histogram"] == [["f", 1], ["o", 1]]
    assert seen["models"] == [] and seen["scores"] == []  # a gate round asks no model for words

    from playground.views.class_game import round_html

    page = round_html(seen)
    e = expected[answer if answer != "n" else "f"]
    assert f"<td><b>{e['closed']}</b></td>" in page or f"<td>{e['closed']}</td>" in page
    assert f"{e['before']:.3f}" in page and "1 / 2" in page  # a mean and the class's picks
    assert ("no gate clearly closes" in page) and ("You picked it." in page) == (answer == "f")
    with pytest.raises(AppError, match="one round"):
        call(client, "room_step", code=code, key=key)


def test_no_gate_is_a_pick_and_can_be_right():
    """A student may pick "no gate clearly closes" (n, none, 无...); when the trace's answer is that, the
    reveal says so, bolds that row and tells the student who picked it that they were right."""
    from playground.server.room import normalize_gate_pick
    from playground.server.room_scoring import GateAnswer
    from playground.server.rooms import RoomStore
    from playground.views.class_game import round_html

    assert [normalize_gate_pick(x) for x in ("n", " None ", "No  gate", "无", "F", "输出门")] == ["n"] * 4 + [
        "f",
        "o",
    ]
    flat = GateAnswer(before={k: [0.9] * 40 for k in "fio"}, at_stop={k: [0.1] + [0.9] * 39 for k in "fio"})
    assert flat.needed == 2 and flat.net == {"f": 1, "i": 1, "o": 1} and flat.answer == "n"
    store = RoomStore(gates=lambda words: flat)
    code, key = store.open()
    a, b = store.join(code), store.join(code)
    store.push_gate(code, key, "the cat sat .")
    assert store.guess(code, a, "none") == "n" and store.guess(code, b, "i") == "i"
    store.reveal(code, key)
    seen = store.state(code, a)
    assert seen["gates"]["answer"] == "n" and seen["gates"]["needed"] == 2
    page = round_html(seen)
    assert (
        "no gate clearly closes: the most any gate closes is 1 of 40 units" in page
        and "You picked it." in page
    )
    assert "<td><b>no gate clearly closes</b></td>" in page and "<td><b>1 / 2</b></td>" in page
    assert "Your pick was another one." in round_html(store.state(code, b))


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


def test_teacher_hint_names_the_sentence_box():
    """The teacher's hint names the box it means by its label (the box sits above the hint, not below)."""
    from playground.text.class_game import PAIRS

    for lang in (0, 1):
        hint, box = PAIRS["class.teacher_push"][lang], PAIRS["class.sentence"][lang]
        name = box.split(":")[0].split("：")[0]
        assert name in hint, (hint, name)
        assert not any(word in hint for word in ("below", "下面", "下方")), hint
