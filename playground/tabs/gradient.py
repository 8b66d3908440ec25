"""Gradient flow: how strongly the prediction of the prompt's last word depends on each earlier word, for
every model (the vanishing gradient of the plain RNN, on your sentence), and the same averaged over
held-out text, shipped with each model."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import asdict
from functools import partial

import gradio as gr
import plotly.graph_objects as go

from lstmlm.studies.gradflow import decay_per_word
from playground import markup
from playground.i18n import t
from playground.plots.gradient import averaged_flow, prompt_flow
from playground.plots.style import placeholder
from playground.tabs import TabView
from playground.views.gradient import flow_note, flow_view
from playground.views.lineup import Entry
from playground.views.next_word import display_word

EMPTY = "Type at least two words: the last one is predicted from the words before it."

EXPLAIN = (
    '<div class="lp-small">For the last word of your prompt, each model gives it a probability from the '
    "words before it. The height of a point is how much that log-probability changes when the word "
    "<i>d</i> words back is nudged: the norm of the gradient with respect to that word's embedding. In a "
    "plain RNN the gradient is multiplied by tanh′·W at every step back, so <i>on average, over many "
    "words</i> it dies off exponentially (the vanishing gradient; the averaged curve below shows it); the "
    "LSTM's cell carries it across with the forget gate, and the GRU's update gate does the same. One "
    "short sentence can look different: the line above the chart says what yours shows.</div>"
)


def averaged_summary(lineup: Sequence[Entry]) -> str:
    """'LSTM: ×0.93 per word back …' from each model's shipped averaged flow (median, 5–50 words back)."""
    parts = []
    for e in lineup:
        if e.flow is None:
            continue
        factor = decay_per_word(e.flow.distance, e.flow.median)
        parts.append(f"<b>{html.escape(e.label)}</b>: ×{factor:.3f} per word back")
    if not parts:
        return ""
    return (
        '<div class="lp-small">Average decay between 5 and 50 words back (a fitted exponential of the '
        "median): " + " · ".join(parts) + ".</div>"
    )


def update(lineup: Sequence[Entry], text: str) -> tuple[str, go.Figure]:
    """The line above the chart (the predicted word, what the curves show) and one curve per model."""
    p, flows = flow_view(lineup, text)
    if not flows:
        return markup.notice(p.notice) + markup.placeholder(EMPTY), placeholder(EMPTY, height=470)
    series = [
        (f.entry.label, f.values, [f.word_at(d) for d in range(1, len(f.values) + 1)], f.entry.color)
        for f in flows
    ]
    head = markup.notice(p.notice) + (
        f'<div class="lp-small">Predicted word: <b>{html.escape(display_word(p.tokens[-1]))}</b>, '
        f"from the {len(p.tokens) - 1} words before it. {html.escape(flow_note(flows))}</div>"
    )
    return head, prompt_flow(display_word(p.tokens[-1]), series)


def update_if_open(lineup: Sequence[Entry], text: str, tab: str) -> tuple:
    """`update` while the Gradient-flow tab is open; the outputs untouched otherwise."""
    return update(lineup, text) if tab == "gradient" else (gr.skip(),) * 2


def build(lineup: Sequence[Entry], prompt: gr.Textbox, active: gr.State) -> TabView:
    """The Gradient-flow tab; it redraws when opened and on typing while it is open."""
    shipped = [(e.label, asdict(e.flow), e.color) for e in lineup if e.flow is not None]
    with gr.Tab(t("tab.gradient"), id="gradient") as tab:
        gr.HTML(EXPLAIN)
        head = gr.HTML(elem_id="gradient-head")
        fig = gr.Plot(show_label=False, elem_id="gradient-prompt")
        if shipped:
            gr.Plot(averaged_flow(shipped), show_label=False, elem_id="gradient-averaged")
            gr.HTML(averaged_summary(lineup))

    outputs = [head, fig]
    quiet = dict(
        show_progress="hidden", api_visibility="private", concurrency_limit=2, concurrency_id="gradient"
    )
    tab.select(partial(update, lineup), [prompt], outputs, **quiet)
    return TabView(tab, partial(update_if_open, lineup), [prompt, active], outputs)
