"""Who can reach the playground: loopback by default, a password when asked, a warning when exposed
without one, a public link never implicitly. Nothing here binds a public interface."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

import gradio as gr
import pytest

from playground.__main__ import main, parse_args
from playground.serve import AUTH_ENV, exposure_warning, is_loopback, parse_auth, queue_kwargs, resolve_auth

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
    """main() up to `launch`, which records its arguments instead of serving."""
    calls = []
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **kw: calls.append(kw))
    monkeypatch.delenv(AUTH_ENV, raising=False)
    return calls


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
