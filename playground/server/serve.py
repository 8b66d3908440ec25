"""How the app is served: queue limits, who may connect (host, password) and the warning when it is
exposed. Plain functions (no gradio import), so the launcher's decisions are testable without a server.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import importlib.util
import ipaddress
import os
import socket
import sys
from dataclasses import dataclass

AUTH_ENV = "LSTM_PLAYGROUND_AUTH"  # USER:PASSWORD, read when --auth is not given
LOOPBACK_NAMES = ("localhost",)


@dataclass
class QueueLimits:
    """How many requests wait and run at once; beyond `max_size` a caller is told the app is busy."""

    max_size: int = 64  # waiting requests, all endpoints together: ~2 per student of a class of 30
    concurrency: int = 2  # requests computed at once per listener group (one per CPU core on a laptop)
    # seconds between "your place in the queue" updates; Gradio's "auto" sends one to every waiting
    # request each time any request starts: ~30 messages per request with a class of 30 waiting
    status_every_s: float = 1.0


def queue_kwargs(limits: QueueLimits | None = None) -> dict:
    """Arguments for `demo.queue()`: a bounded queue, so overload answers "busy" (HTTP 503) at once
    instead of letting requests wait until the browser gives up."""
    limits = limits or QueueLimits()
    return {
        "max_size": limits.max_size,
        "default_concurrency_limit": limits.concurrency,
        "status_update_rate": limits.status_every_s,
    }


# Settings read from the environment by libraries the server uses, set before they start (unless set):
SERVER_ENV = {
    # Gradio recomputes its request statistics (a DataFrame of every recorded event, up to 10,000) after
    # every request by default: ~5-10 ms of CPU each under load. Nothing here shows them.
    "GRADIO_ANALYTICS_MAX_EVENTS": "1000",
    "GRADIO_ANALYTICS_CACHE_FREQUENCY": "1000",
    # oneDNN keeps a fused-LSTM plan for each prompt length it has read (24+ words), up to 1,024 of them:
    # ~1 MB each with the bundled model, 260 MB once every length up to 300 was read. A miss costs ~1-3 ms.
    "ONEDNN_PRIMITIVE_CACHE_CAPACITY": "16",
}
# glibc gives each busy thread its own heap (up to 8 per core) and keeps what was freed there. With two
# heaps a class of 30 levels off ~45 MB above the warmed-up server instead of ~85 MB, at the same speed
# (tests/benchmarks/classroom_load.py). glibc's own mmap threshold stays: a fixed 128 KB one saves another
# ~40 MB but makes a 100-word trace ~12 ms (~25%) slower (every 133 KB distribution is then a new mmap).
MALLOC_ARENA_MAX = 2


def server_env_defaults(environ: dict | None = None) -> None:
    """Put SERVER_ENV in the environment where not already set (before gradio's queue and torch start)."""
    environ = os.environ if environ is None else environ
    for name, value in SERVER_ENV.items():
        environ.setdefault(name, value)


def tune_malloc(environ: dict | None = None) -> bool:
    """At most MALLOC_ARENA_MAX glibc heaps for this process (mallopt), unless MALLOC_ARENA_MAX is in the
    environment; False where there is no glibc (macOS, Windows, musl)."""
    environ = os.environ if environ is None else environ
    if "MALLOC_ARENA_MAX" in environ:
        return True  # the person's choice; glibc read it at start
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    m_arena_max = -8  # from glibc's malloc.h
    return mallopt(m_arena_max, MALLOC_ARENA_MAX) == 1


# Optional libraries Gradio tries to import on every call when they are not installed: `import matplotlib`
# (gradio.utils.MatplotlibBackendMananger, around every event) searched every folder of sys.path anew on each
# request, ~0.3 ms of the event loop's time per call under load (py-spy). Python caches only imports that
# succeeded; a None in sys.modules makes the failing ones fail at once, as documented for the import system.
ABSENT_EACH_CALL = ("matplotlib",)


def remember_absent(names: tuple[str, ...] = ABSENT_EACH_CALL, modules: dict | None = None) -> list[str]:
    """Mark each of `names` that is not installed as absent in `modules` (sys.modules), so importing it
    fails at once (ImportError, as before) instead of searching sys.path again; installed ones are left
    alone. Returns the names marked."""
    modules = sys.modules if modules is None else modules
    marked = []
    for name in names:
        if name not in modules and importlib.util.find_spec(name) is None:
            modules[name] = None
            marked.append(name)
    return marked


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """'USER:PASSWORD' -> (user, password); None or '' -> None; ValueError saying the expected form."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user.strip() or not password:
        raise ValueError("--auth must look like USER:PASSWORD (both parts non-empty), e.g. teacher:secret")
    return user.strip(), password


def resolve_auth(cli_value: str | None, environ: dict | None = None) -> tuple[str, str] | None:
    """The login from --auth, else from the LSTM_PLAYGROUND_AUTH environment variable, else None."""
    environ = os.environ if environ is None else environ
    return parse_auth(cli_value if cli_value else environ.get(AUTH_ENV))


def is_loopback(host: str) -> bool:
    """True when `host` only accepts connections from this computer (127.x.x.x, ::1, localhost)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to a public address


def exposure_warning(host: str, auth: tuple[str, str] | None, share: bool) -> str | None:
    """A warning to print at start when others can reach the app without a password; None when safe."""
    if auth is not None:
        return None
    if share:
        return (
            "WARNING: --share opens a public gradio.live link that anyone who has it can use, and no "
            "password is set. Add --auth USER:PASSWORD (or set LSTM_PLAYGROUND_AUTH)."
        )
    if not is_loopback(host):
        return (
            f"WARNING: listening on {host}: every computer that can reach this one can use the playground, "
            "and no password is set. Add --auth USER:PASSWORD (or set LSTM_PLAYGROUND_AUTH), or use "
            "--host 127.0.0.1 to keep it on this computer."
        )
    return None


def _bind_error(host: str, port: int) -> OSError | None:
    """The error binding (host, port) gives now, as the server would bind (SO_REUSEADDR); None if free."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        return OSError(errno.EADDRNOTAVAIL, e.strerror or str(e))
    for family, kind, proto, _, address in infos[:1]:
        with socket.socket(family, kind, proto) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(address)
            except OSError as e:
                return e
    return None


def port_in_use_message(host: str, port: int) -> str:
    """What to say when another program listens on `port`: which port, and a free one to pass to --port."""
    free = next((p for p in range(port + 1, min(port + 50, 65536)) if _bind_error(host, p) is None), None)
    suggestion = f"lstm-playground --port {free}" if free else "lstm-playground --port N"
    return (
        f"port {port} on {host} is already in use (another lstm-playground, or another program, is "
        f"listening there). Stop that program, or choose another port: {suggestion}"
    )


def port_problem(host: str, port: int) -> str | None:
    """Why the playground cannot listen on `host`:`port` (a message that says what to change), or None.

    Checked before the model is loaded, so a taken port is reported at once, not after a traceback."""
    if not 1 <= port <= 65535:
        return f"--port {port}: give a port number from 1 to 65535 (default 7860)."
    error = _bind_error(host, port)
    if error is None:
        return None
    if error.errno == errno.EADDRINUSE:
        return port_in_use_message(host, port)
    if error.errno == errno.EACCES:
        return (
            f"port {port} on {host}: permission denied (ports below 1024 need administrator rights). "
            "Choose another port with --port, e.g. --port 7860."
        )
    return (
        f"cannot listen on {host}:{port} ({error.strerror or error}). Check --host (an address of this "
        "computer, e.g. 127.0.0.1 or 0.0.0.0) and --port."
    )
