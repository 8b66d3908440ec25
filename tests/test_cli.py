"""`lstmlm next / sample / trace / eval` on the tiny model, through `lstmlm.cli.main`."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
import torch

from lstmlm import load_model, save_model
from lstmlm.cli import main
from lstmlm.data import batchify, read_tokens
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.sampling import advance, start_state
from lstmlm.trace import trace
from lstmlm.vocab import Vocab

PROMPT = "the cat sat on the zebra"  # "zebra" is not in the tiny vocabulary


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """main(argv) -> (exit code, stdout, stderr); argparse and load errors exit through SystemExit."""
    try:
        code = main(list(argv))
    except SystemExit as e:
        code = e.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_next_json(capsys, tiny_model_dir):
    code, out, _ = run(capsys, "next", "--model", str(tiny_model_dir), PROMPT, "-k", "5", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["tokens"] == PROMPT.split() and result["unknown"] == ["zebra"]
    assert [set(n) for n in result["next"]] == [{"word", "prob"}] * 5
    model = load_model(tiny_model_dir)
    log_probs, _ = advance(model, model.vocab.encode_text(PROMPT).ids, start_state(model))
    values, ids = log_probs.topk(5)
    assert [n["word"] for n in result["next"]] == model.vocab.decode(ids.tolist())
    assert [n["prob"] for n in result["next"]] == pytest.approx(values.exp().tolist(), abs=1e-7)
    p = log_probs.exp()
    assert result["entropy_bits"] == pytest.approx(float(-(p * log_probs).sum() / math.log(2)), abs=1e-5)


def test_next_text(capsys, tiny_model_dir):
    code, out, err = run(capsys, "next", "--model", str(tiny_model_dir), PROMPT, "-k", "3")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 4 and lines[-1].startswith("entropy ") and lines[-1].endswith(" bits")
    assert "unknown words (read as <unk>): zebra" in err


def test_trace_json_has_the_documented_shape(capsys, tiny_model_dir):
    code, out, _ = run(capsys, "trace", "--model", str(tiny_model_dir), PROMPT, "--json", "-k", "4")
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"tokens", "unknown", "layers", "next", "hidden"} and result["hidden"] == 0
    assert result["tokens"] == PROMPT.split() and result["unknown"] == ["zebra"]
    assert len(result["layers"]) == 2
    for layer in result["layers"]:
        assert set(layer) == {"i", "f", "g", "o", "c", "h"}
        for values in layer.values():
            assert len(values) == 6 and all(len(row) == 8 for row in values)  # steps x units
    assert len(result["next"]) == 4 and all(set(n) == {"word", "prob"} for n in result["next"])
    probs = [n["prob"] for n in result["next"]]
    assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1 + 1e-6

    model = load_model(tiny_model_dir)  # the numbers are the library's trace, from the state after <eos>
    tr = trace(model, model.vocab.encode_text(PROMPT).ids, start_state(model))
    for layer, lt in zip(result["layers"], tr.layers, strict=True):
        for k in "ifgoch":
            assert torch.equal(torch.tensor(layer[k]), lt.get(k)[:, 0])
    assert probs[0] == pytest.approx(float(tr.log_probs[-1, 0].max().exp()), abs=1e-7)


def test_trace_text(capsys, tiny_model_dir):
    code, out, _ = run(capsys, "trace", "--model", str(tiny_model_dir), "the cat")
    assert code == 0
    lines = out.splitlines()
    assert (
        len(lines) == 4
        and "L1 mean f" in lines[0]
        and "L2 mean f" in lines[0]
        and lines[-1].startswith("next: ")
    )


def test_sample_json_same_seed_same_words(capsys, tiny_model_dir):
    argv = ("sample", "--model", str(tiny_model_dir), "the cat", "-n", "12", "--seed", "3", "--json")
    code, first, _ = run(capsys, *argv)
    assert code == 0
    torch.manual_seed(99)
    _, second, _ = run(capsys, *argv)
    assert first == second
    result = json.loads(first)
    assert result["prompt_tokens"] == ["the", "cat"]
    assert len(result["words"]) == 12
    assert {"step", "word", "id", "prob", "rank", "sampled_prob"} <= set(result["words"][0])
    assert all(w["rank"] >= 1 and 0 < w["prob"] <= 1 for w in result["words"])


def test_sample_greedy_and_stop_at_eos(capsys, tiny_model_dir):
    code, out, _ = run(
        capsys,
        "sample",
        "--model",
        str(tiny_model_dir),
        "the cat",
        "-n",
        "30",
        "--temperature",
        "0",
        "--stop-at-eos",
        "--json",
    )
    assert code == 0
    words = json.loads(out)["words"]
    assert all(w["rank"] == 1 for w in words)
    assert "<eos>" not in [w["word"] for w in words[:-1]]
    code, out, _ = run(capsys, "sample", "--model", str(tiny_model_dir), "the cat", "-n", "5", "--seed", "1")
    assert code == 0 and out.startswith("the cat")


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (("--temperature", "-1"), "argument --temperature: must be >= 0, not -1"),
        (("--top-p", "0"), "argument --top-p: must be > 0 and <= 1, not 0"),
        (("--top-k", "-2"), "argument --top-k: must be >= 0, not -2"),
        (("-n", "-1"), "argument -n/--words: must be >= 1, not -1"),
    ],
)
def test_sample_bad_settings(capsys, tiny_model_dir, option, message):
    # refused by argparse, before the model is loaded, naming the option as typed
    code, out, err = run(capsys, "sample", "--model", str(tiny_model_dir), "the", *option)
    assert code == 2 and out == ""
    assert err.splitlines()[-1] == f"lstmlm sample: error: {message}"


def test_eval_json(capsys, tiny_model_dir, tiny_corpus):
    code, out, _ = run(capsys, "eval", "--model", str(tiny_model_dir), "--data", str(tiny_corpus), "--json")
    assert code == 0
    result = json.loads(out)
    assert {"perplexity", "loss", "tokens"} <= set(result)
    assert result["perplexity"] == pytest.approx(math.exp(result["loss"]))
    words = len(read_tokens(tiny_corpus / "test.txt"))
    assert result["tokens"] == (words // 10 - 1) * 10  # batch 10: every column but its last word is scored
    vocab_size = len(load_model(tiny_model_dir).vocab)
    assert 1 < result["perplexity"] < vocab_size  # the model learned something

    model = load_model(tiny_model_dir)  # and the number is the mean NLL over the batchified file
    data = batchify(torch.tensor(model.vocab.encode(read_tokens(tiny_corpus / "test.txt")).ids), 10)
    with torch.no_grad():
        features, _ = model(data[:-1])
        nll = -model.log_probs(features).gather(-1, data[1:, :, None]).mean()
    assert result["loss"] == pytest.approx(float(nll), abs=1e-4)


@pytest.mark.parametrize(
    "command", [("next", "the"), ("sample", "the"), ("trace", "the"), ("eval", "--data", ".")]
)
def test_bad_model_path_is_a_clean_error(capsys, tmp_path, command):
    missing = tmp_path / "no-such-model"
    code, out, err = run(capsys, command[0], "--model", str(missing), *command[1:])
    assert code == 2 and out == ""
    assert err == f"lstmlm: error: {missing}: not a model directory (it does not exist or is not a folder)\n"


def test_next_on_a_gru_model(capsys, tmp_path):  # `trace` on GRU and RNN models: tests/test_trace_cells.py
    vocab = Vocab(["<eos>", "<unk>", "the", "cat"])
    gru = LanguageModel(ModelConfig(vocab_size=4, embed_dim=8, hidden_dim=8, cell="gru", dropout=0.0))
    save_model(tmp_path / "gru", gru, vocab)
    code, out, _ = run(capsys, "next", "--model", str(tmp_path / "gru"), "the cat", "--json")
    assert code == 0 and len(json.loads(out)["next"]) == 4


def test_empty_prompt(capsys, tiny_model_dir):
    for command in ("next", "trace"):
        code, _, err = run(capsys, command, "--model", str(tiny_model_dir), "   ")
        assert code == 2 and "the prompt is empty" in err


@pytest.mark.slow
def test_console_error_has_no_traceback(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "lstmlm.cli", "next", "--model", str(tmp_path / "x"), "the"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "not a model directory" in done.stderr
