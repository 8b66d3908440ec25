"""The Live Lab tab's snapshots: the heatmap of the probe's gates at a snapshot, what changed between two
snapshots, and a snapshot's model opened in every view (the model hub): their controls, their handlers
(the job registry first, bound with functools.partial) and their wiring. tabs/live.py calls
`snapshot_controls` and `wire_snapshots` while it builds the tab.
"""

from __future__ import annotations

from functools import partial
from types import SimpleNamespace

import gradio as gr
import numpy as np

from lstmlm.checkpoint import CheckpointError
from lstmlm.training.live import load_snapshot, snapshot_changes
from playground import markup
from playground.hub import OPEN_JS, HubUnavailable, register
from playground.plots.live import QUANTITIES, snapshot_figure
from playground.plots.style import placeholder
from playground.server.live_jobs import LiveJobs, UnknownJob
from playground.views.live import changed_units, changes_html


def snapshot_heatmap(jobs: LiveJobs, job_id: str, index: int, layer: int, quantity: str):
    """The Figure of snapshot `index` of the job (units ordered by how much they changed from the first
    snapshot to the last); a placeholder before the first. UnknownJob for a job that is gone."""
    job = jobs.get(job_id)
    with job.lock:
        snaps = list(job.snapshots)
    if not snaps:
        return placeholder("Snapshots of the probe's gates appear here while it trains.")
    index = int(np.clip(index, 0, len(snaps) - 1))
    first, last, shown = (load_snapshot(snaps[i].path) for i in (0, -1, index))
    layer = min(int(layer), len(shown.values) - 1)
    order = changed_units(first, last, layer, quantity)
    meta = shown.meta
    values = shown.values[layer][quantity]
    unit = job.settings.tokenizer_object.unit  # the probe is read as the training reads its text
    return snapshot_figure(values, shown.tokens, meta["step"], meta["seconds"], order, layer, quantity, unit)


def show_snapshot(jobs: LiveJobs, job_id: str, index: float, layer: int, quantity: str):
    """The heatmap of snapshot `index` (units ordered by how much they changed from the first to the last)."""
    if not job_id:
        return gr.skip()
    try:
        return snapshot_heatmap(jobs, job_id, int(index), layer, quantity)
    except UnknownJob as e:
        raise gr.Error(str(e)) from None


def changes_table(jobs: LiveJobs, job_id: str, base: int, index: int) -> str:
    """The HTML table of what changed from snapshot `base` to snapshot `index` (a note before there are
    two). UnknownJob for a job that is gone."""
    job = jobs.get(job_id)
    with job.lock:
        snaps = list(job.snapshots)
    if len(snaps) < 2:
        return markup.placeholder("What changed between two snapshots appears here once there are two.")
    first, second = (load_snapshot(snaps[int(np.clip(i, 0, len(snaps) - 1))].path) for i in (base, index))
    return changes_html(snapshot_changes(first, second), first, second)


def show_changes(jobs: LiveJobs, job_id: str, base: float, index: float) -> str:
    """The table of what changed from snapshot `base` to snapshot `index`."""
    if not job_id:
        return gr.skip()
    try:
        return changes_table(jobs, job_id, int(base), int(index))
    except (UnknownJob, ValueError) as e:
        raise gr.Error(str(e)) from None


def open_in_every_view(jobs: LiveJobs, key: str, index: float) -> str:
    """Offer the shown snapshot's model in every view (the model hub mounts an app for it) and return its
    path "/m/<key>/", which the page then opens. gr.Error without a snapshot or a hub."""
    if not key:
        raise gr.Error("Train a model first: its snapshots open in every view.")
    try:
        job = jobs.get(key)
    except UnknownJob as e:
        raise gr.Error(str(e)) from None
    with job.lock:
        snaps = list(job.snapshots)
    if not snaps:
        raise gr.Error("Train a model first: its snapshots open in every view.")
    snap = snaps[int(np.clip(index, 0, len(snaps) - 1))]
    label = f"Live Lab model at step {snap.step:,} ({snap.seconds:.0f} s)"
    try:
        return register(snap.model_dir, label)
    except (HubUnavailable, CheckpointError) as e:
        raise gr.Error(str(e)) from None


def snapshot_controls(c: SimpleNamespace) -> None:
    """The snapshot slider, layer and quantity, the heatmap, what changed from another snapshot, and the
    button that opens the shown snapshot in every view (onto the tab's namespace `c`)."""
    gr.Markdown(
        "### Watch its gates learn\nEach snapshot traces the probe text with the model as it was "
        "at that moment; units are ordered by how much they changed over training."
    )
    with gr.Row():
        c.snapshot = gr.Slider(
            0, 1, value=0, step=1, label="Snapshot (0 = before training)", elem_id="live-snap"
        )
        c.layer = gr.Radio([("Layer 1", 0), ("Layer 2", 1)], value=0, label="Layer")
        c.quantity = gr.Radio([(v, k) for k, v in QUANTITIES.items()], value="c", label="Show")
    c.heat = gr.Plot(
        placeholder("Snapshots appear here while it trains."), show_label=False, elem_id="live-heatmap"
    )
    gr.Markdown(
        "### What changed\nPer unit, between two snapshots: how often its gates saturate, and "
        "how well its cell follows each Cell-hunt track (inside quotes, bracket depth, position "
        "in the line...), over the start of the held-out text."
    )
    c.base = gr.Slider(
        0, 1, value=0, step=1, label="From snapshot (to the one shown above)", elem_id="live-base"
    )
    c.changes = gr.HTML(elem_id="live-changes-box")
    c.open_button = gr.Button("Open this snapshot in every view", elem_id="live-open", size="sm")
    c.open_target = gr.Textbox(visible=False, elem_id="live-open-target")


def wire_snapshots(jobs: LiveJobs, c: SimpleNamespace) -> None:
    """Redraw the heatmap when the snapshot, layer or quantity changes, the table of what changed when
    either snapshot does, and open the shown snapshot in every view (private listeners)."""
    private = dict(show_progress="hidden", api_visibility="private")
    redraw, changed = partial(show_snapshot, jobs), partial(show_changes, jobs)
    # .input, not .release: a slider's .release fires only when a drag or click ends, so a number typed
    # in its box (Enter) or a key (Home, End, arrows) changed it without a redraw. .input fires for every
    # change the user makes (each drag step too: always_last keeps only the latest), never for the value
    # a tick sets, which redraws the heatmap itself.
    live = dict(private, trigger_mode="always_last")
    for trigger in (c.snapshot.input, c.layer.input, c.quantity.input):
        trigger(redraw, [c.job, c.snapshot, c.layer, c.quantity], c.heat, **live)
    for trigger in (c.snapshot.input, c.base.input):
        trigger(changed, [c.job, c.base, c.snapshot], c.changes, **live)
    c.open_button.click(
        partial(open_in_every_view, jobs), [c.job, c.snapshot], c.open_target, api_visibility="private"
    ).success(None, c.open_target, None, js=OPEN_JS, **private)
