"""Units: search the units that mark a span of the prompt (high inside it and low outside, or the reverse,
as in LSTMVis), see a chosen unit's trace with the span shaded, and its top contexts from the unit atlas.
A GRU or plain RNN has no cell: its units are searched by their hidden state h."""

from __future__ import annotations

from functools import partial

import gradio as gr
import plotly.graph_objects as go

from lstmlm.model import LanguageModel
from lstmlm.prompt import read_prompt
from playground import markup
from playground.display import display_word
from playground.i18n import language, layer_name, plot_words, say, shown, t
from playground.plots.style import placeholder
from playground.plots.units import atlas_contexts, numbered_words, unit_choices, unit_span_lines
from playground.tabs import TabView
from playground.views.gates import trace_layer, unit_series
from playground.views.units import (
    atlas_unit,
    counter_choices,
    counter_units_view,
    parse_span,
    unit_search_view,
)


def words(model: LanguageModel, text: str, span: str) -> str:
    """The prompt's words numbered from 0, the typed span highlighted (none if it does not parse)."""
    p = read_prompt(model.vocab, text)
    try:
        start, stop = parse_span(span, len(p.tokens))
    except ValueError:
        start = stop = -1
    return markup.notice(p.notice) + numbered_words(p.tokens, start, stop, language(), p.unit)


def words_if_open(model: LanguageModel, text: str, span: str, tab: str) -> str:
    """`words` while the Units tab is open; otherwise the output stays as it is."""
    return words(model, text, span) if tab == "units" else gr.skip()


def atlas_view(atlas: dict | None, layer: int, unit: int, step_unit: str = "word") -> str:
    """The unit's top contexts from the atlas, or why there are none (in the page's language); `step_unit`:
    what the model reads, "word" or "character"."""
    if atlas is None:
        return markup.notice(say("units.no_atlas"))
    try:
        return atlas_contexts(atlas_unit(atlas, int(layer), int(unit)), language(), step_unit)
    except ValueError as e:
        return markup.notice(e)


def show_unit(
    model: LanguageModel, atlas: dict | None, text: str, layer: int, span: str, unit: int | None
) -> tuple[go.Figure, str]:
    """One unit's lines over the prompt with the span shaded, and its atlas contexts."""
    if unit is None:
        return gr.skip(), gr.skip()
    layer, unit = int(layer), max(0, min(int(unit), model.config.hidden_dim - 1))
    p = read_prompt(model.vocab, text)
    lv = trace_layer(model, p, layer)
    if lv is None:
        return placeholder(say("units.no_prompt")), atlas_view(atlas, layer, unit, model.vocab.tokenizer.unit)
    try:
        start, stop = parse_span(span, len(p.tokens))
    except ValueError:
        start = stop = 0  # no span to shade
    shown = [display_word(w, unit=p.unit) for w in p.tokens]
    lang = language()
    fig = unit_span_lines(
        shown,
        unit_series(lv, unit),
        unit,
        layer,
        start,
        stop,
        lang,
        plot_words(lang),
        model.vocab.tokenizer.unit,
    )
    return fig, atlas_view(atlas, layer, unit, model.vocab.tokenizer.unit)


def search(
    model: LanguageModel, atlas: dict | None, text: str, layer: int, signal: str, span: str, method: str
) -> tuple:
    """The span's words, the units ranked both ways, and the best one shown (a warning on bad input)."""
    p = read_prompt(model.vocab, text)
    try:
        start, stop = parse_span(span, len(p.tokens))
        v = unit_search_view(model, text, int(layer), start, stop, signal, 10, method)
    except ValueError as e:
        gr.Warning(say("units.cannot_search", error=shown(e)))
        return (gr.skip(),) * 6
    best, lang = v.result.high[0].unit, language()
    return (
        numbered_words(p.tokens, start, stop, lang, p.unit),
        gr.Radio(choices=unit_choices(v.result.high, lang), value=best),
        gr.Radio(choices=unit_choices(v.result.low, lang), value=None),
        best,
        *show_unit(model, atlas, text, layer, span, best),
    )


def counters(model: LanguageModel, atlas: dict | None, text: str, layer: int, span: str) -> tuple:
    """Counter units: cell state that grows with the position in the text (LSTM only)."""
    try:
        found = counter_units_view(model, text, int(layer))
    except ValueError as e:
        gr.Warning(say("units.cannot_count", error=shown(e)))
        return (gr.skip(),) * 4
    best = found[0].unit
    choices = gr.Radio(choices=counter_choices(found, language(), model.vocab.tokenizer.unit), value=best)
    return choices, best, *show_unit(model, atlas, text, layer, span, best)


def pick(
    model: LanguageModel, atlas: dict | None, text: str, layer: int, span: str, unit: int | None
) -> tuple:
    """A unit picked from a list: its number in the unit box, its lines and its atlas contexts."""
    if unit is None:
        return (gr.skip(),) * 3
    return int(unit), *show_unit(model, atlas, text, layer, span, unit)


def remember(layer: int, unit: float | None) -> dict | None:
    """What Units found last (the unit its search picked, or the one picked from a list), for Intervene's
    "switch off the unit found in Units": {"layer", "unit"}; None before any unit was shown."""
    return None if unit is None else {"layer": int(layer), "unit": int(unit)}


def build(model: LanguageModel, prompt: gr.Textbox, active: gr.State, atlas: dict | None) -> TabView:
    """The Units tab: search controls, the two ranked lists, the unit's lines and its atlas contexts."""
    num_layers, hidden = model.config.num_layers, model.config.hidden_dim
    lstm = model.config.cell == "lstm"  # only an LSTM has a cell (and counters live in the cell state)
    with gr.Tab(t("tab.units"), id="units") as tab:
        with gr.Row():
            layers = [(layer_name(n, num_layers), n) for n in range(num_layers)]
            layer = gr.Radio(layers, value=0, label=t("units.layer"), scale=2)
            signals = [(t("units.signal.h"), "h"), (t("units.signal.c"), "c")]
            signal = gr.Radio(signals if lstm else signals[:1], value="h", label=t("units.signal"), scale=2)
            method = gr.Radio(
                [(t("units.score.mean"), "mean"), (t("units.score.minmax"), "minmax")],
                value="mean",
                label=t("units.score"),
                scale=3,
            )
        gr.HTML(f'<div class="lp-label">{t(f"units.numbered.{model.vocab.tokenizer.unit}")}</div>')
        numbered = gr.HTML(elem_id="units-words")
        with gr.Row():
            span = gr.Textbox(
                "1-2",
                label=t(f"units.span.{model.vocab.tokenizer.unit}"),
                elem_id="units-span",
                scale=2,
                max_lines=1,
            )
            go_button = gr.Button(t("units.find"), variant="primary", elem_id="units-search", scale=1)
        with gr.Row(equal_height=False):
            high = gr.Radio([], label=t("units.high"), elem_id="units-high")
            low = gr.Radio([], label=t("units.low"), elem_id="units-low")
        if lstm:
            with gr.Row(equal_height=False):
                count_button = gr.Button(
                    t("units.find_counters"), size="sm", elem_id="units-counters-find", scale=1
                )
                counted = gr.Radio(
                    [],
                    label=t("units.counters"),
                    elem_id="units-counters",
                    scale=4,
                )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                gr.HTML(f'<div class="lp-small">{t("units.pick")}</div>')
                lines = gr.Plot(None, show_label=False, elem_id="units-lines")
            with gr.Column(scale=2):
                unit = gr.Number(
                    0, precision=0, minimum=0, maximum=hidden - 1, label=t("units.unit"), elem_id="units-unit"
                )
                gr.HTML(f'<div class="lp-label">{t("units.atlas")}</div>')
                no_atlas = f'<div class="lp-notice">{t("units.no_atlas")}</div>'
                contexts = gr.HTML(no_atlas if atlas is None else "", elem_id="units-atlas")
        found_unit = gr.State(None)  # the unit Units found or was picked last (Intervene switches it off)

    quiet = dict(
        show_progress="hidden", api_visibility="private", concurrency_limit=2, concurrency_id="units"
    )
    tab.select(partial(words, model), [prompt, span], numbered, **quiet)
    searched = [numbered, high, low, unit, lines, contexts]
    keep = dict(queue=False, show_progress="hidden", api_visibility="private")
    find = partial(search, model, atlas)
    go_button.click(find, [prompt, layer, signal, span, method], searched, **quiet).then(
        remember, [layer, unit], found_unit, **keep
    )
    span.submit(find, [prompt, layer, signal, span, method], searched, **quiet).then(
        remember, [layer, unit], found_unit, **keep
    )
    for control in (layer, signal, method):
        control.input(find, [prompt, layer, signal, span, method], searched, **quiet)
    picked = partial(pick, model, atlas)
    for chosen in (high, low):
        chosen.input(picked, [prompt, layer, span, chosen], [unit, lines, contexts], **quiet).then(
            remember, [layer, unit], found_unit, **keep
        )
    unit.submit(partial(show_unit, model, atlas), [prompt, layer, span, unit], [lines, contexts], **quiet)
    if lstm:
        found = [counted, unit, lines, contexts]
        count_button.click(partial(counters, model, atlas), [prompt, layer, span], found, **quiet)
        counted.input(picked, [prompt, layer, span, counted], [unit, lines, contexts], **quiet)
    return TabView(
        tab, partial(words_if_open, model), [prompt, span, active], [numbered], shared={"found": found_unit}
    )
