"""Guided lessons for the "Start here" tab, without gradio. A lesson is a JSON file of steps (the format is
in the README, "Writing a lesson", and in `lesson_files/lesson.schema.json`, a JSON Schema); the shipped
ones are in `playground/lesson_files/`, a teacher's own in the folders of $LSTM_PLAYGROUND_LESSONS.

Each step says what to look at and asks a question whose answer the view shows; a step's `open` is a
classroom screen (`classroom.Screen`: the prompt, the view and its settings), so its link is that screen's
link plus `&lesson=KEY&step=N`: opening it restores the screen exactly as a shared link does
(playground/classroom/bar.py), and the lesson bar above the tabs shows the step with its neighbours.

Every text is given in English and Chinese; views/start.py draws them as HTML (CSS shows the page's language).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from urllib.parse import urlencode

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
from playground.views.equations import word_step

LESSON_DIR = Path(__file__).resolve().parents[1] / "lesson_files"  # the shipped lessons
LESSONS_ENV = "LSTM_PLAYGROUND_LESSONS"  # more lesson folders (os.pathsep-separated); same key replaces
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


def load_lesson(path: str | os.PathLike) -> Lesson:
    """The lesson in the JSON file `path` (its key is the file name without .json).

    Raises LessonError for a file that does not read or does not follow the format."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise LessonError(f"cannot read the lesson file {path}: {e}") from None
    except json.JSONDecodeError as e:
        raise LessonError(f"{path} is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    try:
        return parse_lesson(data, path.stem)
    except LessonError as e:
        raise LessonError(f"{path.name}: {e}") from None


def lesson_dirs() -> list[Path]:
    """The shipped lesson folder, then the folders named in $LSTM_PLAYGROUND_LESSONS."""
    extra = [Path(p) for p in os.environ.get(LESSONS_ENV, "").split(os.pathsep) if p.strip()]
    return [LESSON_DIR, *extra]


def load_lessons(dirs: list[Path] | None = None) -> tuple[tuple[Lesson, ...], list[str]]:
    """Every lesson of `dirs` (default: `lesson_dirs()`), by order then key, and a message for each file
    or folder left out (the app still starts). A later folder's lesson replaces an earlier one's key."""
    found: dict[str, Lesson] = {}
    problems = []
    for folder in lesson_dirs() if dirs is None else dirs:
        if not folder.is_dir():
            problems.append(f"the lesson folder {folder} does not exist")
            continue
        for path in sorted(folder.glob("*.json")):
            if path.name.endswith(".schema.json"):  # lesson.schema.json describes the format
                continue
            try:
                lesson = load_lesson(path)
            except LessonError as e:
                problems.append(str(e))
                continue
            found[lesson.key] = lesson
    return tuple(sorted(found.values(), key=lambda ls: (ls.order, ls.key))), problems


def step_screen(lesson: Lesson, n: int, num_layers: int) -> Screen | None:
    """The screen step `n` (1-based) opens for a model with `num_layers` layers: its own, else the nearest
    earlier step's; "top" becomes the top layer (0-based)."""
    screen = next((s.screen for s in reversed(lesson.steps[:n]) if s.screen is not None), None)
    if screen is None:
        return None
    top = max(0, num_layers - 1)
    return replace(
        screen,
        layer=top if screen.layer == TOP else screen.layer,
        iv=re.sub(r"\blayer:top\b", f"layer:{top}", screen.iv),
    )


def model_problems(
    lesson: Lesson,
    num_layers: int,
    hidden_dim: int,
    tokens_of: Callable[[str], list[str]],
    unit: str = "word",
) -> list[str]:
    """What the steps of `lesson` ask for that a model with `num_layers` layers of `hidden_dim` units,
    reading a prompt as `tokens_of(prompt)` (`unit`: word or character), does not have: a layer or unit
    beyond its own, or an Equations word its reading of the prompt lacks. Each message names the lesson,
    the step and what to change; such a step still opens (its link is clamped, the word falls back to the
    prompt's last), so the app only reports them."""
    problems = []
    for n, step in enumerate(lesson.steps, 1):
        s, at = step.screen, f"lesson {lesson.key!r}, step {n}: open"
        if s is None:
            continue
        if s.layer >= num_layers:
            problems.append(
                f"{at}.layer = {s.layer}, but this model has {num_layers} layer(s) (0 to {num_layers - 1}); "
                'write "top" or a smaller layer'
            )
        iv_layer = re.search(r"\blayer:(\d+)", s.iv)
        if iv_layer and int(iv_layer[1]) >= num_layers:
            problems.append(
                f"{at}.iv pins layer {iv_layer[1]}, but this model has {num_layers} layer(s) "
                f"(0 to {num_layers - 1}); write layer:top or a smaller layer"
            )
        if s.unit >= hidden_dim:
            problems.append(
                f"{at}.unit = {s.unit}, but this model's layers have {hidden_dim} units "
                f"(0 to {hidden_dim - 1}); choose a smaller unit"
            )
        if s.word and s.prompt is not None:
            tokens = tokens_of(s.prompt)
            if tokens is None:  # a vocabulary without <unk> that lacks a word of the prompt
                problems.append(
                    f"{at}.prompt has a {unit} this model's vocabulary lacks; its word cannot be found"
                )
            elif word_step(tokens, s.word, unit) is None:
                kind = "step" if s.word.isdigit() else unit
                problems.append(
                    f"{at}.word = {s.word!r}, but this model reads the prompt as {len(tokens)} {unit}s "
                    f"(steps 0 to {len(tokens) - 1}) and has no such {kind}; write one of "
                    f"{', '.join(repr(t) for t in tokens[:12])}{' ...' if len(tokens) > 12 else ''} "
                    "or a smaller step number"
                )
    return problems


def step_link(lesson: Lesson, n: int, num_layers: int, lang: str = "") -> str:
    """'?prompt=...&view=...&lesson=KEY&step=N': step `n`'s screen with the lesson bar; lang 'zh' keeps
    the page Chinese."""
    screen = step_screen(lesson, n, num_layers)
    query = build_query(replace(screen, lang=lang)) if screen is not None else ""
    tail = urlencode([("lesson", lesson.key), ("step", n)])
    return f"{query}&{tail}" if query else f"?{tail}"


def lesson_link(lesson: Lesson, lang: str = "") -> str:
    """'?lesson=KEY': the Start-here tab with the lesson's overview in the lesson bar."""
    return "?" + urlencode([("lesson", lesson.key)] + ([("lang", lang)] if lang else []))
