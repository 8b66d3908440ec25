"""The Live Lab's download button says which model its .zip holds: the one saved at the best validation
loss (its step), which need not be the last step the sample and the gates showed."""

from __future__ import annotations

import io
import json
import zipfile

import gradio as gr
from test_live_app import TINY, anbn_text, wait_until_ended

from lstmlm.training.live import LiveSettings
from playground.server.live_jobs import LiveJobs
from playground.tabs.live_watch import download_label, tick
from playground.text.live import PAIRS


def test_the_download_names_the_step_of_the_model_it_holds():
    jobs = LiveJobs()
    job = jobs.start(anbn_text(), LiveSettings(seconds=10, max_tokens=3000, **TINY), owner="me")
    status = wait_until_ended(jobs, job.id)
    download = next(v for v in tick(jobs, job.id, 0, 0, "c") if isinstance(v, gr.DownloadButton))
    # the step of the saved model, read from the zip's config.json (validate.save_best writes it)
    assert download.visible is True and download.value["path"].endswith(jobs.zip_path(job.id).name)
    with open(download.value["path"], "rb") as f, zipfile.ZipFile(io.BytesIO(f.read())) as z:
        config = json.loads(z.read(next(n for n in z.namelist() if n.endswith("config.json"))))
        metrics = z.read(next(n for n in z.namelist() if n.endswith("metrics.jsonl")))
    rows = [json.loads(line) for line in metrics.splitlines()]
    saved = config["training"]["steps"]
    assert saved == status["best_step"] == [r for r in rows if r["best"]][-1]["step"]
    assert download.label == f"Download the model at its best validation loss, step {saved:,} (.zip)"
    assert download_label(status, "zh") == f"下载验证损失最低时（第 {saved:,} 步）的模型（.zip）"
    assert download_label(dict(status, best_step=None), "en") == PAIRS["live.download"][0]


def test_the_intro_says_which_folder_each_way_of_opening_takes():
    en, zh = PAIRS["live.intro"]
    assert "best validation loss" in en and "**Open a model** at the top" in en and "unzip" in en
    assert "验证损失最低" in zh and "**打开一个模型**" in zh and "解压" in zh
    # the button it names is the picker's, in both languages
    from playground.text.picker import PAIRS as PICKER

    assert f"**{PICKER['picker.open'][0]}**" in en and f"**{PICKER['picker.open'][1]}**" in zh
