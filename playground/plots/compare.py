"""Plots and tables of the Compare view: data in, plotly Figure or HTML out. Every model's next words and
surprisal on one prompt, and the long-range probes."""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go

from playground.plots.style import MUTED, TEMPLATE, text_label, unique_labels
from playground.plots.words import grouped_probability_bars


def compare_bars(
    words: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]]
) -> go.Figure:
    """Each model's probability of the words any of them ranks high, grouped per word."""
    clean = [(name, [p or 0.0 for p in probs], color) for name, probs, color in series]
    top = max((p for _, probs, _ in clean for p in probs), default=0.0)
    return grouped_probability_bars(
        [text_label(w) for w in words],
        clean,
        "Next word, model by model",
        row_height=22 + 20 * len(series),
        tickformat=".0%" if top >= 0.08 else ".1%",
    )


def perplexity_table(rows: Sequence[dict]) -> str:
    """Model | perplexity on this prompt | bits per word | next-word entropy | WikiText-2 test perplexity."""

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
    return (
        '<table class="lp-compare"><thead><tr><th>model</th><th>perplexity on your prompt</th>'
        "<th>bits per word</th><th>next-word entropy (bits)</th><th>WikiText-2 test perplexity</th>"
        f"</tr></thead><tbody>{body}</tbody></table>"
        '<div class="lp-small">Perplexity on your prompt: 2 to the mean surprisal of its words, each '
        "predicted from the words before it (the first from a line start). Lower means the model found "
        "your text more predictable.</div>"
    )


def word_surprisal(words: Sequence[str], series: Sequence[tuple[str, Sequence[float], str]]) -> go.Figure:
    """Each prompt word's surprisal (bits) under each model, along the prompt: where one model is surprised
    and another is not."""
    labels = unique_labels(words)
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
                hovertemplate=f"{name}<br>%{{x}}: %{{y:.2f}} bits<extra></extra>",
            )
        )
    fig.update_layout(template=TEMPLATE, title="Surprisal of each word of your prompt", height=380)
    fig.update_xaxes(type="category", tickangle=-45 if len(words) > 12 else 0)
    fig.update_yaxes(title="bits (−log₂ p)", rangemode="tozero")
    return fig


def probe_plot(
    distance: Sequence[int], series: Sequence[tuple[str, Sequence[float], str]], title: str
) -> go.Figure:
    """A probe's score in bits against the distance, one line per model; 0 = forgotten."""
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
                hovertemplate=f"{name}<br>%{{x}} words later: %{{y:+.2f}} bits<extra></extra>",
            )
        )
    fig.add_hline(y=0, line=dict(color=MUTED, dash="dot"))
    fig.update_layout(template=TEMPLATE, title=title, height=430)
    fig.update_xaxes(title="words in between")
    fig.update_yaxes(title="remembered (bits; 0 = forgotten)")
    return fig


CSS = """
.lp-compare { border-collapse: collapse; font-size: 19px; margin: 6px 0; }
.lp-compare th, .lp-compare td { padding: 6px 14px; border-bottom: 1px solid #e5e7eb; text-align: right; }
.lp-compare th:first-child, .lp-compare td:first-child { text-align: left; }
.lp-swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; margin-right: 8px; }
"""
