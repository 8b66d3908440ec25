"""Start here: guided lessons (playground/lessons.py). Each step's button is a classroom link: opening it
reloads the page on that screen (prompt, view, settings), as a shared link does (playground/share.py)."""

from __future__ import annotations

import gradio as gr

from lstmlm.model import LanguageModel

from ..classroom import VIEWS
from ..lessons import lessons_html
from . import TabView


def build(model: LanguageModel, views: set[str] | None = None) -> TabView:
    """The Start-here tab: every lesson in English and Chinese (the page's language is shown)."""
    from ..i18n import t

    present = set(VIEWS) if views is None else views
    if model.config.cell != "lstm":  # Equations, Intervene and Cell hunt need an LSTM
        present -= {"equations", "intervene", "cell_hunt"}
    with gr.Tab(t("tab.start"), id="start") as tab:
        gr.HTML(lessons_html(model.config.num_layers, present), elem_id="lessons")
    return TabView(tab)
