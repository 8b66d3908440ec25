"""What the live cell diagram draws, as plain data (no gradio): the trace's numbers of one unit (or of every
unit) of one layer at one word, for an LSTM, a GRU or a plain RNN (`plots.cell_diagram` draws them), and the
GRU's and RNN's equations with those numbers (the LSTM's come from `lstmlm.studies.equations`).

Every number is the trace's (`lstmlm.prompt.reader(model).trace`, the same forward and the same trace as
every view), read at one step; the products and sums on the diagram's arrows (f_t·C_{t-1}, (1-z_t)·n_t, ...)
are those values multiplied in float64.
"""

from __future__ import annotations

import numpy as np

from lstmlm.messages import Message
from lstmlm.model import LanguageModel
from lstmlm.prompt import read_prompt, reader
from lstmlm.trace import Trace
from playground.display import display_word
from playground.plots.cell_diagram import Diagram

# The words of the GRU's and RNN's equations (`other_cell_latex`), translated in playground/text/equations.py
# an empty prompt, refused by the cell diagram here and in views/equations.py
DIAGRAM_EMPTY = Message("diagram.empty", "type a prompt first: the diagram shows one of its words")
OTHER_CELL_WORDS = ("title", "r", "z", "n", "h_gru", "h_rnn")


def _at(values, step: int, units: slice | int) -> np.ndarray:
    """The (U,) float64 values of one step of a (T, 1, H) tensor, for the chosen unit(s)."""
    return np.atleast_1d(values[step, 0, units].detach().double().numpy())


def _before(layer_trace, name: str, step: int, units: slice | int) -> np.ndarray:
    """The value of `name` (h or c) before `step`: the starting state at step 0, else the last step's."""
    if step == 0:
        return np.atleast_1d(getattr(layer_trace, f"{name}0")[0, units].detach().double().numpy())
    return _at(getattr(layer_trace, name), step - 1, units)


def diagram_values(tr: Trace, word: str, layer: int, step: int, unit: int | None) -> Diagram:
    """The numbers of `layer` at `step` of a traced prompt, for one `unit` or (None) every unit.

    LSTM: c_prev, h_prev, f, i, g, o, c, h and fc = f·C_{t-1}, ig = i·C~, tc = tanh(C_t).
    GRU: h_prev, r, z, n, h; a_r, a_z, a_n, the arguments of σ, σ, tanh; hn = W_hn h_{t-1} + b_hn,
    rhn = r·hn, xn = a_n - rhn (= W_in x_t + b_in), omz = 1 - z, new = (1 - z)·n, keep = z·h_{t-1}.
    Plain RNN: h_prev, a (the argument of tanh or relu), h.
    Raises IndexError for a layer, step or unit out of range (check them first: `cell_diagrams`)."""
    lt = tr.layers[layer]
    units: slice | int = slice(None) if unit is None else unit
    at = lambda name: _at(lt.get(name), step, units)  # noqa: E731
    cell = tr.cell
    v: dict[str, np.ndarray] = {"h_prev": _before(lt, "h", step, units)}
    if cell == "lstm":
        v["c_prev"] = _before(lt, "c", step, units)
        v.update({name: at(name) for name in ("f", "i", "g", "o", "c", "h")})
        v["fc"], v["ig"], v["tc"] = v["f"] * v["c_prev"], v["i"] * v["g"], np.tanh(v["c"])
    elif cell == "gru":
        v.update({name: at(name) for name in ("r", "z", "n", "h", "hn")})
        a_r, a_z, a_n = lt.preact.chunk(3, dim=-1)  # the arguments of σ, σ and tanh
        v["a_r"], v["a_z"], v["a_n"] = (_at(a, step, units) for a in (a_r, a_z, a_n))
        v["rhn"], v["omz"] = v["r"] * v["hn"], 1.0 - v["z"]
        v["xn"] = v["a_n"] - v["rhn"]
        v["new"], v["keep"] = v["omz"] * v["n"], v["z"] * v["h_prev"]
    else:  # rnn_tanh / rnn_relu: the preact is the argument of the nonlinearity
        v["a"], v["h"] = _at(lt.preact, step, units), at("h")
    values = {k: tuple(float(x) for x in a) for k, a in v.items()}
    return Diagram(cell, word, step, layer, unit, values)


def cell_diagrams(
    model: LanguageModel, text: str, layer: int, step: int | None, unit: int, every_unit: bool = False
) -> tuple[Diagram, Diagram]:
    """The diagram's numbers for `text` (read as every view reads a prompt): `unit`'s, and those drawn
    (every unit's with `every_unit`, else the same). `step` None is the last word. One trace for both.

    Raises ValueError, saying what is allowed, for a prompt without words or a layer, step or unit out of
    range."""
    p = read_prompt(model.vocab, text)
    if not p.ids:
        raise ValueError(DIAGRAM_EMPTY)
    L, H, T = model.config.num_layers, model.config.hidden_dim, len(p.ids)
    step = T - 1 if step is None else step
    if not 0 <= layer < L:
        raise ValueError(f"layer {layer} does not exist: the model has layers 0..{L - 1}")
    if not 0 <= step < T:
        raise ValueError(f"step {step} does not exist: the prompt has steps 0..{T - 1}")
    if not 0 <= unit < H:
        raise ValueError(f"unit {unit} does not exist: the layer has units 0..{H - 1}")
    tr = reader(model).trace(p.ids)  # the Equations view's other parts read the same trace
    word = display_word(p.tokens[step], unit=p.unit)  # `unit` here is the cell's unit number
    one = diagram_values(tr, word, layer, step, unit)
    return one, diagram_values(tr, word, layer, step, None) if every_unit else one


def _n(x: float, digits: int, factor: bool = False) -> str:
    """x with `digits` decimals (never "-0.0000"); a negative factor of a product in parentheses."""
    s = f"{x:.{digits}f}"
    s = s[1:] if s.startswith("-") and float(s) == 0 else s
    return f"({s})" if factor and s.startswith("-") else s


def other_cell_latex(d: Diagram, words: dict[str, str], digits: int = 4) -> str:
    """The GRU's (r, z, n, h) or the plain RNN's (h) equations with one unit's numbers, as Markdown with
    $$...$$ LaTeX, one display block per equation in `plots.cell_diagram.EQUATION_ORDER`'s order.
    `words`: the heading and one line before each equation (OTHER_CELL_WORDS; the tab passes them
    translated).
    Raises ValueError for an LSTM (its equations: lstmlm.studies.equations) or for all units."""
    if d.cell == "lstm" or d.unit is None:
        raise ValueError("other_cell_latex writes one unit of a GRU or plain RNN")
    v = {k: x[0] for k, x in d.values.items()}
    n = lambda name: _n(v[name], digits)  # noqa: E731
    x = lambda name: _n(v[name], digits, factor=True)  # noqa: E731
    title = words["title"].format(layer=d.layer + 1, unit=d.unit, step=d.step, word=d.word)
    parts = [f"**{title}**"]
    if d.cell == "gru":
        for gate in ("r", "z"):
            parts += [
                words[gate],
                f"$${gate}_t = \\sigma(W_{{i{gate}}} x_t + b_{{i{gate}}} + W_{{h{gate}}} h_{{t-1}} + "
                f"b_{{h{gate}}}) = \\sigma({n('a_' + gate)}) = {n(gate)}$$",
            ]
        parts += [
            words["n"],
            "$$n_t = \\tanh(W_{in} x_t + b_{in} + r_t \\odot (W_{hn} h_{t-1} + b_{hn})) = "
            f"\\tanh({n('xn')} + {x('r')} \\times {x('hn')}) = \\tanh({n('a_n')}) = {n('n')}$$",
            words["h_gru"],
            f"$$h_t = (1 - z_t) \\odot n_t + z_t \\odot h_{{t-1}} = {x('omz')} \\times {x('n')} + "
            f"{x('z')} \\times {x('h_prev')} \\approx {n('h')}$$",
        ]
    else:
        fn = "\\tanh" if d.cell == "rnn_tanh" else "\\mathrm{relu}"
        parts += [
            words["h_rnn"],
            f"$$h_t = {fn}(W_{{ih}} x_t + b_{{ih}} + W_{{hh}} h_{{t-1}} + b_{{hh}}) = {fn}({n('a')}) = "
            f"{n('h')}$$",
        ]
    return "\n\n".join(parts)
