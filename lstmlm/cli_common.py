"""What every `lstmlm` subcommand shares: reporting an error, the --model option and loading it, and
checking that an --out folder can be written before any work starts."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .checkpoint import CheckpointError, default_model_dir, load_model


def fail(message: str, code: int = 2) -> int:
    print(f"lstmlm: error: {message}", file=sys.stderr)
    return code


def add_model_option(p: argparse.ArgumentParser) -> None:
    """--model DIR, defaulting to the bundled model."""
    p.add_argument(
        "--model", default=None, help=f"model directory (default: the bundled model, {default_model_dir()})"
    )


def load_or_exit(ns: argparse.Namespace):
    """The model of --model; a model that cannot be loaded exits with status 2 and the reason."""
    try:
        return load_model(ns.model)
    except CheckpointError as e:
        raise SystemExit(fail(str(e))) from None


def check_writable(out: Path) -> str | None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as e:
        return f"cannot write to --out {out}: {e.strerror or e}"
    return None
