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
import json
import math
import numbers
import os
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np
import torch

from .checkpoint import CONFIG, VOCAB, WEIGHTS
from .data import Corpus
from .model import LanguageModel, ModelConfig
from .safewords import hide_in_text, is_hidden
from .sampling import generate, make_generator
from .tokenizers import CHARS, WIKITEXT, Tokenizer
from .trace import trace
from .train import Callback, Progress, TrainConfig, train
from .vocab import Vocab

MAX_TEXT_BYTES = 2_000_000  # a pasted or uploaded text (UTF-8 bytes); ~2 MB trains for minutes per epoch
MIN_TOKENS = 200  # fewer tokens than this cannot be split into training and validation usefully
VALID_FRACTION = 0.1  # the last tenth of the text's tokens is held out for validation
MAX_PROBE_TOKENS = 150  # the probe traced at each snapshot (its heatmap: tokens x units, kept small)
MAX_WORD_VOCAB = 5000  # a word model keeps the most frequent words (the softmax is most of a step)
TOKENIZERS = {"chars": CHARS, "words": WIKITEXT}  # what the Live Lab offers: characters, or WikiText words
TEACHING_DIR = Path(__file__).resolve().parent.parent / "assets" / "teaching_texts"


class LiveTextError(ValueError):
    """A text that cannot be trained on (empty, too short, too big, not text); the message says what to do."""


class LiveSettingsError(ValueError):
    """A setting outside its safe range; the message names it, the range and the value given."""


@dataclass
class LiveSettings:
    """What the Live Lab trains: a small model, a time budget and a seed (each range checked by `check`)."""

    tokenizer: str = field(default="chars", metadata={"choices": list(TOKENIZERS)})  # chars | words
    num_layers: int = field(default=1, metadata={"range": (1, 2)})  # stacked LSTM layers
    hidden_dim: int = field(default=128, metadata={"range": (16, 256)})  # units per layer (= embedding size)
    bptt: int = field(default=100, metadata={"range": (10, 200)})  # sequence length: tokens per window
    batch_size: int = field(default=32, metadata={"range": (1, 64)})  # windows a step (fewer: tiny texts)
    lr: float = field(default=0.005, metadata={"range": (1e-4, 0.05)})  # Adam's peak rate; cosine to 0
    dropout: float = field(default=0.0, metadata={"range": (0.0, 0.5)})  # a minute rarely overfits
    seconds: float = field(default=60.0, metadata={"range": (10.0, 300.0)})  # training time budget
    seed: int = field(default=0, metadata={"range": (0, 2**31 - 1)})  # weights' initialisation
    # a budget in tokens makes a run repeatable step for step, when it ends the run well before the time
    # budget (the schedule follows whichever is further along; 0 = none)
    max_tokens: int = field(default=0, metadata={"range": (0, 10**9)})
    eval_every: int = field(default=25, metadata={"range": (1, 10_000)})  # validate every N steps
    snapshots: int = field(default=12, metadata={"range": (1, 20)})  # probe traces over the run (+ step 0)
    sample_every_s: float = field(default=3.0, metadata={"range": (0.5, 60.0)})  # a sample this often

    def check(self) -> LiveSettings:
        """Raise LiveSettingsError for a setting of the wrong kind or outside its range; returns self."""
        for f in fields(self):
            value = getattr(self, f.name)
            if "choices" in f.metadata:
                if value not in f.metadata["choices"]:
                    choices = " or ".join(f.metadata["choices"])
                    raise LiveSettingsError(f"{f.name} must be {choices}, got {value!r}")
                continue
            lo, hi = f.metadata["range"]
            whole = f.type == "int"
            ok_type = isinstance(value, numbers.Integral if whole else numbers.Real) and not isinstance(
                value, bool
            )
            if not ok_type or (not whole and not math.isfinite(value)):
                kind = "a whole number" if whole else "a number"
                raise LiveSettingsError(f"{f.name} must be {kind} in {lo:g}..{hi:g}, got {value!r}")
            if not lo <= value <= hi:
                raise LiveSettingsError(f"{f.name} must be in {lo:g}..{hi:g}, got {value:g}")
        return self

    @classmethod
    def from_dict(cls, values: dict) -> LiveSettings:
        """Settings from JSON-like values (unknown names refused; whole floats accepted as ints), checked."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise LiveSettingsError(f"unknown settings {unknown}: the settings are {', '.join(known)}")
        cleaned = {}
        for name, value in values.items():
            if known[name].type == "int" and isinstance(value, float) and value.is_integer():
                value = int(value)
            cleaned[name] = value
        return cls(**cleaned).check()

    @property
    def tokenizer_object(self) -> Tokenizer:
        return TOKENIZERS[self.tokenizer]


@dataclass(frozen=True)
class TeachingText:
    """A built-in text written for teaching: what it is and which cell to look for once trained."""

    name: str
    title: str
    look_for: str

    @property
    def path(self) -> Path:
        return TEACHING_DIR / f"{self.name}.txt"

    def read(self) -> str:
        return self.path.read_text(encoding="utf-8")


TEACHING_TEXTS = {
    t.name: t
    for t in [
        TeachingText("quotes", "Dialogue with quotes", "a unit that is on inside quotes and off outside"),
        TeachingText("brackets", "Nested brackets", "a unit whose cell rises at '(' and falls at ')'"),
        TeachingText("anbn", "a^n b^n sequences", "a unit that counts the a's up, then the b's down"),
        TeachingText("numbered", "Numbered lines", "units that track the position in the line"),
        TeachingText("program", "A tiny program", "units for indentation and for inside a string"),
        TeachingText("poem", "Two short poems (Lear, Blake)", "a model that recites: line breaks, rhymes"),
    ]
}


def check_text(text: str) -> str:
    """The text if it can be trained on; LiveTextError saying why not (empty, too big, too short)."""
    if not isinstance(text, str) or not text.strip():
        raise LiveTextError("the text is empty: paste a text, upload a .txt file or pick a teaching text")
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_TEXT_BYTES:
        raise LiveTextError(
            f"the text is {size / 1e6:.1f} MB; the Live Lab takes at most {MAX_TEXT_BYTES / 1e6:g} MB: "
            "use a part of it"
        )
    return text


def read_upload(data: bytes, name: str = "the file") -> str:
    """An uploaded file's bytes as text: UTF-8 (a BOM dropped) and no binary; LiveTextError otherwise."""
    if len(data) > MAX_TEXT_BYTES:
        raise LiveTextError(
            f"{name} is {len(data) / 1e6:.1f} MB; the Live Lab takes at most {MAX_TEXT_BYTES / 1e6:g} MB "
            "of text: upload a part of it"
        )
    if b"\x00" in data[:65536]:
        raise LiveTextError(f"{name} is not a text file (it holds binary data): upload a plain .txt file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise LiveTextError(
            f"{name} is not UTF-8 text: the byte at offset {e.start:,} (line {line}) is "
            f"0x{data[e.start : e.start + 1].hex()}. Save it as UTF-8 in your editor (or "
            "iconv -f cp1252 -t utf-8) and upload it again"
        ) from None
    return check_text(text)


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


@dataclass
class Sample:
    """A text generated by the model in training (the same seed every time, so it visibly improves)."""

    step: int
    seconds: float
    text: str


@dataclass
class Snapshot:
    """The probe traced by the model at one moment of training; `path` holds the arrays (`load_snapshot`)."""

    index: int
    step: int
    seconds: float
    loss: float  # the training loss of the last step (nats/token; nan before the first)
    path: Path


@dataclass
class SnapshotData:
    """A snapshot's arrays: `values[layer][q]` is (T, H) for q in i, f, g, o, c, h (T = len(tokens))."""

    tokens: list[str]
    values: list[dict[str, np.ndarray]]
    meta: dict


def load_snapshot(path: str | os.PathLike) -> SnapshotData:
    """Read a snapshot's .npz (written by `train_live`)."""
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        layers = [
            {q: z[f"l{n}_{q}"].astype(np.float32) for q in meta["quantities"]} for n in range(meta["layers"])
        ]
    return SnapshotData(meta["tokens"], layers, meta)


class _Watcher(Callback):
    """Between steps: a sample every `sample_every_s`, and the probe traced at evenly spaced moments."""

    def __init__(
        self, settings: LiveSettings, vocab: Vocab, probe: str, out: Path, listeners: list, batch_size: int
    ) -> None:
        self.settings, self.vocab, self.listeners = settings, vocab, listeners
        self.batch_tokens = settings.bptt * batch_size  # tokens per step (the last window of a pass: fewer)
        encoded = vocab.encode_text(probe)
        self.probe_tokens = encoded.tokens[:MAX_PROBE_TOKENS]
        self.probe_ids = encoded.ids[:MAX_PROBE_TOKENS]
        self.folder = out / "snapshots"
        self.model: LanguageModel | None = None
        self.step, self.seconds, self.loss = 0, 0.0, math.nan
        self.last_sample_s = -math.inf
        self.taken, self.last_snapshot_step = 0, -1
        self.sample_tokens = 240 if vocab.tokenizer.unit == "character" else 40

    def _tell(self, method: str, value) -> None:
        for cb in self.listeners:
            if (fn := getattr(cb, method, None)) is not None:
                fn(value)

    def fraction(self) -> float:
        """How far the run is: time against the budget, or tokens against max_tokens (the larger)."""
        s = self.settings
        done = self.seconds / s.seconds
        if s.max_tokens and self.model is not None:
            done = max(done, self.step * self.batch_tokens / s.max_tokens)
        return min(done, 1.0)

    def on_start(self, model: LanguageModel) -> None:
        self.model = model
        self.model.vocab = self.vocab  # the sampler reads the vocabulary (eos, blocked ids) from the model
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.npz"):
            old.unlink()
        self.snapshot()

    def on_step(self, p: Progress) -> None:
        self.step, self.seconds, self.loss = p.step, p.seconds, p.loss
        if self.seconds - self.last_sample_s >= self.settings.sample_every_s:
            self.sample()
        if self.taken < self.settings.snapshots and self.taken <= self.fraction() * self.settings.snapshots:
            self.snapshot()

    def finish(self) -> None:
        """The final sample, and the final snapshot unless the last step already has one."""
        self.sample()
        if self.last_snapshot_step != self.step:  # the last one is always the final model
            self.snapshot()

    def sample(self) -> None:
        model = self.model
        was_training = model.training
        gen = generate(model, [], self.sample_tokens, temperature=0.8, generator=make_generator(12345))
        text = self.vocab.tokenizer.detokenize([w.word for w in gen])
        model.train(was_training)
        self.last_sample_s = self.seconds
        self._tell("on_sample", Sample(self.step, round(self.seconds, 2), hide_in_text(text)[0]))

    def snapshot(self) -> None:
        if not self.probe_ids:
            return
        model = self.model
        was_training = model.training
        model.eval()
        tr = trace(model, self.probe_ids, log_probs=False)
        model.train(was_training)
        arrays = {
            f"l{n}_{q}": layer.get(q)[:, 0].numpy().astype(np.float16)
            for n, layer in enumerate(tr.layers)
            for q in tr.quantities
        }
        meta = dict(
            tokens=self.probe_tokens,
            layers=len(tr.layers),
            quantities=list(tr.quantities),
            step=self.step,
            seconds=round(self.seconds, 2),
            loss=self.loss,
        )
        path = self.folder / f"{self.taken:02d}.npz"
        np.savez_compressed(path, meta=np.array(json.dumps(meta)), **arrays)
        self._tell("on_snapshot", Snapshot(self.taken, self.step, round(self.seconds, 2), self.loss, path))
        self.taken += 1
        self.last_snapshot_step = self.step


def train_live(
    text: str,
    settings: LiveSettings,
    out: str | os.PathLike,
    callbacks: list | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    probe: str | None = None,
) -> dict:
    """Train a Live Lab model on `text` into the model directory `out`; returns `train()`'s summary plus
    the vocabulary size, the batch size used and the number of snapshots.

    `probe` (default: the text's first 100 characters) is traced at step 0 and `settings.snapshots` times
    over the run into `out/snapshots/NN.npz`. Raises LiveTextError / LiveSettingsError before training;
    TrainingDiverged if the loss becomes NaN (lower the learning rate)."""
    settings.check()
    out = Path(out)
    corpus = live_corpus(text, settings)
    model_config, train_config = live_configs(settings, corpus)
    listeners = list(callbacks or [])
    probe = text[:100] if probe is None or not probe.strip() else probe
    watcher = _Watcher(settings, corpus.vocab, probe, out, listeners, train_config.batch_size)
    summary = train(
        corpus,
        model_config,
        train_config,
        out,
        callbacks=[*listeners, watcher],
        should_stop=should_stop,
        summary={"live_lab": asdict(settings)},
    )
    watcher.finish()
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
