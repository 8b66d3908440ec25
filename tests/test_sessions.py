"""What the server keeps over a long class: bare API calls leave no session behind (visitors' sessions are
never touched), and export folders go after an hour. Raw calls that share a session_hash (the README's
advice) each read their own answer, even when they overlap."""

from __future__ import annotations

import datetime
import json
import os
import sys
import time
import urllib.request
from collections import OrderedDict
from types import SimpleNamespace

import torch
from conftest import launch_app

from playground.server import sessions

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
NOW = datetime.datetime(2026, 1, 1, 12, 0, 0)
ONE_SHOT = "0123456789abcdef0123456789abcdef"  # what Gradio names a bare call's session: its event id


def gradio_like(names_idle_s: dict[str, float], running=(), unread=()):
    """A state holder and a queue shaped like Gradio's, holding sessions unused for the given seconds."""
    state_holder = SimpleNamespace(
        session_data=OrderedDict((name, object()) for name in names_idle_s),
        time_last_used={name: NOW - datetime.timedelta(seconds=s) for name, s in names_idle_s.items()},
    )
    queue = SimpleNamespace(
        event_ids_to_events={name: object() for name in running},
        pending_messages_per_session={name: object() for name in names_idle_s},
        pending_event_ids_session={name: ({"event"} if name in unread else set()) for name in names_idle_s},
    )
    return state_holder, queue


def test_only_finished_idle_one_shot_sessions_are_dropped():
    running, recent, unread = (f"{c * 32}" for c in "abc")
    browser, client = "k3j2h4g5f6a", "0b1c2d3e-0000-4000-8000-0123456789ab"
    state_holder, queue = gradio_like(
        {ONE_SHOT: 5, running: 60, recent: 0.5, unread: 5, browser: 9999, client: 9999},
        running=[running],
        unread=[unread],
    )
    unread_since: dict = {}
    assert sessions.drop_one_shot_sessions(state_holder, queue, now=NOW, unread_since=unread_since) == 2
    kept = {running, recent, browser, client}
    assert set(state_holder.session_data) == set(state_holder.time_last_used) == kept
    # the unread result stays queued for its GET; the fetched call's bookkeeping is gone
    assert set(queue.pending_messages_per_session) == set(queue.pending_event_ids_session) == kept | {unread}
    later = NOW + datetime.timedelta(seconds=sessions.UNREAD_S + 1)  # nobody fetched it: dropped too
    assert sessions.drop_one_shot_sessions(state_holder, queue, now=later, unread_since=unread_since) == 1
    assert set(queue.pending_messages_per_session) == {running, browser, client} and unread_since == {}


def test_bookkeeping_of_an_evicted_session_is_dropped_too():
    state_holder, queue = gradio_like({ONE_SHOT: 5})
    del state_holder.session_data[ONE_SHOT], state_holder.time_last_used[ONE_SHOT]  # evicted by capacity
    assert sessions.drop_one_shot_sessions(state_holder, queue, now=NOW) == 0
    assert queue.pending_messages_per_session == {} and queue.pending_event_ids_session == {}


def bare_call(base: str, api_name: str, data: list, session: str | None = None) -> dict:
    body = {"data": data} | ({"session_hash": session} if session else {})
    req = urllib.request.Request(
        f"{base}/gradio_api/call/{api_name}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with OPENER.open(req, timeout=30) as r:
        event_id = json.loads(r.read())["event_id"]
    with OPENER.open(f"{base}/gradio_api/call/{api_name}/{event_id}", timeout=30) as r:
        lines = r.read().decode().splitlines()
    return json.loads(next(line[5:] for line in lines if line.startswith("data:")))[0]


def test_the_running_app_forgets_bare_calls_but_keeps_a_visitors_session(tiny_model, monkeypatch):
    from playground.app import build_app

    monkeypatch.setattr(sessions, "SWEEP_EVERY_S", 0.2)
    monkeypatch.setattr(sessions, "IDLE_S", 0.0)
    demo = build_app(tiny_model)
    base = launch_app(demo).rstrip("/")
    try:
        for _ in range(5):
            assert bare_call(base, "next_words", ["the cat", 3])["words"]
        assert bare_call(base, "next_words", ["the cat", 3], session="visitor-1")["words"]
        deadline = time.time() + 10
        while time.time() < deadline and set(demo.state_holder.session_data) != {"visitor-1"}:
            time.sleep(0.1)
        assert set(demo.state_holder.session_data) == {"visitor-1"}
        assert set(demo._queue.pending_messages_per_session) <= {"visitor-1"}
        assert demo.state_holder.capacity == sessions.MAX_SESSIONS
    finally:
        demo.close()


def test_launcher_settings_for_memory_and_statistics_leave_the_users_choices():
    from playground.server.serve import SERVER_ENV, server_env_defaults, tune_malloc

    environ = {"GRADIO_ANALYTICS_MAX_EVENTS": "50"}
    server_env_defaults(environ)
    assert environ == {**SERVER_ENV, "GRADIO_ANALYTICS_MAX_EVENTS": "50"}
    # the person's MALLOC_ARENA_MAX wins (mallopt is not called); glibc accepts ours
    assert tune_malloc({"MALLOC_ARENA_MAX": "4"}) is True
    if sys.platform == "linux":
        assert tune_malloc({}) is True


def test_export_folders_are_removed_when_an_hour_old(tiny_model):
    from playground.views import export as explore_views

    first = explore_views.export_trace_files(tiny_model, "the cat sat")["csv"].parent
    old = time.time() - explore_views.EXPORT_MAX_AGE_S - 10
    os.utime(first, (old, old))
    second = explore_views.export_trace_files(tiny_model, "the dog ran")["csv"].parent
    assert not first.exists() and second.exists() and second.parent == first.parent


def post(base: str, api_name: str, data: list, session: str | None = None) -> str:
    body = {"data": data} | ({"session_hash": session} if session else {})
    req = urllib.request.Request(
        f"{base}/gradio_api/call/{api_name}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with OPENER.open(req, timeout=30) as r:
        return json.loads(r.read())["event_id"]


def read_stream(base: str, api_name: str, event_id: str) -> list[tuple[str, object]]:
    """Every (event, data) of a call's event stream until the server closes it, heartbeats left out."""
    events, event = [], None
    with OPENER.open(f"{base}/gradio_api/call/{api_name}/{event_id}", timeout=30) as r:
        for raw in r.read().decode().splitlines():
            if raw.startswith("event:"):
                event = raw[6:].strip()
            elif raw.startswith("data:") and event != "heartbeat":
                events.append((event, json.loads(raw[5:])))
    return events


def reference_top(model, words: list[str], k: int) -> tuple[list[str], list[float]]:
    """The k most likely words after a line start and `words`, from the network itself (the fused
    forward from <eos>), not through the playground's code."""
    ids = [model.vocab.words.index(w) for w in ["<eos>", *words]]
    with torch.no_grad():
        features, _ = model(torch.tensor(ids).unsqueeze(1))  # (T, 1, H)
        probs = model.log_probs(features[-1, 0]).exp()
    top = probs.topk(k)
    return [model.vocab.words[i] for i in top.indices], top.values.tolist()


def test_overlapping_raw_calls_of_one_session_each_get_their_own_answer(tiny_model, monkeypatch):
    from playground.app import build_app

    monkeypatch.setattr(sessions, "SWEEP_EVERY_S", 0.2)
    monkeypatch.setattr(sessions, "IDLE_S", 0.0)
    demo = build_app(tiny_model)
    base = launch_app(demo).rstrip("/")
    prompts = {"A": "the cat", "B": "a dog", "C": "the bird sat on"}
    try:
        for order in (["A", "B", "C"], ["C", "B", "A"]):  # read in the order sent, then the reverse
            ids = {name: post(base, "next_words", [prompts[name], 3], "script-1") for name in prompts}
            for name in order:
                events = read_stream(base, "next_words", ids[name])
                assert [e for e, _ in events] == ["complete"], (name, events)  # one answer: its own
                answer = events[0][1][0]
                words, probs = reference_top(tiny_model, prompts[name].split(), 3)
                assert answer["tokens"] == prompts[name].split() and answer["words"] == words
                assert answer["probs"] == [round(p, 6) for p in probs]
        deadline = time.time() + 10  # each call's own stream is dropped once read; the session stays

        def swept() -> bool:
            return set(demo.state_holder.session_data) == {"script-1"} and set(
                demo._queue.pending_messages_per_session
            ) <= {"script-1"}

        while time.time() < deadline and not swept():
            time.sleep(0.1)
        assert set(demo.state_holder.session_data) == {"script-1"}
        assert set(demo._queue.pending_messages_per_session) <= {"script-1"}
    finally:
        demo.close()


def test_a_raw_calls_own_stream_shares_its_sessions_state():
    from playground.server.lazy_session import LazySession

    class Holder:  # Gradio's StateHolder: session_data, and [] that creates a session when needed
        session_data: dict = {}
        time_last_used: dict = {}
        blocks = SimpleNamespace(default_config=SimpleNamespace(blocks={}), blocks={})  # an empty page

        def __getitem__(self, name: str) -> str:
            return f"state-of-{name}"

    state_holder = Holder()
    body = sessions.own_stream_body(b'{"data": ["the cat", 3], "session_hash": "script-1"}', state_holder)
    request = json.loads(body)
    own = request["session_hash"]
    assert request["data"] == ["the cat", 3] and sessions.ONE_SHOT.fullmatch(own)  # swept like a bare call
    assert state_holder.session_data == {own: "state-of-script-1"} and own in state_holder.time_last_used
    # a bare call: a fresh session of its own (not the page's config copied), also swept once over
    request = json.loads(sessions.own_stream_body(b'{"data": ["x"]}', state_holder))
    bare = request["session_hash"]
    assert request["data"] == ["x"] and sessions.ONE_SHOT.fullmatch(bare) and bare != own
    assert isinstance(state_holder.session_data[bare], LazySession) and bare in state_holder.time_last_used
    for unchanged in (
        b"not json",
        b'["x"]',
        b'{"data": [], "session_hash": "' + ONE_SHOT.encode() + b'"}',
    ):
        assert sessions.own_stream_body(unchanged, state_holder) == unchanged


def test_a_bare_call_makes_the_config_of_its_own_components_only(tiny_model, monkeypatch):
    """Gradio's SessionState made the config of every component of the page (over 100 in the tiny model's
    app) for each bare call; now a call makes only its own components' (next_words: the prompt, k and the
    answer) and answers the same numbers."""
    from gradio.blocks import BlocksConfig

    from playground.app import build_app

    made = []
    original = BlocksConfig.config_for_block

    def counted(*args, **kwargs):
        made.append(args[0])
        return original(*args, **kwargs)

    demo = build_app(tiny_model)
    base = launch_app(demo).rstrip("/")
    try:
        monkeypatch.setattr(BlocksConfig, "config_for_block", staticmethod(counted))
        for prompt in ("the cat", "a dog", "the bird sat on"):
            answer = bare_call(base, "next_words", [prompt, 3])
            words, probs = reference_top(tiny_model, prompt.split(), 3)
            assert answer["words"] == words and answer["probs"] == [round(p, 6) for p in probs]
        assert 0 < len(made) <= 3 * 3 < len(demo.blocks) // 10, len(made)
    finally:
        demo.close()


def test_a_bare_calls_session_holds_what_gradios_own_holds(tiny_model):
    """LazySession against Gradio's SessionState over the whole app: after the same writes (a call's input
    value, a replaced component), the same configs in the same order; until then none of the page's."""
    from gradio.state_holder import SessionState

    from playground.app import build_app
    from playground.server.lazy_session import LazySession

    demo = build_app(tiny_model)
    eager, lazy = SessionState(demo), LazySession(demo)
    assert lazy.config_values == {} and len(eager.config_values) == len(demo.blocks) > 100
    ids = list(demo.blocks)
    for session in (eager, lazy):
        session._update_value_in_config(ids[3], "the cat sat")  # as Gradio's preprocess writes an input
        session[ids[5]] = demo.blocks[ids[5]]  # as Gradio stores a component an event replaced
    assert list(lazy.config_values) == [ids[3], ids[5]]
    assert list(lazy.components) == list(eager.components)  # a deep link reads them all
    assert list(lazy.config_values) == list(eager.config_values)
    assert lazy.config_values[ids[3]]["props"]["value"] == "the cat sat"
    assert set(vars(lazy)) - set(vars(eager)) == {"_page_ids"}  # Gradio's set-up ran in full


def test_remember_absent_marks_only_libraries_that_are_not_installed() -> None:
    """An optional library gradio imports on every call fails at once when absent (None in sys.modules, as
    the import system documents), and stays importable when installed."""
    import importlib

    from playground.server.serve import remember_absent

    modules: dict = {}
    absent = "lstm_playground_no_such_library"
    assert remember_absent((absent, "json"), modules) == [absent]
    assert modules == {absent: None}  # json is installed: untouched
    assert remember_absent((absent,), modules) == []  # already decided: nothing new
    try:
        assert remember_absent((absent,)) == [absent] and sys.modules[absent] is None
        try:
            importlib.import_module(absent)
        except ImportError:
            pass
        else:
            raise AssertionError("an absent library must still raise ImportError")
    finally:
        sys.modules.pop(absent, None)
