"""`lstmlm` command line: with the other modules of lstmlm/cli/, the only place that parses arguments or
prints.

This module stays light (no torch) so that `main` is running before the seconds it takes to import torch:
a Ctrl-C at any moment of any subcommand, loading included, ends with one line, never a traceback. The
parser and the subcommands are in `cli.commands`.
"""

from __future__ import annotations

import sys

INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a command stopped by Ctrl-C


def main(argv: list[str] | None = None) -> int:
    """The `lstmlm` command: parse `argv` (default: the command line), run it, return the exit status."""
    try:
        from lstmlm.cli.commands import run  # imports torch: seconds on a slow machine

        return run(argv)
    except KeyboardInterrupt:
        # Every file lstmlm writes (a model, an atlas, a cache) is staged and renamed into place, and a
        # training run saves its own resumable state before it gets here, so nothing is half-written.
        print(
            "lstmlm: interrupted (Ctrl-C) before the command finished; no file was left half-written, "
            "run the command again to finish it",
            file=sys.stderr,
        )
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
