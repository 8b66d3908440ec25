"""The Live Lab in the app: the job registry's limits, the HTTP API (live_train / live_status / live_stop)
with tiny settings, and one browser run (paste, train, see the curve, sample and gates, stop, download)."""

from __future__ import annotations

import io
import random
import time
import zipfile

import pytest

from lstmlm.live import LiveSettings
from playground.live_jobs import LiveBusy, LiveJobs, UnknownJob

TINY = {"hidden_dim": 16, "bptt": 20, "batch_size": 4, "eval_every": 5, "sample_every_s": 0.5, "snapshots": 4}


def anbn_text(lines: int = 300) -> str:
    rng = random.Random(0)
    return "".join("a" * n + "b" * n + "\n" for n in (rng.randint(1, 6) for _ in range(lines)))


def wait_until_ended(jobs: LiveJobs, job_id: str, timeout_s: float = 90) -> dict:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        status = jobs.get(job_id).status()
        if status["state"] != "running":
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still running after {timeout_s} s")


def test_limits_per_session_and_server_and_cleanup():
    jobs = LiveJobs(max_running=1)
    long = LiveSettings(seconds=60, **TINY)
    first = jobs.start(anbn_text(), long, owner="page-a")
    with pytest.raises(LiveBusy, match="already training"):
        jobs.start(anbn_text(), long, owner="page-a")
    with pytest.raises(LiveBusy, match=r"server is busy: 1 trainings are running \(at most 1 at once\)"):
        jobs.start(anbn_text(), long, owner="page-b")
    jobs.stop(first.id)
    status = wait_until_ended(jobs, first.id)
    assert status["state"] == "stopped" and status["summary"]["stop_reason"] == "interrupted"
    folder = first.folder
    assert folder.exists()
    second = jobs.start(anbn_text(), LiveSettings(seconds=10, max_tokens=500, **TINY), owner="page-b")
    wait_until_ended(jobs, second.id)
    assert jobs.drop_owner("page-a") == 1 and not folder.exists()
    with pytest.raises(UnknownJob, match="start a new one"):
        jobs.get(first.id)
    assert jobs.sweep(now=time.monotonic() + 3601) == 1 and not second.folder.exists()


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


def poll(client, job: str, timeout_s: float = 90) -> dict:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        status = client.predict(job=job, curve=True, api_name="/live_status")
        if status["state"] != "running":
            return status
        time.sleep(0.3)
    raise AssertionError("training did not end")


def test_api_trains_reports_and_stops(client):
    settings = dict(TINY, seconds=30, max_tokens=4000)
    started = client.predict(text=anbn_text(), settings=settings, api_name="/live_train")
    assert started["settings"]["hidden_dim"] == 16 and started["state"] == "running"
    status = poll(client, started["job"])
    assert status["state"] == "done" and status["summary"]["stop_reason"] == "word budget"
    vals = [e["val_loss"] for e in status["evals"]]
    assert vals[0] > min(vals) + 0.2  # it learned
    assert status["summary"]["best_val_loss"] == pytest.approx(min(vals))
    assert status["curve"]["step"] == sorted(status["curve"]["step"]) and status["curve"]["loss"]
    assert status["snapshots"] == 5 and status["has_model"] and status["unit"] == "character"
    assert set(status["sample"]["text"]) <= set("ab\n")

    long = client.predict(teaching_text="anbn", settings={"seconds": 60, **TINY}, api_name="/live_train")
    time.sleep(1.0)
    assert client.predict(job=long["job"], api_name="/live_stop")["stopping"] is True
    stopped = poll(client, long["job"])
    assert stopped["state"] == "stopped" and stopped["seconds"] < 30


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "", "settings": {}}, "the text is empty"),
        ({"text": "abc " * 100, "settings": {"hidden_dim": 1000}}, r"hidden_dim must be in 16..256"),
        ({"teaching_text": "sonnets"}, "no teaching text is called 'sonnets'"),
        ({"text": "abc", "teaching_text": "anbn"}, "either text or teaching_text"),
    ],
)
def test_api_refuses_bad_input_with_a_message(client, kwargs, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=message):
        client.predict(**kwargs, api_name="/live_train")


def test_api_unknown_job(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="no training has the id"):
        client.predict(job="nope", api_name="/live_status")


@pytest.mark.browser
def test_browser_train_watch_stop_download(tiny_model_dir, tmp_path):
    from browser_kit import open_page, serve

    from lstmlm import load_model

    with (
        serve(load_model(tiny_model_dir)) as url,
        open_page(url, timeout_ms=60_000, accept_downloads=True) as page,
    ):
        page.wait_for_selector("#next-word-chart .ytick text")
        page.get_by_role("tab", name="Train your own").click()
        page.locator("#live-text textarea").fill(anbn_text())
        page.locator("#live-train").click()
        page.wait_for_selector("#live-curve .js-plotly-plot .scatterlayer path", timeout=60_000)
        page.wait_for_function(
            "() => (document.querySelector('#live-sample')?.textContent || '').trim().length > 20",
            timeout=60_000,
        )
        page.wait_for_selector("#live-heatmap .js-plotly-plot", timeout=60_000)
        page.wait_for_function(
            "() => /step [1-9]/.test(document.querySelector('#live-status')?.textContent || '')",
            timeout=60_000,
        )
        page.locator("#live-stop").click()
        page.wait_for_function(
            "() => /Stopped|Finished/.test(document.querySelector('#live-status')?.textContent || '')",
            timeout=60_000,
        )
        sample = page.locator("#live-sample").inner_text()
        assert set(sample.replace("\n", "")) <= set("ab")
        with page.expect_download(timeout=60_000) as info:
            page.locator("#live-download").click()
        path = tmp_path / "model.zip"
        info.value.save_as(path)
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
            z.extractall(tmp_path / "unzipped")
        model = load_model(tmp_path / "unzipped" / "live-lab-model")
        assert model.tokenizer.name == "chars" and set(model.vocab.words) >= {"a", "b", "<eos>"}
        page.locator("#live-try textarea").fill("aaa")
        page.locator("#live-try-go").click()
        page.wait_for_function(
            "() => (document.querySelector('#live-try-out')?.textContent || '').startsWith('aaa')"
        )
