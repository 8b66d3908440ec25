"""Pictures for the Cell-hunt view (no gradio, no torch, no lstmlm): the table of the best units per layer
and a scatter of the unit's value against the track. The text shaded by a unit with the track drawn under
it (as in Karpathy et al. 2015 and LSTMVis: laid out as text, line breaks kept) is cell_hunt_text.py's,
which loads no plotly: the view builds it.

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
