"""Bad numbers never reach training or a model: every numeric option of `lstmlm train` and of the other
subcommands is refused by argparse (exit status 2, the option named, nothing written); a model too big for
memory is refused before anything is allocated; a character run speaks of characters and reports nats and
bits per character; the CLI counts layers from 1 as the app does; a binary file is "not a text file"."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
from conftest import write_corpus

from lstmlm.cli import main
from lstmlm.model import ModelConfig
from lstmlm.tokenizers import binary_offset, read_text
from lstmlm.training.config import TrainConfig
from lstmlm.training.ranges import RANGES, memory_problem, training_bytes

TINY = ["--embed-dim", "8", "--hidden-dim", "8", "--num-layers", "1", "--batch-size", "4", "--bptt", "10",
        "--device", "cpu", "--quiet"]  # fmt: skip

# (option, a value outside its range): written from the options' meaning, not read from RANGES
BAD_TRAIN = [
    ("--hidden-dim", "0"), ("--num-layers", "0"), ("--embed-dim", "-3"), ("--dropout", "1"),
    ("--dropout", "-0.1"), ("--adaptive-cutoffs", "0"), ("--adaptive-div-value", "0.5"), ("--lr", "0"),
    ("--lr", "nan"), ("--lr", "inf"), ("--lr-decay", "0"), ("--lr-decay", "1.5"), ("--min-lr", "-1"),
    ("--weight-decay", "-0.1"), ("--clip", "-1"), ("--batch-size", "0"), ("--bptt", "0"),
    ("--eval-batch-size", "0"), ("--epochs", "0"), ("--max-minutes", "-1"), ("--max-words", "-5"),
    ("--eval-every", "-1"), ("--state-restart-every", "-1"), ("--cell-penalty", "-1"), ("--seed", "-1"),
    ("--threads", "-2"), ("--dropout-input", "-1.5"), ("--dropout-hidden", "1"), ("--dropout-embed", "-0.1"),
    ("--ar", "-1"), ("--tar", "-0.5"), ("--ema-decay", "1"), ("--ema-start", "1.5"),
]  # fmt: skip


def test_every_numeric_setting_has_a_range():
    numeric = {
        f.name
        for cls in (ModelConfig, TrainConfig)
        for f in dataclasses.fields(cls)
        if f.type in ("int", "float", "tuple[int, ...]") and f.name != "vocab_size"
    }
    assert numeric == set(RANGES)
    assert {opt[2:].replace("-", "_") for opt, _ in BAD_TRAIN} == set(RANGES)  # the table covers them all


@pytest.mark.parametrize(("option", "value"), BAD_TRAIN)
def test_train_refuses_out_of_range_numbers(tmp_path, capsys, option, value):
    (tmp_path / "short.txt").write_text("hello world, a short text.\n" * 30, encoding="utf-8")
    out = tmp_path / "D"
    with pytest.raises(SystemExit) as e:
        main(["train", "--train", str(tmp_path / "short.txt"), "--tokenizer", "chars", "--out", str(out),
              "--max-minutes", "0.05", option, value])  # fmt: skip
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: must be" in err and f"not {value}" in err
    assert not out.exists()


def test_training_bytes_by_hand():
    model = dict(vocab_size=10, embed_dim=4, hidden_dim=3, num_layers=1, cell="lstm", softmax="full")
    # weights: embedding 10x4, LSTM 4 gates x 3 x (4 + 3) + 2 bias vectors of 4 x 3, output 10 x (3 + 1)
    params = 40 + 84 + 24 + 40
    # 2 x 5 tokens: the embedding (4), the gates and states (3 x (4 + 4)), logits and their gradient (2 x 10)
    activations = 10 * (4 + 24 + 20)
    need = 4 * (4 * params + activations)
    assert need == 4928 and training_bytes(model, 2, 5) == need
    assert memory_problem(model, 2, 5, available=need) is None
    message = memory_problem(model, 2, 5, available=need - 1)
    assert "--hidden-dim" in message and "--batch-size" in message


def test_train_refuses_a_model_bigger_than_memory(tmp_path, capsys):
    (tmp_path / "short.txt").write_text("hello world, a short text.\n" * 30, encoding="utf-8")
    out = tmp_path / "D"
    code = main(["train", "--train", str(tmp_path / "short.txt"), "--tokenizer", "chars", "--out", str(out),
                 "--max-minutes", "0.05", "--hidden-dim", "100000"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "GiB to train" in err and "Lower --hidden-dim" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["sample", "-n", "0"], ["sample", "--temperature", "-1"], ["sample", "--top-k", "-1"],
        ["sample", "--top-p", "0"], ["sample", "--top-p", "1.5"], ["sample", "--temperature", "nan"],
        ["next", "x", "-k", "0"], ["trace", "x", "-k", "0"], ["eval", "--data", "x", "--batch-size", "0"],
        ["eval", "--data", "x", "--bptt", "0"], ["cells", "--data", "x", "--top", "0"],
        ["cells", "--data", "x", "--batch-size", "0"], ["cells", "--data", "x", "--max-steps", "-1"],
        ["index", "--data", "x", "--top", "0"], ["gradflow", "--data", "x", "--length", "1"],
        ["gradflow", "--data", "x", "--snippets", "0"],
        ["import", "m.keras", "--tolerance", "0"],
        ["import", "m.keras", "--tolerance", "inf"],
    ],
)  # fmt: skip
def test_other_subcommands_refuse_out_of_range_numbers(capsys, argv):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    option = "-n/--words" if argv[-2] == "-n" else "-k/--top" if argv[-2] == "-k" else argv[-2]
    assert f"argument {option}: must be" in capsys.readouterr().err


@pytest.fixture(scope="module")
def char_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("chars")
    corpus = write_corpus(root / "corpus", lines=(40, 8, 8))
    return corpus, root


def test_a_character_run_speaks_of_characters(char_run, capsys):
    corpus, root = char_run
    out = root / "auto"
    capsys.readouterr()
    code = main(["train", "--data", str(corpus), "--tokenizer", "chars", "--out", str(out), "--max-words",
                 "3000", "--device", "cpu", "--quiet", "--epochs", "2"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0
    auto = [line for line in captured.err.splitlines() if line.startswith("auto:")]
    assert auto and any("-character output layer" in line for line in auto)
    assert any("training characters" in line or "per training character" in line for line in auto)
    # "the bundled word models" in the lr reason names those models, not this run's unit
    assert not [line for line in auto if " word" in line and "bundled word models" not in line]
    best = min(json.loads(line)["val_loss"] for line in (out / "metrics.jsonl").read_text().splitlines())
    done = captured.out.strip().splitlines()[-1]
    assert done.startswith("Done (") and "perplexity" not in done
    assert f"{best:.3f} nats/character ({best / math.log(2):.3f} bits/character)" in done
    for line in captured.err.splitlines():
        if line.startswith("step "):
            assert "nats" in line and "bits)/char" in line and "ppl" not in line


def test_cli_counts_layers_from_one_and_shows_spaces(char_run, capsys):
    corpus, root = char_run
    out = root / "two"
    assert main(["train", "--data", str(corpus), "--tokenizer", "chars", "--out", str(out), *TINY,
                 "--num-layers", "2", "--epochs", "1", "--no-auto"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["trace", "--model", str(out), "the cat"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert "L1 mean f" in header and "L2 mean f" in header and "L0" not in header
    assert main(["next", "--model", str(out), "-k", "30", "the"]) == 0  # every character of the vocabulary
    shown = [line.split()[-1] for line in capsys.readouterr().out.splitlines()[:-1]]
    assert "␣" in shown and "⏎" in shown and "" not in shown
    assert main(["cells", "--model", str(out), "--data", str(corpus / "valid.txt"), "--no-save", "--top",
                 "2", "--json"]) == 0  # fmt: skip
    tracks = json.loads(capsys.readouterr().out)["tracks"]
    assert main(["cells", "--model", str(out), "--data", str(corpus / "valid.txt"), "--no-save",
                 "--top", "2"]) == 0  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    printed = [line.split()[1] for line in lines if line.startswith("  layer ")]
    json_layers = [u["layer"] for t in tracks.values() for u in t["best"]]
    assert printed == [str(layer + 1) for layer in json_layers] and set(json_layers) <= {0, 1}


def test_a_binary_file_is_not_a_text_file(tmp_path, capsys):
    binary = tmp_path / "program"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00" + bytes(range(256)) * 4)
    assert binary_offset(binary.read_bytes()) == 7 and binary_offset("plain text") is None
    with pytest.raises(ValueError, match="not a text file") as e:
        read_text(binary)
    assert "iconv" not in str(e.value) and "offset 7" in str(e.value)
    code = main(["train", "--train", str(binary), "--out", str(tmp_path / "D"), "--max-minutes", "0.05"])
    err = capsys.readouterr().err
    assert code == 2 and "not a text file" in err and "iconv" not in err and not (tmp_path / "D").exists()
    latin = tmp_path / "latin.txt"
    latin.write_bytes("café au lait\n".encode("cp1252"))
    with pytest.raises(ValueError, match="iconv -f cp1252"):  # a text in another encoding keeps its advice
        read_text(latin)


def test_cells_defaults_to_the_models_held_out_text(tmp_path, capsys):
    lines = [f'line {i} says "hello" (and {i % 7})' for i in range(60)]
    book = tmp_path / "book.txt"
    book.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "m"
    assert main(["train", "--train", str(book), "--tokenizer", "chars", "--out", str(out), *TINY,
                 "--epochs", "1", "--no-auto"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["cells", "--model", str(out), "--no-save", "--json", "--batch-size", "2"]) == 0
    held = lines[-6:]  # 10% of 60 lines held out; each line's characters and its line break
    assert json.loads(capsys.readouterr().out)["steps"] == sum(len(line) + 1 for line in held)
    book.unlink()  # the recorded text is gone: say what to give instead
    assert main(["cells", "--model", str(out), "--no-save"]) == 2
    assert "give --data FILE" in capsys.readouterr().err


def test_too_short_a_text_for_the_batch_size_names_the_option(tmp_path, capsys):
    (tmp_path / "tiny.txt").write_text("ab\ncd\n", encoding="utf-8")  # 2 lines: "ab⏎" trains, "cd⏎" validates
    out = tmp_path / "D"
    code = main(["train", "--train", str(tmp_path / "tiny.txt"), "--tokenizer", "chars", "--out", str(out),
                 "--epochs", "1", "--no-auto", "--device", "cpu"])  # fmt: skip
    err = capsys.readouterr().err
    assert (
        code == 2
        and "has 3 characters: too few for --batch-size 32" in err
        and "--batch-size 1 or less" in err
    )
    assert "word" not in err and not out.exists()


def test_models_lists_a_character_model_in_bits_per_character(capsys):
    from lstmlm.bundled import installed_models

    assert main(["models"]) == 0
    listed = capsys.readouterr().out
    for m in installed_models():
        ppl = (m.config or {}).get("training", {}).get("test_perplexity")
        if not ppl:
            continue
        row = next(line for line in listed.splitlines() if line[2:].split()[:1] == [m.name])
        if m.config.get("tokenizer") == "chars":  # bits = log2(perplexity), the field's figure for characters
            assert f"{math.log(ppl) / math.log(2):.3f} bpc" in row and "ppl" not in row
        else:
            assert f"{ppl:.2f} ppl" in row


def test_loss_figure_per_unit():
    from lstmlm.training.config import loss_figure

    nats = 1.2  # e^1.2 = 3.3201169..., 1.2 / ln 2 = 1.7312340...
    assert loss_figure(nats) == "validation perplexity 3.32"
    assert loss_figure(nats, "character") == "validation loss 1.200 nats/character (1.731 bits/character)"
