"""Building and mounting one model's app for the hub: the app built in a worker thread (`building` keeps
other threads' components out of it), made an ASGI app for /m/<key>/ (`mount_app`) and served for its whole
life in one task of the server's event loop (`serve_app`). `playground.hub.ModelHub` decides which model is
offered and calls these; `hub_router.HubRouter` sends each request to its app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from dataclasses import dataclass

from playground.server.model_upload import UPLOAD_LIMIT

PREFIX = "/m/"  # a model's app lives under /m/<key>/

_guard_installed = False


@contextlib.contextmanager
def building():
    """While this thread builds an app, components that other threads create (a handler returning
    `gr.Dropdown(choices=...)` as an update) stay out of it: gradio keeps the Blocks being built in a
    process-wide variable, so without this they would be rendered into the new app's layout."""
    global _guard_installed
    from gradio.blocks import Block
    from gradio.context import LocalContext

    with _GUARD_LOCK:
        if not _guard_installed:
            render = Block.render

            def guarded_render(self):
                owner = _GUARD_OWNER[0]
                if (
                    owner is not None
                    and owner != threading.get_ident()
                    and not LocalContext.renderable.get(None)
                ):
                    return self  # built elsewhere for an update: never part of a layout
                return render(self)

            Block.render = guarded_render
            _guard_installed = True
    _GUARD_OWNER[0] = threading.get_ident()
    try:
        yield
    finally:
        _GUARD_OWNER[0] = None


_GUARD_LOCK = threading.Lock()
_GUARD_OWNER: list[int | None] = [None]  # the thread building an app (builds are serialized)


class HubBuildError(RuntimeError):
    """A model's app could not be built (its folder no longer loads); the message says why."""


@dataclass
class Mounted:
    """A built app under /m/<key>/: the Blocks, its ASGI app and what its start-up opened."""

    blocks: object  # gr.Blocks
    asgi: object  # gradio's App (a FastAPI app)
    closed: asyncio.Event | None = None  # set to end the app's lifespan (made on the server's loop)


def mount_app(hub, key: str, root_app) -> Mounted:
    """Build the app of `key` (`hub.build_blocks`, a ModelHub) and make it an ASGI app for /m/<key>/ (in a
    worker thread: ~2 s), with what launch() was given (`hub.mount_kwargs`) and the default app's login."""
    import fastapi
    import gradio as gr

    # here, not at the top: app.py imports playground.hub, which serves these apps (an import circle)
    from playground.app import launch_kwargs

    blocks = hub.build_blocks(key)
    styled = launch_kwargs()
    blocks.state_session_capacity = styled["state_session_capacity"]
    kwargs = dict(hub.mount_kwargs)
    root_path = kwargs.pop("root_path", None) or getattr(root_app, "root_path", "") or ""
    holder = fastapi.FastAPI()
    gr.mount_gradio_app(
        holder,
        blocks,
        path=f"{PREFIX}{key}",
        root_path=f"{root_path}{PREFIX}{key}" if root_path else None,
        app_kwargs=styled["app_kwargs"],
        max_file_size=UPLOAD_LIMIT,
        **{k: styled[k] for k in ("theme", "css", "footer_links", "i18n", "head")},
        **kwargs,
    )
    asgi = holder.routes[-1].app
    if hasattr(root_app, "tokens"):  # one login for every model: the default app's cookie and tokens
        asgi.cookie_id, asgi.tokens = root_app.cookie_id, root_app.tokens
    return Mounted(blocks, asgi)


async def serve_app(hub, key: str, root_app, ready: asyncio.Future) -> None:
    """One model's app for its whole life, in one task: built in a worker thread (~2 s), its start-up
    (queue, session sweeper) run on this loop, then held until the hub closes or drops it."""
    import anyio

    try:
        app = await anyio.to_thread.run_sync(mount_app, hub, key, root_app)
        app.closed = asyncio.Event()
        async with app.asgi.router.lifespan_context(app.asgi):
            app.blocks.run_startup_events()  # its queue starts on this loop, as launch() starts /'s
            await app.blocks.run_extra_startup_events()
            ready.set_result(app)
            await app.closed.wait()
    except Exception as e:  # noqa: BLE001 - a folder that stopped loading: the page says why
        logging.getLogger(__name__).warning("cannot build the app of %s", key, exc_info=True)
        if not ready.done():
            ready.set_exception(HubBuildError(f"the model {key!r} cannot be opened: {e}"))


def close_mounted(mounted: Mounted, loop: asyncio.AbstractEventLoop | None) -> None:
    """Stop a mounted app: its queue's workers, and its task (on the server's `loop`) leaves its lifespan."""
    mounted.blocks._queue.close()  # its workers stop; its sessions go with the app
    mounted.blocks.is_running = False
    if mounted.closed is not None and loop is not None and not loop.is_closed():
        loop.call_soon_threadsafe(mounted.closed.set)  # its task leaves the app's lifespan
