"""Inside one cell: the LSTM equations filled in with one step's numbers, and one unit's memory over time.

Functions take a `Trace` (or its numpy form, `lstmlm.studies.arrays.layer_arrays`) and return dataclasses
of numpy arrays, floats and strings, so the playground's views only draw and tests check plain numbers.
The notation is the seed article's: f_t, i_t, C~_t (PyTorch's g_t), C_t, o_t, h_t. The equations and the
memory breakdown are the LSTM's: a GRU or plain RNN layer raises ValueError naming its cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from lstmlm.studies.arrays import NAMES, Traced, check_index, layer_arrays, lstm_layer

# ---------------------------------------------------------------------------------------------
# Equations with live numbers, in the seed article's notation (C~_t is PyTorch's g_t).
# ---------------------------------------------------------------------------------------------


@dataclass
class EquationNumbers:
    """Every number of the LSTM equations for one unit at one step (float64 from the float32 trace)."""

    layer: int
    step: int
    unit: int
    z_f: float  # pre-activations W·[h_{t-1}, x_t] + b of each gate
    z_i: float
    z_g: float
    z_o: float
    f_t: float  # f_t = σ(z_f)
    i_t: float  # i_t = σ(z_i)
    g_t: float  # C~_t = tanh(z_g)
    o_t: float  # o_t = σ(z_o)
    h_prev: float  # h_{t-1}
    c_prev: float  # C_{t-1}
    c_t: float  # C_t = f_t * C_{t-1} + i_t * C~_t
    tanh_c_t: float
    h_t: float  # h_t = o_t * tanh(C_t)
    kept: float  # f_t * C_{t-1}
    written: float  # i_t * C~_t
    pinned: tuple[str, ...]  # values an intervention set (of i, f, g, o, c) instead of the equations


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def equation_numbers(tr: Traced, layer: int, step: int, unit: int) -> EquationNumbers:
    """The numbers of the LSTM equations for `unit` of `layer` at `step` of the trace."""
    layers = layer_arrays(tr)
    check_index(layers, layer, unit, step)
    la = lstm_layer(layers, layer)
    H = la.h.shape[1]
    z_i, z_f, z_g, z_o = (float(la.preact[step, k * H + unit]) for k in range(4))
    v = {n: float(la.get(n)[step, unit]) for n in NAMES}
    c_prev = float(la.c[step - 1, unit] if step else la.c0[unit])
    h_prev = float(la.h[step - 1, unit] if step else la.h0[unit])
    kept, written = v["f"] * c_prev, v["i"] * v["g"]
    computed = dict(i=_sigmoid(z_i), f=_sigmoid(z_f), g=math.tanh(z_g), o=_sigmoid(z_o), c=kept + written)
    pinned = tuple(n for n in "ifgoc" if abs(v[n] - computed[n]) > 1e-5 * (1 + abs(v[n])))
    gates = dict(
        f_t=v["f"], i_t=v["i"], g_t=v["g"], o_t=v["o"], c_t=v["c"], tanh_c_t=math.tanh(v["c"]), h_t=v["h"]
    )
    return EquationNumbers(layer, step, unit, z_f, z_i, z_g, z_o, h_prev=h_prev, c_prev=c_prev, kept=kept,
                           written=written, pinned=pinned, **gates)  # fmt: skip


TEXT = {
    "en": {
        "f": "Forget gate: how much of the old memory to keep",
        "i": "Input gate: how much of the candidate to write",
        "g": "Candidate memory: what could be written",
        "c": "Cell state: the memory, old part kept plus new part written",
        "o": "Output gate: how much of the memory to show",
        "h": "Hidden state: the output (to the next layer, and the output layer and softmax)",
        "title": "Layer {layer}, unit {unit}, step {step}",
        "pinned": "Pinned by the intervention; the equation gives {value}.",
        "footer": "Numbers rounded to {digits} decimals; C_t is shown as the sum of its two rounded "
        "terms, so the line adds up exactly. `W·[h_{{t-1}}, x_t] + b` is PyTorch's "
        "`W_ih·x_t + b_ih + W_hh·h_{{t-1}} + b_hh` for that gate.",
        "exact": "Before rounding the terms, C_t = {exact}.",
    },
    "zh": {
        "f": "遗忘门:保留多少旧的记忆",
        "i": "输入门:写入多少候选记忆",
        "g": "候选记忆:可以写入的内容",
        "c": "细胞状态:保留的旧记忆加上写入的新记忆",
        "o": "输出门:显示多少记忆",
        "h": "隐藏状态:输出(送往下一层,以及输出层和 softmax)",
        "title": "第 {layer} 层,第 {unit} 个单元,第 {step} 步",
        "pinned": "此值由干预固定;按公式应为 {value}。",
        "footer": "数值保留 {digits} 位小数;C_t 显示为两个已舍入项之和,因此这一行的加法完全成立。"
        "`W·[h_{{t-1}}, x_t] + b` 即 PyTorch 中该门的 `W_ih·x_t + b_ih + W_hh·h_{{t-1}} + b_hh`。",
        "exact": "两项舍入之前,C_t = {exact}。",
    },
}


def _fmt(x: float | Decimal, digits: int) -> str:
    s = f"{x:.{digits}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s  # no "-0.0000"


def _factor(x: float, digits: int) -> str:
    s = _fmt(x, digits)
    return f"({s})" if s.startswith("-") else s


def displayed_cell_sum(n: EquationNumbers, digits: int = 4) -> tuple[str, str, str]:
    """(kept, written, C_t) as displayed: both terms rounded, C_t their exact decimal sum."""
    kept, written = _fmt(n.kept, digits), _fmt(n.written, digits)
    return kept, written, _fmt(Decimal(kept) + Decimal(written), digits)


def equations_latex(n: EquationNumbers, digits: int = 4, lang: str = "en", word: str | None = None) -> str:
    """The LSTM equations with this step's numbers, as Markdown with $$...$$ LaTeX (lang "en" or "zh")."""
    if lang not in TEXT:
        raise ValueError(f"lang must be one of {', '.join(TEXT)}, got {lang!r}")
    if not 0 <= digits <= 12:
        raise ValueError(f"digits must be between 0 and 12, got {digits}")
    text = TEXT[lang]
    d = digits

    def gate(name: str, symbol: str, fn: str, w: str, z: float, value: float) -> str:
        lhs = f"{symbol} = {fn}(W_{w} \\cdot [h_{{t-1}}, x_t] + b_{w})"
        if name in n.pinned:
            computed = _sigmoid(z) if fn == "\\sigma" else math.tanh(z)
            return f"$${symbol} = {_fmt(value, d)}$$\n\n*{text['pinned'].format(value=_fmt(computed, d))}*"
        return f"$${lhs} = {fn}({_fmt(z, d)}) = {_fmt(value, d)}$$"

    title = text["title"].format(layer=n.layer, unit=n.unit, step=n.step)
    parts = [f"**{title}" + (f" ({word})" if word is not None else "") + "**"]
    parts += [text["f"], gate("f", "f_t", "\\sigma", "f", n.z_f, n.f_t)]
    parts += [text["i"], gate("i", "i_t", "\\sigma", "i", n.z_i, n.i_t)]
    parts += [text["g"], gate("g", "\\tilde{C}_t", "\\tanh", "C", n.z_g, n.g_t)]
    kept, written, c_shown = displayed_cell_sum(n, d)
    sign, written_abs = ("-", written[1:]) if written.startswith("-") else ("+", written)
    cell = (
        f"$$C_t = f_t * C_{{t-1}} + i_t * \\tilde{{C}}_t"
        f" = {_fmt(n.f_t, d)} \\times {_factor(n.c_prev, d)} + {_fmt(n.i_t, d)} \\times {_factor(n.g_t, d)}"
        f" \\approx {kept} {sign} {written_abs} = {c_shown}$$"
    )
    parts += [text["c"], cell]
    if "c" in n.pinned:
        parts[-1] = f"$$C_t = {_fmt(n.c_t, d)}$$\n\n*{text['pinned'].format(value=c_shown)}*"
        c_shown = _fmt(n.c_t, d)
    elif c_shown != _fmt(n.c_t, d):
        parts.append(text["exact"].format(exact=f"{n.c_t:.{d + 3}f}"))
    parts += [text["o"], gate("o", "o_t", "\\sigma", "o", n.z_o, n.o_t)]
    o_shown, tanh_shown = _fmt(n.o_t, d), _factor(math.tanh(float(c_shown)), d)
    parts += [
        text["h"],
        f"$$h_t = o_t * \\tanh(C_t) = {o_shown} \\times \\tanh({c_shown}) = "
        f"{o_shown} \\times {tanh_shown} \\approx {_fmt(n.h_t, d)}$$",
    ]
    parts.append(f"<small>{text['footer'].format(digits=d)}</small>")
    return "\n\n".join(parts)


# ---------------------------------------------------------------------------------------------
# Memory breakdown of one unit:  C_t = f_t * C_{t-1} + i_t * C~_t  =  kept + written.
# ---------------------------------------------------------------------------------------------


@dataclass
class MemoryBreakdown:
    """What one unit's cell kept and wrote at every step, and how much of each write survives later."""

    layer: int
    unit: int
    f: np.ndarray  # (T,) forget gate f_t
    c_prev: np.ndarray  # (T,) C_{t-1}; c_prev[0] is the starting cell
    kept: np.ndarray  # (T,) f_t * C_{t-1}: old memory carried over
    written: np.ndarray  # (T,) i_t * C~_t: new memory written
    c: np.ndarray  # (T,) C_t = kept + written (unless an intervention set the cell)
    horizon: np.ndarray  # (T, T) S[s, t] = f_{s+1} * ... * f_t for t >= s (1 on the diagonal), NaN for t < s
    initial: np.ndarray  # (T,) C_{-1} * f_0 * ... * f_t: what is left of the starting cell at step t


def memory_breakdown(tr: Traced, layer: int, unit: int) -> MemoryBreakdown:
    """Kept against written memory of one unit at every step, and its memory horizon S (T x T)."""
    layers = layer_arrays(tr)
    check_index(layers, layer, unit)
    la = lstm_layer(layers, layer)
    f, i, g, c = (la.get(n)[:, unit].astype(np.float64) for n in "figc")  # each (T,)
    c_prev = np.concatenate(([float(la.c0[unit])], c[:-1]))
    T = len(f)
    horizon = np.full((T, T), np.nan)
    for s in range(T):  # what was written at s is multiplied by every later forget gate
        horizon[s, s:] = np.cumprod(np.concatenate(([1.0], f[s + 1 :])))
    return MemoryBreakdown(
        layer, unit, f, c_prev, f * c_prev, i * g, c, horizon, float(la.c0[unit]) * np.cumprod(f)
    )
