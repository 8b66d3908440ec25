"""The GRU and plain RNN drawn like the LSTM cell diagram (plots/cell_diagram.py), with the same numbers
(<text data-q>, or a bar glyph per quantity for every unit) and clickable parts (data-part = the symbol of
the equation each belongs to).

GRU (PyTorch's equations; n_t sees r_t ⊙ (W_hn h_{t-1} + b_hn)):

    h_{t-1} ──(×)───────────────────(+)──> h_t
               │ z_t                  │ (1-z_t)·n_t
               │      (1−)───────────(×)
              σ z      σ r ──> tanh n_t
    [h_{t-1}, x_t] ─┴───────┴──────────┘

Plain RNN: [h_{t-1}, x_t] ──> tanh (or relu) ──> h_t.
"""

from __future__ import annotations

from playground.plots.cell_diagram import CANDIDATE, EDGE, Canvas, Diagram, cell_svg

RNN_NAMES = {"gru": "GRU", "rnn_tanh": "RNN (tanh)", "rnn_relu": "RNN (relu)"}


def gru_svg(d: Diagram, width: int = 760, words_text: dict[str, str] | None = None) -> str:
    """The GRU cell as SVG text. Numbers (data-q): h_prev, z, r, n, h; keep = z·h_{t-1}; omz = 1 - z;
    rhn = r·(W_hn h_{t-1} + b_hn), what the reset gate lets into the candidate; new = (1 - z)·n."""
    k = Canvas(d)
    num, arrow, sub, label, part = k.num, k.arrow, k.sub, k.label, k.part
    parts = [
        *k.frame("GRU", words_text, width),
        # the state line: h_{t-1} -> (×) z_t -> (+) (1 - z_t)·n_t -> h_t
        arrow((20, 70), (286, 70)), arrow((314, 70), (566, 70)), arrow((594, 70), (740, 70)),
        label(20, 58, sub("h", "t-1")), num("h_prev", 20, 94, "start"),
        k.circle(300, 70, "×", "h"), num("keep", 300, 50),
        k.circle(580, 70, "+", "h"),
        part("h", label(680, 58, sub("h", "t")), num("h", 680, 94, "start")),
        # the update gate: z_t keeps the old state, 1 - z_t writes the candidate
        *k.inputs(580, words_text, h_prev=False),
        arrow((300, 340), (300, 276)), k.box(300, 250, "σ " + sub("z", "t"), "z", "z"),
        arrow((300, 226), (300, 86)),
        arrow((320, 226), (428, 168)), k.circle(440, 160, "1−", "h"), num("omz", 440, 136),
        arrow((454, 160), (566, 160)), k.circle(580, 160, "×", "h"), num("new", 598, 150, "start"),
        arrow((580, 146), (580, 86)),
        # the reset gate and the candidate n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))
        arrow((410, 340), (410, 276)), k.box(410, 250, "σ " + sub("r", "t"), "r", "r"),
        arrow((448, 250), (540, 250)), part("n", num("rhn", 495, 240)),
        arrow((580, 340), (580, 276)), k.box(580, 250, "tanh " + sub("n", "t"), "n", "n", CANDIDATE),
        arrow((580, 226), (580, 176)),
        "</svg>",
    ]  # fmt: skip
    return "".join(parts)


def rnn_svg(d: Diagram, width: int = 760, words_text: dict[str, str] | None = None) -> str:
    """The plain RNN cell as SVG text. Numbers (data-q): h_prev, a (the argument of tanh or relu), h."""
    k = Canvas(d)
    num, arrow, sub, label, part = k.num, k.arrow, k.sub, k.label, k.part
    fn = "tanh" if d.cell == "rnn_tanh" else "relu"
    parts = [
        *k.frame(RNN_NAMES[d.cell], words_text, width),
        label(20, 58, sub("h", "t-1")), num("h_prev", 20, 94, "start"),
        arrow((20, 70), (120, 70), (120, 330)),
        *k.inputs(380, words_text, h_prev=False),
        arrow((380, 340), (380, 226)), part("h", num("a", 392, 300, "start")),
        part("h", f'<rect x="342" y="176" width="76" height="48" rx="8" fill="{CANDIDATE}" stroke="{EDGE}"/>',
             f'<text x="380" y="206" text-anchor="middle" font-size="16">{fn}</text>'),
        arrow((380, 176), (380, 70), (740, 70)),
        part("h", label(680, 58, sub("h", "t")), num("h", 680, 94, "start")),
        "</svg>",
    ]  # fmt: skip
    return "".join(parts)


def cell_svg_any(d: Diagram, width: int = 760, words_text: dict[str, str] | None = None) -> str:
    """The diagram of d's cell (LSTM, GRU or plain RNN) as SVG text. Raises ValueError for another cell."""
    draw = {"lstm": cell_svg, "gru": gru_svg, "rnn_tanh": rnn_svg, "rnn_relu": rnn_svg}.get(d.cell)
    if draw is None:
        raise ValueError(f"no diagram for the cell {d.cell!r}: lstm, gru, rnn_tanh or rnn_relu")
    return draw(d, width, words_text)
