"""Guided lessons for the "Start here" tab, without gradio: each lesson is a few steps, each step says what
to type, what to look at and asks a question; a step that needs a view carries a `Screen`, and its link is
the classroom link of that screen (`classroom.build_query`), so opening it restores the prompt, the view
and its settings exactly as a shared link does (playground/share.py restores it on page load).

Every text is given in English and Chinese; `lessons_html` writes both, and CSS shows the page's language.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace

from .classroom import Screen, build_query


@dataclass(frozen=True)
class Step:
    """One step: what to do, what to look at, a question; `screen` (None: no view) is what its link opens.
    A screen whose `iv` contains "{top}" gets the model's top layer (0-based) written in."""

    en: str
    zh: str
    ask_en: str
    ask_zh: str
    screen: Screen | None = None


@dataclass(frozen=True)
class Lesson:
    """A titled list of 3-5 steps."""

    key: str
    title_en: str
    title_zh: str
    steps: tuple[Step, ...]


STORY = "Once upon a time there was a little"
LESSONS = (
    Lesson(
        "next_word",
        "1. What does the model expect next?",
        "1. 模型预计下一个词是什么?",
        (
            Step(
                "Open the Next-word view with a story opening. The bars are the model's probabilities for "
                "the word that comes next.",
                "用一个故事开头打开“下一个词”视图。柱子是模型给下一个词的概率。",
                "Which word does the model find most likely? Would you have guessed it?",
                "模型认为哪个词最可能?你会猜到吗?",
                Screen(prompt=STORY, view="next_word"),
            ),
            Step(
                'Now the sentence stops after "the". Look at the uncertainty line above the bars.',
                "现在句子停在 “the” 之后。看柱子上方的不确定度(熵)。",
                "Is the model more or less sure than before? Why might that be?",
                "模型比刚才更确定还是更不确定?为什么?",
                Screen(prompt="She went to the", view="next_word"),
            ),
            Step(
                "Click one of the suggested words: it is added to your text and the bars change.",
                "点击一个候选词:它会加到你的文字里,柱子随之变化。",
                "After your click, did the top word become a word that often follows it?",
                "点击之后,排第一的词是否常常跟在你选的词后面?",
            ),
        ),
    ),
    Lesson(
        "temperature",
        "2. Temperature and surprise",
        "2. 温度与意外",
        (
            Step(
                "Generate with temperature 0: the model always takes its top word.",
                "用温度 0 生成:模型每次都选概率最高的词。",
                "Press Generate twice. Is the text the same both times?",
                "按两次“生成”。两次的文字一样吗?",
                Screen(prompt="The little dog ran to the", view="generate", temperature=0.0),
            ),
            Step(
                "Now temperature 1.5: unlikely words get a bigger share.",
                "现在用温度 1.5:不太可能的词分到更多概率。",
                "Does the text still make sense? Find a word the model found surprising (pale colour).",
                "文字还通顺吗?找一个模型觉得意外的词(颜色浅的)。",
                Screen(prompt="The little dog ran to the", view="generate", temperature=1.5, top_p=1.0),
            ),
            Step(
                "Temperature 0.8 with top-p 0.9: only the likeliest words that cover 90% are drawn.",
                "温度 0.8、top-p 0.9:只从覆盖 90% 概率的最可能词中抽取。",
                "Compared with 1.5, which setting would you use to write a story? Why?",
                "和 1.5 相比,你会用哪个设置来写故事?为什么?",
                Screen(prompt="The little dog ran to the", view="generate", temperature=0.8, top_p=0.9),
            ),
        ),
    ),
    Lesson(
        "forget_gate",
        "3. Watch the forget gate",
        "3. 观察遗忘门",
        (
            Step(
                "The Gates view shows the forget gate f_t of every unit (rows) at every word (columns): "
                "bright = keep the memory, dark = erase it.",
                "“门与记忆”视图显示每个单元(行)在每个词(列)上的遗忘门 f_t:亮 = 保留记忆,暗 = 擦除。",
                "At which word do many units go dark at once?",
                "在哪个词上,许多单元同时变暗?",
                Screen(prompt="The boy played in the garden. Then he went home and", view="gates", gate="f"),
            ),
            Step(
                "Equations & memory: the forget gate's number for one unit at one word, inside the cell "
                "diagram and the equation C_t = f_t * C_{t-1} + i_t * C~_t.",
                "“方程与记忆”:某个单元在某个词上的遗忘门数值,显示在细胞图和方程 "
                "C_t = f_t * C_{t-1} + i_t * C~_t 中。",
                "If f_t is near 1 and i_t near 0, how does C_t compare with C_{t-1}?",
                "如果 f_t 接近 1、i_t 接近 0,C_t 和 C_{t-1} 相比如何?",
                Screen(prompt="The boy played in the garden. Then he went home and", view="equations"),
            ),
            Step(
                "Intervene: pin f = 1 in the top layer, so its memory never forgets.",
                "干预:把顶层的 f 固定为 1,让它的记忆永不遗忘。",
                "Did the top word change? Does the generated text lose its thread?",
                "排第一的词变了吗?生成的文字是否跑题了?",
                Screen(
                    prompt="The boy played in the garden. Then he went home and",
                    view="intervene",
                    iv="layer:{top},target:f,value:1,units:all",
                ),
            ),
            Step(
                "Same prompt, but f = 0: every word wipes the top layer's memory.",
                "同一句话,但 f = 0:每个词都会擦除顶层的记忆。",
                "Which change is bigger, never forgetting or always forgetting? Why might that be?",
                "哪个变化更大:永不遗忘还是总是遗忘?为什么?",
                Screen(
                    prompt="The boy played in the garden. Then he went home and",
                    view="intervene",
                    iv="layer:{top},target:f,value:0,units:all",
                ),
            ),
        ),
    ),
    Lesson(
        "quote_cell",
        "4. Find a quote cell",
        "4. 找到引号单元",
        (
            Step(
                "Cell hunt ranks units by how well they separate words inside quotes from the rest.",
                "“单元搜寻”按单元区分引号内外词语的能力给单元排序。",
                "Which unit comes first, and how sure is the ranking (its score)?",
                "排第一的是哪个单元?排名分数有多高?",
                Screen(prompt='Mum said, "Come inside, it is going to rain," and we ran', view="cell_hunt"),
            ),
            Step(
                "Open that unit in Gates & memory (set the unit number): the text is shaded by its value.",
                "在“门与记忆”中打开这个单元(设置单元编号):文字按它的数值着色。",
                "Does the shading switch on at the opening quote and off at the closing one?",
                "着色是否在开引号处开始、在闭引号处结束?",
                Screen(
                    prompt='Mum said, "Come inside, it is going to rain," and we ran', view="gates", gate="c"
                ),
            ),
            Step(
                'Back in Cell hunt, press "Intervene on this unit" to switch it off.',
                "回到“单元搜寻”,按“对这个单元干预”把它关掉。",
                "Does the model still expect a closing quote?",
                "模型还预计会出现闭引号吗?",
            ),
        ),
    ),
)


def step_screen(step: Step, num_layers: int) -> Screen | None:
    """The screen a step opens for a model with `num_layers` layers ('{top}' = the top layer)."""
    if step.screen is None:
        return None
    return replace(step.screen, iv=step.screen.iv.replace("{top}", str(max(0, num_layers - 1))))


def step_link(step: Step, num_layers: int, lang: str = "") -> str:
    """'?prompt=...&view=...' for the step's screen ('' when it opens nothing); lang 'zh' keeps Chinese."""
    screen = step_screen(step, num_layers)
    return "" if screen is None else build_query(replace(screen, lang=lang))


def _lesson_html(lesson: Lesson, num_layers: int, lang: str, views: set[str] | None) -> str:
    zh = lang == "zh"
    esc = html.escape
    rows = []
    for n, step in enumerate(lesson.steps, 1):
        link = step_link(step, num_layers, lang)
        button = ""
        if link and (views is None or step.screen.view in views):
            label = "打开这个视图 →" if zh else "Open this view →"
            button = (
                f' <a class="lp-lesson-link" data-lesson="{lesson.key}" data-step="{n}" '
                f'href="{esc(link, quote=True)}">{label}</a>'
            )
        text, ask = (step.zh, step.ask_zh) if zh else (step.en, step.ask_en)
        rows.append(f"<li>{esc(text)}{button}<br><em>{'问题' if zh else 'Question'}: {esc(ask)}</em></li>")
    title = lesson.title_zh if zh else lesson.title_en
    head = f'<div class="lp-lesson" id="lesson-{lesson.key}-{lang or "en"}"><h3>{esc(title)}</h3>'
    return f"{head}<ol>{''.join(rows)}</ol></div>"


def lessons_html(num_layers: int, views: set[str] | None = None) -> str:
    """Every lesson in English and in Chinese (CSS shows the page's language); a step's link is left out
    when its view is not in `views` (e.g. Cell hunt on a GRU; None: every view exists)."""
    intro_en = (
        "New here? Pick a lesson. Each step opens the right view with a prompt already typed; read what "
        "the view shows, then answer the question. You can change the text at any time."
    )
    intro_zh = (
        "第一次来?选一课。每一步都会打开对应的视图并填好句子;"
        "看视图显示了什么,再回答问题。你随时可以修改文字。"
    )
    parts = []
    for lang, intro in (("en", intro_en), ("zh", intro_zh)):
        body = "".join(
            _lesson_html(lesson, num_layers, "zh" if lang == "zh" else "", views) for lesson in LESSONS
        )
        parts.append(f'<div class="lp-lessons lp-lang-{lang}"><p>{html.escape(intro)}</p>{body}</div>')
    return "".join(parts)


CSS = """
.lp-lessons { font-size: 19px; line-height: 1.55; }
.lp-lessons h3 { margin: 14px 0 4px 0; }
.lp-lessons li { margin: 6px 0; }
.lp-lesson-link { margin-left: 6px; padding: 1px 10px; border-radius: 6px; background: #4f46e5;
                  color: white !important; text-decoration: none; white-space: nowrap; font-size: 16px; }
.lp-lang-zh { display: none; }
.lp-lang-zh:lang(zh) { display: block; }  /* :lang() reads <html lang>, which Gradio sets */
.lp-lang-en:lang(zh) { display: none; }
body.lp-present .gradio-container .contain .lp-lessons { font-size: 29px; }
body.lp-present .gradio-container .contain .lp-lesson-link { font-size: 24px; }
body.lp-present .gradio-container .contain .lp-cell-diagram { width: 100%; height: auto; }
"""
