"""Long-range probes: does the model still know, many words later, something it read earlier?

Each probe builds pairs of prompts that differ only far back (an opened bracket or not, a singular or a
plural subject) and are followed by the same filler words; the model then predicts the word that depends
on the difference. The score at distance d (the number of filler words in between) is

    parenthesis, quote:  log2 p(closer | opener + filler[:d]) - log2 p(closer | filler[:d])
    agreement:           mean over nouns of  [log2 p(was)/p(were)]_singular - [log2 p(was)/p(were)]_plural

in bits: 0 means the model has forgotten (both prompts predict alike), positive means it remembers, in
the right direction. Fillers end on phrase boundaries, so every prompt is a plausible prefix of the text
the filler is written like (WikiText by default; lstmlm.studies.probe_texts has one set per kind of corpus).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from lstmlm.messages import Message
from lstmlm.model import LanguageModel, State
from lstmlm.sampling import start_state
from lstmlm.studies.compare import line_log_probs
from lstmlm.studies.probe_texts import WIKITEXT, ProbeTexts

# The WikiText set (the default); lstmlm.studies.probe_texts holds the storybook and neutral ones.
FILLER = list(WIKITEXT.filler)
SUBJECT_FILLER = list(WIKITEXT.subject_filler)
NOUNS = list(WIKITEXT.nouns)


@dataclass(frozen=True)
class Probe:
    name: str
    title: str
    question: str  # what the score asks, in one line


PROBES = {
    "parenthesis": Probe(
        "parenthesis",
        "Closing a bracket",
        "After '( …', how much more does the model expect ')' than without the '('?",
    ),
    "quote": Probe(
        "quote",
        "Closing a quotation",
        "After '\" …', how much more does the model expect the closing '\"' than without the opening one?",
    ),
    "agreement": Probe(
        "agreement",
        "Subject–verb agreement",
        "After 'The player(s) who …', does the model prefer 'was' for one player and 'were' for several?",
    ),
}


@dataclass
class ProbeResult:
    """One probe's score (bits) for one model at each distance."""

    probe: str
    distance: list[int]  # filler words between what is remembered and the prediction
    bits: list[float]
    examples: list[str]  # the remembering prompt at each distance, as the model reads it


def _prefixes(phrases: Sequence[str]) -> list[list[str]]:
    """The filler cut at each phrase boundary."""
    words: list[str] = []
    out = []
    for phrase in phrases:
        words = words + phrase.split()
        out.append(words)
    return out


def _lp_last(
    model: LanguageModel, prompts: list[list[str]], targets: Sequence[str], state: State
) -> list[list[float]]:
    """log2 p(target | prompt) for every prompt and target. The prompts are prefixes of the last one (a
    filler cut at its phrase boundaries), so one forward over the last prompt scores them all: the row
    after its first n words is the prediction after a prompt of n words."""
    vocab = model.vocab
    if vocab.tokenizer.unit != "word":
        raise ValueError(
            Message(
                "probes.not_words",
                "the probes are phrases of words; this model reads {unit}s",
                unit=vocab.tokenizer.unit,
            )
        )
    missing = [t for t in targets if t not in vocab]
    if missing:
        raise ValueError(
            Message(
                "probes.lacks",
                "this model's vocabulary lacks {words}, which the probe predicts",
                words=" ".join(missing),
            )
        )
    longest = prompts[-1]
    if any(p != longest[: len(p)] for p in prompts):
        raise ValueError("probe prompts must be prefixes of the last one")
    target_ids = [vocab.index[t] for t in targets]
    rows = line_log_probs(
        model, vocab.encode(longest).ids, state
    )  # (T+1, V): row n follows the first n words
    return [[float(rows[len(p), i]) / math.log(2) for i in target_ids] for p in prompts]


@torch.no_grad()
def run_probe(model: LanguageModel, name: str, texts: ProbeTexts = WIKITEXT) -> ProbeResult:
    """Score probe `name` (see PROBES) for `model` at every phrase boundary of the filler of `texts` (the
    WikiText set by default; `probe_texts.probe_texts_for(model.info)` fits the model's own corpus)."""
    if name not in PROBES:
        raise ValueError(f"unknown probe {str(name)[:40]!r}: choose one of {', '.join(PROBES)}")
    state = start_state(model)  # every prompt starts at a line start
    if name in ("parenthesis", "quote"):
        opener, closer = ("(", ")") if name == "parenthesis" else ('"', '"')
        lead = texts.lead.split()
        fillers = _prefixes(texts.filler)
        with_open = [[*lead, opener, *f] for f in fillers]
        without = [[*lead, *f] for f in fillers]
        a = _lp_last(model, with_open, [closer], state)
        b = _lp_last(model, without, [closer], state)
        bits = [x[0] - y[0] for x, y in zip(a, b, strict=True)]
        examples = [" ".join(p) for p in with_open]
    else:
        fillers = _prefixes(texts.subject_filler)
        scores = [0.0] * len(fillers)
        for one, many in texts.nouns:
            sing = _lp_last(model, [["The", one, *f] for f in fillers], ["was", "were"], state)
            plur = _lp_last(model, [["The", many, *f] for f in fillers], ["was", "were"], state)
            for k, (s, p) in enumerate(zip(sing, plur, strict=True)):
                scores[k] += ((s[0] - s[1]) - (p[0] - p[1])) / len(texts.nouns)
        bits = scores
        examples = [" ".join(["The", texts.nouns[0][0], *f]) for f in fillers]
    return ProbeResult(name, [len(f) for f in fillers], [round(b, 4) for b in bits], examples)
