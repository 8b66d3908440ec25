"""Gradient flow: how strongly the prediction of the prompt's last word depends on each earlier word, for
every model (the vanishing gradient of the plain RNN, on your sentence), and the same averaged over
held-out text, shipped with each model."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import asdict
from functools import partial

import gradio as gr

from lstmlm.studies.gradflow import decay_per_word
from playground import markup
from playground.display import display_word
from playground.i18n import language, say, t
from playground.plots.gradient import averaged_flow, prompt_flow
from playground.plots.style import placeholder
from playground.tabs import TabView
from playground.text import per_unit, unit_fields
from playground.views.gradient import flow_note, flow_view
from playground.views.lineup import Entry


def _unit(lineup: Sequence[Entry]) -> str:
    """What the page's model (the line-up's first) reads: 'word' or 'character'; the distances count it."""
    return lineup[0].model.vocab.tokenizer.unit


def averaged_summary(lineup: Sequence[Entry], lang: str = "en") -> str:
    """'LSTM: ×0.93 per word back …' from each model's shipped averaged flow (median, 5–50 words back),
    in `lang`, naming the unit the page's model (the line-up's first) reads."""
    named = unit_fields(lang, lineup[0].model.vocab.tokenizer.unit)
    parts = []
    for e in lineup:
        if e.flow is None:
            continue
        factor = decay_per_word(e.flow.distance, e.flow.median)
        parts.append(
            say("grad.per_word", lang, model=html.escape(e.named(lang)), factor=f"{factor:.3f}", **named)
        )
    if not parts:
        return ""
    return f'<div class="lp-small">{say("grad.average_decay", lang, parts=" · ".join(parts), **named)}</div>'


def averaged(lineup: Sequence[Entry], lang: str) -> tuple:
    """The averaged curves shipped with the models and their decay summary, in `lang` (skipped when no
    model ships them: their components were not built)."""
    shipped = [(e.named(lang), asdict(e.flow), e.color) for e in lineup if e.flow is not None]
    if not shipped:
        return gr.skip(), gr.skip()
    return averaged_flow(shipped, lang, _unit(lineup)), averaged_summary(lineup, lang)


def update(lineup: Sequence[Entry], text: str) -> tuple:
    """The line above the chart (the predicted word, what the curves show), one curve per model, and the
    averaged curves with their summary, in the page's language."""
    lang = language()
    p, flows = flow_view(lineup, text)
    if not flows:
        empty = say("grad.empty", lang, **unit_fields(lang, _unit(lineup)))
        return (
            markup.notice(p.notice) + markup.placeholder(empty),
            placeholder(empty, height=470),
            *averaged(lineup, lang),
        )
    series = [
        (f.entry.named(lang), f.values, [f.word_at(d) for d in range(1, len(f.values) + 1)], f.entry.color)
        for f in flows
    ]
    target = display_word(p.tokens[-1], unit=_unit(lineup))  # the predicted word, as the page's model reads
    word, note = html.escape(target), html.escape(flow_note(flows, lang, _unit(lineup)))
    line = say(
        "grad.head", lang, word=word, n=len(p.tokens) - 1, note=note, **unit_fields(lang, _unit(lineup))
    )
    head = markup.notice(p.notice) + f'<div class="lp-small">{line}</div>'
    return head, prompt_flow(target, series, lang, _unit(lineup)), *averaged(lineup, lang)


def update_if_open(lineup: Sequence[Entry], text: str, tab: str) -> tuple:
    """`update` while the Gradient-flow tab is open; the outputs untouched otherwise."""
    return update(lineup, text) if tab == "gradient" else (gr.skip(),) * 4


def build(lineup: Sequence[Entry], prompt: gr.Textbox, active: gr.State) -> TabView:
    """The Gradient-flow tab; it redraws when opened and on typing while it is open."""
    shipped = [(e.label, asdict(e.flow), e.color) for e in lineup if e.flow is not None]
    with gr.Tab(t("tab.gradient"), id="gradient") as tab:
        gr.HTML(f'<div class="lp-small">{t(per_unit("grad.explain", _unit(lineup)))}</div>')
        head = gr.HTML(elem_id="gradient-head")
        fig = gr.Plot(show_label=False, elem_id="gradient-prompt")
        # hidden when no model ships its averaged curve (`averaged` then leaves them as they are)
        mean_fig = gr.Plot(
            averaged_flow(shipped, "en", _unit(lineup)) if shipped else None,
            show_label=False,
            visible=bool(shipped),
            elem_id="gradient-averaged",
        )
        mean_text = gr.HTML(averaged_summary(lineup), visible=bool(shipped), elem_id="gradient-averaged-note")

    outputs = [head, fig, mean_fig, mean_text]
    quiet = dict(
        show_progress="hidden", api_visibility="private", concurrency_limit=2, concurrency_id="gradient"
    )
    tab.select(partial(update, lineup), [prompt], outputs, **quiet)
    return TabView(tab, partial(update_if_open, lineup), [prompt, active], outputs)
