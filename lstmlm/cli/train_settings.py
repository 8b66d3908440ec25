"""The settings of an `lstmlm train` run, before it starts: the options checked, a resumed run's saved
settings, the corpus read, and the settings not given chosen from the budget (autosize). Problems are
raised as ValueError with the message `lstmlm train` prints (exit status 2)."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from lstmlm.cli.common import check_writable
from lstmlm.cli.options import given_options, pick_options
from lstmlm.data import Corpus
from lstmlm.model import ModelConfig
from lstmlm.safewords import is_hidden
from lstmlm.tokenizers import WIKITEXT, get_tokenizer
from lstmlm.training.autosize import Plan, auto_vocabulary, plan_training
from lstmlm.training.config import TrainConfig
from lstmlm.training.probe import measure_words_per_s, warm_up
from lstmlm.training.ranges import memory_problem
from lstmlm.training.resume import has_resume_state, read_resume_meta


@dataclass
class RunSettings:
    """What `train()` gets from the command line: the corpus, the model and training settings, and what
    config.json records about them."""

    corpus: Corpus
    model_cfg: ModelConfig
    train_cfg: TrainConfig
    plan: Plan  # the settings chosen from the budget and the corpus, and why (empty: none)
    meta: dict  # the saved run's resume meta ({} for a new run)


def check_inputs(ns: argparse.Namespace, out: Path, rank: int) -> str | None:
    """Why the data or --out cannot be used (the message to print), or None."""
    if not ns.data and not ns.train_file:
        return "give --data FOLDER (train.txt/valid.txt/test.txt) or --train FILE"
    if ns.data and not all((Path(ns.data) / n).is_file() for n in ("train.txt", "valid.txt")):
        return f"--data {ns.data}: needs train.txt and valid.txt (and optionally test.txt)"
    for f in (ns.train_file, ns.valid_file):
        if f and not (Path(f).is_file() and os.access(f, os.R_OK)):
            return f"cannot read {f}: not a readable file"
    if rank == 0 and (err := check_writable(out)):
        return err
    if ns.resume and not has_resume_state(out):
        return f"--resume: no saved state in {out / 'resume'}"
    return None


def run_settings(ns: argparse.Namespace, out: Path, world: int, rank: int) -> RunSettings:
    """The run's settings and corpus: a resumed run's saved ones, a new run's given ones (with a budget,
    those not given chosen by autosize). ValueError (and OSError, UnicodeDecodeError) with the message."""
    meta = read_resume_meta(out) if ns.resume else {}
    train_opts, saved_model, conflicts = resumed_settings(ns, meta)
    if conflicts:
        raise ValueError(
            "--resume rebuilds the saved model; these options contradict it: "
            f"{', '.join(conflicts)}. Leave them out, or train a new model in another --out."
        )
    train_cfg = TrainConfig(**train_opts)
    if ns.max_vocab is not None and (ns.max_vocab < 0 or ns.max_vocab == 1):
        raise ValueError(f"--max-vocab must be 0 (all words) or at least 2, not {ns.max_vocab}")
    # a new run with a budget chooses what was not given (lstmlm/training/autosize.py); under torchrun only
    # from a word budget: a timed probe on each process could choose differently
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
    read_corpus = corpus_reader(ns, meta)
    plan = Plan()
    if auto and not vocab_given:
        corpus, ns.max_vocab, plan.reasons["max_vocab"] = auto_vocabulary(read_corpus, _unit(ns))
        plan.train["max_vocab"] = ns.max_vocab
    else:
        corpus = read_corpus(ns.max_vocab)
    if saved_model is None:
        if ns.resume and rank == 0:
            print(
                f"note: {out / 'resume'} predates saved model settings; using this command's model options",
                file=sys.stderr,
            )
        settings = dict(pick_options(ns, ModelConfig), vocab_size=len(corpus.vocab))
        check_memory(settings, train_cfg)  # before the probe allocates a model of the given size
        if auto:
            plan, train_cfg = auto_plan(ns, corpus, train_cfg, settings, plan, world, rank)
            settings.update(plan.model)
        settings["adaptive_cutoffs"] = fit_cutoffs(settings, ns)
        model_cfg = ModelConfig(**settings)
        check_memory(settings, train_cfg)
    elif saved_model.get("vocab_size") != len(corpus.vocab):
        raise ValueError(
            f"--resume: this data has {len(corpus.vocab):,} {corpus.vocab.tokenizer.unit}s in its "
            f"vocabulary, the saved run {saved_model.get('vocab_size'):,}; "
            "resume with the data it was trained on"
        )
    else:
        model_cfg = ModelConfig.from_dict(saved_model)
    return RunSettings(corpus, model_cfg, train_cfg, plan, meta)


def check_memory(settings: dict, train_cfg: TrainConfig) -> None:
    """ValueError (with what to lower) when a model of `settings` would not fit in the memory free now:
    the GPU's on a CUDA run, else this machine's RAM (`lstmlm.training.ranges.memory_problem`)."""
    available = None
    if train_cfg.device != "cpu":
        import torch

        if torch.cuda.is_available():
            available = torch.cuda.mem_get_info()[0]
    if why := memory_problem(settings, train_cfg.batch_size, train_cfg.bptt, available):
        raise ValueError(why)


def corpus_reader(ns: argparse.Namespace, meta: dict):
    """`read(max_vocab) -> Corpus` for --data or --train, with the tokenizer a resumed run was cut with."""
    shaping = dict(max_vocab=ns.max_vocab, exclude=None if ns.keep_listed_words else is_hidden)
    saved = meta.get("summary") or {}
    if ns.resume and ns.tokenizer and saved.get("tokenizer") not in (None, ns.tokenizer):
        raise ValueError(
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

    return read_corpus


def resumed_settings(ns: argparse.Namespace, meta: dict) -> tuple[dict, dict | None, list[str]]:
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


def _unit(ns: argparse.Namespace) -> str:
    """What one token of this run is: "character" for --tokenizer chars, else "word"."""
    return get_tokenizer(ns.tokenizer).unit if ns.tokenizer else "word"


def _show(value) -> str:
    return " ".join(map(str, value)) if isinstance(value, list) else str(value)


def fit_cutoffs(settings: dict, ns: argparse.Namespace) -> tuple[int, ...]:
    """Default adaptive-softmax cutoffs shrink to a small vocabulary (a given --adaptive-cutoffs is kept)."""
    cutoffs, vocab_size = tuple(settings["adaptive_cutoffs"]), settings["vocab_size"]
    unit = _unit(ns)
    if settings["softmax"] != "adaptive" or "adaptive_cutoffs" in given_options(ns):
        return cutoffs
    if not any(0 < c < vocab_size for c in cutoffs) and vocab_size > 2:
        cutoffs = (max(1, vocab_size // 4),)
        print(
            f"note: a {vocab_size:,}-{unit} vocabulary is smaller than the default adaptive-softmax cutoffs; "
            f"using --adaptive-cutoffs {cutoffs[0]}",
            file=sys.stderr,
        )
    return tuple(c for c in cutoffs if 0 < c < vocab_size) or cutoffs


def auto_plan(
    ns, corpus, train_cfg: TrainConfig, settings: dict, plan: Plan, world: int = 1, rank: int = 0
) -> tuple[Plan, TrainConfig]:
    """Choose the settings not given from the budget and the corpus (autosize), print each choice and
    why, and return the plan with the training settings it changes applied. Under torchrun (world > 1)
    only the word budget counts, so that every process makes the same choices."""
    import torch

    from lstmlm.training.run import resolve_device

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
        unit=corpus.vocab.tokenizer.unit,
    )
    chosen.train = {**plan.train, **chosen.train}  # the vocabulary choice first
    chosen.reasons = {**plan.reasons, **chosen.reasons}
    for line in chosen.lines() if rank == 0 else []:
        print(line, file=sys.stderr)
    train_opts = {k: v for k, v in chosen.train.items() if k != "max_vocab"}
    return chosen, dataclasses.replace(train_cfg, **train_opts)
