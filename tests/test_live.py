"""lstmlm.training.live: a Live Lab training on a string, checked without a browser (tiny texts, seconds)."""

from __future__ import annotations

import io
import json
import math
import random
import zipfile

import numpy as np
import pytest
import torch

from lstmlm.checkpoint import load_model
from lstmlm.data import batchify
from lstmlm.model import LanguageModel
from lstmlm.safewords import hidden_words
from lstmlm.studies.tracks import compute_tracks, track_names
from lstmlm.tokenizers import CHARS, WIKITEXT
from lstmlm.trace import trace
from lstmlm.training.live import (
    MAX_STATS_TOKENS,
    MAX_TEXT_BYTES,
    PACKAGED_TEXTS,
    SOURCE_TEXTS,
    STATS_COLUMNS,
    TEACHING_TEXTS,
    LiveSettings,
    LiveSettingsError,
    LiveTextError,
    SnapshotData,
    live_configs,
    live_corpus,
    load_snapshot,
    planted_track,
    read_upload,
    snapshot_changes,
    teaching_root,
    train_live,
    zip_model,
)
from lstmlm.training.loop import Callback, evaluate


def anbn_text(lines: int = 300, seed: int = 0) -> str:
    rng = random.Random(seed)
    return "".join("a" * n + "b" * n + "\n" for n in (rng.randint(1, 6) for _ in range(lines)))


TINY = dict(hidden_dim=16, bptt=20, batch_size=4, eval_every=10, sample_every_s=0.5, snapshots=4)


class Recorder(Callback):
    def __init__(self, stop_after: int = 0) -> None:
        self.evals, self.samples, self.snaps, self.steps = [], [], [], 0
        self.stop_after = stop_after

    def on_step(self, p) -> None:
        self.steps = p.step

    def on_eval(self, record: dict) -> None:
        self.evals.append(record)

    def on_sample(self, sample) -> None:
        self.samples.append(sample)

    def on_snapshot(self, snap) -> None:
        self.snaps.append(snap)


def test_loss_decreases_and_the_reloaded_model_gives_the_saved_loss(tmp_path):
    text = anbn_text()
    settings = LiveSettings(seconds=10, max_tokens=8000, **TINY)
    rec = Recorder()
    summary = train_live(text, settings, tmp_path, [rec])
    assert summary["stop_reason"] == "character budget"
    vals = [r["val_loss"] for r in rec.evals]
    # a^n b^n over 3 symbols: uniform is log(vocab) nats; the trained model does far better than its start
    assert vals[0] > vals[-1] + 0.3
    assert summary["best_val_loss"] < math.log(summary["vocab_size"]) - 0.3
    # the saved model, reloaded, scores the validation split exactly as the run recorded it
    model = load_model(tmp_path)
    corpus = live_corpus(text, settings)
    _, cfg = live_configs(settings, corpus)
    loss, _ = evaluate(model, batchify(corpus.valid, cfg.eval_batch_size), cfg.bptt)
    assert loss == pytest.approx(summary["best_val_loss"], abs=1e-5)
    assert model.tokenizer.name == "chars"
    assert model.vocab.words == corpus.vocab.words
    assert rec.samples and all(isinstance(s.text, str) for s in rec.samples)


def test_same_seed_same_losses_and_stop_works(tmp_path):
    text = anbn_text()
    # the token budget drives the schedule (the time budget, far off, never catches up): repeatable
    settings = LiveSettings(seconds=300, max_tokens=3000, seed=7, **TINY)
    runs = []
    for n in range(2):
        rec = Recorder()
        train_live(text, settings, tmp_path / str(n), [rec])
        runs.append([(r["step"], r["val_loss"]) for r in rec.evals])
    assert runs[0] == runs[1] and len(runs[0]) >= 2
    rec = Recorder()
    summary = train_live(text, settings, tmp_path / "stopped", [rec], should_stop=lambda: rec.steps >= 3)
    assert summary["stop_reason"] == "interrupted"
    assert summary["steps"] == 3


def test_snapshots_trace_the_probe_over_training(tmp_path):
    text = anbn_text()
    settings = LiveSettings(seconds=30, max_tokens=4000, **TINY)
    rec = Recorder()
    summary = train_live(text, settings, tmp_path, [rec], probe="aaabbb\naabb")
    assert summary["snapshots"] == len(rec.snaps) == settings.snapshots + 1
    assert [s.index for s in rec.snaps] == list(range(len(rec.snaps)))
    steps = [s.step for s in rec.snaps]
    assert steps[0] == 0 and steps == sorted(steps) and steps[-1] == summary["steps"]
    first = load_snapshot(rec.snaps[0].path)
    assert first.tokens == list("aaabbb") + ["<eos>"] + list("aabb")
    # step 0 is the untrained model: the same seed's initial weights traced again give the same cell
    corpus = live_corpus(text, settings)
    model_config, _ = live_configs(settings, corpus)
    torch.manual_seed(settings.seed)
    fresh = LanguageModel(model_config).eval()
    ids = corpus.vocab.encode(first.tokens).ids
    expected = trace(fresh, ids, log_probs=False).layers[0]
    for q in ("f", "c", "h"):
        np.testing.assert_allclose(first.values[0][q], expected.get(q)[:, 0].numpy(), atol=2e-3)
    last = load_snapshot(rec.snaps[-1].path)
    assert np.abs(last.values[0]["c"] - first.values[0]["c"]).max() > 0.1  # training changed the cell
    # each snapshot keeps its model: loaded, it traces the probe as the snapshot recorded (float16 arrays)
    for snap in (rec.snaps[0], rec.snaps[len(rec.snaps) // 2], rec.snaps[-1]):
        model = load_model(snap.model_dir)
        config = json.loads((snap.model_dir / "config.json").read_text())
        assert config["training"]["live_lab_snapshot"]["step"] == snap.step
        saved = load_snapshot(snap.path)
        traced = trace(model.eval(), ids, log_probs=False).layers[0]
        for q in ("i", "f", "c", "h"):
            np.testing.assert_allclose(saved.values[0][q], traced.get(q)[:, 0].numpy(), atol=2e-3, rtol=1e-3)
    assert load_model(rec.snaps[-1].model_dir).state_dict()["embedding.weight"].dtype == torch.float32


def test_zip_holds_a_loadable_model(tmp_path):
    settings = LiveSettings(seconds=30, max_tokens=1000, **TINY)
    train_live(anbn_text(), settings, tmp_path / "run")
    data = zip_model(tmp_path / "run", "mine")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert sorted(z.namelist()) == sorted(
            ["mine/model.safetensors", "mine/config.json", "mine/vocab.txt", "mine/metrics.jsonl"]
            + ["mine/text.txt"]  # the text the recorded command reads (tests/test_live_command.py)
        )
        z.extractall(tmp_path / "unzipped")
    a, b = load_model(tmp_path / "run"), load_model(tmp_path / "unzipped" / "mine")
    for (name, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
        assert torch.equal(x, y), name
    config = json.loads((tmp_path / "unzipped/mine/config.json").read_text())
    assert config["training"]["live_lab"]["seed"] == 0
    with pytest.raises(FileNotFoundError, match="no model has been saved"):
        zip_model(tmp_path / "empty")


def test_word_models_leave_listed_words_out():
    listed = sorted(hidden_words())[0]
    text = ("the cat sat on the mat . " * 30 + f"the {listed} ran . ") * 3
    corpus = live_corpus(text, LiveSettings(tokenizer="words"))
    assert listed not in corpus.vocab and "cat" in corpus.vocab
    assert corpus.vocab.tokenizer.name == "wikitext"
    # one line: the held-out end is its last tenth of characters, from the start of the word it falls in
    start = len(text) - int(len(text) * 0.1)
    cut = start if " " in text[start - 1 : start + 1] else text.rfind(" ", 0, start) + 1
    valid = [t if t in corpus.vocab else "<unk>" for t in WIKITEXT.tokenize(text[cut:])] + ["<eos>"]
    assert corpus.vocab.decode(corpus.valid.tolist()) == valid


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"num_layers": 3}, r"num_layers must be in 1\.\.2, got 3"),
        ({"hidden_dim": 8}, r"hidden_dim must be in 16\.\.256"),
        ({"seconds": 301}, r"seconds must be in 10\.\.300"),
        ({"lr": float("nan")}, r"lr must be a number"),
        ({"hidden_dim": 32.5}, r"hidden_dim must be a whole number"),
        ({"tokenizer": "bytes"}, r"tokenizer must be chars or words"),
        ({"units": 3}, r"unknown settings \['units'\]"),
    ],
)
def test_settings_out_of_range_are_refused(values, message):
    with pytest.raises(LiveSettingsError, match=message):
        LiveSettings.from_dict(values)


def test_from_dict_takes_whole_floats():
    assert LiveSettings.from_dict({"hidden_dim": 64.0, "seconds": 20}).hidden_dim == 64


def test_texts_that_cannot_be_trained_on():
    with pytest.raises(LiveTextError, match="empty"):
        live_corpus("  \n", LiveSettings())
    with pytest.raises(LiveTextError, match="needs at least 200"):
        live_corpus("short text", LiveSettings())
    # the count is the text's, as its writer counts it (a line break one character), not the cut's tokens
    short = r"the text has {} {}s \(a line break is one\); the Live Lab needs at least 200 "
    for text in ("abc", "ab\n" * 20, "x" * 199):
        with pytest.raises(LiveTextError, match=short.format(len(text), "character")):
            live_corpus(text, LiveSettings())
    with pytest.raises(LiveTextError, match=short.format(6, "word")):  # one two <eos> three four five
        live_corpus("one two\nthree four five", LiveSettings(tokenizer="words"))
    assert len(live_corpus("x" * 199 + " y", LiveSettings()).train) > 0  # 201 characters: enough
    with pytest.raises(LiveTextError, match="at most 2 MB"):
        live_corpus("x" * (MAX_TEXT_BYTES + 1), LiveSettings())
    with pytest.raises(LiveTextError, match="binary"):
        read_upload(b"\x89PNG\r\n\x1a\n\x00\x00\x00", "photo.png")
    with pytest.raises(LiveTextError, match=r"not UTF-8 text: the byte at offset 6 \(line 2\) is 0xe9"):
        read_upload("ab\ncaf\u00e9".encode("cp1252"), "notes.txt")
    assert read_upload("\ufeffhello".encode() * 1, "x.txt") == "hello"


def test_an_upload_saved_as_utf16_or_with_a_bom_is_named_rightly():
    """A file saved as "Unicode" (UTF-16, with its byte-order mark) is text in another encoding, not binary
    data: the refusal says UTF-16 and the iconv fix. After a UTF-8 BOM, the offending byte is the file's own
    (the BOM's 3 bytes counted), not the byte 3 places before it."""
    for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
        data = ("\ufeff" if encoding != "utf-16" else "") + "Two roads diverged\n"
        with pytest.raises(LiveTextError, match=r"poem.txt is UTF-16 text.*iconv -f utf-16 -t utf-8"):
            read_upload(data.encode(encoding), "poem.txt")
    with pytest.raises(LiveTextError, match="binary"):  # no byte-order mark: a NUL is all it shows
        read_upload("Two roads".encode("utf-16-le"), "poem.txt")
    with pytest.raises(LiveTextError, match=r"the byte at offset 9 \(line 2\) is 0xe9"):  # 3 + len("ab\ncaf")
        read_upload(b"\xef\xbb\xbfab\ncaf\xe9", "notes.txt")


def test_teaching_texts_are_shipped_and_trainable():
    for text in TEACHING_TEXTS.values():
        corpus = live_corpus(text.read(), LiveSettings())
        assert corpus.train.numel() >= 1000, text.name
        assert len(corpus.vocab) < 100, text.name


def test_a_paused_run_goes_on_exactly_as_one_never_paused(tmp_path):
    text = anbn_text()
    settings = LiveSettings(seconds=300, max_tokens=4000, seed=3, **TINY)
    whole = Recorder()
    train_live(text, settings, tmp_path / "whole", [whole])
    paused = Recorder()
    first = train_live(text, settings, tmp_path / "paused", [paused], should_stop=lambda: paused.steps >= 12)
    assert first["stop_reason"] == "interrupted" and first["steps"] == 12
    snaps_before = len(paused.snaps)
    rest = train_live(text, settings, tmp_path / "paused", [paused], resume=True)
    assert rest["stop_reason"] == "character budget" and rest["steps"] == whole.steps
    key = lambda r: (r["step"], round(r["val_loss"], 6))  # noqa: E731
    assert [key(r) for r in paused.evals] == [key(r) for r in whole.evals]
    # the snapshots go on numbering: none is taken again at the pause, the last is the final model
    assert [s.index for s in paused.snaps] == list(range(len(paused.snaps))) and snaps_before >= 1
    assert paused.snaps[-1].step == rest["steps"]
    assert sorted(p.name for p in (tmp_path / "paused/snapshots").glob("*.npz")) == [
        f"{i:02d}.npz" for i in range(len(paused.snaps))
    ]


def test_snapshot_stats_saturation_and_tracks(tmp_path):
    """Each snapshot's per-unit statistics, recomputed here from a fresh trace of the same model."""
    text = anbn_text()
    settings = LiveSettings(seconds=30, max_tokens=2000, **TINY)
    rec = Recorder()
    train_live(text, settings, tmp_path, [rec])
    snap = load_snapshot(rec.snaps[0].path)  # step 0: the untrained model, rebuilt here from the seed
    corpus = live_corpus(text, settings)
    ids = corpus.valid[
        : min(corpus.valid.numel(), MAX_STATS_TOKENS) // STATS_COLUMNS * STATS_COLUMNS
    ].tolist()
    tokens = corpus.vocab.decode(ids)
    assert snap.meta["stats_tokens"] == len(ids) >= 200
    torch.manual_seed(settings.seed)
    model = LanguageModel(live_configs(settings, corpus)[0]).eval()
    # the statistics read the text as STATS_COLUMNS columns side by side; here each column on its own
    S = len(ids) // STATS_COLUMNS
    columns = [
        trace(model, ids[b * S : (b + 1) * S], log_probs=False).layers[0] for b in range(STATS_COLUMNS)
    ]
    f = np.concatenate([col.f[:, 0].numpy() for col in columns])  # (N, H)
    np.testing.assert_allclose(snap.stats[0]["sat_f"], ((f < 0.1) | (f > 0.9)).mean(axis=0), atol=1e-6)
    # the line-position track's Pearson r, computed by numpy for each unit
    tracks = {name: kind for name, _, kind in snap.meta["tracks"]}
    assert tracks["line_pos"] == "count" and "quote" not in tracks  # no quote in a^n b^n: unusable
    pos = compute_tracks(tokens, corpus.vocab.tokenizer)["line_pos"].values
    c = np.concatenate([col.c[:, 0].numpy() for col in columns]).astype(np.float64)
    r = [np.corrcoef(c[:, u], pos)[0, 1] for u in range(c.shape[1])]
    np.testing.assert_allclose(snap.stats[0]["track_line_pos"], r, atol=1e-4)
    last = load_snapshot(rec.snaps[-1].path)
    assert np.abs(last.stats[0]["track_line_pos"] - snap.stats[0]["track_line_pos"]).max() > 0.05
    assert snap.stats[0]["sat_i"].shape == (16,) and 0 <= snap.stats[0]["sat_o"].min()


def fake_snapshot(stats: dict, tracks: list) -> SnapshotData:
    return SnapshotData([], [], {"tracks": tracks, "step": 0, "seconds": 0.0}, [stats])


def test_snapshot_changes_ranks_units_by_how_much_they_changed():
    tracks = [["quote", "inside double quotes", "binary"], ["paren", "depth", "count"]]
    a = fake_snapshot(
        {"sat_f": np.array([0.1, 0.5, 0.2]), "sat_i": np.zeros(3), "sat_o": np.zeros(3),
         "track_quote": np.array([0.5, 0.5, 0.6]), "track_paren": np.array([0.1, -0.2, np.nan])}, tracks
    )  # fmt: skip
    b = fake_snapshot(
        {"sat_f": np.array([0.9, 0.4, 0.2]), "sat_i": np.zeros(3), "sat_o": np.zeros(3),
         "track_quote": np.array([0.1, 0.55, 0.6]), "track_paren": np.array([0.1, -0.9, 0.3])}, tracks
    )  # fmt: skip
    changes = snapshot_changes(a, b, k=2)
    f = changes["sat_f"]
    assert [(c.unit, round(c.change, 6)) for c in f] == [(0, 0.8), (1, -0.1)]
    # AUC 0.1 is as good a detector as 0.9: unit 0 went from chance (0.5) to 0.9
    q = changes["track_quote"]
    assert (q[0].unit, q[0].before, round(q[0].after, 6)) == (0, 0.5, 0.9)
    p = changes["track_paren"]  # |r|; NaN (not scored) counts as 0
    assert [(c.unit, round(c.change, 6)) for c in p] == [(1, 0.7), (2, 0.3)]
    assert p[0].label == "depth"
    with pytest.raises(ValueError, match="different models"):
        snapshot_changes(a, fake_snapshot({"sat_f": np.zeros(4)}, tracks))


def test_planted_tracks_of_the_teaching_texts():
    tokens = list("aab") + ["<eos>"] + list("ab")
    ab = planted_track(TEACHING_TEXTS["anbn"], tokens, CHARS)
    assert ab.values.tolist() == [1, 2, 1, 0, 1, 0] and ab.kind == "count"
    quote = planted_track(TEACHING_TEXTS["quotes"], list('a "b" c'), CHARS)
    assert quote.values.tolist() == [0, 0, 1, 1, 0, 0, 0]
    assert {t.track for t in TEACHING_TEXTS.values()} <= {"ab_depth", *track_names("character")}


def test_teaching_texts_go_into_the_wheel():
    import runpy
    from pathlib import Path

    setup = runpy.run_path(str(Path(__file__).resolve().parent.parent / "setup.py"), run_name="setup_test")
    files = setup["teaching_text_files"]()
    assert {src.stem for src, _ in files} == set(TEACHING_TEXTS)
    assert all(
        rel.parent.as_posix() == f"lstmlm/{PACKAGED_TEXTS}" and rel.name == src.name for src, rel in files
    )
    assert teaching_root() == SOURCE_TEXTS  # a clone (editable install) reads assets/teaching_texts/
