"""The Gates tab traces a prompt once per change of prompt or layer (issue 13): its handlers share the traced
layer through the page's `LayerTrace`, and draw the same pictures as from a fresh trace."""

from __future__ import annotations

import gradio as gr
import pytest

from playground.tabs import gates
from playground.views.gates import trace_layer

PROMPT = "the cat sat on the mat . the dog"


@pytest.fixture()
def traces(monkeypatch) -> list[int]:
    """The layers traced by the tab's handlers, one entry per trace."""
    calls: list[int] = []

    def counted(model, prompt, layer):
        calls.append(layer)
        return trace_layer(model, prompt, layer)

    monkeypatch.setattr(gates, "trace_layer", counted)
    return calls


def test_one_trace_feeds_every_handler(tiny_model, traces):
    *drawn, cache = gates.update(tiny_model, PROMPT, 1, "f", "index", 0)
    assert traces == [1]
    note, heat, cache = gates.update_heatmap(tiny_model, PROMPT, 1, "f", "variance", cache)
    top, cache = gates.top_unit(tiny_model, PROMPT, 1, "f", "variance", cache)
    words, lines, cache = gates.update_unit(tiny_model, PROMPT, 1, "f", top, cache)
    *redrawn, cache = gates.update(tiny_model, PROMPT, 1, "i", "index", 3, cache)  # another gate
    assert traces == [1]
    # the same pictures as from a trace of their own
    fresh_note, fresh_heat, _ = gates.update_heatmap(tiny_model, PROMPT, 1, "f", "variance", None)
    fresh_words, fresh_lines, _ = gates.update_unit(tiny_model, PROMPT, 1, "f", top, None)
    assert (note, heat.to_dict(), words, lines.to_dict()) == (
        fresh_note,
        fresh_heat.to_dict(),
        fresh_words,
        fresh_lines.to_dict(),
    )
    assert traces == [1, 1, 1]


def test_a_new_prompt_or_layer_is_traced_again(tiny_model, traces):
    *_, cache = gates.update(tiny_model, PROMPT, 0, "f", "index", 0)
    *_, cache = gates.update_heatmap(tiny_model, PROMPT + " ran", 0, "f", "index", cache)
    *_, cache = gates.update_unit(tiny_model, PROMPT + " ran", 1, "f", 2, cache)
    assert traces == [0, 0, 1]
    assert (cache.text, cache.layer) == (PROMPT + " ran", 1)


def test_the_prompt_listener_traces_once_and_hands_the_trace_on(tiny_model, traces):
    with gr.Blocks():
        prompt, active = gr.Textbox(), gr.State("gates")
        view = gates.build(tiny_model, prompt, active)
    assert isinstance(view.outputs[-1], gr.State)
    out = view.refresh_fn(PROMPT, 0, "f", "index", 0, "gates")
    assert len(out) == len(view.outputs) and traces == [0]
    gates.top_unit(tiny_model, PROMPT, 0, "f", "index", out[-1])
    assert traces == [0]
    assert view.refresh_fn(PROMPT, 0, "f", "index", 0, "next_word") == (gr.skip(),) * len(view.outputs)
