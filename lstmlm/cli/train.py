"""`lstmlm train`: its options (built from the config dataclasses), the settings of a new or resumed run,
and the command. The progress bar is in `cli_progress`, the dataclass options in `cli_options`."""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import shutil
import signal
import sys
from functools import partial
from pathlib import Path

from lstmlm.cli.common import check_writable, fail
from lstmlm.cli.options import add_dataclass_options, given_options, pick_options
from lstmlm.cli.progress import TrainProgressBar
from lstmlm.model import ModelConfig
from lstmlm.tokenizers import TOKENIZERS, WIKITEXT, get_tokenizer
from lstmlm.training.autosize import Plan, auto_vocabulary, measure_words_per_s, plan_training, warm_up
from lstmlm.training.config import TrainConfig

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
  lstmlm train --data ../shared/data/warpeace --tokenizer chars --out runs/chars --softmax full
  torchrun --nproc_per_node=2 -m lstmlm.cli train --data DIR --out DIR     (DistributedDataParallel)

faster on CPU: start with MALLOC_MMAP_THRESHOLD_=4294967296 in the environment, e.g.
  MALLOC_MMAP_THRESHOLD_=4294967296 lstmlm train ...
  glibc then keeps the big output-layer buffers instead of returning and re-faulting them every step:
  25-30% faster steps on CPU. It must be set before Python starts (the allocator reads it once).

exit status: 0 done or interrupted (state saved), 1 the loss became NaN/inf or a save failed (full disk,
unwritable --out; the best model saved before is untouched), 2 bad options, unreadable data or an
unwritable --out (reported before training starts)."""


def add_train_parser(sub) -> None:
    """The `train` subcommand and its options."""
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
    src.add_argument("--train", dest="train_file", help="one raw text file (cut into tokens by --tokenizer)")
    p.add_argument(
        "--tokenizer",
        choices=list(TOKENIZERS),
        default=None,
        help="how text is cut into tokens, recorded in config.json so that every prompt is read the same "
        "way: wikitext (WikiText-2's words, punctuation split off; the default for --train), whitespace "
        "(split on spaces only, as the PyTorch examples recipe does) or chars (one character a token). "
        "--data files are read as already tokenized WikiText unless this is given",
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
    p.add_argument(
        "--max-vocab",
        type=int,
        default=None,
        help="keep only the N most frequent training words (the rest read as <unk>; 0 = all). Default: "
        "with --max-minutes/--max-words the words seen 3+ times (see --no-auto), otherwise all",
    )
    p.add_argument(
        "--no-auto",
        action="store_true",
        help="with --max-minutes/--max-words, keep the fixed defaults below instead of choosing the model "
        "size, dropout, softmax, vocabulary and schedule from the budget and the corpus (lstmlm/training/autosize.py; "
        "options given explicitly are always kept)",
    )
    p.add_argument(
        "--keep-listed-words",
        action="store_true",
        help="research use: let the words of lstmlm/wordlists/hidden_words.txt (slurs and obscenities) "
        "into the vocabulary. By default they are read as <unk>, so the model cannot say them",
    )
    add_dataclass_options(
        p,
        ModelConfig,
        skip=("vocab_size",),
        defaults=MODEL_DEFAULTS,
        title="model (saved with the model; taken from the saved run on --resume). With --max-minutes or "
        "--max-words, those not given are chosen from the budget and the corpus (see --no-auto)",
    )
    add_dataclass_options(
        p,
        TrainConfig,
        defaults=TRAIN_DEFAULTS,
        title="training (given with --resume: override the saved run's)",
    )


def _resumed_settings(ns: argparse.Namespace, meta: dict) -> tuple[dict, dict | None, list[str]]:
    """Training options: the saved run's, overridden by those given. Model settings: the saved run's
    (None for a state saved before they were kept). Also the model options that contradict the saved model."""
    given = given_options(ns)
    train_opts = pick_options(ns, TrainConfig)
    saved_train = meta.get("train_config")
    if saved_train is not None:
        known = {k: v for k, v in saved_train.items() if k in train_opts}
        train_opts = dict(known, **{k: v for k, v in train_opts.items() if k in given})
    saved_model = meta.get("model_config")
    if saved_model is None:
        return train_opts, None, []
    conflicts = []
    for k, v in pick_options(ns, ModelConfig).items():
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
    if ns.tokenizer:
        data += ["--tokenizer", ns.tokenizer]
    args = " ".join(shlex.quote(a) for a in ["train", "--out", str(out), "--resume", *data])
    return f"torchrun --nproc_per_node={world} -m lstmlm.cli {args}" if world > 1 else f"lstmlm {args}"


def _fit_cutoffs(settings: dict, ns: argparse.Namespace) -> tuple[int, ...]:
    """Default adaptive-softmax cutoffs shrink to a small vocabulary (a given --adaptive-cutoffs is kept)."""
    cutoffs, vocab_size = tuple(settings["adaptive_cutoffs"]), settings["vocab_size"]
    if settings["softmax"] != "adaptive" or "adaptive_cutoffs" in given_options(ns):
        return cutoffs
    if not any(0 < c < vocab_size for c in cutoffs) and vocab_size > 2:
        cutoffs = (max(1, vocab_size // 4),)
        print(
            f"note: a {vocab_size:,}-word vocabulary is smaller than the default adaptive-softmax cutoffs; "
            f"using --adaptive-cutoffs {cutoffs[0]}",
            file=sys.stderr,
        )
    return tuple(c for c in cutoffs if 0 < c < vocab_size) or cutoffs


def _auto_plan(
    ns, corpus, train_cfg: TrainConfig, settings: dict, plan: Plan, world: int = 1, rank: int = 0
) -> tuple[Plan, TrainConfig]:
    """Choose the settings not given from the budget and the corpus (autosize), print each choice and
    why, and return the plan with the training settings it changes applied. Under torchrun (world > 1)
    only the word budget counts, so that every process makes the same choices."""
    import torch

    from lstmlm.training.loop import resolve_device

    if train_cfg.threads > 0:  # the probe measures at the run's thread count
        torch.set_num_threads(train_cfg.threads)
    given = {k: v for k, v in {**settings, **dataclasses.asdict(train_cfg)}.items() if k in given_options(ns)}
    device = resolve_device(train_cfg.device)
    measure = partial(
        measure_words_per_s,
        train_ids=corpus.train,
        batch_size=train_cfg.batch_size,
        bptt=train_cfg.bptt,
        device=device,
    )
    minutes = train_cfg.max_minutes if world == 1 else 0.0
    if minutes > 0:
        warm_up()  # a one-time cost the probe's clock should not see
    chosen = plan_training(
        corpus.train.numel(),
        corpus.valid.numel(),
        len(corpus.vocab),
        minutes,
        train_cfg.max_words,
        given,
        measure if minutes > 0 else None,
    )
    chosen.train = {**plan.train, **chosen.train}  # the vocabulary choice first
    chosen.reasons = {**plan.reasons, **chosen.reasons}
    for line in chosen.lines() if rank == 0 else []:
        print(line, file=sys.stderr)
    train_opts = {k: v for k, v in chosen.train.items() if k != "max_vocab"}
    return chosen, dataclasses.replace(train_cfg, **train_opts)


def vocabulary_summary(corpus, max_vocab: int, hidden_excluded: bool) -> dict:
    """What the model card says about the vocabulary: its size, the cap, and how much of the training
    text reads as <unk> (rare words beyond the cap and, by default, the hidden words)."""
    train = corpus.train
    unk = corpus.vocab.unk_id
    unk_tokens = int((train == unk).sum()) if unk is not None else 0
    return {
        "size": len(corpus.vocab),
        "max_vocab": max_vocab,
        "hidden_words_excluded": hidden_excluded,
        "train_tokens": int(train.numel()),
        "train_unk_tokens": unk_tokens,
    }


def _missing_folders(out: Path) -> list[Path]:
    """The folders of `out` (itself, then its parents) that do not exist yet: those this run creates."""
    missing, folder = [], out.absolute()
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _remove_created(created: list[Path]) -> None:
    """After a run that saved nothing: remove the folders it created (`_missing_folders` before it started),
    deepest first. Only a folder that holds no model and no resumable state goes, with what this run wrote
    in it (a metrics file, a probe); a folder that existed before the run is never touched."""
    for folder in created:
        if not folder.is_dir() or (folder / "config.json").exists() or (folder / "resume").exists():
            return
        try:
            shutil.rmtree(folder)
        except OSError:
            return


def cmd_train(ns: argparse.Namespace) -> int:
    """`lstmlm train`; a run that fails or is interrupted before its first save (bad data, NaN at step 1,
    Ctrl-C while reading the corpus) leaves no empty --out folder that it created itself."""
    created = _missing_folders(Path(ns.out)) if int(os.environ.get("RANK", "0")) == 0 else []
    code = 1
    try:
        code = _train(ns)
    except KeyboardInterrupt:  # before training installed its own Ctrl-C handler: nothing was saved
        print("lstmlm: interrupted before training started; nothing was saved", file=sys.stderr)
        code = 130
    finally:
        if code != 0:
            _remove_created(created)
    return code


def _train(ns: argparse.Namespace) -> int:
    import torch
    import torch.distributed as dist

    from lstmlm.data import Corpus
    from lstmlm.safewords import is_hidden
    from lstmlm.training.loop import TrainingDiverged, TrainingSaveError, TrainingSetupError, train
    from lstmlm.training.resume import has_resume_state, read_resume_meta

    out = Path(ns.out)
    if not ns.data and not ns.train_file:
        return fail("give --data FOLDER (train.txt/valid.txt/test.txt) or --train FILE")
    if ns.data and not all((Path(ns.data) / n).is_file() for n in ("train.txt", "valid.txt")):
        return fail(f"--data {ns.data}: needs train.txt and valid.txt (and optionally test.txt)")
    for f in (ns.train_file, ns.valid_file):
        if f and not (Path(f).is_file() and os.access(f, os.R_OK)):
            return fail(f"cannot read {f}: not a readable file")
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if rank == 0 and (err := check_writable(out)):
        return fail(err)
    if ns.resume and not has_resume_state(out):
        return fail(f"--resume: no saved state in {out / 'resume'}")
    try:
        meta = read_resume_meta(out) if ns.resume else {}
        train_opts, saved_model, conflicts = _resumed_settings(ns, meta)
        if conflicts:
            return fail(
                "--resume rebuilds the saved model; these options contradict it: "
                f"{', '.join(conflicts)}. Leave them out, or train a new model in another --out."
            )
        train_cfg = TrainConfig(**train_opts)
        if ns.max_vocab is not None and (ns.max_vocab < 0 or ns.max_vocab == 1):
            return fail(f"--max-vocab must be 0 (all words) or at least 2, not {ns.max_vocab}")
        # a new run with a budget chooses what was not given (lstmlm/training/autosize.py); under torchrun only from
        # a word budget: a timed probe on each process could choose differently
        auto = not ns.resume and not ns.no_auto and (train_cfg.max_words > 0 or train_cfg.max_minutes > 0)
        if auto and world > 1 and not train_cfg.max_words:
            auto = False
            if rank == 0:
                print(
                    "note: under torchrun the automatic settings need --max-words (a timed probe on each "
                    "process could choose differently); using the fixed defaults",
                    file=sys.stderr,
                )
        vocab_given = ns.max_vocab is not None
        if ns.max_vocab is None:  # not given: a resumed run reads the vocabulary it was trained with
            saved_vocab = ((meta.get("summary") or {}).get("vocabulary") or {}).get("max_vocab", 0)
            ns.max_vocab = saved_vocab if ns.resume else 0
        shaping = dict(max_vocab=ns.max_vocab, exclude=None if ns.keep_listed_words else is_hidden)
        saved = meta.get("summary") or {}
        if ns.resume and ns.tokenizer and saved.get("tokenizer") not in (None, ns.tokenizer):
            return fail(
                f"--resume: the saved run reads text with --tokenizer {saved['tokenizer']}, not "
                f"{ns.tokenizer}; leave --tokenizer out, or train a new model in another --out"
            )
        if ns.resume and not ns.tokenizer and saved.get("tokenizer") and not saved.get("pretokenized"):
            ns.tokenizer = saved["tokenizer"]  # the text is cut as it was when the run started
        tokenizer = get_tokenizer(ns.tokenizer) if ns.tokenizer else None

        def read_corpus(max_vocab: int) -> Corpus:
            opts = dict(shaping, max_vocab=max_vocab)
            if ns.data:
                return Corpus.from_folder(ns.data, tokenizer=tokenizer, **opts)
            return Corpus.from_raw_text(ns.train_file, ns.valid_file, tokenizer=tokenizer or WIKITEXT, **opts)

        plan = Plan()
        if auto and not vocab_given:
            corpus, ns.max_vocab, plan.reasons["max_vocab"] = auto_vocabulary(read_corpus)
            plan.train["max_vocab"] = ns.max_vocab
        else:
            corpus = read_corpus(ns.max_vocab)
        if saved_model is None:
            if ns.resume and rank == 0:
                print(
                    f"note: {out / 'resume'} predates saved model settings; using this command's model "
                    "options",
                    file=sys.stderr,
                )
            settings = dict(pick_options(ns, ModelConfig), vocab_size=len(corpus.vocab))
            if auto:
                plan, train_cfg = _auto_plan(ns, corpus, train_cfg, settings, plan, world, rank)
                settings.update(plan.model)
            settings["adaptive_cutoffs"] = _fit_cutoffs(settings, ns)
            model_cfg = ModelConfig(**settings)
        elif saved_model.get("vocab_size") != len(corpus.vocab):
            return fail(
                f"--resume: this data has {len(corpus.vocab):,} words in its vocabulary, the saved "
                f"run {saved_model.get('vocab_size'):,}; resume with the data it was trained on"
            )
        else:
            model_cfg = ModelConfig.from_dict(saved_model)
    except (OSError, UnicodeDecodeError, ValueError) as e:  # ResumeError included
        return fail(str(e))
    command = "lstmlm " + shlex.join(getattr(ns, "argv", sys.argv[1:]))
    summary = {"data": str(ns.data or ns.train_file), "command": command}
    # how the text was cut (config.json's "tokenizer" says the same); pretokenized: --data split on spaces
    summary |= {"tokenizer": corpus.vocab.tokenizer.name, "pretokenized": bool(ns.data and not ns.tokenizer)}
    summary["vocabulary"] = vocabulary_summary(corpus, ns.max_vocab, not ns.keep_listed_words)
    if plan.reasons:  # what was chosen from the budget and the corpus, and why
        summary["auto_choices"] = plan.record()
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
    bar = TrainProgressBar(ns.quiet or rank != 0)
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
        return fail(str(e))
    except (TrainingDiverged, TrainingSaveError) as e:
        return fail(str(e), code=1)
    except OSError as e:  # e.g. the final resume state on a full disk
        return fail(f"cannot write to {out}: {e.strerror or e} ({e.filename or out})", code=1)
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
