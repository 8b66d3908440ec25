"""Counterfactual: two prompts that differ in a word, read by the same model; position by position, how
much every gate, the cell and the hidden state differ (a GRU's r, z, n, h; a plain RNN's h), and how the
next-word distribution changes."""

from __future__ import annotations

import html
from functools import partial

import gradio as gr
import plotly.graph_objects as go

from lstmlm.model import LanguageModel
from lstmlm.studies.counterfactual import Counterfactual
from playground import markup
from playground.display import display_word
from playground.i18n import language, plot_words, say, shown, t
from playground.plots.counterfactual import difference_lines
from playground.plots.gates import gate_heatmap
from playground.tabs import TabView, change_charts
from playground.text import per_unit, unit_fields
from playground.views.counterfactual import DEFAULT_PAIR, change_one_word, counterfactual_view, delta_window


def position_labels(tokens_a: list[str], tokens_b: list[str], unit: str = "word") -> list[str]:
    """'3 sat' where both prompts have the same word at step 3, '3 boy/girl' where they differ; `unit`
    ('word' or 'character': what the model reads) names its <unk>."""
    out = []
    for step, (a, b) in enumerate(zip(tokens_a, tokens_b, strict=False)):  # up to the shorter
        a, b = display_word(a, unit=unit), display_word(b, unit=unit)
        out.append(f"{step} {a}" if a == b else f"{step} {a}/{b}")
    return out


def read_alike_note(model: LanguageModel, cf: Counterfactual, lang: str = "en") -> str:
    """HTML: which differently typed words the model reads as the same token (both unknown), or '';
    in `lang`."""
    if not cf.read_alike:
        return ""
    pairs = "; ".join(
        say("cf.read_alike_pair", lang, a=html.escape(cf.tokens_a[step]), b=html.escape(cf.tokens_b[step]),
            step=step)
        for step in cf.read_alike
    )  # fmt: skip
    read_as = html.escape(  # <unk>: a rare word (a character model's: a rare character)
        display_word(model.vocab.words[cf.ids_a[cf.read_alike[0]]], lang, unit=model.vocab.tokenizer.unit)
    )
    note = say(
        "cf.read_alike", lang, pairs=pairs, read_as=read_as, **unit_fields(lang, model.vocab.tokenizer.unit)
    )
    return f'<br><span id="counterfactual-read-alike">{note}</span>'


def compare_prompts(
    model: LanguageModel, text_a: str, text_b: str, layer: int
) -> tuple[str, go.Figure, go.Figure, go.Figure, go.Figure]:
    """Summary, difference lines, Δ heatmap, next-word bars and moved words of the two prompts, in the
    page's language."""
    lang = language()
    signal, sym = ("c", "C") if model.config.cell == "lstm" else ("h", "h")  # a GRU or plain RNN has no cell
    try:
        cf, layer = counterfactual_view(model, text_a, text_b, int(layer), 10)
    except (ValueError, TypeError) as e:
        # said in the result area and the last comparison cleared (left there it reads as this one's); no
        # gr.Error: it stamped a red "Error" on every output and put the reason only in a toast
        said = say("cf.cannot_because", lang, reason=shown(e, lang))
        return markup.refusal(said, "counterfactual-cannot"), None, None, None, None
    labels = position_labels(cf.tokens_a, cf.tokens_b, model.vocab.tokenizer.unit)
    first = cf.first_difference
    ch = cf.next_words
    named = unit_fields(lang, model.vocab.tokenizer.unit)
    if first is None:
        where = say("cf.same", lang)
    elif first < len(labels):
        where = say("cf.first", lang, step=first, word=html.escape(labels[first].split(" ", 1)[1]))
    else:
        where = say("cf.continues", lang, step=first - 1)
    moved_by = say("cf.moved", lang, tv=f"{ch.total_variation:.1%}", kl=f"{ch.kl_bits:.3f}", **named)
    summary = (
        f'<div class="lp-summary" id="counterfactual-text"><b>{where}</b>{read_alike_note(model, cf, lang)}'
        f"<br>{moved_by}</div>"
    )
    lines = difference_lines(
        labels, cf.mean_abs[layer], first, say("cf.lines_title", lang, layer=layer + 1), lang
    )
    z, units = delta_window(cf.delta[layer][signal])
    heat = gate_heatmap(
        z,
        labels,
        units,
        "c",  # a signed, unbounded colour scale: a difference of h lies in (-2, 2)
        say("cf.heat_title", lang, sym=sym, layer=layer + 1),
        unit=model.vocab.tokenizer.unit,
        words_text=plot_words(lang),
    )
    bars, moved = change_charts(
        ch,
        (say("cf.after_a", lang), say("cf.after_b", lang)),
        ("A", "B"),
        say("cf.next_word", lang, **named),
        say("cf.moved_most", lang, **named),
        say("next.probability", lang),
        model.vocab.tokenizer.unit,
    )
    return summary, lines, heat, bars, moved


def from_prompt(text: str) -> tuple[str, str]:
    """The shared prompt as A, and it with one word changed as B."""
    return text, change_one_word(text)


def build(model: LanguageModel, prompt: gr.Textbox) -> TabView:
    """The Counterfactual tab; it compares when Compare is pressed or a layer is picked."""
    num_layers = model.config.num_layers
    compare = partial(compare_prompts, model)

    label = per_unit("tab.counterfactual", model.vocab.tokenizer.unit)  # "Change one word" / "... character"
    with gr.Tab(t(label), id="counterfactual") as tab:
        with gr.Row():
            text_a = gr.Textbox(DEFAULT_PAIR[0], label=t("cf.prompt_a"), lines=1, scale=3, elem_id="prompt-a")
            label_b = t(f"cf.prompt_b.{model.vocab.tokenizer.unit}")
            text_b = gr.Textbox(DEFAULT_PAIR[1], label=label_b, lines=1, scale=3, elem_id="prompt-b")
        with gr.Row():
            layer = gr.Radio(
                [(t(f"layer.{n + 1}"), n) for n in range(num_layers)],
                value=0,
                label=t("cf.layer"),
                scale=2,
                elem_id="counterfactual-layer",
            )
            copy = gr.Button(t("cf.copy"), scale=2, elem_id="counterfactual-copy")
            run = gr.Button(t("cf.run"), variant="primary", elem_id="counterfactual-button", scale=1)
        summary = gr.HTML(
            f'<div class="lp-placeholder">{t("cf.empty")}</div>', elem_id="counterfactual-summary"
        )
        # empty until Compare: the hint is the summary's text above, which follows the page's language (a
        # figure built here would be drawn in one language for every page)
        lines = gr.Plot(show_label=False, elem_id="counterfactual-lines")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                bars = gr.Plot(show_label=False, elem_id="counterfactual-bars")
            with gr.Column(scale=2):
                moved = gr.Plot(show_label=False, elem_id="counterfactual-moved")
        heat = gr.Plot(show_label=False, elem_id="counterfactual-heatmap")

    quiet = dict(api_visibility="private", concurrency_limit=2, concurrency_id="counterfactual")
    outputs = [summary, lines, heat, bars, moved]
    run.click(compare, [text_a, text_b, layer], outputs, **quiet)
    text_a.submit(compare, [text_a, text_b, layer], outputs, **quiet)
    text_b.submit(compare, [text_a, text_b, layer], outputs, **quiet)
    layer.input(compare, [text_a, text_b, layer], outputs, show_progress="hidden", **quiet)
    copy.click(from_prompt, prompt, [text_a, text_b], queue=False, api_visibility="private").then(
        compare, [text_a, text_b, layer], outputs, **quiet
    )
    return TabView(tab)
