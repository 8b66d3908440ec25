"""Pictures for the Cell-hunt view (no gradio, no torch, no lstmlm): the text shaded by a unit with the
track drawn under it (as in Karpathy et al. 2015 and LSTMVis: laid out as text, line breaks kept), the
table of the best units per layer, and a scatter of the unit's value against the track.

HTML goes through `html.escape`; the shading is inline, the layout classes (`lp-hunt*`) are in CSS below.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.plots.style import TEMPLATE
from playground.text import words_in

CSS = """
.lp-hunt { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 17px; line-height: 1.9;
           white-space: pre-wrap; padding: 8px 4px; max-height: 520px; overflow-y: auto; }
.lp-hunt.lp-hunt-words { font-family: inherit; font-size: 20px; white-space: normal; }
.lp-hunt span { border-bottom: 4px solid transparent; }
.lp-hunt .lp-eol { color: #9ca3af; font-size: 12px; }
.lp-hunt-table td, .lp-hunt-table th { padding: 2px 10px; font-size: 16px; }
.lp-text.lp-chars { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 19px; }
.lp-text.lp-chars .lp-w { padding: 1px 0; border-radius: 0; }
"""
TRACK_RGB = (234, 88, 12)  # the track's underline: orange


def _cell_colour(value: float, scale: float) -> str:
    """Blue (negative) - white - red (positive), as the paper's figures."""
    a = max(-1.0, min(1.0, value / scale)) if scale > 0 else 0.0
    rgb = (214, 39, 40) if a > 0 else (31, 119, 180)
    return f"rgba({rgb[0]},{rgb[1]},{rgb[2]},{abs(a) * 0.8:.2f})"


def shaded_text(
    steps: Sequence[tuple[str, str, bool]],
    values: np.ndarray,
    track: np.ndarray,
    unit: str,
    unit_label: str,
    track_label: str,
    lang: str = "en",
) -> str:
    """The text, each step's background shaded by the unit's value against its median over the text
    (red above, blue below: a cell that sits far from 0 still shows where it moves), and the track drawn as
    an orange bar under each step (binary: on/off; counts: as strong as the value is large).

    `steps`: (space before, what the step shows, whether it is a line break) per step, as
    `playground.views.cell_hunt.text_steps` makes them; `unit`: "character" or "word"; `lang`: the legend's
    language ('en' or 'zh')."""
    if not len(steps):
        return f'<div class="lp-placeholder">{words_in(lang, "hunt.give_text")}</div>'
    values = np.asarray(values, dtype=np.float64)
    middle = float(np.median(values))
    scale = float(np.percentile(np.abs(values - middle), 98)) or 1.0
    top = float(np.max(track)) if len(track) else 0.0
    chars = unit == "character"
    out = []
    for (space, shown, eol), v, tv in zip(steps, values, track, strict=True):
        strength = (tv / top) if top > 0 else 0.0
        line = (
            f"rgba({TRACK_RGB[0]},{TRACK_RGB[1]},{TRACK_RGB[2]},{0.15 + 0.85 * strength:.2f})" if tv else ""
        )
        style = f"background:{_cell_colour(float(v) - middle, scale)}" + (
            f";border-bottom-color:{line}" if line else ""
        )
        title = f"{unit_label} {float(v):+.3f} · {track_label} {tv:g}"
        cls = ' class="lp-eol"' if eol else ""
        out.append(f'{html.escape(space)}<span{cls} style="{style}" title="{html.escape(title)}">'
                   f"{html.escape(shown)}</span>")  # fmt: skip
        if eol:
            out.append("\n" if chars else "<br>")
    cls = "lp-hunt" if chars else "lp-hunt lp-hunt-words"
    key = words_in(
        lang, "hunt.legend", unit_label=html.escape(unit_label), middle=f"{middle:+.2f}",
        scale=f"{scale:.2f}", unit=words_in(lang, f"unit.{unit}"), track=html.escape(track_label),
    )  # fmt: skip
    legend = f'<div class="lp-legend">{key}</div>'
    return f'<div class="{cls}" id="cell-hunt-shaded">{"".join(out)}</div>{legend}'


def best_table(
    per_layer: Sequence[Sequence[tuple[int, str, int, float, float]]],
    kind: str,
    skipped: str = "",
    lang: str = "en",
) -> str:
    """The best units of each layer, one row each: (layer from 0, signal, unit, AUC or r, score); headed
    in `lang`."""
    if skipped:
        return f'<div class="lp-notice">{html.escape(skipped)}</div>'
    head = "AUC" if kind == "binary" else "Pearson r"
    rows = []
    for rows_of_layer in per_layer:
        for layer, signal, unit, statistic, score in rows_of_layer:
            stat = f"{statistic:.3f}" if kind == "binary" else f"{statistic:+.3f}"
            rows.append(
                f"<tr><td>{words_in(lang, 'hunt.layer_cell', layer=layer + 1)}</td>"
                f"<td>{html.escape(signal)}</td><td>{unit}</td>"
                f"<td>{stat}</td><td>{score:.3f}</td></tr>"
            )
    th = {k: words_in(lang, f"hunt.th_{k}") for k in ("layer", "signal", "unit", "score")}
    return (
        f'<table class="lp-hunt-table"><tr><th>{th["layer"]}</th><th>{th["signal"]}</th><th>{th["unit"]}</th>'
        f"<th>{head}</th><th>{th['score']}</th></tr>{''.join(rows)}</table>"
        f'<div class="lp-small">{words_in(lang, "hunt.score_note")}</div>'
    )


def unit_track_scatter(
    values: np.ndarray,
    track: np.ndarray,
    kind: str,
    unit_title: str,
    track_label: str,
    value_label: str,
    lang: str = "en",
) -> go.Figure:
    """Each step of the text as a point: the track (x; a yes/no track jittered around 0 and 1) against the
    unit's value (y). `unit_title` names the unit and its score, `value_label` the y axis; `lang` the
    language of the title and ticks."""
    x = np.asarray(track, dtype=np.float64)
    if kind == "binary":
        x = x + np.random.default_rng(0).uniform(-0.18, 0.18, size=x.size)  # fixed jitter: same picture
    fig = go.Figure(
        go.Scatter(x=x, y=np.asarray(values, dtype=np.float64), mode="markers",
                   marker=dict(size=5, opacity=0.35, color="#4f46e5"), hoverinfo="skip")
    )  # fmt: skip
    fig.update_layout(
        template=TEMPLATE,
        height=360,
        margin=dict(l=60, r=20, t=50, b=50),
        title=words_in(lang, "hunt.scatter_title", unit_title=unit_title),
    )
    if kind == "binary":
        fig.update_xaxes(
            tickvals=[0, 1],
            ticktext=[words_in(lang, "hunt.outside"), words_in(lang, "hunt.inside")],
            title=track_label,
        )
    else:
        fig.update_xaxes(title=track_label)
    fig.update_yaxes(title=value_label)
    return fig
