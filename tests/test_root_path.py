"""The playground behind a reverse proxy under a path (`lstm-playground --root-path /lstm`): a small proxy
made here forwards http://127.0.0.1:P/lstm/... to the app as nginx's `location /lstm/ { proxy_pass
http://app/; }` does; the page, its scripts, its config and an endpoint all work through it."""

from __future__ import annotations

import http.server
import json
import re
import socket
import threading
import urllib.error
import urllib.request

import pytest

from lstmlm.sampling import advance, start_state
from playground.__main__ import check_root_path

PREFIX = "/lstm"
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never an HTTP proxy


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_proxy(upstream: str) -> http.server.ThreadingHTTPServer:
    """Forward PREFIX/<rest> to upstream/<rest> (whole bodies, as nginx's proxy_pass with a trailing slash)
    with the X-Forwarded-* headers nginx is told to set; anything else is 404."""

    class Forward(http.server.BaseHTTPRequestHandler):
        def _forward(self) -> None:
            if not (self.path == PREFIX or self.path.startswith(PREFIX + "/")):
                self.send_error(404)
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            headers.update({"X-Forwarded-Host": self.headers["Host"], "X-Forwarded-Proto": "http"})
            request = urllib.request.Request(
                upstream + (self.path[len(PREFIX) :] or "/"), body, headers, method=self.command
            )
            try:
                reply = DIRECT.open(request, timeout=30)
            except urllib.error.HTTPError as e:
                reply = e
            data = reply.read()
            self.send_response(reply.status)
            for k, v in reply.headers.items():
                if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _forward

        def log_message(self, *args) -> None:  # quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _get(url: str, body: dict | None = None) -> tuple[int, str]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data, {"Content-Type": "application/json"})
    with DIRECT.open(request, timeout=30) as reply:
        return reply.status, reply.read().decode()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, None),
        ("/lstm", "/lstm"),
        ("/lstm/", "/lstm"),
        ("/a/b", "/a/b"),
        ("https://x.org/lstm/", "https://x.org/lstm"),
    ],
)
def test_root_path_is_normalised(given, expected):
    assert check_root_path(given) == expected


@pytest.mark.parametrize("bad", ["lstm", "/ls tm", "/lstm?x=1"])
def test_bad_root_path_is_a_clear_error(bad, capsys):
    from playground.__main__ import main

    with pytest.raises(ValueError, match="e.g. /lstm"):
        check_root_path(bad)
    assert main(["--root-path", bad, "--port", str(_free_port())]) == 2
    err = capsys.readouterr().err
    assert "--root-path" in err and "Traceback" not in err


@pytest.mark.slow
def test_app_works_through_a_proxy_under_a_path(tiny_model):
    from playground.app import build_app, launch_kwargs

    demo = build_app(tiny_model)
    port = _free_port()
    demo.launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        root_path=PREFIX,
        **launch_kwargs(),
    )
    proxy = start_proxy(f"http://127.0.0.1:{port}")
    public = f"http://127.0.0.1:{proxy.server_address[1]}{PREFIX}"
    try:
        status, page = _get(public + "/")
        assert status == 200 and "LSTM Playground" in page
        config = json.loads(_get(public + "/config")[1])
        assert config["root"] == public  # every URL the page builds starts with the proxied path
        scripts = re.findall(r'src="([^"]+\.js)"', page)
        assert scripts, "the page names no scripts"
        for src in scripts[:3]:  # the page's own scripts load through the proxy
            assert _get(src if src.startswith("http") else f"{public}/{src.lstrip('./')}")[0] == 200

        prompt = "the cat sat on"
        event = json.loads(_get(f"{public}/gradio_api/call/next_words", {"data": [prompt, 3]})[1])["event_id"]
        stream = _get(f"{public}/gradio_api/call/next_words/{event}")[1]
        (result,) = json.loads([line[5:] for line in stream.splitlines() if line.startswith("data:")][-1])
        log_probs, _ = advance(tiny_model, tiny_model.vocab.encode_text(prompt).ids, start_state(tiny_model))
        values, ids = log_probs.topk(3)
        assert result["words"] == tiny_model.vocab.decode(ids.tolist())
        assert result["probs"] == pytest.approx(values.exp().tolist(), abs=1e-6)
        with pytest.raises(urllib.error.HTTPError):  # the proxy serves the app only under its path
            _get(f"http://127.0.0.1:{proxy.server_address[1]}/config")
    finally:
        proxy.shutdown()
        proxy.server_close()
        demo.close()
