"""The `lstmlm train` command that repeats a Live Lab run, and the cut of the text that makes it exact.

The Lab reads its text as `lstmlm train` reads a file (`lstmlm.data.text_lines`, `lines_tokens`: each line
ends with <eos>) and holds out its end for validation in one of two ways, each one the CLI can repeat:

    MIN_SPLIT_LINES lines or more:  its last held_out_count(lines)  ->  --train text.txt
                                    lines (a tenth)                      (lstmlm train holds out the same)
    fewer (e.g. one paragraph):     its last tenth of characters,   ->  --train train.txt --valid valid.txt
                                    from the start of a word             (the two parts, saved as files)

(held-out lines with fewer than 2 tokens, or more tokens than the rest, are cut by characters instead).
`live_command` then writes every setting the Lab chose as an option, so the same files, settings and seed
give the same tokens, vocabulary, batches and losses (tests/test_live_command.py runs the recorded command).
A teaching text is named by its path in a clone (assets/teaching_texts/NAME.txt); any other text is saved
with the model (`LiveSplit.files`) so the command runs from the unzipped download.
"""

from __future__ import annotations

import shlex
from dataclasses import MISSING, dataclass, fields

from lstmlm.data import held_out_count, lines_tokens, text_lines
from lstmlm.model import ModelConfig
from lstmlm.tokenizers import Tokenizer
from lstmlm.training.config import TrainConfig
from lstmlm.training.live.settings import LiveSettings

MIN_SPLIT_LINES = 10  # a text of this many lines holds out whole lines, as `lstmlm train --train FILE` does
VALID_FRACTION = 0.1  # a shorter text: the last tenth of its characters (from a word start) is held out
TEXT_FILE, TRAIN_FILE, VALID_FILE = "text.txt", "train.txt", "valid.txt"  # saved with the model
COMMAND_OUT = "retrained"  # the command's --out: a new folder next to the files it reads
LAB_THREADS = 1  # the playground trains each Lab run on one torch thread (server/live_worker.py)
# options the command always gives, even at the dataclass default: the ones `lstmlm train` defaults
# differently (its recipe for WikiText) and the ones a reader looks for
MODEL_SHOWN = ("cell", "embed_dim", "hidden_dim", "num_layers", "dropout", "tie_weights", "softmax")
TRAIN_SHOWN = ("optimizer", "lr", "schedule", "clip", "batch_size", "bptt", "seed", "device", "threads")


@dataclass(frozen=True)
class LiveSplit:
    """A Lab text cut into what it trains on and what it is checked on, and how the CLI gets the same cut."""

    train: list[str]  # training tokens (each line's, then <eos>)
    valid: list[str]  # held-out tokens
    data_args: list[str]  # the command's data options: --train FILE [--valid FILE]
    files: dict[str, str]  # file name -> the text to save with the model for the command ({} : none)


def split_text(text: str, tokenizer: Tokenizer, source: str | None = None) -> LiveSplit:
    """The training and validation tokens of `text` as `lstmlm train` would read them from the files the
    command names (module docstring); `source`: the text's own path (a teaching text), used instead of
    saving a copy when whole lines are held out. No checks here: `live_corpus` says what is too short."""
    lines = text_lines(text)
    if len(lines) >= MIN_SPLIT_LINES:
        n_valid = held_out_count(len(lines))  # `Corpus.from_raw_text` without --valid: the same count
        train, valid = lines_tokens(lines[:-n_valid], tokenizer), lines_tokens(lines[-n_valid:], tokenizer)
        # unless the held-out lines are (nearly) empty or hold most of the text: then cut by characters
        if 2 <= len(valid) <= len(train):
            files = {} if source else {TEXT_FILE: text}
            return LiveSplit(train, valid, ["--train", source or TEXT_FILE], files)
    cut = start = max(0, len(text) - max(2, int(len(text) * VALID_FRACTION)))
    while 0 < cut < len(text) and not (text[cut - 1].isspace() or text[cut].isspace()):
        cut -= 1  # back to the start of the word the cut fell in: a word is never cut in two
    cut = cut or start  # a text without a space before the cut: the last tenth exactly
    parts = text[:cut], text[cut:]
    train, valid = (lines_tokens(text_lines(part), tokenizer) for part in parts)
    data = ["--train", TRAIN_FILE, "--valid", VALID_FILE]
    return LiveSplit(train, valid, data, {TRAIN_FILE: parts[0], VALID_FILE: parts[1]})


def _options(config, shown: tuple[str, ...], skip: tuple[str, ...] = ()) -> list[str]:
    """`config`'s fields as `lstmlm train` options (cli/options.py: --name value, --flag / --no-flag, a
    tuple as several values): those in `shown`, and any other that differs from the dataclass default."""
    args: list[str] = []
    for f in fields(config):
        value = getattr(config, f.name)
        if f.name in skip or (f.name not in shown and f.default is not MISSING and value == f.default):
            continue
        flag = f.name.replace("_", "-")
        if isinstance(value, bool):
            args.append(f"--{flag}" if value else f"--no-{flag}")
        elif isinstance(value, tuple):
            args += [f"--{flag}", *map(str, value)]
        else:
            args += [f"--{flag}", str(value)]  # str(float) is its shortest exact form: it parses back equal
    return args


def live_command(
    split: LiveSplit,
    settings: LiveSettings,
    model_config: ModelConfig,
    train_config: TrainConfig,
    max_vocab: int,
) -> str:
    """The `lstmlm train` command line (a shell-quoted string) that trains the Lab's model again: the
    split's files, the tokenizer, the vocabulary cap, every model and training setting, no automatic
    choices (--no-auto) and the run's torch threads, `train_config.threads`, as config.json records them
    (the thread count can change a sum's last bits). With a token budget (`settings.max_tokens`) it
    repeats the losses exactly; a time budget ends where the machine's speed lets it."""
    args = ["lstmlm", "train", *split.data_args, "--tokenizer", settings.tokenizer_object.name]
    args += ["--out", COMMAND_OUT, "--no-auto", "--max-vocab", str(max_vocab)]
    args += _options(model_config, MODEL_SHOWN, skip=("vocab_size",))
    args += _options(train_config, TRAIN_SHOWN)
    return shlex.join(args)
