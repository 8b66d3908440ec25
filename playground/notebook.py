"""The playground in a Jupyter notebook: each view's figure inline, without a server, and the whole app
inline when you want it.

    from playground.notebook import show, launch
    show("The cat sat on the")                                   # next-word bars, the default model
    show("The cat sat on the mat .", view="gates", gate="f", layer=1)
    show("The cat sat on the mat .", view="unit", unit=12, model="wikitext2-gru")
    demo = launch()                                              # the app in an iframe below the cell

`show` returns a plotly Figure: the last expression of a cell renders inline (elsewhere call `.show()`
on it, or `.write_html(path)`). The same figures as the app's, computed by the same functions; gradio is
imported only by `launch`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache

import plotly.graph_objects as go

from lstmlm.bundled import resolve_model
from lstmlm.checkpoint import load_model
from lstmlm.model import LanguageModel
from lstmlm.prompt import read_prompt
from playground.display import display_word
from playground.plots.gates import gate_heatmap, saturation_scatter, unit_lines
from playground.plots.gradient import prompt_flow
from playground.plots.surprisal import surprisal_bars
from playground.plots.words import next_word_bars
from playground.views.gates import (
    CELL_SIGMOID_GATES,
    ORDERINGS,
    cell_gates,
    heatmap_window,
    saturation,
    trace_layer,
    unit_series,
)
from playground.views.next_word import predict_next

VIEWS = ("next_word", "gates", "unit", "saturation", "surprisal", "gradient")

ModelLike = LanguageModel | str | os.PathLike | None


@lru_cache(maxsize=4)
def _load(directory: str) -> LanguageModel:
    return load_model(directory)


def get_model(model: ModelLike = None) -> LanguageModel:
    """A model from what `model` is: a loaded LanguageModel as it is; a directory or an installed model's
    name (`lstmlm models`) loaded once and kept; None the default model. Raises CheckpointError."""
    if isinstance(model, LanguageModel):
        return model
    return _load(str(resolve_model(model).resolve()))


def _check_words(prompt: str, ids: Sequence[int], view: str, at_least: int = 1) -> None:
    if len(ids) < at_least:
        words = "a word" if at_least == 1 else f"{at_least} words"
        raise ValueError(f"the {view} view needs a prompt of at least {words}; got {prompt!r}")


def show(
    prompt: str,
    view: str = "next_word",
    model: ModelLike = None,
    *,
    layer: int = 0,
    gate: str | None = None,
    order: str = "index",
    unit: int = 0,
    k: int = 10,
    compare: Sequence[str | os.PathLike] = (),
) -> go.Figure:
    """The figure of one playground view for `prompt`, as a plotly Figure (renders inline in Jupyter).

    view: "next_word" (the k most likely next words); "gates" (units x words heatmap of `gate` in `layer`,
    units in `order`: index, mean, variance or saturation); "unit" (one unit's gates and state along the
    prompt); "saturation" (each unit's fraction of steps with a gate < 0.1 or > 0.9); "surprisal" (each
    word's probability as the model read it); "gradient" (how much each earlier word moves the last word's
    probability, for `model` and each model of `compare`: directories or installed names).
    `layer` is 0-based; `gate` defaults to the cell's first (f for an LSTM).
    Raises ValueError, saying what to change, for an unknown view, gate, layer, unit or ordering, or a
    prompt too short for the view; CheckpointError for a model that does not load."""
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
    m = get_model(model)
    p = read_prompt(m.vocab, prompt)
    if view == "next_word":
        nxt = predict_next(m, p, max(1, min(int(k), 30)))
        shown = [display_word(w, unit=p.unit) for w in nxt.words]
        return next_word_bars(shown, nxt.probs, f"After {prompt!r}")
    if view == "surprisal":
        from playground.views.surprisal import surprisal_view

        _check_words(prompt, p.ids, view)
        _, s = surprisal_view(m, prompt)
        return surprisal_bars(s.words, unit=m.vocab.tokenizer.unit)
    if view == "gradient":
        from playground.views.gradient import flow_view
        from playground.views.lineup import make_lineup

        _check_words(prompt, p.ids, view, at_least=2)
        lineup = make_lineup(m, None, [resolve_model(c) for c in compare])
        _, flows = flow_view(lineup, prompt)
        series = [
            (f.entry.label, f.values, [f.word_at(d) for d in range(1, len(f.values) + 1)], f.entry.color)
            for f in flows
        ]
        return prompt_flow(display_word(p.tokens[-1], unit=p.unit), series, unit=p.unit)
    _check_words(prompt, p.ids, view)
    lv = trace_layer(m, p, int(layer))  # ValueError naming the layers for a bad one
    if view == "saturation":
        gates = CELL_SIGMOID_GATES[m.config.cell]
        if not gates:
            raise ValueError("a plain RNN has no gates to saturate; try view='gates' (its h)")
        return saturation_scatter({g: saturation(lv.values[g]) for g in gates}, lv.layer)
    if view == "unit":
        shown = [display_word(w, unit=p.unit) for w in lv.tokens]  # (`unit` here: the unit's number)
        return unit_lines(shown, unit_series(lv, unit), unit, lv.layer)
    gate = gate or cell_gates(m)[0]
    if order not in ORDERINGS:
        raise ValueError(f"order must be one of {', '.join(ORDERINGS)}, got {order!r}")
    hm = heatmap_window(lv, gate, order)  # ValueError naming the gates for a bad one
    title = f"{gate} · layer {lv.layer + 1} · units ordered by {order}" + (
        f" ({hm.notice})" if hm.notice else ""
    )
    return gate_heatmap(hm.z, hm.words, hm.units, gate, title, hm.first_step)


def launch(
    model: ModelLike = None,
    compare: Sequence[str | os.PathLike] | None = None,
    *,
    height: int = 900,
    **launch_options,
):
    """Build the whole app over `model` (None: the default model) and serve it on loopback, shown inline
    below the notebook cell (an iframe; outside a notebook nothing is shown). `compare`: the models of the
    Compare and Gradient-flow views, directories or installed names (None: the other bundled models).
    Returns the gradio Blocks; `.close()` stops it. Other keyword arguments go to `Blocks.launch`."""
    from lstmlm.bundled import bundled_model_dirs
    from playground.app import build_app, launch_kwargs
    from playground.server.serve import queue_kwargs

    m = get_model(model)
    model_dir = None if isinstance(model, LanguageModel) else resolve_model(model)
    others = bundled_model_dirs() if compare is None else [resolve_model(c) for c in compare]
    demo = build_app(m, model_dir=model_dir, compare_dirs=others)
    demo.queue(**queue_kwargs())
    options = dict(inline=True, height=height, prevent_thread_lock=True, quiet=True, server_name="127.0.0.1")
    options.update(launch_kwargs())
    options.update(launch_options)
    demo.launch(**options)
    return demo
