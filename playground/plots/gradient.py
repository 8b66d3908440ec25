"""Plots of the Gradient-flow view: data in, plotly Figure out. g(d), the gradient norm at distance d,
on log-log axes: one prompt's curves and the averaged curves shipped with the models."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from playground.display import source_words
from playground.plots.style import TEMPLATE, text_label
from playground.text import unit_fields, words_in


def _log_axes(fig: go.Figure, ytitle: str, lang: str, unit: str) -> None:
    fig.update_xaxes(type="log", title=words_in(lang, "grad.x_axis", **unit_fields(lang, unit)))
    fig.update_yaxes(type="log", title=ytitle, exponentformat="power")


def prompt_flow(
    target: str,
    series: Sequence[tuple[str, Sequence[float], Sequence[str], str]],
    lang: str = "en",
    unit: str = "word",
) -> go.Figure:
    """g(d) for the prompt: one line per model (name, values by distance, word at each distance, colour);
    titles in `lang` ('en' or 'zh'), distances counted in `unit`s ('word' or 'character')."""
    back = words_in(lang, "grad.hover_back")
    fig = go.Figure()
    for name, values, words, color in series:
        distance = list(range(1, len(values) + 1))
        fig.add_trace(
            go.Scatter(
                x=distance,
                y=[max(float(v), 1e-30) for v in values],
                customdata=[text_label(w, lang) for w in words],
                mode="lines+markers",
                name=name,
                line=dict(color=color, width=3),
                marker=dict(size=7),
                hovertemplate=f"{name}<br>%{{x}} {back}: '%{{customdata}}'<br>‖∂ log p / ∂x‖ = %{{y:.3g}}"
                "<extra></extra>",
            )
        )
    title = words_in(lang, "grad.title", word=text_label(target, lang), **unit_fields(lang, unit))
    fig.update_layout(template=TEMPLATE, title=title, height=470, hovermode="closest")
    _log_axes(fig, words_in(lang, "grad.norm"), lang, unit)
    return fig


def averaged_flow(series: Sequence[tuple[str, dict, str]], lang: str = "en", unit: str = "word") -> go.Figure:
    """The shipped average over held-out snippets: the median line and the 10–90% band per model; titles
    in `lang` ('en' or 'zh'), distances counted in `unit`s ('word' or 'character')."""
    hover = words_in(lang, "grad.hover_median", x="%{x}", y="%{y:.3g}", **unit_fields(lang, unit))
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
                hovertemplate=f"{name}<br>{hover}<extra></extra>",
            )
        )
    first = series[0][1] if series else {"snippets": 0, "length": 0, "source": ""}
    source = first.get("source") and words_in(lang, "grad.source", source=source_words(first["source"], lang))
    title = words_in(
        lang,
        "grad.averaged_title",
        snippets=first["snippets"],
        length=first["length"],
        source=source or "",
        **unit_fields(lang, unit),
    )
    fig.update_layout(
        template=TEMPLATE,
        title=title,
        height=470,
    )
    _log_axes(fig, words_in(lang, "grad.norm_median"), lang, unit)
    return fig


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"
