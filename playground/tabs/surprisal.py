"""Surprisal: the prompt's words coloured by the rank the model gave each (as in GLTR), with what it
expected instead on hover, the prompt's perplexity, and downloads of the prompt's trace (CSV, NPZ, JSON)."""

from __future__ import annotations

import gradio as gr
import plotly.graph_objects as go

from lstmlm.model import LanguageModel
from playground import markup
from playground.i18n import t
from playground.plots import style as plots
from playground.plots import surprisal as explore_plots
from playground.tabs import TabView
from playground.views.export import export_trace_files
from playground.views.surprisal import surprisal_view

EMPTY = "Type a prompt to see which words surprised the model."


def build(model: LanguageModel, prompt: gr.Textbox, active: gr.State) -> TabView:
    """The Surprisal tab; it redraws when opened and on typing while it is open."""

    def update(text: str) -> tuple[str, str, go.Figure]:
        p, s = surprisal_view(model, text)
        if s is None:
            return markup.placeholder(EMPTY), "", plots.placeholder(EMPTY, height=300)
        return (
            markup.notice(p.notice)
            + explore_plots.surprisal_text(p.tokens, s.words, p.unknown, model.vocab.tokenizer),
            explore_plots.surprisal_summary(s.perplexity, s.bits_per_word, s.words),
            explore_plots.surprisal_bars(s.words),
        )

    def update_if_open(text: str, tab: str) -> tuple:
        return update(text) if tab == "surprisal" else (gr.skip(),) * 3

    def follow(text: str, tab: str) -> tuple:
        return (*update_if_open(text, tab), *hide_files())

    def prepare(text: str) -> tuple:
        try:
            paths = export_trace_files(model, text)
        except ValueError as e:
            gr.Warning(f"Nothing to export: {e}")
            return (gr.skip(),) * 3
        return tuple(gr.DownloadButton(value=str(paths[k]), visible=True) for k in ("csv", "npz", "json"))

    def hide_files() -> tuple:
        return (gr.DownloadButton(visible=False),) * 3

    with gr.Tab(t("tab.surprisal"), id="surprisal") as tab:
        gr.HTML(explore_plots.surprisal_legend())
        words = gr.HTML(markup.placeholder("Open this tab to score your text."), elem_id="surprisal")
        summary = gr.HTML(elem_id="surprisal-summary")
        bars = gr.Plot(show_label=False, elem_id="surprisal-bars")
        with gr.Accordion("Download the numbers of this prompt", open=True):
            gr.HTML(
                '<div class="lp-small">Every gate, cell and hidden state of every layer at every word: '
                "CSV (one row per layer, word and unit; pandas.read_csv), NPZ (numpy.load) or JSON. "
                "Plots: the camera button of a plot's toolbar saves it as PNG.</div>"
            )
            with gr.Row():
                make = gr.Button("Prepare the files", elem_id="export-prepare", scale=1)
                csv_file = gr.DownloadButton("trace.csv", visible=False, elem_id="export-csv", scale=1)
                npz_file = gr.DownloadButton("trace.npz", visible=False, elem_id="export-npz", scale=1)
                json_file = gr.DownloadButton("trace.json", visible=False, elem_id="export-json", scale=1)

    outputs = [words, summary, bars]
    quiet = dict(
        show_progress="hidden", api_visibility="private", concurrency_limit=2, concurrency_id="surprisal"
    )
    files = [csv_file, npz_file, json_file]
    tab.select(update, [prompt], outputs, **quiet)
    make.click(prepare, [prompt], files, api_visibility="private", concurrency_limit=2)
    # The app's one prompt listener calls `follow` (tabs/__init__.py): a new prompt makes the prepared
    # files stale, so it hides them until they are prepared again.
    return TabView(tab, follow, [prompt, active], [*outputs, *files])
