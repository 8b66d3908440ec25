"""Live Lab ("Train your own"): bring a text (paste, upload a .txt, or a teaching text), train a small LSTM
on it for up to five minutes, watch the loss and samples as it learns, scrub through snapshots of its gates
on a probe text (tabs/live_snapshots.py), try it, and download it as a model directory.

The training runs in a worker process (server/live_jobs.py); a 1-second gr.Timer, active only while this
page's training is queued, running or paused, polls its status. The session's gr.State holds the job's
key: its id for the person who started it, its share token for a student who opened the teacher's
read-only link (`?view=live&lab=TOKEN`), whose page hides Train / Pause / Stop. This tab has no listener
on the shared prompt. Its components are laid out in tabs/live_layout.py, what the page shows as the
training goes (the poll, the redraw on opening) is in tabs/live_watch.py; this module holds the other
handlers and wires them all.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from types import SimpleNamespace

import gradio as gr

from lstmlm.training.live import (
    MAX_TEXT_BYTES,
    TEACHING_TEXTS,
    LiveSettingsError,
    LiveTextError,
    read_upload,
)
from playground import markup
from playground.i18n import language, say, shown, t
from playground.server.live_jobs import JOBS, LiveBusy, LiveJobs, ReadOnly, UnknownJob
from playground.tabs import TabView
from playground.tabs.live_layout import source_and_settings, watch_and_try
from playground.tabs.live_snapshots import layer_radio, say_clamped, wire_snapshots
from playground.tabs.live_watch import poll, redraw_on_open
from playground.views.live import (
    offers_resume,
    progress_html,
    settings_from_controls,
    share_html,
    try_html,
)


def pick_teaching_text(name: str | None) -> str:
    """The text of a built-in teaching text (gr.skip for none)."""
    return TEACHING_TEXTS[name].read() if name in TEACHING_TEXTS else gr.skip()


def read_uploaded(path: str | None) -> tuple:
    """An uploaded file's text (gradio's copy at `path`, under the file's own name) and the file box
    unchanged; for a binary, non-UTF-8 or too big file a warning naming it, the text box unchanged and the
    file box cleared (so the refused file is not left listed)."""
    if not path:
        return gr.skip(), gr.skip()
    file = Path(path)
    try:
        size = file.stat().st_size
        with file.open("rb") as f:
            data = f.read(MAX_TEXT_BYTES + 1)  # past this it is refused unread
        return read_upload(data, file.name, size), gr.skip()
    except OSError as e:  # gradio's copy gone (its cache cleaned) or unreadable
        gr.Warning(say("live.upload_lost", error=e.strerror or str(e)), title=say("live.cannot_read"))
        return gr.skip(), None
    except LiveTextError as e:
        gr.Warning(shown(e), title=say("live.cannot_read"))
        return gr.skip(), None


def out_of_range(key: str, lo: float, hi: float, value: object) -> None:
    """Say that a setting typed in a slider's box outside [lo, hi] was set to the nearest end (the slider
    does so itself, silently, when the box loses focus), in the page's language; `key`: the setting's label
    (text/live.py). `value` is the raw value (preprocess=False)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return
    if not lo <= number <= hi:
        say_clamped(key, lo, hi, number, hi if number > hi else lo)


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
    the read-only share link, the last training's command hidden, the heatmap's layer choices: the model's
    layers). Refused: a warning that says what to
    change (in the page's language) and every output unchanged (a raised gr.Error would also stamp a blank
    red "Error" badge on each output box)."""
    try:
        settings = settings_from_controls(tokens, layers, units, bptt, lr, seconds, seed)
        job = jobs.start(
            text or "", settings, owner=getattr(request, "session_hash", None), probe=probe or ""
        )
    except (LiveTextError, LiveSettingsError, LiveBusy) as e:
        gr.Warning(shown(e), title=say("live.cannot_start"))
        return (gr.skip(),) * 8
    lang = language()
    return (
        job.id,
        progress_html(jobs.status(job.id, curve=False), lang),
        gr.Timer(active=True),
        0,
        gr.DownloadButton(visible=False),
        share_html(job.share, lang),
        gr.Code(visible=False),
        layer_radio(settings.num_layers, lang),
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
        if offers_resume(jobs.control(job_id).status(curve=False)):  # the button said Resume
            jobs.resume(job_id)
            return gr.Button(say("live.pause")), gr.Timer(active=True)
        jobs.pause(job_id)
        return gr.Button(say("live.resume")), gr.Timer(active=True)
    except (UnknownJob, ReadOnly, ValueError) as e:
        gr.Warning(shown(e))
        return gr.skip(), gr.skip()


def open_shared(jobs: LiveJobs, request: gr.Request) -> tuple:
    """Page load: a link `?view=live&lab=TOKEN` makes this page watch the shared training, read-only (its
    key in the State, the timer on, Train / Pause / Stop hidden, the layer choices its model's); any other
    page is left as it is."""
    params = dict(getattr(request, "query_params", {}) or {})
    token = params.get("lab", "")
    if not token:
        return (gr.skip(),) * 9
    try:
        status = jobs.status(token, curve=False)
    except UnknownJob as e:
        return "", markup.notice(str(e)), *(gr.skip(),) * 7
    if not status["read_only"]:  # a job id in a link is not accepted: links only read
        return "", markup.notice(say("live.not_shared")), *(gr.skip(),) * 7
    hidden, lang = gr.Button(visible=False), language()
    layers = layer_radio(status["settings"]["num_layers"], lang)  # the shared model's layers
    # the teacher's settings in one line, where this page's own form (empty, at its defaults) was
    summary = gr.Markdown(shared_settings(status["settings"], lang), visible=True)
    return (token, progress_html(status, lang), gr.Timer(active=True), hidden, hidden, hidden, layers,
            gr.Row(visible=False), summary)  # fmt: skip


def shared_settings(settings: dict, lang: str | None = None) -> str:
    """One line of a shared training's settings (LiveSettings as a dict) for the pages that watch it."""
    return say(
        "live.shared_settings",
        lang,
        read_as=say("live.chars" if settings["tokenizer"] == "chars" else "live.words", lang).lower(),
        layers=settings["num_layers"],
        units=settings["hidden_dim"],
        bptt=settings["bptt"],
        lr=f"{settings['lr']:g}",
        seconds=f"{settings['seconds']:g}",
        seed=settings["seed"],
    )


def try_model(jobs: LiveJobs, job_id: str, prompt: str, seed: float | None) -> str:
    """A continuation of `prompt` by this session's trained model (its best save): 300 characters or 60
    words. No model yet (or the training gone): a notice in the box saying so (a raised gr.Error would also
    stamp a blank red "Error" badge on the box)."""
    try:
        job = jobs.get(job_id) if job_id else None
    except UnknownJob as e:
        return markup.notice(e)
    if job is None or not job.has_model:
        return markup.notice(say("live.train_first"))
    return try_html(job.folder, prompt, seed)


def session_ended(request: gr.Request) -> None:
    """The page was closed: stop and remove its trainings (wired by the app with `demo.unload`)."""
    session = getattr(request, "session_hash", None)
    if session:
        JOBS.drop_owner(session)


def build(jobs: LiveJobs = JOBS, page: gr.Blocks | None = None) -> TabView:
    """The Live Lab tab (no listener on the shared prompt); with `page` (the app's Blocks) a shared
    training's link opens it read-only at page load."""
    with gr.Tab(t("tab.live"), id="live") as tab:
        gr.Markdown(t("live.intro"))
        c = SimpleNamespace()  # the tab's components, by name
        source_and_settings(c)
        watch_and_try(c)
        wire(jobs, page, c)
        drawn = [c.curve, c.heat, c.progress, c.sample, c.share, c.changes, c.command, c.download, c.layer]
        opened, read = partial(redraw_on_open, jobs), [c.job, c.seen, c.snapshot, c.layer, c.quantity]
        tab.select(opened, read, drawn, show_progress="hidden", api_visibility="private")
    return TabView(tab)


def wire(jobs: LiveJobs, page: gr.Blocks | None, c: SimpleNamespace) -> None:
    """The tab's listeners (all private: the API is in api/live.py). The two small closures exist because
    gradio injects gr.Request (by its type hint) into a plain function, not into a partial."""
    private = dict(api_visibility="private")
    c.teaching.input(pick_teaching_text, c.teaching, c.text, **private)
    c.upload.upload(read_uploaded, c.upload, [c.text, c.upload], **private)
    for slider, key in ((c.layers, "layers"), (c.units, "units"), (c.bptt, "bptt"), (c.seconds, "seconds")):
        # .release carries the value typed in the box before the slider clamps it (preprocess=False: as typed)
        said = partial(out_of_range, f"live.{key}", slider.minimum, slider.maximum)
        slider.release(said, slider, None, preprocess=False, show_progress="hidden", **private)

    # nested, not a partial: gradio injects gr.Request only into a plain function (by its type hint)
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
    ) -> tuple:
        return start_training(jobs, text, tokens, layers, units, bptt, lr, seconds, seed, probe, request)

    c.train_button.click(
        start,
        [c.text, c.tokens, c.layers, c.units, c.bptt, c.lr, c.seconds, c.seed, c.probe],
        [c.job, c.progress, c.timer, c.seen, c.download, c.share, c.command, c.layer],
        **private,
    )
    c.stop_button.click(partial(stop_training, jobs), c.job, None, queue=False, **private)
    pause = partial(pause_or_resume, jobs)
    c.pause_button.click(pause, c.job, [c.pause_button, c.timer], queue=False, **private)
    polled = [c.progress, c.curve, c.sample, c.snapshot, c.heat, c.seen, c.download, c.timer, c.base]
    c.timer.tick(
        partial(poll, jobs),
        [c.job, c.seen, c.layer, c.quantity],
        [*polled, c.changes, c.pause_button, c.command],
        show_progress="hidden",
        concurrency_limit=8,
        concurrency_id="live_poll",
        **private,
    )
    wire_snapshots(jobs, c)
    if page is not None:
        # nested for the same reason as start: gr.Request reaches a plain function, not a partial
        def opened(request: gr.Request) -> tuple:
            return open_shared(jobs, request)

        outputs = [c.job, c.progress, c.timer, c.train_button, c.pause_button, c.stop_button, c.layer, c.form]
        outputs.append(c.shared_settings)
        page.load(opened, None, outputs, **private)
    c.try_button.click(partial(try_model, jobs), [c.job, c.try_prompt, c.try_seed], c.try_out, **private)
