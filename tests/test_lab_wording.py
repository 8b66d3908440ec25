"""A character model's training speaks of characters: the `lstmlm train` progress bar (characters/s), its
end message (a --max-words budget of a chars model is a character budget) and its --help (no "word-level").
The Live Lab's status says the same (`unit`, checked in test_live_app)."""

from __future__ import annotations

import argparse
from types import SimpleNamespace

from lstmlm.cli import main
from lstmlm.cli.progress import TrainProgressBar
from lstmlm.cli.train import add_train_parser

TINY_FLAGS = "--softmax full --embed-dim 8 --hidden-dim 8 --batch-size 4 --bptt 10 --threads 1 --no-auto"


def progress(words_per_s: float) -> SimpleNamespace:
    """What train() hands on_step (training.config.Progress), at step 10 (the bar's postfix is set then)."""
    return SimpleNamespace(epoch=1, batches=20, batch=10, step=10, loss=1.5, lr=1e-3, words_per_s=words_per_s)


def test_the_progress_bar_names_the_models_unit():
    for unit, shown in (("character", "characters/s=123,457"), ("word", "words/s=123,457")):
        bar = TrainProgressBar(quiet=False, unit=unit)
        bar.on_step(progress(123456.7))
        try:
            assert shown in bar.bar.postfix and "wps" not in bar.bar.postfix, bar.bar.postfix
        finally:
            bar.close()


def test_a_chars_run_ends_on_its_character_budget(tmp_path, capsys):
    text = tmp_path / "poem.txt"
    text.write_text("the owl and the pussy-cat went to sea\nin a beautiful pea-green boat\n" * 40)
    args = ["train", "--train", str(text), "--tokenizer", "chars", "--out", str(tmp_path / "m"), "--quiet"]
    assert main([*args, "--max-words", "400", *TINY_FLAGS.split()]) == 0
    out = capsys.readouterr().out
    assert "Done (character budget)" in out and "word" not in out, out


def test_train_help_does_not_say_word_level():
    parser = argparse.ArgumentParser(prog="lstmlm")
    add_train_parser(parser.add_subparsers())
    train = parser._subparsers._group_actions[0].choices["train"]  # noqa: SLF001 - argparse keeps it there
    text = train.format_help()
    assert "word-level" not in text and "words or characters" in text
    for option in ("--bptt", "--max-words", "--max-vocab", "--embed-dim"):
        line = text[text.index(option + " ") :].split("(default")[0]
        assert "token" in line, (option, line)
