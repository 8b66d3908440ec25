"""Each value an API call sends, checked against its endpoint's type hint before the endpoint runs.

JSON carries any type anywhere: a number where the prompt goes, a list where `k` goes, the text "0.5"
where the temperature goes. Without this check a wrong type reached the library and came back in
Python's words ("object of type 'int' has no len()"), an error without a message, or a traceback in the
server log (and a Live Lab training that started and failed). The rule, for every endpoint at once:
- `str`: text, or null (the endpoint's own empty case); anything else is refused, naming the parameter;
- `int` / `float`: a number; text that reads as a number is that number (as `k="5"` always was), other
  text, null, true/false, a list or an object is refused, naming the parameter. An `int` must be whole
  (3.0 is 3; 1.5 was silently cut to 1 where an endpoint called int()); a `float` may be NaN or infinite,
  left to the endpoint's own range check, which says what it takes;
- `bool`: true or false (also 0 / 1 and the text "true" / "false"), or null.
Other hints (a settings dict, unions) are the endpoint's own to check. No gradio here: a refusal is a
ValueError, which `checking_values` hands to `as_error`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

SHOWN_CHARS = 40  # how much of a refused value a message quotes


def describe(value: Any) -> str:
    """A refused value in a caller's words: 'the number 5', 'the text 'abc'', 'a list ([1, 2])', 'null'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    shown = repr(value)
    if len(shown) > SHOWN_CHARS:
        shown = shown[: SHOWN_CHARS - 3] + "..."
    if isinstance(value, str):
        return f"the text {shown}"
    if isinstance(value, list | tuple):
        return f"a list ({shown})"
    if isinstance(value, dict):
        return f"a JSON object ({shown})"
    return shown


def _number(text: str) -> int | float | None:
    """The number `text` reads as (whole numbers exactly, at any size), else None."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return None


def checked_value(name: str, hint: Any, value: Any) -> Any:
    """`value` for a parameter `name` hinted `hint` (str, int, float or bool; any other hint: unchecked),
    numeric text as its number and "true"/"false" as booleans; ValueError naming `name` if it is the
    wrong kind of value."""
    if hint not in (str, int, float, bool) or (value is None and hint in (str, bool)):
        return value
    if hint is str:
        if isinstance(value, str):
            return value
        raise ValueError(f"{name} must be a string (text in double quotes), got {describe(value)}")
    if hint is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise ValueError(f"{name} must be true or false, got {describe(value)}")
    kind = "a whole number" if hint is int else "a number"
    number = _number(value) if isinstance(value, str) else value
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise ValueError(f"{name} must be {kind}, got {describe(value)}")
    if hint is int and isinstance(number, float):
        if not number.is_integer():  # also NaN and infinity
            raise ValueError(f"{name} must be {kind}, got {describe(value)}")
        number = int(number)
    return number


def checking_values(endpoint: Callable, as_error: Callable[[Exception], Exception]) -> Callable:
    """`endpoint` (a function, generator or async generator, as gradio calls it) with each value of a
    call checked by `checked_value` against its type hint first; a refusal raises `as_error(e)`. The
    signature and docstring (gradio reads them) are kept."""
    signature = inspect.signature(endpoint, eval_str=True)

    def checked(args: tuple, kwargs: dict) -> inspect.BoundArguments:
        bound = signature.bind_partial(*args, **kwargs)
        try:
            for name, value in bound.arguments.items():
                bound.arguments[name] = checked_value(name, signature.parameters[name].annotation, value)
        except ValueError as e:
            raise as_error(e) from None
        return bound

    if inspect.isgeneratorfunction(endpoint):

        @functools.wraps(endpoint)
        def streamed(*args, **kwargs):
            bound = checked(args, kwargs)
            yield from endpoint(*bound.args, **bound.kwargs)

        return streamed
    if inspect.isasyncgenfunction(endpoint):

        @functools.wraps(endpoint)
        async def streamed_async(*args, **kwargs):
            bound = checked(args, kwargs)
            async for answer in endpoint(*bound.args, **bound.kwargs):
                yield answer

        return streamed_async

    @functools.wraps(endpoint)
    def answered(*args, **kwargs):
        bound = checked(args, kwargs)
        return endpoint(*bound.args, **bound.kwargs)

    return answered
