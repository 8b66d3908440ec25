"""A short class (5 clients, ~8 s) against the real launcher: every request answered, none failed.
Timings are not asserted here (CI machines vary); tests/benchmarks/classroom_load.py measures them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).parent / "benchmarks" / "classroom_load.py"


def test_five_clients_get_answers(tiny_model_dir):
    spec = importlib.util.spec_from_file_location("classroom_load", BENCHMARK)
    load = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load)
    figures = load.run(tiny_model_dir, clients=5, seconds=8)
    assert figures["failed"] == 0, figures["first_failures"]
    assert figures["wrong"] == 0, figures["first_wrong"]  # each answer is its own call's, of the right size
    assert figures["requests"] - figures["busy"] >= 10, figures
    # the checker itself: another call's answer, or too few words, is caught
    asked = ["the cat", 10]
    right = [{"tokens": ["the", "cat"], "probs": [0.5, 0.2, *[0.01] * 8]}]
    assert load.wrong_answer("next_words", "the cat", asked, right) is None
    assert "answer for ['a', 'dog']" in load.wrong_answer(
        "next_words", "the cat", asked, [right[0] | {"tokens": ["a", "dog"]}]
    )
    assert load.wrong_answer("next_words", "the cat", asked, [right[0] | {"probs": [0.5]}])


def test_a_full_queue_answers_busy_at_once(tiny_model):
    """With every slot taken and the queue full, a new call is refused at once (HTTP 503, "Queue is
    full"), which the browser shows as "try again", instead of waiting until it times out."""
    import json
    import socket
    import threading
    import urllib.error
    import urllib.request

    import gradio as gr

    from playground.app import build_app, launch_kwargs
    from playground.server.serve import QueueLimits, queue_kwargs

    release, running = threading.Event(), threading.Event()

    def hold(x: str) -> str:
        running.set()
        release.wait(60)
        return x

    demo = build_app(tiny_model)
    with demo:
        gr.api(hold, api_name="hold", concurrency_limit=1, concurrency_id="hold")
    demo.queue(**queue_kwargs(QueueLimits(max_size=2, concurrency=1)))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo.launch(
        server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **launch_kwargs()
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def post(data: list) -> int:
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/gradio_api/call/hold",
            data=json.dumps({"data": data}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with opener.open(req, timeout=10) as r:
            return r.status

    try:
        assert post(["x"]) == 200
        assert running.wait(60)  # one running (however slow the machine), then two waiting: the queue's
        for _ in range(2):  # size counts the calls not yet started
            assert post(["x"]) == 200
        with pytest.raises(urllib.error.HTTPError) as busy:
            post(["x"])
        assert busy.value.code == 503 and "Queue is full" in busy.value.read().decode()
    finally:
        release.set()
        demo.close()
