"""The scripting endpoints (`next_words`, `generate`, `trace`): JSON in and out, the same numbers the tabs
draw. Registered with `gr.api`, which reads each endpoint's parameters from the type hints below (so
no `from __future__ import annotations` here: gradio needs the real types).

Bad input raises `gr.Error` with a message that says what to change (the client sees the message).
"""

import functools
import inspect
from collections.abc import Callable, Iterator

import gradio as gr

from lstmlm.model import LanguageModel
from lstmlm.prompt import read_prompt
from lstmlm.safewords import hide_in_json
from playground.api.values import checking_values
from playground.views.gates import trace_json
from playground.views.generate import coerce_settings, generate_limit, generate_words
from playground.views.next_word import next_words_json

MODEL_CONCURRENCY = "model"  # API calls share one queue slot group; the UI has its own listeners


# Python's own words when int()/float() refuse a value (a string, None, NaN): not what a person should read.
_CONVERSION_WORDS = ("invalid literal", "could not convert", "cannot convert float", "argument must be")


def whole_number(value, name: str) -> int:
    """An int from an API value (int, whole float, numeric string); ValueError naming the setting."""
    try:
        number = float(value)
        if number.is_integer():
            return int(value) if isinstance(value, int) and not isinstance(value, bool) else int(number)
    except (TypeError, ValueError, OverflowError):
        pass
    raise ValueError(f"{name} must be a whole number, got {value!r}")


def user_error(e: Exception) -> gr.Error:
    """The message of a rejected input, for the caller; no traceback in the server log (it is not a bug)."""
    message = str(e)
    if any(words in message for words in _CONVERSION_WORDS):
        message = "every number setting must be a plain number (not text, empty or NaN): check what you sent"
    return gr.Error(message, title="Invalid input", print_exception=False)


BAD_INPUT = (ValueError, TypeError, OverflowError)  # what a view raises for input it cannot read


def rejecting(errors: tuple[type[Exception], ...], as_error: Callable[[Exception], gr.Error]) -> Callable:
    """A decorator: the endpoint's `errors` reach the caller as `as_error(e)` (a gr.Error with a message,
    no traceback); its signature and docstring (gradio reads them) are kept. For endpoints that answer in
    one return (a streaming one checks its input itself before the first answer)."""

    def decorate(endpoint: Callable) -> Callable:
        @functools.wraps(endpoint)
        def answered(*args, **kwargs):
            try:
                return endpoint(*args, **kwargs)
            except errors as e:
                raise as_error(e) from None

        return answered

    return decorate


rejecting_bad_input = rejecting(BAD_INPUT, user_error)  # every model endpoint's


def _safe_answer(answer):
    """One answer with listed words hidden in every string (not in base64 data), and "hidden": how many."""
    if not isinstance(answer, dict):
        return answer
    answer, hidden = hide_in_json(answer)
    return {**answer, "hidden": hidden}


def classroom_safe(endpoint: Callable) -> Callable:
    """`endpoint` whose JSON answers (each one, when it streams) show "(hidden word)" for every word on the
    classroom list, unless the server runs with --show-all-words, and say in "hidden" how many they hid.
    Applied to every endpoint as it is registered; the signature (gradio reads it) is kept."""
    if inspect.isgeneratorfunction(endpoint):

        @functools.wraps(endpoint)
        def streamed(*args, **kwargs):
            for answer in endpoint(*args, **kwargs):
                yield _safe_answer(answer)

        return streamed
    if inspect.isasyncgenfunction(endpoint):  # a stream that waits (lab_train) without holding a thread

        @functools.wraps(endpoint)
        async def streamed_async(*args, **kwargs):
            async for answer in endpoint(*args, **kwargs):
                yield _safe_answer(answer)

        return streamed_async

    @functools.wraps(endpoint)
    def answered(*args, **kwargs):
        return _safe_answer(endpoint(*args, **kwargs))

    return answered


def served(endpoint: Callable) -> Callable:
    """`endpoint` as the API serves it: each value a call sends checked against its type hint first
    (`values.checked_value`: text where a str goes, a number where an int or float goes; a refusal names
    the parameter), then its answers made `classroom_safe`. The signature (gradio reads it) is kept."""
    return classroom_safe(checking_values(endpoint, user_error))


def add_endpoints(
    *endpoints: Callable, concurrency_limit: int | None = 2, concurrency_id: str = MODEL_CONCURRENCY
) -> None:
    """Register each function in the Blocks being built as the endpoint named like it (`api_name` is its
    `__name__`; gr.api reads its parameters from the type hints), `served` (values checked, answers
    made `classroom_safe`).
    Endpoints that run the model share MODEL_CONCURRENCY, at most `concurrency_limit` at once (None: no
    limit)."""
    for fn in endpoints:
        gr.api(
            served(fn),
            api_name=fn.__name__,
            concurrency_limit=concurrency_limit,
            concurrency_id=concurrency_id,
        )


def register(model: LanguageModel) -> None:
    """Add the three endpoints to the Blocks being built."""

    @rejecting_bad_input
    def next_words(prompt: str, k: int = 10) -> dict:
        """Top-k next words after `prompt` (read from a line start), their probabilities, entropy in bits."""
        return next_words_json(model, prompt, whole_number(k, "k"))

    def generate(
        prompt: str,
        max_words: int = 30,
        temperature: float = 0.8,
        top_k: int = 40,
        top_p: float = 0.95,
        seed: int = 0,
        allow_unk: bool = False,
    ) -> Iterator[dict]:
        """Stream a continuation: after each word (a character model: each character, at most 500), the
        text so far and each one's probability and rank. <unk> is never drawn unless `allow_unk` (its
        probability goes to the other words)."""
        try:
            limit = generate_limit(model)
            settings = coerce_settings(temperature, top_k, top_p, max_words, seed, allow_unk, limit)
        except BAD_INPUT as e:
            raise user_error(e) from None
        try:
            p = read_prompt(model.vocab, prompt)
        except ValueError as e:  # a word a vocabulary without <unk> lacks
            raise user_error(e) from None
        detokenize = model.vocab.tokenizer.detokenize  # words joined with spaces, characters without
        words: list[dict] = []
        for gw in generate_words(model, p, settings):
            words.append(
                {
                    "word": gw.word,
                    "prob": round(gw.prob, 6),
                    "rank": gw.rank,
                    "sampled_prob": round(gw.sampled_prob, 6),
                }
            )
            yield {
                "text": detokenize(w["word"] for w in words),
                "words": list(words),  # a copy: the list keeps growing after this yield
                "notice": p.notice,
                "done": False,
            }
        yield {"text": detokenize(w["word"] for w in words), "words": words, "notice": p.notice, "done": True}

    @rejecting_bad_input
    def trace(
        prompt: str,
        layer: int = 0,
        gates: str = "all",
        encoding: str = "float16",
        decimals: int = 3,
    ) -> dict:
        """One layer's f, i, o, g (candidate), c (cell) and h (a GRU's r, z, n, h; a plain RNN's h) over the
        prompt, each (steps, units): base64 float16 by default, or nested lists with encoding="list"."""
        return trace_json(
            model, prompt, whole_number(layer, "layer"), gates, encoding, whole_number(decimals, "decimals")
        )

    add_endpoints(next_words, generate, trace)
