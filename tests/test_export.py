"""Exports read back with csv / numpy / json and compared with the trace they came from."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from lstmlm.cli import main as cli_main
from lstmlm.sampling import generate, make_generator, start_state, top_words
from lstmlm.studies.export import generated_csv, trace_csv, trace_json, trace_npz
from lstmlm.trace import trace

PROMPT = 'the "cat", sat on the mat'  # quotes and a comma: unknown to the tiny model, and CSV-hostile


@pytest.fixture()
def traced(tiny_model):
    enc = tiny_model.vocab.encode_text(PROMPT)
    return trace(tiny_model, enc.ids, start_state(tiny_model)), enc


def test_trace_csv_long_format(traced, tmp_path):
    tr, enc = traced
    data = trace_csv(tr, enc.tokens, path=tmp_path / "trace.csv")
    assert (tmp_path / "trace.csv").read_bytes() == data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    T = len(enc.tokens)
    assert list(rows[0]) == ["layer", "step", "word", "unit", "i", "f", "g", "o", "c", "h"]
    assert len(rows) == 2 * T * 8
    for row in rows:
        layer, step, unit = int(row["layer"]), int(row["step"]), int(row["unit"])
        assert row["word"] == enc.tokens[step]
        for name in "ifgoch":
            assert np.float32(row[name]) == tr.layers[layer].get(name)[step, 0, unit].item()  # exact
    assert [r["word"] for r in rows if r["layer"] == "0" and r["unit"] == "0"] == [
        "the",
        '"',
        "cat",
        '"',
        ",",
        "sat",
        "on",
        "the",
        "mat",
    ]


def test_trace_npz_loads_without_pickle(traced):
    tr, enc = traced
    with np.load(io.BytesIO(trace_npz(tr, enc.tokens, ids=enc.ids)), allow_pickle=False) as z:
        assert list(z["tokens"]) == enc.tokens and list(z["ids"]) == enc.ids
        assert sorted(z.files) == sorted(
            ["tokens", "ids"]
            + [f"layer{n}_{k}" for n in range(2) for k in ("i", "f", "g", "o", "c", "h", "preact")]
        )
        for n, lt in enumerate(tr.layers):
            for name in ("i", "f", "g", "o", "c", "h", "preact"):
                np.testing.assert_array_equal(z[f"layer{n}_{name}"], lt.get(name)[:, 0].numpy())


def test_trace_json_is_what_the_cli_prints(tiny_model, tiny_model_dir, traced, capsys):
    tr, enc = traced
    nxt = top_words(tr.log_probs[-1, 0], tiny_model.vocab, 10)
    ours = json.loads(trace_json(tr, enc.tokens, enc.unknown_words, nxt))
    assert cli_main(["trace", "--model", str(tiny_model_dir), PROMPT, "--json"]) == 0
    assert {**ours, "hidden": 0} == json.loads(capsys.readouterr().out)  # the CLI adds how many words it hid
    assert ours["layers"][1]["c"][2][5] == tr.layers[1].c[2, 0, 5].item()
    assert "next" not in json.loads(trace_json(tr, enc.tokens))
    with pytest.raises(ValueError, match="3 tokens for a trace of 9 steps"):
        trace_json(tr, enc.tokens[:3])


def test_generated_csv(tiny_model, tmp_path):
    words = list(
        generate(tiny_model, tiny_model.vocab.encode_text("the cat").ids, 8, generator=make_generator(3))
    )
    data = generated_csv(words, tmp_path / "gen.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "gen.csv").read_text(encoding="utf-8"))))
    assert data == (tmp_path / "gen.csv").read_bytes()
    assert list(rows[0]) == ["step", "word", "id", "prob", "rank", "sampled_prob"]
    for row, w in zip(rows, words, strict=True):
        assert (int(row["step"]), row["word"], int(row["id"]), int(row["rank"])) == (
            w.step,
            w.word,
            w.id,
            w.rank,
        )
        assert float(row["prob"]) == w.prob and float(row["sampled_prob"]) == w.sampled_prob
