"""The class against the model ("predict, then reveal"): rooms where a teacher pushes a sentence, each
student guesses the next word, and the teacher reveals the model's answer. All state and rules live here
(no gradio, no torch): the tab and the endpoints are thin wiring around one `RoomStore`.

A round is one position in the pushed sentence: the class sees the words before it and guesses the word
at it. Students see the class's guesses and the models' answers only once the teacher reveals; the
teacher sees the class's guesses live. Each revealed round adds a line to the sentence's score:

    class surprisal = -log2((right + 1) / (guesses + 2))      bits
    model surprisal = -log2 P_model(actual word | words before it)

`right` is how many of the round's `guesses` matched the actual word (ignoring case). The +1/+2 is add-one
(Laplace) smoothing of the share who guessed right, as if one more student had guessed the word and one
more had not: a word nobody guessed costs log2(guesses + 2) bits instead of infinity.

No names are stored: a student is a random id, a teacher holds a random key. Rooms expire after
IDLE_EXPIRY_S without a change; at most MAX_ROOMS rooms and MAX_STUDENTS students per room.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a projector without doubt
CODE_LENGTH = 5  # 31**5 = 28 million codes
MAX_ROOMS = 40  # open rooms on one server
MAX_STUDENTS = 60  # ids per room (a class of 30, with room for reloaded pages)
IDLE_EXPIRY_S = 2 * 3600.0  # a room nobody changed (joined, guessed, pushed, stepped) for 2 h is removed
PRESENT_S = 20.0  # a student whose page asked for the room in the last 20 s counts as present
GONE_S = 600.0  # when a room is full, ids not seen for 10 minutes make way for new students
MAX_GUESS_CHARS = 40
MAX_PASSWORD_CHARS = 100
MAX_SENTENCE_WORDS = 200  # tokens of a pushed sentence (a character model's characters)
MAX_TEXT_CHARS = 5000  # a pushed text longer than this is refused before it is tokenized
TOP_GUESSES = 10  # distinct guesses listed in a histogram; the rest are counted as "other"
START_MARK = "|"  # in a pushed text, where the guessing starts


class RoomError(ValueError):
    """A request the rooms cannot follow; the message says what to do instead."""


@dataclass
class ModelAnswer:
    """One model's answer for a round: its top words and their probabilities, and the probability it gave
    the actual word (None: no actual word, or one the model's vocabulary lacks)."""

    label: str  # e.g. "LSTM 2×512"
    words: list[str]
    probs: list[float]
    actual_prob: float | None = None


# (words before the round, the actual word or None) -> each model's answer; called once per reveal
Predictor = Callable[[Sequence[str], str | None], list[ModelAnswer]]


@dataclass
class RoundScore:
    """A revealed round's line in the sentence's score."""

    position: int  # index of the actual word in the sentence
    actual: str
    guesses: int
    right: int
    class_bits: float | None  # None when nobody guessed
    model_bits: dict[str, float | None]  # label -> bits (None: the word is not in that model's vocabulary)


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
    pushes: int = 0  # sentences pushed so far: tells a reveal computed for an older round to stand down
    version: int = 0  # +1 on every change a page would draw

    @property
    def actual(self) -> str | None:
        return self.words[self.position] if self.position < len(self.words) else None


def class_surprisal_bits(right: int, guesses: int) -> float:
    """-log2((right + 1) / (guesses + 2)): the class's surprisal at the actual word, from the share of its
    `guesses` that were `right`, add-one smoothed (never infinite). ValueError for impossible counts."""
    if guesses < 0 or not 0 <= right <= guesses:
        raise ValueError(f"need 0 <= right <= guesses, got right={right}, guesses={guesses}")
    return -math.log2((right + 1) / (guesses + 2))


def model_surprisal_bits(prob: float | None) -> float | None:
    """-log2 P(actual word) in bits; None when the model gave no probability (the word is not in its
    vocabulary) or 0 (infinitely surprised: shown as missing rather than as inf)."""
    if prob is None or prob <= 0:
        return None
    return -math.log2(prob)


def normalize_guess(text: str | None, unit: str = "word") -> str:
    """A student's guess as it is counted: trimmed and case-folded; one word (or one character for a
    character model). RoomError says what to type instead."""
    raw = "" if text is None else str(text)
    if unit == "character":
        guess = raw if len(raw) == 1 else raw.strip()
        if len(guess) != 1:
            raise RoomError("type one character")
        return guess.casefold()
    guess = raw.strip()
    if not guess:
        raise RoomError("type a word first")
    if len(guess) > MAX_GUESS_CHARS:
        raise RoomError(f"a guess is one word of at most {MAX_GUESS_CHARS} characters")
    if len(guess.split()) > 1:
        raise RoomError("guess one word (no spaces): the word that comes next")
    return guess.casefold()


def split_sentence(text: str | None, tokenize: Callable[[str], list[str]]) -> tuple[list[str], int]:
    """(tokens, start) of a pushed text: the class first sees the tokens before START_MARK ("|") and
    guesses from there; without a mark it sees the whole text and guesses the word after it (one round,
    no actual word). RoomError for an empty text, two marks or too many tokens."""
    text = str(text or "").strip()
    if len(text) > MAX_TEXT_CHARS:
        raise RoomError(f"the text has {len(text):,} characters: push one sentence, {MAX_TEXT_CHARS} at most")
    if text.count(START_MARK) > 1:
        raise RoomError(f"put one {START_MARK} where the class starts guessing (found {text.count('|')})")
    before, mark, after = text.partition(START_MARK)
    shown = tokenize(before.strip())
    rest = tokenize(after.strip()) if mark else []
    words = shown + rest
    if not words:
        raise RoomError("type a sentence for the class first")
    if len(words) > MAX_SENTENCE_WORDS:
        raise RoomError(f"the sentence has {len(words)} words: at most {MAX_SENTENCE_WORDS}")
    return words, len(shown)


def histogram(guesses: Sequence[str], top: int = TOP_GUESSES) -> tuple[list[tuple[str, int]], int]:
    """([(guess, count)] of the `top` most frequent guesses, most first, ties alphabetical; the number of
    the other guesses)."""
    ranked = sorted(Counter(guesses).items(), key=lambda wc: (-wc[1], wc[0]))
    return ranked[:top], sum(c for _, c in ranked[top:])


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.sha256(salt + password.encode("utf-8", "surrogatepass")).digest()


def _code(text: str | None) -> str:
    return "".join(str(text or "").split()).upper()


def _same(given: str | None, secret: str) -> bool:
    """Whether `given` is `secret`, in constant time (any text: compare_digest takes only ASCII str)."""
    return hmac.compare_digest(str(given or "").encode("utf-8", "surrogatepass"), secret.encode())


class RoomStore:
    """Every room of the server, behind one lock (each method holds it for microseconds; a reveal asks the
    models outside it). `predict` gives the models' answers at a reveal (None: no models); `tokenize` cuts
    a pushed text into the model's tokens; `clock` is seconds (time.monotonic), replaceable in tests."""

    def __init__(
        self,
        predict: Predictor | None = None,
        unit: str = "word",
        tokenize: Callable[[str], list[str]] = str.split,
        clock: Callable[[], float] = time.monotonic,
        max_rooms: int = MAX_ROOMS,
        max_students: int = MAX_STUDENTS,
        idle_expiry_s: float = IDLE_EXPIRY_S,
    ) -> None:
        self.predict = predict
        self.unit = unit  # "word" or "character": what one guess is
        self.tokenize = tokenize
        self.clock = clock
        self.max_rooms, self.max_students, self.idle_expiry_s = max_rooms, max_students, idle_expiry_s
        self._rooms: dict[str, Room] = {}
        self._lock = threading.Lock()

    # -- rooms ----------------------------------------------------------------------------------------
    def open(self, password: str | None = None) -> tuple[str, str]:
        """A new room: (its code, the teacher's key). RoomError when the server keeps MAX_ROOMS rooms."""
        password = str(password or "")
        if len(password) > MAX_PASSWORD_CHARS:
            raise RoomError(f"a room password has at most {MAX_PASSWORD_CHARS} characters")
        with self._lock:
            now = self.clock()
            self._expire(now)
            if len(self._rooms) >= self.max_rooms:
                hours = self.idle_expiry_s / 3600
                raise RoomError(
                    f"the server has {len(self._rooms)} open rooms, the most it keeps: close one, or wait "
                    f"until one expires ({hours:g} h after its last change)"
                )
            code = self._new_code()
            salt = secrets.token_bytes(16)
            self._rooms[code] = Room(
                code=code,
                teacher_key=secrets.token_urlsafe(16),
                password_hash=_hash(password, salt) if password else None,
                salt=salt,
                last_change=now,
            )
            return code, self._rooms[code].teacher_key

    def close(self, code: str, key: str) -> None:
        """Remove a room (its teacher only)."""
        with self._lock:
            room = self._teacher_room(code, key)
            del self._rooms[room.code]

    def needs_password(self, code: str) -> bool:
        """Whether joining room `code` takes a password (RoomError if there is no such room)."""
        with self._lock:
            return self._room(code).password_hash is not None

    def join(self, code: str, password: str | None = None) -> str:
        """A new student id in room `code`. RoomError for a wrong code or password, or a full room."""
        with self._lock:
            now = self.clock()
            room = self._room(code)
            if room.password_hash is not None:
                given = _hash(str(password or ""), room.salt)
                if not hmac.compare_digest(given, room.password_hash):
                    raise RoomError("wrong password for this room: ask your teacher for it")
            if len(room.members) >= self.max_students:
                for member, seen in list(room.members.items()):
                    if now - seen > GONE_S and member not in room.guesses:
                        del room.members[member]
            if len(room.members) >= self.max_students:
                raise RoomError(f"room {room.code} is full ({self.max_students} students)")
            member = secrets.token_hex(8)
            while member in room.members:
                member = secrets.token_hex(8)
            room.members[member] = now
            self._changed(room, now)
            return member

    def rooms(self) -> int:
        """How many rooms are open (after removing expired ones)."""
        with self._lock:
            self._expire(self.clock())
            return len(self._rooms)

    # -- the teacher's moves --------------------------------------------------------------------------
    def push(self, code: str, key: str, words: Sequence[str], start: int) -> None:
        """Start a new sentence: the class sees words[:start] and guesses words[start] (none when
        start == len(words)); earlier scores are cleared."""
        words = [str(w) for w in words]
        if not words or len(words) > MAX_SENTENCE_WORDS:
            raise RoomError(f"push a sentence of 1 to {MAX_SENTENCE_WORDS} words")
        if not 0 <= start <= len(words):
            raise RoomError(f"start must be from 0 to {len(words)} (the sentence's length)")
        with self._lock:
            room = self._teacher_room(code, key)
            room.words, room.start, room.position = words, int(start), int(start)
            room.scores = []
            room.pushes += 1
            self._new_round(room)
            self._changed(room, self.clock())

    def push_text(self, code: str, key: str, text: str | None) -> None:
        """Push a typed text: the class sees the words before its "|" (`split_sentence`)."""
        words, start = split_sentence(text, self.tokenize)
        self.push(code, key, words, start)

    def step(self, code: str, key: str) -> None:
        """Move to the next word: the actual word joins the prompt and a new round opens. A round stepped
        over without a reveal is not scored. RoomError when no word of the sentence is left to guess."""
        with self._lock:
            room = self._teacher_room(code, key)
            if not room.words:
                raise RoomError("push a sentence first")
            if room.position + 1 >= len(room.words):
                raise RoomError("that was the sentence's last word: push a new sentence")
            room.position += 1
            self._new_round(room)
            self._changed(room, self.clock())

    def reveal(self, code: str, key: str) -> None:
        """Close the round's guessing and show everyone the answer, the class's guesses and the models'
        words; a round with an actual word adds its score. Revealing twice changes nothing."""
        with self._lock:
            room = self._teacher_room(code, key)
            if not room.words:
                raise RoomError("push a sentence first")
            if room.revealed:
                return
            prefix, actual = list(room.words[: room.position]), room.actual
            asked = (room.pushes, room.position)
        answers = self.predict(prefix, actual) if self.predict is not None else []  # outside the lock
        with self._lock:
            room = self._teacher_room(code, key)
            if room.revealed or (room.pushes, room.position) != asked:
                return  # another reveal, push or step came first
            room.revealed, room.answers = True, answers
            if actual is not None:
                target = actual.casefold()
                right = sum(g == target for g in room.guesses.values())
                n = len(room.guesses)
                room.scores.append(
                    RoundScore(
                        position=room.position,
                        actual=actual,
                        guesses=n,
                        right=right,
                        class_bits=class_surprisal_bits(right, n) if n else None,
                        model_bits={a.label: model_surprisal_bits(a.actual_prob) for a in answers},
                    )
                )
            self._changed(room, self.clock())

    # -- the students' moves --------------------------------------------------------------------------
    def guess(self, code: str, member: str, text: str | None) -> str:
        """Record (or replace) a student's guess for the open round; the guess as counted."""
        guess = normalize_guess(text, self.unit)
        with self._lock:
            now = self.clock()
            room = self._room(code)
            if member not in room.members:
                raise RoomError("join the room first (your page may have been reloaded): join again")
            if not room.words:
                raise RoomError("wait for your teacher to push a sentence")
            if room.revealed:
                raise RoomError("this word is revealed: wait for the next one")
            room.members[member] = now
            room.guesses[member] = guess
            self._changed(room, now)
            return guess

    # -- what a page shows ----------------------------------------------------------------------------
    def state(self, code: str, token: str) -> dict:
        """What the holder of `token` (the teacher's key or a student id) may see of room `code`, as JSON:
        the class's guesses to the teacher at once and to students after the reveal; the actual word and
        the models' answers to everyone after the reveal only."""
        with self._lock:
            now = self.clock()
            room = self._room(code)
            teacher = _same(token, room.teacher_key)
            if not teacher:
                if token not in room.members:
                    raise RoomError("join the room first (your page may have been reloaded): join again")
                room.members[token] = now  # seen: counts as present
            present = sum(now - seen <= PRESENT_S for seen in room.members.values())
            top, other = histogram(list(room.guesses.values()))
            show_guesses = teacher or room.revealed
            state = {
                "code": room.code,
                "role": "teacher" if teacher else "student",
                "version": room.version,
                "students": len(room.members),
                "present": present,
                "pushed": bool(room.words),
                "unit": self.unit,
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
                "models": [_answer_json(a) for a in room.answers or []] if room.revealed else None,
                "scores": [_score_json(s) for s in room.scores],
                "totals": _totals(room.scores),
            }
            if teacher:
                state["password"] = room.password_hash is not None
            return state

    # -- inside the lock ------------------------------------------------------------------------------
    def _room(self, code: str) -> Room:
        self._expire(self.clock())
        room = self._rooms.get(_code(code))
        if room is None:
            shown = _code(code)[:20] or "(empty)"
            raise RoomError(
                f"no open room has the code {shown}: check the code (letters and digits, e.g. K7QX2), "
                f"or ask your teacher; rooms close {self.idle_expiry_s / 3600:g} h after their last change"
            )
        return room

    def _teacher_room(self, code: str, key: str) -> Room:
        room = self._room(code)
        if not _same(key, room.teacher_key):
            raise RoomError("only the teacher who opened this room can do that")
        return room

    def _new_round(self, room: Room) -> None:
        room.guesses, room.revealed, room.answers = {}, False, None

    def _changed(self, room: Room, now: float) -> None:
        room.version += 1
        room.last_change = now

    def _expire(self, now: float) -> None:
        for code in [c for c, r in self._rooms.items() if now - r.last_change > self.idle_expiry_s]:
            del self._rooms[code]

    def _new_code(self) -> str:
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self._rooms:
                return code


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)


def _answer_json(a: ModelAnswer) -> dict:
    return {
        "label": a.label,
        "words": list(a.words),
        "probs": [round(p, 6) for p in a.probs],
        "actual_prob": _round(a.actual_prob, 8),
    }


def _score_json(s: RoundScore) -> dict:
    return {
        "position": s.position,
        "actual": s.actual,
        "guesses": s.guesses,
        "right": s.right,
        "class_bits": _round(s.class_bits),
        "model_bits": {k: _round(v) for k, v in s.model_bits.items()},
    }


def _totals(scores: Sequence[RoundScore]) -> dict:
    """Mean bits per word of the class and of each model, over the rounds where all of them have a value
    (someone guessed, and every model knows the word), so that the means compare like with like."""
    both = [s for s in scores if s.class_bits is not None and None not in s.model_bits.values()]
    if not both:
        return {"words": 0, "class_bits": None, "model_bits": {}}
    labels = list(both[0].model_bits)
    return {
        "words": len(both),
        "class_bits": round(sum(s.class_bits for s in both) / len(both), 4),
        "model_bits": {k: round(sum(s.model_bits[k] for s in both) / len(both), 4) for k in labels},
    }
