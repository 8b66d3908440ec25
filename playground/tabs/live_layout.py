"""The Live Lab tab's components, laid out: the text and the training's settings with the Train / Pause /
Stop / Download row, then what the training shows (progress, loss curve, sample, the snapshots of
tabs/live_snapshots.py) and the model to try. Each function adds its components to `c`, the tab's
namespace of components, which tabs/live.py wires.
"""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from lstmlm.training.live import TEACHING_TEXTS
from playground.i18n import t
from playground.tabs.live_snapshots import snapshot_controls

TICK_S = 1.0  # how often a page polls its training while it runs


def source_and_settings(c: SimpleNamespace) -> None:
    """The text, the probe and the training's settings, and the Train / Pause / Stop / Download row. A page
    watching a shared training sees its settings in one line (`c.shared_settings`) instead of the form."""
    c.shared_settings = gr.Markdown(visible=False, elem_id="live-shared-settings")
    with gr.Row(equal_height=False) as c.form:
        with gr.Column(scale=3):
            c.teaching = gr.Dropdown(
                [(t(f"live.teach.{name}"), name) for name in TEACHING_TEXTS],
                value=None,
                label=t("live.teaching"),
                info=t("live.teaching_info"),
                elem_id="live-teaching",
            )
            c.upload = gr.File(
                label=t("live.upload"),
                file_types=[".txt"],
                type="filepath",  # its name is said in what is refused
                elem_id="live-upload",
            )
            c.text = gr.Textbox(label=t("live.paste"), lines=8, max_lines=14, elem_id="live-text")
            c.probe = gr.Textbox(
                label=t("live.probe"),
                lines=1,
                elem_id="live-probe",
            )
        with gr.Column(scale=2):
            c.tokens = gr.Radio(
                [(t("live.chars"), "chars"), (t("live.words"), "words")],
                value="chars",
                label=t("live.read_as"),
            )
            c.layers = gr.Slider(1, 2, value=1, step=1, label=t("live.layers"))
            c.units = gr.Slider(16, 256, value=128, step=16, label=t("live.units"), elem_id="live-units")
            c.bptt = gr.Slider(10, 200, value=100, step=10, label=t("live.bptt"))
            # no minimum/maximum: gradio would refuse 5 with its own words; LiveSettings says what to change
            c.lr = gr.Number(0.005, label=t("live.lr"), elem_id="live-lr")
            c.seconds = gr.Slider(10, 300, value=60, step=5, label=t("live.seconds"), elem_id="live-seconds")
            c.seed = gr.Number(0, precision=0, label=t("live.seed"))  # range checked by LiveSettings, as lr
    with gr.Row():
        c.train_button = gr.Button(t("live.train"), variant="primary", elem_id="live-train")
        c.pause_button = gr.Button(t("live.pause"), elem_id="live-pause")
        c.stop_button = gr.Button(t("live.stop"), elem_id="live-stop")
        c.download = gr.DownloadButton(t("live.download"), visible=False, elem_id="live-download")
    # shown when a training ends: the command that trains the same model again (tabs/live_watch.py)
    c.command = gr.Code(
        language="shell",
        label=t("live.command"),
        interactive=False,
        visible=False,
        lines=2,
        wrap_lines=True,
        show_line_numbers=False,
        buttons=["copy"],
        elem_id="live-command",
    )


def watch_and_try(c: SimpleNamespace) -> None:
    """Progress, loss curve and sample; the snapshots (tabs/live_snapshots.py); try the model; and the
    page's state (job key, snapshots seen) and timer."""
    c.progress = gr.HTML(elem_id="live-status")
    c.share = gr.HTML(elem_id="live-share")
    with gr.Row(equal_height=False):
        # filled in the page's language when the tab opens (tabs/live.py: a figure's text is not translated)
        c.curve = gr.Plot(show_label=False, elem_id="live-curve")
        c.sample = gr.HTML(
            f'<div class="lp-placeholder">{t("live.sample_empty")}</div>', elem_id="live-sample-box"
        )
    snapshot_controls(c)
    gr.Markdown("### " + t("live.try"))
    with gr.Row():
        c.try_prompt = gr.Textbox(label=t("live.start_with"), lines=1, scale=4, elem_id="live-try")
        c.try_seed = gr.Number(1, precision=0, label=t("live.seed"), scale=1)
        c.try_button = gr.Button(t("live.generate"), scale=1, elem_id="live-try-go")
    c.try_out = gr.HTML(elem_id="live-try-box")
    c.job = gr.State("")
    c.seen = gr.State(0)
    c.timer = gr.Timer(TICK_S, active=False)
