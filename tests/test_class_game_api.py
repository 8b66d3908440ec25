"""The Class game's endpoints over HTTP (room_open, room_join, room_push, room_guess, room_state,
room_reveal, room_step) on the app built over the tiny model with a tiny GRU beside it: one round played
by a teacher and two students, the models' words checked against their own forward pass."""

from __future__ import annotations

import math

import pytest
import torch
from gradio_client.exceptions import AppError

SENTENCE = "the cat sat | on the mat ."


@pytest.fixture(scope="module")
def app(tiny_model_dir, tiny_cell_dirs):
    from conftest import app_client

    from lstmlm import load_model

    model = load_model(tiny_model_dir)
    gru = load_model(tiny_cell_dirs["gru"])
    with app_client(model, model_dir=tiny_model_dir, compare_dirs=[tiny_cell_dirs["gru"]]) as client:
        yield client, model, gru


def call(client, name: str, **kwargs):
    return client.predict(api_name=f"/{name}", **kwargs)


def next_probs(model, words: list[str]) -> torch.Tensor:
    """P(next word) after `words`, read from a line start, by the model's own forward pass."""
    ids = torch.tensor([model.vocab.eos_id, *model.vocab.encode(words).ids]).unsqueeze(1)  # (T, 1)
    with torch.no_grad():
        features, _ = model(ids, model.init_state(1))  # (T, 1, H)
        return model.log_probs(features[-1, 0]).exp()  # (V,)


def test_one_round_teacher_and_two_students(app):
    client, model, gru = app
    room = call(client, "room_open", password="owl")
    code, key = room["code"], room["key"]
    assert room["join"] == f"?room={code}"
    with pytest.raises(AppError, match="wrong password"):
        call(client, "room_join", code=code, password="cat")
    a = call(client, "room_join", code=code.lower(), password="owl")["student"]
    b = call(client, "room_join", code=code, password="owl")["student"]
    with pytest.raises(AppError, match="only the teacher"):
        call(client, "room_push", code=code, key=a, text=SENTENCE)
    state = call(client, "room_push", code=code, key=key, text=SENTENCE)
    assert state["prompt"] == ["the", "cat", "sat"] and state["rounds"] == 4 and state["role"] == "teacher"

    call(client, "room_guess", code=code, student=a, guess="On")
    mine = call(client, "room_guess", code=code, student=b, guess="in")
    assert mine["your_guess"] == "in" and mine["guesses"] == 2
    assert mine["histogram"] is None and mine["actual"] is None and mine["models"] is None  # not revealed
    teacher = call(client, "room_state", code=code, token=key)
    assert teacher["histogram"] == [["in", 1], ["on", 1]] and teacher["models"] is None

    call(client, "room_reveal", code=code, key=key)
    seen = call(client, "room_state", code=code, token=a)
    assert seen["revealed"] and seen["actual"] == "on" and seen["your_guess"] == "on"
    assert [m["label"] for m in seen["models"]][0].startswith("LSTM") and len(seen["models"]) == 2
    for answer, m in zip(seen["models"], (model, gru), strict=True):
        probs = next_probs(m, ["the", "cat", "sat"])
        top = probs.topk(len(answer["words"]))
        assert answer["words"] == m.vocab.decode(top.indices.tolist())
        assert answer["probs"] == pytest.approx(top.values.tolist(), abs=1e-5)
        assert answer["actual_prob"] == pytest.approx(float(probs[m.vocab.index["on"]]), rel=1e-4)
    score = seen["scores"][0]
    assert (score["actual"], score["guesses"], score["right"]) == ("on", 2, 1)
    assert score["class_bits"] == pytest.approx(math.log2(4 / 2), abs=1e-4)  # (1 + 1) / (2 + 2)
    lstm_label = seen["models"][0]["label"]
    expected = -math.log2(float(next_probs(model, ["the", "cat", "sat"])[model.vocab.index["on"]]))
    assert score["model_bits"][lstm_label] == pytest.approx(expected, abs=1e-3)
    with pytest.raises(AppError, match="revealed"):
        call(client, "room_guess", code=code, student=b, guess="at")

    stepped = call(client, "room_step", code=code, key=key)
    assert stepped["prompt"] == ["the", "cat", "sat", "on"] and stepped["round"] == 2
    assert not stepped["revealed"]
    assert call(client, "room_state", code=code, token=b)["your_guess"] is None


def test_refusals_say_what_to_do(app):
    client, _, _ = app
    with pytest.raises(AppError, match="no open room has the code"):
        call(client, "room_join", code="QQQQQ")
    room = call(client, "room_open")
    with pytest.raises(AppError, match="type a sentence"):
        call(client, "room_push", code=room["code"], key=room["key"], text="  ")
    student = call(client, "room_join", code=room["code"])["student"]
    with pytest.raises(AppError, match="wait for your teacher"):
        call(client, "room_guess", code=room["code"], student=student, guess="cat")
    call(client, "room_push", code=room["code"], key=room["key"], text="the cat")
    with pytest.raises(AppError, match="one word"):
        call(client, "room_guess", code=room["code"], student=student, guess="sat on")
    with pytest.raises(AppError, match="join the room first"):
        call(client, "room_state", code=room["code"], token="made-up")
