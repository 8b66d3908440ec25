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
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from importlib import resources
from pathlib import Path

import numpy as np
import torch

from lstmlm.checkpoint import CONFIG, VOCAB, WEIGHTS, save_model
from lstmlm.data import Corpus, batchify
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.safewords import hide_in_text, is_hidden
from lstmlm.sampling import generate, make_generator
from lstmlm.studies.cell_hunt import Track, compute_tracks, rank_tracks
from lstmlm.tokenizers import CHARS, WIKITEXT, Tokenizer
from lstmlm.trace import trace
from lstmlm.training.loop import Callback, Progress, TrainConfig, train
from lstmlm.vocab import Vocab

MAX_TEXT_BYTES = 2_000_000  # a pasted or uploaded text (UTF-8 bytes); ~2 MB trains for minutes per epoch
MIN_TOKENS = 200  # fewer tokens than this cannot be split into training and validation usefully
VALID_FRACTION = 0.1  # the last tenth of the text's tokens is held out for validation
MAX_PROBE_TOKENS = 150  # the probe traced at each snapshot (its heatmap: tokens x units, kept small)
MAX_WORD_VOCAB = 5000  # a word model keeps the most frequent words (the softmax is most of a step)
TOKENIZERS = {"chars": CHARS, "words": WIKITEXT}  # what the Live Lab offers: characters, or WikiText words
MAX_STATS_TOKENS = 1000  # validation tokens each snapshot traces for its per-unit statistics ("what changed")
# a snapshot's weights are saved as float32 up to this many parameters (1x128 characters: ~140k, 0.6 MB a
# snapshot), as float16 above (2x256: ~1.1M parameters, 2.2 MB a snapshot, 21 at most)
MAX_FLOAT32_SNAPSHOT_PARAMS = 500_000
STATS_COLUMNS = 8  # ... read as 8 columns side by side (the traced forward's cost is per step, not per token)
SATURATED = 0.1  # a gate is saturated at a step when it is below 0.1 or above 0.9 (Karpathy et al. 2015)
PACKAGED_TEXTS = "_teaching_texts"  # lstmlm/_teaching_texts/<name>.txt inside a built wheel (setup.py)
SOURCE_TEXTS = Path(__file__).resolve().parents[2] / "assets" / "teaching_texts"  # a clone's copies


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


def teaching_root():
    """The folder of the teaching texts: the package data of an installed wheel, else a clone's assets."""
    try:
        packaged = resources.files("lstmlm") / PACKAGED_TEXTS
    except (ModuleNotFoundError, TypeError):  # pragma: no cover: imported without a package spec
        packaged = None
    return packaged if packaged is not None and packaged.is_dir() else SOURCE_TEXTS


@dataclass(frozen=True)
class TeachingText:
    """A built-in text written for teaching: what it is, which cell to look for once trained, and the
    cell-hunt track that marks that structure (`planted_track`)."""

    name: str
    title: str
    look_for: str
    track: str  # a cell-hunt track name, or "ab_depth" (a's read minus b's read in the line)

    def read(self) -> str:
        """The text (UTF-8), from the installed package or the clone's assets/teaching_texts/."""
        return (teaching_root() / f"{self.name}.txt").read_text(encoding="utf-8")


TEACHING_TEXTS = {
    t.name: t
    for t in [
        TeachingText("quotes", "Dialogue with quotes", "a unit that is on inside quotes and off outside",
                     "quote"),
        TeachingText("brackets", "Nested brackets", "a unit whose cell rises at '(' and falls at ')'",
                     "paren"),
        TeachingText("anbn", "a^n b^n sequences", "a unit that counts the a's up, then the b's down",
                     "ab_depth"),
        TeachingText("numbered", "Numbered lines", "units that track the position in the line", "line_pos"),
        TeachingText("program", "A tiny program", "units for indentation and for inside a string", "quote"),
        TeachingText("poem", "Two short poems (Lear, Blake)", "a model that recites: line breaks, rhymes",
                     "line_pos"),
    ]
}  # fmt: skip


def planted_track(teaching: TeachingText, tokens: list[str], tokenizer: Tokenizer) -> Track:
    """The track of the structure `teaching` was written around, over `tokens` (one value per token).

    "ab_depth" counts a's minus b's read so far in the line (0 after a line break): a^n b^n's counter;
    the others are the cell hunt's built-in tracks."""
    if teaching.track != "ab_depth":
        return compute_tracks(tokens, tokenizer)[teaching.track]
    depth, values = 0, np.zeros(len(tokens))
    for n, token in enumerate(tokens):
        depth = 0 if token in ("<eos>", "\n") else depth + (token == "a") - (token == "b")
        values[n] = depth
    return Track("ab_depth", "a's minus b's read in the line", "count", values)


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
    model_dir: Path  # the model as it was, a model directory (`load_model` reads it)


@dataclass
class SnapshotData:
    """A snapshot's arrays: `values[layer][q]` is (T, H) for q in i, f, g, o, c, h (T = len(tokens))."""

    tokens: list[str]
    values: list[dict[str, np.ndarray]]
    meta: dict
    # per layer, (H,) arrays over the held-out text: "sat_i"/"sat_f"/"sat_o" (fraction of steps saturated)
    # and "track_<name>" for each cell-hunt track in meta["tracks"] (AUC or Pearson r of the unit's cell)
    stats: list[dict[str, np.ndarray]] = field(default_factory=list)


def load_snapshot(path: str | os.PathLike) -> SnapshotData:
    """Read a snapshot's .npz (written by `train_live`)."""
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        layers = [
            {q: z[f"l{n}_{q}"].astype(np.float32) for q in meta["quantities"]} for n in range(meta["layers"])
        ]
        stats = [
            {k[len(f"l{n}_") :]: z[k] for k in z.files if k.startswith((f"l{n}_sat_", f"l{n}_track_"))}
            for n in range(meta["layers"])
        ]
    return SnapshotData(meta["tokens"], layers, meta, stats)


@dataclass
class UnitChange:
    """How one unit changed between two snapshots: `before` and `after` are scores (saturation: the
    fraction of steps saturated; a track: max(AUC, 1 - AUC) or |r|), `change` = after - before."""

    layer: int
    unit: int
    what: str  # "sat_f" ... or "track_quote" ...
    label: str
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before


def snapshot_changes(first: SnapshotData, second: SnapshotData, k: int = 3) -> dict[str, list[UnitChange]]:
    """What changed from `first` to `second`, per statistic (each gate's saturation, each cell-hunt
    track): the k units whose score changed most (by |change|, largest first). ValueError when the two
    come from different models (a different number of layers or units)."""
    if len(first.stats) != len(second.stats) or any(
        a.keys() != b.keys() or any(a[q].shape != b[q].shape for q in a)
        for a, b in zip(first.stats, second.stats, strict=True)
    ):
        raise ValueError("the two snapshots come from different models: compare snapshots of one training")
    gates = {"i": "input", "f": "forget", "o": "output"}
    labels = {f"sat_{q}": f"{name} gate saturated" for q, name in gates.items()}
    kinds = {}
    for name, label, kind in second.meta.get("tracks", []):
        labels[f"track_{name}"], kinds[f"track_{name}"] = label, kind

    def score(what: str, x: np.ndarray) -> np.ndarray:
        if kinds.get(what) == "binary":
            x = np.maximum(x, 1 - x)
        elif what in kinds:
            x = np.abs(x)
        return np.nan_to_num(x.astype(np.float64), nan=0.0)

    out: dict[str, list[UnitChange]] = {}
    for what in (w for w in labels if second.stats and w in second.stats[0]):
        rows = []
        for n, (a, b) in enumerate(zip(first.stats, second.stats, strict=True)):
            before, after = score(what, a[what]), score(what, b[what])
            rows += [UnitChange(n, u, what, labels[what], float(before[u]), float(after[u]))
                     for u in range(before.size)]  # fmt: skip
        rows.sort(key=lambda r: (-abs(r.change), r.layer, r.unit))
        out[what] = rows[:k]
    return out


class _Watcher(Callback):
    """Between steps: a sample every `sample_every_s`, and the probe traced at evenly spaced moments."""

    def __init__(
        self,
        settings: LiveSettings,
        corpus: Corpus,
        probe: str,
        out: Path,
        listeners: list,
        batch_size: int,
        resume: bool = False,
    ) -> None:
        vocab = corpus.vocab
        self.settings, self.vocab, self.listeners, self.resume = settings, vocab, listeners, resume
        self.batch_tokens = settings.bptt * batch_size  # tokens per step (the last window of a pass: fewer)
        encoded = vocab.encode_text(probe)
        self.probe_tokens = encoded.tokens[:MAX_PROBE_TOKENS]
        self.probe_ids = encoded.ids[:MAX_PROBE_TOKENS]
        # the per-unit statistics of each snapshot read the start of the held-out text, with its tracks
        n_stats = min(corpus.valid.numel(), MAX_STATS_TOKENS) // STATS_COLUMNS * STATS_COLUMNS
        self.stats_ids = corpus.valid[:n_stats].tolist()  # whole columns: column b is ids[b*S:(b+1)*S]
        stats_tokens = vocab.decode(self.stats_ids)
        self.tracks = [t for t in compute_tracks(stats_tokens, vocab.tokenizer).values() if not t.usable]
        self.folder = out / "snapshots"
        self.model: LanguageModel | None = None
        self.step, self.seconds, self.loss = 0, 0.0, math.nan
        self.last_sample_s = -math.inf
        self.taken, self.last_snapshot_step = 0, -1
        if resume:  # a paused run goes on: its snapshots stay and the next one gets the next number
            self.taken = len(list(self.folder.glob("*.npz")))
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
        if self.resume:
            return
        for old in self.folder.iterdir():  # a new run in the same folder: the old run's snapshots go
            shutil.rmtree(old) if old.is_dir() else old.unlink()
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
        arrays |= self.unit_stats()
        meta = dict(
            tokens=self.probe_tokens,
            layers=len(tr.layers),
            quantities=list(tr.quantities),
            step=self.step,
            seconds=round(self.seconds, 2),
            loss=self.loss,
            tracks=[[t.name, t.label.format(unit=self.vocab.tokenizer.unit), t.kind] for t in self.tracks],
            stats_tokens=len(self.stats_ids),
        )
        path = self.folder / f"{self.taken:02d}.npz"
        np.savez_compressed(path, meta=np.array(json.dumps(meta)), **arrays)
        # the model itself, so that every view can open it as it was (exact float32 for small models)
        small = sum(p.numel() for p in model.parameters()) <= MAX_FLOAT32_SNAPSHOT_PARAMS
        info = {"live_lab_snapshot": dict(index=self.taken, step=self.step, seconds=round(self.seconds, 2))}
        model_dir = save_model(
            self.folder / f"{self.taken:02d}",
            model,
            self.vocab,
            info,
            torch.float32 if small else torch.float16,
        )
        snap = Snapshot(self.taken, self.step, round(self.seconds, 2), self.loss, path, model_dir)
        self._tell("on_snapshot", snap)
        self.taken += 1
        self.last_snapshot_step = self.step

    def unit_stats(self) -> dict[str, np.ndarray]:
        """Per unit, over the start of the held-out text: how often each gate is saturated (l{n}_sat_{q},
        the fraction of steps below SATURATED or above 1 - SATURATED) and how well its cell follows each
        cell-hunt track (l{n}_track_{name}: the AUC of a yes/no track, Pearson r of a count; NaN: none)."""
        if len(self.stats_ids) < 2 * STATS_COLUMNS:
            return {}
        model = self.model
        was_training = model.training
        model.eval()
        # STATS_COLUMNS columns read side by side (each from a zero state, as evaluation reads): the traced
        # forward steps one token at a time, so 8 columns of 125 cost about as much as 125 tokens
        data = batchify(torch.tensor(self.stats_ids, dtype=torch.long), STATS_COLUMNS)  # (S, B)
        tr = trace(model, data, log_probs=False)
        model.train(was_training)
        out = {}
        cells = []
        for n, layer in enumerate(tr.layers):
            for q in ("i", "f", "o"):
                x = layer.get(q).numpy()  # (S, B, H)
                out[f"l{n}_sat_{q}"] = (
                    ((x < SATURATED) | (x > 1 - SATURATED)).mean(axis=(0, 1)).astype(np.float32)
                )
            cells.append(layer.get("c").permute(2, 1, 0).reshape(layer.c.size(2), -1).numpy())  # (H, B*S)
        rankings = rank_tracks({"c": np.ascontiguousarray(np.stack(cells), dtype=np.float32)}, self.tracks)
        for name, ranking in rankings.items():
            for n in range(len(tr.layers)):
                out[f"l{n}_track_{name}"] = ranking.statistic[n, 0].astype(np.float32)  # (H,)
        return out


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
    watcher = _Watcher(settings, corpus, probe, out, listeners, train_config.batch_size, resume)
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
