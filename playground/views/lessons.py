"""Guided lessons for the "Start here" tab, without gradio. A lesson is a JSON file of steps (the format is
in the README, "Writing a lesson", and in `lesson_files/lesson.schema.json`, a JSON Schema); the shipped
ones are in `playground/lesson_files/`, a teacher's own in the folders of $LSTM_PLAYGROUND_LESSONS.

Each step says what to look at and asks a question whose answer the view shows; a step's `open` is a
classroom screen (`classroom.Screen`: the prompt, the view and its settings), so its link is that screen's
link plus `&lesson=KEY&step=N`: opening it restores the screen exactly as a shared link does
(playground/classroom/bar.py), and the lesson bar above the tabs shows the step with its neighbours.

Every text is given in English and Chinese; views/start.py draws them as HTML (CSS shows the page's language).
The format and its checks (Lesson, Step, parse_lesson) are in views/lesson_format.py; this module finds and
loads the files, checks them against a model, and makes the steps' links.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

from playground.classroom.links import Screen, build_query
from playground.views.equations import word_step

# the format and its checks live in lesson_format.py; imported from here too (old import path)
from playground.views.lesson_format import (  # noqa: F401
    TOP,
    Lesson,
    LessonError,
    Step,
    parse_lesson,
)

LESSON_DIR = Path(__file__).resolve().parents[1] / "lesson_files"  # the shipped lessons
LESSONS_ENV = "LSTM_PLAYGROUND_LESSONS"  # more lesson folders (os.pathsep-separated); same key replaces


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
