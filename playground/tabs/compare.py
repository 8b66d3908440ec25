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
from playground.i18n import t
from playground.plots.compare import compare_bars, perplexity_table, probe_plot, word_surprisal
from playground.plots.style import placeholder
from playground.tabs import TabView
from playground.views.compare import compare_view, probe_json, test_perplexity, union_words
from playground.views.lineup import Entry
from playground.views.next_word import display_word

K = 8  # each model's top words; the chart shows their union
EMPTY = "Type a prompt to compare the models."


def update(lineup: Sequence[Entry], text: str) -> tuple[str, go.Figure, str, go.Figure]:
    """The prompt's chips, every model's next-word bars, the perplexity table and the surprisal lines."""
    p, scores = compare_view(lineup, text, K)
    words, probs = union_words(lineup, scores, K)
    series = [(e.label, ps, e.color) for e, ps in zip(lineup, probs, strict=True)]
    rows = [
        {
            "label": e.label,
            "color": e.color,
            "perplexity": s.perplexity,
            "bits_per_word": s.bits_per_word,
            "entropy_bits": s.entropy_bits,
            "test_perplexity": test_perplexity(e),
        }
        for e, s in zip(lineup, scores, strict=True)
    ]
    chips = markup.token_chips(p.tokens, p.unknown, p.notice)
    if p.tokens and all(len(s.word_bits) == len(p.tokens) for s in scores):
        shown = [display_word(w) for w in p.tokens]
        bits = [(e.label, s.word_bits, e.color) for e, s in zip(lineup, scores, strict=True)]
        surprise = word_surprisal(shown, bits)
    else:
        surprise = placeholder(EMPTY, height=380)
    return chips, compare_bars(words, series), perplexity_table(rows), surprise


def update_if_open(lineup: Sequence[Entry], text: str, tab: str) -> tuple:
    """`update` while the Compare tab is open; the outputs untouched otherwise."""
    return update(lineup, text) if tab == "compare" else (gr.skip(),) * 4


def probe_figure(lineup: Sequence[Entry], name: str) -> tuple[go.Figure, str]:
    """A probe's plot for every model that can take it, and a note (the question, the longest prompt)."""
    out = probe_json(lineup, name)
    pairs = zip(lineup, out["models"], strict=True)
    series = [(e.label, m["bits"], e.color) for e, m in pairs if m["bits"] is not None]
    skipped = "".join(f"{m['label']}: {m['note']}. " for m in out["models"] if m["bits"] is None)
    if not series:
        return placeholder("No model here can take this probe."), markup.notice(skipped)
    fig = probe_plot(out["distance"], series, out["title"])
    note = markup.notice(skipped) + (
        f'<div class="lp-small"><b>{html.escape(out["question"])}</b> Scored at every phrase boundary of '
        f"the same filler text, as each model reads it. The longest prompt: "
        f"<i>{html.escape(out['examples'][-1])} …</i></div>"
    )
    return fig, note


def run_probe(probe: Callable[[str], tuple[go.Figure, str]], name: str) -> tuple[go.Figure, str]:
    """`probe(name)` for a known probe; a message naming the probes otherwise."""
    if name not in PROBES:
        raise gr.Error(f"choose one of the probes: {', '.join(PROBES)}", print_exception=False)
    return probe(name)


def build(lineup: Sequence[Entry], prompt: gr.Textbox, active: gr.State) -> TabView:
    """The Compare tab; it redraws when opened and on typing while it is open."""
    # the probes do not depend on the prompt: each is computed once per line-up
    probe = lru_cache(maxsize=len(PROBES))(partial(probe_figure, lineup))
    with gr.Tab(t("tab.compare"), id="compare") as tab:
        gr.HTML(
            '<div class="lp-small">Every model reads your prompt with its own vocabulary from the start of a '
            f"line. Models: {', '.join(html.escape(e.label) for e in lineup)}.</div>"
        )
        chips = gr.HTML(markup.placeholder("Open this tab to compare the models."), elem_id="compare-tokens")
        table = gr.HTML(elem_id="compare-table")
        bars = gr.Plot(show_label=False, elem_id="compare-bars")
        surprise = gr.Plot(show_label=False, elem_id="compare-surprisal")
        gr.HTML('<div class="lp-label">Long-range memory: does the model still know, many words later?</div>')
        with gr.Row():
            which = gr.Radio(
                [(p.title, p.name) for p in PROBES.values()],
                value="parenthesis",
                label="Probe",
                elem_id="probe-choice",
                scale=3,
            )
            go_button = gr.Button("Run the probe", elem_id="probe-run", scale=1)
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
