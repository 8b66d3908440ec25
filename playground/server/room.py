"""One room of the class game: its data, what a guess and a pushed text may be, and what each role may see of
it (`page_state`). No gradio, no torch; `rooms.RoomStore` keeps every room of the server behind one lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from playground.server import room_refusals as said
from playground.server.room_scoring import (
    GATE_PICKS,
    GateAnswer,
    ModelAnswer,
    RoundScore,
    answer_json,
    gate_json,
    histogram,
    score_json,
    totals,
)

MAX_GUESS_CHARS = 40
MAX_SENTENCE_WORDS = 200  # tokens of a pushed sentence (a character model's characters)
MAX_TEXT_CHARS = 5000  # a pushed text longer than this is refused before it is tokenized
START_MARK = "|"  # in a pushed text, where the guessing starts
FULL_STOP = "."  # a gate question's sentence ends with this token
# what a student may type for a gate question: the letter, the gate's name, or its Chinese name; "n" (or
# "none", "no gate", 无...) for "no gate clearly closes"
GATE_NAMES = {"forget": "f", "input": "i", "output": "o", "遗忘门": "f", "输入门": "i", "输出门": "o"}
NO_GATE_NAMES = ("none", "no", "no gate", "no gate clearly closes", "无", "没有", "没有哪个门明显关上")
GATE_NAMES |= dict.fromkeys(NO_GATE_NAMES, "n")


class RoomError(ValueError):
    """A request the rooms cannot follow; the message says what to do instead."""


@dataclass
class Room:
    """One class: who is in it, the pushed sentence, the open round and the revealed rounds' scores."""

    code: str
    teacher_key: str
    password_hash: bytes | None
    salt: bytes
    last_change: float
    members: dict[str, float] = field(default_factory=dict)  # student id -> when last seen
    words: list[str] = field(default_factory=list)  # the pushed sentence, as the model's tokens
    start: int = 0  # words shown before the first round
    position: int = 0  # the open round: the class has seen words[:position]
    guesses: dict[str, str] = field(default_factory=dict)  # student id -> normalized guess
    revealed: bool = False
    answers: list[ModelAnswer] | None = None  # the models' answers, once revealed
    scores: list[RoundScore] = field(default_factory=list)
    question: str = "word"  # "word": guess the next word; "gate": which gate closes at the full stop
    gate_answer: GateAnswer | None = None  # the traced answer, once a gate question is revealed
    pushes: int = 0  # sentences pushed so far: tells a reveal computed for an older round to stand down
    version: int = 0  # +1 on every change a page would draw

    @property
    def actual(self) -> str | None:
        return self.words[self.position] if self.position < len(self.words) else None


def normalize_guess(text: str | None, unit: str = "word") -> str:
    """A student's guess as it is counted: trimmed and case-folded; one word (or one character for a
    character model). RoomError says what to type instead."""
    raw = "" if text is None else str(text)
    if unit == "character":
        guess = raw if len(raw) == 1 else raw.strip()
        if len(guess) != 1:
            raise RoomError(said.ONE_CHARACTER)
        return guess.casefold()
    guess = raw.strip()
    if not guess:
        raise RoomError(said.WORD_FIRST)
    if len(guess) > MAX_GUESS_CHARS:
        raise RoomError(said.guess_long(MAX_GUESS_CHARS))
    if len(guess.split()) > 1:
        raise RoomError(said.ONE_WORD)
    return guess.casefold()


def normalize_gate_pick(text: str | None) -> str:
    """A student's pick for the gate question as counted: "f", "i", "o", or "n" for "no gate clearly closes"
    (also accepted: the gate's name, e.g. "forget" or "遗忘门", or "none", in any case). RoomError says what
    to type instead."""
    pick = " ".join(str(text or "").split()).casefold()
    pick = GATE_NAMES.get(pick, pick)
    if pick not in GATE_PICKS:
        raise RoomError(said.PICK_GATE)
    return pick


def gate_sentence(text: str | None, tokenize: Callable[[str], list[str]]) -> list[str]:
    """The tokens of a gate question's sentence (a "|" in it is ignored): at least one token before a
    final ".". RoomError otherwise."""
    words, _ = split_sentence(str(text or "").replace(START_MARK, " "), tokenize)
    if words[-1] != FULL_STOP or len(words) < 2:
        raise RoomError(said.full_stop(FULL_STOP))
    return words


def split_sentence(text: str | None, tokenize: Callable[[str], list[str]]) -> tuple[list[str], int]:
    """(tokens, start) of a pushed text: the class first sees the tokens before START_MARK ("|") and
    guesses from there; without a mark it sees the whole text and guesses the word after it (one round,
    no actual word). RoomError for an empty text, two marks or too many tokens."""
    text = str(text or "").strip()
    if len(text) > MAX_TEXT_CHARS:
        raise RoomError(said.text_long(len(text), MAX_TEXT_CHARS))
    if text.count(START_MARK) > 1:
        raise RoomError(said.one_mark(START_MARK, text.count(START_MARK)))
    before, mark, after = text.partition(START_MARK)
    shown = tokenize(before.strip())
    rest = tokenize(after.strip()) if mark else []
    words = shown + rest
    if not words:
        raise RoomError(said.SENTENCE_FIRST)
    if len(words) > MAX_SENTENCE_WORDS:
        raise RoomError(said.sentence_long(len(words), MAX_SENTENCE_WORDS))
    return words, len(shown)


def page_state(room: Room, unit: str, teacher: bool, token: str, present: int) -> dict:
    """What the teacher (`teacher`) or the student `token` may see of `room`, as JSON: the class's guesses
    to the teacher at once and to students after the reveal; the actual word and the models' answers to
    everyone after the reveal only. `present`: the students seen lately."""
    top, other = histogram(list(room.guesses.values()))
    show_guesses = teacher or room.revealed
    state = {
        "code": room.code,
        "role": "teacher" if teacher else "student",
        "version": room.version,
        "students": len(room.members),
        "present": present,
        "pushed": bool(room.words),
        "unit": unit,
        "prompt": list(room.words[: room.position]),
        "round": room.position - room.start + 1 if room.words else 0,
        "rounds": max(1, len(room.words) - room.start) if room.words else 0,
        "has_actual": room.actual is not None,
        "last_word": room.position >= len(room.words) - 1 if room.words else True,
        "guesses": len(room.guesses),
        "your_guess": None if teacher else room.guesses.get(token),
        "revealed": room.revealed,
        "histogram": [[w, c] for w, c in top] if show_guesses else None,
        "other_guesses": other if show_guesses else None,
        "actual": room.actual if room.revealed else None,
        "models": [answer_json(a) for a in room.answers or []] if room.revealed else None,
        "scores": [score_json(s) for s in room.scores],
        "totals": totals(room.scores),
        "question": room.question,
        "gates": gate_json(room.gate_answer) if room.revealed and room.gate_answer is not None else None,
    }
    if teacher:
        state["password"] = room.password_hash is not None
    return state
