"""The Live Lab's watching side: what the page shows as a training goes and after (tabs/live.py wires it).

`poll` runs on the page's 1-second timer while its training is queued, running or paused: progress, loss
curve, sample, the newest snapshot, and at the end the download and the `lstmlm train` command that trains
the model again (its config.json's training.command, with where to run it in the page's language).
`redraw_on_open` draws the same computed texts again in the page's language when the tab is opened.
"""

from __future__ import annotations

import gradio as gr

from playground import markup
from playground.i18n import language, say
from playground.plots.live import loss_figure
from playground.plots.style import placeholder
from playground.server.live_job import ACTIVE
from playground.server.live_jobs import LiveJobs, UnknownJob
from playground.tabs.live_snapshots import changes_table, layer_choices, snapshot_heatmap
from playground.views.live import command_text, offers_resume, progress_html, sample_html, share_html


def poll(jobs: LiveJobs, job_id: str, seen: int, layer: int, quantity: str) -> tuple:
    """One tick (`tick`); a job that is gone (its page closed, an hour after it ended), also one dropped
    while the tick read it (its snapshots' folder removed under it), says so and stops the timer."""
    skip = (gr.skip(),) * 10
    if not job_id:
        return (*skip[:6], gr.skip(), gr.Timer(active=False), *skip[:4])
    try:
        return tick(jobs, job_id, seen, layer, quantity)
    except (UnknownJob, FileNotFoundError) as e:
        return (markup.notice(gone(jobs, job_id, e)), *skip[1:7], gr.Timer(active=False), *skip[:4])


def gone(jobs: LiveJobs, job_id: str, error: UnknownJob | FileNotFoundError) -> str:
    """What a page says of its training when a handler found it gone: UnknownJob's words, also for a file
    missing because the job was dropped while the handler read it. A file missing from a job still listed
    is another fault: `error` is raised again."""
    if isinstance(error, UnknownJob):
        return str(error)
    try:
        jobs.get(job_id)
    except UnknownJob as e:
        return str(e)
    raise error


def tick(jobs: LiveJobs, job_id: str, seen: int, layer: int, quantity: str) -> tuple:
    """Progress, loss curve, sample; the snapshot sliders, heatmap and what-changed table when a snapshot
    arrived; the Pause button's label; the timer stops and the download and the command that trains the
    model again appear when the training ended. UnknownJob (or FileNotFoundError) for a job gone."""
    status = jobs.status(job_id)
    lang = language()
    out = [progress_html(status, lang), loss_figure(status, lang), sample_html(status, lang)]
    count = status["snapshots"]
    new = count != seen and count
    if new:
        out += [
            gr.Slider(maximum=max(count - 1, 1), value=count - 1),  # gradio refuses maximum == minimum 0
            snapshot_heatmap(jobs, job_id, count - 1, layer, quantity),
        ]
    else:
        out += [gr.skip(), gr.skip()]
    out.append(count)
    tail = [
        gr.Slider(maximum=max(count - 1, 1)) if new else gr.skip(),
        changes_table(jobs, job_id, 0, count - 1) if new else gr.skip(),
        gr.Button(say("live.resume" if offers_resume(status) else "live.pause", lang)),
    ]
    if status["state"] in ACTIVE:
        return (*out, gr.skip(), gr.Timer(active=True), *tail, gr.skip())
    download, command = gr.skip(), gr.skip()
    if status["has_model"]:
        try:
            zipped = str(jobs.zip_path(job_id))
            download = gr.DownloadButton(download_label(status, lang), value=zipped, visible=True)
        except (FileNotFoundError, OSError):
            pass
        if said := command_text(status, lang):
            command = gr.Code(value=said, visible=True)
    return (*out, download, gr.Timer(active=False), *tail, command)


def download_label(status: dict, lang: str | None = None) -> str:
    """The download button's words for an ended training: which model the .zip holds (the one saved at
    the best validation loss, `status["best_step"]`), in `lang`."""
    step = status.get("best_step")
    if step is None:
        return say("live.download", lang)
    return say("live.download_best", lang, step=f"{step:,}")


def redraw_on_open(jobs: LiveJobs, job_id: str, seen: int, index: float, layer: int, quantity: str) -> tuple:
    """On opening the tab, its computed texts in the page's language (it may have changed since they were
    drawn): before any training the curve's and heatmap's placeholders; after, the curve, the shown
    snapshot's heatmap, progress, sample, share link, what changed from the first snapshot to the last,
    the command that trains the model again, the download button's label and the layer names."""
    if not job_id:
        return (
            placeholder(say("live.curve_empty"), height=380),
            placeholder(say("live.heat_empty")),
            *(gr.skip(),) * 7,
        )
    lang = language()
    try:  # the job may be dropped while this reads it (its page closed, or an hour after it ended)
        status = jobs.status(job_id)
        share = gr.skip() if status.get("read_only") else share_html(jobs.get(job_id).share, lang)
        changes = changes_table(jobs, job_id, 0, seen - 1) if seen > 1 else gr.skip()
        heat = snapshot_heatmap(jobs, job_id, int(index), layer, quantity) if seen else gr.skip()
    except (UnknownJob, FileNotFoundError) as e:
        gone(jobs, job_id, e)  # a file missing from a job still listed: raised
        return (gr.skip(),) * 9
    ended = status["state"] not in ACTIVE and status["has_model"]
    layers = status.get("settings", {}).get("num_layers")
    return (
        loss_figure(status, lang),
        heat,
        progress_html(status, lang),
        sample_html(status, lang),
        share,
        changes,
        command_text(status, lang) or gr.skip(),
        gr.DownloadButton(download_label(status, lang)) if ended else gr.skip(),  # its label only
        # the layer names in the page's language, the chosen layer kept
        gr.Radio(choices=layer_choices(layers, lang), value=layer) if layers else gr.skip(),
    )
