"""Compare: the prompt through every bundled model (LSTM, GRU, plain RNN) — their next-word distributions
side by side and each model's perplexity on the prompt — and the long-range probes, scored for each."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from functools import lru_cache, partial

import gradio as gr
import plotly.graph_objects as go

from lstmlm.studies.probes import PROBES
from playground import markup
from playground.display import display_word
from playground.i18n import language, say, shown, t
from playground.plots.compare import compare_bars, perplexity_table, probe_plot, word_surprisal
from playground.plots.style import placeholder
from playground.tabs import TabView
from playground.views.cell_kind import both_languages
from playground.views.compare import compare_view, probe_json, test_perplexity, union_words
from playground.views.lineup import Entry

K = 8  # each model's top words; the chart shows their union


def lineup_unit(lineup: Sequence[Entry], lang: str) -> str:
    """What the line-up's models read, in `lang`: 'character' when all read characters, 'word/character'
    when they differ (a table row or a bar is then per its model's unit)."""
    units = sorted({e.model.vocab.tokenizer.unit for e in lineup}, key=("word", "character").index)
    return "/".join(say(f"unit.{u}", lang) for u in units)


def update(lineup: Sequence[Entry], text: str) -> tuple[str, go.Figure, str, go.Figure]:
    """The prompt's chips, every model's next-word bars, the perplexity table and the surprisal lines, in
    the page's language."""
    lang = language()
    unit = lineup_unit(lineup, lang)
    p, scores = compare_view(lineup, text, K)
    words, probs = union_words(lineup, scores, K)
    series = [(e.named(lang), ps, e.color) for e, ps in zip(lineup, probs, strict=True)]
    rows = [
        {
            "label": e.named(lang),
            "color": e.color,
            "perplexity": s.perplexity,
            "bits_per_word": s.bits_per_word,
            "entropy_bits": s.entropy_bits,
            "test_perplexity": test_perplexity(e),
        }
        for e, s in zip(lineup, scores, strict=True)
    ]
    reads = lineup[0].model.vocab.tokenizer.unit  # the line-up reads as the page's model (make_lineup)
    chips = markup.token_chips(p.tokens, p.unknown, p.notice, reads)
    if p.tokens and all(len(s.word_bits) == len(p.tokens) for s in scores):
        shown = [display_word(w, unit=reads) for w in p.tokens]
        bits = [(e.named(lang), s.word_bits, e.color) for e, s in zip(lineup, scores, strict=True)]
        surprise = word_surprisal(shown, bits, lang, unit)
    else:
        surprise = placeholder(say("cmp.empty", lang), height=380)
    bars = compare_bars([display_word(w, unit=reads) for w in words], series, lang, unit)  # <unk> named
    return chips, bars, perplexity_table(rows, lang, unit), surprise


def update_if_open(lineup: Sequence[Entry], text: str, tab: str) -> tuple:
    """`update` while the Compare tab is open; the outputs untouched otherwise."""
    return update(lineup, text) if tab == "compare" else (gr.skip(),) * 4


def skip_reason(note: str, lang: str) -> str:
    """Why a model cannot take a probe (the library's `Message`, kept by views/compare.py) in `lang`; a
    message text/library.py lacks stays as the library wrote it (English)."""
    return shown(note, lang)


def probe_figure(lineup: Sequence[Entry], name: str, lang: str = "en") -> tuple[go.Figure, str]:
    """A probe's plot for every model that can take it, and a note (the question, the longest prompt), in
    `lang`."""
    out = probe_json(lineup, name)
    pairs = list(zip(lineup, out["models"], strict=True))
    series = [(e.named(lang), m["bits"], e.color) for e, m in pairs if m["bits"] is not None]
    skipped = "".join(
        say("cmp.skipped", lang, model=e.named(lang), reason=skip_reason(m["note"], lang))
        for e, m in pairs
        if m["bits"] is None
    )
    if not series:
        return placeholder(say("cmp.no_model", lang)), markup.notice(skipped)
    fig = probe_plot(out["distance"], series, say(f"probe.{name}.title", lang), lang)
    question = html.escape(say(f"probe.{name}.question", lang, noun=out["noun"]))
    filler = say(f"cmp.filler.{out['corpus']}", lang)  # the filler fits the first model's corpus
    line = say(
        "cmp.probe_note", lang, question=question, filler=filler, example=html.escape(out["examples"][-1])
    )
    return fig, markup.notice(skipped) + f'<div class="lp-small">{line}</div>'


def run_probe(probe: Callable[[str, str], tuple[go.Figure, str]], name: str) -> tuple[go.Figure | None, str]:
    """`probe(name, language)` for a known probe; otherwise no plot, and a notice naming the probes where the
    probe's note goes (#probe-cannot; no gr.Error, whose red "Error" would be stamped on both outputs)."""
    if name not in PROBES:
        return None, markup.refusal(say("cmp.choose_probe", probes=", ".join(PROBES)), "probe-cannot")
    return probe(name, language())


def build(lineup: Sequence[Entry], prompt: gr.Textbox, active: gr.State) -> TabView:
    """The Compare tab; it redraws when opened and on typing while it is open."""
    # the probes do not depend on the prompt: each is computed once per line-up
    probe = lru_cache(maxsize=2 * len(PROBES))(partial(probe_figure, lineup))  # per probe and language
    with gr.Tab(t("tab.compare"), id="compare") as tab:
        models = ", ".join(both_languages(e.label, e.named("zh")) for e in lineup)  # built once
        gr.HTML(f'<div class="lp-small">{t("cmp.intro")} {models}</div>')
        chips = gr.HTML(f'<div class="lp-placeholder">{t("cmp.open_tab")}</div>', elem_id="compare-tokens")
        table = gr.HTML(elem_id="compare-table")
        bars = gr.Plot(show_label=False, elem_id="compare-bars")
        surprise = gr.Plot(show_label=False, elem_id="compare-surprisal")
        gr.HTML(f'<div class="lp-label">{t("cmp.memory")}</div>')
        with gr.Row():
            which = gr.Radio(
                [(t(f"probe.{name}.title"), name) for name in PROBES],
                value="parenthesis",
                label=t("cmp.probe"),
                elem_id="probe-choice",
                scale=3,
            )
            go_button = gr.Button(t("cmp.run_probe"), elem_id="probe-run", scale=1)
        probe_note = gr.HTML(elem_id="probe-note")
        probe_fig = gr.Plot(show_label=False, elem_id="probe-plot")

    outputs = [chips, bars, table, surprise]
    quiet = dict(
        show_progress="hidden", api_visibility="private", concurrency_limit=2, concurrency_id="compare"
    )
    tab.select(partial(update, lineup), [prompt], outputs, **quiet)
    probe_args = dict(api_visibility="private", concurrency_limit=1, concurrency_id="probe")
    go_button.click(partial(run_probe, probe), [which], [probe_fig, probe_note], **probe_args)
    which.input(partial(run_probe, probe), [which], [probe_fig, probe_note], **probe_args)
    return TabView(tab, partial(update_if_open, lineup), [prompt, active], outputs)
