"""The Surprisal, Units and export views, checked against the library's own numbers (tiny model)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from lstmlm.prompt import read_prompt
from lstmlm.sampling import start_state
from lstmlm.studies.atlas import build_atlas, load_atlas, save_atlas
from lstmlm.studies.surprisal import rank_bucket, surprisal
from lstmlm.studies.units import unit_search
from lstmlm.trace import trace
from playground.plots import surprisal as explore_plots
from playground.plots import units as unit_plots
from playground.views.export import export_generated_file, export_trace_files
from playground.views.generate import GenerationSettings, generate_words
from playground.views.surprisal import surprisal_json, surprisal_view
from playground.views.units import NO_ATLAS, atlas_unit, parse_span, unit_search_json, unit_search_view

PROMPT = "the cat sat on the mat . a dog ran"


def test_surprisal_matches_the_library(tiny_model):
    p, s = surprisal_view(tiny_model, PROMPT)
    ref = surprisal(tiny_model, p.ids, k=5, state=start_state(tiny_model))
    assert [w.rank for w in s.words] == [w.rank for w in ref.words]
    assert np.allclose([w.prob for w in s.words], [w.prob for w in ref.words])
    assert s.perplexity == pytest.approx(ref.perplexity)
    got = surprisal_json(tiny_model, PROMPT, 3)
    assert [w["word"] for w in got["words"]] == p.tokens and got["tokens"] == p.tokens
    assert got["perplexity"] == pytest.approx(ref.perplexity, rel=1e-4)
    assert got["bits_per_word"] == pytest.approx(np.log2(ref.perplexity), rel=1e-4)
    for w, r in zip(got["words"], ref.words, strict=True):
        assert w["bucket"] == rank_bucket(w["rank"]) and w["bits"] == pytest.approx(r.bits, abs=1e-4)
        assert len(w["expected"]) == 3 and w["expected"][0]["word"] == r.expected[0]
    assert (
        surprisal_json(tiny_model, "")["words"] == [] and surprisal_json(tiny_model, "")["perplexity"] is None
    )


def test_surprisal_text_colours_every_word_with_its_hover(tiny_model):
    p, s = surprisal_view(tiny_model, "the zebra sat <b>")
    html = explore_plots.surprisal_text(p.tokens, s.words, p.unknown)
    assert html.count('class="lp-w lp-s"') == len(p.tokens)
    assert "<b" not in html and "&lt;" in html  # typed text is escaped
    w = s.words[0]
    assert f"rank {w.rank:,} ({w.bucket})" in html and explore_plots.BUCKET_COLORS[w.bucket] in html
    assert "“zebra” is not in the vocabulary" in html  # no score of its own (issue 17)
    assert all(name in explore_plots.surprisal_legend() for name in explore_plots.BUCKET_COLORS)
    fig = explore_plots.surprisal_bars(s.words)
    assert np.allclose(fig.data[0].y, [w.bits for w in s.words if w.known])  # no bar for an unknown word


def test_parse_span():
    # numbered from 0, as Intervene's steps and the Equations' step choices are
    assert parse_span("3-7", 10) == (3, 8)
    assert parse_span(" 5 ", 10) == (5, 6)
    assert parse_span("7..3", 10) == (3, 8)
    assert parse_span("0-9", 10) == (0, 10)
    for bad in ("", "a-b", "3-10", "10", "-1"):
        with pytest.raises(ValueError, match=r"3-7|within words 0\.\.9"):
            parse_span(bad, 10)


def test_unit_search_matches_the_library(tiny_model):
    p = read_prompt(tiny_model.vocab, PROMPT)
    tr = trace(tiny_model, p.ids, start_state(tiny_model), log_probs=False)
    ref = unit_search(tr, 1, 2, 5, "c", 4, "minmax")
    got = unit_search_json(tiny_model, PROMPT, 1, 2, 5, "c", 4, "minmax")
    assert [u["unit"] for u in got["high"]] == [u.unit for u in ref.high]
    assert [u["unit"] for u in got["low"]] == [u.unit for u in ref.low]
    assert [u["score"] for u in got["high"]] == pytest.approx([u.score for u in ref.high], abs=1e-6)
    assert got["span_words"] == p.tokens[2:5]
    v = unit_search_view(tiny_model, PROMPT, 1, 2, 5, "c", 4, "minmax")
    assert np.allclose(v.unit_series(3)["c"], tr.layers[1].c[:, 0, 3].numpy())
    fig = unit_plots.unit_span_lines(p.tokens, v.unit_series(3), 3, 1, 2, 5)
    assert len(fig.layout.shapes) == 2 and fig.layout.shapes[0].x0 == 1.5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((PROMPT, 5, 0, 2), "layer must be one of 0..1"),
        ((PROMPT, 0, 0, 2, "q"), "signal must be"),
        ((PROMPT, 0, 0, 2, "h", 5, "median"), "method must be"),
        ((PROMPT, 0, 4, 2), "the span must satisfy"),
        ((PROMPT, 0, 0, 10), "select fewer words"),
        (("the", 0, 0, 1), "at least two words"),
    ],
)
def test_unit_search_says_what_to_change(tiny_model, args, message):
    with pytest.raises(ValueError, match=message):
        unit_search_json(tiny_model, *args)


def with_atlas(model_dir: Path, model, corpus: Path, out: Path) -> Path:
    """A copy of the model directory with a small atlas over 200 words of the corpus."""
    shutil.copytree(model_dir, out)
    tokens = (corpus / "valid.txt").read_text().split()[:200]
    save_atlas(out, build_atlas(model, tokens, top=3), source="valid.txt")
    return out


def test_atlas_unit(tiny_model, tiny_model_dir, tiny_corpus, tmp_path):
    with pytest.raises(ValueError, match="lstmlm index --model DIR --data valid.txt"):
        atlas_unit(None, 0, 0)
    atlas = load_atlas(with_atlas(tiny_model_dir, tiny_model, tiny_corpus, tmp_path / "model"))
    entry = atlas_unit(atlas, 1, 7)
    assert entry["source"] == "valid.txt" and entry["h_high"] == atlas["layers"][1][7]["h_high"]
    assert len(entry["c_low"]) == 3 and entry["h_high"][0]["value"] >= entry["h_high"][-1]["value"]
    html = unit_plots.atlas_contexts(entry)
    assert html.count("<mark>") == 12 and "Highest cell state" in html
    with pytest.raises(ValueError, match="unit must be one of 0..7"):
        atlas_unit(atlas, 0, 8)
    assert "lstmlm index" in NO_ATLAS


def test_export_files_load_back(tiny_model):
    p = read_prompt(tiny_model.vocab, PROMPT)
    tr = trace(tiny_model, p.ids, start_state(tiny_model), log_probs=False)
    paths = export_trace_files(tiny_model, PROMPT)
    assert paths["csv"].parent == paths["npz"].parent and paths["csv"].parent.name.startswith(
        "lstm-playground-"
    )
    with np.load(paths["npz"]) as npz:
        assert list(npz["tokens"]) == p.tokens and list(npz["ids"]) == p.ids
        assert np.array_equal(npz["layer1_c"], tr.layers[1].c[:, 0].numpy())
    rows = list(csv.DictReader(io.StringIO(paths["csv"].read_text())))
    assert len(rows) == 2 * len(p.tokens) * 8
    row = rows[-1]
    assert (
        float(row["h"]) == pytest.approx(float(tr.layers[1].h[-1, 0, 7]), abs=1e-6) and row["word"] == "ran"
    )
    data = json.loads(paths["json"].read_text())
    assert data["tokens"] == p.tokens and len(data["next"]) == 10
    assert np.allclose(data["layers"][0]["f"], tr.layers[0].f[:, 0].numpy())
    with pytest.raises(ValueError, match="empty"):
        export_trace_files(tiny_model, "  ")


def test_export_generated_replays_the_run(tiny_model):
    settings = GenerationSettings(0.8, 40, 0.95, 6, 3)
    words = list(generate_words(tiny_model, read_prompt(tiny_model.vocab, PROMPT), settings))
    run = {"prompt": PROMPT, "ids": [w.id for w in words], "words": [w.word for w in words],
           "settings": settings.to_dict()}  # fmt: skip
    path = export_generated_file(tiny_model, run)
    rows = list(csv.DictReader(path.open()))
    assert [r["word"] for r in rows] == [w.word for w in words]
    assert [float(r["prob"]) for r in rows] == pytest.approx([w.prob for w in words])
    assert export_generated_file(tiny_model, {}) is None
    assert export_generated_file(tiny_model, dict(run, ids=[0])) is None  # not the run it claims to be
