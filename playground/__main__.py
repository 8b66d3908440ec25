"""`lstm-playground` / `python -m playground`: serve the playground on http://127.0.0.1:7860."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from playground.server.serve import (
    AUTH_ENV,
    QueueLimits,
    exposure_warning,
    port_in_use_message,
    port_problem,
    remember_absent,
    resolve_auth,
    server_env_defaults,
    tune_malloc,
)

# the server's requests run this many steps of `nice` below its Live Lab trainings (Linux). Measured with
# tests/benchmarks/lab_under_load.py (20 clients, idle 2-core machine; README's benchmark table): the
# training's speed under load against alone 0.60-0.74 at 0, 0.82-0.87 at 2, 0.89-0.95 at 5, the clients'
# p95 latency about the same at 0 and 2 and ~1.3x at 5
REQUEST_NICE = 2

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _offline_env() -> None:
    """No analytics or telemetry; loopback bypasses any HTTP proxy (gradio calls itself at start)."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    for name in ("NO_PROXY", "no_proxy"):
        current = [h for h in os.environ.get(name, "").split(",") if h]
        os.environ[name] = ",".join(current + [h for h in LOOPBACK if h not in current])


def check_root_path(value: str | None) -> str | None:
    """The --root-path as Gradio wants it: "/lstm" (leading slash, no trailing one) or a full http(s) URL;
    None leaves Gradio's default (the GRADIO_ROOT_PATH environment variable, else none).
    Raises ValueError for anything else."""
    if value is None:
        return None
    value = value.strip()
    if value.startswith(("http://", "https://")):
        return value.rstrip("/")
    if not value.startswith("/") or any(c in value for c in " ?#\\"):
        raise ValueError(f"--root-path {value!r}: give the path the proxy serves the app under, e.g. /lstm")
    return value.rstrip("/")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from lstmlm.bundled import default_model_dir

    p = argparse.ArgumentParser(prog="lstm-playground", description=__doc__)
    p.add_argument(
        "--model",
        action="append",
        default=None,
        metavar="DIR|NAME",
        help="model directory, or the name of an installed model (`lstmlm models` lists them; "
        f"default: the bundled model, {default_model_dir()}). Repeat it to offer several: the first "
        "is served at /, each other one (and every bundled model) under /m/<name>/ and in the model list "
        "at the top of the page",
    )
    p.add_argument(
        "--compare",
        type=Path,
        nargs="*",
        default=None,
        metavar="DIR",
        help="models the Compare and Gradient-flow views put beside it (default: the other bundled models, "
        "the GRU and the plain RNN; give no DIR to compare none)",
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this computer only)"
    )
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument(
        "--root-path",
        default=None,
        metavar="PATH",
        help="the path a reverse proxy serves the app under, e.g. /lstm (default: none, or the "
        "GRADIO_ROOT_PATH environment variable); see the README's nginx example",
    )
    p.add_argument(
        "--auth",
        default=None,
        metavar="USER:PASSWORD",
        help=f"ask for this login before anything is shown (default: the {AUTH_ENV} environment variable)",
    )
    p.add_argument(
        "--share", action="store_true", help="also open a public gradio.live link (off by default)"
    )
    p.add_argument(
        "--max-queue",
        type=int,
        default=QueueLimits.max_size,
        metavar="N",
        help=f"requests that may wait; more are told the app is busy (default {QueueLimits.max_size})",
    )
    p.add_argument(
        "--show-all-words",
        action="store_true",
        help="research use: show and sample the words of the classroom list (lstmlm/wordlists/"
        "hidden_words.txt); by default they are masked in sampling and shown as '(hidden word)'",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="CPU threads one computation may use (default 1, so that requests run side by side)",
    )
    p.add_argument(
        "--lab-trainings",
        type=int,
        default=None,
        metavar="N",
        help="Live Lab trainings that run at once; more wait in a queue that shows each its place "
        "(default: one per two CPU cores)",
    )
    p.add_argument(
        "--request-nice",
        type=int,
        default=REQUEST_NICE,
        metavar="N",
        help="Linux: the server's requests run N steps of `nice` below its Live Lab trainings, so that a "
        "training keeps its core while a class uses the rest (0..19; 0: equal priority; default "
        f"{REQUEST_NICE})",
    )
    return p.parse_args(argv)


class StartError(Exception):
    """A setting or a model that stops the server from starting; main() prints it and exits with 2."""


def check_settings(args: argparse.Namespace) -> tuple:
    """The settings that need no model, checked in this order (the process's environment is set on the
    way): (auth, root path). StartError says what is wrong."""
    try:
        auth = resolve_auth(args.auth)
    except ValueError as e:
        raise StartError(str(e)) from None
    _offline_env()
    server_env_defaults()
    tune_malloc()  # before the server's threads start: they take their heaps on first use
    remember_absent()  # optional libraries gradio imports on every call
    if args.lab_trainings is not None:
        from playground.server.live_jobs import configure as configure_lab

        try:
            configure_lab(args.lab_trainings)
        except ValueError as e:
            raise StartError(str(e)) from None
    if not 0 <= args.request_nice <= 19:
        raise StartError(f"--request-nice must be between 0 and 19, got {args.request_nice}")
    problem = port_problem(args.host, args.port)  # before the model loads: say it at once
    if problem:
        raise StartError(problem)
    try:
        return auth, check_root_path(args.root_path)
    except ValueError as e:
        raise StartError(str(e)) from None


def open_hub(args: argparse.Namespace):
    """The ModelHub of the --model folders (the first is the default, loaded now) and the Compare
    line-up. StartError for a folder that holds no model or a model that does not load."""
    from lstmlm.bundled import resolve_model
    from lstmlm.checkpoint import CheckpointError
    from playground.hub import ModelHub
    from playground.views.lineup import bundled_dirs

    given = args.model or [None]
    model_dir = resolve_model(given[0])
    extra_dirs = [resolve_model(m) for m in given[1:]]
    if args.model is None and not model_dir.exists():
        raise StartError(
            f"the bundled model is not at {model_dir}.\n"
            "Pass a model directory with --model DIR (for example one written by `lstmlm train --out DIR`)."
        )
    for extra in extra_dirs:  # read when first opened; a folder without a model is said now
        if not (extra / "config.json").is_file():
            raise StartError(f"--model {extra}: no config.json there (not a model directory)")
    compare_dirs = bundled_dirs() if args.compare is None else args.compare
    hub = ModelHub(
        model_dir, extra_dirs, compare_dirs, queue_limits=QueueLimits(max_size=max(1, args.max_queue))
    )
    try:
        hub.load(model_dir)
    except CheckpointError as e:
        raise StartError(f"cannot load the model: {e}") from None
    return hub


def _as_ctrl_c(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def stop_on_sigterm() -> tuple[bool, object]:
    """Make SIGTERM (`kill`, a service manager's stop) end the server as Ctrl+C does: (whether it was set,
    the handler it replaces, to restore; not set off the main thread, where Python cannot set one). Python's
    own answer to SIGTERM ends the process at once, skipping the exit hooks that stop the Live Lab's
    trainings and remove their folders."""
    if threading.current_thread() is not threading.main_thread():
        return False, None
    previous = signal.signal(signal.SIGTERM, _as_ctrl_c)
    return True, signal.SIG_DFL if previous is None else previous  # None: one set outside Python


def main(argv: list[str] | None = None) -> int:
    """Load the model, build the app and serve it until Ctrl+C."""
    args = parse_args(argv)
    try:
        auth, root_path = check_settings(args)
        hub = open_hub(args)
    except StartError as e:
        print(f"lstm-playground: {e}", file=sys.stderr)
        return 2
    import torch

    from lstmlm.safewords import set_show_all_words
    from playground.hub import activate

    torch.set_num_threads(max(1, args.threads))
    from playground.server.live_worker import lower_request_priority, start_forkserver

    if args.request_nice:
        start_forkserver()  # at full priority, importing torch beside the app's build: trainings keep it
    set_show_all_words(args.show_all_words)  # process-wide, before any request: every model, every view
    if args.show_all_words:
        print("lstm-playground: --show-all-words: the classroom word filter is off", file=sys.stderr)
    activate(hub)  # register() (uploads, the Live Lab) adds models to it
    demo = hub.build_default()  # the other models' apps are built when first opened
    warning = exposure_warning(args.host, auth, args.share)
    if warning:
        print(warning, file=sys.stderr)
    where = f" (served under {root_path}/ by your reverse proxy)" if root_path else ""
    print(f"LSTM Playground on http://{args.host}:{args.port}{where} (Ctrl+C to stop)")
    lower_request_priority(args.request_nice)  # just before the web server starts its threads
    was_set, previous = stop_on_sigterm()
    try:
        demo.launch(
            server_name=args.host,
            server_port=args.port,
            share=args.share,  # a public link only when asked
            **hub.launch_kwargs(auth=auth, root_path=root_path),
        )
    except OSError as e:  # the port was taken between the check above and now
        if "port" not in str(e).lower():
            raise
        print(f"lstm-playground: {port_in_use_message(args.host, args.port)}", file=sys.stderr)
        return 2
    finally:
        if was_set:
            signal.signal(signal.SIGTERM, previous)
        activate(None)
        hub.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
