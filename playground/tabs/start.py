"""Start here: the guided lessons (views/lessons.py, drawn as HTML by views/start.py) and the lesson bar
above the tabs. A step's button is a classroom link plus `&lesson=KEY&step=N`: opening it reloads the page
on that screen (prompt, view, settings, as a shared link does: playground/classroom/bar.py), and the lesson
bar shows the step, its question and the way to the next step. `?lesson=KEY` opens this tab with that
lesson's overview.

On a first visit the page opens on this tab (views/start.py's HEAD, in the browser); its "Skip" link
(?view=next_word&start=skip) remembers, in this browser only, to open Next word instead."""

from __future__ import annotations

import sys

import gradio as gr

from lstmlm.model import LanguageModel
from lstmlm.prompt import read_prompt
from lstmlm.vocab import UnknownTokenError
from playground.classroom.links import VIEWS
from playground.i18n import t
from playground.tabs import TabView
from playground.views.lessons import Lesson, load_lessons, model_problems
from playground.views.start import lesson_bar_html, lessons_html


def shown_lessons() -> tuple[Lesson, ...]:
    """The shipped lessons and a teacher's ($LSTM_PLAYGROUND_LESSONS); a file that does not follow the
    format is left out with its message on stderr (the app still starts)."""
    lessons, problems = load_lessons()
    for problem in problems:
        print(f"lstm-playground: lesson left out: {problem}", file=sys.stderr)
    return lessons


def build_bar() -> gr.HTML:
    """The lesson bar (above the tabs; empty unless the page was opened with ?lesson=...)."""
    return gr.HTML("", elem_id="lesson-bar", padding=False)


def build(model: LanguageModel, lessons: tuple[Lesson, ...], views: set[str] | None = None) -> TabView:
    """The Start-here tab: every lesson in English and Chinese (the page's language is shown), with the
    "Skip" link that opens Next word now and on the next visits; "word" in them is the model's unit
    (character for a character model). `say_misfits` says the steps this model does not fit."""
    unit = model.vocab.tokenizer.unit
    present = set(VIEWS) if views is None else views
    if model.config.cell != "lstm":  # Equations, Intervene and Cell hunt need an LSTM
        present -= {"equations", "intervene", "cell_hunt"}
    with gr.Tab(t("tab.start"), id="start") as tab:
        gr.HTML(lessons_html(lessons, model.config.num_layers, present, unit), elem_id="lessons")
    return TabView(tab)


def say_misfits(model: LanguageModel, lessons: tuple[Lesson, ...]) -> None:
    """Each lesson step asking for a layer, unit or word `model` lacks, on stderr under one line saying they
    still open (views/lessons.py `model_problems`). For the models the server was started with (the person who
    started it reads its log), not for the Live Lab's or uploaded ones, which lessons are not written for."""
    cfg, unit = model.config, model.vocab.tokenizer.unit

    def tokens_of(text: str) -> list[str] | None:  # None: a word the model lacks (a vocabulary without <unk>)
        try:
            return read_prompt(model.vocab, text).tokens
        except UnknownTokenError:
            return None

    problems = [
        problem
        for lesson in lessons
        for problem in model_problems(lesson, cfg.num_layers, cfg.hidden_dim, tokens_of, unit)
    ]
    if problems:  # a note, not an error: one line that says so, then each step
        steps = "step was" if len(problems) == 1 else "steps were"
        print(
            f"lstm-playground: note: {len(problems)} lesson {steps} written for another model "
            "(they still open):\n" + "\n".join(f"  - {problem}" for problem in problems),
            file=sys.stderr,
        )


def wire(
    demo: gr.Blocks, bar: gr.HTML, lessons: tuple[Lesson, ...], num_layers: int, unit: str = "word"
) -> None:
    """Page load: the lesson bar for ?lesson=KEY[&step=N] (the prompt and view are the link's, restored by
    playground/classroom/bar.py), naming the model's `unit` (word or character)."""

    def opened(request: gr.Request) -> str:  # gradio injects the request into a plain function
        params = dict(request.query_params) if request is not None else {}
        return lesson_bar_html(lessons, params.get("lesson"), params.get("step"), num_layers, unit)

    demo.load(opened, None, bar, queue=False, show_progress="hidden", api_visibility="private")
