"""The Live Lab's watcher: a training callback that, between steps, takes a sample every few seconds and
snapshots of the probe (gates, cell and h, per-unit statistics, the model itself) at evenly spaced moments."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import torch

from lstmlm.cells import LOW, quantities, unit_saturation
from lstmlm.checkpoint import save_model
from lstmlm.data import Corpus, batchify
from lstmlm.model import LanguageModel
from lstmlm.safewords import hide_in_text
from lstmlm.sampling import generate, make_generator
from lstmlm.studies.tracks import compute_tracks
from lstmlm.studies.unit_ranking import rank_tracks
from lstmlm.trace import trace
from lstmlm.training.config import Callback, Progress
from lstmlm.training.live.settings import LiveSettings
from lstmlm.training.live.snapshots import Sample, Snapshot

MAX_PROBE_TOKENS = 150  # the probe traced at each snapshot (its heatmap: tokens x units, kept small)
MAX_STATS_TOKENS = 1000  # validation tokens each snapshot traces for its per-unit statistics ("what changed")
# a snapshot's weights are saved as float32 up to this many parameters (1x128 characters: ~140k, 0.6 MB a
# snapshot), as float16 above (2x256: ~1.1M parameters, 2.2 MB a snapshot, 21 at most)
MAX_FLOAT32_SNAPSHOT_PARAMS = 500_000
STATS_COLUMNS = 8  # ... read as 8 columns side by side (the traced forward's cost is per step, not per token)
SATURATED = LOW  # a gate is saturated at a step when it is below 0.1 or above 0.9 (lstmlm.cells: LOW, HIGH)


class LiveWatcher(Callback):
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
        self.probe_unknown = [p for p in encoded.unknown if p < MAX_PROBE_TOKENS]  # read as <unk>
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
            unknown=self.probe_unknown,
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
        gates = [q for q in quantities("lstm") if q.is_sigmoid]  # i, f, o
        for n, layer in enumerate(tr.layers):
            for q in gates:
                x = layer.get(q.key).numpy()  # (S, B, H)
                out[f"l{n}_sat_{q.key}"] = unit_saturation(q, x.reshape(-1, x.shape[-1])).astype(np.float32)
            cells.append(layer.get("c").permute(2, 1, 0).reshape(layer.c.size(2), -1).numpy())  # (H, B*S)
        rankings = rank_tracks({"c": np.ascontiguousarray(np.stack(cells), dtype=np.float32)}, self.tracks)
        for name, ranking in rankings.items():
            for n in range(len(tr.layers)):
                out[f"l{n}_track_{name}"] = ranking.statistic[n, 0].astype(np.float32)  # (H,)
        return out
