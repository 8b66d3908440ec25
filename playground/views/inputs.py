"""What every teaching view checks in what it is asked: whole numbers, and a prompt with words in it."""

from __future__ import annotations

from lstmlm.messages import Message
from lstmlm.model import LanguageModel
from lstmlm.prompt import read_prompt


def whole(x, name: str) -> int:
    """x as an int if it is a whole number (an int, or a float like 3.0); ValueError naming the setting."""
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    if isinstance(x, bool) or not isinstance(x, int):
        raise ValueError(f"{name} must be a whole number, got {x!r}")
    return x


def prompt_words(model: LanguageModel, text: str) -> tuple[list[str], list[int], str]:
    """(tokens, ids, notice) of the prompt read like every view reads it; ValueError if it has no words."""
    p = read_prompt(model.vocab, text)
    if not p.ids:
        raise ValueError(Message("views.empty", "the prompt is empty: type a few words"))
    return p.tokens, p.ids, p.notice
