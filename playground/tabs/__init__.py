"""One module per tab. Each `build(...)` creates its components and listeners inside the open Blocks and
returns a `TabView`, which tells the app how to draw the tab on page load.

Views follow the shared prompt with `prompt.change` (trigger_mode="always_last"), not `.input`: Gradio 6's
Textbox fires `.input` from its key handler, so a paste (Ctrl+V or the mouse menu) never reaches `.input`
with the new text. No handler writes the prompt from a `.change`, so nothing loops; and a view redraws by
itself when another tab rewrites the prompt (a clicked word, an example, generated text)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gradio as gr
import plotly.graph_objects as go

from ..explain_plots import before_after_bars, moved_bars
from ..views import display_word


@dataclass
class TabView:
    """A built tab, and how to draw it (`refresh_fn(*inputs) -> outputs`; None if it draws nothing)."""

    tab: gr.Tab
    refresh_fn: Callable[..., Any] | None = None
    inputs: list[Any] = field(default_factory=list)
    outputs: list[Any] = field(default_factory=list)
    controls: dict[str, Any] = field(default_factory=dict)  # settings a shared link restores, by name


def lstm_only_tab(model: Any, view: str, label: Any, tab_id: str) -> TabView:
    """For a GRU or plain RNN, a tab whose view needs an LSTM: it says why, and which views to open."""
    from .. import markup
    from ..cells import lstm_only_message

    with gr.Tab(label, id=tab_id) as tab:
        gr.HTML(markup.notice(lstm_only_message(model, view)), elem_id=f"{tab_id}-lstm-only")
    return TabView(tab)


def change_charts(
    change: Any, names: tuple[str, str], short: tuple[str, str], title: str, moved_title: str
) -> tuple[go.Figure, go.Figure]:
    """The two charts of a next-word distribution change (an intervention, or prompt A against B): the
    top words before and after side by side, and the words whose probability moved most."""
    shown = lambda ws: [display_word(w) for w in ws]  # noqa: E731
    bars = before_after_bars(
        (shown(change.before.words), change.before.probs),
        (shown(change.after.words), change.after.probs),
        names,
        title,
    )
    moved = moved_bars(
        shown([m.word for m in change.moved]),
        [m.before for m in change.moved],
        [m.after for m in change.moved],
        short,
        moved_title,
    )
    return bars, moved
