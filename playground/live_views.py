"""The Live Lab's screen as plain data and HTML/figures: the progress line, the loss curve (nats and bits per
token), the latest sample, and a snapshot's heatmap. No gradio: the tab and tests call these.
"""

from __future__ import annotations

import html
import math

import numpy as np
import plotly.graph_objects as go

from lstmlm.live import SnapshotData

from . import markup, plots

LN2 = math.log(2)
QUANTITIES = {"c": "cell C", "h": "hidden h", "f": "forget gate f", "i": "input gate i", "o": "output gate o"}
QUANTITIES["g"] = "candidate C~"
MAX_HEATMAP_UNITS = 128  # rows shown (the units that changed most over training first); one update < ~0.5 MB


def progress_html(status: dict) -> str:
    """One line: state, time against budget (a bar), step, speed, best validation loss."""
    state, unit = status["state"], status["unit"]
    done = min(1.0, status["seconds"] / max(status["budget_s"], 1e-9))
    if state != "running":
        done = 1.0 if state == "done" else done
    words = {
        "running": "Training",
        "done": "Finished",
        "stopped": "Stopped",
        "failed": "Failed",
    }[state]
    best = min((e["val_loss"] for e in status["evals"]), default=None)
    parts = [
        f"<b>{words}</b>",
        f"{status['seconds']:.0f} s of {status['budget_s']:.0f} s",
        f"step {status['step']:,}",
        f"{status['tokens_per_s']:,} {unit}s/s",
    ]
    if best is not None:
        parts.append(f"best validation loss {best:.3f} nats/{unit} = {best / LN2:.3f} bits/{unit}")
    error = markup.notice(status["error"]) if status.get("error") else ""
    return (
        f'<div class="lp-summary" id="live-progress">{" · ".join(parts)}'
        f'<div class="lp-bar"><div style="width:{100 * done:.0f}%"></div></div></div>{error}'
    )


def loss_figure(status: dict) -> go.Figure:
    """Training loss per step and validation loss at each evaluation, nats on the left axis, bits on the
    right (the same curve: bits = nats / ln 2)."""
    unit = status["unit"]
    curve = status.get("curve") or {"step": [], "loss": []}
    evals = status["evals"]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=curve["step"],
            y=curve["loss"],
            name="training",
            mode="lines",
            line=dict(color=plots.MUTED, width=2),
            hovertemplate="step %{x}<br>%{y:.3f} nats<extra>training</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[e["step"] for e in evals],
            y=[e["val_loss"] for e in evals],
            name="validation (held-out last 10%)",
            mode="lines+markers",
            line=dict(color=plots.ACCENT, width=3),
            hovertemplate="step %{x}<br>%{y:.3f} nats<extra>validation</extra>",
        )
    )
    values = [v for v in [*curve["loss"], *(e["val_loss"] for e in evals)] if math.isfinite(v)]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    pad = 0.05 * max(hi - lo, 1e-3)
    lo, hi = max(0.0, lo - pad), hi + pad
    fig.update_layout(
        template=plots.TEMPLATE,
        title="Loss while it learns",
        height=380,
        yaxis=dict(title=f"nats per {unit}", range=[lo, hi]),
        yaxis2=dict(title=f"bits per {unit}", range=[lo / LN2, hi / LN2], overlaying="y", side="right",
                    showgrid=False),
        xaxis=dict(title="step"),
    )  # fmt: skip
    fig.add_trace(go.Scatter(x=[], y=[], yaxis="y2", showlegend=False))  # shows the bits axis
    return fig


def sample_html(status: dict) -> str:
    """The latest sample (generated with the same seed each time), with when it was drawn."""
    sample = status.get("sample")
    if not sample:
        return markup.placeholder("A sample from the model appears here every few seconds.")
    text = html.escape(sample["text"]).replace("\n", "<br>")
    return (
        f'<div class="lp-label">Sample at step {sample["step"]:,} ({sample["seconds"]:.0f} s), '
        f'same seed each time</div><div class="lp-text" id="live-sample" style="font-family: ui-monospace, '
        f'monospace; font-size: 19px">{text}</div>'
    )


def changed_units(first: SnapshotData, last: SnapshotData, layer: int, quantity: str) -> np.ndarray:
    """Unit indices ordered by how much their values over the probe changed from `first` to `last`
    (mean absolute difference), largest first."""
    delta = np.abs(last.values[layer][quantity] - first.values[layer][quantity]).mean(axis=0)  # (H,)
    return np.argsort(-delta, kind="stable")


def snapshot_figure(snap: SnapshotData, order: np.ndarray, layer: int, quantity: str) -> go.Figure:
    """The probe's heatmap (units x tokens) of one quantity at one snapshot, units in `order` (at most
    MAX_HEATMAP_UNITS rows)."""
    units = [int(u) for u in order[:MAX_HEATMAP_UNITS]]
    z = snap.values[layer][quantity][:, units].T  # (U, T)
    if quantity == "c":
        z = np.tanh(z)  # unbounded: shown as tanh(C), as the Gates view does
    meta = snap.meta
    title = (
        f"{QUANTITIES[quantity]}{' (tanh)' if quantity == 'c' else ''} · layer {layer + 1} · step "
        f"{meta['step']:,} ({meta['seconds']:.0f} s)"
    )
    tokens = ["\u21b5" if t == "<eos>" else ("\u2423" if t == " " else t) for t in snap.tokens]
    return plots.gate_heatmap(z, tokens, units, "h" if quantity == "c" else quantity, title)
