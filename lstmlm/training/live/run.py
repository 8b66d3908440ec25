"""Live Lab: train a small model on a text you bring (a string, not a corpus folder) in seconds; watch it.

    text ──lines, as a file──> first 90%──> train ─┐
       (command.split_text)  └─last 10%──> valid ─┴─> train() (the same loop as `lstmlm train`)
                                                            │ callbacks, between steps
                              samples (same seed each time) <┤  every `sample_every_s` of training time
                  snapshots: the probe's gates, cell and h  <┘  `snapshots` times over the run

`train_live(text, settings, out, callbacks, should_stop, probe)` builds the corpus from the string (its
last tenth of lines, or of characters for a text of few lines, held out for validation: `command`),
checks the settings against safe ranges (`LiveSettings.check`), and runs `train()` with a time budget; the
best model is saved in `out` as a model directory that `load_model` (and `lstm-playground --model`) reads,
its config.json recording the `lstmlm train` command that repeats the run (training.command). Callbacks
that define `on_sample(Sample)` / `on_snapshot(Snapshot)` also hear about samples and snapshots. The
vocabulary leaves out the classroom list's words (`lstmlm.safewords`); a character model's samples go
through the run-time filter (`hide_in_text`). No gradio here: the playground's Live Lab tab drives this.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import torch

from lstmlm.checkpoint import CONFIG, VOCAB, WEIGHTS
from lstmlm.data import Corpus, vocabulary_summary
from lstmlm.messages import Message
from lstmlm.model import ModelConfig
from lstmlm.safewords import is_hidden
from lstmlm.training.config import TrainConfig
from lstmlm.training.live.command import (
    TEXT_FILE,
    TRAIN_FILE,
    VALID_FILE,
    LiveSplit,
    live_command,
    split_text,
)
from lstmlm.training.live.settings import LiveSettings, LiveTextError, check_text
from lstmlm.training.live.texts import teaching_source
from lstmlm.training.live.watcher import LiveWatcher
from lstmlm.training.loop import train
from lstmlm.vocab import Vocab

MIN_TOKENS = 200  # fewer tokens than this cannot be split into training and validation usefully
MAX_WORD_VOCAB = 5000  # a word model keeps the most frequent words (the softmax is most of a step)


def live_split(text: str, settings: LiveSettings, source: str | None = None) -> LiveSplit:
    """The text cut into training and validation tokens as `lstmlm train` reads the files of the command
    that repeats the run (`command.split_text`: the last tenth of its lines, or of its characters).
    Raises LiveTextError for a text too short (or whose held-out end holds no tokens)."""
    check_text(text)
    try:
        text.encode("utf-8")  # the command's text file is UTF-8: a lone surrogate cannot be saved
    except UnicodeEncodeError as e:
        raise LiveTextError(
            Message(
                "live.surrogate",
                "the text is not valid Unicode: character {offset:,} is a lone surrogate (U+{code}): "
                "remove it",
                offset=e.start,
                code=f"{ord(text[e.start]):04X}",
            )
        ) from None
    tokenizer = settings.tokenizer_object
    split = split_text(text, tokenizer, source)
    # the count the person sees: the text's own tokens (a line break one), not the split's, whose cut adds
    # a line end to a part that has none ("abc", 3 characters, is split "a" + "bc" with 2): at most 2 more
    count = len(split.train) + len(split.valid)
    if count < MIN_TOKENS + 2 and (count := len(tokenizer.tokenize(text))) < MIN_TOKENS:
        raise LiveTextError(
            Message(
                "live.text_short",
                "the text has {count} {unit}s (a line break is one); the Live Lab needs at least {minimum} "
                "(a tenth is held out to check the model on text it never trained on): add more text",
                unit=tokenizer.unit,
                count=count,
                minimum=MIN_TOKENS,
            )
        )
    if len(split.valid) < 2:
        raise LiveTextError(
            Message(
                "live.valid_empty",
                "the last tenth of the text holds no {unit}s to check the model on (only spaces or blank "
                "lines): end the text with some of its text",
                unit=tokenizer.unit,
            )
        )
    return split


def lab_batch_size(settings: LiveSettings, corpus: Corpus) -> int:
    """The batch size (columns) a Lab run trains with: the one asked for, fewer for a tiny text, so that
    every column still holds a few windows of `settings.bptt` tokens (at least 1)."""
    return max(1, min(settings.batch_size, corpus.train.numel() // (2 * settings.bptt + 2)))


def live_corpus(text: str, settings: LiveSettings, source: str | None = None) -> Corpus:
    """The text cut by the settings' tokenizer (`live_split`); the held-out end is the validation split.

    The vocabulary comes from the training part, as `lstmlm train` builds it: a word model's capped to
    MAX_WORD_VOCAB, and the classroom list's words left out (no character is on the list); tokens outside
    it read as <unk>. Raises LiveTextError for a text too short."""
    return split_corpus(live_split(text, settings, source), settings)


def split_corpus(split: LiveSplit, settings: LiveSettings) -> Corpus:
    """The corpus of a cut text: ids over the vocabulary of its training tokens (see `live_corpus`)."""
    vocab = Vocab.from_tokens(
        split.train, max_size=max_vocab(settings), exclude=is_hidden, tokenizer=settings.tokenizer_object
    )
    ids = lambda ts: torch.tensor(vocab.encode(ts).ids, dtype=torch.long)  # noqa: E731
    return Corpus(vocab, ids(split.train), ids(split.valid), None)


def max_vocab(settings: LiveSettings) -> int:
    """The vocabulary cap: MAX_WORD_VOCAB words for a word model, none (0) for a character model."""
    return MAX_WORD_VOCAB if settings.tokenizer_object.unit == "word" else 0


def live_configs(settings: LiveSettings, corpus: Corpus) -> tuple[ModelConfig, TrainConfig]:
    """The model and the training settings `train()` gets: a tied LSTM, Adam, cosine over the budget, on
    this process's torch threads (`torch.get_num_threads()`)."""
    model_config = ModelConfig(
        vocab_size=len(corpus.vocab),
        cell="lstm",
        embed_dim=settings.hidden_dim,
        hidden_dim=settings.hidden_dim,
        num_layers=settings.num_layers,
        dropout=settings.dropout,
        tie_weights=True,
    )
    batch_size = lab_batch_size(settings, corpus)
    train_config = TrainConfig(
        optimizer="adam",
        lr=settings.lr,
        schedule="cosine",
        clip=1.0,
        batch_size=batch_size,
        bptt=settings.bptt,
        eval_batch_size=min(10, max(1, corpus.valid.numel() // (settings.bptt + 1))),
        epochs=10**6,  # the time (or token) budget ends the run
        max_minutes=settings.seconds / 60,
        max_words=settings.max_tokens,
        eval_every=settings.eval_every,
        seed=settings.seed,
        device="cpu",
        # the torch threads this process trains on (the server's worker: LAB_THREADS), recorded as they
        # are: config.json's train_config and its command's --threads say the same count (not 0, "torch's
        # default", which on another machine is another count, and another sum's last bits)
        threads=torch.get_num_threads(),
    )
    return model_config, train_config


PROBE_CHARS = 100  # the default probe: the text's first 100 characters


def probe_text(text: str, probe: str | None = None) -> str:
    """What a Live Lab run traces into its snapshots: `probe`, or the text's first PROBE_CHARS characters
    when it is None or blank."""
    return text[:PROBE_CHARS] if probe is None or not probe.strip() else probe


def train_live(
    text: str,
    settings: LiveSettings,
    out: str | os.PathLike,
    callbacks: list | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    probe: str | None = None,
    resume: bool = False,
) -> dict:
    """Train a Live Lab model on `text` into the model directory `out`; returns `train()`'s summary plus
    the vocabulary size, the batch size used and the number of snapshots.

    `probe` (default: the text's first 100 characters) is traced at step 0 and `settings.snapshots` times
    over the run into `out/snapshots/NN.npz`. A run stopped by `should_stop` is a pause: `resume=True`
    with the same text and settings goes on from where it stopped (the same losses as a run never
    paused; the paused time does not count against the budget). Raises LiveTextError / LiveSettingsError
    before training; TrainingDiverged if the loss becomes NaN (lower the learning rate)."""
    settings.check()
    out = Path(out)
    split = live_split(text, settings, teaching_source(text))
    corpus = split_corpus(split, settings)
    model_config, train_config = live_configs(settings, corpus)
    record = command_record(split, settings, corpus, model_config, train_config)
    out.mkdir(parents=True, exist_ok=True)
    for name, part in split.files.items():  # what the command reads, saved with the model (zip_model)
        with open(out / name, "w", encoding="utf-8", newline="") as f:  # newline="": the line breaks as given
            f.write(part)
    listeners = list(callbacks or [])
    probe = probe_text(text, probe)
    watcher = LiveWatcher(settings, corpus, probe, out, listeners, train_config.batch_size, resume)
    summary = train(
        corpus,
        model_config,
        train_config,
        out,
        callbacks=[*listeners, watcher],
        should_stop=should_stop,
        resume=resume,
        summary=record,
    )
    if summary["stop_reason"] != "interrupted":  # a pause takes no final snapshot: the run goes on later
        watcher.finish()
    else:
        watcher.sample()
    return dict(
        summary,
        vocab_size=len(corpus.vocab),
        batch_size=train_config.batch_size,
        snapshots=watcher.taken,
        train_tokens=corpus.train.numel(),
        valid_tokens=corpus.valid.numel(),
        command=record["command"],
    )


def command_record(
    split: LiveSplit,
    settings: LiveSettings,
    corpus: Corpus,
    model_config: ModelConfig,
    train_config: TrainConfig,
) -> dict:
    """What config.json's "training" records about a Lab run, in the keys a `lstmlm train` model has (the
    data, the command that repeats the run, the tokenizer, the vocabulary), and the Lab's settings
    ("live_lab": its batch_size is the one training used, "batch_size_asked" the one asked for when it was
    lowered)."""
    cap = max_vocab(settings)
    record = {
        "data": split.data_args[1],
        "command": live_command(split, settings, model_config, train_config, cap),
    }
    if "--valid" in split.data_args:
        record["valid"] = split.data_args[-1]
    record |= {"tokenizer": corpus.vocab.tokenizer.name, "pretokenized": False}
    record["vocabulary"] = vocabulary_summary(corpus, cap, hidden_excluded=True)
    # the Lab's settings, with the batch size training used (live_configs lowers it for a tiny text, as
    # the command's --batch-size says); the one asked for is kept beside it when it was lowered
    lab = asdict(settings) | {"batch_size": train_config.batch_size}
    if train_config.batch_size != settings.batch_size:
        lab["batch_size_asked"] = settings.batch_size
    return record | {"live_lab": lab}


def zip_model(directory: str | os.PathLike, name: str = "live-lab-model") -> bytes:
    """The model directory as a .zip of `name/` with model.safetensors, config.json, vocab.txt, the
    learning curve (metrics.jsonl) and the text files its recorded command reads (text.txt, or train.txt
    and valid.txt; none for a teaching text), the files' contents (not the save's symlinks).
    FileNotFoundError if no model was saved."""
    directory = Path(directory)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for file in (WEIGHTS, CONFIG, VOCAB, "metrics.jsonl", TEXT_FILE, TRAIN_FILE, VALID_FILE):
            path = directory / file
            if not path.exists():
                if file not in (WEIGHTS, CONFIG, VOCAB):
                    continue
                raise FileNotFoundError(f"{path}: no model has been saved yet")
            z.writestr(f"{name}/{file}", path.read_bytes())
    return buffer.getvalue()
