"""A Live Lab model's recorded `lstmlm train` command (config.json: training.command), run from the unzipped
download, trains the same model again: the same steps and losses, to the last bit, for the same seed."""

from __future__ import annotations

import io
import json
import shlex
import zipfile
from pathlib import Path

import pytest
import torch
from test_live import TINY, anbn_text

from lstmlm.cli import main
from lstmlm.data import held_out_count
from lstmlm.safewords import is_hidden
from lstmlm.tokenizers import CHARS, WIKITEXT
from lstmlm.training.live import (
    MIN_SPLIT_LINES,
    TEACHING_TEXTS,
    LiveSettings,
    LiveTextError,
    live_configs,
    live_corpus,
    live_split,
    split_text,
    teaching_source,
    train_live,
    zip_model,
)

ROOT = Path(__file__).resolve().parent.parent  # a teaching text's command runs from a clone's root


@pytest.fixture
def one_thread():
    """The Lab's worker trains on one torch thread and its command says --threads 1: both runs here do."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def paragraphs(count: int = 4) -> str:
    """A few long lines (too few to hold out whole lines): the cut falls inside the last one."""
    return "".join(" ".join(anbn_text(60, seed=n).split("\n")).strip() + "\n" for n in range(count))


def words_text() -> str:
    """A text of words (for a word model), many lines of a small vocabulary."""
    names = ["Ann", "Bo", "Cy", "Di"]
    lines = [f'{names[n % 4]} said , " {names[(n + 1) % 4]} has {n % 7} apples . "' for n in range(200)]
    return "\n".join(lines) + "\n"


CASES = {
    # name: (text, tokenizer, the data options the command should name, the text files in the zip)
    "pasted lines": (anbn_text(), "chars", ["--train", "text.txt"], {"text.txt"}),
    "pasted paragraphs": (
        paragraphs(),
        "chars",
        ["--train", "train.txt", "--valid", "valid.txt"],
        {"train.txt", "valid.txt"},
    ),
    "teaching text": (
        TEACHING_TEXTS["brackets"].read(),
        "chars",
        ["--train", "assets/teaching_texts/brackets.txt"],
        set(),
    ),
    "words": (words_text(), "words", ["--train", "text.txt"], {"text.txt"}),
}


def metrics(folder: Path) -> list[tuple]:
    rows = [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]
    return [(r["step"], r["words"], r["train_loss"], r["val_loss"]) for r in rows]


@pytest.mark.parametrize("case", list(CASES))
def test_the_recorded_command_trains_the_same_model_again(case, tmp_path, monkeypatch, one_thread):
    text, tokenizer, data_args, files = CASES[case]
    # a budget in tokens (not seconds) ends both runs at the same step
    settings = LiveSettings(tokenizer=tokenizer, seconds=300, max_tokens=3000, seed=5, **TINY)
    summary = train_live(text, settings, tmp_path / "lab")
    assert summary["stop_reason"] == ("character budget" if tokenizer == "chars" else "word budget")
    with zipfile.ZipFile(io.BytesIO(zip_model(tmp_path / "lab"))) as z:
        names = {Path(n).name for n in z.namelist()}
        z.extractall(tmp_path / "unzipped")
    assert names == {"model.safetensors", "config.json", "vocab.txt", "metrics.jsonl"} | files
    unzipped = tmp_path / "unzipped" / "live-lab-model"
    training = json.loads((unzipped / "config.json").read_text())["training"]
    assert training["command"] == summary["command"]
    # the keys a model trained by `lstmlm train` records, in its order (cli/train.py: _summary)
    keys = ["data", "command", "valid", "tokenizer", "pretokenized", "vocabulary"]
    assert [k for k in training if k in keys] == [k for k in keys if k != "valid" or "--valid" in data_args]
    assert training["data"] == data_args[1]
    args = shlex.split(training["command"])
    assert args[:2] == ["lstmlm", "train"] and args[2 : 2 + len(data_args)] == data_args
    assert args[args.index("--threads") + 1] == "1" and "--no-auto" in args
    out = args.index("--out") + 1
    args[out] = str(tmp_path / "cli")  # the command's own --out is relative: a new folder where it runs
    monkeypatch.chdir(ROOT if case == "teaching text" else unzipped)
    assert main(args[1:]) == 0
    lab, cli = metrics(tmp_path / "lab"), metrics(tmp_path / "cli")
    assert len(lab) >= 3 and cli == lab
    saved = [
        json.loads((folder / "config.json").read_text()) for folder in (tmp_path / "lab", tmp_path / "cli")
    ]
    assert saved[0]["model"] == saved[1]["model"]
    lab_train, cli_train = (s["training"]["train_config"] for s in saved)
    assert lab_train == cli_train and lab_train["threads"] == 1  # the count it trained on, recorded
    assert saved[0]["training"]["vocabulary"] == saved[1]["training"]["vocabulary"]


def test_how_a_text_is_cut():
    """The two rules of command.split_text, counted here by hand."""
    lines = [f"line {n}" for n in range(MIN_SPLIT_LINES)]
    text = "\n".join(lines) + "\n"
    split = split_text(text, CHARS)
    assert held_out_count(MIN_SPLIT_LINES) == 1
    assert split.valid == [*"line 9", "<eos>"] and len(split.train) == 9 * 7
    assert split.files == {"text.txt": text} and split.data_args == ["--train", "text.txt"]
    # a source (a teaching text) is named, not copied
    assert split_text(text, CHARS, "assets/x.txt").files == {}
    # fewer lines: the last tenth of the characters, from the start of the word it falls in
    short = "aaaa bbbb cccc dddd eeee ffff gggg hhhh"  # 39 characters: the cut at 39 - 3 = 36, in "hhhh"
    split = split_text(short, WIKITEXT)
    assert split.files == {"train.txt": "aaaa bbbb cccc dddd eeee ffff gggg ", "valid.txt": "hhhh"}
    assert split.data_args == ["--train", "train.txt", "--valid", "valid.txt"]
    assert split.valid == ["hhhh", "<eos>"] and split.train[-2:] == ["gggg", "<eos>"]
    # no space before the cut: the last tenth exactly
    split = split_text("x" * 100, CHARS)
    assert split.files == {"train.txt": "x" * 90, "valid.txt": "x" * 10}
    assert split.train == ["x"] * 90 + ["<eos>"] and split.valid == ["x"] * 10 + ["<eos>"]


def test_texts_the_cut_refuses():
    with pytest.raises(LiveTextError, match="lone surrogate"):
        live_split("ab\ud800" * 100, LiveSettings())
    # whole lines held out that are blank: the characters' rule, whose end holds no words either
    with pytest.raises(LiveTextError, match="holds no words"):
        live_split("word " * 300 + " " * 200, LiveSettings(tokenizer="words"))


def test_teaching_texts_are_named_by_their_path_in_a_clone():
    for teaching in TEACHING_TEXTS.values():
        path = teaching_source(teaching.read())
        assert path == f"assets/teaching_texts/{teaching.name}.txt" and (ROOT / path).is_file()
        assert split_text(teaching.read(), CHARS, path).data_args == ["--train", path]  # whole lines held out
    assert teaching_source(TEACHING_TEXTS["poem"].read() + "x") is None
    assert not any(
        is_hidden(chr(c)) for c in range(0x3000)
    )  # a character model's vocabulary: nothing left out


def test_the_tab_shows_the_command_under_where_to_run_it():
    """views/live.py command_text: the recorded command, after a comment in the page's language."""
    from playground.text.live import PAIRS
    from playground.views.live import command_text

    pasted = "lstmlm train --train text.txt --out retrained"
    teaching = "lstmlm train --train assets/teaching_texts/quotes.txt --out retrained"
    for lang, column in (("en", 0), ("zh", 1)):
        said = command_text({"summary": {"command": pasted}}, lang)
        assert said == f"# {PAIRS['live.command_unzipped'][column]}\n{pasted}\n"
        said = command_text({"summary": {"command": teaching}}, lang)
        assert said == f"# {PAIRS['live.command_clone'][column]}\n{teaching}\n"
    assert command_text({"summary": None}) is None and command_text({"summary": {"steps": 3}}) is None


def test_a_tiny_text_records_the_batch_size_it_trained_with(tmp_path):
    """A tiny text gets fewer columns (run.live_configs): the command's --batch-size, config.json's
    train_config and its live_lab all say the count training used, the one asked for kept beside it."""
    text = anbn_text(40, seed=3)  # about 300 characters: ~270 training tokens
    settings = LiveSettings(seconds=30, max_tokens=400, **(TINY | {"batch_size": 32}))
    train_tokens = len(split_text(text, CHARS).train)
    used = train_tokens // (2 * settings.bptt + 2)  # the columns that still hold two windows each
    assert 1 < used < 32
    summary = train_live(text, settings, tmp_path / "lab")
    args = shlex.split(summary["command"])
    assert summary["batch_size"] == used and args[args.index("--batch-size") + 1] == str(used)
    training = json.loads((tmp_path / "lab" / "config.json").read_text())["training"]
    assert training["train_config"]["batch_size"] == used
    assert training["live_lab"]["batch_size"] == used and training["live_lab"]["batch_size_asked"] == 32
    # a text long enough for the batch asked for records no second count
    settings = LiveSettings(seconds=30, max_tokens=400, **TINY)
    train_live(anbn_text(), settings, tmp_path / "long")
    lab = json.loads((tmp_path / "long" / "config.json").read_text())["training"]["live_lab"]
    assert lab["batch_size"] == TINY["batch_size"] and "batch_size_asked" not in lab


def test_the_commands_time_budget_is_the_labs_to_the_bit():
    """--max-minutes is written in full (str(float), its shortest exact form: 20 s is 0.3333333333333333),
    not rounded: train() stops at max_minutes * 60 seconds, and a shorter decimal, e.g. 0.3333, is another
    budget (`lstmlm train` takes no seconds option)."""
    from lstmlm.training.live.command import live_command

    split = split_text(anbn_text(), CHARS)
    corpus = live_corpus(anbn_text(), LiveSettings(**TINY))
    for seconds in range(10, 301, 5):  # the tab's slider: 10 to 300 s in steps of 5
        settings = LiveSettings(seconds=float(seconds), **TINY)
        model_config, train_config = live_configs(settings, corpus)
        args = shlex.split(live_command(split, settings, model_config, train_config, 0))
        minutes = args[args.index("--max-minutes") + 1]
        # the command's budget is the one the Lab trained with, to the bit; in seconds, the slider's value
        assert float(minutes) == train_config.max_minutes == seconds / 60
        assert abs(float(minutes) * 60 - seconds) < 1e-9
        if len(minutes) > 6:  # a long one: rounded to 4 places it would stop a millisecond or more apart
            assert abs(float(f"{float(minutes):.4f}") * 60 - seconds) > 1e-3
