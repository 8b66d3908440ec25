"""Memory for sessions: what Gradio keeps per visitor, and the one-shot sessions it leaves behind.

Gradio keeps a session (a copy of the whole page's component config, ~0.3 MB for this app) for every
session hash it sees, up to `state_session_capacity` (10,000 by default, so ~3 GB). A browser tab or a
gradio_client has one session hash for all its calls. A bare API call (`POST /gradio_api/call/<name>`
without a `session_hash`, as curl or a script sends it) gets a new session named after its event id, and
Gradio never drops it: 1,000 bare calls kept ~350 MB. `drop_one_shot_sessions` removes those once the call
is over; `launch_kwargs` runs it every second on the server's event loop and caps the session count.

Gradio streams a raw call's result (`GET /gradio_api/call/<name>/<event_id>`) from its session's message
queue, not from the event's: two calls in flight with one `session_hash` (POST A, POST B, GET A) would
deliver B's result on A's stream and answer B's GET with 404. `OwnStreamPerCall` gives each raw call its
own message queue under a one-shot name that shares the caller's session state (so it costs no new
session), which the sweep drops once the call is over; a bare call gets a one-shot session too, whose copy
of the page's config is made only if something reads it (`lazy_session`).
No gradio import at module level: the functions read the objects they are given.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import logging
import re
import uuid

MAX_SESSIONS = 1000  # sessions kept (browser tabs, clients): a class of 30 uses ~30-100; ~0.3 MB each
SWEEP_EVERY_S = 1.0  # how often finished one-shot sessions are dropped (a sweep takes microseconds)
IDLE_S = 1.0  # ...once their call is over and they were not used for this long
UNREAD_S = 600.0  # the queued result of a call nobody fetched (a POST without its GET) is dropped after this
# Gradio names a bare call's session after its event id, uuid4().hex; browsers (11 base-36 characters) and
# gradio_client (uuid4 with dashes) name theirs otherwise, so only one-shot sessions match.
ONE_SHOT = re.compile(r"[0-9a-f]{32}")


def drop_one_shot_sessions(
    state_holder,
    queue,
    now: datetime.datetime | None = None,
    idle_s: float = IDLE_S,
    unread_since: dict | None = None,
    unread_s: float = UNREAD_S,
) -> int:
    """Remove finished bare calls' sessions from Gradio's `state_holder`, and their message queues once
    their result was fetched (or nobody fetched it for `unread_s`); the number of sessions removed.
    `unread_since` (name -> when first seen unfetched) is the caller's, kept from one sweep to the next.
    Runs on the server's event loop, like Gradio's own clean-ups (no locks needed)."""
    now = now or datetime.datetime.now()  # Gradio stamps sessions with naive local time
    unread_since = {} if unread_since is None else unread_since
    # waiting or running events: by event id (a bare call's session) and by their session's name
    events = dict(queue.event_ids_to_events)
    running = set(events) | {getattr(e, "session_hash", None) for e in events.values()}
    pending = queue.pending_event_ids_session  # session -> its events whose result is not fetched yet
    dropped = 0
    for name in set(state_holder.session_data) - running:
        last_used = state_holder.time_last_used.get(name)
        if ONE_SHOT.fullmatch(name) and (last_used is None or (now - last_used).total_seconds() >= idle_s):
            if state_holder.session_data.pop(name, None) is not None:
                dropped += 1
            state_holder.time_last_used.pop(name, None)
    for name in (set(queue.pending_messages_per_session) | set(pending)) - running:
        if not ONE_SHOT.fullmatch(name) or name in state_holder.session_data:
            continue
        if pending.get(name):  # a result is waiting for its GET
            first_seen = unread_since.setdefault(name, now)
            if (now - first_seen).total_seconds() < unread_s:
                continue
        queue.pending_messages_per_session.pop(name, None)
        pending.pop(name, None)
        unread_since.pop(name, None)
    for name in set(unread_since) - set(pending):
        unread_since.pop(name, None)
    return dropped


async def _sweep(app, every_s: float) -> None:
    unread_since: dict = {}
    while True:
        await asyncio.sleep(every_s)
        try:
            queue = app.get_blocks()._queue
            drop_one_shot_sessions(app.state_holder, queue, idle_s=IDLE_S, unread_since=unread_since)
        except Exception:  # noqa: BLE001 - a gradio that stores sessions otherwise: say so once, serve on
            logging.getLogger(__name__).warning("cannot drop one-shot sessions; stopped", exc_info=True)
            return


def sweeper(every_s: float | None = None):
    """A FastAPI lifespan that sweeps one-shot sessions every `every_s` seconds (default SWEEP_EVERY_S)
    while the server runs."""

    @contextlib.asynccontextmanager
    async def lifespan(app):
        task = asyncio.create_task(_sweep(app, every_s or SWEEP_EVERY_S))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan


RAW_CALL = re.compile(r"/gradio_api/call/[^/]+/?$")  # POST: a raw HTTP call (its GET adds /<event_id>)


def own_stream_body(body: bytes, state_holder) -> bytes:
    """A raw call's JSON body with its `session_hash` set to a new one-shot name (uuid4 hex, as Gradio names
    a bare call's session): a call that names a session shares that session's state; a bare call (no
    session_hash) gets a fresh state of its own, as Gradio would give it, but without Gradio's copy of the
    page's config (`lazy_session.LazySession`). Other bodies unchanged."""
    from playground.server.lazy_session import LazySession  # gradio: imported when the server runs

    try:
        request = json.loads(body)
    except ValueError:
        return body  # Gradio answers it (422)
    if not isinstance(request, dict):
        return body
    session, own = request.get("session_hash"), uuid.uuid4().hex
    if session is None:
        state_holder.session_data[own] = LazySession(state_holder.blocks)
    elif isinstance(session, str) and session and not ONE_SHOT.fullmatch(session):
        state_holder.session_data[own] = state_holder[session]  # the caller's state, no copy of the page
    else:
        return body
    state_holder.time_last_used[own] = datetime.datetime.now()  # the sweep leaves it to its call
    return json.dumps(request | {"session_hash": own}).encode()


class OwnStreamPerCall:
    """ASGI middleware: each raw HTTP call (`POST /gradio_api/call/<name>`) gets its own event stream, so
    overlapping calls of one session each read their own answer, and a bare call's fresh session costs no
    copy of the page's config."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not RAW_CALL.search(scope["path"]):
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the caller went away
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        try:
            body = own_stream_body(b"".join(chunks), scope["app"].state_holder)
        except Exception:  # noqa: BLE001 - a gradio that keeps sessions otherwise: pass the call on as sent
            logging.getLogger(__name__).warning("cannot give a raw call its own stream", exc_info=True)
            body = b"".join(chunks)
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        scope = dict(scope, headers=[*headers, (b"content-length", str(len(body)).encode())])
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def launch_kwargs() -> dict:
    """`demo.launch()` arguments that bound the memory sessions take and give each raw call its own event
    stream (a new dict each call: gradio edits `app_kwargs` in place)."""
    from starlette.middleware import Middleware

    return {
        "state_session_capacity": MAX_SESSIONS,
        "app_kwargs": {"lifespan": sweeper(), "middleware": [Middleware(OwnStreamPerCall)]},
    }
