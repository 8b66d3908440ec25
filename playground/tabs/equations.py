"""Equations & memory: pick a word (step), a layer and a unit; the cell's equations with that step's numbers,
the cell drawn with the same numbers (one unit, or every unit as small bar glyphs), stepped through the prompt
with the step and play buttons, and for an LSTM the unit's memory over the prompt: what it kept against
what it wrote at every step, and how much of each write survives later (the running product of the forget
gate). A GRU or plain RNN model gets its own diagram and equations (no memory plots: they follow an LSTM's
cell). Clicking a part of the diagram highlights its equation (in the page: `CLICK_JS`).

A link (or a lesson step) sets the layer, the unit and the word (`word`: a step number or a word of the
prompt, kept in a State since the Step menu's choices come with the first drawing). The word shown is kept
while the prompt is the one it was chosen for (a redraw in the other language keeps it); typing a new
prompt shows its last word again, as before. Every drawing returns the word shown and the prompt it was
drawn for (`MEMO`), so "Link to this screen" carries the word."""

from __future__ import annotations

from functools import partial

import gradio as gr

from lstmlm.model import LanguageModel
from playground.i18n import t
from playground.tabs import TabView
from playground.tabs.equations_draw import prompt_tokens, show_equations
from playground.text import per_unit
from playground.views.cell_kind import is_lstm
from playground.views.equations import word_step

LATEX = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]
PLAY_SECONDS = 1.0  # one word per second while playing; a tick waits for the last one (trigger_mode once)
MODES = ("one", "all")  # the diagram's one unit, or every unit of the layer as bar glyphs

# A click on a part of the diagram (data-part; or Enter on it, focused by Tab) highlights the equation of that
# symbol in #equations: the svg's data-order lists the symbols in the order the equations are written, one
# KaTeX display block each.
CLICK_JS = """
const highlight = (event) => {
  const part = event.target.closest('[data-part]');
  const svg = part && part.closest('svg.lp-cell-diagram');
  if (!svg) return;
  event.preventDefault();
  const index = (svg.dataset.order || '').split(' ').indexOf(part.dataset.part);
  if (index < 0) return;
  // the equations may still be typesetting (KaTeX, after the server's answer): try again for up to 10 s
  const mark = (tries) => {
    const hit = document.querySelectorAll('#equations .katex-display')[index];
    if (!hit) { if (tries < 40) setTimeout(() => mark(tries + 1), 250); return; }
    document.querySelectorAll('#equations .lp-eq-hit').forEach((b) => {
      b.classList.remove('lp-eq-hit'); b.style.background = ''; b.style.outline = '';
    });
    show(hit);
  };
  const show = (hit) => {
    hit.classList.add('lp-eq-hit');
    hit.dataset.part = part.dataset.part;
    hit.style.background = '#fef9c3';
    hit.style.outline = '2px solid #f59e0b';
    hit.scrollIntoView({block: 'center', behavior: 'smooth'});
  };
  mark(0);
};
element.addEventListener('click', highlight);
element.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' || event.key === ' ') highlight(event);
});
"""


def memo_of(model: LanguageModel, text: str, step: int | None) -> tuple[str, str]:
    """(word, prompt): the shown step as a link's word ("" when it is not a step of the prompt), and the
    prompt it was drawn for."""
    count = len(prompt_tokens(model, text))
    return (str(int(step)) if step is not None and 0 <= int(step) < count else ""), text


def drawn_at(
    model: LanguageModel, text: str, layer: int, step: int | None, unit: int, mode: str = "one"
) -> tuple:
    """`show_equations` at `step` chosen on screen (a control, a step button), then the MEMO outputs."""
    last = len(prompt_tokens(model, text)) - 1
    step = last if step is None or not 0 <= int(step) <= last else int(step)
    return (*show_equations(model, text, layer, step, unit, mode), *memo_of(model, text, step))


def show_if_open(
    model: LanguageModel,
    text: str,
    layer: int,
    step: int | None,
    unit: int,
    mode: str,
    tab: str,
    word: str = "",
    drawn: str | None = None,
) -> tuple:
    """`show_equations` while this tab is open (else nothing changes), then the MEMO outputs: at `word` (a
    link's, or the step chosen on screen) while the prompt is the one it was chosen for (`drawn`: the last
    drawing's prompt; None, nothing drawn yet: a link's first drawing), else at the prompt's last word."""
    if tab != "equations":
        return (gr.skip(),) * 7
    word = word if drawn is None or drawn == text else ""
    tokens = prompt_tokens(model, text)
    at = word_step(tokens, word or "", model.vocab.tokenizer.unit)
    shown = show_equations(model, text, layer, at, unit, mode)
    return (*shown, word if at is not None else "", text)


def opened(model: LanguageModel, text: str, layer: int, step: int | None, unit: int, mode: str,
           word: str, drawn: str | None) -> tuple:  # fmt: skip
    """Opening the tab: as `show_if_open` with the tab open."""
    return show_if_open(model, text, layer, step, unit, mode, "equations", word, drawn)


def step_by(
    model: LanguageModel, delta: int, text: str, layer: int, step: int | None, unit: int, mode: str
) -> tuple:
    """`show_equations` `delta` words after the shown step (before, for a negative delta), kept within
    the prompt; from no step shown, the last word. Then the MEMO outputs."""
    last = len(prompt_tokens(model, text)) - 1
    step = last if step is None else max(0, min(int(step) + delta, last))
    return drawn_at(model, text, layer, step, unit, mode)


def play(model: LanguageModel, text: str, layer: int, step: int | None, unit: int, mode: str) -> tuple:
    """Start playing: the first word now (the shown step, or the first word when the last is shown), then
    one word per tick of the timer; a prompt of one word (or none) has nothing to play."""
    last = len(prompt_tokens(model, text)) - 1
    step = 0 if step is None or int(step) >= last else int(step)
    return (*drawn_at(model, text, layer, step, unit, mode), gr.Timer(active=0 < last))


def tick(
    model: LanguageModel, text: str, layer: int, step: int | None, unit: int, mode: str, tab: str
) -> tuple:
    """One tick of play: the next word, and the timer stopped once the last word is shown (or when the tab
    is no longer open: nothing is drawn then)."""
    last = len(prompt_tokens(model, text)) - 1
    if tab != "equations" or step is None or int(step) >= last:
        return (*(gr.skip(),) * 7, gr.Timer(active=False))
    step = int(step) + 1
    return (*drawn_at(model, text, layer, step, unit, mode), gr.Timer(active=step < last))


def stop() -> gr.Timer:
    """Stop playing (the word shown stays)."""
    return gr.Timer(active=False)


def build(model: LanguageModel, prompt: gr.Textbox, active: gr.State) -> TabView:
    """The Equations tab; it redraws when opened, on its controls, and on typing while it is open."""
    num_layers, hidden = model.config.num_layers, model.config.hidden_dim
    lstm = is_lstm(model)
    reads = model.vocab.tokenizer.unit  # 'word' or 'character': the labels name it

    with gr.Tab(t("tab.equations"), id="equations") as tab:
        with gr.Row():
            layer = gr.Radio(
                [(t(f"layer.{n + 1}"), n) for n in range(num_layers)],
                value=0,
                label=t("gates.layer"),
                scale=1,
                elem_id="equations-layer",
            )
            step = gr.Dropdown(
                [],
                value=None,
                label=t(per_unit("eq.step", reads)),
                scale=2,
                elem_id="equations-step",
            )
            unit = gr.Slider(
                0, hidden - 1, value=0, step=1, label=t("gates.unit"), scale=3, elem_id="equations-unit"
            )
        with gr.Row(equal_height=False, elem_id="diagram-controls"):  # stays in sight when scrolled (app.py)
            back = gr.Button(t(per_unit("diagram.back", reads)), scale=1, elem_id="diagram-back")
            forward = gr.Button(t(per_unit("diagram.forward", reads)), scale=1, elem_id="diagram-forward")
            start = gr.Button(t("diagram.play"), scale=1, variant="primary", elem_id="diagram-play")
            halt = gr.Button(t("diagram.stop"), scale=1, elem_id="diagram-stop")
            mode = gr.Radio(
                [(t(f"diagram.mode_{m}"), m) for m in MODES],
                value="one",
                label=t("diagram.mode"),
                scale=3,
                elem_id="diagram-mode",
            )
        timer = gr.Timer(PLAY_SECONDS, active=False)
        gr.HTML(f'<div class="lp-small">{t(per_unit("diagram.click", reads))}</div>')
        # the cell drawn with this unit's numbers (plots/cell_diagram.py, cell_diagram_cells.py)
        cell = gr.HTML("", elem_id="cell-diagram", js_on_load=CLICK_JS)
        equations = gr.Markdown(
            f'<div class="lp-placeholder">{t("eq.open_tab")}</div>',
            latex_delimiters=LATEX,
            elem_classes=["lp-learn"],
            elem_id="equations",
        )
        # the memory plots follow an LSTM's cell: a GRU or RNN has none (and says so)
        gr.HTML(
            f'<div class="lp-small">{t(per_unit("eq.memory_caption", reads) if lstm else "cells.no_memory")}'
            "</div>"
        )
        # presenter mode (classroom/bar.py): one above the other, each across the page
        with gr.Row(equal_height=False, visible=lstm, elem_id="memory-row"):
            stack = gr.Plot(show_label=False, elem_id="memory-stack")
            horizon = gr.Plot(show_label=False, elem_id="memory-horizon")

        # MEMO: the word a link asked for, then the word shown (a step number); the prompt drawn for
        word, drawn = gr.State(""), gr.State(None)

    outputs = [step, equations, cell, stack, horizon, word, drawn]
    wire(model, tab, active, [prompt, layer, step, unit, mode], outputs, (back, forward, start, halt, timer))
    controls = {"layer": layer, "unit": unit, "word": word}  # what a link restores (classroom/bar.py)
    return TabView(tab, partial(show_if_open, model), [prompt, layer, step, unit, mode, active, word, drawn],
                   outputs, controls=controls)  # fmt: skip


def wire(
    model: LanguageModel, tab: gr.Tab, active: gr.State, full: list, outputs: list, buttons: tuple
) -> None:
    """The tab's listeners: open, its controls, the step buttons, play (a tick per word) and stop.
    `full`: prompt, layer, step, unit, mode; `outputs`: the drawing's, then the MEMO states (word, drawn);
    `buttons`: back, forward, play, stop and the timer."""
    back, forward, start, halt, timer = buttons
    prompt, layer, step, unit, mode = full
    word, drawn = outputs[-2:]
    quiet = dict(
        show_progress="hidden", api_visibility="private", concurrency_limit=2, concurrency_id="equations"
    )
    update = partial(drawn_at, model)
    tab.select(partial(opened, model), [*full, word, drawn], outputs, **quiet)
    for control in (layer, step, mode):
        control.input(update, full, outputs, **quiet)
    unit.input(update, full, outputs, trigger_mode="always_last", **quiet)
    back.click(partial(step_by, model, -1), full, outputs, **quiet)
    forward.click(partial(step_by, model, 1), full, outputs, **quiet)
    start.click(partial(play, model), full, [*outputs, timer], **quiet)
    # one request per word: a tick while the last one is still drawing is dropped (trigger_mode once)
    timer.tick(partial(tick, model), [*full, active], [*outputs, timer], trigger_mode="once", **quiet)
    halt.click(stop, None, timer, queue=False, show_progress="hidden", api_visibility="private")
