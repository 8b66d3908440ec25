"""Annotation tracks computed from the text itself, for the cell hunt (Karpathy, Johnson & Fei-Fei 2015;
LSTMVis) and the Live Lab's cell view. A track gives one number per step of the model (a character of a
character model, a word of a word model):

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

The person's own track is a regular expression: a step is marked when any of its characters is inside a
match (`regex_track`). Its matches are found in a separate Python process, ended after REGEX_SECONDS
(`match_spans`): Python's `re` cannot be interrupted, and a pattern like (a+)+b backtracks exponentially
(40 characters: days), which would hold a server thread for good.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lstmlm.messages import Message
from lstmlm.tokenizers import Tokenizer
from lstmlm.wikitext import EOS

WRAP_MARGIN = 10  # line_wrap: within 10 characters of the usual line length
MIN_WRAP_LINES = 5  # line_wrap needs this many non-empty lines to know the usual length
MAX_REGEX_CHARS = 200
REGEX_SECONDS = 3.0  # the longest a pattern may search the text (a fresh Python starts in ~0.1 s of it)
# the child's whole program: [pattern, text] as ASCII JSON on stdin, each non-empty match's [start, end] out
_MATCHER = (
    "import json, re, sys; p, t = json.load(sys.stdin); "
    "json.dump([m.span() for m in re.finditer(p, t) if m.end() > m.start()], sys.stdout)"
)


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


@functools.lru_cache(maxsize=4096)
def _is_word_char(text: str) -> bool:
    """Whether a step's text holds a letter or digit (memoised: a text repeats the same few steps)."""
    return any(ch.isalnum() for ch in text)


def compute_tracks(tokens: Sequence[str], tokenizer: Tokenizer) -> dict[str, Track]:
    """Every built-in track for this tokenizer's steps over `tokens` (see the module docstring)."""
    unit = tokenizer.unit
    chars = unit == "character"
    texts = step_texts(tokens, tokenizer)
    T = len(texts)
    # Python lists while stepping (a list item is set ~4x faster than a NumPy one), arrays at the end
    quote, paren, line_pos = [0.0] * T, [0.0] * T, [0.0] * T
    word_pos, starts, sent_pos = [0.0] * T, [0.0] * T, [0.0] * T
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
    quote, paren, line_pos, word_pos, starts, sent_pos = (
        np.array(v, dtype=np.float64) for v in (quote, paren, line_pos, word_pos, starts, sent_pos)
    )
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
        raise ValueError(
            Message("tracks.regex_empty", "type a regular expression for your track, e.g. [A-Z] or \\bthe\\b")
        )
    if len(pattern) > MAX_REGEX_CHARS:
        raise ValueError(
            Message(
                "tracks.regex_long",
                "the regular expression is {n} characters; keep it under {limit}",
                n=len(pattern),
                limit=MAX_REGEX_CHARS,
            )
        )
    try:
        compiled = re.compile(pattern)
    except re.error as e:
        raise ValueError(
            Message(
                "tracks.regex_invalid",
                "{pattern!r} is not a valid regular expression: {error}",
                pattern=pattern,
                error=str(e),  # Python's own words (English)
            )
        ) from None
    texts = step_texts(tokens, tokenizer)
    ends = np.cumsum([len(t) for t in texts])  # step t covers text[ends[t] - len(text_t) : ends[t]]
    whole = "".join(texts)
    marked = np.zeros(len(whole) + 1, dtype=np.int64)  # +1 at a match's start, -1 past its end
    for start, end in match_spans(compiled.pattern, whole):
        marked[start] += 1
        marked[end] -= 1
    inside = np.cumsum(marked[:-1]) > 0  # (chars,)
    values = np.zeros(len(texts))
    for t, text in enumerate(texts):
        start = ends[t] - len(text) + (len(text) - len(text.lstrip(" ")))  # the token, not its space
        values[t] = float(inside[start : ends[t]].any())
    return Track(REGEX, f"your pattern /{pattern}/", "binary", values)


def match_spans(pattern: str, text: str, seconds: float = REGEX_SECONDS) -> list[tuple[int, int]]:
    """(start, end) of each non-empty match of `pattern` in `text`, found by a separate Python process that
    is ended after `seconds`; ValueError saying to simplify the pattern when it takes longer."""
    request = json.dumps([pattern, text]).encode("ascii")  # ASCII escapes: any locale, any character
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", _MATCHER], input=request, capture_output=True, timeout=seconds
        )
    except subprocess.TimeoutExpired:
        raise ValueError(
            Message(
                "tracks.regex_slow",
                "your regular expression searched the text for over {seconds:g} s and was stopped: "
                "simplify it (a repeat inside a repeat, like (a+)+, can take for ever)",
                seconds=seconds,
            )
        ) from None
    if done.returncode != 0:  # e.g. out of memory: the pattern, not the server, failed
        raise ValueError(
            Message("tracks.regex_failed", "your regular expression could not be run: simplify it")
        )
    return [(start, end) for start, end in json.loads(done.stdout)]
