"""A lesson file's format, checked: the `Lesson` and its `Step`s, and `parse_lesson`, which reads a lesson
file's parsed JSON into them or raises `LessonError` naming the file, the step, the key and what to write
instead (the format: the README's "Writing a lesson" and `lesson_files/lesson.schema.json`). A step's "open"
is checked by opening it as a link would (classroom/links.py), so a lesson keeps only values a link carries.
views/lessons.py finds and loads the files and makes the steps' links; it re-exports these names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace

from lstmlm.cells import ALL_KEYS
from playground.classroom.links import (
    GATES,
    MAX_WORD_CHARS,
    ORDERS,
    VIEWS,
    Limits,
    Screen,
    build_query,
    parse_intervention,
    parse_query,
)

MAX_STEPS = 10
MAX_TEXT = 600  # characters of one text (a step says 2-4 sentences)
KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")  # a lesson's key is its file name: ?lesson=KEY
ELEM_ID = re.compile(r"^[a-z][a-z0-9-]{0,59}$")  # a step's "highlight": a component's elem_id
OPEN_NUMBERS = {"k", "temperature", "top_k", "top_p", "words", "seed", "layer", "unit"}
OPEN_TEXTS = {"view", "prompt", "gate", "order", "iv"}
OPEN_EITHER = {"word"}  # Equations' word: a step number (0 = the first) or a word of the prompt
MAX_WORD = MAX_WORD_CHARS
TOP = -1  # "layer": "top" in a file: the model's top layer, written in when the model is known
# generous limits for checking a file without a model (the app clamps to the model's when a link opens)
FILE_LIMITS = Limits(
    num_layers=64, hidden_dim=1 << 20, gates=GATES + tuple(k for k in ALL_KEYS if k not in GATES)
)  # + r z n


# what to write instead of a value a link cannot carry (the message names the step and the key)
ALLOWED = {
    "k": "a whole number from 1 to 30",
    "temperature": "a number from 0 to 2",
    "top_k": "a whole number from 0 to 200 (0: no cut)",
    "top_p": "a number from 0.05 to 1",
    "words": "a whole number from 1 to 200",
    "seed": f"a whole number from 0 to {2**31 - 1}",
    "layer": f'a layer number from 0 (the first) to {FILE_LIMITS.num_layers - 1}, or "top"',
    "unit": "a unit number from 0 (the first unit of the layer)",
    "gate": "one of " + " ".join(FILE_LIMITS.gates),
    "order": "one of " + " ".join(ORDERS),
}


class LessonError(ValueError):
    """A lesson file that cannot be used; the message names the file, the place and what to change."""


@dataclass(frozen=True)
class Step:
    """One step: what to do and look at, a question, and the screen its link opens (None: stay on the
    previous step's screen). `screen.layer == TOP` and "layer:top" in `screen.iv` mean the top layer."""

    en: str
    zh: str
    ask_en: str
    ask_zh: str
    screen: Screen | None = None
    highlight: str = ""  # the elem_id of a region the step outlines on screen ("" none)


@dataclass(frozen=True)
class Lesson:
    """A titled list of steps, read from `<key>.json`; lessons are listed by `order`, then key."""

    key: str
    title_en: str
    title_zh: str
    steps: tuple[Step, ...]
    order: float = 100.0


def _text_pair(value: object, where: str) -> tuple[str, str]:
    """(en, zh) from {"en": ..., "zh": ...}, both non-empty strings of at most MAX_TEXT characters."""
    if not isinstance(value, dict) or set(value) != {"en", "zh"}:
        raise LessonError(f'{where} must be {{"en": "...", "zh": "..."}} (both languages, nothing else)')
    out = []
    for lang in ("en", "zh"):
        text = value[lang]
        if not isinstance(text, str) or not text.strip():
            raise LessonError(f"{where}.{lang} must be a non-empty text")
        if len(text) > MAX_TEXT:
            raise LessonError(f"{where}.{lang} has {len(text)} characters; keep it under {MAX_TEXT}")
        out.append(text.strip())
    return out[0], out[1]


def _screen(value: object, where: str) -> Screen:
    """The Screen of a step's "open": every key known, every value of the right kind and in range."""
    if not isinstance(value, dict):
        raise LessonError(f'{where} must be an object such as {{"view": "next_word", "prompt": "..."}}')
    unknown = set(value) - OPEN_NUMBERS - OPEN_TEXTS - OPEN_EITHER
    if unknown:
        known = ", ".join(sorted(OPEN_NUMBERS | OPEN_TEXTS | OPEN_EITHER))
        raise LessonError(f"{where} has unknown keys {sorted(unknown)}; the keys are: {known}")
    if value.get("view") not in VIEWS:
        raise LessonError(f"{where}.view must be one of {', '.join(VIEWS)} (got {value.get('view')!r})")
    values = dict(value)
    layer = values.get("layer")
    if isinstance(layer, (int, float)) and not isinstance(layer, bool) and layer < 0:
        raise LessonError(f"{where}.layer = {layer}: write {ALLOWED['layer']}")
    if layer == "top":
        values["layer"] = TOP
    for name, v in values.items():
        number = isinstance(v, (int, float)) and not isinstance(v, bool)
        if name in OPEN_NUMBERS and not number:
            raise LessonError(
                f"{where}.{name} must be a number (got {v!r})" + ' or "top"' * (name == "layer")
            )
        if name in OPEN_TEXTS and not isinstance(v, str):
            raise LessonError(f"{where}.{name} must be a text (got {v!r})")
    if "word" in values:
        values["word"] = _word(values, where)
    screen = Screen(**{n: float(v) if n in ("temperature", "top_p") else v for n, v in values.items()})
    # the values a link keeps are the values a link can carry: the same clamping as an opened link
    check = replace(
        screen,
        layer=0 if screen.layer == TOP else screen.layer,
        iv=re.sub(r"\blayer:top\b", "layer:0", screen.iv),
    )
    opened = parse_query(build_query(check), FILE_LIMITS)
    for f in fields(Screen):
        if f.name != "iv" and getattr(opened, f.name) != getattr(check, f.name):
            allowed = f"; write {ALLOWED[f.name]}" if f.name in ALLOWED else ""
            raise LessonError(
                f"{where}.{f.name} = {getattr(check, f.name)!r} is not a value the app accepts "
                f"(a link would open {getattr(opened, f.name)!r}){allowed}"
            )
    if screen.iv and ("action" not in parse_intervention(check.iv, FILE_LIMITS) or opened.iv != check.iv):
        raise LessonError(
            f'{where}.iv {screen.iv!r} is not an intervention; e.g. "layer:top,target:f,value:0,units:all" '
            "(target f, i, o, g or c)"
        )
    return screen


def _word(values: dict, where: str) -> str:
    """A step's "word" as a link carries it: a step number (a whole number from 0) or one word of the
    step's own prompt, for the Equations view."""
    word = values["word"]
    if values.get("view") != "equations":
        raise LessonError(
            f'{where}.word is read by the Equations view only: add "view": "equations" or leave word out'
        )
    if "prompt" not in values:
        raise LessonError(f'{where}.word needs the step\'s own "prompt" (the word is one of its words)')
    if isinstance(word, bool) or not isinstance(word, (int, str)):
        raise LessonError(
            f'{where}.word must be a step number such as 3 or a word of the prompt such as "boy"'
        )
    if isinstance(word, int):
        if word < 0:
            raise LessonError(f"{where}.word = {word}: steps are numbered from 0 (the prompt's first word)")
        return str(word)
    if not word.strip() or len(word.split()) != 1 or len(word) > MAX_WORD:
        raise LessonError(
            f"{where}.word must be one word of the prompt (no spaces, at most {MAX_WORD} characters), "
            f"got {word!r}"
        )
    word = word.strip()
    if not word.isdigit() and not re.search(rf"(?<!\w){re.escape(word)}(?!\w)", values["prompt"]):
        raise LessonError(
            f"{where}.word {word!r} is not a word of the prompt {values['prompt']!r}; write one of its words "
            "as it is written there, or a step number (0 = the first)"
        )
    return word


def parse_lesson(data: object, key: str) -> Lesson:
    """A Lesson from a lesson file's parsed JSON; raises LessonError saying what to change."""
    where = f"lesson {key!r}"
    if not KEY.match(key):
        raise LessonError(f"{where}: a file name (the lesson's key) is lowercase letters, digits, _ and -")
    if not isinstance(data, dict):
        raise LessonError(f'{where} must be an object: {{"title": ..., "steps": [...]}}')
    unknown = set(data) - {"title", "order", "steps", "$schema"}
    if unknown:
        raise LessonError(f"{where} has unknown keys {sorted(unknown)}; the keys are: title, order, steps")
    title_en, title_zh = _text_pair(data.get("title"), f"{where}: title")
    order = data.get("order", 100)
    if not isinstance(order, (int, float)) or isinstance(order, bool):
        raise LessonError(f"{where}: order must be a number (lessons are listed by it)")
    steps = data.get("steps")
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
        raise LessonError(f"{where}: steps must be a list of 1 to {MAX_STEPS} steps")
    out = []
    for n, raw in enumerate(steps, 1):
        at = f"{where}, step {n}"
        if (
            not isinstance(raw, dict)
            or not set(raw) <= {"say", "ask", "open", "highlight"}
            or "say" not in raw
        ):
            raise LessonError(
                f'{at} must be {{"say": ..., "ask": ..., "open": ..., "highlight": ...}} ("say" is needed)'
            )
        highlight = raw.get("highlight", "")
        if not isinstance(highlight, str) or (highlight and not ELEM_ID.match(highlight)):
            raise LessonError(
                f'{at}: highlight must be the id of a part of the screen, e.g. "next-word-chart" '
                f"(lowercase letters, digits and -), got {highlight!r}"
            )
        en, zh = _text_pair(raw["say"], f"{at}: say")
        ask_en, ask_zh = _text_pair(raw["ask"], f"{at}: ask") if "ask" in raw else ("", "")
        if n == 1 and "open" not in raw:
            raise LessonError(f'{at}: the first step must say which view to open ("open")')
        screen = _screen(raw["open"], f"{at}: open") if "open" in raw else None
        out.append(Step(en, zh, ask_en, ask_zh, screen, highlight))
    return Lesson(key, title_en, title_zh, tuple(out), float(order))
