"""Guided lessons for the "Start here" tab, without gradio. A lesson is a JSON file of steps (the format is
in the README, "Writing a lesson", and in `lesson_files/lesson.schema.json`, a JSON Schema); the shipped
ones are in `playground/lesson_files/`, a teacher's own in the folders of $LSTM_PLAYGROUND_LESSONS.

Each step says what to look at and asks a question whose answer the view shows; a step's `open` is a
classroom screen (`classroom.Screen`: the prompt, the view and its settings), so its link is that screen's
link plus `&lesson=KEY&step=N`: opening it restores the screen exactly as a shared link does
(playground/classroom/bar.py), and the lesson bar above the tabs shows the step with its neighbours.

Every text is given in English and Chinese; the HTML holds both, and CSS shows the page's language.
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from urllib.parse import urlencode

from playground.classroom.links import (
    GATES,
    VIEWS,
    Limits,
    Screen,
    build_query,
    parse_intervention,
    parse_query,
)

LESSON_DIR = Path(__file__).resolve().parents[1] / "lesson_files"  # the shipped lessons
LESSONS_ENV = "LSTM_PLAYGROUND_LESSONS"  # more lesson folders (os.pathsep-separated); same key replaces
MAX_STEPS = 10
MAX_TEXT = 600  # characters of one text (a step says 2-4 sentences)
KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")  # a lesson's key is its file name: ?lesson=KEY
OPEN_NUMBERS = {"k", "temperature", "top_k", "top_p", "words", "seed", "layer", "unit"}
OPEN_TEXTS = {"view", "prompt", "gate", "order", "iv"}
TOP = -1  # "layer": "top" in a file: the model's top layer, written in when the model is known
# generous limits for checking a file without a model (the app clamps to the model's when a link opens)
FILE_LIMITS = Limits(num_layers=64, hidden_dim=1 << 20, gates=GATES + ("r", "z", "n"))


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
    unknown = set(value) - OPEN_NUMBERS - OPEN_TEXTS
    if unknown:
        known = ", ".join(sorted(OPEN_NUMBERS | OPEN_TEXTS))
        raise LessonError(f"{where} has unknown keys {sorted(unknown)}; the keys are: {known}")
    if value.get("view") not in VIEWS:
        raise LessonError(f"{where}.view must be one of {', '.join(VIEWS)} (got {value.get('view')!r})")
    values = dict(value)
    if values.get("layer") == "top":
        values["layer"] = TOP
    for name, v in values.items():
        number = isinstance(v, (int, float)) and not isinstance(v, bool)
        if name in OPEN_NUMBERS and not number:
            raise LessonError(
                f"{where}.{name} must be a number (got {v!r})" + ' or "top"' * (name == "layer")
            )
        if name in OPEN_TEXTS and not isinstance(v, str):
            raise LessonError(f"{where}.{name} must be a text (got {v!r})")
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
            raise LessonError(
                f"{where}.{f.name} = {getattr(check, f.name)!r} is not a value the app accepts "
                f"(a link would open {getattr(opened, f.name)!r})"
            )
    if screen.iv and ("action" not in parse_intervention(check.iv, FILE_LIMITS) or opened.iv != check.iv):
        raise LessonError(
            f'{where}.iv {screen.iv!r} is not an intervention; e.g. "layer:top,target:f,value:0,units:all" '
            "(target f, i, o, g or c)"
        )
    return screen


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
        if not isinstance(raw, dict) or not set(raw) <= {"say", "ask", "open"} or "say" not in raw:
            raise LessonError(f'{at} must be {{"say": ..., "ask": ..., "open": ...}} ("say" is needed)')
        en, zh = _text_pair(raw["say"], f"{at}: say")
        ask_en, ask_zh = _text_pair(raw["ask"], f"{at}: ask") if "ask" in raw else ("", "")
        if n == 1 and "open" not in raw:
            raise LessonError(f'{at}: the first step must say which view to open ("open")')
        screen = _screen(raw["open"], f"{at}: open") if "open" in raw else None
        out.append(Step(en, zh, ask_en, ask_zh, screen))
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


def _step_html(lesson: Lesson, n: int, num_layers: int, lang: str, views: set[str] | None) -> str:
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
    text, ask = (step.zh, step.ask_zh) if zh else (step.en, step.ask_en)
    question = f"<br><em>{'问题' if zh else 'Question'}: {esc(ask)}</em>" if ask else ""
    return f"<li>{esc(text)}{button}{question}</li>"


def _lesson_html(lesson: Lesson, num_layers: int, lang: str, views: set[str] | None) -> str:
    rows = "".join(_step_html(lesson, n, num_layers, lang, views) for n in range(1, len(lesson.steps) + 1))
    title = lesson.title_zh if lang == "zh" else lesson.title_en
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
    "Skip: open Next word first from now on (this browser remembers it)",
    "跳过:以后先打开“下一个词”(这个浏览器会记住)",
)
SKIP = ("Open Start here first again on the next visits", "以后再次先打开“从这里开始”")


def lessons_html(lessons: tuple[Lesson, ...], num_layers: int, views: set[str] | None = None) -> str:
    """Every lesson in English and in Chinese (CSS shows the page's language); a step's button is left
    out when its view is not in `views` (e.g. Cell hunt on a GRU; None: every view exists)."""
    parts = []
    for lang, intro, skip, again in (("en", *INTRO[0::2], SKIP[0]), ("zh", *INTRO[1::2], SKIP[1])):
        body = "".join(_lesson_html(ls, num_layers, "zh" if lang == "zh" else "", views) for ls in lessons)
        tail = "&amp;lang=zh" if lang == "zh" else ""
        links = (
            f'<p class="lp-start-skip"><a href="?view=next_word&amp;start=skip{tail}">'
            f"{html.escape(skip)}</a></p>"
            f'<p class="lp-start-again"><a href="?view=start&amp;start=show{tail}">'
            f"{html.escape(again)}</a></p>"
        )
        parts.append(f'<div class="lp-lessons lp-lang-{lang}"><p>{html.escape(intro)}</p>{body}{links}</div>')
    return "".join(parts)


def _bar_one(lesson: Lesson, n: int | None, num_layers: int, lang: str) -> str:
    zh, esc = lang == "zh", html.escape
    title = esc(lesson.title_zh if zh else lesson.title_en)
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
    text, ask = (step.zh, step.ask_zh) if zh else (step.en, step.ask_en)
    where = f"第 {n} 步,共 {total} 步" if zh else f"step {n} of {total}"
    question = f'<br><em class="lp-lesson-ask">{"问题" if zh else "Question"}: {esc(ask)}</em>' if ask else ""
    prev = nav(n - 1, "← 上一步" if zh else "← previous step", "lp-prev") if n > 1 else ""
    after = nav(n + 1, "下一步 →" if zh else "next step →", "lp-next") if n < total else ""
    finished = (
        "" if after else f'<span class="lp-lesson-end">{"本课结束" if zh else "end of the lesson"}</span>'
    )
    return (
        f'<div class="lp-lesson-bar lp-lang-{lang or "en"}" data-lesson="{lesson.key}" data-step="{n}">'
        f'<b>{title}</b> · {where}<br><span class="lp-lesson-say">{esc(text)}</span>{question}'
        f'<div class="lp-lesson-navs">{prev} {after}{finished} {back}</div></div>'
    )


def lesson_bar_html(lessons: tuple[Lesson, ...], key: str | None, step: str | None, num_layers: int) -> str:
    """The lesson bar for a page opened with ?lesson=KEY[&step=N] ('' without a lesson): the step's text,
    its question and links to the previous and next steps, in English and Chinese. An unknown key or step
    says which exist."""
    if not key:
        return ""
    lesson = next((ls for ls in lessons if ls.key == key), None)
    if lesson is None:
        names = ", ".join(ls.key for ls in lessons) or "none"
        return (
            f'<div class="lp-notice">There is no lesson called “{html.escape(key[:40])}”. '
            f"The lessons are: {html.escape(names)}.</div>"
        )
    n: int | None = None
    if step is not None:
        try:
            n = min(len(lesson.steps), max(1, int(str(step).strip()[:4])))
        except ValueError:
            n = None
    return _bar_one(lesson, n, num_layers, "") + _bar_one(lesson, n, num_layers, "zh")


# First visit: open Start here, unless the page was opened on a screen (a shared link) or the visitor pressed
# "Skip"; ?lesson=KEY alone opens it too. Progress (the steps opened) is kept in this browser only.
DISMISSED = "lp-start-dismissed"  # localStorage key: "1" once the visitor skipped Start here
PROGRESS = "lp-lesson-progress"  # localStorage key: {"lesson key": [opened step numbers]}
HEAD = f"""<script>
(function () {{
  const read = () => {{ try {{ return JSON.parse(localStorage.getItem("{PROGRESS}") || "{{}}"); }}
                       catch (e) {{ return {{}}; }} }};
  const record = (key, step) => {{
    const all = read(); const done = new Set(all[key] || []); done.add(Number(step));
    all[key] = [...done].sort((a, b) => a - b);
    try {{ localStorage.setItem("{PROGRESS}", JSON.stringify(all)); }} catch (e) {{}}
  }};
  const mark = () => {{
    const all = read();
    document.querySelectorAll(".lp-lesson-link").forEach((a) => {{
      const done = (all[a.dataset.lesson] || []).includes(Number(a.dataset.step));
      if (a.classList.contains("lp-done") !== done) a.classList.toggle("lp-done", done);
    }});
    document.querySelectorAll(".lp-lesson-progress").forEach((s) => {{
      const n = (all[s.dataset.lesson] || []).length;
      const text = n ? "✓ " + n + "/" + s.dataset.steps : "";
      if (s.textContent !== text) s.textContent = text;  // unchanged: no mutation, no new round
    }});
  }};
  window.lpLessonProgress = read;
  const params = new URLSearchParams(window.location.search);
  try {{
    if (params.get("start") === "skip") localStorage.setItem("{DISMISSED}", "1");
    if (params.get("start") === "show") localStorage.removeItem("{DISMISSED}");
  }} catch (e) {{}}
  if (params.get("lesson") && params.get("step")) record(params.get("lesson"), params.get("step"));
  document.addEventListener("click", (e) => {{
    const a = e.target.closest && e.target.closest(".lp-lesson-link");
    if (a) record(a.dataset.lesson, a.dataset.step);
  }}, true);
  const screenKeys = [...params.keys()].filter((k) => k !== "lang" && k !== "mode");
  const lessonOnly = params.get("lesson") && !params.get("step") && !params.get("view");
  const first = screenKeys.length === 0 && localStorage.getItem("{DISMISSED}") !== "1";
  let tries = 0;
  const start = () => {{
    const tab = document.querySelector('button[role=tab][data-tab-id="start"]');
    if (tab) {{ if (tab.getAttribute("aria-selected") !== "true") tab.click(); }}
    else if (++tries < 600) setTimeout(start, 50);
  }};
  const ready = () => {{
    document.body.classList.toggle("lp-start-skipped", localStorage.getItem("{DISMISSED}") === "1");
    if (lessonOnly || first) start();
    let queued = false;
    new MutationObserver(() => {{
      if (queued) return; queued = true;
      setTimeout(() => {{ queued = false; mark(); }}, 200);
    }}).observe(document.body, {{ childList: true, subtree: true }});
    mark();
  }};
  // Gradio adds this script after the page has loaded, or before: run now, or once loaded
  if (document.readyState === "complete") ready(); else window.addEventListener("load", ready);
}})();
</script>"""


CSS = """
.lp-lessons { font-size: 19px; line-height: 1.55; }
.lp-lessons h3 { margin: 14px 0 4px 0; }
.lp-lessons li { margin: 6px 0; }
.lp-lesson-link, .lp-lesson-nav { margin-left: 6px; padding: 1px 10px; border-radius: 6px;
                  background: #4f46e5; color: white !important; text-decoration: none;
                  white-space: nowrap; font-size: 16px; }
.lp-lesson-link.lp-done::after { content: " ✓"; }
.lp-lesson-nav.lp-all, .lp-lesson-nav.lp-prev { background: #e0e7ff; color: #312e81 !important; }
.lp-lesson-progress { font-size: 15px; color: #059669; font-weight: normal; }
.lp-lesson-bar { font-size: 18px; line-height: 1.5; background: #eef2ff; border: 2px solid #6366f1;
                 border-radius: 8px; padding: 8px 12px; }
.lp-lesson-navs { margin-top: 6px; }
.lp-lesson-end { color: #059669; font-weight: 600; margin-left: 6px; }
.lp-start-skip a, .lp-start-again a { font-size: 16px; color: #4f46e5; }
.lp-start-again { display: none; }  /* Gradio scopes app CSS: the body rules repeat its depth to win */
body.lp-start-skipped .lp-start-skip,
body.lp-start-skipped .gradio-container .contain .lp-start-skip { display: none !important; }
body.lp-start-skipped .lp-start-again,
body.lp-start-skipped .gradio-container .contain .lp-start-again { display: block !important; }
.lp-lang-zh { display: none; }
.lp-lang-zh:lang(zh) { display: block; }  /* :lang() reads <html lang>, which Gradio sets */
.lp-lang-en:lang(zh) { display: none; }
body.lp-present .gradio-container .contain .lp-lessons { font-size: 29px; }
body.lp-present .gradio-container .contain .lp-lesson-bar { font-size: 28px; }
body.lp-present .gradio-container .contain .lp-lesson-link,
body.lp-present .gradio-container .contain .lp-lesson-nav { font-size: 24px; }
body.lp-present .gradio-container .contain .lp-cell-diagram { width: 100%; height: auto; }
"""
