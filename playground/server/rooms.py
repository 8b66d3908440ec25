"""The class against the model ("predict, then reveal"): rooms where a teacher pushes a sentence, each
student guesses the next word, and the teacher reveals the model's answer. The store of every room lives
here (no gradio, no torch): the tab and the endpoints are thin wiring around one `RoomStore`.

A round is one position in the pushed sentence: the class sees the words before it and guesses the word
at it. Students see the class's guesses and the models' answers only once the teacher reveals; the
teacher sees the class's guesses live. Each revealed round adds a line to the sentence's score
(`room_scoring`: the class's and the models' surprisal in bits); `room` holds one room's data, the rules of
a guess and a pushed text, and what each role may see.

No names are stored: a student is a random id, a teacher holds a random key. Rooms expire after
IDLE_EXPIRY_S without a change; at most MAX_ROOMS rooms and MAX_STUDENTS students per room.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Sequence

from playground.server import room_refusals as said
from playground.server.room import (
    MAX_SENTENCE_WORDS,
    Room,
    RoomError,
    gate_sentence,
    normalize_gate_pick,
    normalize_guess,
    page_state,
    split_sentence,
)
from playground.server.room_scoring import GateReader, Predictor, score_round

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a projector without doubt
CODE_LENGTH = 5  # 31**5 = 28 million codes
MAX_ROOMS = 40  # open rooms on one server
MAX_STUDENTS = 60  # ids per room (a class of 30, with room for reloaded pages)
IDLE_EXPIRY_S = 2 * 3600.0  # a room nobody changed (joined, guessed, pushed, stepped) for 2 h is removed
PRESENT_S = 20.0  # a student whose page asked for the room in the last 20 s counts as present
GONE_S = 600.0  # when a room is full, ids not seen for 10 minutes make way for new students
MAX_PASSWORD_CHARS = 100


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
    a pushed text into the model's tokens; `gates` answers "which gate closes at the full stop?" (None:
    the model has no forget/input/output gates, and the question is refused); `clock` is seconds
    (time.monotonic), replaceable in tests."""

    def __init__(
        self,
        predict: Predictor | None = None,
        unit: str = "word",
        tokenize: Callable[[str], list[str]] = str.split,
        clock: Callable[[], float] = time.monotonic,
        max_rooms: int = MAX_ROOMS,
        max_students: int = MAX_STUDENTS,
        idle_expiry_s: float = IDLE_EXPIRY_S,
        gates: GateReader | None = None,
    ) -> None:
        self.predict = predict
        self.gates = gates
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
            raise RoomError(said.password_long(MAX_PASSWORD_CHARS))
        with self._lock:
            now = self.clock()
            self._expire(now)
            if len(self._rooms) >= self.max_rooms:
                hours = self.idle_expiry_s / 3600
                raise RoomError(said.server_full(len(self._rooms), hours))
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
                    raise RoomError(said.WRONG_PASSWORD)
            if len(room.members) >= self.max_students:
                for member, seen in list(room.members.items()):
                    if now - seen > GONE_S and member not in room.guesses:
                        del room.members[member]
            if len(room.members) >= self.max_students:
                raise RoomError(said.room_full(room.code, self.max_students))
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
    def push(self, code: str, key: str, words: Sequence[str], start: int, question: str = "word") -> None:
        """Start a new sentence: the class sees words[:start] and guesses words[start] (none when
        start == len(words)); earlier scores are cleared. `question` "gate": the class picks the gate that
        closes at the sentence's final "." (`push_gate`)."""
        words = [str(w) for w in words]
        if not words or len(words) > MAX_SENTENCE_WORDS:
            raise RoomError(said.push_length(MAX_SENTENCE_WORDS))
        if not 0 <= start <= len(words):
            raise RoomError(said.start_range(len(words)))
        with self._lock:
            room = self._teacher_room(code, key)
            room.words, room.start, room.position = words, int(start), int(start)
            room.question = "gate" if question == "gate" else "word"
            room.scores = []
            room.pushes += 1
            self._new_round(room)
            self._changed(room, self.clock())

    def push_text(self, code: str, key: str, text: str | None) -> None:
        """Push a typed text: the class sees the words before its "|" (`split_sentence`)."""
        words, start = split_sentence(text, self.tokenize)
        self.push(code, key, words, start)

    def push_gate(self, code: str, key: str, text: str | None) -> None:
        """Ask "which gate closes at the full stop?" about a typed sentence ending in "." (`gate_sentence`):
        the class sees the whole sentence and picks f, i or o; the reveal shows the traced answer."""
        if self.gates is None:
            raise RoomError(said.NO_GATES)
        words = gate_sentence(text, self.tokenize)
        self.push(code, key, words, len(words), question="gate")

    def step(self, code: str, key: str) -> None:
        """Move to the next word: the actual word joins the prompt and a new round opens. A round stepped
        over without a reveal is not scored. RoomError when no word of the sentence is left to guess."""
        with self._lock:
            room = self._teacher_room(code, key)
            if not room.words:
                raise RoomError(said.PUSH_FIRST)
            if room.question == "gate":
                raise RoomError(said.GATE_ONE_ROUND)
            if room.position + 1 >= len(room.words):
                raise RoomError(said.LAST_WORD)
            room.position += 1
            self._new_round(room)
            self._changed(room, self.clock())

    def reveal(self, code: str, key: str) -> None:
        """Close the round's guessing and show everyone the answer, the class's guesses and the models'
        words; a round with an actual word adds its score. Revealing twice changes nothing."""
        with self._lock:
            room = self._teacher_room(code, key)
            if not room.words:
                raise RoomError(said.PUSH_FIRST)
            if room.revealed:
                return
            prefix, actual = list(room.words[: room.position]), room.actual
            asked, gate = (room.pushes, room.position), room.question == "gate"
        # the models are asked outside the lock; a gate question is answered by the trace alone
        gate_answer = self.gates(prefix) if gate and self.gates is not None else None
        answers = self.predict(prefix, actual) if self.predict is not None and not gate else []
        with self._lock:
            room = self._teacher_room(code, key)
            if room.revealed or (room.pushes, room.position) != asked:
                return  # another reveal, push or step came first
            room.revealed, room.answers, room.gate_answer = True, answers, gate_answer
            if actual is not None:
                room.scores.append(score_round(room.position, actual, list(room.guesses.values()), answers))
            self._changed(room, self.clock())

    # -- the students' moves --------------------------------------------------------------------------
    def guess(self, code: str, member: str, text: str | None) -> str:
        """Record (or replace) a student's guess for the open round (for a gate question: f, i, o or n); the
        guess as counted."""
        with self._lock:
            now = self.clock()
            room = self._room(code)
            pick = room.question == "gate"
            guess = normalize_gate_pick(text) if pick else normalize_guess(text, self.unit)
            if member not in room.members:
                raise RoomError(said.JOIN_FIRST)
            if not room.words:
                raise RoomError(said.WAIT_PUSH)
            if room.revealed:
                raise RoomError(said.REVEALED)
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
                    raise RoomError(said.JOIN_FIRST)
                room.members[token] = now  # seen: counts as present
            present = sum(now - seen <= PRESENT_S for seen in room.members.values())
            return page_state(room, self.unit, teacher, token, present)

    # -- inside the lock ------------------------------------------------------------------------------
    def _room(self, code: str) -> Room:
        self._expire(self.clock())
        room = self._rooms.get(_code(code))
        if room is None:
            shown = _code(code)[:20] or "(empty)"
            raise RoomError(said.no_room(shown, self.idle_expiry_s / 3600))
        return room

    def _teacher_room(self, code: str, key: str) -> Room:
        room = self._room(code)
        if not _same(key, room.teacher_key):
            raise RoomError(said.TEACHER_ONLY)
        return room

    def _new_round(self, room: Room) -> None:
        room.guesses, room.revealed, room.answers, room.gate_answer = {}, False, None, None

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
