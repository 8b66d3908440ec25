"""Live Lab: train a small model on a text you bring (a string, not a corpus folder) in seconds; watch it.

    text ──tokenize──> tokens ──first 90%──> train ─┐
                              └──last 10%──> valid ─┴─> train() (the same loop as `lstmlm train`)
                                                             │ callbacks, between steps
                              samples (same seed each time) <┤  every `sample_every_s` of training time
                  snapshots: the probe's gates, cell and h  <┘  `snapshots` times over the run

`train_live(text, settings, out, callbacks, should_stop, probe)` builds the corpus from the string (the
last `VALID_FRACTION` of its tokens held out for validation), checks the settings against safe ranges
(`LiveSettings.check`), and runs `train()` with a time budget; the best model is saved in `out` as a
model directory that `load_model` (and `lstm-playground --model`) reads. Callbacks that define
`on_sample(Sample)` / `on_snapshot(Snapshot)` also hear about samples and snapshots. A word model's
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
from lstmlm.data import Corpus
from lstmlm.model import ModelConfig
from lstmlm.safewords import is_hidden
from lstmlm.training.config import TrainConfig
from lstmlm.training.live.settings import LiveSettings, LiveTextError, check_text
from lstmlm.training.live.watcher import LiveWatcher
from lstmlm.training.loop import train
from lstmlm.vocab import Vocab

MIN_TOKENS = 200  # fewer tokens than this cannot be split into training and validation usefully
VALID_FRACTION = 0.1  # the last tenth of the text's tokens is held out for validation
MAX_WORD_VOCAB = 5000  # a word model keeps the most frequent words (the softmax is most of a step)


def live_corpus(text: str, settings: LiveSettings) -> Corpus:
    """The text cut by the settings' tokenizer; the last VALID_FRACTION of tokens is the validation split.

    The vocabulary comes from the training part (a word model's capped to MAX_WORD_VOCAB and without the
    classroom list's words; tokens outside it read as <unk>). Raises LiveTextError for a text too short."""
    check_text(text)
    tokenizer = settings.tokenizer_object
    tokens = tokenizer.tokenize(text)
    if len(tokens) < MIN_TOKENS:
        unit = tokenizer.unit
        raise LiveTextError(
            f"the text has {len(tokens)} {unit}s; the Live Lab needs at least {MIN_TOKENS} "
            f"(a tenth is held out to check the model on text it never trained on): add more text"
        )
    n_valid = max(2, int(len(tokens) * VALID_FRACTION))
    train_tokens, valid_tokens = tokens[:-n_valid], tokens[-n_valid:]
    words = tokenizer.unit == "word"
    vocab = Vocab.from_tokens(
        train_tokens,
        max_size=MAX_WORD_VOCAB if words else 0,
        exclude=is_hidden if words else None,  # a character model: the run-time filter hides listed words
        tokenizer=tokenizer,
    )
    ids = lambda ts: torch.tensor(vocab.encode(ts).ids, dtype=torch.long)  # noqa: E731
    return Corpus(vocab, ids(train_tokens), ids(valid_tokens), None)


def live_configs(settings: LiveSettings, corpus: Corpus) -> tuple[ModelConfig, TrainConfig]:
    """The model and the training settings `train()` gets: a tied LSTM, Adam, cosine over the budget."""
    model_config = ModelConfig(
        vocab_size=len(corpus.vocab),
        cell="lstm",
        embed_dim=settings.hidden_dim,
        hidden_dim=settings.hidden_dim,
        num_layers=settings.num_layers,
        dropout=settings.dropout,
        tie_weights=True,
    )
    # a tiny text gets fewer columns, so every column still holds a few windows
    batch_size = max(1, min(settings.batch_size, corpus.train.numel() // (2 * settings.bptt + 2)))
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
    )
    return model_config, train_config


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
    corpus = live_corpus(text, settings)
    model_config, train_config = live_configs(settings, corpus)
    listeners = list(callbacks or [])
    probe = text[:100] if probe is None or not probe.strip() else probe
    watcher = LiveWatcher(settings, corpus, probe, out, listeners, train_config.batch_size, resume)
    summary = train(
        corpus,
        model_config,
        train_config,
        out,
        callbacks=[*listeners, watcher],
        should_stop=should_stop,
        resume=resume,
        summary={"live_lab": asdict(settings)},
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
    )


def zip_model(directory: str | os.PathLike, name: str = "live-lab-model") -> bytes:
    """The model directory as a .zip of `name/` with model.safetensors, config.json, vocab.txt and the
    learning curve (metrics.jsonl), the files' contents (not the save's symlinks). FileNotFoundError if
    no model was saved."""
    directory = Path(directory)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for file in (WEIGHTS, CONFIG, VOCAB, "metrics.jsonl"):
            path = directory / file
            if not path.exists():
                if file == "metrics.jsonl":
                    continue
                raise FileNotFoundError(f"{path}: no model has been saved yet")
            z.writestr(f"{name}/{file}", path.read_bytes())
    return buffer.getvalue()
