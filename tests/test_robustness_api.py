"""Any input through the raw HTTP API: every endpoint the app lists, fed every awkward case of issue 5.

Each call must end, within a few seconds, in either a result or a clean error event whose message says
what to change: never an anonymous error (an unexpected exception), a traceback, an HTTP 500 or a hang.
The endpoints are read from /gradio_api/info, so endpoints added later are covered too.
"""

from __future__ import annotations

import json
import math
import time
import urllib.error
import urllib.request

import pytest
from conftest import launch_app

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback never uses a proxy
CALL_SECONDS = 15  # one shared CPU core in CI: generous, but a hang still fails

TEXTS = {
    "empty": "",
    "whitespace": " \t \n  ",
    "1 MB": "the cat sat on the mat . " * 42_000,
    "control characters and NUL": "the\x00cat\x07sat\x1b[31m on\x7f the\x0c mat\r\n",
    "emoji": "the cat 🐈‍⬛ sat on the 🧶 mat 👍🏽",
    "CJK": "猫はマットの上に座った 猫坐在垫子上",
    "right-to-left": "القط جلس على السجادة \u202eכלב",
    "only unknown words": "zyxqv blorf quuxle frobnicate",
    "thousands of line breaks": "\n" * 5000,
    "lone surrogate-like escapes": "\\ud800 the \\x00 cat",
}
NUMBERS = {  # values for every number parameter; JSON carries NaN as the bare word NaN
    "zero": 0,
    "negative": -1,
    "NaN": math.nan,
    "huge": 1e9,
    "2**70": 2**70,
    "-2**70": -(2**70),
    "million": 1_000_000,
    "fraction": 0.5,
    "string": "ten",
    "null": None,
}
TRACEBACK_SIGNS = ("Traceback", 'File "', "Error(", ", line ", "site-packages")
NEW_EACH_CALL = {"/room_open"}  # answers with a new room (code and key) every call
PYTHON_SIGNS = ("invalid literal", "base 10", "NoneType", "convert float", "object has no", "argument")


# endpoints that stream until their work ends (lab_train: a training's progress, for up to its budget); a
# refusal still comes as an error before any message
STREAMING = {"lab_train"}


def call(base: str, api_name: str, data: list, timeout: float = CALL_SECONDS) -> tuple[str, object, float]:
    """POST a call, read its event stream: ("complete" | "error" | "http <code>", last data, seconds)."""
    start = time.perf_counter()
    req = urllib.request.Request(
        f"{base}/gradio_api/call/{api_name}",
        data=json.dumps({"data": data}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with OPENER.open(req, timeout=timeout) as r:
            event_id = json.loads(r.read())["event_id"]
    except urllib.error.HTTPError as e:
        return f"http {e.code}", e.read().decode(errors="replace"), time.perf_counter() - start
    event, last = "", None
    with OPENER.open(f"{base}/gradio_api/call/{api_name}/{event_id}", timeout=timeout) as r:
        for raw in r:
            line = raw.decode().rstrip("\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                last = json.loads(line[5:])
                if event == "error" and isinstance(last, dict):  # {"error": message or None, "title": ...}
                    last = last.get("error")
                if event in ("complete", "error"):
                    return event, last, time.perf_counter() - start
                if event == "generating" and api_name in STREAMING:  # its first message is its answer
                    return "complete", last, time.perf_counter() - start
            if time.perf_counter() - start > timeout:
                break
    return "hang", last, time.perf_counter() - start


@pytest.fixture(scope="module")
def app(tiny_model_dir):
    from lstmlm import load_model
    from playground.app import build_app
    from playground.server.serve import queue_kwargs

    demo = build_app(load_model(tiny_model_dir)).queue(**queue_kwargs())
    url = launch_app(demo)
    base = url.rstrip("/")
    with OPENER.open(f"{base}/gradio_api/info", timeout=30) as r:
        info = json.loads(r.read())["named_endpoints"]
    try:
        yield base, info
    finally:
        demo.close()


def _defaults(params: list[dict]) -> list:
    out = []
    for p in params:
        if p.get("parameter_has_default"):
            out.append(p.get("parameter_default"))
        elif p["python_type"]["type"] == "str":
            out.append("the cat sat")
        else:
            out.append(0)
    return out


def _with(values: list, i: int, value) -> list:
    return [*values[:i], value, *values[i + 1 :]]


def _cases(info: dict) -> list[tuple[str, list, str]]:
    """(api_name, data, case name) for every endpoint x every text case, every number case per number
    parameter, and a string in place of each number."""
    cases = []
    for endpoint, spec in sorted(info.items()):
        name = endpoint.lstrip("/")
        params = spec["parameters"]
        base = _defaults(params)
        texts = [i for i, p in enumerate(params) if p["python_type"]["type"] == "str"]
        numbers = [i for i, p in enumerate(params) if p["python_type"]["type"] in ("int", "float")]
        for label, text in TEXTS.items():
            for i in texts[:1]:  # the prompt is the first text parameter
                cases.append(
                    (name, [*base[:i], text, *base[i + 1 :]], f"{params[i]['parameter_name']}={label}")
                )
        for i in texts[1:]:  # other text parameters (gate lists, encodings, ...): junk and empty
            for label, text in (("junk", "\x00🐈 ../../etc/passwd"), ("empty", "")):
                cases.append(
                    (name, [*base[:i], text, *base[i + 1 :]], f"{params[i]['parameter_name']}={label}")
                )
        for i in numbers:
            for label, value in NUMBERS.items():
                cases.append(
                    (name, [*base[:i], value, *base[i + 1 :]], f"{params[i]['parameter_name']}={label}")
                )
        cases.append((name, [*base, "extra"], "one parameter too many"))
        cases.append((name, [], "no parameters"))
    return cases


def test_every_endpoint_is_covered(app):
    _, info = app
    assert {"/next_words", "/generate", "/trace"} <= set(info)


def test_any_input_gives_a_result_or_a_clear_message(app):
    """One test over the whole table (a few hundred calls), reporting every failing case at once."""
    base, info = app
    failures = []
    for api_name, data, case in _cases(info):
        try:
            event, payload, seconds = call(base, api_name, data)
        except OSError as e:
            failures.append(f"{api_name} [{case}]: connection failed: {e}")
            continue
        where = f"{api_name} [{case}]"
        if seconds > CALL_SECONDS:
            failures.append(f"{where}: took {seconds:.1f} s")
        if event == "complete":
            continue
        if event != "error":
            failures.append(f"{where}: {event}: {str(payload)[:200]}")
        elif not isinstance(payload, str) or not payload.strip():
            failures.append(f"{where}: an error without a message (an unexpected exception)")
        elif any(sign in payload for sign in TRACEBACK_SIGNS) or len(payload) > 400:
            failures.append(f"{where}: the message looks like a traceback: {payload[:200]}")
        elif any(sign in payload for sign in PYTHON_SIGNS):
            failures.append(f"{where}: Python's words, not what to change: {payload[:200]}")
    assert not failures, f"{len(failures)} failing cases:\n" + "\n".join(failures)


def test_a_wrong_number_of_values_names_the_parameters(app):
    """The raw HTTP API: parameters left out at the end get their defaults (as gradio_client sends them);
    a missing one without a default ends the call at once in an error event that names it (Gradio's
    own is `{"error": null}`); extra values end in one that says so."""
    base, info = app
    for endpoint, spec in info.items():
        name, params = endpoint.lstrip("/"), spec["parameters"]
        names = [p["parameter_name"] for p in params]
        required = [p["parameter_name"] for p in params if not p.get("parameter_has_default")]
        values = _defaults(params)
        last_required = max(
            (i for i, p in enumerate(params) if not p.get("parameter_has_default")), default=-1
        )
        if required:
            event, message, seconds = call(base, name, [])
            assert event == "error" and seconds < CALL_SECONDS, (endpoint, event, message)
            assert isinstance(message, str) and "Traceback" not in message, (endpoint, message)
            plural = "s" * (len(required) != 1)
            assert message.startswith(f"missing parameter{plural}: {', '.join(required)} (0 sent; "), message
            assert f"{endpoint} takes {len(names)}, in this order: {', '.join(names)})" in message
        # the defaults left out are filled in: the same answer as sending them (room_open: a new room each
        # call, so the same kind of answer)
        compared = 1 if endpoint in NEW_EACH_CALL else 2
        short, full = call(base, name, values[: last_required + 1]), call(base, name, values)
        assert short[:compared] == full[:compared], endpoint
        event, message, _ = call(base, name, [*values, 1])
        assert event == "error" and f"{len(names) + 1} values sent, 1 too many" in message, endpoint


@pytest.mark.parametrize(
    ("api_name", "data", "expect"),
    [
        ("next_words", ["the cat", 0], "complete"),  # k clamps to 1..30
        ("next_words", ["the cat", 10**6], "complete"),
        ("next_words", ["the cat", "ten"], "k must be a whole number"),
        ("generate", ["the cat", 10**6, 0.8, 40, 0.95, 0], "number of words must be between 1 and 200"),
        ("generate", ["the cat", 3, math.nan, 40, 0.95, 0], "temperature must be a number >= 0"),
        ("generate", ["the cat", 3, 1e9, 40, 0.95, 0], "complete"),
        ("generate", ["the cat", 3, 0, 10**6, 0.95, 0], "complete"),  # top-k > vocabulary: no limit
        ("generate", ["the cat", 3, 0.8, 40, 0, 0], "top_p must be in (0, 1]"),
        ("generate", ["the cat", 3, 0.8, 40, 0.95, 2**70], "complete"),  # seeds are taken modulo 2**63
        ("generate", ["the cat", 3, 0.8, 40, 0.95, -5], "complete"),
        ("generate", ["the cat", "ten", 0.8, 40, 0.95, 0], "max_words must be a whole number"),
        ("trace", ["the cat", 99, "f", "list", 3], "layer must be one of 0..1"),
        ("trace", ["the cat", "one", "f", "list", 3], "layer must be a whole number"),
    ],
)
def test_documented_clamps_and_messages(app, api_name, data, expect):
    base, _ = app
    event, payload, _ = call(base, api_name, data)
    if expect == "complete":
        assert event == "complete", payload
    else:
        assert event == "error" and expect in payload, (event, payload)


@pytest.fixture(scope="module")
def wide_app(tmp_path_factory):
    """The app over an untrained 8-unit LSTM with a 50-word vocabulary: more words than k's cap of 30."""
    import torch

    from lstmlm import LanguageModel, ModelConfig, Vocab, load_model, save_model
    from playground.app import build_app
    from playground.server.serve import queue_kwargs

    torch.manual_seed(3)
    untrained = LanguageModel(ModelConfig(vocab_size=50, embed_dim=8, hidden_dim=8, num_layers=2))
    vocab = Vocab(["<eos>", "<unk>", "the", "cat", *(f"w{n}" for n in range(46))])
    model = load_model(save_model(tmp_path_factory.mktemp("wide"), untrained.eval(), vocab))
    demo = build_app(model).queue(**queue_kwargs())
    try:
        yield launch_app(demo).rstrip("/"), model
    finally:
        demo.close()


@pytest.mark.parametrize(("k", "shown"), [(10**6, 30), (31, 30), (30, 30), (7, 7), (1, 1), (0, 1), (-5, 1)])
def test_k_is_clamped_to_1_30_and_the_words_are_the_most_likely(wide_app, k, shown):
    import torch

    base, model = wide_app
    event, answer, _ = call(base, "next_words", ["the cat", k])
    assert event == "complete", answer
    with torch.no_grad():  # the network itself, from a line start
        features, _ = model(torch.tensor([[0], [2], [3]]))
        probs = model.log_probs(features[-1, 0]).exp()
    top = probs.topk(shown)
    assert answer[0]["words"] == [model.vocab.words[i] for i in top.indices]
    assert answer[0]["probs"] == pytest.approx(top.values.tolist(), abs=1e-6)


@pytest.mark.parametrize(("k", "message"), [("ten", "k must be a whole number"), (None, "k must be a whole")])
def test_a_bad_k_gives_its_message(wide_app, k, message):
    event, answer, _ = call(wide_app[0], "next_words", ["the cat", k])
    assert event == "error" and message in answer, answer
