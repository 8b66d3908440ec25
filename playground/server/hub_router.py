"""The hub's ASGI middleware: /m/<key>/... goes to that model's app (built on first use by the hub), the
rest to the default app (see playground/hub.py)."""

from __future__ import annotations

import html

from playground.server.hub_apps import PREFIX, HubBuildError

NOT_HERE = """<!doctype html><html><head><meta charset="utf-8"><title>Model not open</title></head>
<body style="font: 20px system-ui, sans-serif; margin: 40px;"><h1>This model is not open on this server</h1>
<p>It may have been closed: the server keeps the {n} most recently opened models (uploads and Live Lab
models), and forgets all of them when it restarts.</p><p><a href="{home}">Open the playground's default
model</a> and choose a model in the list at the top, or open your model file again.</p></body></html>"""


FAILED = """<!doctype html><html><head><meta charset="utf-8"><title>Model not opened</title></head>
<body style="font: 20px system-ui, sans-serif; margin: 40px;"><h1>This model could not be opened</h1>
<p>{message}</p><p><a href="{home}">Open the playground's default model</a>.</p></body></html>"""


class HubRouter:
    """ASGI middleware: /m/<key>/... goes to that model's app (built on first use), the rest to the default
    app. /m/<key> gains its trailing slash; /m/<default key>/ is the default app at /."""

    def __init__(self, app, hub) -> None:  # hub: the playground.hub.ModelHub it serves
        self.app, self.hub = app, hub

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        root_path = scope.get("root_path", "")
        path = scope["path"]
        route = path[len(root_path) :] if root_path and path.startswith(root_path) else path
        if not route.startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        key, slash, _ = route[len(PREFIX) :].partition("/")
        query = scope.get("query_string", b"").decode("latin-1")
        query = f"?{query}" if query else ""
        rest = route[len(PREFIX) + len(key) :]
        if scope["type"] == "http" and (not slash or (key == self.hub.default_key and rest == "/")):
            target = f"{key}/{query}" if not slash else f"../../{query}"  # relative: right behind a proxy
            await respond(send, 307, b"", [(b"location", target.encode("latin-1"))])
            return
        if key == self.hub.default_key:  # the default app's own requests, made under this path
            await self.app(
                dict(scope, path=root_path + rest, raw_path=(root_path + rest).encode()), receive, send
            )
            return
        try:
            app = await self.hub.mounted(key, scope.get("app"))
        except HubBuildError as e:
            if scope["type"] == "http":
                page = FAILED.format(message=html.escape(str(e)), home=f"{root_path}/").encode()
                await respond(send, 500, page, [(b"content-type", b"text/html; charset=utf-8")])
            return
        if app is None:
            if scope["type"] == "http":
                page = NOT_HERE.format(n=self.hub.max_registered, home=f"{root_path}/").encode()
                await respond(send, 404, page, [(b"content-type", b"text/html; charset=utf-8")])
            return
        mount = f"{root_path}{PREFIX}{key}"  # the path holds its root path (as Starlette's Mount makes it),
        # also when a proxy stripped the root path from the request (--root-path)
        child = dict(scope, root_path=mount, app_root_path=root_path, path=mount + rest)
        await app.asgi(dict(child, raw_path=(mount + rest).encode()), receive, send)


async def respond(send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    """Send a whole HTTP response: `status`, `headers` (its length added) and `body`."""
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
