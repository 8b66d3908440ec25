"""What the library says to a person (a notice, the reason a setting or a text is refused) in a form an app
can show in another language, while the library itself knows only English.

A `Message` is the English text (it is a `str`, so printing it, comparing it or putting it in JSON needs
nothing) that also carries a `key` naming the message and the `values` its {fields} were filled from:

    raise ValueError(Message("sampling.top_k", "top_k must be >= 0, got {top_k}", top_k=-1))
    str(e) == "top_k must be >= 0, got -1";   message_of(e).key == "sampling.top_k"

An app keeps its own table of texts per key in its languages and fills them from `values` (the playground:
playground/page_language.py `shown`); a key its table lacks is shown as the English. A value named `unit` is
what the model reads ("word" or "character", a tokenizer's `unit`), so an app can name it in its language;
likewise a `cell_name` given beside its `cell` (lstmlm/cells.py: "plain RNN (tanh)" for "rnn_tanh"). A value
that is itself a Message (a reason quoted inside another) is translated by its own key.
"""

from __future__ import annotations

from typing import Any


class Message(str):
    """English text (`template` filled from `values`) with its `key`: a str an app can translate by key."""

    key: str
    template: str
    values: dict[str, Any]

    def __new__(cls, key: str, template: str, **values: Any) -> Message:
        text = super().__new__(cls, template.format(**values))
        text.key, text.template, text.values = key, template, values
        return text

    def __reduce__(self) -> tuple:
        # a str subclass would pickle as Message(text) alone; exceptions cross processes (the Live Lab)
        return (_rebuilt, (self.key, self.template, self.values))


def _rebuilt(key: str, template: str, values: dict[str, Any]) -> Message:
    return Message(key, template, **values)


def message_of(said: object) -> Message | None:
    """The `Message` that `said` is or was raised with (an exception's first argument); None for anything
    else (plain text, an exception raised with plain text)."""
    if isinstance(said, Message):
        return said
    args = getattr(said, "args", None) if isinstance(said, BaseException) else None
    return args[0] if args and isinstance(args[0], Message) else None
