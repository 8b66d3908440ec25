"""A live LSTM cell diagram: one unit (or every unit) at one word, drawn as SVG with the trace's numbers.

    C_{t-1} ──(×)─────────────(+)──────────────┬──> C_t
               │ f_t            │ i_t × C~_t    tanh
               σ               (×)               (×)──> h_t
                              σ   tanh          σ o_t
    [h_{t-1}, x_t] ───────────┴────┴────────────┘

`playground.views.cell_diagram` reads the numbers from `lstmlm.trace` (the same forward as every view);
`cell_svg` is a pure function of them (data in, SVG text out), so a test can read the numbers back from the
SVG: one unit's as <text data-q="NAME">, every unit's as <g data-q="NAME" data-values="..."> (a small bar
glyph, one bar per unit). Each part of the cell is a <g data-part="SYMBOL"> (f, i, g, c, o, h) that names its
equation: the Equations view highlights that equation when the part is clicked. The GRU and plain RNN
diagrams (plots/cell_diagram_cells.py) are drawn with the same `Canvas`.
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


@dataclass(frozen=True)
class Diagram:
    """What a diagram draws: a cell (lstm, gru, rnn_tanh, rnn_relu) at one step of one layer, and each
    quantity's values (one per unit drawn: one value for a chosen unit, every unit's when `unit` is None)."""

    cell: str
    word: str  # the word read at this step, as shown
    step: int  # 0-based
    layer: int  # 0-based
    unit: int | None  # None: every unit (the "all units" mode)
    values: dict[str, tuple[float, ...]]


def lstm_diagram(v: CellValues) -> Diagram:
    """A CellValues as a Diagram, with the arrows' products: fc = f·C_{t-1}, ig = i·C~, tc = tanh(C_t)."""
    d = {k: (float(x),) for k, x in asdict(v).items() if k not in ("word", "step", "layer", "unit")}
    d.update(fc=(v.f * v.c_prev,), ig=(v.i * v.g,), tc=(math.tanh(v.c),))
    return Diagram("lstm", v.word, v.step, v.layer, v.unit, d)


def fmt(x: float) -> str:
    """A number as the diagram writes it: sign and 4 decimals ("n/a" for NaN or infinity)."""
    return f"{x:+.4f}" if math.isfinite(x) else "n/a"


# The diagram's lines of words, in English; a caller may pass its own (a translation: text/equations.py).
WORDS = {
    "heading": "layer {layer} · unit {unit} · step {step}: “{word}”",
    "heading_all": "layer {layer} · all {units} units · step {step}: “{word}”",
    "word": "the word “{word}”",
}
GATE, OP, CANDIDATE, INK, EDGE = "#eef2ff", "#fef3c7", "#ecfdf5", "#1e1b4b", "#4f46e5"
GLYPH_W, GLYPH_H = 76, 20
# The symbols of each cell's equations in the order the Equations view writes them (one display block each:
# lstmlm.studies.equations for the LSTM, views.cell_diagram.other_cell_latex for the others); the svg's
# data-order, so that a click on a part (data-part) finds its equation.
EQUATION_ORDER = {
    "lstm": ("f", "i", "g", "c", "o", "h"),
    "gru": ("r", "z", "n", "h"),
    "rnn_tanh": ("h",),
    "rnn_relu": ("h",),
}


def glyph(name: str, values: tuple[float, ...], x: float, y: float) -> str:
    """Every unit's value of `name` as a small bar chart, GLYPH_W wide, its baseline centred on (x, y - 5):
    one bar per unit, up for positive, down for negative, scaled to max(1, max |value|) (the scale is
    written above it when larger than 1). data-values holds the values as `fmt` writes them."""
    finite = [v for v in values if math.isfinite(v)]
    scale = max([1.0, *map(abs, finite)])
    positive = all(v >= 0 for v in finite)
    left, top = x - GLYPH_W / 2, y - GLYPH_H + 2
    base = top + (GLYPH_H if positive else GLYPH_H / 2)
    height = GLYPH_H if positive else GLYPH_H / 2
    w = GLYPH_W / max(1, len(values))
    bars = "".join(
        f"M{left + k * w:.2f},{base:.2f}v{-v / scale * height:.2f}"
        for k, v in enumerate(values)
        if math.isfinite(v) and v != 0
    )
    shown = " ".join(fmt(v) for v in values)
    note = (
        f'<text x="{left + GLYPH_W}" y="{top - 2}" text-anchor="end" font-size="10" fill="#6b7280">'
        f"×{scale:.3g}</text>"
        if scale > 1
        else ""
    )
    return (
        f'<g data-q="{name}" data-values="{shown}"><title>{name}</title>'
        f'<rect x="{left}" y="{top}" width="{GLYPH_W}" height="{GLYPH_H}" fill="#ffffff" stroke="#d1d5db"/>'
        f'<path d="{bars}" stroke="{INK}" stroke-width="{max(0.5, min(w * 0.8, 4)):.2f}" fill="none"/>'
        f"{note}</g>"
    )


class Canvas:
    """The drawing primitives of one diagram: numbers (or glyphs, for every unit), boxes, operation circles,
    arrows and labels, in a 760 x 380 coordinate system. Each method returns SVG text."""

    def __init__(self, d: Diagram) -> None:
        self.d = d
        self.every_unit = d.unit is None

    def num(self, name: str, x: float, y: float, anchor: str = "middle") -> str:
        """The value(s) of `name` with its baseline at y: a <text data-q> for one unit, else a glyph."""
        values = self.d.values[name]
        if self.every_unit:
            shift = {"start": GLYPH_W / 2, "end": -GLYPH_W / 2}.get(anchor, 0)
            return glyph(name, values, x + shift, y)
        return (
            f'<text data-q="{name}" x="{x}" y="{y}" text-anchor="{anchor}" font-size="14" '
            f'font-family="ui-monospace,monospace" fill="{INK}">{fmt(values[0])}</text>'
        )

    @staticmethod
    def part(symbol: str, *inner: str) -> str:
        """A clickable part of the cell (focusable: Enter works as a click): it names the equation it belongs
        to (data-part), and a screen reader reads that symbol."""
        return (
            f'<g data-part="{symbol}" class="lp-part" tabindex="0" role="button" '
            f'aria-label="{symbol}" style="cursor:pointer">{"".join(inner)}</g>'
        )

    def box(self, x: float, y: float, label: str, name: str, part: str, fill: str = GATE) -> str:
        """A 76 x 48 box centred on (x, y): its label, and `name`'s value(s) under it."""
        return self.part(
            part,
            f'<rect x="{x - 38}" y="{y - 24}" width="76" height="48" rx="8" fill="{fill}" stroke="{EDGE}"/>',
            f'<text x="{x}" y="{y - 6}" text-anchor="middle" font-size="15">{label}</text>',
            self.num(name, x, y + 17),
        )

    def circle(self, x: float, y: float, sym: str, part: str) -> str:
        """An operation (×, +, 1−) as a circle of radius 14 centred on (x, y)."""
        return self.part(
            part,
            f'<circle cx="{x}" cy="{y}" r="14" fill="{OP}" stroke="#b45309"/>',
            f'<text x="{x}" y="{y + 5}" text-anchor="middle" font-size="{13 if len(sym) > 1 else 16}">'
            f"{sym}</text>",
        )

    @staticmethod
    def arrow(*points: tuple[float, float]) -> str:
        """A polyline through `points`, with an arrowhead at the last; clicks go through it to the parts."""
        path = " L".join(f"{x},{y}" for x, y in points)
        return (
            f'<path d="M{path}" stroke="#374151" stroke-width="2" fill="none" pointer-events="none" '
            'marker-end="url(#lp-arrow)"/>'
        )

    @staticmethod
    def sub(base: str, index: str) -> str:
        """`base` with a subscript (C_t, h_{t-1})."""
        return f'{base}<tspan baseline-shift="sub" font-size="11">{index}</tspan>'

    @staticmethod
    def label(x: float, y: float, text: str) -> str:
        return f'<text x="{x}" y="{y}" font-size="15">{text}</text>'

    def frame(self, name: str, words_text: dict[str, str] | None, width: int) -> list[str]:
        """The svg element, the arrowhead, the cell's outline and its heading (which layer, unit, word)."""
        d, text = self.d, {**WORDS, **(words_text or {})}
        word = html.escape(d.word)
        who = "all units" if self.every_unit else f"unit {d.unit}"
        units = len(next(iter(d.values.values())))
        heading = text["heading_all" if self.every_unit else "heading"].format(
            layer=d.layer + 1, unit=d.unit, units=units, step=d.step, word=word
        )
        return [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 760 380" width="{width}" '
            f'class="lp-cell-diagram" data-cell="{d.cell}" data-step="{d.step}" '
            f'data-order="{" ".join(EQUATION_ORDER.get(d.cell, ()))}" role="img" '
            f'aria-label="{name} cell, layer {d.layer + 1}, {who}">',
            '<defs><marker id="lp-arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">'
            '<path d="M0,0 L8,4 L0,8 z" fill="#374151"/></marker></defs>',
            '<rect x="90" y="36" width="620" height="276" rx="16" fill="#f9fafb" stroke="#9ca3af"/>',
            f'<text x="380" y="24" text-anchor="middle" font-size="15">{heading}</text>',
        ]

    def inputs(self, x_end: float, words_text: dict[str, str] | None, h_prev: bool = True) -> list[str]:
        """The [h_{t-1}, x_t] line along the bottom (to x_end) and its words: the word, and h_{t-1}'s
        value(s) unless the diagram writes them on its state line (`h_prev` False: a GRU's, an RNN's)."""
        text, sub = {**WORDS, **(words_text or {})}, self.sub
        word = self.label(
            240, 366, f"{sub('x', 't')} = " + text["word"].format(word=html.escape(self.d.word))
        )
        line = f'<path d="M20,340 L{x_end},340" stroke="#374151" stroke-width="2" fill="none"/>'
        if not h_prev:
            return [line, self.label(20, 366, f"[{sub('h', 't-1')}, {sub('x', 't')}]"), word]
        return [
            line,
            self.label(20, 366, f"[{sub('h', 't-1')}, {sub('x', 't')}]:  {sub('h', 't-1')} ="),
            self.num("h_prev", 128, 366, "start"),
            word,
        ]


def cell_svg(v: CellValues | Diagram, width: int = 760, words_text: dict[str, str] | None = None) -> str:
    """The LSTM cell as SVG text; each number is a <text data-q="NAME"> (NAME: a field of CellValues, or
    "fc" = f_t·C_{t-1}, "ig" = i_t·C~_t, "tc" = tanh(C_t)), written with 4 decimals; with every unit
    (Diagram.unit None) each is a bar glyph. `words_text`: its heading and word line (WORDS' keys), e.g.
    translated. A GRU or RNN Diagram is drawn by `plots.cell_diagram_cells.cell_svg_any`."""
    d = lstm_diagram(v) if isinstance(v, CellValues) else v
    if d.cell != "lstm":
        raise ValueError(f"cell_svg draws an LSTM; this diagram's cell is {d.cell!r} (use cell_svg_any)")
    k = Canvas(d)
    num, arrow, sub, label, part = k.num, k.arrow, k.sub, k.label, k.part
    parts = [
        *k.frame("LSTM", words_text, width),
        # the cell-state line: C_{t-1} -> (×) f_t -> (+) i_t·C~_t -> C_t
        arrow((20, 70), (216, 70)), arrow((244, 70), (416, 70)), arrow((444, 70), (740, 70)),
        label(20, 58, sub("C", "t-1")), num("c_prev", 20, 100, "start"),
        part("c", label(680, 58, sub("C", "t")), num("c", 680, 100, "start")),
        k.circle(230, 70, "×", "c"), num("fc", 230, 50),
        k.circle(430, 70, "+", "c"),
        # the write: i_t × C~_t, up into (+)
        k.circle(430, 160, "×", "c"), arrow((430, 146), (430, 86)), num("ig", 448, 150, "start"),
        # the output: tanh(C_t) × o_t -> h_t
        arrow((650, 70), (650, 118)),
        part("h", '<rect x="622" y="120" width="56" height="26" rx="6" fill="#ecfdf5" stroke="#059669"/>',
             '<text x="650" y="138" text-anchor="middle" font-size="14">tanh</text>'),
        num("tc", 684, 138, "start"),  # right of its tanh box (at the left, it read as i·C̃'s)
        arrow((650, 146), (650, 184)), k.circle(650, 200, "×", "h"), arrow((664, 200), (740, 200)),
        part("h", label(700, 188, sub("h", "t")), num("h", 680, 226, "start")),
        # the gates, each from [h_{t-1}, x_t]
        *k.inputs(590, words_text),
        arrow((230, 340), (230, 276)), k.box(230, 250, "σ " + sub("f", "t"), "f", "f"),
        arrow((230, 226), (230, 86)),
        arrow((350, 340), (350, 276)), k.box(350, 250, "σ " + sub("i", "t"), "i", "i"),
        arrow((350, 226), (419, 171)),
        arrow((470, 340), (470, 276)), k.box(470, 250, "tanh " + sub("C̃", "t"), "g", "g", CANDIDATE),
        arrow((470, 226), (441, 171)),
        arrow((590, 340), (590, 276)), k.box(590, 250, "σ " + sub("o", "t"), "o", "o"),
        arrow((590, 226), (638, 208)),
        "</svg>",
    ]  # fmt: skip
    return "".join(parts)
