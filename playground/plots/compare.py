"""Plots and tables of the Compare and Gradient-flow views: data in, plotly Figure or HTML out."""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go

from playground.plots.style import MUTED, TEMPLATE, grouped_probability_bars, text_label, unique_labels


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


def _log_axes(fig: go.Figure, ytitle: str) -> None:
    fig.update_xaxes(type="log", title="distance back from the predicted word (words, log scale)")
    fig.update_yaxes(type="log", title=ytitle, exponentformat="power")


def prompt_flow(target: str, series: Sequence[tuple[str, Sequence[float], Sequence[str], str]]) -> go.Figure:
    """g(d) for the prompt: one line per model (name, values by distance, word at each distance, colour)."""
    fig = go.Figure()
    for name, values, words, color in series:
        distance = list(range(1, len(values) + 1))
        fig.add_trace(
            go.Scatter(
                x=distance,
                y=[max(float(v), 1e-30) for v in values],
                customdata=[text_label(w) for w in words],
                mode="lines+markers",
                name=name,
                line=dict(color=color, width=3),
                marker=dict(size=7),
                hovertemplate=f"{name}<br>%{{x}} back: '%{{customdata}}'<br>‖∂ log p / ∂x‖ = %{{y:.3g}}"
                "<extra></extra>",
            )
        )
    title = f"How much predicting '{text_label(target)}' depends on each earlier word"
    fig.update_layout(template=TEMPLATE, title=title, height=470, hovermode="closest")
    _log_axes(fig, "gradient norm")
    return fig


def averaged_flow(series: Sequence[tuple[str, dict, str]]) -> go.Figure:
    """The shipped average over held-out snippets: the median line and the 10–90% band per model."""
    fig = go.Figure()
    for name, flow, color in series:
        d = list(flow["distance"])
        fig.add_trace(
            go.Scatter(
                x=d + d[::-1],
                y=list(flow["q90"]) + list(flow["q10"])[::-1],
                mode="lines",
                fill="toself",
                fillcolor=_rgba(color, 0.15),
                line=dict(width=0),
                hoverinfo="skip",
                showlegend=False,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=d,
                y=flow["median"],
                mode="lines",
                name=name,
                line=dict(color=color, width=3),
                hovertemplate=f"{name}<br>%{{x}} words back: median %{{y:.3g}}<extra></extra>",
            )
        )
    first = series[0][1] if series else {"snippets": 0, "length": 0, "source": ""}
    source = f" from {first['source']}" if first.get("source") else ""
    title = f"Averaged over {first['snippets']} snippets of {first['length']} words{source}: median, 10–90%"
    fig.update_layout(
        template=TEMPLATE,
        title=title,
        height=470,
    )
    _log_axes(fig, "gradient norm (median over snippets)")
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


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


CSS = """
.lp-compare { border-collapse: collapse; font-size: 19px; margin: 6px 0; }
.lp-compare th, .lp-compare td { padding: 6px 14px; border-bottom: 1px solid #e5e7eb; text-align: right; }
.lp-compare th:first-child, .lp-compare td:first-child { text-align: left; }
.lp-swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; margin-right: 8px; }
"""
