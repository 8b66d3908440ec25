"""The Live Lab tab's snapshots: the heatmap of the probe's gates at a snapshot, what changed between two
snapshots, and a snapshot's model opened in every view (the model hub): their controls, their handlers
(the job registry first, bound with functools.partial) and their wiring. tabs/live.py calls
`snapshot_controls` and `wire_snapshots` while it builds the tab.
"""

from __future__ import annotations

import json
from functools import partial
from types import SimpleNamespace
from urllib.parse import urlencode

import gradio as gr
import numpy as np

from lstmlm.checkpoint import CheckpointError
from lstmlm.training.live import load_snapshot, probe_text, snapshot_changes
from playground import markup
from playground.hub import HUB_URL_JS, PRE_OPEN_JS, HubUnavailable, register
from playground.i18n import language, say, shown, t
from playground.plots.live import QUANTITIES, snapshot_figure
from playground.plots.style import placeholder
from playground.server.live_jobs import LiveJobs, UnknownJob
from playground.views.live import changed_units, changes_html


def snapshot_number(value: object) -> int:
    """A snapshot slider's value as its listeners get it: unprocessed (preprocess=False), so that a number
    typed in its box past the snapshots there are reaches the handlers, which clip it and say so, instead
    of gradio's own range error (English, in red); 0 for what is not a number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0
    return int(number) if np.isfinite(number) else 0


def say_clamped(key: str, lo: float, hi: float, value: float, end: float) -> None:
    """The notice that a number typed in a Live Lab slider's box, `value`, outside [lo, hi] was set to
    `end`, in the page's language (`key`: the slider's label, text/live.py)."""
    said = say("live.clamped", label=say(key), lo=f"{lo:g}", hi=f"{hi:g}", value=f"{value:g}", end=f"{end:g}")
    gr.Warning(said, title=say("live.setting_changed"))


def clipped(index: int, count: int, key: str) -> int:
    """`index` clipped to the `count` snapshots there are, said (`say_clamped`) when it was outside them."""
    end = int(np.clip(index, 0, count - 1))
    if end != index:
        say_clamped(key, 0, count - 1, index, end)
    return end


def snapshot_heatmap(jobs: LiveJobs, job_id: str, index: int, layer: int, quantity: str):
    """The Figure of snapshot `index` of the job (units ordered by how much they changed from the first
    snapshot to the last); a placeholder before the first; in the page's language. UnknownJob for a job that
    is gone."""
    job = jobs.get(job_id)
    with job.lock:
        snaps = list(job.snapshots)
    if not snaps:
        return placeholder(say("live.heat_wait"))
    index = clipped(index, len(snaps), "live.snapshot")
    first, last, shown = (load_snapshot(snaps[i].path) for i in (0, -1, index))
    layer = min(int(layer), len(shown.values) - 1)
    order = changed_units(first, last, layer, quantity)
    meta = shown.meta
    values = shown.values[layer][quantity]
    unit = job.settings.tokenizer_object.unit  # the probe is read as the training reads its text
    step, seconds = meta["step"], meta["seconds"]
    unknown = meta.get("unknown", [])  # positions read as <unk> (snapshots of this release on)
    return snapshot_figure(
        values, shown.tokens, step, seconds, order, layer, quantity, unit, language(), unknown
    )


def show_snapshot(jobs: LiveJobs, job_id: str, index: float, layer: int, quantity: str):
    """The heatmap of snapshot `index` (units ordered by how much they changed from the first to the last)."""
    if not job_id:
        return gr.skip()
    try:
        return snapshot_heatmap(jobs, job_id, snapshot_number(index), int(layer), quantity)
    except UnknownJob as e:
        raise gr.Error(shown(e)) from None


def changes_table(jobs: LiveJobs, job_id: str, base: int, index: int) -> str:
    """The HTML table of what changed from snapshot `base` to snapshot `index` (a note before there are
    two), in the page's language. UnknownJob for a job that is gone."""
    job = jobs.get(job_id)
    with job.lock:
        snaps = list(job.snapshots)
    if len(snaps) < 2:
        return markup.placeholder(say("live.changes_wait"))
    base = clipped(base, len(snaps), "live.base")  # the heatmap's own listener speaks for `index`
    index = int(np.clip(index, 0, len(snaps) - 1))
    first, second = (load_snapshot(snaps[i].path) for i in (base, index))
    unit = job.settings.tokenizer_object.unit
    return changes_html(snapshot_changes(first, second), first, second, language(), unit)


def show_changes(jobs: LiveJobs, job_id: str, base: float, index: float) -> str:
    """The table of what changed from snapshot `base` to snapshot `index`."""
    if not job_id:
        return gr.skip()
    try:
        return changes_table(jobs, job_id, snapshot_number(base), snapshot_number(index))
    except (UnknownJob, ValueError) as e:
        raise gr.Error(shown(e)) from None


def show_snapshot_and_changes(
    jobs: LiveJobs, job_id: str, base: float, index: float, layer: int, quantity: str
) -> tuple:
    """Snapshot `index`'s heatmap and the table of what changed from `base` to it (the snapshot slider's
    one listener)."""
    return show_snapshot(jobs, job_id, index, layer, quantity), show_changes(jobs, job_id, base, index)


# Opens the snapshot's path (HUB_URL_JS) in the tab PRE_OPEN_JS opened during the click. When a popup
# blocker refused that tab, this page must not leave (leaving it ends its training and removes its files,
# its download and share link with them): it shows a link, which a click opens in a new tab, after the
# sentence that says why (`words`: JSON {blocked, link} in the page's language). An empty path (a refused
# click) closes the empty tab. Bound as `js=` of the click's .success with its outputs, of .failure with "".
LAB_OPEN_JS = f"""(path, words) => {{
  const tab = window.lpNewTab;
  window.lpNewTab = null;
  const note = document.querySelector("#live-open-note");
  if (note) note.querySelectorAll(".live-open-blocked").forEach((old) => old.remove());
  if (!path) {{ if (tab && !tab.closed) tab.close(); return [path, words]; }}
  const href = ({HUB_URL_JS})(path);
  if (tab && !tab.closed) {{ tab.location.assign(href); return [path, words]; }}
  const said = JSON.parse(words || "{{}}");
  const line = document.createElement("p");
  line.className = "live-open-blocked";
  line.setAttribute("role", "status");
  line.append((said.blocked || "Your browser blocked the new tab.") + " ");
  const link = document.createElement("a");
  link.href = href;
  link.target = "_blank";
  link.rel = "noopener";
  link.textContent = said.link || "Open the snapshot in a new tab";
  line.append(link);
  (note || document.querySelector("#live-open").parentElement).append(line);
  return [path, words];
}}"""


def open_snapshot(jobs: LiveJobs, key: str, index: float) -> tuple[str, str]:
    """The click on "Open this snapshot in every view": the snapshot's path (`open_in_every_view`) and, for
    the page to show if the browser blocks the new tab, its words as JSON {"blocked", "link"} in the page's
    language. gr.Error as open_in_every_view."""
    path = open_in_every_view(jobs, key, index)
    return path, json.dumps({"blocked": say("live.popup_blocked"), "link": say("live.popup_link")})


def open_in_every_view(jobs: LiveJobs, key: str, index: float) -> str:
    """Offer the shown snapshot's model in every view (the model hub mounts an app for it) and return its
    path "/m/<key>/?prompt=..." with the run's probe (its own text's start: a prompt in the page's box was
    written for another model, maybe in characters this one never saw), which the page then opens. gr.Error
    without a snapshot or a hub."""
    if not key:
        raise gr.Error(say("live.train_first_open"))
    try:
        job = jobs.get(key)
    except UnknownJob as e:
        raise gr.Error(shown(e)) from None
    with job.lock:
        snaps = list(job.snapshots)
    if not snaps:
        raise gr.Error(say("live.train_first_open"))
    snap = snaps[int(np.clip(index, 0, len(snaps) - 1))]
    label = say("live.hub_label", step=f"{snap.step:,}", s=f"{snap.seconds:.0f}")
    try:
        path = register(snap.model_dir, label)
    except (HubUnavailable, CheckpointError) as e:
        raise gr.Error(shown(e)) from None
    return path + "?" + urlencode({"prompt": probe_text(job.text or "", job.probe)})


def layer_choices(num_layers: int, lang: str | None = None) -> list[tuple[str, int]]:
    """The heatmap's layer choices for a model of `num_layers` layers: ("Layer 1", 0) ... in `lang` (the
    page's language by default); LiveSettings allows 1 or 2 layers."""
    return [(say(f"live.layer.{n + 1}", lang), n) for n in range(int(num_layers))]


def layer_radio(num_layers: int, lang: str | None = None) -> gr.Radio:
    """The layer radio's update for a training of `num_layers` layers: its layers only, the first shown."""
    return gr.Radio(choices=layer_choices(num_layers, lang), value=0)


def snapshot_controls(c: SimpleNamespace) -> None:
    """The snapshot slider, layer and quantity, the heatmap, what changed from another snapshot, and the
    button that opens the shown snapshot in every view (onto the tab's namespace `c`)."""
    gr.Markdown("### " + t("live.watch_title"))
    gr.Markdown(t("live.watch"))
    with gr.Row():
        c.snapshot = gr.Slider(0, 1, value=0, step=1, label=t("live.snapshot"), elem_id="live-snap")
        # one choice per layer of the model being trained: start_training, open_shared set them (layer_radio)
        c.layer = gr.Radio([(t("live.layer.1"), 0)], value=0, label=t("live.layer"), elem_id="live-layer")
        quantities = [(t(f"live.q.{k}"), k) for k in QUANTITIES]
        c.quantity = gr.Radio(quantities, value="c", label=t("live.show"))
    c.heat = gr.Plot(show_label=False, elem_id="live-heatmap")  # filled when the tab opens (tabs/live.py)
    gr.Markdown("### " + t("live.changed_title"))
    gr.Markdown(t("live.changed_intro"))
    c.base = gr.Slider(0, 1, value=0, step=1, label=t("live.base"), elem_id="live-base")
    c.changes = gr.HTML(elem_id="live-changes-box")
    c.open_button = gr.Button(t("live.open"), elem_id="live-open", size="sm")
    c.open_target = gr.Textbox(visible=False, elem_id="live-open-target")
    c.open_words = gr.Textbox(visible=False, elem_id="live-open-words")
    c.open_note = gr.HTML("", elem_id="live-open-note")  # a link, if the browser blocks the new tab


def wire_snapshots(jobs: LiveJobs, c: SimpleNamespace) -> None:
    """Redraw the heatmap when the snapshot, layer or quantity changes, the table of what changed when
    either snapshot does, and open the shown snapshot in every view (private listeners)."""
    private = dict(show_progress="hidden", api_visibility="private")
    redraw, changed = partial(show_snapshot, jobs), partial(show_changes, jobs)
    # .input, not .release: a slider's .release fires only when a drag or click ends, so a number typed
    # in its box (Enter) or a key (Home, End, arrows) changed it without a redraw. .input fires for every
    # change the user makes (each drag step too: always_last keeps only the latest), never for the value
    # a tick sets, which redraws the heatmap itself.
    # One listener per trigger: beside an always_last listener, a second one on the same trigger would be
    # re-dispatched with it by Gradio's frontend (tests/test_listeners.py), so the snapshot slider's one
    # listener draws both the heatmap and the table of what changed.
    live = dict(private, trigger_mode="always_last")
    # unprocessed (snapshot_number): a number typed past the snapshots is clipped with a notice, not
    # refused by gradio's own English range error
    c.snapshot.input(
        partial(show_snapshot_and_changes, jobs),
        [c.job, c.base, c.snapshot, c.layer, c.quantity],
        [c.heat, c.changes],
        preprocess=False,
        **live,
    )
    for trigger in (c.layer.input, c.quantity.input):
        trigger(redraw, [c.job, c.snapshot, c.layer, c.quantity], c.heat, **live)
    c.base.input(changed, [c.job, c.base, c.snapshot], c.changes, preprocess=False, **live)
    # in a new browser tab: leaving this page would end its training and remove its files (demo.unload),
    # the download and the share link with them; a blocked tab gets a link instead (LAB_OPEN_JS), a refusal
    # closes the empty tab
    opened = c.open_button.click(
        partial(open_snapshot, jobs),
        [c.job, c.snapshot],
        [c.open_target, c.open_words],
        js=PRE_OPEN_JS,
        api_visibility="private",
    )
    opened.success(None, [c.open_target, c.open_words], None, js=LAB_OPEN_JS, **private)
    opened.failure(None, None, None, js=f"() => ({LAB_OPEN_JS})('', '')", **private)
