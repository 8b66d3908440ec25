"""The app's listeners cannot feed one another (issue 12, fault 0), read from the built app's config.

Gradio 6's frontend, when a deferred `always_last` call ends, re-dispatches the whole event: every listener
of that trigger runs again. Two listeners on one trigger, one of them `always_last`, therefore re-queue each
other for as long as their calls overlap; eight on the prompt kept a page sending requests after typing
stopped. tests/test_browser_typing.py watches a real page; these tests check the wiring without a browser.
"""

from __future__ import annotations

from collections import defaultdict

import gradio as gr
import torch

from playground.tabs import TabView, follow_prompt


def _config(model):
    from playground.app import build_app

    demo = build_app(model)
    return demo, demo.get_config_file()


def _prompt_id(cfg) -> int:
    return next(c["id"] for c in cfg["components"] if c.get("props", {}).get("elem_id") == "prompt")


def test_an_always_last_listener_is_alone_on_its_trigger(tiny_model):
    _, cfg = _config(tiny_model)
    by_trigger = defaultdict(list)
    for dep in cfg["dependencies"]:
        for target, event in dep["targets"]:
            if target is not None:  # .then() chains are not events a page re-dispatches
                by_trigger[(target, event)].append(dep)
    shared = {
        trigger: [d["id"] for d in deps]
        for trigger, deps in by_trigger.items()
        if len(deps) > 1 and any(d["trigger_mode"] == "always_last" and d["backend_fn"] for d in deps)
    }
    assert shared == {}, f"(component, event): listeners that would re-trigger one another: {shared}"


def test_the_prompt_has_one_listener_and_it_never_writes_the_prompt(tiny_model):
    _, cfg = _config(tiny_model)
    prompt = _prompt_id(cfg)
    listeners = [d for d in cfg["dependencies"] if any(t[0] == prompt for t in d["targets"])]
    assert [(t[1], d["trigger_mode"]) for d in listeners for t in d["targets"]] == [("change", "always_last")]
    assert prompt not in listeners[0]["outputs"]  # a write would be a change, and so another call


def test_one_redraw_draws_the_open_view_and_the_next_word_chart(tiny_model):
    demo, cfg = _config(tiny_model)
    prompt = _prompt_id(cfg)
    dep = next(d for d in cfg["dependencies"] if (prompt, "change") in map(tuple, d["targets"]))
    redraw = demo.fns[dep["id"]].fn
    by_id = {c._id: c for c in demo.blocks.values()}
    inputs = [by_id[i] for i in dep["inputs"]]
    defaults = [c.value for c in inputs]
    text = "the cat sat on the"
    active = next(i for i, c in enumerate(inputs) if isinstance(c, gr.State))

    def run(tab: str) -> dict:
        values = list(defaults)
        values[inputs.index(next(c for c in inputs if c._id == prompt))] = text
        values[active] = tab
        out = redraw(*values)
        assert len(out) == len(dep["outputs"])
        return {by_id[i].elem_id: v for i, v in zip(dep["outputs"], out, strict=True) if by_id[i].elem_id}

    on_words = run("next_word")
    # the chart's top bar is the model's own most likely word (its forward, not the app's code)
    enc = tiny_model.vocab.encode_text(text)
    with torch.no_grad():
        features, _ = tiny_model(torch.tensor([tiny_model.vocab.eos_id, *enc.ids]).unsqueeze(1))
        best = tiny_model.vocab.decode([int(tiny_model.log_probs(features[-1, 0]).argmax())])[0]
    bars = on_words["next-word-chart"].data[0]
    assert bars.y[list(bars.x).index(max(bars.x))] == best
    skip = gr.skip()
    assert on_words["gates-heatmap"] == skip and on_words["surprisal"] == skip  # closed views are left
    on_gates = run("gates")
    assert on_gates["gates-heatmap"] != skip and on_gates["surprisal"] == skip
    assert on_gates["next-word-chart"] != skip  # the chart follows the typing on every tab
    assert on_gates["export-csv"].visible is False  # a new prompt hides the stale trace files


def test_a_failing_view_leaves_its_outputs_and_the_others_still_draw():
    def broken(text: str) -> str:
        raise RuntimeError("this view is broken")

    with gr.Blocks():
        prompt = gr.Textbox()
        a, b = gr.HTML(), gr.HTML()
        views = {
            "broken": TabView(gr.Tab("x"), broken, [prompt], [a]),
            "upper": TabView(gr.Tab("y"), str.upper, [prompt], [b]),
        }
        redraw, inputs, outputs = follow_prompt(prompt, views)
    assert inputs == [prompt] and outputs == [a, b]
    assert redraw("the cat") == (gr.skip(), "THE CAT")
