"""`lstmlm cells`: the cell hunt from the command line. Ranks every unit for every built-in track over a
file (e.g. the validation text), writes the ranking beside the model (MODEL/cell_hunt.json.gz, which the
playground's Cell-hunt view reads) and prints the best units of each track."""

from __future__ import annotations

import argparse
import json
import shlex
import time
from pathlib import Path

from lstmlm.cli.common import add_model_command, fail, load_or_exit, model_dir, read_corpus
from lstmlm.cli.options import in_range


def add_cells_parser(sub) -> None:
    """The `cells` subcommand."""
    p = add_model_command(
        sub,
        "cells",
        help="cell hunt: rank every unit by how well it tracks quotes, brackets, line position... "
        "(written to MODEL/cell_hunt.json.gz)",
        description="Trace a file with the state carried through (--batch-size columns) and score every "
        "unit's cell c and hidden state h against tracks computed from the text: inside double quotes, "
        "parenthesis depth, position in the line, in the word and in the sentence, the first word of a "
        "sentence, and for a character model the line nearing its usual wrap length. Yes/no tracks are "
        "scored by AUC, counts by |Pearson r|. The ranking is written to MODEL/cell_hunt.json.gz, which "
        "the playground's Cell-hunt view shows. Printed layers count from 1, as the playground does; "
        "the --json and saved ranking keep the 0-based layer index.",
    )
    p.add_argument(
        "--data",
        default=None,
        help="text file to hunt over (default: the model's own validation text, as its config.json records "
        "it: --data FOLDER's valid.txt, the --valid file, or the last 10%% of the --train file's lines "
        "that training held out; given again from where the model was trained)",
    )
    p.add_argument("--max-steps", type=in_range(int, 0), default=0, help="use the first N steps (0 = all)")
    p.add_argument("--top", type=in_range(int, 1), default=3, help="best units printed per track (default 3)")
    p.add_argument("--regex", default="", help="also rank units for your own track: this regular expression")
    p.add_argument(
        "--batch-size", type=in_range(int, 1), default=10, help="columns the text is cut into (default 10)"
    )
    p.add_argument("--no-save", action="store_true", help="print only; do not write MODEL/cell_hunt.json.gz")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def recorded_path(path: str | None, directory: Path) -> str | None:
    """A path the model's config.json records, relative to where it was trained; when it is not there but
    the model's folder holds it (a Live Lab download keeps its text beside the model), the one inside."""
    if path is None or Path(path).is_absolute() or Path(path).exists():
        return path
    inside = directory / path
    return str(inside) if inside.exists() else path


def validation_text(model, directory: Path) -> tuple[list[str], str, str]:
    """(tokens, where they come from, "") of the text `model` was validated on while it trained, read
    again from the paths its config.json records (relative to where it was trained, else inside the
    model's folder); or ([], "", what to give instead) when it records none or the file is not here."""
    from lstmlm.data import held_out_tokens

    try:
        training = json.loads((directory / "config.json").read_text(encoding="utf-8")).get("training") or {}
    except (OSError, ValueError):
        training = {}
    data, valid = training.get("data"), training.get("valid")
    if valid is None and "--valid" in shlex.split(training.get("command", "")):  # before "valid" was kept
        words = shlex.split(training["command"])
        valid = words[words.index("--valid") + 1] if words.index("--valid") + 1 < len(words) else None
    give = "give --data FILE (a text the model did not train on)"
    data, valid = recorded_path(data, directory), recorded_path(valid, directory)
    if not data:
        return [], "", f"{directory}'s config.json records no training data: {give}"
    raw = not training.get("pretokenized", False)
    if Path(data).is_dir():
        path = Path(data) / "valid.txt"
        tokens, problem = read_corpus(model, path, raw=raw)
        return tokens, str(path), problem
    if valid is not None:
        tokens, problem = read_corpus(model, valid, raw=raw)
        return tokens, valid, problem and f"{problem} (the model's --valid file): {give}"
    if not Path(data).is_file():
        return [], "", f"the model was trained on {data}, not found from here: {give}"
    try:
        return held_out_tokens(data, model.vocab.tokenizer), f"the last 10% of lines of {data}", ""
    except (OSError, ValueError) as e:
        return [], "", f"cannot read the held-out lines of {data}: {getattr(e, 'strerror', None) or e}"


def cmd_cells(ns: argparse.Namespace) -> int:
    import torch

    from lstmlm.studies.cell_hunt import hunt, hunt_json, save_hunt
    from lstmlm.studies.tracks import REGEX

    model = load_or_exit(ns)
    if ns.data is None:
        tokens, ns.data, problem = validation_text(model, model_dir(ns))
    else:
        tokens, problem = read_corpus(model, ns.data)
    if problem:
        return fail(problem)
    tokens = tokens[: ns.max_steps] if ns.max_steps else tokens
    if len(tokens) < 2 * ns.batch_size:
        return fail(f"{ns.data} has only {len(tokens)} steps: too few for --batch-size {ns.batch_size}")
    start = time.perf_counter()
    try:
        # the columns are traced on as many threads as torch would use (same values, in less time)
        result = hunt(
            model, tokens, regex=ns.regex or None, batch_size=ns.batch_size, workers=torch.get_num_threads()
        )
    except ValueError as e:
        return fail(str(e))
    seconds = time.perf_counter() - start
    data = hunt_json(model, result, source=str(ns.data))
    data["tracks"].pop(REGEX, None)  # the cache holds the built-in tracks only
    path = None
    if not ns.no_save:
        try:
            path = save_hunt(model_dir(ns), data)
        except OSError as e:
            return fail(f"cannot write the ranking into {model_dir(ns)}: {e.strerror or e}", code=1)
    best = {
        name: {"label": r.label, "skipped": r.skipped, "note": r.note,
               "best": [u.to_dict() for u in r.best(ns.top)] if not r.skipped else []}
        for name, r in result.rankings.items()
    }  # fmt: skip
    if ns.json:
        print(json.dumps({"steps": len(result.tokens), "seconds": round(seconds, 3),
                          "written": str(path) if path else None, "tracks": best}))  # fmt: skip
        return 0
    unit = model.vocab.tokenizer.unit
    print(f"Ranked {model.config.num_layers} x {model.config.hidden_dim} units over {len(result.tokens):,} "
          f"{unit}s of {ns.data} in {seconds:.1f} s")  # fmt: skip
    for name, b in best.items():
        print(f"{name}: {b['label']}" + (f" ({b['note']})" if b["note"] else ""))
        if b["skipped"]:
            print(f"  not scored: {b['skipped']}")
        for u in b["best"]:
            if result.rankings[name].kind == "binary":
                how = f"AUC {u['statistic']:.3f} ({u['direction']}er where marked)"
            else:
                how = f"r {u['statistic']:+.3f}"
            print(f"  layer {u['layer'] + 1} {u['signal']} unit {u['unit']}: {how}")  # 1-based, as the app
    if path:
        print(f"Wrote {path}")
    return 0
