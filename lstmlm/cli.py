"""`lstmlm` command line: the only place that parses arguments or prints."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import shlex
import signal
import sys
from pathlib import Path

from .checkpoint import CheckpointError, default_model_dir, load_model
from .model import ModelConfig
from .train import TrainConfig

# `lstmlm train` defaults to the bundled model's recipe (assets/models/wikitext2-lstm/README.md): an adaptive
# softmax makes a CPU step ~3x faster than the full 33,278-way softmax, and Adam with a cosine schedule over
# the time budget makes the most of a few epochs.
MODEL_DEFAULTS = {
    "embed_dim": 240,
    "hidden_dim": 512,
    "num_layers": 2,
    "dropout": 0.4,
    "tie_weights": False,
    "softmax": "adaptive",
}
TRAIN_DEFAULTS = {"lr": 0.003, "schedule": "cosine", "batch_size": 32}
TRAIN_EPILOG = """\
examples:
  lstmlm train --data ../shared/data/wikitext-2 --out runs/wt2 --max-minutes 110
  lstmlm train --data ../shared/data/wikitext-2 --out runs/wt2 --resume       (after Ctrl-C)
  lstmlm train --train book.txt --out runs/book --hidden-dim 256 --embed-dim 256
  torchrun --nproc_per_node=2 -m lstmlm.cli train --data DIR --out DIR     (DistributedDataParallel)

faster on CPU: start with MALLOC_MMAP_THRESHOLD_=4294967296 in the environment, e.g.
  MALLOC_MMAP_THRESHOLD_=4294967296 lstmlm train ...
  glibc then keeps the big output-layer buffers instead of returning and re-faulting them every step:
  25-30% faster steps on CPU. It must be set before Python starts (the allocator reads it once).

exit status: 0 done or interrupted (state saved), 1 the loss became NaN/inf or a save failed (full disk,
unwritable --out; the best model saved before is untouched), 2 bad options, unreadable data or an
unwritable --out (reported before training starts)."""


def _mark_given(namespace: argparse.Namespace, dest: str) -> None:
    namespace.given_options = set(getattr(namespace, "given_options", ())) | {dest}


class _Store(argparse.Action):
    """Store the value and remember the option was given (--resume tells given options from defaults)."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        _mark_given(namespace, self.dest)


class _Flag(argparse.BooleanOptionalAction):
    def __call__(self, parser, namespace, values, option_string=None):
        super().__call__(parser, namespace, values, option_string)
        _mark_given(namespace, self.dest)


def _add_dataclass_options(parser: argparse.ArgumentParser, cls, skip=(), defaults=None, title=None) -> None:
    """One `--option` per dataclass field, typed by its default, help from the field's comment."""
    group = parser.add_argument_group(title or cls.__name__)
    comments = _field_comments(cls)
    for f in dataclasses.fields(cls):
        if f.name in skip:
            continue
        default = (defaults or {}).get(f.name, f.default)
        flag = "--" + f.name.replace("_", "-")
        helptext = comments.get(f.name, "") + f" (default: {default})"
        if isinstance(default, bool):
            group.add_argument(flag, default=default, action=_Flag, help=helptext)
        elif isinstance(default, tuple):
            group.add_argument(flag, default=default, type=int, nargs="+", action=_Store, help=helptext)
        else:
            group.add_argument(
                flag,
                default=default,
                type=type(default),
                help=helptext,
                action=_Store,
                choices=f.metadata.get("choices"),
            )


def _field_comments(cls) -> dict[str, str]:
    """The `# comment` after each field in the dataclass source, used as --help text."""
    import inspect

    out = {}
    for line in inspect.getsource(cls).splitlines():
        s = line.strip()
        if ":" in s and "#" in s and not s.startswith(("#", "def", '"')):
            name = s.split(":", 1)[0].strip()
            out[name] = s.split("#", 1)[1].strip()
    return out


def _pick(ns: argparse.Namespace, cls) -> dict:
    return {f.name: getattr(ns, f.name) for f in dataclasses.fields(cls) if hasattr(ns, f.name)}


def _fail(message: str, code: int = 2) -> int:
    print(f"lstmlm: error: {message}", file=sys.stderr)
    return code


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

    p = sub.add_parser(
        "train",
        help="train a model directory",
        epilog=TRAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Train a word-level language model. The best model (by validation perplexity) is\n"
        "saved atomically in --out as it trains, with every validation in --out/metrics.jsonl.\n"
        "Ctrl-C or SIGTERM finishes the step, saves a resumable state in --out/resume and exits 0.",
    )
    p.add_argument("--out", required=True, help="model directory to write")
    src = p.add_mutually_exclusive_group()
    src.add_argument(
        "--data", help="folder with train.txt / valid.txt / test.txt (WikiText / PTB layout, tokenized)"
    )
    src.add_argument(
        "--train", dest="train_file", help="one raw text file (tokenized with the library's tokenizer)"
    )
    p.add_argument(
        "--valid",
        dest="valid_file",
        help="validation raw text file for --train (default: the "
        "last 10%% of the --train lines are held out)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the run saved in --out exactly where it stopped (give --data/--train "
        "again). The model is rebuilt from the saved settings: model options are not needed, and "
        "one that differs from the saved model is an error. Training options given override the "
        "saved ones (e.g. --max-minutes, --epochs), except --batch-size, --bptt and --optimizer, "
        "which are fixed",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_dataclass_options(
        p,
        ModelConfig,
        skip=("vocab_size",),
        defaults=MODEL_DEFAULTS,
        title="model (saved with the model; taken from the saved run on --resume)",
    )
    _add_dataclass_options(
        p,
        TrainConfig,
        defaults=TRAIN_DEFAULTS,
        title="training (given with --resume: override the saved run's)",
    )

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
        "hidden h at every word (steps x units), plus the next words.",
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
    return parser


class _TqdmCallback:
    def __init__(self, quiet: bool):
        from tqdm import tqdm

        self.quiet = quiet
        self.bar = None
        self.tqdm = tqdm
        self.epoch = None

    def on_step(self, p) -> None:
        if self.quiet:
            return
        if self.bar is None or self.epoch != p.epoch:
            if self.bar is not None:
                self.bar.close()
            self.bar = self.tqdm(
                total=p.batches,
                initial=p.batch - 1,
                desc=f"epoch {p.epoch}",
                unit="batch",
                dynamic_ncols=True,
            )
            self.epoch = p.epoch
        self.bar.update(1)
        if p.step % 10 == 0:
            self.bar.set_postfix(
                loss=f"{p.loss:.3f}",
                ppl=f"{math.exp(min(p.loss, 50)):.1f}",
                lr=f"{p.lr:.2g}",
                wps=f"{p.words_per_s:,.0f}",
            )

    def on_eval(self, r: dict) -> None:
        self.write(
            f"step {r['step']} epoch {r['epoch']}: train loss {r['train_loss']:.3f}  "
            f"val ppl {r['val_ppl']:.2f}{'  (best, saved)' if r['best'] else ''}  lr {r['lr']:.3g}  "
            f"{r['seconds'] / 60:.1f} min"
        )

    def on_message(self, text: str) -> None:
        self.write(text)

    def write(self, text: str) -> None:
        (self.tqdm.write if self.bar is not None else print)(text, file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _check_writable(out: Path) -> str | None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as e:
        return f"cannot write to --out {out}: {e.strerror or e}"
    return None


def _resumed_settings(ns: argparse.Namespace, meta: dict) -> tuple[dict, dict | None, list[str]]:
    """Training options: the saved run's, overridden by those given. Model settings: the saved run's
    (None for a state saved before they were kept). Also the model options that contradict the saved model."""
    given = getattr(ns, "given_options", set())
    train_opts = _pick(ns, TrainConfig)
    saved_train = meta.get("train_config")
    if saved_train is not None:
        known = {k: v for k, v in saved_train.items() if k in train_opts}
        train_opts = dict(known, **{k: v for k, v in train_opts.items() if k in given})
    saved_model = meta.get("model_config")
    if saved_model is None:
        return train_opts, None, []
    conflicts = []
    for k, v in _pick(ns, ModelConfig).items():
        value = list(v) if isinstance(v, (tuple, list)) else v
        if k in given and value != saved_model.get(k):
            conflicts.append(f"--{k.replace('_', '-')} {_show(value)} (saved: {_show(saved_model.get(k))})")
    return train_opts, saved_model, conflicts


def _show(value) -> str:
    return " ".join(map(str, value)) if isinstance(value, list) else str(value)


def _resume_command(ns: argparse.Namespace, out: Path, world: int) -> str:
    """The command that continues this run (the settings are read back from --out/resume)."""
    data = ["--data", ns.data] if ns.data else ["--train", ns.train_file]
    if ns.valid_file:
        data += ["--valid", ns.valid_file]
    args = " ".join(shlex.quote(a) for a in ["train", "--out", str(out), "--resume", *data])
    return f"torchrun --nproc_per_node={world} -m lstmlm.cli {args}" if world > 1 else f"lstmlm {args}"


def _fit_cutoffs(settings: dict, ns: argparse.Namespace) -> tuple[int, ...]:
    """Default adaptive-softmax cutoffs shrink to a small vocabulary (a given --adaptive-cutoffs is kept)."""
    cutoffs, vocab_size = tuple(settings["adaptive_cutoffs"]), settings["vocab_size"]
    if settings["softmax"] != "adaptive" or "adaptive_cutoffs" in getattr(ns, "given_options", set()):
        return cutoffs
    if not any(0 < c < vocab_size for c in cutoffs) and vocab_size > 2:
        cutoffs = (max(1, vocab_size // 4),)
        print(
            f"note: a {vocab_size:,}-word vocabulary is smaller than the default adaptive-softmax cutoffs; "
            f"using --adaptive-cutoffs {cutoffs[0]}",
            file=sys.stderr,
        )
    return tuple(c for c in cutoffs if 0 < c < vocab_size) or cutoffs


def cmd_train(ns: argparse.Namespace) -> int:
    import torch
    import torch.distributed as dist

    from .data import Corpus
    from .resume import has_resume_state, read_resume_meta
    from .train import TrainingDiverged, TrainingSaveError, TrainingSetupError, train

    out = Path(ns.out)
    if not ns.data and not ns.train_file:
        return _fail("give --data FOLDER (train.txt/valid.txt/test.txt) or --train FILE")
    if ns.data and not all((Path(ns.data) / n).is_file() for n in ("train.txt", "valid.txt")):
        return _fail(f"--data {ns.data}: needs train.txt and valid.txt (and optionally test.txt)")
    for f in (ns.train_file, ns.valid_file):
        if f and not (Path(f).is_file() and os.access(f, os.R_OK)):
            return _fail(f"cannot read {f}: not a readable file")
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if rank == 0 and (err := _check_writable(out)):
        return _fail(err)
    if ns.resume and not has_resume_state(out):
        return _fail(f"--resume: no saved state in {out / 'resume'}")
    try:
        meta = read_resume_meta(out) if ns.resume else {}
        train_opts, saved_model, conflicts = _resumed_settings(ns, meta)
        if conflicts:
            return _fail(
                "--resume rebuilds the saved model; these options contradict it: "
                f"{', '.join(conflicts)}. Leave them out, or train a new model in another --out."
            )
        train_cfg = TrainConfig(**train_opts)
        corpus = (
            Corpus.from_folder(ns.data) if ns.data else Corpus.from_raw_text(ns.train_file, ns.valid_file)
        )
        if saved_model is None:
            if ns.resume and rank == 0:
                print(
                    f"note: {out / 'resume'} predates saved model settings; using this command's model "
                    "options",
                    file=sys.stderr,
                )
            settings = dict(_pick(ns, ModelConfig), vocab_size=len(corpus.vocab))
            settings["adaptive_cutoffs"] = _fit_cutoffs(settings, ns)
            model_cfg = ModelConfig(**settings)
        elif saved_model.get("vocab_size") != len(corpus.vocab):
            return _fail(
                f"--resume: this data has {len(corpus.vocab):,} words in its vocabulary, the saved "
                f"run {saved_model.get('vocab_size'):,}; resume with the data it was trained on"
            )
        else:
            model_cfg = ModelConfig.from_dict(saved_model)
    except (OSError, UnicodeDecodeError, ValueError) as e:  # ResumeError included
        return _fail(str(e))
    command = "lstmlm " + shlex.join(getattr(ns, "argv", sys.argv[1:]))
    summary = {"data": str(ns.data or ns.train_file), "command": command}
    if ns.resume and meta.get("summary"):  # keep the original command; add this one
        saved = meta["summary"]
        summary = dict(saved, resumed_with=[*saved.get("resumed_with", []), summary["command"]])
    if world > 1:
        backend = "nccl" if train_cfg.device != "cpu" and torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend)

    stop = {"flag": False}

    def request_stop(signum, frame):
        stop["flag"] = True

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    bar = _TqdmCallback(ns.quiet or rank != 0)
    try:
        result = train(
            corpus,
            model_cfg,
            train_cfg,
            out,
            [bar] if rank == 0 else [],
            lambda: stop["flag"],
            resume=ns.resume,
            summary=summary,
        )
    except TrainingSetupError as e:
        return _fail(str(e))
    except (TrainingDiverged, TrainingSaveError) as e:
        return _fail(str(e), code=1)
    except OSError as e:  # e.g. the final resume state on a full disk
        return _fail(f"cannot write to {out}: {e.strerror or e} ({e.filename or out})", code=1)
    finally:
        bar.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if world > 1 and dist.is_initialized():
            dist.destroy_process_group()
    if rank == 0:
        if result["stop_reason"] == "interrupted":
            print(
                f"Interrupted at step {result['steps']}: state saved in {out / 'resume'}. "
                f"Resume with: {_resume_command(ns, out, world)}"
            )
        else:
            print(
                f"Done ({result['stop_reason']}): best validation perplexity {result['best_val_ppl']:.2f}, "
                f"model in {out}"
            )
    return 0


def cmd_eval(ns: argparse.Namespace) -> int:
    import torch

    from .data import batchify, read_tokens
    from .train import evaluate

    try:
        model = load_model(ns.model)
    except CheckpointError as e:
        return _fail(str(e))
    path = Path(ns.data)
    if path.is_dir():
        path = path / "test.txt"
    try:
        tokens = read_tokens(path, raw=ns.raw)
    except (OSError, UnicodeDecodeError) as e:
        return _fail(f"cannot read {path}: {e}")
    if ns.batch_size < 1 or ns.bptt < 1:
        return _fail("--batch-size and --bptt must be >= 1")
    encoded = model.vocab.encode(tokens)
    ids = torch.tensor(encoded.ids, dtype=torch.long)
    if ids.numel() < 2 * ns.batch_size:
        return _fail(f"{path} has only {ids.numel()} words; too few to evaluate")
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
        raise SystemExit(_fail(str(e))) from None


def cmd_next(ns: argparse.Namespace) -> int:
    from .sampling import advance, start_state, top_words

    model = _load(ns)
    enc = model.vocab.encode_text(ns.prompt)
    log_probs, _ = advance(model, enc.ids, start_state(model)) if enc.ids else (None, None)
    if log_probs is None:
        return _fail("the prompt is empty: type a few words")
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
        return _fail(str(e))
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


def cmd_trace(ns: argparse.Namespace) -> int:
    from .sampling import start_state, top_words
    from .trace import trace

    model = _load(ns)
    enc = model.vocab.encode_text(ns.prompt)
    if not enc.ids:
        return _fail("the prompt is empty: type a few words")
    if model.config.cell != "lstm":
        return _fail(f"trace shows LSTM gates; this model's cell is {model.config.cell!r}")
    tr = trace(model, enc.ids, start_state(model))
    nxt = top_words(tr.log_probs[-1, 0], model.vocab, ns.top)
    if ns.json:
        from .export import trace_dict

        print(json.dumps(trace_dict(tr, enc.tokens, enc.unknown_words, nxt)))
        return 0
    print(
        f"{'word':>14}  " + "  ".join(f"L{n} mean f  mean i  mean o  |c|max" for n in range(len(tr.layers)))
    )
    for t, tok in enumerate(enc.tokens):
        cols = []
        for lt in tr.layers:
            cols.append(
                f"{lt.f[t, 0].mean():9.3f} {lt.i[t, 0].mean():7.3f} {lt.o[t, 0].mean():7.3f} "
                f"{lt.c[t, 0].abs().max():7.3f}"
            )
        print(f"{tok[:14]:>14}  " + "  ".join(cols))
    print("next: " + ", ".join(f"{w} {p:.3f}" for w, p in zip(nxt.words, nxt.probs, strict=False)))
    return 0


def cmd_import(ns: argparse.Namespace) -> int:
    from .checkpoint import CONFIG, save_model
    from .importing import ImportModelError, import_recipe

    out = Path(ns.out)
    if (out / CONFIG).exists() and not ns.force:
        return _fail(f"--out {out} already holds a model; choose another folder or add --force to replace it")
    try:
        model, summary = import_recipe(ns.state_dict, ns.data, ns.cell, True if ns.tied else None)
    except ImportModelError as e:
        return _fail(str(e))
    if err := _check_writable(out):
        return _fail(err)
    summary["command"] = "lstmlm " + shlex.join(getattr(ns, "argv", sys.argv[1:]))
    try:
        save_model(out, model, model.vocab, summary)
    except OSError as e:
        return _fail(f"cannot write the model to {out}: {e.strerror or e}", code=1)
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
        return _fail(f"the atlas shows LSTM cells; this model's cell is {model.config.cell!r}")
    if ns.top < 1 or ns.max_words < 0:
        return _fail("--top must be >= 1 and --max-words >= 0")
    try:
        tokens = read_tokens(ns.data)
    except (OSError, UnicodeDecodeError) as e:
        return _fail(f"cannot read {ns.data}: {e}")
    tokens = tokens[: ns.max_words] if ns.max_words else tokens
    bar = tqdm(desc="indexing", unit="step", disable=ns.quiet, dynamic_ncols=True)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        atlas = build_atlas(model, tokens, top=ns.top, progress=progress)
    except ValueError as e:
        return _fail(f"{ns.data}: {e}")
    finally:
        bar.close()
    model_dir = Path(ns.model) if ns.model else default_model_dir()
    try:
        path = save_atlas(model_dir, atlas, source=str(ns.data))
    except OSError as e:
        return _fail(f"cannot write the atlas into {model_dir}: {e.strerror or e}", code=1)
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
