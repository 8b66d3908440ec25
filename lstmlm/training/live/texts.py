"""The teaching texts: built-in texts written around one structure each, where to find them (the installed
package or a clone's assets/), and the cell-hunt track that marks their structure."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from lstmlm.studies.tracks import Track, compute_tracks
from lstmlm.tokenizers import Tokenizer

PACKAGED_TEXTS = "_teaching_texts"  # lstmlm/_teaching_texts/<name>.txt inside a built wheel (setup.py)
IN_CLONE = "assets/teaching_texts"  # where a clone keeps them, from its root
SOURCE_TEXTS = Path(__file__).resolve().parents[3] / IN_CLONE  # a clone's copies


def teaching_root():
    """The folder of the teaching texts: the package data of an installed wheel, else a clone's assets."""
    try:
        packaged = resources.files("lstmlm") / PACKAGED_TEXTS
    except (ModuleNotFoundError, TypeError):  # pragma: no cover: imported without a package spec
        packaged = None
    return packaged if packaged is not None and packaged.is_dir() else SOURCE_TEXTS


@dataclass(frozen=True)
class TeachingText:
    """A built-in text written for teaching: what it is, which cell to look for once trained, and the
    cell-hunt track that marks that structure (`planted_track`)."""

    name: str
    title: str
    look_for: str
    track: str  # a cell-hunt track name, or "ab_depth" (a's read minus b's read in the line)

    def read(self) -> str:
        """The text (UTF-8), from the installed package or the clone's assets/teaching_texts/."""
        return (teaching_root() / f"{self.name}.txt").read_text(encoding="utf-8")


TEACHING_TEXTS = {
    t.name: t
    for t in [
        TeachingText("quotes", "Dialogue with quotes", "a unit that is on inside quotes and off outside",
                     "quote"),
        TeachingText("brackets", "Nested brackets", "a unit whose cell rises at '(' and falls at ')'",
                     "paren"),
        TeachingText("anbn", "a^n b^n sequences", "a unit that counts the a's up, then the b's down",
                     "ab_depth"),
        TeachingText("numbered", "Numbered lines", "units that track the position in the line", "line_pos"),
        TeachingText("program", "A tiny program", "units for indentation and for inside a string", "quote"),
        TeachingText("poem", "Two short poems (Lear, Blake)", "a model that recites: line breaks, rhymes",
                     "line_pos"),
    ]
}  # fmt: skip


def teaching_source(text: str) -> str | None:
    """The path in a clone (assets/teaching_texts/NAME.txt) of the teaching text that `text` is, exactly;
    None for any other text (pasted, uploaded, or a teaching text changed)."""
    for teaching in TEACHING_TEXTS.values():
        if teaching.read() == text:
            return f"{IN_CLONE}/{teaching.name}.txt"
    return None


def planted_track(teaching: TeachingText, tokens: list[str], tokenizer: Tokenizer) -> Track:
    """The track of the structure `teaching` was written around, over `tokens` (one value per token).

    "ab_depth" counts a's minus b's read so far in the line (0 after a line break): a^n b^n's counter;
    the others are the cell hunt's built-in tracks."""
    if teaching.track != "ab_depth":
        return compute_tracks(tokens, tokenizer)[teaching.track]
    depth, values = 0, np.zeros(len(tokens))
    for n, token in enumerate(tokens):
        depth = 0 if token in ("<eos>", "\n") else depth + (token == "a") - (token == "b")
        values[n] = depth
    return Track("ab_depth", "a's minus b's read in the line", "count", values)
