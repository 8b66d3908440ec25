"""The Class game's endpoints: a teacher opens a room (`room_open`), pushes a sentence (`room_push`), reveals
(`room_reveal`) and steps on (`room_step`), or asks which gate closes at a sentence's full stop
(`room_push_gate`); a student joins (`room_join`) and guesses (`room_guess`); both
poll `room_state`, which shows each only what their role may see (rooms.RoomStore.state). Registered with
`gr.api`, which reads the parameters from the type hints (so no `from __future__ import annotations`).
A refused request raises `gr.Error` with a message saying what to do instead.
"""

import gradio as gr

from playground.api import add_endpoints, rejecting
from playground.server.room import RoomError
from playground.server.rooms import RoomStore

ROOMS_CONCURRENCY = "rooms"  # every room call: dictionary work of microseconds (a reveal: a few forwards)


def refusal(e: RoomError) -> gr.Error:
    """What a refused room request shows its caller: the reason, under the title "Class game"."""
    return gr.Error(str(e), title="Class game", print_exception=False)


refused = rejecting((RoomError,), refusal)  # every room endpoint's


def register(store: RoomStore) -> None:
    """Add the eight endpoints to the Blocks being built, over the app's rooms."""
    # closures over the registry, not partials: gr.api reads each endpoint's own signature and type hints

    @refused
    def room_open(password: str = "") -> dict:
        """Open a room (optional `password`): {"code": its code, "key": the teacher's key (keep it: it is
        what lets you push, reveal and step), "join": the link's query, "?room=CODE"}."""
        code, key = store.open(password or "")
        return {"code": code, "key": key, "join": f"?room={code}"}

    @refused
    def room_join(code: str, password: str = "") -> dict:
        """Join room `code` as a student: {"code", "student": your id for room_guess and room_state}."""
        member = store.join(code, password or "")
        return {"code": store.state(code, member)["code"], "student": member}

    @refused
    def room_push(code: str, key: str, text: str) -> dict:
        """The teacher pushes `text`: the class sees the words before a "|" and guesses the next one (no
        "|": the whole text, and the word after it). Returns the room's state."""
        store.push_text(code, key, text)
        return store.state(code, key)

    @refused
    def room_push_gate(code: str, key: str, text: str) -> dict:
        """The teacher asks "which gate closes at the full stop?" about `text`, a sentence ending in ".":
        the class sees it whole and picks f, i or o; the reveal gives each gate's mean over the top layer's
        units at the word before the "." and at the ".", and the answer (the largest drop). Returns the
        room's state."""
        store.push_gate(code, key, text)
        return store.state(code, key)

    @refused
    def room_guess(code: str, student: str, guess: str) -> dict:
        """A student's guess for the open round (one word, or for a gate question f, i or o; the latest
        counts until the reveal). Returns the
        room's state as this student sees it."""
        store.guess(code, student, guess)
        return store.state(code, student)

    @refused
    def room_state(code: str, token: str) -> dict:
        """The room as `token` (the teacher's key or a student id) may see it: the round's words, how many
        guessed, the class's guesses (teacher: always; students: after the reveal), the actual word and
        each model's top words (after the reveal), and the sentence's scores in bits."""
        return store.state(code, token)

    @refused
    def room_reveal(code: str, key: str) -> dict:
        """The teacher reveals the round: everyone sees the actual word, the class's guesses and the
        models' top words; the round's surprisal joins the scores. Returns the room's state."""
        store.reveal(code, key)
        return store.state(code, key)

    @refused
    def room_step(code: str, key: str) -> dict:
        """The teacher moves on one word: the actual word joins what the class sees, a new round opens.
        Returns the room's state."""
        store.step(code, key)
        return store.state(code, key)

    add_endpoints(
        room_open, room_join, room_push, room_push_gate, room_guess, room_state, room_reveal, room_step,
        concurrency_limit=4, concurrency_id=ROOMS_CONCURRENCY,
    )  # fmt: skip
