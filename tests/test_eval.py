"""`lstmlm eval` against perplexity computed here, independently, with the standard protocol."""

from __future__ import annotations

import json
import math

import pytest
import torch

from lstmlm import load_model
from lstmlm.cli import main


def independent_perplexity(model, path, batch_size: int = 10, bptt: int = 35) -> tuple[float, int]:
    """exp(mean NLL): the file in `batch_size` columns, windows of `bptt`, the state carried through."""
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        words += line.split() + ["<eos>"]
    word_id = {w: i for i, w in enumerate(model.vocab.words)}
    ids = torch.tensor([word_id.get(w, word_id["<unk>"]) for w in words])
    rows = len(ids) // batch_size
    columns = (
        ids[: rows * batch_size].view(batch_size, rows).t()
    )  # (rows, batch_size), column = a stretch of text
    nll, count, state = 0.0, 0, None
    with torch.no_grad():
        for start in range(0, rows - 1, bptt):
            inputs = columns[start : start + bptt]
            targets = columns[start + 1 : start + 1 + bptt]
            inputs = inputs[: len(targets)]
            features, state = model(inputs, state)
            log_probs = model.log_probs(features)  # (T, B, V)
            nll -= log_probs.gather(-1, targets.unsqueeze(-1)).sum().item()
            count += targets.numel()
    return math.exp(nll / count), count


def test_eval_is_exp_of_the_mean_negative_log_likelihood(tiny_model_dir, tiny_corpus, capsys):
    test_file = tiny_corpus / "test.txt"
    assert main(["eval", "--model", str(tiny_model_dir), "--data", str(test_file), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    expected, count = independent_perplexity(load_model(tiny_model_dir), test_file)
    assert result["perplexity"] == pytest.approx(expected, rel=1e-5)
    assert result["tokens"] == count
    assert result["loss"] == pytest.approx(math.log(expected), rel=1e-5)
    assert result["bits_per_word"] == pytest.approx(math.log2(expected), rel=1e-5)
    assert result["unknown_rate"] == 0.0
    # a corpus folder means its test.txt; the text form says the same numbers
    assert main(["eval", "--model", str(tiny_model_dir), "--data", str(tiny_corpus)]) == 0
    assert f"perplexity {expected:.2f}" in capsys.readouterr().out


def test_eval_counts_unknown_words(tiny_model_dir, tmp_path, capsys):
    text = tmp_path / "t.txt"
    text.write_text(" the cat sat on the zebra . \n" * 5)  # 8 tokens a line with <eos>; 1 unknown
    assert main(["eval", "--model", str(tiny_model_dir), "--data", str(text), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["unknown_rate"] == pytest.approx(1 / 8)
    expected, _ = independent_perplexity(load_model(tiny_model_dir), text)
    assert result["perplexity"] == pytest.approx(expected, rel=1e-5)


def test_eval_reports_problems_without_a_traceback(tiny_model_dir, tmp_path, capsys):
    short = tmp_path / "short.txt"
    short.write_text("the cat\n")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe the cat\n")
    cases = {
        "cannot read": ["--model", str(tiny_model_dir), "--data", str(tmp_path / "missing.txt")],
        "too few to evaluate": ["--model", str(tiny_model_dir), "--data", str(short)],
        "bad.txt is not UTF-8 text: the byte at offset 0 (line 1) is 0xff": [
            "--model",
            str(tiny_model_dir),
            "--data",
            str(bad),
        ],
        "not a model directory": ["--model", str(tmp_path / "nothing"), "--data", str(short)],
    }
    for expected, args in cases.items():
        assert main(["eval", *args]) == 2
        err = capsys.readouterr().err
        assert err.startswith("lstmlm: error:") and expected.strip() in err and "Traceback" not in err


def test_a_batch_size_larger_than_the_text_names_the_one_that_fits(tiny_model_dir, tmp_path, capsys):
    text = tmp_path / "t.txt"
    text.write_text(" the cat sat on the mat . \n" * 5)  # 5 lines of 8 tokens with <eos>: 40
    args = ["eval", "--model", str(tiny_model_dir), "--data", str(text)]
    assert main([*args, "--batch-size", "100000"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        f"lstmlm: error: {text} has only 40 words; too few to evaluate with --batch-size 100000: "
        "give --batch-size 20 or less"
    )
    assert main([*args, "--batch-size", "20", "--json"]) == 0  # the size it names works
    assert json.loads(capsys.readouterr().out)["setting"]["column_words"] == 2


def test_plain_text_read_as_tokenized_gets_a_hint_to_add_raw(tiny_model_dir, tiny_corpus, tmp_path, capsys):
    """Punctuation glued to a word ("mat.") makes it unknown when a file is read as tokenized text: eval
    says what --raw would give (the rate a --raw run itself reports) and suggests it."""
    model = str(tiny_model_dir)
    known = [w for w in load_model(tiny_model_dir).vocab.words if w.isalpha()][:5]
    assert len(known) == 5 and "." in load_model(tiny_model_dir).vocab.words
    plain = tmp_path / "plain.txt"
    plain.write_text(f"{known[0]} {known[1]} {known[2]} {known[3]} {known[4]}.\n" * 20)
    assert main(["eval", "--model", model, "--data", str(plain), "--json"]) == 0
    glued = json.loads(capsys.readouterr().out)
    assert glued["unknown_rate"] == pytest.approx(1 / 6)  # 5 words and <eos>, the last with its full stop
    assert main(["eval", "--model", model, "--data", str(plain), "--raw", "--json"]) == 0
    with_raw = json.loads(capsys.readouterr().out)["unknown_rate"]
    assert with_raw == 0.0 and glued["unknown_rate_with_raw"] == with_raw
    assert main(["eval", "--model", model, "--data", str(plain)]) == 0
    hint = capsys.readouterr().out.splitlines()[-1]
    assert "16.7% of the words are unknown" in hint and "0.0% would be" in hint and "add --raw" in hint

    # no hint where --raw would not help: a tokenized file, or words the model does not know at all
    strange = tmp_path / "strange.txt"
    strange.write_text(f"{known[0]} zebra giraffe {known[1]} .\n" * 20)
    for path in (tiny_corpus / "test.txt", strange):
        assert main(["eval", "--model", model, "--data", str(path), "--json"]) == 0
        assert "unknown_rate_with_raw" not in json.loads(capsys.readouterr().out)
        assert main(["eval", "--model", model, "--data", str(path)]) == 0
        assert "hint" not in capsys.readouterr().out
