"""What every `lstmlm` subcommand shares: reporting an error, the --model option and loading it, and
checking that an --out folder can be written before any work starts."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from lstmlm.bundled import default_model_dir, resolve_model
from lstmlm.checkpoint import CheckpointError, load_model
from lstmlm.tokenizers import Tokenizer


def fail(message: str, code: int = 2) -> int:
    print(f"lstmlm: error: {message}", file=sys.stderr)
    return code


def add_model_option(p: argparse.ArgumentParser) -> None:
    """--model DIR or NAME, defaulting to the bundled model."""
    p.add_argument(
        "--model",
        default=None,
        help="model directory, or the name of an installed model (`lstmlm models` lists them; "
        f"default: the bundled model, {default_model_dir()})",
    )


def add_model_command(sub, name: str, data: str | None = None, **parser_kwargs) -> argparse.ArgumentParser:
    """The parser of subcommand `name` (`sub.add_parser(name, **parser_kwargs)`) of a command that reads a
    model: its --model option and, when `data` (the option's help) is given, a required --data file."""
    p = sub.add_parser(name, **parser_kwargs)
    add_model_option(p)
    if data is not None:
        p.add_argument("--data", required=True, help=data)
    return p


def model_dir(ns: argparse.Namespace) -> Path:
    """The directory --model names (a path or an installed model's name; none: the default model)."""
    return resolve_model(ns.model)


def load_or_exit(ns: argparse.Namespace):
    """The model of --model; a model that cannot be loaded exits with status 2 and the reason."""
    try:
        return load_model(model_dir(ns))
    except CheckpointError as e:
        hint = ""
        if ns.model and not Path(ns.model).exists() and len(Path(ns.model).parts) == 1:
            hint = "; `lstmlm models` lists the names of the installed models"
        raise SystemExit(fail(f"{e}{hint}")) from None


def file_tokenizer(model, raw: bool) -> Tokenizer | None:
    """How a corpus file is read for this model: as tokenized text split on whitespace (None; WikiText /
    PTB files), or with `raw` as plain text cut by the model's tokenizer; a character model always cuts it
    into characters."""
    tokenizer = model.vocab.tokenizer
    return tokenizer if raw or tokenizer.unit == "character" else None


def read_corpus(
    model, path: str | Path, raw: bool = False, prose_only: bool = False
) -> tuple[list[str], str]:
    """The tokens of the corpus file `path` as `model` reads it (`file_tokenizer`) and "", or no tokens and
    what to print when the file cannot be read (not UTF-8 text: the message names the byte; missing or
    unreadable: the system's reason). `prose_only`: the lines of running text alone (`data.is_prose`)."""
    from lstmlm.data import is_prose, read_tokens  # torch and numpy: only when a command reads a corpus

    try:
        keep = is_prose if prose_only else None
        return read_tokens(path, tokenizer=file_tokenizer(model, raw), keep=keep), ""
    except ValueError as e:  # TextFileError, a ValueError
        return [], str(e)
    except OSError as e:
        return [], f"cannot read {path}: {e.strerror or e}"


def check_writable(out: Path) -> str | None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as e:
        return f"cannot write to --out {out}: {e.strerror or e}"
    return None


LOCK_FILE = ".lstmlm-train.lock"  # in --out; held while a training writes there


@contextmanager
def one_training_per_folder(out: Path, rank: int) -> Iterator[str]:
    """Hold `out/LOCK_FILE` (an OS file lock, released when the process ends, however it ends) for the
    run; yields "" when held, or the message to print when another `lstmlm train` holds it (two runs in one
    folder would mix their best models, resume states and metrics.jsonl). Under torchrun rank 0 holds it."""
    if rank != 0:
        yield ""
        return
    lock = FileLock(out / LOCK_FILE, blocking=False)
    try:
        lock.acquire()
    except Timeout:
        yield (
            f"another lstmlm train is writing to {out} (it holds {out / LOCK_FILE}): wait for it to end, "
            "or give another --out"
        )
        return
    except OSError as e:  # a folder where no lock can be taken: train anyway, as before locks
        print(f"lstmlm: warning: cannot lock {out / LOCK_FILE} ({e.strerror or e})", file=sys.stderr)
        yield ""
        return
    try:
        yield ""
    finally:
        lock.release()
