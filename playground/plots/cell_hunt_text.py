"""The Cell-hunt view's text, each step shaded by a unit's value with the track drawn under it: HTML, no
plotly (the view builds it: views/cell_hunt.py). Classes `lp-hunt*` are styled by plots/cell_hunt.py's CSS.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from playground.text import words_in

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
