"""The model hub: every model one server offers, each a whole app under its own path, chosen per browser.

The default model's app is the one `launch()` serves at `/`; every other model's app lives under
`/m/<key>/` on the same server, built the first time someone opens it (so start-up stays as fast as with one
model) and mounted by `HubRouter`, an ASGI middleware in front of the default app. A browser picks a model by
opening its path, so two people on one server can look at two models, and a shared link carries the model.

Models are loaded once per folder (and config.json save) and shared read-only by every app that shows them
(the Compare line-ups included). The hub knows: the bundled models, the `--model` folders given at launch
(the first is the default) and models registered while the server runs (an uploaded model, a Live Lab
model), of which it keeps the newest `MAX_REGISTERED`; an older one's page then says it was closed.

For other modules (the Live Lab tab): `register(model_dir, label) -> "/m/<key>/"`, `HUB_URL_JS`, the
front-end function that gives such a path's address, and `OPEN_JS`, which opens it in the same browser tab
(or in the new one `PRE_OPEN_JS` opened); those three are written in hub_js.py.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lstmlm.bundled import bundled_model_dirs
from lstmlm.checkpoint import load_model
from lstmlm.model import LanguageModel

# the front-end functions live in hub_js.py; imported from here too (old import path)
from playground.hub_js import HUB_URL_JS, OPEN_JS, PRE_OPEN_JS  # noqa: F401
from playground.server.hub_apps import PREFIX, HubBuildError, Mounted, building, close_mounted, serve_app
from playground.server.hub_router import HubRouter
from playground.server.model_upload import UPLOAD_LIMIT
from playground.server.serve import QueueLimits, queue_kwargs
from playground.views.model_info import ModelInfo, read_info

MAX_REGISTERED = 8  # run-time models (uploads, Live Lab) kept; the oldest is dropped for a ninth
KEY = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


class HubUnavailable(RuntimeError):
    """No hub serves this process (an app built without one, as in most tests)."""


@dataclass
class Entry:
    """One model the hub offers."""

    info: ModelInfo
    folder: Path
    owned: bool = False  # the hub made the folder (an upload): removed when the entry is dropped


def slug(text: str) -> str:
    """A URL-safe key from a name: a-z, 0-9, '.', '_' and '-' (at most 64 characters; 'model' if none)."""
    key = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")[:64]
    return key or "model"


class ModelHub:
    """The models of one server and their apps (see the module docstring). Thread-safe: handlers register
    from worker threads, apps are built from the server's event loop."""

    def __init__(
        self,
        default_dir: str | Path,
        extra_dirs: Sequence[str | Path] = (),
        compare_dirs: Sequence[str | Path] | None = None,
        *,
        bundled: bool = True,
        queue_limits: QueueLimits | None = None,
        max_registered: int = MAX_REGISTERED,
    ) -> None:
        """`default_dir` is served at `/`; `extra_dirs` (the other --model folders) and, with `bundled`,
        every bundled model are offered under /m/<key>/. `compare_dirs` are the Compare line-up of every
        app (None: the bundled models). Nothing is loaded here but config.json files."""
        self.compare_dirs = list(bundled_model_dirs() if compare_dirs is None else compare_dirs)
        self.queue_limits = queue_limits or QueueLimits()
        self.max_registered = max_registered
        self.mount_kwargs: dict = {}  # auth, root_path...: what launch() was given, for every mounted app
        self._lock = threading.RLock()
        self._build_lock = threading.Lock()  # gradio builds one Blocks at a time (global render context)
        self._entries: dict[str, Entry] = {}
        self._registered: list[str] = []  # run-time keys, oldest first
        self._models: dict[tuple[str, int], LanguageModel] = {}
        self._mounted: dict[str, Mounted] = {}
        self._building: dict[str, asyncio.Future] = {}  # apps being built: their Mounted when ready
        self._tasks: set[asyncio.Task] = set()  # each mounted app's task (kept: the loop holds weak refs)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tmp: Path | None = None
        self._serial = 0
        self.default_key = self._add(Path(default_dir), "launch", None)
        for folder in extra_dirs:
            self._add(Path(folder), "launch", None)
        if bundled:
            for folder in bundled_model_dirs():
                self._add(folder, "bundled", None)

    # ---- what the hub offers

    def _add(self, folder: Path, origin: str, label: str | None, owned: bool = False) -> str:
        """Enter `folder` under a new key (its name, made unique); a folder already entered keeps its key."""
        resolved = folder.resolve()
        with self._lock:
            for key, entry in self._entries.items():
                if origin in ("launch", "bundled") and entry.folder.resolve() == resolved:
                    return key
            base = slug(label or folder.name)
            key, n = base, 1
            while key in self._entries:
                n += 1
                key = f"{base}-{n}"
            path = "/" if not self._entries else f"{PREFIX}{key}/"
            info = read_info(folder, key=key, path=path, label=label or folder.name, origin=origin)
            self._entries[key] = Entry(info, folder, owned)
            return key

    def infos(self) -> list[ModelInfo]:
        """Every model offered, the default first, in the order they were entered."""
        with self._lock:
            return [e.info for e in self._entries.values()]

    def entry(self, key: str) -> Entry | None:
        with self._lock:
            return self._entries.get(key)

    def temp_dir(self) -> Path:
        """This server's folder for uploaded models (removed when the hub closes)."""
        with self._lock:
            if self._tmp is None:
                self._tmp = Path(tempfile.mkdtemp(prefix="lstm-playground-models-"))
            return self._tmp

    # ---- models, loaded once

    def load(self, folder: str | Path) -> LanguageModel:
        """The model in `folder`, loaded once per folder and save (config.json's mtime) and shared read-only.
        Raises lstmlm.checkpoint.CheckpointError when it does not load."""
        folder = Path(folder).resolve()
        try:
            stamp = (folder / "config.json").stat().st_mtime_ns
        except OSError:
            stamp = 0  # load_model says what is missing
        with self._lock:
            model = self._models.get((str(folder), stamp))
        if model is None:
            model = load_model(folder)
            with self._lock:
                model = self._models.setdefault((str(folder), stamp), model)
        return model

    # ---- run-time models

    def register(self, model_dir: str | Path, label: str, *, origin: str = "lab", owned: bool = False) -> str:
        """Offer the model in `model_dir` under a new key and return its path, "/m/<key>/" (relative to the
        server's root; open it with OPEN_JS). The model is loaded now, so a folder that does not load raises
        lstmlm.checkpoint.CheckpointError and registers nothing. Keeps the newest `max_registered` run-time
        models: the oldest is dropped (its page then says so; a folder the hub made is removed)."""
        self.load(model_dir)
        key = self._add(Path(model_dir), origin, label, owned)
        dropped = []
        with self._lock:
            self._registered.append(key)
            while len(self._registered) > self.max_registered:
                dropped.append(self._registered.pop(0))
        for old in dropped:
            self._drop(old)
        return self._entries[key].info.path

    def _drop(self, key: str) -> None:
        with self._lock:
            entry = self._entries.pop(key, None)
            mounted = self._mounted.pop(key, None)
            if entry is not None:
                folder = entry.folder.resolve()
                for k in [k for k in self._models if k[0] == str(folder)]:
                    del self._models[k]
        if mounted is not None:
            close_mounted(mounted, self._loop)
        if entry is not None and entry.owned:
            shutil.rmtree(entry.folder, ignore_errors=True)

    # ---- apps (built and mounted by server/hub_apps.py)

    def build_default(self):
        """The default model's app (the one `launch()` serves at `/`), with the picker."""
        return self.build_blocks(self.default_key)

    def build_blocks(self, key: str):
        """The app (gr.Blocks, queued) of the model entered under `key`, built by one thread at a time."""
        from playground.app import build_app  # here, not at the top: app.py imports this module

        entry = self._entries[key]
        model = self.load(entry.folder)
        with self._build_lock, building():
            own = entry.info.origin == "launch"  # the lesson steps a model misfits: said for these only
            demo = build_app(model, entry.folder, self.compare_dirs, hub=self, key=key, say_misfits=own)
        demo.queue(**queue_kwargs(self.queue_limits))
        return demo

    async def mounted(self, key: str, root_app) -> Mounted | None:
        """The running app of `key`, built and started on first use; None when the hub has no such model.
        Called on the server's event loop; raises HubBuildError when the app cannot be built. A request
        that goes away while the app is built does not stop the build (the next one finds it ready)."""
        loop = self._loop = asyncio.get_running_loop()
        with self._lock:
            if key in self._mounted:
                return self._mounted[key]
            if key not in self._entries:
                return None
            ready = self._building.get(key)
            if ready is None:
                ready = self._building[key] = loop.create_future()
                task = loop.create_task(serve_app(self, key, root_app, ready))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        try:
            app = await asyncio.shield(ready)
        except HubBuildError:
            with self._lock:
                if self._building.get(key) is ready:
                    del self._building[key]  # the next visit tries again
            raise
        with self._lock:
            if self._building.get(key) is ready:
                del self._building[key]
            if key not in self._entries:  # dropped while it was built
                close_mounted(app, self._loop)
                return None
            self._mounted[key] = app
        return app

    def launch_kwargs(self, **given) -> dict:
        """`demo.launch()` arguments for the default app: the app's style (app.launch_kwargs), the upload
        limit, the router that serves /m/<key>/, and `given` (auth, root_path...: kept for the other apps)."""
        from starlette.middleware import Middleware

        from playground.app import launch_kwargs  # here, not at the top: app.py imports this module

        self.mount_kwargs = {k: given[k] for k in ("auth", "auth_message", "root_path") if given.get(k)}
        kwargs = launch_kwargs() | {"max_file_size": UPLOAD_LIMIT}
        kwargs["app_kwargs"]["middleware"].insert(0, Middleware(HubRouter, hub=self))
        return kwargs | given

    def close(self) -> None:
        """Stop every mounted app and remove the uploaded models' folder."""
        with self._lock:
            mounted, self._mounted = list(self._mounted.values()), {}
        for app in mounted:
            close_mounted(app, self._loop)
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)


_ACTIVE: ModelHub | None = None


def activate(hub: ModelHub | None) -> None:
    """Make `hub` the one `register()` and the picker's endpoints use (None: none)."""
    global _ACTIVE
    _ACTIVE = hub


def active() -> ModelHub | None:
    """The hub of this process, or None (an app built without one)."""
    return _ACTIVE


def register(model_dir: str | Path, label: str) -> str:
    """Offer the model saved in `model_dir` in every view: returns its path "/m/<key>/" (relative to the
    server's root; bind `OPEN_JS` to a `.then` with that path as input to open it in the same tab).
    Raises HubUnavailable when no hub serves this process, lstmlm.checkpoint.CheckpointError when the folder
    does not hold a loadable model. The hub keeps the newest MAX_REGISTERED run-time models."""
    hub = _ACTIVE
    if hub is None:
        raise HubUnavailable("this playground was started without a model hub: open the model with --model")
    return hub.register(model_dir, label)
