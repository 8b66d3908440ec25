"""`lstmlm models`: the models installed with the package and in your own folders, and where to put more."""

from __future__ import annotations

import argparse
import json
import math
import os
from pathlib import Path

from lstmlm.bundled import (
    DEFAULT_MODEL,
    MODEL_ENV,
    MODELS_PATH_ENV,
    default_model_dir,
    extra_roots,
    installed_models,
)

HOW_TO_ADD = """Pick one with --model NAME (`lstmlm next --model NAME "The"`, `lstm-playground --model NAME`),
or any model directory with --model DIR (for example one written by `lstmlm train --out DIR`).
To list your own models here, put each model's folder (config.json, vocab.txt, model.safetensors) inside
a folder named in ${env} (several: separated by '{sep}'); a name there shadows a bundled one.
Nothing is downloaded: models come with the package or from your folders."""


def add_models_parser(sub) -> None:
    """The `models` subcommand."""
    p = sub.add_parser(
        "models",
        help="list the installed models and where to put more",
        description="List the models that `--model NAME` can name: the ones bundled with the package and "
        f"those in the folders of ${MODELS_PATH_ENV}. Any model directory also works as `--model DIR`.",
    )
    p.add_argument("--json", action="store_true", help="one JSON object")


def _size_mb(location: str) -> float | None:
    path = Path(location)
    if not path.is_dir():  # inside a zip archive
        return None
    return sum(f.stat().st_size for f in path.iterdir() if f.is_file()) / 1e6


def _shape(config: dict) -> str:
    m = config.get("model", {}) if isinstance(config.get("model"), dict) else {}
    if not m:
        return "?"
    return f"{m.get('cell', 'lstm')} {m.get('num_layers', '?')}x{m.get('hidden_dim', '?')}"


def cmd_models(ns: argparse.Namespace) -> int:
    models = installed_models()
    default = default_model_dir()
    rows = []
    for m in models:
        test_ppl = m.config.get("training", {}).get("test_perplexity") if m.config else None
        rows.append(
            {
                "name": m.name,
                "default": Path(m.location) == default,
                "model": _shape(m.config),
                "vocab_size": m.config.get("model", {}).get("vocab_size"),
                "test_perplexity": test_ppl,
                "tokenizer": (m.config or {}).get("tokenizer", "wikitext"),
                "size_mb": _size_mb(m.location),
                "origin": m.origin,
                "location": m.location,
            }
        )
    roots = [str(r) for r in extra_roots()]
    if ns.json:
        print(
            json.dumps(
                {"default": str(default), "default_name": DEFAULT_MODEL, "models": rows, "models_path": roots}
            )
        )
        return 0
    if rows:
        # the test figure as the field gives it: perplexity for words, bits per character for characters
        print(f"{'':2}{'name':<22}{'model':<14}{'vocab':>8}{'test':>12}{'size':>10}  where")
        for r in rows:
            ppl = "-"
            if isinstance(r["test_perplexity"], (int, float)) and r["test_perplexity"] > 0:
                value = r["test_perplexity"]
                ppl = f"{math.log2(value):.3f} bpc" if r["tokenizer"] == "chars" else f"{value:.2f} ppl"
            size = f"{r['size_mb']:.1f} MB" if r["size_mb"] is not None else "-"
            vocab = f"{r['vocab_size']:,}" if isinstance(r["vocab_size"], int) else "?"
            mark = "* " if r["default"] else "  "
            print(f"{mark}{r['name']:<22}{r['model']:<14}{vocab:>8}{ppl:>12}{size:>10}  {r['location']}")
    else:
        print("No models are installed (this package was built without assets/models).")
    if not any(r["default"] for r in rows):
        print(f"default: {default}" + ("" if default.exists() else " (missing)"))
    else:
        print("* the default (used when no --model is given)")
    if os.environ.get(MODEL_ENV):
        print(f"${MODEL_ENV} sets the default to {os.environ[MODEL_ENV]}")
    print()
    print(HOW_TO_ADD.format(env=MODELS_PATH_ENV, sep=os.pathsep))
    if roots:
        missing = [str(r) for r in extra_roots() if not r.is_dir()]
        print(f"${MODELS_PATH_ENV} now: {os.pathsep.join(roots)}", end="")
        print(f" (missing: {', '.join(missing)})" if missing else "")
    else:
        print(f"${MODELS_PATH_ENV} is not set.")
    return 0
