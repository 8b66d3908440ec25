"""The Live Lab's pictures: the loss curve (nats and bits per token) and a snapshot's heatmap of the probe
text. Lists and arrays in, plotly Figure out (no gradio, no torch)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from lstmlm.cells import quantity
from lstmlm.wikitext import UNK
from playground.display import rare_label
from playground.plots.gates import gate_heatmap
from playground.plots.plot_words import WORDS
from playground.plots.style import ACCENT, MUTED, TEMPLATE
from playground.text import words_in

LN2 = math.log(2)
# what a snapshot's heatmap can show, named as everywhere ("cell state C", "forget gate f"): lstmlm.cells
QUANTITIES = {k: quantity("lstm", k).name for k in ("c", "h", "f", "i", "o", "g")}
OVERFIT_RATIO = 1.5  # the last validation loss this many times its best, training still falling: a note
# the overfitting note under the curve, which has half the tab's width: at most ~360 px of text a line
NOTE_WIDTH = (56, 24)  # characters a line (English, Chinese) at NOTE_FONT
NOTE_FONT, NOTE_LINE = 15, 20  # px: the note's font size and line height
NOTE_BELOW = 90  # px from the plot's bottom edge to the note: below the tick labels and the step axis's title
MAX_HEATMAP_UNITS = 128  # rows shown (the units that changed most over training first); one update < ~0.5 MB


def unit_name(unit: str, lang: str = "en") -> str:
    """The tokenizer's unit ('word' or 'character') in `lang` ('zh' or 'en')."""
    return words_in(lang, f"plot.{unit}")


def overfitting(evals: Sequence[dict], ratio: float = OVERFIT_RATIO) -> dict | None:
    """The best validation (a record of `evals`: step, train_loss, val_loss) if the last one's validation
    loss is at least `ratio` times that best while its training loss is lower than at the best: the model
    memorises its training text. None otherwise (fewer than two validations with both losses)."""
    finite = [e for e in evals if all(math.isfinite(e.get(k, math.nan)) for k in ("val_loss", "train_loss"))]
    if len(finite) < 2:
        return None
    best, last = min(finite, key=lambda e: e["val_loss"]), finite[-1]
    rose = last["val_loss"] >= ratio * best["val_loss"] and best["val_loss"] > 0
    return best if rose and last["train_loss"] < best["train_loss"] else None


def loss_figure(status: dict, lang: str = "en") -> go.Figure:
    """Training loss per step and validation loss at each evaluation, nats on the left axis, bits on the
    right (the same curve: bits = nats / ln 2); its words in `lang` ('zh' or 'en')."""
    unit = unit_name(status["unit"], lang)
    hover = words_in(lang, "live.nats_hover")
    curve = status.get("curve") or {"step": [], "loss": []}
    evals = status["evals"]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=curve["step"],
            y=curve["loss"],
            name=words_in(lang, "live.training"),
            mode="lines",
            line=dict(color=MUTED, width=2),
            hovertemplate=f"{hover}<extra>{words_in(lang, 'live.training')}</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[e["step"] for e in evals],
            y=[e["val_loss"] for e in evals],
            name=words_in(lang, "live.validation"),
            mode="lines+markers",
            line=dict(color=ACCENT, width=3),
            hovertemplate=f"{hover}<extra>{words_in(lang, 'live.validation_short')}</extra>",
        )
    )
    values = [v for v in [*curve["loss"], *(e["val_loss"] for e in evals)] if math.isfinite(v)]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    pad = 0.05 * max(hi - lo, 1e-3)
    lo, hi = max(0.0, lo - pad), hi + pad
    fig.update_layout(
        template=TEMPLATE,
        title=words_in(lang, "live.curve_title"),
        height=380,
        yaxis=dict(title=words_in(lang, "live.nats_per", u=unit), range=[lo, hi]),
        yaxis2=dict(title=words_in(lang, "live.bits_per", u=unit), range=[lo / LN2, hi / LN2],
                    overlaying="y", side="right", showgrid=False),
        xaxis=dict(title=words_in(lang, "live.step_axis")),
    )  # fmt: skip
    fig.add_trace(go.Scatter(x=[], y=[], yaxis="y2", showlegend=False))  # shows the bits axis
    if (best := overfitting(evals)) is not None:  # a note under the curve, wrapped to the plot's width
        ratio = f"{evals[-1]['val_loss'] / best['val_loss']:.1f}"
        said = words_in(lang, "live.overfit", ratio=ratio, step=f"{best['step']:,}")
        lines = textwrap.wrap(said, NOTE_WIDTH[lang == "zh"])
        below = NOTE_LINE * len(lines) + 10
        fig.update_layout(height=380 + NOTE_BELOW - 60 + below, margin=dict(b=NOTE_BELOW + below))
        fig.add_annotation(
            text="<br>".join(lines),
            name="overfit",
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            yshift=-NOTE_BELOW,  # below the step axis's title
            xanchor="left",
            yanchor="top",
            align="left",
            font=dict(size=NOTE_FONT),
            showarrow=False,
        )
    return fig


def snapshot_figure(
    values: np.ndarray,
    tokens: Sequence[str],
    step: int,
    seconds: float,
    order: np.ndarray,
    layer: int,
    quantity: str,
    unit: str = "word",
    lang: str = "en",
    unknown: Sequence[int] = (),
) -> go.Figure:
    """The probe's heatmap (units x tokens) of one quantity at one snapshot (`values`: its (T, H) array,
    taken at `step`, `seconds` into training), units in `order` (at most MAX_HEATMAP_UNITS rows); `unit`:
    the tokenizer's unit ('word' or 'character'), which the token axis, the hover and <unk> name; its words in
    `lang`. `unknown`: the positions of tokens the model's vocabulary lacks (read as <unk>), which the title
    names."""
    units = [int(u) for u in order[:MAX_HEATMAP_UNITS]]
    z = values[:, units].T  # (U, T)
    if quantity == "c":
        z = np.tanh(z)  # unbounded: shown as tanh(C), as the Gates view does
    name = words_in(lang, f"live.q.{quantity}")
    tanh = " (tanh)" if quantity == "c" else ""
    title = words_in(
        lang, "live.snap_title", q=name, tanh=tanh, layer=layer + 1, step=f"{step:,}", s=f"{seconds:.0f}"
    )
    if len(units) < values.shape[1]:  # a layer of more than MAX_HEATMAP_UNITS: say that some are left out
        title += " · " + words_in(lang, "live.snap_some", n=len(units), total=values.shape[1])
    if len(unknown):  # shown as typed, but the model read them as <unk>: say so
        lacked = " ".join(dict.fromkeys(tokens[p] for p in unknown if p < len(tokens)))
        title += " · " + words_in(lang, "live.snap_unknown", rare=rare_label(lang, unit=unit), chars=lacked)
    shown_as = {"<eos>": "\u21b5", " ": "\u2423", UNK: rare_label(lang, unit=unit)}  # <unk>: a rare character
    tokens = [shown_as.get(t, t) for t in tokens]
    words = {k: words_in(lang, f"plot.{k}") for k in WORDS}
    gate = "h" if quantity == "c" else quantity
    return gate_heatmap(z, tokens, units, gate, title, unit=unit, words_text=words)
