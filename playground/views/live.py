"""The Live Lab's screen as plain data and HTML/figures: the progress line, the loss curve (nats and bits per
token), the latest sample, and a snapshot's heatmap. No gradio: the tab and tests call these.
"""

from __future__ import annotations

import html
import math

import numpy as np
import plotly.graph_objects as go

from lstmlm.training.live import SnapshotData, UnitChange, load_snapshot, snapshot_changes
from playground import markup
from playground.plots import style as plots

LN2 = math.log(2)
QUANTITIES = {"c": "cell C", "h": "hidden h", "f": "forget gate f", "i": "input gate i", "o": "output gate o"}
QUANTITIES["g"] = "candidate C~"
MAX_HEATMAP_UNITS = 128  # rows shown (the units that changed most over training first); one update < ~0.5 MB
STATES = {"queued": "Waiting", "running": "Training", "paused": "Paused", "done": "Finished"}
STATES |= {"stopped": "Stopped", "failed": "Failed"}


def progress_html(status: dict) -> str:
    """One line: state, time against budget (a bar), step, speed, best validation loss."""
    state, unit = status["state"], status["unit"]
    done = min(1.0, status["seconds"] / max(status["budget_s"], 1e-9))
    if state == "done":
        done = 1.0
    words = STATES[state]
    if status.get("queue_position"):
        words += f" (number {status['queue_position']} in the queue: the server trains a few at a time)"
    if status.get("read_only"):
        words += " · a shared training: you watch, its teacher controls it"
    best = min((e["val_loss"] for e in status["evals"]), default=None)
    left = max(0.0, status["budget_s"] - status["seconds"])
    parts = [
        f"<b>{words}</b>",
        f"{status['seconds']:.0f} s of {status['budget_s']:.0f} s ({left:.0f} s left)",
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


def changes_html(changes: dict[str, list[UnitChange]], first: SnapshotData, second: SnapshotData) -> str:
    """What changed between two snapshots, as a table: for each gate's saturation and each Cell-hunt track,
    the units whose score changed most (before -> after). Scores are over the start of the held-out text."""
    if not changes:
        return markup.placeholder("Snapshots made before this version carry no per-unit statistics.")
    a, b = first.meta, second.meta
    rows = []
    for what, units in changes.items():
        for n, c in enumerate(units):
            label = html.escape(c.label) if n == 0 else ""
            arrow = "&#9650;" if c.change > 0 else "&#9660;" if c.change < 0 else ""
            rows.append(
                f'<tr data-what="{what}"><td>{label}</td><td>layer {c.layer + 1} unit {c.unit}</td>'
                f"<td>{c.before:.2f}</td><td>{c.after:.2f}</td><td>{arrow} {c.change:+.2f}</td></tr>"
            )
    note = (
        "Saturated: the fraction of steps where the gate is below 0.1 or above 0.9. A track's score is how "
        "well the unit's cell follows it: max(AUC, 1 &minus; AUC) for a yes/no track, |r| for a count "
        f"(0.5 / 0 = no better than chance), over the first {b.get('stats_tokens', 0):,} held-out tokens."
    )
    return (
        f'<div class="lp-label" id="live-changes-title">What changed from step {a["step"]:,} '
        f"({a['seconds']:.0f} s) to step {b['step']:,} ({b['seconds']:.0f} s)</div>"
        f'<table class="lp-table" id="live-changes"><tr><th>what</th><th>unit</th><th>before</th>'
        f'<th>after</th><th>change</th></tr>{"".join(rows)}</table><div class="lp-note">{note}</div>'
    )


def snapshot_json(job, index: int = -1, compare_to: int = 0) -> dict:
    """A job's snapshot as JSON-ready values (the `live_snapshot` endpoint): tokens, per layer each
    quantity as a (T, H) list, and what changed since snapshot `compare_to`. ValueError for an index
    out of range."""
    with job.lock:
        snaps = list(job.snapshots)
    if not snaps:
        raise ValueError("no snapshot yet: the first is taken when training starts")
    count = len(snaps)
    for name, i in (("index", index), ("compare_to", compare_to)):
        if not -count <= i < count:
            raise ValueError(
                f"{name} must be in {-count}..{count - 1} (there are {count} snapshots), got {i}"
            )
    shown, base = load_snapshot(snaps[index].path), load_snapshot(snaps[compare_to].path)
    changes = snapshot_changes(base, shown)
    rnd = lambda x: np.round(np.asarray(x, dtype=np.float64), 4).tolist()  # noqa: E731
    return dict(
        index=index % count,
        compare_to=compare_to % count,
        snapshots=count,
        step=shown.meta["step"],
        seconds=shown.meta["seconds"],
        tokens=shown.tokens,
        layers=[{q: rnd(v) for q, v in layer.items()} for layer in shown.values],
        changes={
            what: [
                dict(
                    layer=c.layer,
                    unit=c.unit,
                    label=c.label,
                    before=round(c.before, 4),
                    after=round(c.after, 4),
                    change=round(c.change, 4),
                )
                for c in units
            ]
            for what, units in changes.items()
        },  # fmt: skip
    )
