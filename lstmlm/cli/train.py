"""`lstmlm train`: its options (built from the config dataclasses) and the command. The settings of a new or
resumed run are in `train_settings`, the progress bar in `progress`, the dataclass options in `options`."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import sys
from pathlib import Path

from lstmlm.cli.common import fail, one_training_per_folder
from lstmlm.cli.options import add_dataclass_options
from lstmlm.cli.progress import TrainProgressBar, figures
from lstmlm.cli.train_settings import RunSettings, check_inputs, run_settings
from lstmlm.data import vocabulary_summary
from lstmlm.model import ModelConfig
from lstmlm.tokenizers import TOKENIZERS
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
  lstmlm train --data ../shared/data/wikitext-2 --out runs/wt2-tied --no-auto --max-words 27000000 \\
      --tie-weights --softmax adaptive --embed-dim 300 --hidden-dim 512 --locked-dropout --dropout 0.4 \\
      --dropout-input 0.4 --dropout-hidden 0.25 --dropout-embed 0.1 --ar 2 --tar 1 --ema-decay 0.9995
      (the AWD-LSTM parts: a tied adaptive softmax, locked and embedding dropout, AR/TAR, the weights
      averaged from --ema-start, 2/3 of the budget, on)
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
        description="Train a language model of words or characters (--tokenizer). The best model (by\n"
        "validation perplexity) is saved atomically in --out as it trains, with every validation in\n"
        "--out/metrics.jsonl.\n"
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
        help="keep only the N most frequent training tokens (the rest read as <unk>; 0 = all). Default: "
        "with --max-minutes/--max-words the tokens seen 3+ times (see --no-auto), otherwise all",
    )
    p.add_argument(
        "--no-auto",
        action="store_true",
        help="with --max-minutes/--max-words, keep the fixed defaults below instead of choosing the model "
        "size, dropout, softmax, vocabulary and schedule from the budget and the corpus "
        "(lstmlm/training/autosize.py; options given explicitly are always kept)",
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


def _resume_command(ns: argparse.Namespace, out: Path, world: int) -> str:
    """The command that continues this run (the settings are read back from --out/resume)."""
    data = ["--data", ns.data] if ns.data else ["--train", ns.train_file]
    if ns.valid_file:
        data += ["--valid", ns.valid_file]
    if ns.tokenizer:
        data += ["--tokenizer", ns.tokenizer]
    args = " ".join(shlex.quote(a) for a in ["train", "--out", str(out), "--resume", *data])
    return f"torchrun --nproc_per_node={world} -m lstmlm.cli {args}" if world > 1 else f"lstmlm {args}"


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
    out = Path(ns.out)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if problem := check_inputs(ns, out, rank):
        return fail(problem)
    with one_training_per_folder(out, rank) as busy:
        if busy:
            return fail(busy)
        try:
            run = run_settings(ns, out, world, rank)
        except (OSError, UnicodeDecodeError, ValueError) as e:  # ResumeError included
            return fail(str(e))
        return _run(ns, out, run, _summary(ns, run), world, rank)


def _summary(ns: argparse.Namespace, run: RunSettings) -> dict:
    """What config.json records about the run: the data, the command, the tokenizer, the vocabulary, the
    automatic choices; a resumed run keeps its original command and adds this one."""
    corpus, meta = run.corpus, run.meta
    command = "lstmlm " + shlex.join(getattr(ns, "argv", sys.argv[1:]))
    summary = {"data": str(ns.data or ns.train_file), "command": command}
    if ns.valid_file:  # `lstmlm cells` without --data reads the model's validation text again
        summary["valid"] = str(ns.valid_file)
    # how the text was cut (config.json's "tokenizer" says the same); pretokenized: --data split on spaces
    summary |= {"tokenizer": corpus.vocab.tokenizer.name, "pretokenized": bool(ns.data and not ns.tokenizer)}
    summary["vocabulary"] = vocabulary_summary(corpus, ns.max_vocab, not ns.keep_listed_words)
    if run.plan.reasons:  # what was chosen from the budget and the corpus, and why
        summary["auto_choices"] = run.plan.record()
    if ns.resume and meta.get("summary"):  # keep the original command; add this one
        saved = meta["summary"]
        summary = dict(saved, resumed_with=[*saved.get("resumed_with", []), summary["command"]])
    return summary


def _run(ns: argparse.Namespace, out: Path, run: RunSettings, summary: dict, world: int, rank: int) -> int:
    """Train with a progress bar (Ctrl-C / SIGTERM: stop at the next step and save), then say how it ended."""
    import torch
    import torch.distributed as dist

    from lstmlm.training.loop import TrainingDiverged, TrainingSaveError, TrainingSetupError, train

    if world > 1:
        backend = "nccl" if run.train_cfg.device != "cpu" and torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend)

    stop = {"flag": False}

    def request_stop(signum, frame):
        stop["flag"] = True

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    bar = TrainProgressBar(ns.quiet or rank != 0, run.corpus.vocab.tokenizer.unit)
    try:
        result = train(
            run.corpus,
            run.model_cfg,
            run.train_cfg,
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
            reason = result["stop_reason"]  # "character budget" for a chars model's --max-words
            if not (out / "config.json").is_file():  # never validated: nothing to report as done
                return fail(
                    f"the run ended ({reason}) before its first validation: no model was saved in {out}"
                )
            best = figures(result["best_val_ppl"], run.corpus.vocab.tokenizer.unit)
            print(f"Done ({reason}): {best}, model in {out}")
    return 0
