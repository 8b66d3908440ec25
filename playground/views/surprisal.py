"""What the Surprisal, Units and export views show (no gradio): the library's numbers (`lstmlm.studies.surprisal`,
`lstmlm.studies.export`, `lstmlm.studies.atlas`) over a prompt read the way every view reads it (`views.read_prompt`, from
a line start), as plain dicts for the endpoints and the tabs.

Spans: the endpoints and `unit_search_view` take 0-based steps, `span_start` included, `span_stop` excluded
(as `lstmlm.studies.surprisal.unit_search`); the Units tab shows words numbered from 1 and reads "3-7" as words 3
to 7 inclusive (`parse_span`).
"""

from __future__ import annotations

import atexit
import dataclasses
import re
import shutil
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from lstmlm.model import LanguageModel
from lstmlm.safewords import hide_in_text
from lstmlm.studies import export
from lstmlm.studies.compare import CELL_NAMES
from lstmlm.studies.equations import layer_arrays
from lstmlm.studies.runaway import CounterUnit, counter_units
from lstmlm.studies.surprisal import Surprisal, UnitSearch, surprisal, unit_search
from lstmlm.trace import trace
from playground.views.gates import UNIT_SERIES, check_layer
from playground.views.generate import GenerationSettings, generate_words
from playground.views.next_word import Prompt, line_start, predict_next, read_prompt

SIGNALS = ("h", "c")  # what unit search and the atlas rank: hidden state or cell (a GRU's or RNN's: h)
METHODS = ("mean", "minmax")
MAX_UNITS_LISTED = 50  # most units one search returns per direction
NO_ATLAS = (
    "This model has no unit atlas yet. Build it once with "
    "`lstmlm index --model DIR --data valid.txt` (DIR: the model directory; valid.txt: e.g. WikiText-2's "
    "validation text), then restart the playground."
)

# ---------------------------------------------------------------------------------------------
# Surprisal
# ---------------------------------------------------------------------------------------------


def surprisal_view(model: LanguageModel, text: str, k: int = 5) -> tuple[Prompt, Surprisal | None]:
    """The prompt and each word's probability, rank and GLTR bucket (None for an empty prompt)."""
    p = read_prompt(model.vocab, text)
    if not p.ids:
        return p, None
    k = max(1, min(int(k), 20))
    return p, surprisal(model, p.ids, k=k, state=line_start(model), first_word=True, unknown=p.unknown)


def surprisal_json(model: LanguageModel, text: str, k: int = 5) -> dict:
    """What the `surprisal` endpoint returns: per word its prob, rank, bucket, bits and the top-k expected."""
    p, s = surprisal_view(model, text, k)
    out = {"tokens": p.tokens, "unknown": p.unknown, "notice": p.notice, "words": []}
    if s is None:
        return dict(out, perplexity=None, bits_per_word=None, notice="The prompt is empty: type some words.")
    out["words"] = [
        {
            "position": w.position,
            "word": w.word,
            "prob": round(w.prob, 6),
            "rank": w.rank,
            "bucket": w.bucket,
            "bits": round(w.bits, 4),
            "known": w.known,  # False: not in the vocabulary, read as <unk>; left out of the perplexity
            "expected": [
                {"word": e, "prob": round(q, 6)} for e, q in zip(w.expected, w.expected_probs, strict=True)
            ],
        }
        for w in s.words
    ]
    if not any(w.known for w in s.words):  # nothing the model can score: no perplexity (not NaN in JSON)
        return dict(out, perplexity=None, bits_per_word=None)
    return dict(out, perplexity=round(s.perplexity, 4), bits_per_word=round(s.bits_per_word, 4))


# ---------------------------------------------------------------------------------------------
# Unit search
# ---------------------------------------------------------------------------------------------


def parse_span(text: str, steps: int) -> tuple[int, int]:
    """'3-7' (words 3 to 7, numbered from 1) -> steps (2, 7), start included and stop excluded; '5' -> (4, 5).

    ValueError says what to type."""
    m = re.fullmatch(r"\s*(\d+)\s*(?:(?:-|–|\.\.|to)\s*(\d+)\s*)?", text or "")
    if not m:
        raise ValueError(f"type the words to select as a range like 3-7 (words 1..{steps}), got {text!r}")
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    if first > last:
        first, last = last, first
    if not 1 <= first <= last <= steps:
        raise ValueError(f"the range must lie within words 1..{steps} of the prompt, got {first}-{last}")
    return first - 1, last


def check_signal(signal: str, cell: str = "lstm") -> str:
    if cell != "lstm" and signal != "h":
        raise ValueError(
            f"signal must be 'h' (hidden state): a {CELL_NAMES[cell]} has no cell, got {signal!r}"
        )
    if signal not in SIGNALS:
        raise ValueError(f"signal must be 'h' (hidden state) or 'c' (cell), got {signal!r}")
    return signal


@dataclass
class UnitSearchView:
    """A unit search over the prompt, and the searched layer's values to draw a unit with."""

    prompt: Prompt
    result: UnitSearch
    span_start: int
    span_stop: int
    series: dict[str, np.ndarray]  # f, i, o, c, h (GRU r, z, n, h; plain RNN h) -> (T, H) of the layer

    def unit_series(self, unit: int) -> dict[str, np.ndarray]:
        """One unit's f, i, o, c, h (or the cell's own series) over the prompt, each (T,)."""
        return {g: v[:, unit] for g, v in self.series.items()}


def unit_search_view(
    model: LanguageModel,
    text: str,
    layer: int,
    span_start: int,
    span_stop: int,
    signal: str = "h",
    k: int = 10,
    method: str = "mean",
) -> UnitSearchView:
    """Units of `layer` ranked by how `signal` is high in steps [span_start, span_stop) and low elsewhere."""
    check_layer(model, layer)
    check_signal(signal, model.config.cell)
    if method not in METHODS:
        raise ValueError(f"method must be 'mean' or 'minmax', got {method!r}")
    p = read_prompt(model.vocab, text)
    if len(p.ids) < 2:
        raise ValueError("type at least two words: unit search compares the selected words with the others")
    k = max(1, min(int(k), MAX_UNITS_LISTED))
    tr = trace(model, p.ids, line_start(model), log_probs=False)
    layers = layer_arrays(tr)
    result = unit_search(layers, layer, span_start, span_stop, signal, k, method)
    series = {g: layers[layer].get(g) for g in UNIT_SERIES[model.config.cell]}
    return UnitSearchView(p, result, span_start, span_stop, series)


def unit_search_json(
    model: LanguageModel,
    text: str,
    layer: int = 0,
    span_start: int = 0,
    span_stop: int = 1,
    signal: str = "h",
    k: int = 10,
    method: str = "mean",
) -> dict:
    """What the `unit_search` endpoint returns: the span's words and the ranked units both ways."""
    v = unit_search_view(model, text, layer, span_start, span_stop, signal, k, method)

    def scores(units: list) -> list[dict]:
        return [{k: round(x, 6) if isinstance(x, float) else x for k, x in asdict(s).items()} for s in units]

    return {
        "tokens": v.prompt.tokens,
        "notice": v.prompt.notice,
        "layer": layer,
        "signal": signal,
        "method": method,
        "span": [span_start, span_stop],
        "span_words": v.prompt.tokens[span_start:span_stop],
        "high": scores(v.result.high),
        "low": scores(v.result.low),
    }


def counter_units_view(model: LanguageModel, text: str, layer: int, k: int = 10) -> list[CounterUnit]:
    """Units of an LSTM `layer` whose cell state grows (or falls) most steadily with the position in the
    prompt ("counter" units), best first. ValueError for a GRU/RNN (no cell) or fewer than 3 words."""
    check_layer(model, layer)
    if model.config.cell != "lstm":
        raise ValueError(
            f"counter units are found in the cell state; a {CELL_NAMES[model.config.cell]} has none"
        )
    p = read_prompt(model.vocab, text)
    k = max(1, min(int(k), MAX_UNITS_LISTED))
    if len(p.ids) < 3:
        raise ValueError(
            "type at least three words: a counter unit's cell grows with the position in the text"
        )
    layers = layer_arrays(trace(model, p.ids, line_start(model), log_probs=False))
    return counter_units(layers[layer].get("c"), k)


def counter_choices(units: list[CounterUnit]) -> list[tuple[str, int]]:
    """Radio choices 'unit 5 · C +0.91/word, r 0.99 (+45.6 over the text)' -> 5."""
    return [
        (f"unit {u.unit} · C {u.slope:+.2f}/word, r {u.r:.2f} ({u.growth:+.1f} over the text)", u.unit)
        for u in units
    ]


# ---------------------------------------------------------------------------------------------
# Unit atlas
# ---------------------------------------------------------------------------------------------

ATLAS_KEYS = ("h_high", "h_low", "c_high", "c_low")


def atlas_unit(atlas: dict | None, layer: int, unit: int) -> dict:
    """One unit's top contexts from the atlas: {h_high, h_low, c_high, c_low, source, words_scanned} (no c_
    for a GRU or plain RNN, whose atlas ranks h only).

    ValueError with NO_ATLAS when there is no atlas, or naming the valid layers/units."""
    if atlas is None:
        raise ValueError(NO_ATLAS)
    layers = atlas["layers"]
    if isinstance(layer, bool) or not isinstance(layer, int) or not 0 <= layer < len(layers):
        raise ValueError(f"layer must be one of 0..{len(layers) - 1}, got {layer}")
    units = layers[layer]
    if isinstance(unit, bool) or not isinstance(unit, int) or not 0 <= unit < len(units):
        raise ValueError(f"unit must be one of 0..{len(units) - 1} (layer {layer}), got {unit}")
    entry = units[unit]
    return {
        "layer": layer,
        "unit": unit,
        **{key: entry.get(key, []) for key in ATLAS_KEYS if key[0] in atlas.get("signals", "ch")},
        "source": atlas.get("source", ""),
        "words_scanned": atlas.get("words_scanned", 0),
    }


# ---------------------------------------------------------------------------------------------
# Export: files in a fresh temporary folder per request (never a path the user chose)
# ---------------------------------------------------------------------------------------------


EXPORT_MAX_AGE_S = 3600  # an export folder is removed an hour after it was made (its download is long done)
_export_root: list[Path] = []  # this process's own temporary folder for exports, made on first use
_export_lock = threading.Lock()


def _folder() -> Path:
    """A new folder for one request's files, inside this process's temporary folder (removed at exit);
    folders older than EXPORT_MAX_AGE_S go first, so a day of exports does not fill the disk."""
    with _export_lock:
        if not _export_root:
            _export_root.append(Path(tempfile.mkdtemp(prefix="lstm-playground-exports-")))
            atexit.register(shutil.rmtree, _export_root[0], True)
        root = _export_root[0]
        cutoff = time.time() - EXPORT_MAX_AGE_S
        for old in root.iterdir():
            try:
                if old.stat().st_mtime < cutoff:
                    shutil.rmtree(old, ignore_errors=True)
            except OSError:
                pass  # removed by another request meanwhile
    return Path(tempfile.mkdtemp(prefix="lstm-playground-", dir=root))


def export_trace_files(model: LanguageModel, text: str) -> dict[str, Path]:
    """The prompt's trace (every layer) as trace.csv, trace.npz and trace.json; ValueError if empty."""
    p = read_prompt(model.vocab, text)
    if not p.ids:
        raise ValueError("the prompt is empty: type some words to export their trace")
    tr = trace(model, p.ids, line_start(model), log_probs=False)
    tokens = [hide_in_text(t)[0] for t in p.tokens]  # a download is shown to people too: listed words hidden
    unknown = [tokens[i] for i in p.unknown]
    nxt = predict_next(model, p, 10)
    nxt = dataclasses.replace(nxt, words=[hide_in_text(w)[0] for w in nxt.words])
    out = _folder()
    paths = {"csv": out / "trace.csv", "npz": out / "trace.npz", "json": out / "trace.json"}
    export.trace_csv(tr, tokens, paths["csv"])
    export.trace_npz(tr, tokens, paths["npz"], ids=p.ids)
    export.trace_json(tr, tokens, unknown, nxt, paths["json"])
    return paths


def export_generated_file(model: LanguageModel, run: dict) -> Path | None:
    """The Generate tab's last run as generated.csv (step, word, id, prob, rank, sampled_prob), or None.

    The run is replayed with its own seed and settings, which gives the same words (checked)."""
    if not run or not run.get("ids"):
        return None
    settings = GenerationSettings(**run["settings"])
    words = list(generate_words(model, read_prompt(model.vocab, run["prompt"]), settings))
    if [w.id for w in words] != list(run["ids"]):
        return None
    path = _folder() / "generated.csv"
    export.generated_csv([dataclasses.replace(w, word=hide_in_text(w.word)[0]) for w in words], path)
    return path
