"""What the Compare and Gradient-flow views show, as plain data (no gradio here): one prompt through every
model of the line-up, each reading it with its own vocabulary from its own line-start state."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lstmlm.studies.compare import PromptScore, score_prompt
from lstmlm.studies.gradflow import decay_per_word, gradient_flow
from lstmlm.studies.probes import PROBES, run_probe
from playground.views.lineup import Entry
from playground.views.next_word import MAX_TOP_K_SHOWN, Prompt, display_word, line_start, read_prompt

MAX_FLOW_WORDS = 200  # the gradient view differentiates through at most this many words per model


def _r(x: float | None, digits: int = 4) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), digits)


def test_perplexity(entry: Entry) -> float | None:
    """The model's WikiText-2 test perplexity as its model card records it (None if not recorded)."""
    info = getattr(entry.model, "info", None) or {}
    value = (info.get("training") or {}).get("test_perplexity")
    return float(value) if isinstance(value, (int, float)) else None


def compare_view(lineup: Sequence[Entry], text: str, k: int = 10) -> tuple[Prompt, list[PromptScore]]:
    """The prompt as the first model reads it, and every model's score of it."""
    k = max(1, min(int(k), MAX_TOP_K_SHOWN))
    prompts = [read_prompt(e.model.vocab, text) for e in lineup]
    scores = [
        score_prompt(e.model, p.ids, e.label, k, state=line_start(e.model))  # the views' cached start state
        for e, p in zip(lineup, prompts, strict=True)
    ]
    return prompts[0], scores


def union_words(
    lineup: Sequence[Entry], scores: Sequence[PromptScore], k: int
) -> tuple[list[str], list[list]]:
    """The words any model ranks in its top k (each model's favourites in turn), and every model's
    probability for each of them (None where a model's vocabulary lacks the word)."""
    words: list[str] = []
    for rank in range(k):
        for s in scores:
            if rank < len(s.words) and s.words[rank] not in words:
                words.append(s.words[rank])
    words = words[: max(k, 12)]
    probs = [[s.prob_of(e.model.vocab, w) for w in words] for e, s in zip(lineup, scores, strict=True)]
    return words, probs


def compare_json(lineup: Sequence[Entry], text: str, k: int = 10) -> dict:
    """What the `compare` endpoint returns."""
    prompt, scores = compare_view(lineup, text, k)
    models = []
    for e, s in zip(lineup, scores, strict=True):
        models.append(
            {
                "label": e.label,
                "cell": s.cell,
                "perplexity": _r(s.perplexity),
                "bits_per_word": _r(s.bits_per_word),
                "entropy_bits": _r(s.entropy_bits),
                "unknown_words": s.unknown,
                "test_perplexity": test_perplexity(e),
                "next": [{"word": w, "prob": _r(p, 6)} for w, p in zip(s.words, s.probs, strict=True)],
                "word_bits": [_r(b) for b in s.word_bits],
            }
        )
    notice = prompt.notice or (
        "" if prompt.ids else "The prompt is empty: each model predicts a line's first word."
    )
    return {"tokens": prompt.tokens, "notice": notice, "models": models}


@dataclass
class Flow:
    """One model's gradient flow for the prompt: g(d) for d = 1..len(values)."""

    entry: Entry
    tokens: list[str]  # the words it read (its vocabulary); the last one is the predicted word
    values: np.ndarray  # (T,) index d-1 = distance d

    def word_at(self, d: int) -> str:
        return display_word(self.tokens[len(self.tokens) - 1 - d])


def flow_view(lineup: Sequence[Entry], text: str) -> tuple[Prompt, list[Flow]]:
    """Gradient flow of the prompt's last word for every model (the prompt needs two words or more)."""
    prompt = read_prompt(lineup[0].model.vocab, text, max_words=MAX_FLOW_WORDS)
    if len(prompt.ids) < 2:
        return prompt, []
    flows = []
    for e in lineup:
        p = read_prompt(e.model.vocab, text, max_words=MAX_FLOW_WORDS)
        values = gradient_flow(e.model, p.ids, state=line_start(e.model))
        flows.append(Flow(e, p.tokens, values))
    return prompt, flows


SHORT_FLOW = 12  # fewer words back than this: one prompt's curve says little about vanishing gradients


def flow_note(flows: Sequence[Flow]) -> str:
    """What this prompt's curves show, in words (plain text): for each model the share of the gradient left
    at the farthest word, which model keeps most there, and, for a short prompt, that the averaged curve
    (held-out text, many words back) is the one that shows the rule. "" without flows."""
    if not flows:
        return ""
    n = min(len(f.values) for f in flows)
    kept = [
        (f.entry.label, float(f.values[n - 1]) / float(f.values[0]) if f.values[0] > 0 else 0.0)
        for f in flows
    ]
    parts = ", ".join(f"{label} {share:.0%}" for label, share in kept)
    best = max(kept, key=lambda x: x[1])[0]
    note = (
        f"On this prompt, {n} word{'s' if n > 1 else ''} back the gradient is still this share of its value "
        f"one word back: {parts}. Here the {best} keeps the most."
    )
    if n < SHORT_FLOW:
        note += (
            f" With only {n} words back this says little: over a few words every model still carries the "
            "gradient, and any of them can sit on top. The vanishing gradient shows over many words: read "
            "the averaged curve below (held-out text), or type a sentence of 20 words or more."
        )
    return note


def flow_json(lineup: Sequence[Entry], text: str) -> dict:
    """What the `gradient_flow` endpoint returns."""
    prompt, flows = flow_view(lineup, text)
    out = {"tokens": prompt.tokens, "notice": prompt.notice, "target": None, "models": []}
    if not flows:
        out["notice"] = "Type at least two words: the last one is predicted from the words before it."
    else:
        out["target"] = prompt.tokens[-1]
    for e in lineup:
        f = next((f for f in flows if f.entry is e), None)
        averaged = None
        if e.flow is not None:
            averaged = {
                "distance": e.flow.distance,
                "mean": e.flow.mean,
                "median": e.flow.median,
                "snippets": e.flow.snippets,
                "decay_per_word": _r(decay_per_word(e.flow.distance, e.flow.median)),
            }
        row = {"label": e.label, "cell": e.model.config.cell, "averaged": averaged}
        if f is not None:
            row["distance"] = list(range(1, len(f.values) + 1))
            row["norm"] = [float(f"{v:.4g}") for v in f.values]
            row["words"] = [f.word_at(d) for d in row["distance"]]
        out["models"].append(row)
    return out


def probe_json(lineup: Sequence[Entry], probe: str) -> dict:
    """What the `long_range` endpoint returns: the probe's score in bits per model and distance."""
    if not isinstance(probe, str) or probe not in PROBES:
        raise ValueError(f"unknown probe {str(probe)[:40]!r}: choose one of {', '.join(PROBES)}")
    models, first = [], None
    for e in lineup:
        row = {"label": e.label, "cell": e.model.config.cell, "bits": None, "note": ""}
        try:
            result = run_probe(e.model, probe)
            row["bits"] = result.bits
            first = first or result
        except ValueError as err:  # e.g. a vocabulary without brackets: that model cannot be probed
            row["note"] = str(err)
        models.append(row)
    return {
        "probe": probe,
        "title": PROBES[probe].title,
        "question": PROBES[probe].question,
        "distance": first.distance if first else [],
        "examples": first.examples if first else [],
        "models": models,
    }
