"""Bad input on Cell hunt, Change one word, Equations and Compare's probes is said in the view's result
area (a yellow notice with a stable id, in the page's language) and the previous result is cleared, as
Intervene does (#intervene-cannot). Before, these views raised gr.Error: a bare red "Error" stamped on every
output and the reason only in a toast, the last result left under it.

The calls go through the running app as the page sends them (queue/join with the event's fn_index: the
views' events are private, not API endpoints), on a word model whose vocabulary has no <unk> (a model
wrapped from another toolkit), so a word it lacks is refused too. The browser test checks the page: no
error badge, no toast, the notice visible, the last result gone."""

from __future__ import annotations

import html
import json
import urllib.request
import uuid
from contextlib import contextmanager

import pytest
import torch
from conftest import launch_app

from lstmlm import load_model, save_model
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.vocab import Vocab

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
WORDS = ["<eos>", "the", "cat", "dog", "sat", "ran", "on", "mat", ".", "(", ")", '"']
GOOD = 'the cat sat on the mat . the dog ran ( on the mat ) . " the cat " sat .'
UNREADABLE = "the zebra sat"  # "zebra" is not in WORDS, and there is no <unk> to read it as
# what the library says (lstmlm's messages), in each language: the Chinese is written out from
# playground/text/library.py
ZEBRA = {
    "en": '"zebra" is not in this model\'s vocabulary, and the vocabulary has no <unk> to stand for unknown '
    "words (it came from a toolkit without one): use only words the model knows (its vocab.txt lists all 12)",
    "zh": '"zebra" 不在这个模型的词表中，而词表里没有代替未知词的 <unk>（模型来自一个没有它的工具包）：'
    "请只用模型认识的词（它的 vocab.txt 列出了全部 12 个）",
}
TWO_WORDS = {"en": "give a text of at least 2 words to hunt over", "zh": "请给出至少 2 个词的文本来搜索"}
EMPTY_A = {"en": "prompt A is empty: type a few words", "zh": "文本 A 是空的：请输入几个词"}
CANNOT = {  # each view's words before the reason
    "cell-hunt": {"en": "Cannot hunt: ", "zh": "无法寻找："},
    "counterfactual": {"en": "Cannot compare these prompts: ", "zh": "无法比较这两段文本："},
    "equations": {"en": "Cannot show these equations: ", "zh": "无法显示这些方程："},
}


@pytest.fixture(scope="module")
def no_unk_dir(tmp_path_factory):
    """An untrained 2-layer, 8-unit word LSTM whose vocabulary (WORDS) has no <unk>."""
    out = tmp_path_factory.mktemp("refusals") / "model"
    torch.manual_seed(0)
    config = ModelConfig(vocab_size=len(WORDS), embed_dim=8, hidden_dim=8, num_layers=2, dropout=0.0)
    save_model(out, LanguageModel(config).eval(), Vocab(WORDS))
    return out


@pytest.fixture(scope="module")
def app(no_unk_dir):
    """The playground on that model: (base URL, the page's config)."""
    from playground.app import build_app

    demo = build_app(load_model(no_unk_dir), model_dir=no_unk_dir)
    base = launch_app(demo).rstrip("/")
    try:
        with OPENER.open(f"{base}/config", timeout=30) as r:
            yield base, json.loads(r.read())
    finally:
        demo.close()


def event(config: dict, elem_id: str, trigger: str = "click") -> dict:
    """The page's event that `trigger` on the component `elem_id` runs."""
    component = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id)
    return next(d for d in config["dependencies"] if [component, trigger] in d["targets"])


def press(
    app: tuple, elem_id: str, data: list, lang: str = "en", session: str = "", trigger: str = "click"
) -> list:
    """Run the event behind `trigger` on `elem_id` with the inputs `data` as the page does (queue/join, then
    the session's event stream; `session`: a page's, whose States carry over; "": a new one), on a page in
    `lang`; its outputs. Fails on a Gradio error (an "Error" badge)."""
    base, config = app
    dep, session = event(config, elem_id, trigger), session or uuid.uuid4().hex
    body = {"data": data, "fn_index": dep["id"], "session_hash": session, "event_data": None,
            "trigger_id": dep["targets"][0][0]}  # fmt: skip
    req = urllib.request.Request(
        f"{base}/gradio_api/queue/join",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "cookie": f"lp_lang={lang}"},
    )
    OPENER.open(req, timeout=30).read()
    with OPENER.open(f"{base}/gradio_api/queue/data?session_hash={session}", timeout=60) as r:
        for raw in r:
            line = raw.decode().strip()
            message = json.loads(line[5:]) if line.startswith("data:") else {}
            if message.get("msg") == "process_completed":
                assert message["success"], f"{elem_id}: a Gradio error: {message['output']}"
                return message["output"]["data"]
    raise AssertionError(f"{elem_id}: the event never completed")


def notice(view: str, reason: str, lang: str) -> str:
    """The notice a view shows for `reason`, as HTML."""
    return f'<div class="lp-notice" id="{view}-cannot">{html.escape(CANNOT[view][lang] + reason)}</div>'


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_cell_hunt_says_why_and_clears_the_last_hunt(app, lang):
    # the inputs: text, track, regex, over, signal; a good hunt fills every output first
    summary, units, shaded, scatter, _ = press(app, "cell-hunt-button", [GOOD, "paren", "", "text", "both"])
    assert "lp-hunt-table" in summary and units["choices"] and "cell-hunt-shaded" in shaded and scatter
    refused = {
        "the": TWO_WORDS[lang],  # one word
        UNREADABLE: ZEBRA[lang],
    }
    for text, reason in refused.items():
        summary, units, shaded, scatter, _ = press(
            app, "cell-hunt-button", [text, "paren", "", "text", "both"], lang
        )
        assert summary == notice("cell-hunt", reason, lang)
        assert (units["choices"], units["value"], shaded, scatter) == ([], None, "", None)
    summary = press(app, "cell-hunt-button", [GOOD, "regex", "(", "text", "both"], lang)[0]
    assert 'id="cell-hunt-cannot"' in summary and "(" in summary and "lp-hunt-table" not in summary


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_unit_of_a_hunt_whose_text_was_emptied_says_why(app, lang):
    """Hunt, empty the text, then pick a unit or press "Intervene on this unit": both read the hunt again
    and say why they cannot where the unit's picture was (the scatter cleared); nothing opens."""
    page = uuid.uuid4().hex  # one page: the hunt's State (what was hunted) carries over
    units = press(app, "cell-hunt-button", [GOOD, "paren", "", "text", "both"], lang, page)[1]
    key = units["choices"][1][1]
    said = {"en": "Cannot show this unit: ", "zh": "无法显示这个单元："}[lang] + TWO_WORDS[lang]
    shown = f'<div class="lp-notice" id="cell-hunt-cannot">{html.escape(said)}</div>'
    assert press(app, "cell-hunt-units", ["the", None, key], lang, page, "input") == [shown, None]
    *opened, shaded, scatter = press(app, "cell-hunt-intervene", ["the", None, key], lang, page)
    assert (shaded, scatter) == (shown, None)
    # no tab opened, no control set: skips (the State `active` comes back as None)
    assert all(
        u is None or (u["__type__"] == "update" and not {"value", "selected"} & set(u)) for u in opened
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_change_one_word_says_why_and_clears_the_last_comparison(app, lang):
    summary, *charts = press(app, "counterfactual-button", ["the cat sat", "the dog sat", 0])
    assert 'id="counterfactual-text"' in summary and all(charts)  # a good comparison fills every chart
    for a, b, reason in (("", "the cat", EMPTY_A[lang]), (UNREADABLE, "the cat sat", ZEBRA[lang])):
        summary, *charts = press(app, "counterfactual-button", [a, b, 0], lang)
        assert summary == notice("counterfactual", reason, lang)
        assert charts == [None, None, None, None]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_equations_say_why_and_clear_the_last_drawing(app, lang):
    # the inputs: prompt, layer, step, unit, mode; the outputs: step menu, equations, diagram, the two
    # memory plots, then the link's word and prompt (States: not sent)
    step, equations, cell, stack, horizon, *_ = press(app, "diagram-back", ["the cat sat", 0, None, 0, "one"])
    assert [c[1] for c in step["choices"]] == [0, 1, 2] and "f_t" in equations and "<svg" in cell
    assert stack and horizon
    step, equations, cell, stack, horizon, *_ = press(
        app, "diagram-back", [UNREADABLE, 0, None, 0, "one"], lang
    )
    assert equations == notice("equations", ZEBRA[lang], lang)
    assert (step["choices"], step["value"], cell, stack, horizon) == ([], None, "", None, None)


def test_compare_probe_without_a_probe_says_which(app):
    _, config = app
    if not any(c.get("props", {}).get("elem_id") == "probe-run" for c in config["components"]):
        pytest.skip("no Compare tab for this model")
    figure, note = press(app, "probe-run", [None])
    assert figure is None and note.startswith('<div class="lp-notice" id="probe-cannot">choose one of')


@contextmanager
def _no_toasts(page):
    """Close the toasts shown so far (the prompt's own unknown-word warning), run the block, then fail if
    a toast came up meanwhile."""
    for close in page.locator(".toast-close").all():
        close.click()
    page.wait_for_function("() => !document.querySelector('.toast-body')", timeout=10_000)
    yield
    page.wait_for_timeout(1500)  # a toast comes with the answer: give it time to show
    assert page.locator(".toast-body").count() == 0, page.locator(".toast-body").all_inner_texts()


@pytest.mark.browser
def test_browser_notices_instead_of_error_badges(no_unk_dir):
    from browser_kit import chromium, new_page, serve

    model = load_model(no_unk_dir)
    errors = ".error"  # Gradio's status tracker over an output that failed: the red "Error" badge
    with serve(model, model_dir=no_unk_dir) as url, chromium() as browser:
        page = new_page(browser, timeout_ms=40_000)
        page.goto(url + "?view=cell_hunt")

        # Cell hunt: a good hunt, then a one-word text
        page.locator('button[role=tab][data-tab-id="cell_hunt"]').click()
        page.locator("#cell-hunt-text textarea").fill(GOOD)
        page.locator("#cell-hunt-button").click()
        page.wait_for_selector("#cell-hunt-shaded")
        with _no_toasts(page):
            page.locator("#cell-hunt-text textarea").fill("the")
            page.locator("#cell-hunt-button").click()
            page.wait_for_selector("#cell-hunt-cannot", state="visible")
        assert TWO_WORDS["en"] in page.locator("#cell-hunt-cannot").inner_text()
        assert page.locator("#cell-hunt-shaded, #cell-hunt-scatter .js-plotly-plot").count() == 0
        assert page.locator("#cell-hunt-units input").count() == 0
        assert page.locator(errors).count() == 0

        # Change one word: a good comparison, then an empty prompt A
        page.locator('button[role=tab][data-tab-id="counterfactual"]').click()
        page.locator("#prompt-a textarea").fill("the cat sat")
        page.locator("#prompt-b textarea").fill("the dog sat")
        page.locator("#counterfactual-button").click()
        page.wait_for_selector("#counterfactual-text")
        with _no_toasts(page):
            page.locator("#prompt-a textarea").fill("")
            page.locator("#counterfactual-button").click()
            page.wait_for_selector("#counterfactual-cannot", state="visible")
        assert "prompt A is empty" in page.locator("#counterfactual-cannot").inner_text()
        charts = "#counterfactual-lines, #counterfactual-bars, #counterfactual-moved, #counterfactual-heatmap"
        assert page.locator(f"#counterfactual-text, :is({charts}) .js-plotly-plot").count() == 0
        assert page.locator(errors).count() == 0

        # Equations: drawn for a good prompt, then a word the model cannot read (typing it warns in a
        # toast from the views that follow the prompt: closed before the view's own step button)
        page.locator("#prompt textarea").fill("the cat sat")
        page.locator('button[role=tab][data-tab-id="equations"]').click()
        page.wait_for_selector("#cell-diagram svg.lp-cell-diagram")
        page.locator("#prompt textarea").fill(UNREADABLE)
        page.wait_for_selector("#equations-cannot", state="visible")
        with _no_toasts(page):
            page.locator("#diagram-back").click()
            page.wait_for_timeout(500)
        assert "zebra" in page.locator("#equations-cannot").inner_text()
        gone = "#cell-diagram svg, #memory-stack .js-plotly-plot, #memory-horizon .js-plotly-plot"
        assert page.locator(gone).count() == 0
        assert page.locator(errors).count() == 0
