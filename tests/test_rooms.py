"""The class game's room store (playground/server/rooms.py): guesses counted, the answer gated until the
reveal,
expiry, caps, and the class's and models' surprisal worked out by hand."""

from __future__ import annotations

import math
import threading

import pytest

from playground.server.room import RoomError, normalize_guess, split_sentence
from playground.server.room_scoring import ModelAnswer, class_surprisal_bits, histogram, model_surprisal_bits
from playground.server.rooms import CODE_ALPHABET, CODE_LENGTH, GONE_S, RoomStore

SENTENCE = "the cat sat on the mat".split()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fixed_predictor(probs: dict[str, float]):
    """Two fake models: 'A' gives each word the probability in `probs`; 'B' half of it; both list the
    same top words. Records what it was asked."""
    asked = []

    def predict(prefix, actual):
        asked.append((list(prefix), actual))
        a = probs.get(actual) if actual is not None else None
        return [
            ModelAnswer("A", ["mat", "dog"], [0.5, 0.25], a),
            ModelAnswer("B", ["mat", "dog"], [0.4, 0.2], None if a is None else a / 2),
        ]

    predict.asked = asked
    return predict


@pytest.fixture()
def clock():
    return Clock()


def room_with(store: RoomStore, students: int, start: int = 4):
    code, key = store.open()
    ids = [store.join(code) for _ in range(students)]
    store.push(code, key, SENTENCE, start)
    return code, key, ids


def test_surprisal_formulas_by_hand():
    # 3 of 5 guessed right: (3 + 1) / (5 + 2) = 4/7
    assert class_surprisal_bits(3, 5) == pytest.approx(math.log2(7 / 4))
    assert class_surprisal_bits(0, 30) == pytest.approx(5.0)  # nobody: 1/32
    assert class_surprisal_bits(30, 30) == pytest.approx(math.log2(32 / 31))
    assert model_surprisal_bits(0.125) == pytest.approx(3.0)
    assert model_surprisal_bits(None) is None and model_surprisal_bits(0.0) is None
    with pytest.raises(ValueError, match="right <= guesses"):
        class_surprisal_bits(4, 3)


def test_guesses_counted_case_folded_and_replaced(clock):
    store = RoomStore(clock=clock)
    code, key, (a, b, c, d) = room_with(store, 4)
    assert store.guess(code, a, "  Mat ") == "mat"
    store.guess(code, b, "mat")
    store.guess(code, c, "floor")
    store.guess(code, d, "rug")
    store.guess(code, d, "MAT")  # a student may change their mind until the reveal: the last guess counts
    state = store.state(code, key)
    assert state["guesses"] == 4
    assert state["histogram"] == [["mat", 3], ["floor", 1]]
    assert state["prompt"] == SENTENCE[:4] and state["round"] == 1 and state["rounds"] == 2
    assert store.state(code, a)["your_guess"] == "mat"


def test_histogram_top_and_other():
    top, other = histogram(["b", "a", "b", "c", "d", "a", "b"], top=2)
    assert top == [("b", 3), ("a", 2)] and other == 2  # ties alphabetical: a before c, d


def test_students_see_guesses_and_answer_only_after_the_reveal(clock):
    predict = fixed_predictor({"the": 0.25})
    store = RoomStore(predict, clock=clock)
    code, key, (a, b) = room_with(store, 2)
    store.guess(code, a, "the")
    before = store.state(code, b)
    assert before["role"] == "student" and not before["revealed"]
    assert before["histogram"] is None and before["actual"] is None and before["models"] is None
    assert before["guesses"] == 1  # how many guessed is shown, not what
    teacher = store.state(code, key)
    assert teacher["histogram"] == [["the", 1]] and teacher["actual"] is None and teacher["models"] is None
    assert predict.asked == []  # the models are asked at the reveal, not before

    with pytest.raises(RoomError, match="only the teacher"):
        store.reveal(code, a)
    store.reveal(code, key)
    after = store.state(code, b)
    assert after["revealed"] and after["actual"] == "the" and after["histogram"] == [["the", 1]]
    assert [m["label"] for m in after["models"]] == ["A", "B"] and after["models"][0]["words"] == [
        "mat",
        "dog",
    ]
    assert predict.asked == [(SENTENCE[:4], "the")]
    with pytest.raises(RoomError, match="revealed"):
        store.guess(code, b, "a")
    store.reveal(code, key)  # twice: nothing changes, the models are not asked again
    assert len(predict.asked) == 1 and len(store.state(code, key)["scores"]) == 1


def test_scores_over_a_sentence_by_hand(clock):
    # round 1 (actual "the"): 1 of 2 right; A gives 0.25, B 0.125
    # round 2 (actual "mat"): 0 of 3 right; A gives 0.5, B 0.25
    store = RoomStore(fixed_predictor({"the": 0.25, "mat": 0.5}), clock=clock)
    code, key, (a, b, c) = room_with(store, 3)
    store.guess(code, a, "the")
    store.guess(code, b, "a")
    store.reveal(code, key)
    store.step(code, key)
    state = store.state(code, a)
    assert state["prompt"] == SENTENCE[:5] and state["round"] == 2 and not state["revealed"]
    assert state["your_guess"] is None and state["last_word"]
    for s, word in zip((a, b, c), ("floor", "rug", "sofa"), strict=True):
        store.guess(code, s, word)
    store.reveal(code, key)
    scores = store.state(code, c)["scores"]
    assert [(s["actual"], s["guesses"], s["right"]) for s in scores] == [("the", 2, 1), ("mat", 3, 0)]
    assert scores[0]["class_bits"] == pytest.approx(math.log2(4 / 2), abs=1e-4)  # (1+1)/(2+2)
    assert scores[1]["class_bits"] == pytest.approx(math.log2(5 / 1), abs=1e-4)  # (0+1)/(3+2)
    assert scores[0]["model_bits"] == pytest.approx({"A": 2.0, "B": 3.0})
    assert scores[1]["model_bits"] == pytest.approx({"A": 1.0, "B": 2.0})
    totals = store.state(code, key)["totals"]
    assert totals["words"] == 2
    assert totals["class_bits"] == pytest.approx((1.0 + math.log2(5)) / 2, abs=1e-4)
    assert totals["model_bits"] == pytest.approx({"A": 1.5, "B": 2.5})
    with pytest.raises(RoomError, match="last word"):
        store.step(code, key)


def test_unscored_rounds_and_words_a_model_lacks(clock):
    store = RoomStore(fixed_predictor({"the": 0.25}), clock=clock)  # "mat": no probability (not in vocab)
    code, key, (a,) = room_with(store, 1)
    store.reveal(code, key)  # nobody guessed: no class surprisal
    store.step(code, key)
    store.guess(code, a, "mat")
    store.reveal(code, key)
    scores = store.state(code, key)["scores"]
    assert scores[0]["class_bits"] is None and scores[0]["model_bits"]["A"] == pytest.approx(2.0)
    assert scores[1]["class_bits"] == pytest.approx(math.log2(3 / 2), abs=1e-4)
    assert scores[1]["model_bits"] == {"A": None, "B": None}
    assert store.state(code, key)["totals"] == {"words": 0, "class_bits": None, "model_bits": {}}


def test_a_round_stepped_over_is_not_scored(clock):
    store = RoomStore(fixed_predictor({}), clock=clock)
    code, key, (a,) = room_with(store, 1, start=3)
    store.guess(code, a, "on")
    store.step(code, key)  # no reveal
    assert store.state(code, a)["scores"] == [] and store.state(code, a)["guesses"] == 0


def test_a_text_without_mark_is_one_round_without_an_actual_word(clock):
    words, start = split_sentence("The cat sat on the", str.split)
    assert (words, start) == (["The", "cat", "sat", "on", "the"], 5)
    store = RoomStore(fixed_predictor({}), clock=clock)
    code, key = store.open()
    a = store.join(code)
    store.push(code, key, words, start)
    store.guess(code, a, "mat")
    store.reveal(code, key)
    state = store.state(code, a)
    assert state["revealed"] and state["actual"] is None and state["scores"] == [] and state["rounds"] == 1
    assert state["models"][0]["actual_prob"] is None and state["histogram"] == [["mat", 1]]
    with pytest.raises(RoomError, match="last word"):
        store.step(code, key)


def test_split_sentence_and_guess_rules():
    assert split_sentence("The cat | sat on", str.split) == (["The", "cat", "sat", "on"], 2)
    assert split_sentence("| The cat", str.split) == (["The", "cat"], 0)
    for text, message in (("", "type a sentence"), ("a | b | c", "one \\|"), ("w " * 201, "at most 200")):
        with pytest.raises(RoomError, match=message):
            split_sentence(text, str.split)
    assert normalize_guess("Paris") == "paris"
    assert normalize_guess(" ", "character") == " " and normalize_guess("A", "character") == "a"
    for text, message in (("", "type a word"), ("two words", "one word"), ("x" * 41, "at most 40")):
        with pytest.raises(RoomError, match=message):
            normalize_guess(text)
    with pytest.raises(RoomError, match="one character"):
        normalize_guess("ab", "character")


def test_codes_passwords_and_wrong_tokens(clock):
    store = RoomStore(clock=clock)
    code, key = store.open(password="owl")
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert store.needs_password(code)
    with pytest.raises(RoomError, match="wrong password"):
        store.join(code, "cat")
    student = store.join(f"  {code.lower()} ", "owl")  # a typed code: spaces and case do not matter
    with pytest.raises(RoomError, match="no open room has the code"):
        store.join("ZZZZZ9")
    with pytest.raises(RoomError, match="join the room first"):
        store.state(code, "not-an-id")
    with pytest.raises(RoomError, match="only the teacher"):
        store.push(code, student, SENTENCE, 2)
    with pytest.raises(RoomError, match="wait for your teacher"):
        store.guess(code, student, "cat")
    assert store.state(code, key)["password"] is True and "password" not in store.state(code, student)
    store.close(code, key)
    assert store.rooms() == 0


def test_rooms_expire_after_idle_time(clock):
    store = RoomStore(clock=clock, idle_expiry_s=7200)
    code, key, (a,) = room_with(store, 1)
    clock.now += 7000
    store.state(code, a)  # polling is not a change: it does not keep a room alive
    clock.now += 100
    store.guess(code, a, "cat")  # a guess is
    clock.now += 7199
    assert store.rooms() == 1
    clock.now += 2
    assert store.rooms() == 0
    with pytest.raises(RoomError, match="no open room"):
        store.state(code, key)


def test_caps_on_rooms_and_students(clock):
    store = RoomStore(clock=clock, max_rooms=2, max_students=3)
    code, key = store.open()
    store.open()
    with pytest.raises(RoomError, match="2 open rooms"):
        store.open()
    first = store.join(code)
    store.join(code)
    store.join(code)
    with pytest.raises(RoomError, match="full"):
        store.join(code)
    clock.now += GONE_S + 1  # students gone for 10 minutes make way, unless they guessed this round
    store.push(code, key, SENTENCE, 2)
    store.guess(code, first, "sat")
    store.join(code)
    state = store.state(code, key)
    assert state["students"] == 2 and state["present"] == 2  # `first` (guessed just now) and the newcomer


def test_present_counts_recent_polls(clock):
    store = RoomStore(clock=clock)
    code, key, (a, b) = room_with(store, 2)
    clock.now += 30
    store.state(code, a)
    assert store.state(code, key)["present"] == 1 and store.state(code, key)["students"] == 2


def test_concurrent_guesses_are_all_counted():
    store = RoomStore()
    code, key = store.open()
    ids = [store.join(code) for _ in range(40)]
    store.push(code, key, SENTENCE, 3)

    def guess(i: int) -> None:
        for _ in range(20):
            store.guess(code, ids[i], "on" if i % 4 else "in")
            store.state(code, ids[i])

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.state(code, key)["histogram"] == [["on", 30], ["in", 10]]


def test_the_score_note_says_which_words_the_means_leave_out():
    """A word nobody got right (0 of 2) counts in the means with log2(4) = 2 bits; only a word no student
    sent a guess for is left out. The note under the table says so, in words that cannot be read as the
    other case ("nobody guessed" meant both)."""
    from playground.server.room_scoring import score_json, score_round, totals
    from playground.views.class_game import scores_html

    missed = score_round(0, "door", ["mat", "floor"], [ModelAnswer("LSTM", [], [], 0.25)])
    unasked = score_round(1, "and", [], [ModelAnswer("LSTM", [], [], 0.5)])
    sums = totals([missed, unasked])
    assert sums["words"] == 1 and sums["class_bits"] == pytest.approx(math.log2(4))
    assert sums["model_bits"]["LSTM"] == pytest.approx(2.0)  # -log2 0.25: "and" is left out
    page = scores_html({"unit": "word", "scores": [score_json(missed), score_json(unasked)], "totals": sums})
    assert "<td>0 / 2</td><td>2.00</td>" in page and "<td>0 / 0</td><td>–</td>" in page
    assert "nobody guessed" not in page
    assert "leave out words no student sent a guess for" in page and "a word nobody got right costs" in page
