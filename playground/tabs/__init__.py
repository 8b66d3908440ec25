"""One module per tab. Each `build(...)` creates its components and listeners inside the open Blocks and
returns a `TabView`, which tells the app how to redraw the tab for the current prompt (`refresh_fn`).

The shared prompt has exactly ONE listener, made by `follow_prompt`: it redraws every view that follows
the prompt (each view skips its outputs unless its tab is open). Never add a second `prompt.change` (or
any second listener beside an `always_last` one on the same trigger): Gradio 6's frontend, when a
deferred `always_last` call ends, re-dispatches the whole *event*, i.e. every listener of that trigger, not
just the one that was deferred. With eight `prompt.change` listeners each finishing call re-queued the
others, and a page that had stopped typing kept sending ~10-30 requests a second until it was reloaded
(issue 12). With one listener, a keystroke during a redraw costs exactly one more redraw, of the latest text.

It is `.change`, not `.input`: Gradio 6's Textbox fires `.input` from its key handler, so a paste (Ctrl+V
or the mouse menu) never reaches `.input` with the new text; and a view should redraw by itself when
another tab writes the prompt (a clicked word, an example, generated text). No listener of the prompt
writes the prompt, so a write costs one redraw and nothing loops (tests/test_listeners.py checks both)."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import gradio as gr
import plotly.graph_objects as go

from lstmlm.messages import message_of
from lstmlm.vocab import UnknownTokenError
from playground.display import display_word
from playground.i18n import say, shown
from playground.plots.intervene import before_after_bars, moved_bars
from playground.text import per_unit

log = logging.getLogger(__name__)


@dataclass
class Page:
    """What a tab's `build` may use: the model and the parts of the page every tab shares. app.py makes one
    per app; `views` fills in tab by tab (display order), so a tab may use one built before it."""

    model: Any  # the app's read-only LanguageModel
    prompt: gr.Textbox  # the shared prompt box
    active: gr.State  # the open tab's id
    tabs: gr.Tabs  # the tab strip (to open another tab)
    demo: gr.Blocks  # the whole page
    lineup: Sequence[Any] = ()  # Compare's and Gradient flow's models (views/lineup.py)
    rooms: Any = None  # the Class game's RoomStore
    lessons: tuple[Any, ...] = ()  # Start here's lessons
    atlas: dict | None = None  # the model's unit atlas (None: none)
    hunt_cache: Any = None  # the ranking `lstmlm cells` wrote beside the model (None: none)
    views: dict[str, TabView] = field(default_factory=dict)  # the tabs built so far, by id


@dataclass(frozen=True)
class TabSpec:
    """One tab of the app, as the registry (tabs/registry.py) lists it: app.py builds and wires it from
    this, the classroom bar restores its `link_keys`, and tests check every part against the others."""

    id: str  # the gr.Tab id, the URL's ?view=<id> and the i18n key "tab.<id>"
    build: Callable[[Page], TabView]  # creates the tab inside the open gr.Tabs
    link_keys: tuple[
        str, ...
    ] = ()  # fields of classroom.links.Screen its controls restore ("iv": Intervene's)
    linkable: bool = True  # ?view=<id> opens it (classroom.links.VIEWS lists exactly these)

    @property
    def label_key(self) -> str:
        """The i18n key of the tab's label (text/<id>.py)."""
        return f"tab.{self.id}"


@dataclass
class TabView:
    """A built tab, and how to draw it (`refresh_fn(*inputs) -> outputs`; None if it draws nothing)."""

    tab: gr.Tab
    refresh_fn: Callable[..., Any] | None = None
    inputs: list[Any] = field(default_factory=list)
    outputs: list[Any] = field(default_factory=list)
    controls: dict[str, Any] = field(default_factory=dict)  # settings a shared link restores, by name
    shared: dict[str, Any] = field(default_factory=dict)  # components a later tab reads (Units' found unit)
    # what a shared link sets besides `controls`, in the page-load response itself (so nothing waits for
    # the controls' change listeners): link_fn(the link's controls by name) -> updates by name, each a
    # name of `controls` or of `link_outputs`
    link_fn: Callable[[dict], dict] | None = None
    link_outputs: dict[str, Any] = field(default_factory=dict)


def follow_prompt(prompt: gr.Textbox, views: dict[str, TabView]) -> tuple[Callable[..., tuple], list, list]:
    """Wire the prompt's one listener: every view's `refresh_fn` in one call, latest keystroke only.

    Returns (redraw, inputs, outputs), the same call, for the app to chain after page load. A view whose
    refresh fails leaves its outputs as they were (the error is logged) so the others still redraw."""
    drawn = [(name, v) for name, v in views.items() if v.refresh_fn is not None]
    inputs: list[Any] = []
    for _, view in drawn:
        inputs += [c for c in view.inputs if all(c is not seen for seen in inputs)]
    slots = [[next(i for i, c in enumerate(inputs) if c is comp) for comp in v.inputs] for _, v in drawn]
    outputs = [c for _, view in drawn for c in view.outputs]

    def redraw(*values: Any) -> tuple:
        out: list[Any] = []
        unknown, unit = "", "word"
        for (name, view), slot in zip(drawn, slots, strict=True):
            try:
                part = view.refresh_fn(*[values[i] for i in slot])
                out += [part] if len(view.outputs) == 1 else list(part)
            except UnknownTokenError as e:  # a vocabulary without <unk> (an imported model): say which word
                unknown, said = shown(e), message_of(e)
                unit = said.values.get("unit", "word") if said is not None else "word"
                out += [gr.skip()] * len(view.outputs)
            except Exception:  # noqa: BLE001 - one view's failure must not freeze the next-word chart
                log.exception("redrawing the %s view failed", name)
                out += [gr.skip()] * len(view.outputs)
        if unknown:
            title = say(per_unit("app.unknown_title", unit))
            gr.Warning(html.escape(unknown), title=title)  # the toast renders HTML
        return tuple(out)

    prompt.change(
        redraw,
        inputs,
        outputs,
        trigger_mode="always_last",  # a page sends only its latest text; one call in flight per page
        show_progress="hidden",
        api_visibility="private",
        concurrency_limit=2,
        concurrency_id="prompt",
    )
    return redraw, inputs, outputs


def lstm_only_tab(model: Any, view: str, label: Any, tab_id: str) -> TabView:
    """For a GRU or plain RNN, a tab whose view needs an LSTM: it says why, and which views to open."""
    from playground import markup
    from playground.views.cell_kind import lstm_only_message

    with gr.Tab(label, id=tab_id) as tab:
        both = "".join(  # built once: both languages, CSS shows the page's (views/start.py CSS)
            f'<div class="lp-lang-{lang}">{markup.notice(lstm_only_message(model, view, lang))}</div>'
            for lang in ("en", "zh")
        )
        gr.HTML(both, elem_id=f"{tab_id}-lstm-only")
    return TabView(tab)


def change_charts(
    change: Any,
    names: tuple[str, str],
    short: tuple[str, str],
    title: str,
    moved_title: str,
    axis: str = "probability",
    unit: str = "word",
) -> tuple[go.Figure, go.Figure]:
    """The two charts of a next-word distribution change (an intervention, or prompt A against B): the
    top words before and after side by side, and the words whose probability moved most (`axis`: its
    probability axis's title, in the page's language; `unit`: what the model reads, 'word' or
    'character', which names its <unk>)."""
    shown = lambda ws: [display_word(w, unit=unit) for w in ws]  # noqa: E731
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
        axis,
    )
    return bars, moved
