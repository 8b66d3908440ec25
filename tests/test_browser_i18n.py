"""Issue 17, the Chinese interface, in a real browser: the page's one language switch (#lp-lang) relabels
every tab at once (none visited), and the translated views show no English outside an allow-list (the
model's own words, words in quotes, numbers, symbols and proper names such as LSTM); the switch back leaves
no Chinese on them.

Views walked (WALKED), each with its main action pressed (ACTIONS) so that the text the server computes
is on screen, and a plot title of each checked in Chinese (PLOT_TITLES). Train your own trains a built-in
teaching text for 10 s (its sample and tries are the model's text, left out like the model's words).
Gradio's own words (an upload box's) follow the switch both ways, whichever language the box was first
drawn in."""

from __future__ import annotations

import re

import pytest
from browser_kit import chromium, new_page, serve
from conftest import WORDS

from playground.i18n import EN, ZH
from playground.tabs.learn import EXAMPLES
from playground.views.cell_hunt import DEFAULT_TEXT
from playground.views.next_word import DEFAULT_PROMPT

pytestmark = pytest.mark.browser

WALKED = ("start", "next_word", "generate", "gates", "equations", "learn", "surprisal", "gradient",
          "counterfactual", "compare", "units", "intervene", "cell_hunt", "class", "live")  # fmt: skip
# A view's main action, pressed after it opens so that its computed text is on screen: the button's selector
# (Counterfactual takes the page's prompt, whose words the tiny model knows: its default pair has words it
# does not, shown as "a rare word", which is still English in a Chinese page)
ACTIONS = {
    "generate": "#generate-button",
    "units": "#units-search",
    "intervene": "#intervene-button",
    "cell_hunt": "#cell-hunt-button",
    "class": ("#class-open", "#class-push"),
    "counterfactual": "#counterfactual-copy",
    "compare": "#probe-run",
}
# (view, a plot title's selector, the key of its Chinese text): titles are SVG text, checked one by one
PLOT_TITLES = [
    ("surprisal", "#surprisal-bars .gtitle", "sur.title"),
    ("generate", "#gen-reshaping .gtitle", "gen.drawn"),
    ("gradient", "#gradient-prompt .gtitle", "grad.title"),
    ("units", "#units-lines .gtitle", "units.lines_title"),
    ("intervene", "#intervene-heatmap .gtitle", "iv.heat_title"),
    ("cell_hunt", "#cell-hunt-scatter .gtitle", "hunt.scatter_title"),
    ("counterfactual", "#counterfactual-lines .gtitle", "cf.lines_title"),
    ("compare", "#compare-surprisal .gtitle", "cmp.surprisal_title"),
    ("live", "#live-curve .gtitle", "live.curve_title"),
]
PROPER = {
    "LSTM",
    "GRU",
    "RNN",
    "API",
    "PyTorch",
    "Playground",
    "WikiText",
    "wikitext",
    "Karpathy",
    "CSV",
    "Top",
    "top",
    "softmax",
    "tanh",
    "unk",
    "eos",
    "English",
    "Paris",
    "ih",
    "hh",
    "log",
    "KL",
    "AUC",
    "max",
    "NPZ",
    "JSON",
    "PNG",
    "UTF",
    "txt",
    "zip",
    "MB",
}  # fmt: skip  (ih, hh: PyTorch's weight names W_ih, b_hh in the equations)
# The model's English, which stays English in a Chinese page: its vocabulary, the example prompts, the
# placeholder's example sentence, the default prompt and the text Cell hunt reads (shown shaded).
MODEL_TEXT = " ".join(
    [*WORDS, *(p for _, p in EXAMPLES), EN["prompt.placeholder"], DEFAULT_PROMPT, DEFAULT_TEXT]
)
# Chinese an English page may show: the switch's own label. Gradio's own words (the file box's
# "将文件拖放到此处") must follow the switch back too (classroom/language.py swaps them after each switch)
KEPT_ZH = {"中文"}
# Gradio 6's own words in an upload box, in its en and zh-CN dictionaries (Train your own's file box)
UPLOAD_WORDS = {
    "en": ["Drop File Here", "- or -", "Click to Upload"],
    "zh": ["将文件拖放到此处", "- 或 -", "点击上传"],
}
ALLOWED = PROPER | {w.lower() for w in re.findall(r"[A-Za-z]+", MODEL_TEXT)}

VISIBLE_TEXT = r"""() => {
  const shown = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden') return false;
    }
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const text = node.nodeValue.trim();
    const el = node.parentElement;
    // a room code (.lp-room-code) is random letters, a Live Lab sample or try the model's text, a <code> or
    // the Live Lab's command box (#live-command's editor) a command to type: not English
    const skip = 'script, style, code, .katex-mathml, .visually-hidden, .lp-room-code, #live-sample, '
      + '#live-try-out, #live-command .cm-content';
    if (!text || !el || el.closest(skip)) continue;
    if (shown(el)) out.push(text);
  }
  for (const e of document.querySelectorAll('input[placeholder], textarea[placeholder]'))
    if (e.placeholder && shown(e)) out.push(e.placeholder);
  return out;
}"""


def english_words(texts: list[str]) -> list[str]:
    """Words of two or more Latin letters that are not allowed in a Chinese page; quoted words are the
    model's (“boy”, 'the')."""
    found = []
    for text in texts:
        text = re.sub(r"“[^”]*”|\"[^\"]*\"|'[^']*'", " ", text)
        text = re.sub(r"[A-Za-z]+(?=\.\.\.$|…$)", " ", text)  # a shortened example prompt's last word
        text = re.sub(r"\b[A-Za-z_]+(?:\.[A-Za-z_]+)+", " ", text)  # code: pandas.read_csv, numpy.load
        text = re.sub(r"`[^`]*`", " ", text)  # a command to type: `lstmlm index --model DIR`
        text = re.sub(r"房间 [A-Z0-9]{4,8}\b", " ", text)  # a class-game room's code: "关闭房间 BSDRX，..."
        found += [
            w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED and w.lower() not in ALLOWED
        ]
    return found


def test_english_words_finds_english_and_allows_model_words():
    assert english_words(["下一个词 the cat (2 × 8 LSTM)", "问题：“boys” 还是 “boy”？"]) == []
    assert english_words(["用 pandas.read_csv 读取", "用 `lstmlm index --model DIR` 构建"]) == []
    assert english_words(["What comes next?", "第 1 层 (bottom)"]) == ["What", "comes", "next", "bottom"]
    assert english_words(["关闭房间 BSDRX，另开一个新房间"]) == []  # a room's code, named as such
    assert english_words(["Room BSDRX"]) == ["Room", "BSDRX"]


def _tips(page) -> dict[str, str]:
    """{tab.<id>: the tooltip (title) of its button} for every tab button shown."""
    found = page.evaluate(
        "() => [...document.querySelectorAll('.tab-container:not(.visually-hidden) button[role=tab]')]"
        ".map(b => [b.getAttribute('data-tab-id'), b.title])"
    )
    assert found and all(title for _, title in found), found  # every tab has its tooltip
    return {f"tab.{i}": title for i, title in found}  # (a word model: its first view is next_word)


def _train_live(page) -> None:
    """Train your own: pick a teaching text (its Chinese name), a 10 s budget, press Train and wait until
    it has finished (the progress line, its sample, curve, snapshots and what-changed table drawn)."""
    if page.locator("#live-status").inner_text().strip():
        return  # trained already (the tab is opened again for its plot title)
    page.locator("#live-teaching input").click()
    page.get_by_role("option", name=ZH["live.teach.anbn"]).click()
    page.wait_for_function("() => document.querySelector('#live-text textarea')?.value.length > 100")
    seconds = page.locator("#live-seconds input[type=number]")
    seconds.fill("10")
    seconds.press("Enter")
    page.locator("#live-train").click()
    done = ZH["live.state.done"]
    page.wait_for_function(
        "(w) => (document.querySelector('#live-status')?.textContent || '').includes(w)", arg=done,
        timeout=180_000,
    )  # fmt: skip


def _open(page, tab_id: str) -> None:
    page.locator(f'button[role=tab][data-tab-id="{tab_id}"]').click()
    page.wait_for_timeout(300)
    if tab_id == "live":
        _train_live(page)
    steps = ACTIONS.get(tab_id, ())
    if tab_id == "class" and not page.locator("#class-open").is_visible():
        page.locator("#class-teacher .label-wrap").click()  # Open sits in the teacher's accordion
    for selector in (steps,) if isinstance(steps, str) else steps:
        page.locator(selector).click()
        page.wait_for_timeout(300)


def _settled(page, check, timeout_s: float = 40.0) -> list[str]:
    """Poll the visible text until `check(texts)` is empty (views redraw after a switch); its last value."""
    left = []
    for _ in range(int(timeout_s / 0.5)):
        left = check(page.evaluate(VISIBLE_TEXT))
        if not left:
            return left
        page.wait_for_timeout(500)
    return left


def _switch(page, zh: bool) -> None:
    """Press the page's language switch and wait until the page is in Chinese (`zh`) or English."""
    page.locator("#lp-lang").click()
    page.wait_for_function("(zh) => document.documentElement.lang.startsWith('zh') === zh", arg=zh)


def _upload_words(page, lang: str) -> None:
    """Wait until Train your own's file box shows Gradio's upload words in `lang` (fails on a timeout)."""
    page.wait_for_function(
        "(words) => { const t = document.querySelector('#live-upload')?.innerText || '';"
        " return words.every((w) => t.includes(w)); }",
        arg=UPLOAD_WORDS[lang],
        timeout=20_000,
    )


def test_one_switch_translates_the_page_and_back(tiny_model):
    with serve(tiny_model) as url, chromium() as browser:
        page = new_page(browser, timeout_ms=90_000)
        page.goto(url + "?view=next_word&prompt=the+cat+sat+on+the")
        page.wait_for_selector("#next-word-chart .ytick text")
        _switch(page, zh=True)

        # every tab label switched, though no tab but Next word was ever shown
        tab_keys = [k for k in EN if k.startswith("tab.")]
        labels = page.locator(".tab-container:not(.visually-hidden) button[role=tab]").all_inner_texts()
        chinese = {ZH[k] for k in tab_keys}
        assert labels and all(label.strip() in chinese for label in labels if label.strip()), labels
        assert _tips(page) == {k: ZH["tip." + k[4:]] for k in _tips(page)}  # the technical term, in Chinese

        for tab_id in WALKED:
            _open(page, tab_id)
            left = _settled(page, english_words)
            assert not left, f"English on the Chinese {tab_id} view: {left}"
        _open(page, "gates")  # a plot title, drawn by the server in the page's language
        page.wait_for_function(
            "() => document.querySelector('#gates-heatmap .gtitle')?.textContent.includes('第 1 层')"
        )
        for tab_id, selector, key in PLOT_TITLES:
            _open(page, tab_id)
            want = ZH[key].split("{")[0]
            page.wait_for_function(
                "([s, w]) => document.querySelector(s)?.textContent.includes(w)", arg=[selector, want]
            )

        _switch(page, zh=False)
        labels = page.locator(".tab-container:not(.visually-hidden) button[role=tab]").all_inner_texts()
        assert all(label.strip() in {EN[k] for k in tab_keys} for label in labels if label.strip()), labels
        assert _tips(page) == {k: EN["tip." + k[4:]] for k in _tips(page)}
        han = re.compile(r"[\u4e00-\u9fff]")
        for tab_id in WALKED:
            _open(page, tab_id)
            left = _settled(page, lambda texts: [t for t in texts if han.search(t) and t not in KEPT_ZH])
            assert not left, f"Chinese left on the English {tab_id} view: {left}"


def test_gradio_words_follow_the_switch_both_ways(tiny_model):
    """Gradio draws an upload box's words once, in the language of the moment it is first shown: a box
    first shown in English reads Chinese after the switch and English again after the switch back; a box
    first shown in Chinese, the reverse."""
    with serve(tiny_model) as url, chromium() as browser:
        for first, other in (("en", "zh"), ("zh", "en")):
            page = new_page(browser, timeout_ms=90_000)
            page.goto(url + f"?lang={first}")
            page.wait_for_function(
                "(z) => document.documentElement.lang.startsWith('zh') === z", arg=first == "zh"
            )
            page.locator('button[role=tab][data-tab-id="live"]').click()
            _upload_words(page, first)
            _switch(page, zh=other == "zh")
            _upload_words(page, other)
            _switch(page, zh=first == "zh")
            _upload_words(page, first)
            page.context.close()
