"""`lstmlm` command line: the only place that parses arguments or prints."""

from __future__ import annotations

import argparse
import json
import math
import shlex
import sys
from pathlib import Path

from .checkpoint import CheckpointError, default_model_dir, load_model
from .cli_study import add_study_parsers, cmd_gradflow, cmd_probe
from .cli_train import add_train_parser, check_writable, cmd_train, fail


def _model_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model", default=None, help=f"model directory (default: the bundled model, {default_model_dir()})"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lstmlm",
        description="Word-level LSTM language models: train, evaluate, predict, sample and trace every gate.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    add_train_parser(sub)

    p = sub.add_parser(
        "eval",
        help="perplexity of a model on a text file",
        description="Perplexity over a whole file with the standard protocol: the hidden state is carried "
        "through the file, batch size 10, bptt 35; perplexity = exp(mean negative log-likelihood per word, "
        "<eos> included). Also bits per word, words scored and the unknown-word rate. Tokenized files "
        "(WikiText / PTB) are read as they are; use --raw for plain text.",
    )
    _model_arg(p)
    p.add_argument("--data", required=True, help="text file, or a corpus folder (its test.txt is used)")
    p.add_argument("--raw", action="store_true", help="tokenize the file with the free-text tokenizer first")
    p.add_argument("--batch-size", type=int, default=10)
    p.add_argument("--bptt", type=int, default=35)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p = sub.add_parser("next", help="the most likely next words after a prompt")
    _model_arg(p)
    p.add_argument("prompt", help="free text; tokenized the WikiText way")
    p.add_argument("-k", "--top", type=int, default=10, help="how many words to show")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser(
        "sample",
        help="continue a prompt by sampling",
        description="Continue a prompt. Temperature 0 always takes the most likely word.",
    )
    _model_arg(p)
    p.add_argument("prompt", nargs="?", default="", help="free text (empty: start a new paragraph)")
    p.add_argument("-n", "--words", type=int, default=40, help="how many words to generate")
    p.add_argument("--temperature", type=float, default=1.0)
    p.add_argument("--top-k", type=int, default=0, help="sample from the k most likely words only (0 = all)")
    p.add_argument(
        "--top-p", type=float, default=1.0, help="sample from the smallest set holding this much probability"
    )
    p.add_argument("--seed", type=int, default=None, help="same seed, same text (default: random)")
    p.add_argument("--stop-at-eos", action="store_true", help="stop at the end of the line")
    p.add_argument(
        "--json", action="store_true", help="one JSON object with each word's probability and rank"
    )

    p = sub.add_parser(
        "trace",
        help="every gate, cell and hidden state over a prompt",
        description="Trace a prompt: for every layer, the gates i, f, g (candidate), o, the cell c and "
        "hidden h at every word (steps x units), plus the next words. A GRU records its gates r (reset), "
        "z (update), its candidate n and h; a plain RNN its h.",
    )
    _model_arg(p)
    p.add_argument("prompt")
    p.add_argument("-k", "--top", type=int, default=10)
    p.add_argument("--json", action="store_true", help="the full trace as JSON (see README)")

    p = sub.add_parser(
        "import",
        help="turn a PyTorch examples word_language_model state dict into a model directory",
        description="Import a state dict saved by the PyTorch examples word_language_model recipe "
        "(torch.save(model.state_dict(), f)). It is read with weights_only=True: tensors only, never "
        "pickled code. The vocabulary is rebuilt as the recipe builds it, from the corpus folder the model "
        "was trained on (first appearance in train.txt, valid.txt, test.txt). Sizes come from the tensor "
        "shapes. A corpus without <unk> gets one (never predicted) so that any text can be typed.",
    )
    p.add_argument("--state-dict", required=True, help="the .pt file of torch.save(model.state_dict(), f)")
    p.add_argument("--data", required=True, help="the corpus folder it was trained on (train/valid/test.txt)")
    p.add_argument("--out", required=True, help="model directory to write")
    p.add_argument(
        "--cell",
        choices=["lstm", "gru", "rnn_tanh"],
        default=None,
        help="check the cell type (default: read from the shapes; a plain RNN is read as "
        "RNN_TANH, lstmlm has no RNN_RELU)",
    )
    p.add_argument(
        "--tied",
        action="store_true",
        help="check that the decoder shares the encoder's weights (default: tied if equal)",
    )
    p.add_argument("--force", action="store_true", help="replace a model already in --out")

    p = sub.add_parser(
        "index",
        help="build the unit atlas: every unit's top contexts over a corpus file",
        description="Scan a tokenized file (e.g. WikiText-2 valid.txt) with the state carried through "
        "(batch size 10, bptt 35) and keep, for every unit of every layer, the contexts of its highest and "
        "lowest cell c and hidden h. Written to MODEL/atlas.json.gz, which the playground shows.",
    )
    _model_arg(p)
    p.add_argument("--data", required=True, help="tokenized text file (WikiText / PTB layout)")
    p.add_argument("--top", type=int, default=5, help="contexts kept per unit, signal and direction")
    p.add_argument("--max-words", type=int, default=0, help="scan only the first N words (0 = all)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_study_parsers(sub, _model_arg)
    return parser


def cmd_eval(ns: argparse.Namespace) -> int:
    import torch

    from .data import batchify, read_tokens
    from .train import evaluate

    try:
        model = load_model(ns.model)
    except CheckpointError as e:
        return fail(str(e))
    path = Path(ns.data)
    if path.is_dir():
        path = path / "test.txt"
    try:
        tokens = read_tokens(path, raw=ns.raw)
    except (OSError, UnicodeDecodeError) as e:
        return fail(f"cannot read {path}: {e}")
    if ns.batch_size < 1 or ns.bptt < 1:
        return fail("--batch-size and --bptt must be >= 1")
    encoded = model.vocab.encode(tokens)
    ids = torch.tensor(encoded.ids, dtype=torch.long)
    if ids.numel() < 2 * ns.batch_size:
        return fail(f"{path} has only {ids.numel()} words; too few to evaluate")
    loss, count = evaluate(model, batchify(ids, ns.batch_size), ns.bptt)
    unk_id = model.vocab.unk_id
    unknown_rate = sum(1 for i in encoded.ids if i == unk_id) / len(encoded.ids)
    result = {
        "perplexity": math.exp(loss),
        "loss": loss,
        "bits_per_word": loss / math.log(2),
        "tokens": count,
        "unknown_rate": unknown_rate,
        "file": str(path),
        "model": str(ns.model or default_model_dir()),
    }
    if ns.json:
        print(json.dumps(result))
    else:
        print(
            f"{path}: perplexity {result['perplexity']:.2f}  loss {loss:.4f} nats/word  "
            f"{result['bits_per_word']:.3f} bits/word  {count:,} words scored  "
            f"unknown {100 * result['unknown_rate']:.2f}%"
        )
    return 0


def _load(ns: argparse.Namespace):
    try:
        return load_model(ns.model)
    except CheckpointError as e:
        raise SystemExit(fail(str(e))) from None


def cmd_next(ns: argparse.Namespace) -> int:
    from .sampling import advance, start_state, top_words

    model = _load(ns)
    enc = model.vocab.encode_text(ns.prompt)
    log_probs, _ = advance(model, enc.ids, start_state(model)) if enc.ids else (None, None)
    if log_probs is None:
        return fail("the prompt is empty: type a few words")
    nxt = top_words(log_probs, model.vocab, ns.top)
    if ns.json:
        print(
            json.dumps(
                {
                    "tokens": enc.tokens,
                    "unknown": enc.unknown_words,
                    "entropy_bits": nxt.entropy_bits,
                    "next": [{"word": w, "prob": p} for w, p in zip(nxt.words, nxt.probs, strict=False)],
                }
            )
        )
        return 0
    if enc.unknown:
        print(f"unknown words (read as <unk>): {', '.join(enc.unknown_words)}", file=sys.stderr)
    for w, p in zip(nxt.words, nxt.probs, strict=False):
        print(f"{p:8.4f}  {'#' * max(1, round(40 * p))} {w}")
    print(f"entropy {nxt.entropy_bits:.2f} bits")
    return 0


def cmd_sample(ns: argparse.Namespace) -> int:
    from .sampling import generate, make_generator
    from .vocab import detokenize

    model = _load(ns)
    enc = model.vocab.encode_text(ns.prompt)
    try:
        words = list(
            generate(
                model,
                enc.ids,
                ns.words,
                ns.temperature,
                ns.top_k,
                ns.top_p,
                make_generator(ns.seed),
                ns.stop_at_eos,
            )
        )
    except ValueError as e:
        return fail(str(e))
    if ns.json:
        print(
            json.dumps(
                {
                    "prompt_tokens": enc.tokens,
                    "text": detokenize([w.word for w in words]),
                    "words": [w.__dict__ for w in words],
                }
            )
        )
    else:
        print(detokenize(enc.tokens + [w.word for w in words]))
    return 0


# The text table of `lstmlm trace`, per layer: the mean over the units of each of these but the last, whose
# largest |value| closes the row (for the LSTM: mean f, mean i, mean o, |c|max).
TRACE_COLUMNS = {"lstm": ("f", "i", "o", "c"), "gru": ("r", "z", "h"), "rnn_tanh": ("h", "h")}


def cmd_trace(ns: argparse.Namespace) -> int:
    from .sampling import start_state, top_words
    from .trace import trace

    model = _load(ns)
    enc = model.vocab.encode_text(ns.prompt)
    if not enc.ids:
        return fail("the prompt is empty: type a few words")
    tr = trace(model, enc.ids, start_state(model))
    nxt = top_words(tr.log_probs[-1, 0], model.vocab, ns.top)
    if ns.json:
        from .export import trace_dict

        print(json.dumps(trace_dict(tr, enc.tokens, enc.unknown_words, nxt)))
        return 0
    *means, last = TRACE_COLUMNS[tr.cell]
    labels = "  ".join([f"mean {k}" for k in means] + [f"|{last}|max"])
    print(f"{'word':>14}  " + "  ".join(f"L{n} {labels}" for n in range(len(tr.layers))))
    for t, tok in enumerate(enc.tokens):
        cols = []
        for lt in tr.layers:
            stats = [lt.get(k)[t, 0].mean() for k in means] + [lt.get(last)[t, 0].abs().max()]
            cols.append(f"{stats[0]:9.3f}" + "".join(f" {v:7.3f}" for v in stats[1:]))
        print(f"{tok[:14]:>14}  " + "  ".join(cols))
    print("next: " + ", ".join(f"{w} {p:.3f}" for w, p in zip(nxt.words, nxt.probs, strict=False)))
    return 0


def cmd_import(ns: argparse.Namespace) -> int:
    from .checkpoint import CONFIG, save_model
    from .importing import ImportModelError, import_recipe

    out = Path(ns.out)
    if (out / CONFIG).exists() and not ns.force:
        return fail(f"--out {out} already holds a model; choose another folder or add --force to replace it")
    try:
        model, summary = import_recipe(ns.state_dict, ns.data, ns.cell, True if ns.tied else None)
    except ImportModelError as e:
        return fail(str(e))
    if err := check_writable(out):
        return fail(err)
    summary["command"] = "lstmlm " + shlex.join(getattr(ns, "argv", sys.argv[1:]))
    try:
        save_model(out, model, model.vocab, summary)
    except OSError as e:
        return fail(f"cannot write the model to {out}: {e.strerror or e}", code=1)
    c = model.config
    added = " (+ <unk>, which the corpus lacks)" if summary["added_unk"] else ""
    print(
        f"Imported a {c.num_layers}-layer {c.cell.upper()} ({c.embed_dim} -> {c.hidden_dim} units"
        f"{', tied weights' if c.tie_weights else ''}) with {c.vocab_size:,} words{added} into {out}"
    )
    print(f'Try: lstmlm next --model {shlex.quote(str(out))} "The"')
    return 0


def cmd_index(ns: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .atlas import build_atlas, save_atlas
    from .data import read_tokens

    model = _load(ns)
    if model.config.cell != "lstm":
        return fail(f"the atlas shows LSTM cells; this model's cell is {model.config.cell!r}")
    if ns.top < 1 or ns.max_words < 0:
        return fail("--top must be >= 1 and --max-words >= 0")
    try:
        tokens = read_tokens(ns.data)
    except (OSError, UnicodeDecodeError) as e:
        return fail(f"cannot read {ns.data}: {e}")
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
    model_dir = Path(ns.model) if ns.model else default_model_dir()
    try:
        path = save_atlas(model_dir, atlas, source=str(ns.data))
    except OSError as e:
        return fail(f"cannot write the atlas into {model_dir}: {e.strerror or e}", code=1)
    c = model.config
    print(
        f"Wrote {path}: {path.stat().st_size / 1e6:.2f} MB ({c.num_layers} layers x {c.hidden_dim} units, "
        f"top {ns.top} highest and lowest c and h over {atlas['words_scanned']:,} words)"
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
}


def main(argv: list[str] | None = None) -> int:
    ns = build_parser().parse_args(argv)
    ns.argv = sys.argv[1:] if argv is None else list(argv)  # for the training summary
    try:
        return COMMANDS[ns.command](ns)
    except BrokenPipeError:  # `lstmlm trace --json | head` is fine
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
