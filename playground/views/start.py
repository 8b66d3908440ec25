"""The Start-here tab's screen as HTML, without gradio: every lesson with its steps (in English and in
Chinese; CSS shows the page's language), the lesson bar above the tabs, and the page's script that opens
Start here on a first visit and marks the steps opened (that script and the CSS: views/start_page.py). The
lessons themselves (their format, files and links) are in views/lessons.py."""

from __future__ import annotations

import html

from playground.text import worded
from playground.views.lessons import Lesson, step_link, step_screen

# the page's script and style live in start_page.py; imported from here too (old import path)
from playground.views.start_page import CSS, DISMISSED, HEAD, PROGRESS, SHOW_MS  # noqa: F401


def step_html(
    lesson: Lesson, n: int, num_layers: int, lang: str, views: set[str] | None, unit: str = "word"
) -> str:
    """One step as a list item: its text, its "Open this step" link (if its view exists), its question;
    its {unit} marks name what the model reads (`unit`: word or character)."""
    zh, esc = lang == "zh", html.escape
    step = lesson.steps[n - 1]
    screen = step_screen(lesson, n, num_layers)
    button = ""
    if screen is not None and (views is None or screen.view in views):
        label = "打开这一步 →" if zh else "Open this step →"
        button = (
            f' <a class="lp-lesson-link" data-lesson="{lesson.key}" data-step="{n}" '
            f'href="{esc(step_link(lesson, n, num_layers, lang), quote=True)}">{label}</a>'
        )
    text, ask = (worded(x, lang, unit) for x in ((step.zh, step.ask_zh) if zh else (step.en, step.ask_en)))
    question = f"<br><em>{'问题' if zh else 'Question'}: {esc(ask)}</em>" if ask else ""
    return f"<li>{esc(text)}{button}{question}</li>"


def lesson_html(
    lesson: Lesson, num_layers: int, lang: str, views: set[str] | None, unit: str = "word"
) -> str:
    """One lesson: its title, the progress mark the page's script fills in, and its steps ({unit}: `unit`)."""
    steps = range(1, len(lesson.steps) + 1)
    rows = "".join(step_html(lesson, n, num_layers, lang, views, unit) for n in steps)
    title = worded(lesson.title_zh if lang == "zh" else lesson.title_en, lang, unit)
    count = len(lesson.steps)  # "✓ 2/4" once steps were opened in this browser (HEAD fills it in)
    done = f'<span class="lp-lesson-progress" data-lesson="{lesson.key}" data-steps="{count}"></span>'

    head = (
        f'<div class="lp-lesson" id="lesson-{lesson.key}-{lang or "en"}"><h3>{html.escape(title)} {done}</h3>'
    )
    return f"{head}<ol>{rows}</ol></div>"


INTRO = (
    "New here? Pick a lesson. Each step opens the right view with a sentence already typed; read what the "
    "view shows, then answer the question. You can change the text at any time.",
    "第一次来?选一课。每一步都会打开对应的视图并填好句子;看视图显示了什么,再回答问题。你随时可以修改文字。",
    "Skip: open Next {unit} first from now on (this browser remembers it)",
    "跳过:以后先打开“下一个{unit}”(这个浏览器会记住)",
)
SKIP = ("Open Start here first again on the next visits", "以后再次先打开“从这里开始”")


def lessons_html(
    lessons: tuple[Lesson, ...], num_layers: int, views: set[str] | None = None, unit: str = "word"
) -> str:
    """Every lesson in English and in Chinese (CSS shows the page's language); a step's button is left
    out when its view is not in `views` (e.g. Cell hunt on a GRU; None: every view exists). The texts'
    {unit} marks name what the model reads (`unit`: word or character)."""
    parts = []
    for lang, intro, skip, again in (("en", *INTRO[0::2], SKIP[0]), ("zh", *INTRO[1::2], SKIP[1])):
        body = "".join(
            lesson_html(ls, num_layers, "zh" if lang == "zh" else "", views, unit) for ls in lessons
        )
        skip = worded(skip, lang, unit)
        tail = "&amp;lang=zh" if lang == "zh" else ""
        links = (
            f'<p class="lp-start-skip"><a href="?view=next_word&amp;start=skip{tail}">'
            f"{html.escape(skip)}</a></p>"
            f'<p class="lp-start-again"><a href="?view=start&amp;start=show{tail}">'
            f"{html.escape(again)}</a></p>"
        )
        parts.append(f'<div class="lp-lessons lp-lang-{lang}"><p>{html.escape(intro)}</p>{body}{links}</div>')
    return "".join(parts)


# each view's main output: a step's view is scrolled until it is in sight under the lesson bar (HEAD's
# showStep; at 1366x768 the header, prompt, bar, tab strip and controls push it below the fold). A step's
# `highlight` is scrolled to instead; a view not listed here scrolls its tab strip into sight.
MAIN_OUTPUT = {
    "start": "lessons",
    "next_word": "next-word-chart",
    "generate": "generated",
    "gates": "gates-heatmap",
    "counterfactual": "counterfactual-summary",
    "equations": "cell-diagram",
    "units": "units-words",
    "intervene": "intervene-summary",
    "cell_hunt": "cell-hunt-summary",
    "compare": "compare-table",
    "gradient": "gradient-prompt",
    "surprisal": "surprisal",
    "learn": "examples",
}


def main_output(lesson: Lesson, n: int, num_layers: int) -> str:
    """The elem_id step `n` brings into sight: its highlight, else its view's main output ("" none)."""
    step, screen = lesson.steps[n - 1], step_screen(lesson, n, num_layers)
    return step.highlight or (MAIN_OUTPUT.get(screen.view, "") if screen is not None else "")


def bar_html(
    lesson: Lesson,
    n: int | None,
    num_layers: int,
    lang: str,
    unit: str = "word",
    following: Lesson | None = None,
) -> str:
    """The lesson bar in one language: step `n` with its neighbours, or the lesson's overview (n None);
    its {unit} marks name what the model reads (`unit`); the last step links to the `following` lesson's
    first step (none: the lesson is the last)."""
    zh, esc = lang == "zh", html.escape
    title = esc(worded(lesson.title_zh if zh else lesson.title_en, lang, unit))
    total = len(lesson.steps)

    def nav(m: int, label: str, cls: str) -> str:
        href = esc(step_link(lesson, m, num_layers, lang), quote=True)
        return f'<a class="lp-lesson-nav {cls}" href="{href}">{label}</a>'

    everything = esc("?view=start" + ("&lang=zh" if zh else ""), quote=True)
    back = f'<a class="lp-lesson-nav lp-all" href="{everything}">{"所有课程" if zh else "All lessons"}</a>'
    if n is None:  # the overview of ?lesson=KEY
        steps = f"{total} 步" if zh else f"{total} steps"
        start = nav(1, "开始:第 1 步 →" if zh else "Start: step 1 →", "lp-next")
        return (
            f'<div class="lp-lesson-bar lp-lang-{lang or "en"}"><b>{title}</b> · {steps} {start} {back}</div>'
        )
    step = lesson.steps[n - 1]
    text, ask = (worded(x, lang, unit) for x in ((step.zh, step.ask_zh) if zh else (step.en, step.ask_en)))
    where = f"第 {n} 步,共 {total} 步" if zh else f"step {n} of {total}"
    question = f'<br><em class="lp-lesson-ask">{"问题" if zh else "Question"}: {esc(ask)}</em>' if ask else ""
    prev = nav(n - 1, "← 上一步" if zh else "← previous step", "lp-prev") if n > 1 else ""
    after = nav(n + 1, "下一步 →" if zh else "next step →", "lp-next") if n < total else ""
    finished = (
        "" if after else f'<span class="lp-lesson-end">{"本课结束" if zh else "end of the lesson"}</span>'
    )
    if not after and following is not None:  # on to the next lesson, its first step
        href = esc(step_link(following, 1, num_layers, lang), quote=True)
        name = esc(worded(following.title_zh if zh else following.title_en, lang, unit))
        label = f"下一课:{name} →" if zh else f"next lesson: {name} →"
        finished += f' <a class="lp-lesson-nav lp-following" href="{href}">{label}</a>'
    screen = step_screen(lesson, n, num_layers)
    view = screen.view if screen is not None else ""  # HEAD's showStep waits for it, then shows data-main
    # the region the step points at, outlined while its bar is shown (its id checked by views/lessons.py)
    outline = (
        f"<style>#{step.highlight} {{ outline: 4px solid #f59e0b; outline-offset: 3px; }}</style>"
        if step.highlight
        else ""
    )
    return (
        f'<div class="lp-lesson-bar lp-lang-{lang or "en"}" data-lesson="{lesson.key}" data-step="{n}" '
        f'data-highlight="{step.highlight}" data-main="{main_output(lesson, n, num_layers)}" '
        f'data-output="{MAIN_OUTPUT.get(view, "")}" data-view="{view}">'
        f'<b>{title}</b> · {where}<br><span class="lp-lesson-say">{esc(text)}</span>{question}'
        f'<div class="lp-lesson-navs">{prev} {after}{finished} {back}</div></div>{outline}'
    )


def lesson_bar_html(
    lessons: tuple[Lesson, ...], key: str | None, step: str | None, num_layers: int, unit: str = "word"
) -> str:
    """The lesson bar for a page opened with ?lesson=KEY[&step=N] ('' without a lesson): the step's text,
    its question and links to the previous and next steps, in English and Chinese. An unknown key or step
    says which exist."""
    if not key:
        return ""
    lesson = next((ls for ls in lessons if ls.key == key), None)
    if lesson is None:
        asked, names = html.escape(key[:40]), html.escape(", ".join(ls.key for ls in lessons) or "–")
        return (  # both languages, CSS shows the page's (the lesson keys are file names: as written)
            f'<div class="lp-notice lp-lang-en">There is no lesson called “{asked}”. '
            f"The lessons are: {names}.</div>"
            f'<div class="lp-notice lp-lang-zh">没有叫“{asked}”的课程。现有的课程：{names}。</div>'
        )
    n: int | None = None
    if step is not None:
        try:
            n = min(len(lesson.steps), max(1, int(str(step).strip()[:4])))
        except ValueError:
            n = None
    at = lessons.index(lesson)
    following = lessons[at + 1] if at + 1 < len(lessons) else None
    return bar_html(lesson, n, num_layers, "", unit, following) + bar_html(
        lesson, n, num_layers, "zh", unit, following
    )
