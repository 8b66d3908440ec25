"""The Start-here tab's screen as HTML, without gradio: every lesson with its steps (in English and in
Chinese; CSS shows the page's language), the lesson bar above the tabs, and the page's script that opens
Start here on a first visit and marks the steps opened. The lessons themselves (their format, files and
links) are in views/lessons.py."""

from __future__ import annotations

import html

from playground.text import worded
from playground.views.lessons import Lesson, step_link, step_screen


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


def bar_html(lesson: Lesson, n: int | None, num_layers: int, lang: str, unit: str = "word") -> str:
    """The lesson bar in one language: step `n` with its neighbours, or the lesson's overview (n None);
    its {unit} marks name what the model reads (`unit`)."""
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
        f'data-view="{view}">'
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
    return bar_html(lesson, n, num_layers, "", unit) + bar_html(lesson, n, num_layers, "zh", unit)


# First visit: open Start here, unless the page was opened on a screen (a shared link) or the visitor pressed
# "Skip"; ?lesson=KEY alone opens it too. Progress (the steps opened) is kept in this browser only.
DISMISSED = "lp-start-dismissed"  # localStorage key: "1" once the visitor skipped Start here
PROGRESS = "lp-lesson-progress"  # localStorage key: {"lesson key": [opened step numbers]}
SHOW_MS = 15_000  # how long a step's view is kept in sight while the page draws (a slow redraw: seconds)
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
    // Skip / show again take effect on the click itself, not only once the next page has run this script:
    // a visitor who leaves that page before it has loaded keeps the choice they clicked
    try {{
      if (e.target.closest && e.target.closest(".lp-start-skip a")) localStorage.setItem("{DISMISSED}", "1");
      if (e.target.closest && e.target.closest(".lp-start-again a")) localStorage.removeItem("{DISMISSED}");
    }} catch (err) {{}}
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
  // A step's view: once its tab is open, scroll (down only) until the first part of its main output
  // (the bar's data-main) is on screen below the lesson bar, which stays at the top (CSS); again while the
  // page grows above it, for SHOW_MS or until the visitor scrolls, types or clicks.
  const showStep = () => {{
    const until = Date.now() + {SHOW_MS};
    let stopped = false;
    const stop = () => {{ stopped = true; }};
    for (const kind of ["wheel", "touchstart", "keydown", "mousedown"])
      window.addEventListener(kind, stop, {{ once: true, passive: true }});
    const fit = () => {{
      if (stopped || Date.now() > until) return;
      const bar = document.querySelector("#lesson-bar .lp-lesson-bar[data-step]");
      const open = document.querySelector("button[role=tab][aria-selected=true]");
      const view = bar && bar.dataset.view;
      if (bar && open && open.dataset.tabId === view) {{
        const main = (bar.dataset.main && document.getElementById(bar.dataset.main))
          || document.querySelector(`button[role=tab][data-tab-id="${{view}}"]`);
        const box = main && main.getBoundingClientRect();
        if (box && box.height > 0) {{
          const over = document.getElementById("lesson-bar").getBoundingClientRect().height + 8;
          const shown = Math.min(box.height, window.innerHeight - over - 8);  // as much as fits
          const by = Math.min(box.top + shown - (window.innerHeight - 8), box.top - over);
          if (by > 1) window.scrollBy(0, by);
        }}
      }}
      setTimeout(fit, 200);
    }};
    fit();
  }};
  // The step's bar stays on screen while the page scrolls: CSS `sticky` holds it only within its parent
  // (the header and prompt), so once that has scrolled past, the bar is pinned (`lp-pinned`: fixed at the
  // top, at its own left and width) and a spacer keeps its place in the page; unpinned when scrolled back.
  const pinBar = () => {{
    const holder = document.getElementById("lesson-bar");
    if (!holder) return;
    let spacer = document.getElementById("lp-bar-spacer");
    if (!spacer) {{
      spacer = document.createElement("div"); spacer.id = "lp-bar-spacer"; holder.before(spacer);
    }}
    const pinned = holder.classList.contains("lp-pinned");
    const step = holder.querySelector(".lp-lesson-bar[data-step]");
    const want = !!step && (pinned ? spacer : holder).getBoundingClientRect().top < 0;
    if (want && !pinned) {{
      const r = holder.getBoundingClientRect();
      spacer.style.height = r.height + "px";
      holder.style.left = r.left + "px"; holder.style.width = r.width + "px";
      holder.classList.add("lp-pinned");
    }} else if (!want && pinned) {{
      holder.classList.remove("lp-pinned");
      spacer.style.height = ""; holder.style.left = ""; holder.style.width = "";
    }} else if (want) spacer.style.height = holder.getBoundingClientRect().height + "px";
  }};
  window.addEventListener("scroll", pinBar, {{ passive: true }});
  window.addEventListener("resize", () => {{
    const holder = document.getElementById("lesson-bar");
    if (holder && holder.classList.contains("lp-pinned")) {{  // re-measure at the new width
      holder.classList.remove("lp-pinned"); holder.style.left = ""; holder.style.width = "";
      const spacer = document.getElementById("lp-bar-spacer"); if (spacer) spacer.style.height = "";
    }}
    pinBar();
  }});
  const ready = () => {{
    document.body.classList.toggle("lp-start-skipped", localStorage.getItem("{DISMISSED}") === "1");
    if (lessonOnly || first) start();
    if (params.get("lesson") && params.get("step")) showStep();
    let queued = false;
    new MutationObserver(() => {{
      if (queued) return; queued = true;
      setTimeout(() => {{ queued = false; mark(); pinBar(); }}, 200);
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
/* a step's bar stays at the top while the page scrolls to its view (HEAD's showStep), at most 40% high */
#lesson-bar:has(.lp-lesson-bar[data-step]) { position: sticky; top: 0; z-index: 50; }
#lesson-bar.lp-pinned { position: fixed !important; top: 0; z-index: 50; }
#lesson-bar .lp-lesson-bar[data-step] { max-height: 40vh; overflow-y: auto;
                                        box-shadow: 0 2px 6px rgba(0, 0, 0, 0.15); }
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
