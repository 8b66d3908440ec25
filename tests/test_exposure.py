"""Who can reach the playground: loopback by default, a password when asked, a warning when exposed
without one, a public link never implicitly. Nothing here binds a public interface."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import gradio as gr
import pytest

from playground.__main__ import main, parse_args
from playground.server.serve import (
    AUTH_ENV,
    exposure_warning,
    is_loopback,
    parse_auth,
    port_problem,
    queue_kwargs,
    resolve_auth,
)

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def test_defaults_are_private():
    args = parse_args([])
    assert args.host == "127.0.0.1" and not args.share and args.auth is None
    assert queue_kwargs()["max_size"] >= 30  # a class of 30 fits in the queue


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("teacher:secret", ("teacher", "secret")), ("t:a:b", ("t", "a:b"))],
)
def test_parse_auth(value, expected):
    assert parse_auth(value) == expected


@pytest.mark.parametrize("value", ["teacher", "teacher:", ":secret", " :x"])
def test_parse_auth_says_the_expected_form(value):
    with pytest.raises(ValueError, match="USER:PASSWORD"):
        parse_auth(value)


def test_auth_from_the_environment_unless_given():
    assert resolve_auth(None, {AUTH_ENV: "a:b"}) == ("a", "b")
    assert resolve_auth("c:d", {AUTH_ENV: "a:b"}) == ("c", "d")
    assert resolve_auth(None, {}) is None


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.1.2.3", True), ("localhost", True), ("::1", True), ("[::1]", True),
     ("0.0.0.0", False), ("::", False), ("192.168.1.5", False), ("myhost.example", False)],
)  # fmt: skip
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_warning_only_when_exposed_without_a_password():
    assert exposure_warning("127.0.0.1", None, False) is None
    assert exposure_warning("0.0.0.0", ("t", "s"), False) is None
    assert exposure_warning("0.0.0.0", ("t", "s"), True) is None
    exposed = exposure_warning("0.0.0.0", None, False)
    assert "WARNING" in exposed and "--auth USER:PASSWORD" in exposed and AUTH_ENV in exposed
    assert "gradio.live" in exposure_warning("127.0.0.1", None, True)


@pytest.fixture()
def launches(monkeypatch):
    """main() up to `launch`, which records its arguments instead of serving (and the port check is
    skipped: it would bind the --host address, and 7860 may be taken on this machine)."""
    calls = []
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **kw: calls.append(kw))
    monkeypatch.setattr("playground.__main__.port_problem", lambda host, port: None)
    monkeypatch.delenv(AUTH_ENV, raising=False)
    return calls


@pytest.fixture()
def taken_port():
    """A loopback port another program listens on (a real bound, listening socket)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


def in_use(port: int) -> str:
    return f"lstm-playground: port {port} on 127.0.0.1 is already in use"


def test_a_taken_port_is_named_before_the_model_loads(tiny_model_dir, taken_port, monkeypatch, capsys):
    loads, launched = [], []
    monkeypatch.setattr("lstmlm.checkpoint.load_model", lambda *a, **k: loads.append(a))
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **kw: launched.append(kw))
    assert main(["--model", str(tiny_model_dir), "--port", str(taken_port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(in_use(taken_port)) and "--port" in err
    suggested = int(err.rsplit("--port ", 1)[1].split()[0])
    assert suggested != taken_port and port_problem("127.0.0.1", suggested) is None  # a port that is free
    assert loads == [] and launched == []


def test_a_taken_port_from_the_command_line_exits_2_without_a_traceback(taken_port):
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    done = subprocess.run(
        [sys.executable, "-m", "playground", "--port", str(taken_port)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(in_use(taken_port)) and "lstm-playground --port " in done.stderr
    assert "Traceback" not in done.stderr and "GRADIO_SERVER_PORT" not in done.stderr
    assert done.stdout == ""  # it stopped before announcing a server


def test_a_port_taken_while_the_model_loads_gives_the_same_message(tiny_model_dir, monkeypatch, capsys):
    def launch(self, **kw):  # what Gradio raises when it finds the port taken
        raise OSError(f"Cannot find empty port in range: {kw['server_port']}-{kw['server_port']}. ...")

    monkeypatch.setattr(gr.Blocks, "launch", launch)
    monkeypatch.setattr("playground.__main__.port_problem", lambda host, port: None)  # free at the check
    assert main(["--model", str(tiny_model_dir), "--port", "7999"]) == 2
    err = capsys.readouterr().err
    assert in_use(7999) in err and "Cannot find empty port" not in err


@pytest.mark.parametrize(
    "host, port, message",
    [
        ("127.0.0.1", 0, "--port 0: give a port number from 1 to 65535"),
        ("127.0.0.1", 70000, "--port 70000: give a port number from 1 to 65535"),
        (
            "192.0.2.1",
            7999,
            "cannot listen on 192.0.2.1:7999 (Cannot assign requested address)",
        ),
        ("nohost.invalid", 7999, "cannot listen on nohost.invalid:7999"),
    ],
)
def test_other_port_problems_say_what_to_change(host, port, message):
    assert port_problem(host, port).startswith(message)


def test_main_passes_host_auth_and_share_and_warns(tiny_model_dir, launches, capsys, monkeypatch):
    assert main(["--model", str(tiny_model_dir)]) == 0
    kw = launches[-1]
    assert kw["server_name"] == "127.0.0.1" and kw["share"] is False and kw["auth"] is None
    assert "WARNING" not in capsys.readouterr().err

    assert main(["--model", str(tiny_model_dir), "--host", "0.0.0.0"]) == 0
    assert "WARNING: listening on 0.0.0.0" in capsys.readouterr().err

    monkeypatch.setenv(AUTH_ENV, "teacher:secret")
    assert main(["--model", str(tiny_model_dir), "--host", "0.0.0.0"]) == 0
    assert launches[-1]["auth"] == ("teacher", "secret") and launches[-1]["share"] is False
    assert "WARNING" not in capsys.readouterr().err


def test_main_rejects_a_malformed_login(tiny_model_dir, launches, capsys):
    assert main(["--model", str(tiny_model_dir), "--auth", "teacher"]) == 2
    assert "USER:PASSWORD" in capsys.readouterr().err and not launches


def test_with_auth_an_anonymous_api_call_is_refused(tiny_model):
    from playground.app import build_app, launch_kwargs

    demo = build_app(tiny_model).queue(**queue_kwargs())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo.launch(
        server_name="127.0.0.1",
        server_port=port,
        auth=("teacher", "secret"),
        prevent_thread_lock=True,
        quiet=True,
        **launch_kwargs(),
    )
    try:
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/gradio_api/call/next_words",
            data=json.dumps({"data": ["the cat", 5]}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            OPENER.open(req, timeout=30)
        assert refused.value.code in (401, 403)
        with pytest.raises(urllib.error.HTTPError):
            OPENER.open(f"http://127.0.0.1:{port}/gradio_api/info", timeout=30)
    finally:
        demo.close()
