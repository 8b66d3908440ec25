"""Values of the wrong kind through the raw HTTP API: JSON carries a number where the prompt goes, a list
where `k` goes, the text "0.5" where the temperature goes.

Every endpoint the app lists (read from /gradio_api/info, so later ones are covered too) refuses a value
of the wrong kind with a message naming its parameter, and without a traceback in the server's log;
numbers sent as text are read as those numbers (the answer is the one the number itself gets).
Before, a number as the prompt came back as "object of type 'int' has no len()", /generate answered
`{"error": null}` with a traceback in the log, a Live Lab `probe` of 5 started a training that failed
with "AttributeError: 'int' object has no attribute 'strip'", and a fraction where a whole number goes
(lab_snapshot's index, unit_atlas' unit, unit_search's span, surprisal's k) was cut silently (1.5: 1).
"""

from __future__ import annotations

import pytest
import test_robustness_api as robustness
from test_robustness_api import _defaults, call

api_app = robustness.app  # a module fixture: the tiny model's app, launched, and its /gradio_api/info

NOT_TEXT = {
    "number": (123, "the number 123"),
    "list": (["a"], "a list (['a'])"),
    "object": ({"x": 1}, "a JSON object"),
}
NOT_NUMBER = {
    "word": ("ten", "the text 'ten'"),
    "list": ([3], "a list ([3])"),
    "true": (True, "true"),
    "null": (None, "null"),
}
NOT_WHOLE = {"fraction": (1.5, "the number 1.5"), "fraction as text": ("2.5", "the text '2.5'")}


def _wrong_kinds(info: dict) -> list[tuple[str, list, str]]:
    """(api_name, data, the message's start) for each parameter of each endpoint given a wrong kind."""
    cases = []
    for endpoint, spec in sorted(info.items()):
        params = spec["parameters"]
        values = _defaults(params)
        for i, p in enumerate(params):
            name, kind = p["parameter_name"], p["python_type"]["type"]
            if kind == "str":
                wrong = {
                    label: (v, f"{name} must be a string (text in double quotes), got {shown}")
                    for label, (v, shown) in NOT_TEXT.items()
                }
            elif kind in ("int", "float"):
                must = "a whole number" if kind == "int" else "a number"
                refused = {**NOT_NUMBER, **(NOT_WHOLE if kind == "int" else {})}
                wrong = {
                    label: (v, f"{name} must be {must}, got {shown}") for label, (v, shown) in refused.items()
                }
            elif kind == "bool":
                wrong = {"word": ("yes", f"{name} must be true or false, got the text 'yes'")}
            else:
                continue
            for value, message in wrong.values():
                cases.append((endpoint.lstrip("/"), [*values[:i], value, *values[i + 1 :]], message))
    return cases


def test_a_value_of_the_wrong_kind_is_refused_naming_its_parameter(api_app, capfd):
    base, info = api_app
    cases = _wrong_kinds(info)
    assert len(cases) > 100  # every endpoint's text, number and true/false parameters
    failures = []
    for api_name, data, message in cases:
        event, payload, _ = call(base, api_name, data)
        if event != "error" or not isinstance(payload, str) or not payload.startswith(message):
            failures.append(f"{api_name} {data!r}: {event}: {str(payload)[:160]} (wanted {message!r})")
    assert not failures, f"{len(failures)} failing cases:\n" + "\n".join(failures)
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize(
    ("api_name", "as_text", "as_numbers"),
    [
        ("next_words", ["the cat", "5"], ["the cat", 5]),
        ("next_words", ["the cat", " 1e1 "], ["the cat", 10]),
        (
            "generate",
            ["the cat", "4", "0.5", "3", "0.9", "12", "false"],
            ["the cat", 4, 0.5, 3, 0.9, 12, False],
        ),
        ("generate", ["the cat", "4", "0", "0", "1", "-7", "TRUE"], ["the cat", 4, 0.0, 0, 1.0, -7, True]),
        ("trace", ["the cat", "1", "f,c", "list", "2"], ["the cat", 1, "f,c", "list", 2]),
        ("surprisal", ["the cat sat", "3"], ["the cat sat", 3]),
    ],
)
def test_numbers_sent_as_text_are_those_numbers(api_app, api_name, as_text, as_numbers):
    base, _ = api_app
    got, expected = call(base, api_name, as_text), call(base, api_name, as_numbers)
    assert expected[0] == "complete", expected
    assert got[:2] == expected[:2]


def test_a_live_lab_probe_that_is_not_text_starts_no_training(api_app):
    from playground.server.live_jobs import JOBS

    base, _ = api_app
    before = set(JOBS.jobs)
    event, message, _ = call(base, "lab_train", ["", {"seconds": 10}, "quotes", 5])
    assert event == "error" and message == "probe must be a string (text in double quotes), got the number 5"
    assert set(JOBS.jobs) == before
