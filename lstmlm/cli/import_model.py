"""`lstmlm import`: another framework's model file -> an lstmlm model directory (see lstmlm.importing)."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from lstmlm.cli.common import fail
from lstmlm.cli.options import in_range


def add_import_parser(sub) -> None:
    """The `import` subcommand and its options."""
    p = sub.add_parser(
        "import",
        help="turn a Keras, TensorFlow.js or PyTorch recurrent language model into a model directory",
        description="Import a recurrent language model exactly: a Keras 3 .keras file, a Keras 2 .h5 file, a "
        "TensorFlow.js model.json (with its .bin shards beside it), or a PyTorch state dict (the PyTorch "
        "examples word_language_model recipe, course char-RNNs with one-hot input, d2l models; LSTM, GRU or "
        "plain RNN, 1-3 layers, a linear output layer). The format is read from the file. Nothing in the "
        "file is run: PyTorch files are read with weights_only=True, Keras files with h5py (pip install "
        "'lstm-playground[import]'). What nn.LSTM / nn.GRU / nn.RNN cannot compute exactly (bidirectional, "
        "projections, hard_sigmoid gates, ...) is refused with the reason. The vocabulary comes from the "
        "checkpoint when it holds one; otherwise give it.",
    )
    p.add_argument("source", nargs="?", help="the model file (or a TF.js model folder)")
    p.add_argument("--state-dict", help="same as SOURCE (the recipe's .pt file)")
    p.add_argument("--out", required=True, help="model directory to write")
    p.add_argument(
        "--vocab",
        help="the token list: JSON (a list, {token: id} or {id: token}) or text (one token per line)",
    )
    p.add_argument(
        "--chars-from",
        help="a text file whose sorted set of characters is the vocabulary (as the Keras and TensorFlow "
        "text-generation examples build it: sorted(set(text)))",
    )
    p.add_argument(
        "--data", help="the recipe's corpus folder: its vocabulary is rebuilt from train/valid/test.txt"
    )
    p.add_argument(
        "--tokenizer",
        choices=["wikitext", "whitespace", "chars"],
        default=None,
        help="how prompts are split into tokens (default: chars when every token is one character, "
        "whitespace otherwise; whitespace for --data)",
    )
    p.add_argument(
        "--cell",
        choices=["lstm", "gru", "rnn_tanh", "rnn_relu"],
        default=None,
        help="a plain RNN's nonlinearity, which its weights do not tell (the recipe's --model RNN_TANH / "
        "RNN_RELU); for other cells, a check (default: read from the file)",
    )
    p.add_argument(
        "--tied",
        action="store_true",
        help="check that the output layer shares the embedding's weights (default: tied if equal)",
    )
    p.add_argument(
        "--reference",
        help="an .npz of your framework's own outputs on a probe text (np.savez(f, ids=..., probs=..., "
        "text=...); the README's snippets make it): the import is certified against it, or refused",
    )
    p.add_argument(
        "--tolerance",
        type=in_range(float, 0, 1, low_open=True),
        default=None,
        help="the largest difference in a probability accepted against --reference (default 1e-4)",
    )
    p.add_argument("--force", action="store_true", help="replace a model already in --out")


def cmd_import(ns: argparse.Namespace) -> int:
    """Import, certify against --reference, save (nothing half-written), and say what was imported.

    Exit 2 for a file or option that cannot be imported, 1 when the model differs from --reference or
    cannot be written; nothing is saved in either case.
    """
    from lstmlm.importing import ImportModelError, import_file, out_problem, save_imported
    from lstmlm.importing.certificate import CertificateError

    source = ns.source or ns.state_dict
    if not source or (ns.source and ns.state_dict):
        return fail("give the model file once: lstmlm import FILE --out DIR (or --state-dict FILE)")
    out = Path(ns.out)
    if problem := out_problem(out, ns.force):
        return fail(problem)
    try:
        result = import_file(
            source,
            vocab_file=ns.vocab,
            chars_from=ns.chars_from,
            corpus_dir=ns.data,
            cell=ns.cell,
            tied=True if ns.tied else None,
            tokenizer=ns.tokenizer,
            reference=ns.reference,
            tolerance=ns.tolerance,
        )
    except CertificateError as e:
        return fail(f"refused: {e}", code=1)
    except ImportModelError as e:
        return fail(str(e))
    command = "lstmlm " + shlex.join(getattr(ns, "argv", sys.argv[1:]))
    try:
        save_imported(result, out, force=ns.force, command=command)
    except ImportModelError as e:
        return fail(str(e), code=1)
    model, summary = result.model, result.summary
    c = model.config
    unit = "characters" if result.tokenizer == "chars" else "words"
    added = " (+ <unk>, which the vocabulary lacks)" if summary["added_unk"] else ""
    source_in = "one-hot" if summary["one_hot_input"] else f"{c.embed_dim}-d embedding"
    print(
        f"Imported a {c.num_layers}-layer {c.cell.upper()} ({source_in} -> {c.hidden_dim} units"
        f"{', tied weights' if c.tie_weights else ''}) with {c.vocab_size - summary['added_unk']:,} {unit}"
        f"{added} into {out}"
    )
    print(f"Read: {summary['format']}; vocabulary: {summary['vocabulary']}; tokenizer: {result.tokenizer}")
    for note in summary.get("notes", []):
        print(f"Note: {note}")
    if cert := summary.get("certificate"):
        checked = "; its text reads as the same ids" if cert["text_checked"] else ""
        print(
            f"Certificate: exact to {cert['max_abs_diff']:.2g} against {cert['reference']} (the largest "
            f"difference in a probability over {cert['distributions']} distribution(s) of "
            f"{cert['probe_tokens']} probe tokens{checked}); stored in config.json"
        )
    else:
        print(
            "Not verified against your framework's own outputs: add --reference REF.npz (the README's "
            "'Open your own model' gives the three-line snippet that writes it)"
        )
    known = set(model.vocab.words)
    prompt = next(
        (p for p in ("The", "the") if set(model.tokenizer.tokenize(p)) <= known), model.vocab.words[0]
    )
    print(f"Try: lstmlm next --model {shlex.quote(str(out))} {shlex.quote(prompt)}")
    return 0
