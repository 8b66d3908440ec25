"""Surprisal: the prompt's words coloured by the rank the model gave each (as in GLTR), with what it
expected instead on hover, the prompt's perplexity, and downloads of the prompt's trace (CSV, NPZ, JSON)."""

from __future__ import annotations

from functools import partial

import gradio as gr
import plotly.graph_objects as go

from lstmlm.model import LanguageModel
from playground import markup
from playground.i18n import language, say, shown, t
from playground.plots.style import placeholder
from playground.plots.surprisal import surprisal_bars, surprisal_legend, surprisal_summary, surprisal_text
from playground.tabs import TabView
from playground.views.export import export_trace_files
from playground.views.surprisal import surprisal_view

FILES = ("csv", "npz", "json")  # the trace downloads, in the order of their buttons


def update(model: LanguageModel, text: str) -> tuple[str, str, str, go.Figure]:
    """The colour key, the coloured words, the perplexity summary and the bars of the prompt's surprisal,
    in the page's language."""
    lang = language()
    p, s = surprisal_view(model, text)
    unit = model.vocab.tokenizer.unit
    if s is None:
        empty = say("sur.empty", lang, unit=say(f"unit.{unit}", lang))
        return surprisal_legend(lang, unit), markup.placeholder(empty), "", placeholder(empty, height=300)
    return (
        surprisal_legend(lang, unit),
        markup.notice(p.notice)
        + surprisal_text(p.tokens, s.words, p.unknown, model.vocab.tokenizer, lang, unit),
        surprisal_summary(s.perplexity, s.bits_per_word, s.words, lang, unit),
        surprisal_bars(s.words, lang, unit),
    )


def update_if_open(model: LanguageModel, text: str, tab: str) -> tuple:
    """`update` while the Surprisal tab is open; otherwise its outputs stay as they are."""
    return update(model, text) if tab == "surprisal" else (gr.skip(),) * 4


def hide_files() -> tuple:
    """The three download buttons hidden (their files were for another prompt)."""
    return (gr.DownloadButton(visible=False),) * len(FILES)


def follow(model: LanguageModel, text: str, tab: str) -> tuple:
    """The app's prompt listener: redraw if open, and hide the files prepared for the previous prompt."""
    return (*update_if_open(model, text, tab), *hide_files())


def prepare(model: LanguageModel, text: str) -> tuple:
    """Write the prompt's trace files and show their download buttons (a warning if the prompt is empty)."""
    try:
        paths = export_trace_files(model, text)
    except ValueError as e:
        gr.Warning(say("sur.nothing_to_export", error=shown(e)))
        return (gr.skip(),) * len(FILES)
    return tuple(gr.DownloadButton(value=str(paths[k]), visible=True) for k in FILES)


def build(model: LanguageModel, prompt: gr.Textbox, active: gr.State) -> TabView:
    """The Surprisal tab; it redraws when opened and on typing while it is open."""
    with gr.Tab(t("tab.surprisal"), id="surprisal") as tab:
        legend = gr.HTML(surprisal_legend(unit=model.vocab.tokenizer.unit), elem_id="surprisal-legend")
        words = gr.HTML(f'<div class="lp-placeholder">{t("sur.open_tab")}</div>', elem_id="surprisal")
        summary = gr.HTML(elem_id="surprisal-summary")
        bars = gr.Plot(show_label=False, elem_id="surprisal-bars")
        with gr.Accordion(t("sur.download"), open=True):
            gr.HTML(f'<div class="lp-small">{t(f"sur.download_note.{model.vocab.tokenizer.unit}")}</div>')
            with gr.Row():
                make = gr.Button(t("sur.prepare"), elem_id="export-prepare", scale=1)
                files = [
                    gr.DownloadButton(f"trace.{k}", visible=False, elem_id=f"export-{k}", scale=1)
                    for k in FILES
                ]

    outputs = [legend, words, summary, bars]
    quiet = dict(
        show_progress="hidden", api_visibility="private", concurrency_limit=2, concurrency_id="surprisal"
    )
    tab.select(partial(update, model), [prompt], outputs, **quiet)
    make.click(partial(prepare, model), [prompt], files, api_visibility="private", concurrency_limit=2)
    # The app's one prompt listener calls `follow` (tabs/__init__.py): a new prompt makes the prepared
    # files stale, so it hides them until they are prepared again.
    return TabView(tab, partial(follow, model), [prompt, active], [*outputs, *files])
