"""How the app is served: queue limits, who may connect (host, password) and the warning when it is
exposed. Plain functions (no gradio import), so the launcher's decisions are testable without a server.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

AUTH_ENV = "LSTM_PLAYGROUND_AUTH"  # USER:PASSWORD, read when --auth is not given
LOOPBACK_NAMES = ("localhost",)


@dataclass
class QueueLimits:
    """How many requests wait and run at once; beyond `max_size` a caller is told the app is busy."""

    max_size: int = 64  # waiting requests, all endpoints together: ~2 per student of a class of 30
    concurrency: int = 2  # requests computed at once per listener group (one per CPU core on a laptop)


def queue_kwargs(limits: QueueLimits | None = None) -> dict:
    """Arguments for `demo.queue()`: a bounded queue, so overload answers "busy" (HTTP 503) at once
    instead of letting requests wait until the browser gives up."""
    limits = limits or QueueLimits()
    return {"max_size": limits.max_size, "default_concurrency_limit": limits.concurrency}


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
