"""What the Class game's rooms say when they refuse a request (server/room.py, rooms.py), as Messages
(lstmlm/messages.py): the English here, the Chinese in playground/text/library.py, shown in the page's
language by the tab (page_language.shown). The API's callers read the English (`str`)."""

from __future__ import annotations

from lstmlm.messages import Message

# a student's guess (room.read_guess, read_gate_pick)
ONE_CHARACTER = Message("room.one_character", "type one character")
WORD_FIRST = Message("room.word_first", "type a word first")
ONE_WORD = Message("room.one_word", "guess one word (no spaces): the word that comes next")
PICK_GATE = Message(
    "room.pick_gate", "pick a gate: f (forget), i (input) or o (output), or n (no gate clearly closes)"
)
# the teacher's sentence (room.split_sentence, gate_sentence)
SENTENCE_FIRST = Message("room.sentence_first", "type a sentence for the class first")
# the room's state (rooms.py)
WRONG_PASSWORD = Message("room.wrong_password", "wrong password for this room: ask your teacher for it")
NO_GATES = Message(
    "room.no_gates", "this model has no forget, input and output gates: ask the gate question with an LSTM"
)
PUSH_FIRST = Message("room.push_first", "push a sentence first")
GATE_ONE_ROUND = Message("room.gate_one_round", "the gate question has one round: push a new sentence")
LAST_WORD = Message("room.last_word", "that was the sentence's last word: push a new sentence")
JOIN_FIRST = Message("room.join_first", "join the room first (your page may have been reloaded): join again")
WAIT_PUSH = Message("room.wait_push", "wait for your teacher to push a sentence")
REVEALED = Message("room.revealed", "this word is revealed: wait for the next one")
TEACHER_ONLY = Message("room.teacher_only", "only the teacher who opened this room can do that")


def unknown_words(error: Exception, token: str) -> Message:
    """A gate sentence with a token the model's vocabulary (without <unk>) lacks; `error` says which."""
    return Message(
        "room.unknown_words",
        "{error}: push a sentence of words the model knows",
        error=str(error),
        token=token,
    )


def guess_long(limit: int) -> Message:
    return Message("room.guess_long", "a guess is one word of at most {limit} characters", limit=limit)


def full_stop(stop: str) -> Message:
    return Message(
        "room.full_stop", 'end the sentence with a full stop "{stop}" after at least one word', stop=stop
    )


def text_long(n: int, limit: int) -> Message:
    return Message(
        "room.text_long",
        "the text has {n:,} characters: push one sentence, {limit} at most",
        n=n,
        limit=limit,
    )


def one_mark(mark: str, found: int) -> Message:
    return Message(
        "room.one_mark",
        "put one {mark} where the class starts guessing (found {found})",
        mark=mark,
        found=found,
    )


def sentence_long(n: int, limit: int) -> Message:
    return Message("room.sentence_long", "the sentence has {n} words: at most {limit}", n=n, limit=limit)


def password_long(limit: int) -> Message:
    return Message("room.password_long", "a room password has at most {limit} characters", limit=limit)


def server_full(rooms: int, hours: float) -> Message:
    return Message(
        "room.server_full",
        "the server has {rooms} open rooms, the most it keeps: close one, or wait until one expires "
        "({hours:g} h after its last change)",
        rooms=rooms,
        hours=hours,
    )


def room_full(code: str, students: int) -> Message:
    return Message("room.full", "room {code} is full ({students} students)", code=code, students=students)


def push_length(limit: int) -> Message:
    return Message("room.push_length", "push a sentence of 1 to {limit} words", limit=limit)


def start_range(n: int) -> Message:
    return Message("room.start_range", "start must be from 0 to {n} (the sentence's length)", n=n)


def no_room(code: str, hours: float) -> Message:
    return Message(
        "room.no_room",
        "no open room has the code {code}: check the code (letters and digits, e.g. K7QX2), or ask your "
        "teacher; rooms close {hours:g} h after their last change",
        code=code,
        hours=hours,
    )
