"""`lstmlm gradflow` and `lstmlm probe`: the studies the Compare and Gradient-flow views show, from the
command line (the averaged gradient flow is written beside the model, where the playground finds it)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from lstmlm.cli.common import add_model_command, fail, load_or_exit, model_dir, read_corpus
from lstmlm.cli.options import in_range
from lstmlm.studies.probe_texts import TEXTS, probe_texts_for


def add_study_parsers(sub) -> None:
    """The `gradflow` and `probe` subcommands."""
    p = add_model_command(
        sub,
        "gradflow",
        data="tokenized text file, e.g. WikiText-2 valid.txt",
        help="average the gradient flow over held-out snippets (written to MODEL/gradient_flow.json)",
        description="For SNIPPETS windows of LENGTH tokens (words, or characters for a character model) "
        "spread evenly over a file, the norm of the gradient of log p(last token) with respect to each "
        "earlier token's embedding, by distance; "
        "the median, mean and 10/90% quantiles over the windows go to MODEL/gradient_flow.json, which "
        "the playground's Gradient-flow view plots.",
    )
    p.add_argument(
        "--snippets", type=in_range(int, 1), default=200, help="windows to average over (default 200)"
    )
    p.add_argument("--length", type=in_range(int, 2), default=100, help="tokens per window (default 100)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p = add_model_command(
        sub,
        "probe",
        help="long-range probes: does the model remember an open bracket, a quote, a subject's number?",
    )
    p.add_argument("name", nargs="?", default="all", help="parenthesis, quote, agreement or all (default)")
    p.add_argument(
        "--filler",
        choices=["auto", *TEXTS],
        default="auto",
        help="the words the probes are made of: auto (default) picks the set written like the model's "
        "training text, as its config.json records it (storybooks, wikitext, or neutral for anything "
        "else), as the Compare view does; or name a set",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def cmd_gradflow(ns: argparse.Namespace) -> int:
    from tqdm import tqdm

    from lstmlm.studies.gradflow import average_flow, decay_per_word, save_flow

    model = load_or_exit(ns)
    tokens, problem = read_corpus(model, ns.data)
    if problem:
        return fail(problem)
    bar = tqdm(total=ns.snippets, desc="gradient flow", unit="snippet", disable=ns.json, dynamic_ncols=True)
    try:
        flow = average_flow(
            model,
            model.vocab.encode(tokens).ids,
            ns.snippets,
            ns.length,
            source="/".join(Path(ns.data).parts[-2:]),  # its folder and name: wikitext-2/valid.txt
            progress=lambda done, total: bar.update(done - bar.n),
        )
    except ValueError as e:
        return fail(f"{ns.data}: {e}")
    finally:
        bar.close()
    directory = model_dir(ns)
    try:
        path = save_flow(directory, flow)
    except OSError as e:
        return fail(f"cannot write into {directory}: {e.strerror or e}", code=1)
    factor = decay_per_word(flow.distance, flow.median)
    if ns.json:
        print(json.dumps({"path": str(path), "decay_per_word": factor, "median": flow.median}))
    else:
        picks = [d for d in (1, 2, 5, 10, 20, 50, 99) if d <= len(flow.distance)]
        print("distance  " + "  ".join(f"{d:>8}" for d in picks))
        print("median    " + "  ".join(f"{flow.median[d - 1]:8.2e}" for d in picks))
        unit = model.vocab.tokenizer.unit
        print(f"decay per {unit} back (5-50 {unit}s, fitted): x{factor:.4f}")  # the JSON key keeps "word"
        print(f"written to {path}")
    return 0


def cmd_probe(ns: argparse.Namespace) -> int:
    from lstmlm.studies.probes import PROBES, run_probe

    names = list(PROBES) if ns.name == "all" else [ns.name]
    if any(n not in PROBES for n in names):
        return fail(f"unknown probe {ns.name!r}: choose one of {', '.join(PROBES)} or all")
    model = load_or_exit(ns)
    # the filler the Compare view would use for this model (`probe_texts_for`), unless --filler names one
    texts = probe_texts_for(model.info) if ns.filler == "auto" else TEXTS[ns.filler]
    try:
        results = [run_probe(model, n, texts) for n in names]
    except ValueError as e:  # a character model, or a vocabulary without the probed words
        return fail(f"{model_dir(ns)}: {e}")
    if ns.json:
        print(
            json.dumps(
                [
                    {"probe": r.probe, "corpus": texts.corpus, "distance": r.distance, "bits": r.bits}
                    for r in results
                ]
            )
        )
        return 0
    how = "chosen from the model's training data" if ns.filler == "auto" else "chosen with --filler"
    print(f"filler: {texts.corpus} ({how})")
    noun = texts.nouns[0][0]  # the agreement probe's first subject; PROBES' question names WikiText's
    for r in results:
        print(f"{PROBES[r.probe].title}: {PROBES[r.probe].question.replace('player', noun)}")
        print("  words between  " + "  ".join(f"{d:>6}" for d in r.distance))
        print("  bits           " + "  ".join(f"{b:+6.2f}" for b in r.bits))
    return 0
