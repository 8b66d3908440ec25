"""What the browser tests share: Debian's chromium with its flags, the app served on a free port, a page
opened on it, and screenshots small enough for the README.

The screenshots go to a temporary folder with the tiny test model (as in CI); with
`LSTM_PLAYGROUND_SCREENSHOT_MODEL=DIR` the tests run on that model and write the README's to
assets/screenshots/.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import pytest
from conftest import launch_app

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MODEL_ENV = "LSTM_PLAYGROUND_SCREENSHOT_MODEL"
README_SHOTS = Path(__file__).resolve().parent.parent / "assets" / "screenshots"
CLIPBOARD = ["clipboard-read", "clipboard-write"]


def skip_start(context) -> None:
    """Mark Start here as skipped in this browser context, as a returning visitor who pressed "Skip" has it:
    the app then opens on Next word (a first visit opens Start here: playground/views/start.py)."""
    from playground.views.start import DISMISSED

    context.add_init_script(f"try {{ localStorage.setItem('{DISMISSED}', '1'); }} catch (e) {{}}")


def shots_dir(tmp_path_factory) -> Path:
    """Where screenshots go: the README's folder with a screenshot model, else a temporary one."""
    return README_SHOTS if os.environ.get(MODEL_ENV) else tmp_path_factory.mktemp("screenshots")


@contextmanager
def serve(model, **build_kwargs) -> Iterator[str]:
    """Build the playground for `model`, launch it on a free port and yield its URL; close it after.

    Skips the test first when chromium is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium); .ci/run installs it")
    from playground.app import build_app

    demo = build_app(model, **build_kwargs)
    url = launch_app(demo)
    try:
        yield url
    finally:
        demo.close()


@contextmanager
def serve_hub(default, others=(), **hub_kwargs) -> Iterator[tuple]:
    """A model hub over the model directories `default` and `others` (no bundled or Compare models unless
    `hub_kwargs` say so), activated, its default app launched on a free port: yields (hub, URL); all closed
    after. Skips the test first when chromium is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium); .ci/run installs it")
    from playground import hub as hub_module

    hub = hub_module.ModelHub(default, list(others), **({"compare_dirs": [], "bundled": False} | hub_kwargs))
    hub_module.activate(hub)
    demo = hub.build_default()
    try:
        yield hub, launch_app(demo, **hub.launch_kwargs())
    finally:
        hub_module.activate(None)
        hub.close()
        demo.close()


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Debian chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def new_page(
    browser: Browser,
    shots: Path | None = None,
    timeout_ms: int = 30_000,
    record_outside: bool = False,
    first_visit: bool = False,
    **context_kwargs,
) -> Page:
    """A 1500x1000 page in its own context (`context_kwargs`: permissions, locale, accept_downloads...).

    `page.shots` is the screenshot folder; with `record_outside`, `page.outside` lists every request that
    tried to leave this computer. Unless `first_visit`, Start here is marked skipped (`skip_start`), so
    the app opens on Next word as the tests expect."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, **context_kwargs)
    if not first_visit:
        skip_start(context)
    pg = context.new_page()
    pg.shots = shots
    watch_calls(pg)
    if record_outside:
        pg.outside = []
        pg.on(
            "request",
            lambda r: (
                pg.outside.append(r.url)
                if urlparse(r.url).hostname not in ("127.0.0.1", "localhost", None)
                and r.url.startswith("http")
                else None
            ),
        )
    pg.set_default_timeout(timeout_ms)
    return pg


@contextmanager
def open_page(url: str, shots: Path | None = None, **page_kwargs) -> Iterator[Page]:
    """A fresh chromium with one `new_page` (same options) at `url`."""
    with chromium() as browser:
        pg = new_page(browser, shots, **page_kwargs)
        pg.goto(url)
        yield pg


# an event of the app in flight: gradio shows its status tracker (idle ones carry the class "hide"; so do
# those of events with show_progress="hidden", which only the calls they send give away)
BUSY = (
    "() => [...document.querySelectorAll('[data-testid=status-tracker]')]"
    ".some(e => !e.classList.contains('hide'))"
)
BACKEND_CALLS = ("/gradio_api/queue/join", "/gradio_api/run/predict")  # queued and unqueued event calls


def is_backend_call(url: str) -> bool:
    """A request that runs one of the app's listeners on the server (not the event stream, not a file)."""
    return urlparse(url).path.endswith(BACKEND_CALLS)


def watch_calls(pg: Page) -> None:
    """Record on `pg` when it last sent a call that runs a listener on the server (`pg.last_call`), for
    `settled`; new_page does this for its pages."""
    if not hasattr(pg, "last_call"):
        pg.last_call = 0.0

        def seen(request) -> None:
            if is_backend_call(request.url):
                pg.last_call = time.monotonic()

        pg.on("request", seen)


def settled(
    pg: Page,
    expression: str,
    arg=None,
    quiet_ms: int = 700,
    after_call_ms: int = 1500,
    timeout_ms: int = 20_000,
):
    """The value of the JS `expression` (called with `arg`) once the page has settled: no gradio status
    tracker showing, the same value read for `quiet_ms` (a redraw, a plotly relayout or a smooth scroll
    changes it) and no call to the server for `after_call_ms` (an event whose progress is hidden shows no
    tracker: its answer may still be on its way). Waits for what it can see instead of a fixed time; past
    `timeout_ms` it returns the last value (the assertions that follow say what is wrong)."""
    watch_calls(pg)  # for a page made elsewhere: from now on
    pg.wait_for_timeout(200)  # the click's event reaches the page's client
    deadline = time.monotonic() + timeout_ms / 1000
    last, since = None, None
    while True:
        busy = pg.evaluate(BUSY)
        value = pg.evaluate(expression, arg)
        now = time.monotonic()
        if busy or since is None or value != last:
            last, since = value, now
        elif (now - since) * 1000 >= quiet_ms and (now - pg.last_call) * 1000 >= after_call_ms:
            return value
        if now > deadline:
            return value
        pg.wait_for_timeout(150)


def shot(pg: Page, name: str, full_page: bool = False) -> None:
    """Screenshot the page to `pg.shots`/NAME.png, once plotly has settled, in 256 colours."""
    path = pg.shots / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    pg.wait_for_timeout(400)  # let plotly finish its transitions
    pg.screenshot(path=str(path), full_page=full_page)
    _quantize(path, max_bytes=300_000)


def element_shot(pg: Page, selector: str, name: str) -> None:
    """Screenshot one element alone (the README shows some plots by themselves) to `pg.shots`/NAME.png."""
    path = pg.shots / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    pg.locator(selector).screenshot(path=str(path))
    _quantize(path, max_bytes=200_000)


def _quantize(path: Path, max_bytes: int) -> None:
    # 256 colours keep a README screenshot small and look the same
    from PIL import Image

    Image.open(path).convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)
    assert path.stat().st_size < max_bytes, f"{path} is {path.stat().st_size} bytes"
