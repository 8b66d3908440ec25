"""The Live Lab in the app: the job registry's limits, the HTTP API (lab_train / lab_status / lab_stop)
with tiny settings, and one browser run (paste, train, see the curve, sample and gates, stop, download)."""

from __future__ import annotations

import io
import os
import random
import time
import zipfile
from dataclasses import asdict

import numpy as np
import pytest

from lstmlm.training.live import LiveSettings
from playground.page_language import shown
from playground.server.live_jobs import LiveBusy, LiveJobs, ReadOnly, UnknownJob

TINY = {"hidden_dim": 16, "bptt": 20, "batch_size": 4, "eval_every": 5, "sample_every_s": 0.5, "snapshots": 4}


def anbn_text(lines: int = 300) -> str:
    rng = random.Random(0)
    return "".join("a" * n + "b" * n + "\n" for n in (rng.randint(1, 6) for _ in range(lines)))


def wait_until_ended(jobs: LiveJobs, job_id: str, timeout_s: float = 300) -> dict:
    """The job's status once it is no longer queued or running (a guard of `timeout_s`: a loaded machine
    starts a worker process slowly)."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        status = jobs.status(job_id)
        if status["state"] not in ("queued", "running"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still running after {timeout_s} s")


def test_limits_per_session_queue_and_cleanup():
    jobs = LiveJobs(max_running=1, max_queued=1)
    long = LiveSettings(seconds=60, **TINY)
    first = jobs.start(anbn_text(), long, owner="page-a")
    assert first.state == "running"
    with pytest.raises(LiveBusy, match="already have a training"):
        jobs.start(anbn_text(), long, owner="page-a")
    # the server's one place is taken: the next waits, and its page sees where it is in the queue
    second = jobs.start(anbn_text(), LiveSettings(seconds=10, max_tokens=500, **TINY), owner="page-b")
    status = jobs.status(second.id)
    assert status["state"] == "queued" and status["queue_position"] == 1 and status["step"] == 0
    with pytest.raises(LiveBusy, match=r"1 trainings are waiting for one of its 1 places"):
        jobs.start(anbn_text(), long, owner="page-c")
    jobs.stop(first.id)
    status = wait_until_ended(jobs, first.id)
    assert status["state"] == "stopped" and status["summary"]["stop_reason"] == "interrupted"
    assert wait_until_ended(jobs, second.id)["state"] == "done"  # it started once the place was free
    folder = first.folder
    assert folder.exists()
    assert jobs.drop_owner("page-a") == 1 and not folder.exists()
    with pytest.raises(UnknownJob, match="start a new one"):
        jobs.get(first.id)
    assert jobs.sweep(now=time.monotonic() + 3601) == 1 and not second.folder.exists()


def test_an_api_job_is_removed_an_hour_after_it_ended_and_every_job_when_the_server_ends():
    """A job started through the API has no page whose closing removes it: looking any job up (status,
    stop, ...) drops the ones finished over keep_s ago, at most once a minute; `close` (at exit) drops the
    rest, folders included."""
    jobs = LiveJobs(max_running=1, keep_s=0.5)
    done = jobs.start(anbn_text(), LiveSettings(seconds=10, max_tokens=300, **TINY))
    assert wait_until_ended(jobs, done.id)["state"] == "done" and done.folder.exists()
    running = jobs.start(anbn_text(), LiveSettings(seconds=60, **TINY))
    time.sleep(0.6)  # `done` ended over keep_s ago, but the last look was under a minute ago
    assert jobs.status(running.id)["state"] in ("queued", "running") and done.folder.exists()
    jobs.swept -= 61
    jobs.status(running.id)  # any look-up, a minute after the last: `done` goes, `running` stays
    assert not done.folder.exists() and running.folder.exists()
    with pytest.raises(UnknownJob):
        jobs.get(done.id)
    assert jobs.close(timeout=60) == 0
    assert not running.folder.exists() and not jobs.jobs


def test_status_reports_the_batch_size_trained_with():
    """A tiny text trains on fewer columns than asked: every status says the batch size it trains with
    (`batch_size`: what config.json and the summary record) beside the settings as asked (which lab_train
    takes back as they are); a text big enough for the batch asked reports just that."""
    import json

    jobs = LiveJobs(max_running=1)
    tiny = dict(TINY, batch_size=64, bptt=50)
    text = anbn_text(40)  # ~ 300 characters: 300 // (2 * 50 + 2) = 2 columns
    job = jobs.start(text, LiveSettings(seconds=10, max_tokens=300, **tiny))
    first = jobs.status(job.id)
    assert first["settings"] == asdict(LiveSettings(seconds=10, max_tokens=300, **tiny))
    assert LiveSettings.from_dict(first["settings"]) == job.settings  # the settings go back as they are
    status = wait_until_ended(jobs, job.id)
    used = status["summary"]["batch_size"]
    assert used < 64 and first["batch_size"] == status["batch_size"] == used  # known before the first step
    config = json.loads((job.folder / "config.json").read_text())
    lab = config["training"]["live_lab"]
    assert lab["batch_size"] == used and lab["batch_size_asked"] == 64
    plain = jobs.start(anbn_text(), LiveSettings(seconds=10, max_tokens=300, **TINY))
    assert jobs.status(plain.id)["batch_size"] == TINY["batch_size"]
    wait_until_ended(jobs, plain.id)


def test_probe_characters_the_text_lacks_are_named_as_read_as_rare():
    """A probe with characters the training text never had: the model reads them as <unk>; the snapshot
    keeps them as typed, lists their positions (`unknown`), and the heatmap's title names them, in the
    page's language."""
    from playground.tabs.live_snapshots import snapshot_heatmap
    from playground.views.live import snapshot_json

    jobs = LiveJobs(max_running=1)
    probe = "aabb\u03a9ab\u2603b"  # Ω and ☃: not in an a^n b^n text
    job = jobs.start(anbn_text(), LiveSettings(seconds=10, max_tokens=300, **TINY), probe=probe)
    wait_until_ended(jobs, job.id)
    snap = snapshot_json(job, -1)
    assert [snap["tokens"][p] for p in snap["unknown"]] == ["\u03a9", "\u2603"]
    assert "".join(snap["tokens"]) == probe
    title = snapshot_heatmap(jobs, job.id, 0, 0, "f").layout.title.text
    assert "not in the model's vocabulary, read as a rare character: \u03a9 \u2603" in title, title
    plain = jobs.start(anbn_text(), LiveSettings(seconds=10, max_tokens=300, **TINY), probe="aabb\nab")
    wait_until_ended(jobs, plain.id)
    assert snapshot_json(plain, -1)["unknown"] == []
    assert "rare" not in snapshot_heatmap(jobs, plain.id, 0, 0, "f").layout.title.text


def test_a_snapshot_number_past_the_last_is_clipped_with_a_notice():
    """The snapshot sliders' listeners take their values unprocessed: a number typed in a box past the
    snapshots there are (or not a number) is clipped and said in the page's language, where gradio's own
    range check raised an English error; the heatmap and the table are those of the clipped snapshot."""
    import warnings

    from playground.tabs.live_snapshots import show_changes, show_snapshot

    jobs = LiveJobs(max_running=1)
    job = jobs.start(anbn_text(), LiveSettings(seconds=10, max_tokens=300, **TINY))
    wait_until_ended(jobs, job.id)
    last = len(job.snapshots) - 1
    assert last >= 2

    def said(call):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = call()
        return out, [str(w.message) for w in caught]

    fig, notes = said(lambda: show_snapshot(jobs, job.id, 99, 0, "f"))
    assert notes == [f"Snapshot (0 = before training) is 0 to {last}: 99 was set to {last}"]
    assert fig.layout.title.text == show_snapshot(jobs, job.id, last, 0, "f").layout.title.text
    table, notes = said(lambda: show_changes(jobs, job.id, -3, last))
    assert notes == [f"From snapshot (to the one shown above) is 0 to {last}: -3 was set to 0"]
    assert table == show_changes(jobs, job.id, 0, last)
    assert said(lambda: show_changes(jobs, job.id, "x", 1.7))[0] == show_changes(jobs, job.id, 0, 1)
    assert said(lambda: show_snapshot(jobs, job.id, float("nan"), 0, "f"))[1] == []


def test_default_places_follow_the_cores(capsys):
    from playground.__main__ import main, parse_args
    from playground.server import live_jobs

    assert live_jobs.MAX_RUNNING == max(1, (os.cpu_count() or 2) // 2)
    assert live_jobs.JOBS.max_running == live_jobs.MAX_RUNNING
    with pytest.raises(ValueError, match="at least 1"):
        live_jobs.configure(0)
    assert parse_args(["--lab-trainings", "3"]).lab_trainings == 3
    assert main(["--lab-trainings", "0"]) == 2
    assert "--lab-trainings must be at least 1, got 0" in capsys.readouterr().err


def test_each_training_runs_in_its_own_process_with_memory_and_time_caps(monkeypatch):
    from playground.server import live_worker

    jobs = LiveJobs()
    job = jobs.start(anbn_text(), LiveSettings(seconds=10, max_tokens=600, **TINY), owner="a")
    assert wait_until_ended(jobs, job.id)["state"] == "done"
    assert job.summary["steps"] == job.step > 0 and job.evals and job.snapshots
    # a worker that grows past the memory cap is ended (torch alone takes more than 50 MB)
    capped = LiveJobs(memory_cap_mb=50)
    status = wait_until_ended(capped, capped.start(anbn_text(), LiveSettings(seconds=60, **TINY)).id)
    assert status["state"] == "failed" and "more than the 50 MB each may use" in status["error"]
    # ... and one that runs past its time budget by more than the grace
    late = LiveJobs(time_grace_s=-9.5)  # ended 0.5 s into a 10 s budget
    status = wait_until_ended(late, late.start(anbn_text(), LiveSettings(seconds=10, **TINY)).id)
    assert status["state"] == "failed" and "past its time budget" in status["error"]
    # a worker that dies says so
    monkeypatch.setattr(live_worker, "train_in_worker", _die)
    dead = LiveJobs()
    status = wait_until_ended(dead, dead.start(anbn_text(), LiveSettings(seconds=10, **TINY)).id)
    assert status["state"] == "failed" and "ended unexpectedly (exit code 3)" in status["error"]


def _die(*args) -> None:
    os._exit(3)


def wait_for(predicate, timeout_s: float = 300) -> None:
    end = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def test_pause_frees_the_place_and_resume_goes_on():
    jobs = LiveJobs(max_running=1)
    job = jobs.start(anbn_text(), LiveSettings(seconds=300, max_tokens=6000, **TINY), owner="teacher")
    wait_for(lambda: job.step >= 3)
    jobs.pause(job.id)
    wait_for(lambda: job.state == "paused")
    paused_at, seconds = job.step, job.seconds
    other = jobs.start(anbn_text(), LiveSettings(seconds=10, max_tokens=400, **TINY), owner="student")
    assert other.state == "running"  # the paused training gave its place away
    time.sleep(0.5)
    assert job.step == paused_at  # nothing trains while paused
    refusal = "only a running training can be paused; this one is paused"
    with pytest.raises(ValueError, match=refusal) as refused:
        jobs.pause(job.id)
    # on a Chinese page the state is named in Chinese too, not left as the English word inside the sentence
    assert shown(refused.value, "zh") == "只有正在训练的训练才能暂停；它现在的状态是“已暂停”"
    jobs.resume(job.id)
    assert jobs.status(job.id)["state"] in ("queued", "running")
    status = wait_until_ended(jobs, job.id, timeout_s=120)
    assert status["state"] == "done" and status["summary"]["stop_reason"] == "character budget"
    steps = status["curve"]["step"]
    assert steps == sorted(steps) and status["step"] > paused_at
    assert status["seconds"] >= seconds  # the clock went on from where it paused
    # a stopped queued or paused job ends at once
    again = jobs.start(anbn_text(), LiveSettings(seconds=300, **TINY), owner="teacher")
    wait_for(lambda: again.step >= 1)
    jobs.pause(again.id)
    wait_for(lambda: again.state == "paused")
    jobs.stop(again.id)
    assert again.state == "stopped" and again.ended is not None


def test_a_share_token_reads_but_does_not_control():
    jobs = LiveJobs(max_running=1)
    job = jobs.start(anbn_text(), LiveSettings(seconds=10, max_tokens=600, **TINY), owner="teacher")
    assert job.share != job.id and len(job.share) == 32
    with pytest.raises(ReadOnly, match="read-only"):
        jobs.stop(job.share)
    with pytest.raises(ReadOnly):
        jobs.pause(job.share)
    wait_until_ended(jobs, job.id)
    shared = jobs.status(job.share)
    own = jobs.status(job.id)
    assert shared["read_only"] and shared["job"] is None and not own["read_only"] and own["job"] == job.id
    assert shared["evals"] == own["evals"] and shared["snapshots"] == own["snapshots"] > 1
    assert jobs.zip_path(job.share).exists()  # a student may download the model too
    assert jobs.drop_owner("student") == 0 and jobs.get(job.share) is job  # a student's page closing
    jobs.drop_owner("teacher")
    with pytest.raises(UnknownJob):
        jobs.get(job.share)


def test_a_server_training_trains_again_from_its_download(tmp_path, monkeypatch):
    """The worker process's run (one torch thread), downloaded, unzipped and trained again by the command
    its config.json records (run here in this process): the same steps and losses."""
    import json
    import shlex

    import torch

    from lstmlm.cli import main

    jobs = LiveJobs(max_running=1)
    # the token budget ends it (a loaded machine's slow steps never reach the time budget)
    job = jobs.start(anbn_text(), LiveSettings(seconds=300, max_tokens=2000, seed=4, **TINY), owner="page")
    assert wait_until_ended(jobs, job.id)["state"] == "done"
    with zipfile.ZipFile(jobs.zip_path(job.id)) as z:
        z.extractall(tmp_path)
    folder = tmp_path / "live-lab-model"
    training = json.loads((folder / "config.json").read_text())["training"]
    args = shlex.split(training["command"])
    # the worker's true thread count, recorded alike in the settings and in the command (the settings
    # said 0, "torch's default", beside --threads 1)
    from playground.server.live_worker import WORKER_THREADS

    assert WORKER_THREADS == 1
    assert training["train_config"]["threads"] == int(args[args.index("--threads") + 1]) == WORKER_THREADS
    args[args.index("--out") + 1] = str(tmp_path / "again")
    monkeypatch.chdir(folder)
    threads = torch.get_num_threads()
    try:
        assert main(args[1:]) == 0  # --threads 1 sets this process's torch threads
    finally:
        torch.set_num_threads(threads)
    read = lambda d: [json.loads(x) for x in (d / "metrics.jsonl").read_text().splitlines()]  # noqa: E731
    server, again = read(folder), read(tmp_path / "again")
    key = lambda r: (r["step"], r["train_loss"], r["val_loss"])  # noqa: E731
    assert len(server) >= 3 and [key(r) for r in again] == [key(r) for r in server]
    jobs.drop_owner("page")


def test_a_page_closed_while_training_removes_its_folder():
    jobs = LiveJobs()
    job = jobs.start(anbn_text(), LiveSettings(seconds=60, **TINY), owner="page")
    time.sleep(0.5)
    jobs.drop_owner("page")
    end = time.monotonic() + 30
    while job.folder.exists() and time.monotonic() < end:
        time.sleep(0.1)
    assert not job.folder.exists() and job.state == "stopped"


@pytest.fixture(scope="module")
def client(tiny_model_dir):
    from conftest import app_client

    from lstmlm import load_model

    with app_client(load_model(tiny_model_dir)) as c:
        yield c


def lab_stream(client, **kwargs) -> tuple:
    """Submit a lab_train stream and wait for its first message: (the submitted call, that message)."""
    submitted = client.submit(**kwargs, api_name="/lab_train")
    wait_for(lambda: submitted.outputs() or submitted.done())
    return submitted, (submitted.outputs() or [submitted.result()])[0]


def test_api_streams_trains_reports_and_stops(client, monkeypatch):
    """lab_train streams a training's progress until it ends (done, or stopped meanwhile through lab_stop),
    through its wait in the queue and a pause; a second client's lab_status says what the last message
    says."""
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    from playground.api import live as lab_api
    from playground.server.live_jobs import JOBS

    monkeypatch.setattr(JOBS, "max_running", 1)  # one place: a second training waits for it
    # a tiny training lasts a second or two: read it every 20 ms, so that its stream has several messages
    monkeypatch.setattr(lab_api, "STREAM_POLL_S", 0.02)
    monkeypatch.setattr(lab_api, "STREAM_EVERY_S", 0.02)
    long, begun = lab_stream(client, teaching_text="anbn", settings={"seconds": 60, **TINY})
    assert begun["state"] == "running" and begun["share"] and begun["done"] is False
    assert begun["queue_position"] == 0 and begun["seconds_left"] == round(60 - begun["seconds"], 2)
    settings = dict(TINY, seconds=300, max_tokens=4000)  # the token budget ends it, however slow the machine
    stream, queued = lab_stream(client, text=anbn_text(), settings=settings)
    assert queued["state"] == "queued" and queued["queue_position"] == 1 and queued["step"] == 0
    assert queued["settings"]["hidden_dim"] == 16 and queued["seconds_left"] == 300 and not queued["done"]
    # pausing the first frees its place: the second trains, its stream going on until it is done
    wait_for(lambda: client.predict(job=begun["job"], curve=False, api_name="/lab_status")["step"] >= 1)
    assert client.predict(job=begun["job"], api_name="/lab_pause")["pausing"] is True
    final = stream.result(timeout=300)
    messages = stream.outputs()
    assert len(messages) >= 4 and messages[-1] == final
    assert [m["done"] for m in messages] == [False] * (len(messages) - 1) + [True]
    assert {m["job"] for m in messages} == {queued["job"]}
    states = [m["state"] for m in messages]
    assert states[0] == "queued" and states[-1] == "done" and states.count("running") >= 2
    steps = [m["step"] for m in messages]
    assert steps == sorted(steps) and len(set(steps)) >= 3
    for m in messages[:-1]:
        if m["state"] == "running":
            assert m["queue_position"] == 0 and m["seconds_left"] == round(300 - m["seconds"], 2)
    assert any(m["val_loss"] is not None and m["train_loss"] is not None for m in messages[:-1])
    assert final["seconds_left"] == 0 and final["summary"]["stop_reason"] == "character budget"
    # a second client's lab_status agrees with the stream's last message
    other = Client(client.src, verbose=False)
    try:
        status = other.predict(job=final["job"], curve=True, api_name="/lab_status")
    finally:
        other.close()
    assert {k: final[k] for k in status if k != "curve"} == {k: v for k, v in status.items() if k != "curve"}
    assert final["train_loss"] == status["curve"]["loss"][-1]
    assert final["val_loss"] == status["evals"][-1]["val_loss"]
    started = final
    vals = [e["val_loss"] for e in status["evals"]]
    assert status["state"] == "done" and vals[0] > min(vals) + 0.2  # it learned
    assert status["summary"]["best_val_loss"] == pytest.approx(min(vals))
    assert status["best_val_loss"] == min(vals)  # fewer than 300 validations: none thinned out
    assert status["curve"]["step"] == sorted(status["curve"]["step"]) and status["curve"]["loss"]
    assert status["snapshots"] == 5 and status["has_model"] and status["unit"] == "character"
    assert set(status["sample"]["text"]) <= set("ab\n")

    # a snapshot through the share token: the probe's arrays as saved, and what changed since step 0
    from lstmlm.training.live import load_snapshot

    snap = client.predict(job=started["share"], index=-1, compare_to=0, api_name="/lab_snapshot")
    saved = load_snapshot(JOBS.get(started["job"]).snapshots[-1].path)
    assert snap["index"] == 4 and snap["snapshots"] == 5 and snap["tokens"] == saved.tokens
    np.testing.assert_allclose(snap["layers"][0]["c"], saved.values[0]["c"], atol=1e-4)
    first = load_snapshot(JOBS.get(started["job"]).snapshots[0].path)
    top = snap["changes"]["sat_f"][0]
    before, after = first.stats[0]["sat_f"][top["unit"]], saved.stats[0]["sat_f"][top["unit"]]
    assert (top["before"], top["after"]) == pytest.approx((before, after), abs=1e-4)
    assert abs(top["change"]) == pytest.approx(
        np.abs(saved.stats[0]["sat_f"] - first.stats[0]["sat_f"]).max(), abs=1e-4
    )
    assert "track_line_pos" in snap["changes"]

    # the paused one: its stream said so, and goes on when it resumes, until it is stopped
    assert not long.done() and "paused" in [m["state"] for m in long.outputs()]
    assert client.predict(job=begun["job"], api_name="/lab_resume")["state"] in ("queued", "running")
    with pytest.raises(AppError, match="read-only"):
        client.predict(job=begun["share"], api_name="/lab_stop")
    assert client.predict(job=begun["job"], api_name="/lab_stop")["stopping"] is True
    stopped = long.result(timeout=300)
    assert stopped["state"] == "stopped" and stopped["done"] and stopped["seconds"] < 30
    assert stopped == long.outputs()[-1] and not any(m["done"] for m in long.outputs()[:-1])
    long = stopped
    again = client.predict(job=long["job"], api_name="/lab_stop")  # it said stopping: true of an ended one
    assert again["state"] == "stopped" and again["stopping"] is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "", "settings": {}}, "the text is empty"),
        ({"text": "abc " * 100, "settings": {"hidden_dim": 1000}}, r"hidden_dim must be in 16..256"),
        ({"teaching_text": "sonnets"}, "no teaching text is called 'sonnets'"),
        ({"text": "abc", "teaching_text": "anbn"}, "either text or teaching_text"),
        ({"text": "\x00" * 3000}, "binary data"),  # the check the upload goes through (issue 17)
        ({"text": "abc " * 100, "settings": {"seed": -1}}, r"seed must be in 0\.\.2147483647, got -1"),
    ],
)
def test_api_refuses_bad_input_with_a_message(client, kwargs, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=message):
        client.predict(**kwargs, api_name="/lab_train")


def test_api_unknown_job(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="no training has the id"):
        client.predict(job="nope", api_name="/lab_status")


def test_the_previous_releases_endpoint_names_still_answer(client):
    """live_train, live_status, ... (the names the last README gave) answer as lab_*, off the API page."""
    import json

    from test_robustness_api import OPENER, call  # a raw HTTP call and its event stream

    base = client.src.rstrip("/")
    with OPENER.open(f"{base}/gradio_api/info", timeout=30) as r:
        listed = set(json.loads(r.read())["named_endpoints"])
    lab = ("lab_train", "lab_status", "lab_stop", "lab_pause", "lab_resume", "lab_snapshot")
    assert {f"/{name}" for name in lab} <= listed
    assert not any(name.startswith("/live_") for name in listed)
    for name, data, expected in (
        ("live_status", ["nope", False], "no training has the id"),
        ("live_stop", ["nope"], "no training has the id"),
        ("live_train", ["", {}, "sonnets", ""], "no teaching text is called 'sonnets'"),
    ):
        event, message, _ = call(base, name, data)
        assert event == "error" and expected in str(message), (name, event, message)


def test_a_shared_link_opens_the_training_read_only():
    from types import SimpleNamespace

    from playground.tabs.live import open_shared

    jobs = LiveJobs()
    job = jobs.start(anbn_text(), LiveSettings(seconds=10, max_tokens=300, **TINY), owner="teacher")
    wait_until_ended(jobs, job.id)
    page = lambda **q: SimpleNamespace(query_params=q)  # noqa: E731
    opened = open_shared(jobs, page(view="live", lab=job.share))
    key, progress, timer, *buttons, layers, form, summary = opened
    assert key == job.share and "shared training" in progress and timer.active is True
    assert len(buttons) == 3 and all(b.visible is False for b in buttons)  # Train / Pause / Stop hidden
    assert layers.choices == [("Layer 1", 0)] and layers.value == 0  # TINY: one layer
    # the page's own form (empty, at its defaults) gives way to the teacher's settings in one line
    assert form.visible is False and summary.visible is True
    s = job.settings
    assert f"{s.num_layers} layer(s) of {s.hidden_dim} units" in summary.value
    assert f"sequence length {s.bptt}" in summary.value and f"{s.seconds:g} s, seed {s.seed}" in summary.value
    key, notice, *_ = open_shared(jobs, page(lab=job.id))  # a control id in a link is refused
    assert key == "" and "does not name a shared training" in notice
    key, notice, *_ = open_shared(jobs, page(lab="0" * 32))
    assert key == "" and "no training has the id" in notice
    assert all(isinstance(v, type(open_shared(jobs, page())[0])) for v in open_shared(jobs, page()))


def test_open_a_snapshot_in_every_view(tiny_model_dir):
    import json
    from urllib.parse import parse_qs

    import gradio as gr

    hub_module = pytest.importorskip("playground.hub")  # the model hub (another model's app at /m/<key>/)
    from playground.tabs.live_snapshots import open_in_every_view

    jobs = LiveJobs()
    job = jobs.start(anbn_text(), LiveSettings(seconds=10, max_tokens=400, **TINY), owner="teacher")
    wait_until_ended(jobs, job.id)
    with pytest.raises(gr.Error, match="without a model hub"):
        open_in_every_view(jobs, job.id, 1)
    hub = hub_module.ModelHub(tiny_model_dir, bundled=False, compare_dirs=[])
    hub_module.activate(hub)
    try:
        snap = job.snapshots[1]
        path = open_in_every_view(jobs, job.share, 1)  # a student's page may open it too
        path, query = path.split("?")
        key = path.removeprefix("/m/").rstrip("/")
        assert path == f"/m/{key}/" and hub.entry(key).folder == snap.model_dir
        # it opens on the run's own text (its first 100 characters, the probe), not the page's prompt
        assert parse_qs(query) == {"prompt": [anbn_text()[:100]]}
        assert hub.entry(key).info.label == f"Live Lab model at step {snap.step:,} ({snap.seconds:.0f} s)"
        assert open_in_every_view(jobs, job.id, 99) != path  # past the end: the last snapshot
        # the click's answer also holds what the page says if the browser blocks the new tab (English here,
        # outside a request)
        from playground.tabs.live_snapshots import open_snapshot
        from playground.text.live import PAIRS

        again, words = open_snapshot(jobs, job.share, 1)
        assert again.startswith("/m/live-lab-model-at-step-") and again.split("?")[0].endswith("/")
        assert json.loads(words) == {
            "blocked": PAIRS["live.popup_blocked"][0],
            "link": PAIRS["live.popup_link"][0],
        }
    finally:
        hub_module.activate(None)
        hub.close()
    with pytest.raises(gr.Error, match="Train a model first"):
        open_in_every_view(jobs, "", 0)


HEATMAP = """() => {
  const gd = document.querySelector('#live-heatmap .js-plotly-plot');
  const trace = gd && gd.data && gd.data.find(t => t.type === 'heatmap');
  return trace ? JSON.stringify({title: gd.layout.title.text || gd.layout.title, z: trace.z}) : null;
}"""


def scrub(page, value: int) -> None:
    """Move the snapshot slider to `value` as a person does (the range input, then the pointer let go)."""
    slider = page.locator("#live-snap input[type=range]")
    slider.fill(str(value))
    slider.dispatch_event("pointerup")
    slider.dispatch_event("mouseup")


@pytest.mark.browser
def test_browser_whole_flow(tiny_model_dir, tmp_path):
    """Paste a text, train 10 s, see the curve and a sample appear, scrub to the first and the last
    snapshot and see the Gates heatmap change, see what changed, download the model and load it."""
    import json

    from browser_kit import open_page, serve

    from lstmlm import load_model

    with (
        serve(load_model(tiny_model_dir)) as url,
        open_page(url, timeout_ms=60_000, accept_downloads=True) as page,
    ):
        page.wait_for_selector("#next-word-chart .ytick text")
        page.get_by_role("tab", name="Train your own").click()
        page.locator("#live-text textarea").fill(anbn_text())
        seconds = page.locator("#live-seconds input[type=number]")
        seconds.fill("10")
        seconds.press("Enter")
        page.locator("#live-train").click()
        page.wait_for_selector("#live-curve .js-plotly-plot .scatterlayer path", timeout=60_000)
        page.wait_for_function(
            "() => (document.querySelector('#live-sample')?.textContent || '').trim().length > 20",
            timeout=60_000,
        )
        assert page.locator("#live-share-link").get_attribute("href").startswith("?view=live&lab=")
        page.wait_for_function(
            "() => /Finished/.test(document.querySelector('#live-status')?.textContent || '')",
            timeout=120_000,
        )
        status = page.locator("#live-status").inner_text()
        assert "10 s of 10 s" in status or "of 10 s" in status
        sample = page.locator("#live-sample").inner_text()
        assert set(sample.replace("\n", "")) <= set("ab")
        # the last snapshot is shown when training ends; scrub to the first, then back to the last
        page.wait_for_function(f"() => {{ const h = ({HEATMAP})(); return h && !h.includes('step 0 '); }}")
        last = json.loads(page.evaluate(HEATMAP))
        # a number typed in the slider's box and Enter redraws it, as a drag does (issue 17)
        number = page.locator("#live-snap input[type=number]")
        number.fill("0")
        number.press("Enter")
        page.wait_for_function(f"() => ({HEATMAP})()?.includes('step 0 ')", timeout=60_000)
        first = json.loads(page.evaluate(HEATMAP))
        assert first["z"] != last["z"] and "step 0 (0 s)" in first["title"]
        axis = "() => document.querySelector('#live-heatmap .js-plotly-plot').layout.xaxis.title.text"
        assert page.evaluate(axis).startswith("characters (steps 0..")  # a character training
        scrub(page, 12)
        page.wait_for_function(f"() => !({HEATMAP})()?.includes('step 0 ')", timeout=60_000)
        assert json.loads(page.evaluate(HEATMAP))["z"] == last["z"]
        page.locator("#live-snap input[type=range]").press("Home")  # the keyboard redraws it too
        page.wait_for_function(f"() => ({HEATMAP})()?.includes('step 0 ')", timeout=60_000)
        scrub(page, 12)
        page.wait_for_function(f"() => !({HEATMAP})()?.includes('step 0 ')", timeout=60_000)
        changes = page.locator("#live-changes-title").inner_text()
        assert changes.startswith("What changed from step 0 (0 s) to step")
        assert page.locator("#live-changes tr[data-what=sat_f]").count() == 3
        with page.expect_download(timeout=60_000) as info:
            page.locator("#live-download").click()
        path = tmp_path / "model.zip"
        info.value.save_as(path)
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
            z.extractall(tmp_path / "unzipped")
        model = load_model(tmp_path / "unzipped" / "live-lab-model")
        assert model.tokenizer.name == "chars" and set(model.vocab.words) >= {"a", "b", "<eos>"}
        # the command that trains it again, as config.json records it, under where to run it; copyable
        config = json.loads((tmp_path / "unzipped" / "live-lab-model" / "config.json").read_text())
        shown = page.locator("#live-command .cm-content").inner_text().strip().splitlines()
        assert shown == ["# run in the unzipped folder: it holds the text the command reads",
                         config["training"]["command"]]  # fmt: skip
        assert shown[1].startswith("lstmlm train --train text.txt --tokenizer chars")
        assert page.locator("#live-command button[aria-label='Copy']").count() == 1
        page.locator("#live-try textarea").fill("aaa")
        page.locator("#live-try-go").click()
        page.wait_for_function(
            "() => (document.querySelector('#live-try-out')?.textContent || '').startsWith('aaa')"
        )


def test_resume_asked_while_still_pausing_goes_on_once_paused():
    """Pause returns at once but the training pauses after its current step: a Resume in that moment (a
    second click, an API call straight after lab_pause) is kept and done once it has paused, not refused as
    "this one is running"; the Pause / Resume button then offers Pause again."""
    from playground.i18n import say
    from playground.tabs.live import pause_or_resume

    jobs = LiveJobs(max_running=1)
    job = jobs.start(anbn_text(), LiveSettings(seconds=300, max_tokens=6000, **TINY), owner="teacher")
    wait_for(lambda: job.step >= 3)
    jobs.pause(job.id)
    assert job.state == "running" and job.pausing  # still pausing
    jobs.resume(job.id)  # no refusal
    wait_for(lambda: job.resumes == 1)  # it paused, then went on by itself
    status = wait_until_ended(jobs, job.id, timeout_s=120)
    assert status["state"] == "done" and status["summary"]["stop_reason"] == "character budget"
    # the button: Pause, then a click while pausing resumes, a third click pauses again
    again = jobs.start(anbn_text(), LiveSettings(seconds=300, **TINY), owner="teacher")
    wait_for(lambda: again.step >= 1)
    assert pause_or_resume(jobs, again.id)[0].value == say("live.resume")
    assert pause_or_resume(jobs, again.id)[0].value == say("live.pause")  # resumed while pausing
    assert pause_or_resume(jobs, again.id)[0].value == say("live.resume")
    wait_for(lambda: again.state == "paused")
    time.sleep(0.3)
    assert again.state == "paused" and again.resumes == 0  # the last click won
    jobs.stop(again.id)


@pytest.mark.browser
def test_browser_pause_resume_and_a_shared_link(tiny_model_dir):
    """Pause stops the steps and Resume goes on; a student's page opened from the share link sees the same
    training without Train / Pause / Stop; Stop ends it."""
    from browser_kit import chromium, new_page, serve

    from lstmlm import load_model

    step = (  # the step number the status line shows
        "() => Number((document.querySelector('#live-status')?.textContent.match(/step ([\\d,]+)/)"
        " || [0, '0'])[1].replace(/,/g, ''))"
    )
    with serve(load_model(tiny_model_dir)) as url, chromium() as browser:
        page = new_page(browser, None, timeout_ms=60_000)
        page.goto(url)
        page.wait_for_selector("#next-word-chart .ytick text")
        page.get_by_role("tab", name="Train your own").click()
        page.locator("#live-text textarea").fill(anbn_text())
        page.locator("#live-train").click()
        page.wait_for_function(f"() => ({step})() > 0", timeout=60_000)
        page.locator("#live-pause").click()
        page.wait_for_function("() => /Paused/.test(document.querySelector('#live-status')?.textContent)")
        assert page.locator("#live-pause").inner_text() == "Resume"
        paused_at = page.evaluate(step)
        page.wait_for_timeout(2500)
        assert page.evaluate(step) == paused_at
        link = page.locator("#live-share-link").get_attribute("href")
        student = new_page(browser, None, timeout_ms=60_000)
        student.goto(url + link)
        student.wait_for_function(
            "() => /shared training/.test(document.querySelector('#live-status')?.textContent || '')"
        )
        assert student.locator("#live-train").count() == 0 or not student.locator("#live-train").is_visible()
        page.locator("#live-pause").click()  # Resume
        page.wait_for_function(f"() => ({step})() > {paused_at}", timeout=60_000)
        student.wait_for_function(f"() => ({step})() > {paused_at}", timeout=60_000)
        page.locator("#live-stop").click()
        page.wait_for_function("() => /Stopped/.test(document.querySelector('#live-status')?.textContent)")
        student.wait_for_function("() => /Stopped/.test(document.querySelector('#live-status')?.textContent)")


@pytest.mark.browser
def test_browser_settings_out_of_range_and_refusals_say_what_to_change(tiny_model_dir, tmp_path):
    """Issue 17: a setting typed past a slider's end says it was set to that end; lr 5 and a binary text
    are refused with the Live Lab's own words, leaving no blank "Error" badge; a refused upload is
    cleared from the file box."""
    from browser_kit import open_page, serve

    from lstmlm import load_model

    def toast(text: str) -> None:
        page.locator(".toast-body").filter(has_text=text).first.wait_for(timeout=30_000)

    with serve(load_model(tiny_model_dir)) as url, open_page(url) as page:
        page.get_by_role("tab", name="Train your own").click()
        units = page.locator("#live-units input[type=number]")
        units.fill("100000")
        units.press("Tab")
        toast("Units per layer is 16 to 256: 100000 was set to 256")
        assert units.input_value() == "256"
        seconds = page.locator("#live-seconds input[type=number]")
        seconds.fill("0")
        seconds.press("Tab")
        toast("Time budget (seconds) is 10 to 300: 0 was set to 10")
        page.locator("#live-text textarea").fill(anbn_text())
        page.locator("#live-lr input").fill("5")
        page.locator("#live-train").click()
        toast("lr must be in 0.0001..0.05, got 5")
        page.wait_for_timeout(1000)
        assert page.locator(".error").filter(has_text="Error").count() == 0  # no blank red badges
        binary = tmp_path / "notes.txt"
        binary.write_bytes(b"\x00\x01" * 2000)
        page.locator("#live-upload input[type=file]").set_input_files(binary)
        toast("notes.txt holds binary data")
        page.wait_for_function(
            "() => !document.querySelector('#live-upload')?.textContent.includes('notes.txt')", timeout=30_000
        )
        good = tmp_path / "poem.txt"  # a good file fills the text box
        good.write_text("Two roads diverged in a yellow wood,\nAnd sorry I could not travel both\n" * 10)
        page.locator("#live-upload input[type=file]").set_input_files(good)
        page.wait_for_function(
            "() => document.querySelector('#live-text textarea')?.value.startsWith('Two roads diverged')",
            timeout=30_000,
        )


def test_a_tick_that_finds_its_training_gone_says_so():
    """A page's tick read the job's status, then its page closed (or its hour ran out) and the job was
    dropped before the tick drew its snapshots: the tick said nothing and the server logged UnknownJob's
    traceback (seen in chromium, a page left while its training ended). It now says the training is gone
    and stops the timer; a file missing from a job still listed is another fault and is raised."""
    import shutil

    import gradio as gr

    from playground.tabs.live_watch import poll, redraw_on_open

    class DroppedMidTick(LiveJobs):
        def status(self, key: str, curve: bool = True) -> dict:
            out = super().status(key, curve)
            self.drop_owner("teacher")  # the page closed while this tick ran
            return out

    jobs = DroppedMidTick()
    job = jobs.start(anbn_text(), LiveSettings(seconds=10, max_tokens=400, **TINY), owner="teacher")
    wait_for(lambda: job.state == "done")
    out = poll(jobs, job.id, 0, 0, "c")
    assert "no training has the id" in out[0] and out[7].active is False
    job = jobs.start(anbn_text(), LiveSettings(seconds=10, max_tokens=400, **TINY), owner="teacher")
    wait_for(lambda: job.state == "done")
    assert redraw_on_open(jobs, job.id, 3, 2, 0, "c") == (gr.skip(),) * 9  # the tab opened meanwhile
    kept = LiveJobs()
    job = kept.start(anbn_text(), LiveSettings(seconds=10, max_tokens=400, **TINY), owner="teacher")
    wait_for(lambda: job.state == "done")
    shutil.rmtree(job.snapshots[-1].path.parent)  # the snapshots' folder, the job still listed
    with pytest.raises(FileNotFoundError):
        poll(kept, job.id, 0, 0, "c")
    with pytest.raises(FileNotFoundError):
        redraw_on_open(kept, job.id, 3, 2, 0, "c")


def test_try_before_a_model_is_saved_says_so_in_its_box():
    """Try your model before any training (or after the training is gone) said "Train a model first" in a
    red Error toast and left a blank red "Error" badge in the try box (a raised gr.Error): it now says so in
    the box, as a notice, as the tab's other refusals do."""
    from playground.tabs.live import try_model

    jobs = LiveJobs()
    for job_id in ("", "deadbeef"):
        out = try_model(jobs, job_id, "x", 1)
        assert 'class="lp-notice"' in out, job_id
    assert "Train a model first" in try_model(jobs, "", "x", 1)
    assert "no training has the id &#x27;deadbeef&#x27;" in try_model(jobs, "deadbeef", "x", 1)  # escaped
