"""The CLI names a character model's figures per character: `lstmlm eval` says bits_per_character and
nats_per_character (a word model keeps bits_per_word), and its text says bits/character."""

from __future__ import annotations

import json
import math

import pytest
from conftest import write_corpus

from lstmlm.cli import main

TINY = ["--embed-dim", "8", "--hidden-dim", "8", "--num-layers", "1", "--batch-size", "4", "--bptt", "10",
        "--epochs", "1", "--device", "cpu", "--quiet", "--no-auto"]  # fmt: skip


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("units")
    corpus = write_corpus(root / "corpus", lines=(40, 8, 8))
    out = {}
    for name, extra in (("word", []), ("character", ["--tokenizer", "chars"])):
        assert main(["train", "--data", str(corpus), "--out", str(root / name), *TINY, *extra]) == 0
        out[name] = root / name
    return corpus, out


@pytest.mark.parametrize("unit", ["word", "character"])
def test_eval_json_names_the_unit_it_scores(models, unit, capsys):
    corpus, dirs = models
    capsys.readouterr()
    assert main(["eval", "--model", str(dirs[unit]), "--data", str(corpus), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    other = "character" if unit == "word" else "word"
    assert result["unit"] == unit
    assert f"bits_per_{other}" not in result and f"{other}s_scored" not in result["setting"]
    # perplexity = 2 ** bits = e ** nats, per scored step
    assert 2 ** result[f"bits_per_{unit}"] == pytest.approx(result["perplexity"], rel=1e-9)
    assert math.exp(result["loss"]) == pytest.approx(result["perplexity"], rel=1e-9)
    if unit == "character":
        assert result["nats_per_character"] == result["loss"]
    assert result["setting"][f"{unit}s_scored"] == result["tokens"] > 0
    assert main(["eval", "--model", str(dirs[unit]), "--data", str(corpus)]) == 0
    text = capsys.readouterr().out
    assert f"bits/{unit} " in text and f"nats/{unit} " in text and f"{unit}s scored" in text
    assert f"bits/{other}" not in text


def test_trace_and_next_name_the_unit(models, capsys):
    _, dirs = models
    capsys.readouterr()
    assert main(["trace", "--model", str(dirs["character"]), "the cat"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.split()[0] == "character"
    assert main(["trace", "--model", str(dirs["word"]), "the cat"]) == 0
    assert capsys.readouterr().out.splitlines()[0].split()[0] == "word"
    assert main(["next", "--model", str(dirs["word"]), "the zqxwv"]) == 0
    assert "unknown words (read as <unk>): zqxwv" in capsys.readouterr().err
