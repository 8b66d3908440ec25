"""The `lstmlm` parser, its subcommands' table and `run`, which `lstmlm.cli.main` calls once torch may load.

Each subcommand lives with its options: `train` in `cli.train` (a run's settings in `cli.train_settings`),
`next` / `sample` / `trace` in `cli.inspect`, `gradflow` / `probe` in `cli.study`, `cells` in `cli.cells`,
`models` in `cli.models`, `import` in `cli.import_model`; `eval` and `index` are here.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from lstmlm.checkpoint import CheckpointError, load_model
from lstmlm.cli.cells import add_cells_parser, cmd_cells
from lstmlm.cli.common import add_model_command, fail, load_or_exit, model_dir, read_corpus
from lstmlm.cli.import_model import add_import_parser, cmd_import
from lstmlm.cli.inspect import add_inspect_parsers, cmd_next, cmd_sample, cmd_trace
from lstmlm.cli.models import add_models_parser, cmd_models
from lstmlm.cli.options import in_range
from lstmlm.cli.study import add_study_parsers, cmd_gradflow, cmd_probe
from lstmlm.cli.train import add_train_parser, cmd_train
from lstmlm.tokenizers import TextFileError
from lstmlm.vocab import UnknownTokenError


def build_parser() -> argparse.ArgumentParser:
    """The `lstmlm` parser with every subcommand's options."""
    parser = argparse.ArgumentParser(
        prog="lstmlm",
        description="LSTM language models of words or characters (the tokenizer a model was trained "
        "with, recorded in its config.json): train, evaluate, predict, sample and trace every gate.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    add_train_parser(sub)

    p = add_model_command(
        sub,
        "eval",
        data="text file, or a corpus folder (its test.txt is used)",
        help="perplexity of a model on a text file",
        description="Perplexity over a whole file with the standard protocol: the hidden state is carried "
        "through the file, batch size 10, bptt 35; perplexity = exp(mean negative log-likelihood per word, "
        "<eos> included). Also bits per word (per character for a character model), words scored and the "
        "unknown-word rate, and the setting it "
        "was computed with. Tokenized files (WikiText / PTB) are read as they are; use --raw for plain text.",
    )
    p.add_argument(
        "--raw",
        action="store_true",
        help="plain text: cut it with the model's tokenizer first (a character model always reads it so)",
    )
    p.add_argument("--batch-size", type=in_range(int, 1), default=10, help="columns (default 10; >= 1)")
    p.add_argument("--bptt", type=in_range(int, 1), default=35, help="steps per window (default 35; >= 1)")
    p.add_argument(
        "--check-stability",
        action="store_true",
        help="also give each column's perplexity (each column is read from a zero state) and the whole "
        "file at batch size 1 (or 10 when --batch-size is 1): a model that reads long texts stably gives "
        "about the same figure either way",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_inspect_parsers(sub)

    add_import_parser(sub)

    p = add_model_command(
        sub,
        "index",
        data="tokenized text file (WikiText / PTB layout)",
        help="build the unit atlas: every unit's top contexts over a corpus file",
        description="Scan a tokenized file (e.g. WikiText-2 valid.txt) with the state carried through "
        "(batch size 10, bptt 35) and keep, for every unit of every layer, the contexts of its highest and "
        "lowest cell c and hidden h. Written to MODEL/atlas.json.gz, which the playground shows.",
    )
    p.add_argument(
        "--top", type=in_range(int, 1), default=5, help="contexts kept per unit, signal and direction (>= 1)"
    )
    p.add_argument(
        "--raw",
        action="store_true",
        help="plain text: cut it with the model's tokenizer first (a character model always reads it so)",
    )
    p.add_argument(
        "--prose-only",
        action="store_true",
        help="scan only the lines of running text: at least 8 words, mostly lower case (leaves out title "
        "pages, copyright lines, headings, tables of contents and markers such as [Illustration])",
    )
    p.add_argument(
        "--max-words", type=in_range(int, 0), default=0, help="scan only the first N tokens (0 = all)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_study_parsers(sub)
    add_cells_parser(sub)
    add_models_parser(sub)
    return parser


def cmd_eval(ns: argparse.Namespace) -> int:
    """`lstmlm eval`: a model's perplexity over a file, with the setting it was computed with."""
    import torch

    from lstmlm.data import batchify
    from lstmlm.training.loop import evaluate

    try:  # returned, not raised: main() gives eval's status back to its caller
        model = load_model(model_dir(ns))
    except CheckpointError as e:
        return fail(str(e))
    path = Path(ns.data)
    if path.is_dir():
        path = path / "test.txt"
    tokens, problem = read_corpus(model, path, ns.raw)
    if problem:
        return fail(problem)
    if ns.batch_size < 1 or ns.bptt < 1:
        return fail("--batch-size and --bptt must be >= 1")
    try:
        encoded = model.vocab.encode(tokens)
    except UnknownTokenError as e:
        return fail(f"{path}: {e}")
    ids = torch.tensor(encoded.ids, dtype=torch.long)
    if ids.numel() < 2 * ns.batch_size:  # each column needs an input and its target
        unit, most = model.vocab.tokenizer.unit, ids.numel() // 2
        fix = f" with --batch-size {ns.batch_size}: give --batch-size {most} or less" if most >= 1 else ""
        return fail(f"{path} has only {ids.numel()} {unit}s; too few to evaluate{fix}")
    loss, count = evaluate(model, batchify(ids, ns.batch_size), ns.bptt)
    unknown_rate = _unknown_share(encoded.ids, model.vocab.unk_id)
    raw_rate = None if ns.raw else _unknown_rate_if_raw(model, path, unknown_rate)
    unit = model.vocab.tokenizer.unit  # "word" or "character": a character model's figures are per character
    result = {
        "perplexity": math.exp(loss),
        "loss": loss,
        f"bits_per_{unit}": loss / math.log(2),
        **({"nats_per_character": loss} if unit == "character" else {}),
        "unit": unit,
        "tokens": count,
        "unknown_rate": unknown_rate,
        **({"unknown_rate_with_raw": raw_rate} if raw_rate is not None else {}),
        "file": str(path),
        "model": str(model_dir(ns)),
        # how the figure was computed: it can depend on it (see the README, "how the text is cut")
        "setting": {
            "batch_size": ns.batch_size,
            "bptt": ns.bptt,
            f"{unit}s_scored": count,
            f"column_{unit}s": ids.numel() // ns.batch_size,
            "state_carried": True,
        },
    }
    if ns.check_stability:
        from lstmlm.training.stability import check_stability

        result["stability"] = check_stability(model, ids, ns.batch_size, ns.bptt)
    if ns.json:
        print(json.dumps(result))
        return 0
    print(
        f"{path}: perplexity {result['perplexity']:.2f}  loss {loss:.4f} nats/{unit}  "
        f"{result[f'bits_per_{unit}']:.3f} bits/{unit}  {count:,} {unit}s scored  "
        f"unknown {100 * result['unknown_rate']:.2f}%"
    )
    print(
        f"  computed with batch size {ns.batch_size} ({ns.batch_size} columns of "
        f"{result['setting'][f'column_{unit}s']:,} {unit}s, each read from a zero state), bptt {ns.bptt}, "
        "the state carried through each column"
    )
    if ns.check_stability:
        print(_stability_lines(result["stability"], unit))
    if raw_rate is not None:
        print(
            f"  hint: {100 * unknown_rate:.1f}% of the {unit}s are unknown read as tokenized text (split at "
            f"spaces only, as WikiText is); read as plain text (--raw: the model's tokenizer separates "
            f"punctuation) {100 * raw_rate:.1f}% would be. Is {path.name} plain text? Then add --raw."
        )
    return 0


def _unknown_share(ids: list[int], unk_id: int | None) -> float:
    """The share of `ids` (non-empty) that are `unk_id`."""
    return sum(1 for i in ids if i == unk_id) / len(ids)


def _unknown_rate_if_raw(model, path: Path, unknown_rate: float) -> float | None:
    """The share of unknown tokens in `path` read with --raw, when that is at most half of
    `unknown_rate` (read without it) and 2 points lower: plain text read as tokenized text, where
    "cat," and "end." are unknown words. None otherwise (and for a vocabulary without <unk>)."""
    if unknown_rate < 0.02:
        return None
    tokens, problem = read_corpus(model, path, True)
    if problem or not tokens:
        return None
    try:
        ids = model.vocab.encode(tokens).ids
    except UnknownTokenError:
        return None
    rate = _unknown_share(ids, model.vocab.unk_id)
    return rate if rate <= unknown_rate / 2 and unknown_rate - rate >= 0.02 else None


def _stability_lines(s: dict, unit: str = "word") -> str:
    """`--check-stability` in words: the column spread and the other batch size's figure (`unit`: what one
    step reads, "word" or "character")."""
    columns = s["columns"]
    low, high = (
        min(range(len(columns)), key=columns.__getitem__),
        max(range(len(columns)), key=columns.__getitem__),
    )
    diff = 100 * s["relative_difference"]
    verdict = "stable" if abs(diff) <= 2 else "NOT stable: the figure depends on how the text is cut"
    lines = [
        f"  per column ({len(columns)} x {s['column_words']:,} {unit}s): perplexity {columns[low]:.2f} "
        f"(column {low + 1}) to {columns[high]:.2f} (column {high + 1}), max/min {s['spread']:.2f}",
        f"  batch size {s['other_batch_size']}: perplexity {s['other_perplexity']:.2f} "
        f"({diff:+.1f}% against batch size {s['batch_size']}): {verdict}",
    ]
    if len(columns) > 1:
        lines.insert(1, "  columns: " + " ".join(f"{p:.1f}" for p in columns))
    return "\n".join(lines)


def cmd_index(ns: argparse.Namespace) -> int:
    """`lstmlm index`: the unit atlas (every unit's top contexts over a file), saved beside the model."""
    from tqdm import tqdm

    from lstmlm.studies.atlas import build_atlas, save_atlas

    model = load_or_exit(ns)
    if model.config.cell != "lstm":
        return fail(f"the atlas shows LSTM cells; this model's cell is {model.config.cell!r}")
    tokens, problem = read_corpus(model, ns.data, ns.raw, ns.prose_only)
    if problem:
        return fail(problem)
    if not tokens:
        return fail(f"{ns.data}: no {'running text' if ns.prose_only else 'text'} to scan")
    tokens = tokens[: ns.max_words] if ns.max_words else tokens
    bar = tqdm(desc="indexing", unit="step", disable=ns.quiet, dynamic_ncols=True)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        atlas = build_atlas(model, tokens, top=ns.top, progress=progress)
    except ValueError as e:
        return fail(f"{ns.data}: {e}")
    finally:
        bar.close()
    directory = model_dir(ns)
    try:
        path = save_atlas(directory, dict(atlas, prose_only=ns.prose_only), source=str(ns.data))
    except OSError as e:
        return fail(f"cannot write the atlas into {directory}: {e.strerror or e}", code=1)
    c = model.config
    print(
        f"Wrote {path}: {path.stat().st_size / 1e6:.2f} MB ({c.num_layers} layers x {c.hidden_dim} units, "
        f"top {ns.top} highest and lowest c and h over {atlas['words_scanned']:,} "
        f"{model.vocab.tokenizer.unit}s)"
    )
    return 0


COMMANDS = {
    "train": cmd_train,
    "eval": cmd_eval,
    "next": cmd_next,
    "sample": cmd_sample,
    "trace": cmd_trace,
    "import": cmd_import,
    "index": cmd_index,
    "gradflow": cmd_gradflow,
    "probe": cmd_probe,
    "models": cmd_models,
    "cells": cmd_cells,
}


def run(argv: list[str] | None = None) -> int:
    """Parse `argv` (default: the command line) and run its subcommand; returns the exit status."""
    ns = build_parser().parse_args(argv)
    ns.argv = sys.argv[1:] if argv is None else list(argv)  # for the training summary
    try:
        return COMMANDS[ns.command](ns)
    except (UnknownTokenError, TextFileError) as e:  # a word a <unk>-less model lacks; a non-UTF-8 file
        return fail(str(e))
    except BrokenPipeError:  # `lstmlm trace --json | head` is fine
        sys.stderr.close()
        return 0
