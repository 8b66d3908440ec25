"""The cell hunt (Karpathy, Johnson & Fei-Fei 2015; LSTMVis): annotation tracks computed from the text
itself, and every unit of every layer ranked by how well its cell c (and hidden state h) predicts each track.

A track gives one number per step of the model (a character of a character model, a word of a word model):

    quote            1 inside double quotes ("...", “...”), else 0. The opening quote is inside, the closing
                     one outside (the value is the state after reading the step). A quote stays open across
                     a line break; an empty line (a paragraph's end) closes it, since English prose opens
                     a quote again at each paragraph of a long speech.
    paren            depth of ( ) nesting after the step: 0 outside, 1 inside, 2 inside a nested pair...
    line_pos         steps since the last line break: 0 for a line's first step; the line break itself
                     gets the line's length. CRLF and CR are one line break (the tokenizer reads them so).
    word_pos         (characters) 1, 2, 3... along a word (letters, digits, an apostrophe inside a word);
                     0 for spaces and punctuation.
    sentence_start   1 on the first word of a sentence (all its characters for a character model). A
                     sentence starts the text, follows . ! or ? and a space, or an empty line.
    sentence_pos     steps since the first step of the sentence's first word.
    line_wrap        (characters) 1 where the line has reached within 10 characters of its usual wrap
                     length, the median length of the text's non-empty lines (needs >= 5 of them).

Yes/no tracks are scored by the AUC of the unit's value as a detector (Mann-Whitney U from ranks, ties
given their average rank): 1.0 = every step inside is above every step outside, 0.0 the reverse, 0.5 no
better than chance. A unit that is LOW inside is as good a detector, so units are ranked by
max(AUC, 1 - AUC) and the direction is kept. Counts are scored by |Pearson r|. The person's own track is
a regular expression: a step is marked when any of its characters is inside a match.

`lstmlm cells --model DIR --data FILE` ranks every built-in track over a file (e.g. the validation text)
and writes `DIR/cell_hunt.json.gz`, which the playground's Cell-hunt view and the API read (like the unit
atlas). Values are traced as evaluation reads a file: `batch_size` columns, the state carried through.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from lstmlm.data import batchify
from lstmlm.model import LanguageModel, State
from lstmlm.model_cache import read_cache, write_cache
from lstmlm.tokenizers import Tokenizer
from lstmlm.trace import trace
from lstmlm.wikitext import EOS

CACHE = "cell_hunt.json.gz"
CACHE_VERSION = 1
WRAP_MARGIN = 10  # line_wrap: within 10 characters of the usual line length
MIN_WRAP_LINES = 5  # line_wrap needs this many non-empty lines to know the usual length
MAX_REGEX_CHARS = 200
PASSAGE_STEPS = {"character": 1500, "word": 300}  # the text kept in the cache for the view to show


@dataclass(frozen=True)
class TrackSpec:
    """A built-in track: its name, kind ("binary": yes/no, "count"), and for which models it exists."""

    name: str
    kind: str
    units: tuple[str, ...]  # "character" and/or "word": the step kinds it is computed for
    label: str  # {unit} is replaced by "character" or "word"


TRACK_SPECS = (
    TrackSpec("quote", "binary", ("character", "word"), "inside double quotes"),
    TrackSpec("paren", "count", ("character", "word"), "inside parentheses (depth)"),
    TrackSpec(
        "line_pos", "count", ("character", "word"), "position in the line ({unit}s since the line break)"
    ),
    TrackSpec("word_pos", "count", ("character",), "position in the word"),
    TrackSpec("sentence_start", "binary", ("character", "word"), "first word of a sentence"),
    TrackSpec("sentence_pos", "count", ("character", "word"), "position in the sentence ({unit}s)"),
    TrackSpec("line_wrap", "binary", ("character",), "line near its usual wrap length"),
)
SPECS = {s.name: s for s in TRACK_SPECS}
REGEX = "regex"  # the name of the person's own track


def track_names(unit: str) -> list[str]:
    """The built-in tracks for a model whose steps are `unit`s ("character" or "word")."""
    return [s.name for s in TRACK_SPECS if unit in s.units]


@dataclass
class Track:
    """One track over a text: `values` (T,) float64, one per step."""

    name: str
    label: str
    kind: str  # binary | count
    values: np.ndarray
    note: str = ""  # e.g. the wrap length line_wrap used

    @property
    def usable(self) -> str:
        """ "" when the track can be ranked against, else why not (no step inside, all the same...)."""
        v = self.values
        if v.size < 2:
            return "the text is too short"
        if self.kind == "binary":
            on = int(v.sum())
            if on == 0:
                return f"no step of the text is marked ({self.label})"
            if on == v.size:
                return f"every step of the text is marked ({self.label}): nothing to compare with"
            return ""
        return "" if np.ptp(v) > 0 else f"the track is the same at every step ({self.label})"


def step_texts(tokens: Sequence[str], tokenizer: Tokenizer) -> list[str]:
    """What each step reads as text: the token ("\\n" for a line break), with the space before it."""
    return [space + text for space, text in tokenizer.pieces(list(tokens))]


def _is_word_char(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def compute_tracks(tokens: Sequence[str], tokenizer: Tokenizer) -> dict[str, Track]:
    """Every built-in track for this tokenizer's steps over `tokens` (see the module docstring)."""
    unit = tokenizer.unit
    chars = unit == "character"
    texts = step_texts(tokens, tokenizer)
    T = len(texts)
    quote, paren, line_pos = np.zeros(T), np.zeros(T), np.zeros(T)
    word_pos, starts, sent_pos = np.zeros(T), np.zeros(T), np.zeros(T)
    in_quote, depth, column, run = 0, 0, 0, 0
    boundary, pending, in_first, since, previous_eos = True, False, False, 0, False
    for t, (tok, text) in enumerate(zip(tokens, texts, strict=True)):
        eos = tok == EOS
        body = text if chars else text.lstrip(" ")  # the step's own text, without the space before it
        paragraph_end = eos and previous_eos  # an empty line
        # quotes and brackets: the state after reading the step
        for ch in body:
            if ch == '"':
                in_quote = 1 - in_quote
            elif ch == "\u201c":
                in_quote = 1
            elif ch == "\u201d":
                in_quote = 0
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth = max(0, depth - 1)
        if paragraph_end:
            in_quote = 0
        quote[t], paren[t] = in_quote, depth
        # line position: steps since the last line break
        line_pos[t] = column
        column = 0 if eos else column + 1
        # sentences: a word after . ! ? and a space (or an empty line, or the text's start) begins one
        word = _is_word_char(body)
        if chars:
            run = run + 1 if body.isalnum() or (body in ("'", "\u2019") and run > 0) else 0
            word_pos[t] = run
            if body and body in ".!?":
                pending = True
            elif pending and (eos or body.isspace()):
                boundary, pending = True, False
            elif pending and body not in ('"', "\u201d", "'", "\u2019", ")"):
                pending = False  # "3.5", "U.S": the terminator was inside a word
        if paragraph_end:
            boundary = True
        if word and boundary:
            boundary, in_first, since = False, True, 0
        elif chars:
            in_first = in_first and run > 0  # a character model's first word ends at its last letter
        starts[t] = float(in_first)
        if not chars:
            in_first = False  # a word model's first word is one step
        sent_pos[t] = since
        since += 1
        if not chars and body[-1:] in (".", "!", "?") and body:
            boundary = True  # a word model reads "." as its own token, or "end." as one
        previous_eos = eos
    out = {
        "quote": Track("quote", SPECS["quote"].label, "binary", quote),
        "paren": Track("paren", SPECS["paren"].label, "count", paren),
        "line_pos": Track("line_pos", SPECS["line_pos"].label.format(unit=unit), "count", line_pos),
        "sentence_start": Track("sentence_start", SPECS["sentence_start"].label, "binary", starts),
        "sentence_pos": Track(
            "sentence_pos", SPECS["sentence_pos"].label.format(unit=unit), "count", sent_pos
        ),
    }
    if chars:
        out["word_pos"] = Track("word_pos", SPECS["word_pos"].label, "count", word_pos)
        out["line_wrap"] = _line_wrap(list(tokens), line_pos)
    return {name: out[name] for name in track_names(unit)}


def _line_wrap(tokens: list[str], line_pos: np.ndarray) -> Track:
    """1 where a line is within WRAP_MARGIN characters of the median length of the non-empty lines."""
    lengths = [int(line_pos[t]) for t, tok in enumerate(tokens) if tok == EOS and line_pos[t] > 0]
    label = SPECS["line_wrap"].label
    if len(lengths) < MIN_WRAP_LINES:
        note = f"needs at least {MIN_WRAP_LINES} non-empty lines to know the usual length"
        return Track("line_wrap", label, "binary", np.zeros(len(tokens)), note)
    wrap = float(np.median(lengths))
    values = (line_pos >= wrap - WRAP_MARGIN).astype(np.float64)
    note = f"usual line length {wrap:g} characters (median of {len(lengths)} lines)"
    return Track("line_wrap", label, "binary", values, note)


def regex_track(tokens: Sequence[str], tokenizer: Tokenizer, pattern: str) -> Track:
    """1 on each step with a character inside a match of `pattern` (Python `re`) over the text; ValueError
    for an empty, too long or invalid pattern."""
    if not isinstance(pattern, str) or not pattern:
        raise ValueError("type a regular expression for your track, e.g. [A-Z] or \\bthe\\b")
    if len(pattern) > MAX_REGEX_CHARS:
        raise ValueError(
            f"the regular expression is {len(pattern)} characters; keep it under {MAX_REGEX_CHARS}"
        )
    try:
        compiled = re.compile(pattern)
    except re.error as e:
        raise ValueError(f"{pattern!r} is not a valid regular expression: {e}") from None
    texts = step_texts(tokens, tokenizer)
    ends = np.cumsum([len(t) for t in texts])  # step t covers text[ends[t] - len(text_t) : ends[t]]
    whole = "".join(texts)
    marked = np.zeros(len(whole) + 1, dtype=np.int64)  # +1 at a match's start, -1 past its end
    for m in compiled.finditer(whole):
        if m.end() > m.start():
            marked[m.start()] += 1
            marked[m.end()] -= 1
    inside = np.cumsum(marked[:-1]) > 0  # (chars,)
    values = np.zeros(len(texts))
    for t, text in enumerate(texts):
        start = ends[t] - len(text) + (len(text) - len(text.lstrip(" ")))  # the token, not its space
        values[t] = float(inside[start : ends[t]].any())
    return Track(REGEX, f"your pattern /{pattern}/", "binary", values)


# ---------------------------------------------------------------------------------------------
# Unit values over a text, and the scores
# ---------------------------------------------------------------------------------------------


def signals_of(model: LanguageModel) -> tuple[str, ...]:
    """What is ranked: an LSTM's cell c and hidden state h; a GRU's or plain RNN's h."""
    return ("c", "h") if model.config.cell == "lstm" else ("h",)


def unit_values(
    model: LanguageModel,
    ids: Sequence[int],
    batch_size: int = 1,
    bptt: int = 256,
    state: State | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> tuple[dict[str, np.ndarray], int]:
    """Trace `ids` and keep c and h of every layer, one row per unit: ({signal: (L, H, N) float32}, N), so
    that each unit's values over the text are contiguous (the ranking sorts them). With batch_size > 1
    the text is cut into columns as evaluation cuts it (each from a zero state; the last N % batch_size
    steps dropped); with 1 it is read in one piece from `state` (None: a zero state).

    workers > 1 (on CPU, batch_size > 1): the columns are independent, so each of `workers` threads traces
    its own share of them with one torch thread (a recurrence of batch 10 is too small to split well
    inside an operation, and threads that wait on each other at every step stall on a busy machine).
    torch's thread count is set to 1 meanwhile (it is process-wide) and restored after; the values equal
    the one-thread trace's to float rounding."""
    ids_t = torch.as_tensor(list(ids), dtype=torch.long)
    data = batchify(ids_t, batch_size) if batch_size > 1 else ids_t[:, None]  # (S, B)
    steps, B = data.shape
    if steps == 0:
        raise ValueError("the text is too short to trace")
    L, H = model.config.num_layers, model.config.hidden_dim
    signals = signals_of(model)
    out = {s: np.empty((L, H, B, steps), dtype=np.float32) for s in signals}
    data = data.to(model.embedding.weight.device)
    workers = max(1, min(workers, B)) if data.device.type == "cpu" else 1
    groups = [(B * w // workers, B * (w + 1) // workers) for w in range(workers)]  # column ranges
    done = [0] * workers
    lock = threading.Lock()

    @torch.no_grad()
    def read(w: int) -> None:
        c0, c1 = groups[w]
        cols = data[:, c0:c1]
        carried = state if state is not None and B == 1 else model.init_state(c1 - c0)
        for start in range(0, steps, bptt):
            end = min(start + bptt, steps)
            tr = trace(model, cols[start:end], carried, log_probs=False)
            carried = tr.state
            for layer, lt in enumerate(tr.layers):
                for s in signals:  # (T, b, H) -> this group's columns of (H, B, T)
                    out[s][layer, :, c0:c1, start:end] = lt.get(s).permute(2, 1, 0).float().cpu()
            if progress:
                with lock:
                    done[w] = end
                    progress(min(done), steps)

    if workers == 1:
        read(0)
    else:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(read, range(workers)))
        finally:
            torch.set_num_threads(threads)
    return {s: v.reshape(L, H, B * steps) for s, v in out.items()}, B * steps


def _sort_keys(x: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Each row of x (R, N) float32 as sorted uint64 keys: the value's bits in an order-preserving form,
    shifted past the K <= 8 mask bits of its step. Sorting the keys sorts the values and carries each step's
    marks along, so no argsort and no gather is needed (NumPy's SIMD sort of integers is ~8x its argsort)."""
    v = (np.asarray(x, dtype=np.float32) + np.float32(0.0)).view(np.uint32)  # a copy; -0.0 -> +0.0
    flip = (v >> np.uint32(31)) * np.uint32(0x7FFFFFFF) | np.uint32(0x80000000)  # negative: all bits
    keys = (v ^ flip).astype(np.uint64) << np.uint64(8)
    bits = np.zeros(masks.shape[1], dtype=np.uint64)
    for k, m in enumerate(masks):
        bits |= m.astype(np.uint64) << np.uint64(k)
    keys |= bits
    keys.sort(axis=1)
    return keys


def _marked_rank_sums(keys: np.ndarray, K: int) -> np.ndarray:
    """(K, R): for each mask, the sum of the average ranks (1..N, ties share their mean) of its marked steps,
    from sorted keys (R, N) made by `_sort_keys`. One weighted bincount per row sums the ranks by mark
    pattern (the key's low byte); a track's sum adds the patterns that hold its bit."""
    R, N = keys.shape
    ranks = np.arange(1.0, N + 1.0)
    patterns = np.arange(256)
    holds = np.stack([(patterns >> k) & 1 for k in range(K)]).astype(np.float64)  # (K, 256)
    by_pattern = np.empty((R, 256))
    new = np.empty(N, dtype=bool)  # a position that starts a run of equal values
    new[0] = True
    for r in range(R):
        row = keys[r]
        marks = row.astype(np.uint8)  # the low byte: this step's marks
        sums = np.bincount(marks, weights=ranks, minlength=256)
        np.greater_equal(row[1:] ^ row[:-1], 256, out=new[1:])  # the values (above the marks) differ
        if not new.all():  # ties: their average rank instead of their position
            ends = np.ones(N, dtype=bool)
            ends[:-1] = new[1:]
            pos = np.flatnonzero(~(new & ends))  # positions inside a run of two or more equal values
            starts = new[pos]
            run = np.cumsum(starts) - 1
            length = np.bincount(run)
            average = pos[starts] + (length + 1) / 2.0  # ranks first+1 .. first+length: their mean
            sums += np.bincount(marks[pos], weights=average[run] - (pos + 1), minlength=256)
        by_pattern[r] = sums
    return holds @ by_pattern.T


def auc_scores(values: np.ndarray, masks: np.ndarray, chunk: int = 16, workers: int = 0) -> np.ndarray:
    """AUC of each unit's values (H, N), one row per unit, as a detector of each yes/no track in masks
    (K, N): (K, H).

    Mann-Whitney: AUC = (sum of the ranks of the marked steps - n1 (n1 + 1) / 2) / (n1 n0), the probability
    that a marked step's value is above an unmarked one's (ties count half). NaN for a track that marks
    no step or every step. At most 8 tracks per call. Column chunks run on `workers` threads (0: as many
    as torch uses; NumPy's sort and bincount release the GIL)."""
    masks = np.asarray(masks, dtype=bool).reshape(-1, values.shape[1])
    K = masks.shape[0]
    if K > 8:
        raise ValueError(f"at most 8 yes/no tracks at once, got {K}")
    n1 = masks.sum(1).astype(np.float64)  # (K,)
    n0 = values.shape[1] - n1
    out = np.empty((K, values.shape[0]))

    def columns(c: int) -> None:
        keys = _sort_keys(values[c : c + chunk], masks)  # (h, N)
        out[:, c : c + chunk] = _marked_rank_sums(keys, K)

    starts = range(0, values.shape[0], chunk)
    workers = workers or torch.get_num_threads()
    if workers > 1 and len(starts) > 1:
        with ThreadPoolExecutor(min(workers, len(starts))) as pool:
            list(pool.map(columns, starts))
    else:
        for c in starts:
            columns(c)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (out - (n1 * (n1 + 1) / 2)[:, None]) / (n1 * n0)[:, None]


def pearson_scores(values: np.ndarray, tracks: np.ndarray, chunk: int = 8) -> np.ndarray:
    """Pearson r of each unit's values (H, N), one row per unit, with each track in tracks (K, N): (K, H);
    a constant track gives NaN, a constant unit 0."""
    tracks = np.asarray(tracks, dtype=np.float64).reshape(-1, values.shape[1])
    return _products(values, tracks, np.zeros((0, values.shape[1])), chunk)[0]


def _products(
    values: np.ndarray, tracks: np.ndarray, weights: np.ndarray, chunk: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    """Pearson r of each unit's values (H, N) with each track (K, N), and each unit's weighted means
    (weights (M, N), each row summing to 1): ((K, H), (M, H)), in one float64 pass over the units.

    r = sum_t y_t x_t / (|y| sx) with y the centred track (so the unit need not be centred: sum_t y_t = 0)
    and sx^2 = sum x^2 - (sum x)^2 / N. Units are taken `chunk` at a time: the float64 copy stays under
    ~32 MB, which malloc reuses instead of mapping fresh (zeroed) pages for every chunk. The products go
    through torch, at its thread setting: NumPy's BLAS starts threads of its own, which spin-wait for each
    other on a busy machine."""
    N = values.shape[1]
    K = tracks.shape[0]
    y = tracks - tracks.mean(1, keepdims=True)
    sy = np.sqrt(np.einsum("kn,kn->k", y, y))  # (K,)
    rows = torch.from_numpy(np.concatenate([y, weights]))  # (K + M, N) float64
    r = np.empty((K, values.shape[0]))
    means = np.empty((weights.shape[0], values.shape[0]))
    for c in range(0, values.shape[0], chunk):
        part = values[c : c + chunk]  # (h, N) float32
        x = part.astype(np.float64)
        s1 = x.sum(1)
        sxx = np.maximum(np.einsum("hn,hn->h", x, x) - s1 * s1 / N, 0.0)  # squared deviations
        sx = np.where(part.min(1) == part.max(1), np.inf, np.sqrt(sxx))  # a constant unit: r = 0
        product = (rows @ torch.from_numpy(x).T).numpy()  # (K + M, h)
        with np.errstate(invalid="ignore", divide="ignore"):
            r[:, c : c + chunk] = product[:K] / (sy[:, None] * sx[None, :])
        means[:, c : c + chunk] = product[K:]
    r[sy == 0] = np.nan
    return r, means


@dataclass
class UnitRank:
    """One unit's score for a track: `score` is max(AUC, 1 - AUC) or |r|, `statistic` the AUC or r."""

    layer: int
    signal: str
    unit: int
    score: float
    statistic: float
    direction: str  # "high": the unit is higher where the track is on / larger; "low": the reverse
    marked_mean: float  # the unit's mean where the track is on (binary) or in its top tenth (counts)

    def to_dict(self) -> dict:
        return {
            "layer": self.layer,
            "signal": self.signal,
            "unit": self.unit,
            "score": round(self.score, 4),
            "statistic": round(self.statistic, 4),
            "direction": self.direction,
            "marked_mean": round(self.marked_mean, 4),
        }


@dataclass
class TrackRanking:
    """Every unit's score for one track: arrays (L, S, H) over layers, signals and units."""

    name: str
    label: str
    kind: str
    signals: tuple[str, ...]
    statistic: np.ndarray  # AUC (binary) or Pearson r (count); NaN when the track cannot be scored
    marked_mean: np.ndarray  # each unit's mean where the track is on (binary) / in its top tenth (count)
    steps: int
    marked: float  # binary: steps marked; count: the track's mean
    note: str = ""
    skipped: str = ""  # why the track was not scored ("" when it was)

    @property
    def score(self) -> np.ndarray:
        """max(AUC, 1 - AUC) or |r|; NaN -> 0."""
        s = (
            np.maximum(self.statistic, 1 - self.statistic)
            if self.kind == "binary"
            else np.abs(self.statistic)
        )
        return np.nan_to_num(s, nan=0.0)

    def best(self, k: int = 5, layer: int | None = None, signal: str | None = None) -> list[UnitRank]:
        """The k best units (of one layer and/or signal when given), best first; ties: lower layer, unit."""
        score = self.score
        rows = []
        for li in range(score.shape[0]) if layer is None else [layer]:
            for si, s in enumerate(self.signals):
                if signal is not None and s != signal:
                    continue
                top = np.argsort(-score[li, si], kind="stable")[: max(0, k)]
                rows += [(float(score[li, si, u]), li, si, int(u)) for u in top]
        rows.sort(key=lambda r: (-r[0], r[1], r[2], r[3]))
        out = []
        for sc, li, si, u in rows[: max(0, k)]:
            stat = float(self.statistic[li, si, u])
            high = stat >= 0.5 if self.kind == "binary" else stat >= 0
            out.append(UnitRank(li, self.signals[si], u, sc, stat, "high" if high else "low",
                                float(self.marked_mean[li, si, u])))  # fmt: skip
        return out


def rank_tracks(values: dict[str, np.ndarray], tracks: Sequence[Track]) -> dict[str, TrackRanking]:
    """Score every unit of `values` ({signal: (L, H, N)}) against each track (values (N,) each)."""
    signals = tuple(values)
    L, H, N = next(iter(values.values())).shape
    usable = [tr for tr in tracks if not tr.usable]
    for tr in tracks:
        if tr.values.shape != (N,):
            raise ValueError(f"track {tr.name} has {tr.values.shape[0]} steps, the unit values {N}")
    binary = [tr for tr in usable if tr.kind == "binary"]
    counts = [tr for tr in usable if tr.kind == "count"]
    stats = {tr.name: np.full((L, len(signals), H), np.nan) for tr in tracks}
    marked_mean = {tr.name: np.full((L, len(signals), H), np.nan) for tr in tracks}
    marks = {tr.name: tr.values > 0 if tr.kind == "binary" else _top_tenth(tr.values) for tr in usable}
    weights = np.stack([m / m.sum() for m in marks.values()]) if marks else np.zeros((0, N))  # (M, N)
    count_values = np.stack([tr.values for tr in counts]) if counts else np.zeros((0, N))
    for si, s in enumerate(signals):
        for layer in range(L):
            x = values[s][layer]  # (H, N)
            if binary:
                auc = auc_scores(x, np.stack([tr.values > 0 for tr in binary]))
                for k, tr in enumerate(binary):
                    stats[tr.name][layer, si] = auc[k]
            # Pearson r of the counts and the mean where marked (every track), in one float64 pass
            r, means = _products(x, count_values, weights)
            for k, tr in enumerate(counts):
                stats[tr.name][layer, si] = r[k]
            for row, name in enumerate(marks):
                marked_mean[name][layer, si] = means[row]
    return {
        tr.name: TrackRanking(
            tr.name,
            tr.label,
            tr.kind,
            signals,
            stats[tr.name],
            marked_mean[tr.name],
            N,
            float(tr.values.sum() if tr.kind == "binary" else tr.values.mean()),
            tr.note,
            tr.usable,
        )  # fmt: skip
        for tr in tracks
    }


def _top_tenth(values: np.ndarray) -> np.ndarray:
    """The steps where a count track is in its top tenth (at least its largest value)."""
    return values >= min(np.quantile(values, 0.9), values.max())


@dataclass
class Hunt:
    """A hunt over one text: the tokens, the tracks, the unit values and each track's ranking."""

    tokens: list[str]
    tracks: dict[str, Track]
    values: dict[str, np.ndarray]  # signal -> (L, H, N): one row per unit
    rankings: dict[str, TrackRanking] = field(default_factory=dict)


def hunt(
    model: LanguageModel,
    tokens: Sequence[str],
    regex: str | None = None,
    builtin: bool = True,
    batch_size: int = 1,
    bptt: int = 256,
    state: State | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> Hunt:
    """Trace `tokens` and rank every unit for every built-in track (unless `builtin` is False) and for the
    person's `regex` track when given (`workers`: see `unit_values`). ValueError for an unusable regex or
    a text too short."""
    tokenizer = model.vocab.tokenizer
    tokens = list(tokens)
    if len(tokens) < 2:
        raise ValueError(f"the text needs at least 2 {tokenizer.unit}s to hunt over")
    ids = model.vocab.encode(tokens).ids
    values, n = unit_values(model, ids, batch_size, bptt, state, progress, workers)
    tokens = tokens[:n]  # batchify drops the last few steps
    tracks = compute_tracks(tokens, tokenizer) if builtin else {}
    if regex:
        tracks[REGEX] = regex_track(tokens, tokenizer, regex)
    return Hunt(tokens, tracks, values, rank_tracks(values, list(tracks.values())))


# ---------------------------------------------------------------------------------------------
# The cache in the model directory
# ---------------------------------------------------------------------------------------------


def hunt_json(model: LanguageModel, h: Hunt, source: str = "") -> dict:
    """The cache's content: every track's statistic and marked means (L, S, H), and a passage of the text."""
    unit = model.vocab.tokenizer.unit
    passage = model.vocab.tokenizer.rejoin(h.tokens[: PASSAGE_STEPS[unit]])
    info = getattr(model, "info", None) or {}

    def arr(a: np.ndarray) -> list:
        return np.where(np.isfinite(a), np.round(a, 5), np.nan).tolist()

    return {
        "version": CACHE_VERSION,
        "model_saved": info.get("saved"),
        "source": source,
        "steps": len(h.tokens),
        "unit": unit,
        "signals": list(next(iter(h.rankings.values())).signals) if h.rankings else [],
        "num_layers": model.config.num_layers,
        "hidden_dim": model.config.hidden_dim,
        "passage": passage,
        "tracks": {
            name: {
                "label": r.label,
                "kind": r.kind,
                "marked": r.marked,
                "note": r.note,
                "skipped": r.skipped,
                "statistic": arr(r.statistic),
                "marked_mean": arr(r.marked_mean),
            }
            for name, r in h.rankings.items()
        },
    }


def save_hunt(model_dir: str | os.PathLike, data: dict) -> Path:
    """Write DIR/cell_hunt.json.gz atomically (NaN written as null)."""
    return write_cache(model_dir, CACHE, _nan_to_none(data))


def _nan_to_none(x):
    if isinstance(x, float) and x != x:
        return None
    if isinstance(x, list):
        return [_nan_to_none(v) for v in x]
    if isinstance(x, dict):
        return {k: _nan_to_none(v) for k, v in x.items()}
    return x


def load_hunt(model_dir: str | os.PathLike | None) -> dict | None:
    """The cached ranking of a model directory, or None: none, unreadable, or built for another model
    (other sizes, or a model saved since)."""
    cached = None if model_dir is None else read_cache(model_dir, CACHE)
    if cached is None:
        return None
    data, model = cached
    if data.get("version") != CACHE_VERSION:
        return None
    if data.get("num_layers") != model.get("num_layers") or data.get("hidden_dim") != model.get("hidden_dim"):
        return None
    return data


def cached_ranking(data: dict, name: str) -> TrackRanking:
    """One track's ranking from a loaded cache; ValueError naming the cached tracks if it is not there."""
    tracks = data.get("tracks") or {}
    if name not in tracks:
        raise ValueError(f"the cached ranking has no track {name!r}: it has {', '.join(tracks)}")
    t = tracks[name]

    def arr(a) -> np.ndarray:
        return np.array(_none_to_nan(a), dtype=np.float64)

    return TrackRanking(
        name, t["label"], t["kind"], tuple(data["signals"]), arr(t["statistic"]), arr(t["marked_mean"]),
        int(data["steps"]), float(t["marked"]), t.get("note", ""), t.get("skipped", ""),
    )  # fmt: skip


def _none_to_nan(x):
    if x is None:
        return float("nan")
    if isinstance(x, list):
        return [_none_to_nan(v) for v in x]
    return x
