"""The models the Compare, Gradient-flow and Class-game views put side by side: the app's own model first,
then the other bundled models or any given directories. By default (the line-up is every bundled model)
only the main model's family joins it: the bundled models trained on the same text with the same
vocabulary (storybooks-lstm with storybooks-gru and storybooks-rnn; wikitext2-lstm with wikitext2-gru and
wikitext2-rnn), so that their words, perplexities and test figures compare like with like. A model with no
family (your own) is compared with every bundled model. All are read-only and shared by every user, like
the main model."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lstmlm.bundled import bundled_model_dirs
from lstmlm.cells import CELLS
from lstmlm.checkpoint import CheckpointError, load_model, read_config
from lstmlm.model import LanguageModel
from lstmlm.model_dir import VOCAB
from lstmlm.studies.compare import model_label
from lstmlm.studies.gradflow import AverageFlow, load_flow
from lstmlm.vocab import Vocab
from playground.display import CELL_COLORS  # one colour per cell kind, shared with the Class game's chart
from playground.views.cell_kind import named_cell

EXTRA_COLORS = ("#be185d", "#65a30d", "#0369a1", "#a16207")
CELL_ORDER = {cell: n for n, cell in enumerate(CELLS)}  # lstm, gru, rnn_tanh, rnn_relu (lstmlm.cells)


def json_number(x: float | None, digits: int = 4) -> float | None:
    """A number for the endpoints' JSON (compare, gradient_flow): rounded; None for None, NaN or infinity."""
    return None if x is None or not math.isfinite(x) else round(float(x), digits)


@dataclass
class Entry:
    """One model of the line-up."""

    label: str  # e.g. "LSTM 2×512"
    model: LanguageModel
    color: str
    flow: AverageFlow | None = None  # its shipped averaged gradient flow, if any
    path: str = ""

    def named(self, lang: str = "en") -> str:
        """The label in `lang`, its cell named as the page names it: 'plain RNN (tanh) 2×256' is
        '普通 RNN（tanh） 2×256' in Chinese (views/cell_kind.py)."""
        cell = self.model.config.cell
        english = named_cell(cell)
        if lang != "zh" or not self.label.startswith(english):
            return self.label
        return named_cell(cell, lang) + self.label[len(english) :]


def bundled_dirs() -> list[Path]:
    """Every bundled model directory (assets/models/* in a clone, lstmlm/_models/* installed), by name;
    `make_lineup` orders them by cell."""
    return bundled_model_dirs()


def same_data(model: LanguageModel, directory: str | os.PathLike) -> bool:
    """Whether the model in `directory` reads text exactly as `model` does: the same tokenizer and the same
    vocabulary, word for word and in the same order (a vocabulary is built from its training text, so this
    is the mark of models trained on the same data). False when its config or vocabulary cannot be read."""
    directory = Path(directory)
    try:
        tokenizer = read_config(directory).get("tokenizer", "wikitext")  # absent: the WikiText rules
        words = Vocab.load(directory / VOCAB).words
    except (CheckpointError, OSError, UnicodeDecodeError):
        return False
    return tokenizer == model.vocab.tokenizer.name and words == model.vocab.words


def family_or_all(
    model: LanguageModel, model_dir: str | os.PathLike | None, others: Sequence[str | os.PathLike]
) -> list[str | os.PathLike]:
    """The directories the line-up loads. When `others` is the default line-up (every bundled model) and
    some of them, besides the main model's own directory, were trained on its data (`same_data`), those
    only; otherwise `others` as given (a list the user chose is never filtered)."""
    resolved = {Path(d).resolve() for d in others}
    if not others or resolved != {p.resolve() for p in bundled_dirs()}:
        return list(others)
    main = Path(model_dir).resolve() if model_dir is not None else None
    family = [d for d in others if Path(d).resolve() != main and same_data(model, d)]
    return family or list(others)


def make_lineup(
    model: LanguageModel,
    model_dir: str | os.PathLike | None,
    others: Sequence[str | os.PathLike] = (),
    load: Callable[[Path], LanguageModel] | None = None,
) -> list[Entry]:
    """The main model and the loadable models of `others` (a directory that does not load is skipped with
    a message on stderr: the app still starts); when `others` is every bundled model, only the main model's
    family of them (`family_or_all`). Duplicates of the main directory are dropped. `load` reads a model
    directory (default load_model; the model hub passes its own, so each model loads once)."""
    entries = [Entry(model_label(model), model, CELL_COLORS.get(model.config.cell, EXTRA_COLORS[0]))]
    entries[0].flow, entries[0].path = load_flow(model_dir), str(model_dir or "")
    main = Path(model_dir).resolve() if model_dir is not None else None
    seen = {main}
    loaded, other_kind = [], []  # other_kind: the names of models that read the other unit
    for d in family_or_all(model, model_dir, others):
        path = Path(d).resolve()
        if path in seen:
            continue
        seen.add(path)
        try:
            other = (load or load_model)(path)
        except CheckpointError as e:
            print(f"lstm-playground: not comparing {d}: {e}", file=sys.stderr)
            continue
        reads, main_reads = other.vocab.tokenizer.name, model.vocab.tokenizer.name
        if (reads == "chars") != (main_reads == "chars"):  # words and characters are not comparable steps
            other_kind.append(Path(d).name)
            continue
        loaded.append((path, other))
    if other_kind:  # one line for all of them
        main_unit = "characters" if model.vocab.tokenizer.name == "chars" else "words"
        other_unit = "words" if main_unit == "characters" else "characters"
        print(
            f"lstm-playground: note: the Compare view leaves out {len(other_kind)} model"
            f"{'s' if len(other_kind) > 1 else ''} that read{'' if len(other_kind) > 1 else 's'} "
            f"{other_unit} (the main model reads {main_unit}): {', '.join(other_kind)}",
            file=sys.stderr,
        )
    loaded.sort(key=lambda pm: (CELL_ORDER.get(pm[1].config.cell, 9), str(pm[0])))
    used = {entries[0].color}
    for path, m in loaded:
        color = CELL_COLORS.get(m.config.cell)
        if color is None or color in used:
            color = next((c for c in EXTRA_COLORS + tuple(CELL_COLORS.values()) if c not in used), "#6b7280")
        used.add(color)
        label = model_label(m)
        if any(e.label == label for e in entries):
            label = f"{label} ({path.name})"
        entries.append(Entry(label, m, color, load_flow(path), str(path)))
    return entries
