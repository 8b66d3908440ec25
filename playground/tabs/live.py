"""Live Lab ("Train your own"): bring a text (paste, upload a .txt, or a teaching text), train a small LSTM
on it for up to five minutes, watch the loss and samples as it learns, scrub through snapshots of its gates
on a probe text, try it, and download it as a model directory.

The training runs in a background thread (`live_jobs`); a 1-second gr.Timer, active only while this
page's training is queued, running or paused, polls its status. The session's gr.State holds the job's
key: its id for the person who started it, its share token for a student who opened the teacher's
read-only link (`?view=live&lab=TOKEN`), whose page hides Train / Pause / Stop. This tab has no listener
on the shared prompt.
"""

from __future__ import annotations

from functools import partial

import gradio as gr
import numpy as np

from lstmlm.checkpoint import load_model
from lstmlm.safewords import hide_in_text
from lstmlm.sampling import generate, make_generator
from lstmlm.training.live import (
    MAX_TEXT_BYTES,
    TEACHING_TEXTS,
    LiveSettings,
    LiveSettingsError,
    LiveTextError,
    load_snapshot,
    read_upload,
    snapshot_changes,
)
from playground import markup
from playground.plots.style import placeholder
from playground.server.live_job import ACTIVE
from playground.server.live_jobs import JOBS, LiveBusy, LiveJobs, ReadOnly, UnknownJob
from playground.tabs import TabView
from playground.views.live import (
    QUANTITIES,
    changed_units,
    changes_html,
    loss_figure,
    progress_html,
    sample_html,
    snapshot_figure,
)

INTRO = (
    f"Paste a text, upload a .txt file (UTF-8, at most {MAX_TEXT_BYTES / 1e6:g} MB) or pick a teaching "
    "text; press **Train**. "
    "A small LSTM learns it in a minute or two, here on the server: the last 10% of the text is held out "
    "to check it on text it never trained on. Then scrub through its gates on the probe text, try it, "
    "and download it (`lstm-playground --model DIR` opens it in every view)."
)
TICK_S = 1.0  # how often a page polls its training while it runs


def pick_teaching_text(name: str | None) -> str:
    """The text of a built-in teaching text (gr.skip for none)."""
    return TEACHING_TEXTS[name].read() if name in TEACHING_TEXTS else gr.skip()


def read_uploaded(data: bytes | None) -> str:
    """An uploaded file's text; a warning (and the text box unchanged) for a binary or non-UTF-8 file."""
    if not data:
        return gr.skip()
    try:
        return read_upload(data, "the uploaded file")
    except LiveTextError as e:
        gr.Warning(str(e), title="Cannot read that file")
        return gr.skip()


def settings_from_controls(
    tokens: str,
    layers: float,
    units: float,
    bptt: float,
    lr: float | None,
    seconds: float,
    seed: float | None,
) -> LiveSettings:
    """The controls' values as checked LiveSettings (LiveSettingsError says which one is out of range)."""
    if lr is None or seed is None:
        raise LiveSettingsError("the learning rate and the seed need a value")
    values = dict(tokenizer=tokens, num_layers=layers, hidden_dim=units, bptt=bptt, lr=float(lr))
    values |= dict(seconds=float(seconds), seed=seed)
    return LiveSettings.from_dict(values)


def start_training(
    jobs: LiveJobs,
    text: str,
    tokens: str,
    layers: float,
    units: float,
    bptt: float,
    lr: float | None,
    seconds: float,
    seed: float | None,
    probe: str,
    request: gr.Request,
) -> tuple:
    """Start this session's training: (job id, progress, timer on, snapshots seen = 0, download hidden,
    the read-only share link)."""
    try:
        settings = settings_from_controls(tokens, layers, units, bptt, lr, seconds, seed)
        job = jobs.start(
            text or "", settings, owner=getattr(request, "session_hash", None), probe=probe or ""
        )
    except (LiveTextError, LiveSettingsError, LiveBusy) as e:
        raise gr.Error(str(e), title="Cannot start training") from None
    return (
        job.id,
        progress_html(jobs.status(job.id, curve=False)),
        gr.Timer(active=True),
        0,
        gr.DownloadButton(visible=False),
        share_html(job.share),
    )


def share_html(token: str) -> str:
    """The read-only link to this training (a relative link: it keeps the page's address and root path)."""
    return (
        f'<div class="lp-note">Share it read-only: <a id="live-share-link" href="?view=live&amp;lab={token}" '
        'target="_blank">this link</a> lets students watch this training and scrub its snapshots (they '
        "cannot pause or stop it). Copy it with the right mouse button.</div>"
    )


def stop_training(jobs: LiveJobs, job_id: str) -> None:
    """Ask this session's training to stop (it keeps its best model)."""
    if job_id:
        try:
            jobs.stop(job_id)
        except (UnknownJob, ReadOnly):
            pass


def pause_or_resume(jobs: LiveJobs, job_id: str) -> tuple:
    """Pause this session's running training, or let its paused one go on: (button label, timer)."""
    if not job_id:
        return gr.skip(), gr.skip()
    try:
        job = jobs.control(job_id)
        if job.state == "paused":
            jobs.resume(job_id)
            return gr.Button("Pause"), gr.Timer(active=True)
        jobs.pause(job_id)
        return gr.Button("Resume"), gr.Timer(active=True)
    except (UnknownJob, ReadOnly, ValueError) as e:
        gr.Warning(str(e))
        return gr.skip(), gr.skip()


def open_shared(jobs: LiveJobs, request: gr.Request) -> tuple:
    """Page load: a link `?view=live&lab=TOKEN` makes this page watch the shared training, read-only (its
    key in the State, the timer on, Train / Pause / Stop hidden); any other page is left as it is."""
    params = dict(getattr(request, "query_params", {}) or {})
    token = params.get("lab", "")
    if not token:
        return (gr.skip(),) * 6
    try:
        status = jobs.status(token, curve=False)
    except UnknownJob as e:
        return "", markup.notice(str(e)), gr.skip(), *(gr.skip(),) * 3
    if not status["read_only"]:  # a job id in a link is not accepted: links only read
        return "", markup.notice("This link does not name a shared training."), *(gr.skip(),) * 4
    hidden = gr.Button(visible=False)
    return token, progress_html(status), gr.Timer(active=True), hidden, hidden, hidden


def _heatmap(jobs: LiveJobs, job_id: str, index: int, layer: int, quantity: str):
    job = jobs.get(job_id)
    with job.lock:
        snaps = list(job.snapshots)
    if not snaps:
        return placeholder("Snapshots of the probe's gates appear here while it trains.")
    index = int(np.clip(index, 0, len(snaps) - 1))
    first, last, shown = (load_snapshot(snaps[i].path) for i in (0, -1, index))
    layer = min(int(layer), len(shown.values) - 1)
    order = changed_units(first, last, layer, quantity)
    return snapshot_figure(shown, order, layer, quantity)


def show_snapshot(jobs: LiveJobs, job_id: str, index: float, layer: int, quantity: str):
    """The heatmap of snapshot `index` (units ordered by how much they changed from the first to the last)."""
    if not job_id:
        return gr.skip()
    try:
        return _heatmap(jobs, job_id, int(index), layer, quantity)
    except UnknownJob as e:
        raise gr.Error(str(e)) from None


def _changes(jobs: LiveJobs, job_id: str, base: int, index: int) -> str:
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
        return _changes(jobs, job_id, int(base), int(index))
    except (UnknownJob, ValueError) as e:
        raise gr.Error(str(e)) from None


def poll(jobs: LiveJobs, job_id: str, seen: int, layer: int, quantity: str) -> tuple:
    """One tick: progress, loss curve, sample; the snapshot sliders, heatmap and what-changed table when
    a snapshot arrived; the Pause button's label; the timer stops and the download appears when the
    training ended."""
    skip = (gr.skip(),) * 10
    if not job_id:
        return (*skip[:6], gr.skip(), gr.Timer(active=False), *skip[:3])
    try:
        status = jobs.status(job_id)
    except UnknownJob as e:
        return (markup.notice(str(e)), *skip[1:7], gr.Timer(active=False), *skip[:3])
    out = [progress_html(status), loss_figure(status), sample_html(status)]
    count = status["snapshots"]
    new = count != seen and count
    if new:
        out += [
            gr.Slider(maximum=count - 1, value=count - 1),
            _heatmap(jobs, job_id, count - 1, layer, quantity),
        ]
    else:
        out += [gr.skip(), gr.skip()]
    out.append(count)
    tail = [
        gr.Slider(maximum=max(count - 1, 1)) if new else gr.skip(),
        _changes(jobs, job_id, 0, count - 1) if new else gr.skip(),
        gr.Button("Resume" if status["state"] == "paused" else "Pause"),
    ]
    if status["state"] in ACTIVE:
        return (*out, gr.skip(), gr.Timer(active=True), *tail)
    download = gr.skip()
    if status["has_model"]:
        try:
            download = gr.DownloadButton(value=str(jobs.zip_path(job_id)), visible=True)
        except (FileNotFoundError, OSError):
            pass
    return (*out, download, gr.Timer(active=False), *tail)


def open_in_every_view(jobs: LiveJobs, key: str, index: float) -> str:
    """Offer the shown snapshot's model in every view (the model hub mounts an app for it) and return its
    path "/m/<key>/", which the page then opens. gr.Error without a snapshot or a hub."""
    from lstmlm.checkpoint import CheckpointError
    from playground.hub import HubUnavailable, register

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


def try_model(jobs: LiveJobs, job_id: str, prompt: str, seed: float | None) -> str:
    """A continuation of `prompt` by this session's trained model (its best save): 300 characters or 60
    words."""
    try:
        job = jobs.get(job_id) if job_id else None
    except UnknownJob as e:
        raise gr.Error(str(e)) from None
    if job is None or not job.has_model:
        raise gr.Error("Train a model first: it is saved at its first validation, after a few seconds.")
    model = load_model(job.folder)
    encoded = model.vocab.encode_text(prompt or "")
    length = 300 if model.tokenizer.unit == "character" else 60
    gen = generate(model, encoded.ids, length, temperature=0.8, generator=make_generator(int(seed or 0)))
    text = model.tokenizer.append(prompt or "", [w.word for w in gen])
    text = hide_in_text(text)[0]
    escaped = markup._esc(text).replace("\n", "<br>")
    return (
        f'<div class="lp-text" id="live-try-out" style="font-family: ui-monospace, monospace">{escaped}</div>'
    )


def session_ended(request: gr.Request) -> None:
    """The page was closed: stop and remove its trainings (wired by the app with `demo.unload`)."""
    session = getattr(request, "session_hash", None)
    if session:
        JOBS.drop_owner(session)


def build(jobs: LiveJobs = JOBS, page: gr.Blocks | None = None) -> TabView:
    """The Live Lab tab (no listener on the shared prompt); with `page` (the app's Blocks) a shared
    training's link opens it read-only at page load."""
    with gr.Tab("Train your own", id="live") as tab:
        gr.Markdown(INTRO)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                teaching = gr.Dropdown(
                    [(f"{t.title} (look for {t.look_for})", t.name) for t in TEACHING_TEXTS.values()],
                    value=None,
                    label="Pick a teaching text",
                    elem_id="live-teaching",
                )
                upload = gr.File(
                    label=f"... or upload a .txt file (UTF-8, at most {MAX_TEXT_BYTES / 1e6:g} MB)",
                    file_types=[".txt"],
                    type="binary",
                    height=90,
                )
                text = gr.Textbox(label="... or paste your text", lines=8, max_lines=14, elem_id="live-text")
                probe = gr.Textbox(
                    label="Probe text: the gates you watch are traced on it (empty: the text's first 100 "
                    "characters)",
                    lines=1,
                    elem_id="live-probe",
                )
            with gr.Column(scale=2):
                tokens = gr.Radio(
                    [("Characters", "chars"), ("Words", "words")], value="chars", label="Read it as"
                )
                layers = gr.Slider(1, 2, value=1, step=1, label="Layers")
                units = gr.Slider(16, 256, value=128, step=16, label="Units per layer")
                bptt = gr.Slider(10, 200, value=100, step=10, label="Sequence length (tokens per window)")
                lr = gr.Number(0.005, label="Learning rate (0.0001 to 0.05)", minimum=1e-4, maximum=0.05)
                seconds = gr.Slider(
                    10, 300, value=60, step=5, label="Time budget (seconds)", elem_id="live-seconds"
                )
                seed = gr.Number(0, precision=0, label="Seed", minimum=0)
        with gr.Row():
            train_button = gr.Button("Train", variant="primary", elem_id="live-train")
            pause_button = gr.Button("Pause", elem_id="live-pause")
            stop_button = gr.Button("Stop", elem_id="live-stop")
            download = gr.DownloadButton("Download the model (.zip)", visible=False, elem_id="live-download")
        progress = gr.HTML(elem_id="live-status")
        share = gr.HTML(elem_id="live-share")
        with gr.Row(equal_height=False):
            curve = gr.Plot(placeholder("The loss curve appears here.", height=380), show_label=False,
                            elem_id="live-curve")  # fmt: skip
            sample = gr.HTML(sample_html({}), elem_id="live-sample-box")
        gr.Markdown("### Watch its gates learn\nEach snapshot traces the probe text with the model as it was "
                    "at that moment; units are ordered by how much they changed over training.")  # fmt: skip
        with gr.Row():
            snapshot = gr.Slider(
                0, 1, value=0, step=1, label="Snapshot (0 = before training)", elem_id="live-snap"
            )
            layer = gr.Radio([("Layer 1", 0), ("Layer 2", 1)], value=0, label="Layer")
            quantity = gr.Radio([(v, k) for k, v in QUANTITIES.items()], value="c", label="Show")
        heat = gr.Plot(placeholder("Snapshots appear here while it trains."), show_label=False,
                       elem_id="live-heatmap")  # fmt: skip
        gr.Markdown("### What changed\nPer unit, between two snapshots: how often its gates saturate, and "
                    "how well its cell follows each Cell-hunt track (inside quotes, bracket depth, position "
                    "in the line...), over the start of the held-out text.")  # fmt: skip
        base = gr.Slider(0, 1, value=0, step=1, label="From snapshot (to the one shown above)",
                         elem_id="live-base")  # fmt: skip
        changes = gr.HTML(elem_id="live-changes-box")
        try:  # the model hub (another model's app under /m/<key>/); without it, the folder is the way
            from playground.hub import OPEN_JS
        except ImportError:  # pragma: no cover: a build without the hub
            OPEN_JS = None
        if OPEN_JS is not None:
            open_button = gr.Button("Open this snapshot in every view", elem_id="live-open", size="sm")
            open_target = gr.Textbox(visible=False, elem_id="live-open-target")
        gr.Markdown("### Try your model")
        with gr.Row():
            try_prompt = gr.Textbox(label="Start with", lines=1, scale=4, elem_id="live-try")
            try_seed = gr.Number(1, precision=0, label="Seed", scale=1)
            try_button = gr.Button("Generate", scale=1, elem_id="live-try-go")
        try_out = gr.HTML(elem_id="live-try-box")
        job = gr.State("")
        seen = gr.State(0)
        timer = gr.Timer(TICK_S, active=False)

        private = dict(api_visibility="private")
        teaching.input(pick_teaching_text, teaching, text, **private)
        upload.upload(read_uploaded, upload, text, **private)

        def start(
            text: str,
            tokens: str,
            layers: float,
            units: float,
            bptt: float,
            lr: float | None,
            seconds: float,
            seed: float | None,
            probe: str,
            request: gr.Request,
        ) -> tuple:  # gradio injects the request (its type hint) into a plain function, not into a partial
            return start_training(jobs, text, tokens, layers, units, bptt, lr, seconds, seed, probe, request)

        train_button.click(
            start,
            [text, tokens, layers, units, bptt, lr, seconds, seed, probe],
            [job, progress, timer, seen, download, share],
            **private,
        )
        stop_button.click(partial(stop_training, jobs), job, None, queue=False, **private)
        pause_button.click(partial(pause_or_resume, jobs), job, [pause_button, timer], queue=False, **private)
        timer.tick(
            partial(poll, jobs),
            [job, seen, layer, quantity],
            [progress, curve, sample, snapshot, heat, seen, download, timer, base, changes, pause_button],
            show_progress="hidden",
            concurrency_limit=8,
            concurrency_id="live_poll",
            **private,
        )
        for trigger in (snapshot.release, layer.input, quantity.input):
            redraw = partial(show_snapshot, jobs)
            trigger(redraw, [job, snapshot, layer, quantity], heat, show_progress="hidden", **private)
        for trigger in (snapshot.release, base.release):
            trigger(
                partial(show_changes, jobs), [job, base, snapshot], changes, show_progress="hidden", **private
            )
        if OPEN_JS is not None:
            open_button.click(
                partial(open_in_every_view, jobs), [job, snapshot], open_target, **private
            ).success(None, open_target, None, js=OPEN_JS, show_progress="hidden", **private)
        if page is not None:

            def opened(request: gr.Request) -> tuple:  # gradio injects the request into a plain function
                return open_shared(jobs, request)

            page.load(
                opened, None, [job, progress, timer, train_button, pause_button, stop_button], **private
            )
        try_button.click(partial(try_model, jobs), [job, try_prompt, try_seed], try_out, **private)
    return TabView(tab)
