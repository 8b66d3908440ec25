"""Plots and tables of the Compare view: data in, plotly Figure or HTML out. Every model's next words and
surprisal on one prompt, and the long-range probes."""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go

from playground.plots.style import MUTED, TEMPLATE, text_label, unique_labels
from playground.plots.words import grouped_probability_bars
from playground.text import words_in


def compare_bars(
    words: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None], str]],
    lang: str = "en",
    unit: str = "word",
) -> go.Figure:
    """Each model's probability of the words any of them ranks high, grouped per word; title in `lang`,
    naming `unit` (the models' unit in `lang`, e.g. 'character'; see tabs/compare.lineup_unit)."""
    clean = [(name, [p or 0.0 for p in probs], color) for name, probs, color in series]
    top = max((p for _, probs, _ in clean for p in probs), default=0.0)
    return grouped_probability_bars(
        [text_label(w, lang) for w in words],
        clean,
        words_in(lang, "cmp.bars_title", unit=unit),
        row_height=22 + 20 * len(series),
        tickformat=".0%" if top >= 0.08 else ".1%",
        axis=words_in(lang, "next.probability"),
    )


def perplexity_table(rows: Sequence[dict], lang: str = "en", unit: str = "word") -> str:
    """Model | perplexity on this prompt | bits per word | next-word entropy | test perplexity,
    headed in `lang` ('en' or 'zh'), per `unit` (the models' unit in `lang`)."""

    def num(x, fmt: str) -> str:
        return "–" if x is None else format(x, fmt)

    body = "".join(
        "<tr>"
        f'<td><span class="lp-swatch" style="background:{r["color"]}"></span>{html.escape(r["label"])}</td>'
        f"<td><b>{num(r['perplexity'], ',.1f')}</b></td><td>{num(r['bits_per_word'], '.2f')}</td>"
        f"<td>{num(r['entropy_bits'], '.2f')}</td><td>{num(r['test_perplexity'], '.1f')}</td>"
        "</tr>"
        for r in rows
    )
    columns = ("model", "perplexity", "bits", "entropy", "test")
    head = "".join(f"<th>{words_in(lang, f'cmp.th_{k}', unit=unit)}</th>" for k in columns)
    return (
        f'<table class="lp-compare"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        f'<div class="lp-small">{words_in(lang, "cmp.table_note", unit=unit)}</div>'
    )


def word_surprisal(
    words: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    lang: str = "en",
    unit: str = "word",
) -> go.Figure:
    """Each prompt word's surprisal (bits) under each model, along the prompt: where one model is surprised
    and another is not. Titles in `lang`, naming `unit` (the models' unit in `lang`)."""
    labels = unique_labels(words)
    bits_word = words_in(lang, "cmp.bits")
    fig = go.Figure()
    for name, bits, color in series:
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=list(bits),
                mode="lines+markers",
                name=name,
                line=dict(color=color, width=3),
                marker=dict(size=8),
                hovertemplate=f"{name}<br>%{{x}}: %{{y:.2f}} {bits_word}<extra></extra>",
            )
        )
    fig.update_layout(template=TEMPLATE, title=words_in(lang, "cmp.surprisal_title", unit=unit), height=380)
    fig.update_xaxes(type="category", tickangle=-45 if len(words) > 12 else 0)
    fig.update_yaxes(title=words_in(lang, "cmp.bits_axis"), rangemode="tozero")
    return fig


def probe_plot(
    distance: Sequence[int], series: Sequence[tuple[str, Sequence[float], str]], title: str, lang: str = "en"
) -> go.Figure:
    """A probe's score in bits against the distance, one line per model; 0 = forgotten. Axes in `lang`."""
    later = words_in(lang, "cmp.later", x="%{x}", y="%{y:+.2f}")
    fig = go.Figure()
    for name, bits, color in series:
        fig.add_trace(
            go.Scatter(
                x=list(distance),
                y=list(bits),
                mode="lines+markers",
                name=name,
                line=dict(color=color, width=3),
                marker=dict(size=8),
                hovertemplate=f"{name}<br>{later}<extra></extra>",
            )
        )
    fig.add_hline(y=0, line=dict(color=MUTED, dash="dot"))
    fig.update_layout(template=TEMPLATE, title=title, height=430)
    fig.update_xaxes(title=words_in(lang, "cmp.in_between"))
    fig.update_yaxes(title=words_in(lang, "cmp.remembered"))
    return fig


CSS = """
.lp-compare { border-collapse: collapse; font-size: 19px; margin: 6px 0; }
.lp-compare th, .lp-compare td { padding: 6px 14px; border-bottom: 1px solid #e5e7eb; text-align: right; }
.lp-compare th:first-child, .lp-compare td:first-child { text-align: left; }
.lp-swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; margin-right: 8px; }
"""
