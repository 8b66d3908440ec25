"""A live LSTM cell diagram: one unit at one word, drawn as SVG with the trace's numbers on every part.

    C_{t-1} ──(×)─────────────(+)──────────────┬──> C_t
               │ f_t            │ i_t × C~_t    tanh
               σ               (×)               (×)──> h_t
                              σ   tanh          σ o_t
    [h_{t-1}, x_t] ───────────┴────┴────────────┘

`playground.views.equations.cell_values` reads the numbers from `lstmlm.trace` (the same forward as every
view); `cell_svg` is a pure function of them (data in, SVG text out), so a test can read the numbers back
from the SVG.
"""

from __future__ import annotations

import html
import math
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class CellValues:
    """One unit's values at one step: previous state, the gates (0..1), candidate (-1..1), new state."""

    word: str  # the word read at this step
    step: int  # 0-based step in the prompt
    layer: int  # 0-based
    unit: int
    c_prev: float  # C_{t-1}
    h_prev: float  # h_{t-1} (this unit's own previous output)
    f: float  # forget gate f_t
    i: float  # input gate i_t
    g: float  # candidate C~_t
    o: float  # output gate o_t
    c: float  # C_t = f_t * C_{t-1} + i_t * C~_t
    h: float  # h_t = o_t * tanh(C_t)


def _fmt(x: float) -> str:
    return f"{x:+.4f}" if math.isfinite(x) else "n/a"


# The diagram's two lines of words, in English; a caller may pass its own (a translation: i18n.py).
WORDS = {"heading": "layer {layer} · unit {unit} · step {step}: “{word}”", "word": "the word “{word}”"}


# ~80 lines: one drawing whose parts share one coordinate system, listed in screen order; split up, the
# coordinates that must line up (arrows, boxes, numbers) would sit in different functions.
def cell_svg(v: CellValues, width: int = 760, words_text: dict[str, str] | None = None) -> str:
    """The cell as SVG text; each number is a <text data-q="NAME"> (NAME: a field of CellValues, or
    "fc" = f_t·C_{t-1}, "ig" = i_t·C~_t, "tc" = tanh(C_t)), written with 4 decimals. `words_text`: its
    heading and word line (WORDS' keys), e.g. translated."""
    text = {**WORDS, **(words_text or {})}
    fc, ig, tc = v.f * v.c_prev, v.i * v.g, math.tanh(v.c)
    d = asdict(v)
    gate = "#eef2ff"
    op = "#fef3c7"

    def num(name: str, value: float, x: float, y: float, anchor: str = "middle") -> str:
        return (
            f'<text data-q="{name}" x="{x}" y="{y}" text-anchor="{anchor}" font-size="14" '
            f'font-family="ui-monospace,monospace" fill="#1e1b4b">{_fmt(value)}</text>'
        )

    def box(x: float, y: float, label: str, name: str, fill: str = gate) -> str:
        return (
            f'<rect x="{x - 38}" y="{y - 24}" width="76" height="48" rx="8" fill="{fill}" stroke="#4f46e5"/>'
            f'<text x="{x}" y="{y - 4}" text-anchor="middle" font-size="15">{label}</text>'
            + num(name, d[name], x, y + 16)
        )

    def circle(x: float, y: float, sym: str) -> str:
        return (
            f'<circle cx="{x}" cy="{y}" r="14" fill="{op}" stroke="#b45309"/>'
            f'<text x="{x}" y="{y + 5}" text-anchor="middle" font-size="16">{sym}</text>'
        )

    line = 'stroke="#374151" stroke-width="2" fill="none" marker-end="url(#lp-arrow)"'

    def arrow(*points: tuple[float, float]) -> str:
        return f'<path d="M{" L".join(f"{x},{y}" for x, y in points)}" {line}/>'

    def sub(base: str, index: str) -> str:
        return f'{base}<tspan baseline-shift="sub" font-size="11">{index}</tspan>'

    def label(x: float, y: float, text: str) -> str:
        return f'<text x="{x}" y="{y}" font-size="15">{text}</text>'

    word = html.escape(v.word)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 760 380" width="{width}" '
        f'class="lp-cell-diagram" role="img" aria-label="LSTM cell, layer {v.layer + 1}, unit {v.unit}">',
        '<defs><marker id="lp-arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">'
        '<path d="M0,0 L8,4 L0,8 z" fill="#374151"/></marker></defs>',
        '<rect x="90" y="36" width="620" height="276" rx="16" fill="#f9fafb" stroke="#9ca3af"/>',
        '<text x="380" y="24" text-anchor="middle" font-size="15">'
        + text["heading"].format(layer=v.layer + 1, unit=v.unit, step=v.step, word=word) + "</text>",
        # the cell-state line: C_{t-1} -> (×) f_t -> (+) i_t·C~_t -> C_t
        arrow((20, 70), (216, 70)), arrow((244, 70), (416, 70)), arrow((444, 70), (740, 70)),
        label(20, 58, sub("C", "t-1")), num("c_prev", v.c_prev, 20, 94, "start"),
        label(680, 58, sub("C", "t")), num("c", v.c, 680, 94, "start"),
        circle(230, 70, "×"), num("fc", fc, 230, 50),
        circle(430, 70, "+"),
        # the write: i_t × C~_t, up into (+)
        circle(430, 160, "×"), arrow((430, 146), (430, 86)), num("ig", ig, 448, 150, "start"),
        # the output: tanh(C_t) × o_t -> h_t
        arrow((650, 70), (650, 118)),
        '<rect x="622" y="120" width="56" height="26" rx="6" fill="#ecfdf5" stroke="#059669"/>',
        '<text x="650" y="138" text-anchor="middle" font-size="14">tanh</text>',
        num("tc", tc, 600, 138, "end"),
        arrow((650, 146), (650, 184)), circle(650, 200, "×"), arrow((664, 200), (740, 200)),
        label(700, 188, sub("h", "t")), num("h", v.h, 680, 226, "start"),
        # the gates, each from [h_{t-1}, x_t]
        '<path d="M20,340 L590,340" stroke="#374151" stroke-width="2" fill="none"/>',
        arrow((230, 340), (230, 276)), box(230, 250, "σ " + sub("f", "t"), "f"),
        arrow((230, 226), (230, 86)),
        arrow((350, 340), (350, 276)), box(350, 250, "σ " + sub("i", "t"), "i"),
        arrow((350, 226), (419, 171)),
        arrow((470, 340), (470, 276)), box(470, 250, "tanh " + sub("C̃", "t"), "g", "#ecfdf5"),
        arrow((470, 226), (441, 171)),
        arrow((590, 340), (590, 276)), box(590, 250, "σ " + sub("o", "t"), "o"),
        arrow((590, 226), (638, 208)),
        label(20, 366, f"[{sub('h', 't-1')}, {sub('x', 't')}]:  {sub('h', 't-1')} ="),
        num("h_prev", v.h_prev, 128, 366, "start"),
        label(240, 366, f"{sub('x', 't')} = " + text["word"].format(word=word)),
        "</svg>",
    ]  # fmt: skip
    return "".join(parts)
