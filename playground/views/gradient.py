"""What the Gradient-flow view shows, as plain data (no gradio here): for every model of the line-up, how
strongly the prediction of the prompt's last word depends on each earlier word (`lstmlm.studies.gradflow`),
and the averaged curve shipped with each model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lstmlm.prompt import Prompt, read_prompt
from lstmlm.studies.gradflow import decay_per_word, gradient_flow
from playground.display import display_word
from playground.text import unit_fields, words_in
from playground.views.lineup import Entry, json_number
from playground.views.next_word import line_start

MAX_FLOW_WORDS = 200  # the gradient view differentiates through at most this many words per model


@dataclass
class Flow:
    """One model's gradient flow for the prompt: g(d) for d = 1..len(values)."""

    entry: Entry
    tokens: list[str]  # the words it read (its vocabulary); the last one is the predicted word
    values: np.ndarray  # (T,) index d-1 = distance d

    def word_at(self, d: int) -> str:
        """The word (or character, as the entry's model reads) `d` steps before the predicted one, shown."""
        return display_word(self.tokens[len(self.tokens) - 1 - d], unit=self.entry.model.vocab.tokenizer.unit)


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


def flow_note(flows: Sequence[Flow], lang: str = "en", unit: str = "word") -> str:
    """What this prompt's curves show, in words (plain text, in `lang`: 'en' or 'zh'): for each model the
    share of the gradient left at the farthest word, which model keeps most there, and, for a short prompt,
    that the averaged curve (held-out text, many words back) is the one that shows the rule. `unit`: what
    a step reads, "word" or "character". "" without flows."""
    named = unit_fields(lang, unit)
    if not flows:
        return ""
    n = min(len(f.values) for f in flows)
    kept = [
        (f.entry.named(lang), float(f.values[n - 1]) / float(f.values[0]) if f.values[0] > 0 else 0.0)
        for f in flows
    ]
    parts = ", ".join(f"{label} {share:.0%}" for label, share in kept)
    best = max(kept, key=lambda x: x[1])[0]
    note = words_in(lang, "grad.note" if n > 1 else "grad.note_one", n=n, parts=parts, best=best, **named)
    if n < SHORT_FLOW:
        note += words_in(lang, "grad.note_short", n=n, **named)
    return note


def flow_json(lineup: Sequence[Entry], text: str) -> dict:
    """What the `gradient_flow` endpoint returns."""
    prompt, flows = flow_view(lineup, text)
    out = {"tokens": prompt.tokens, "notice": prompt.notice, "target": None, "models": []}
    if not flows:
        out["notice"] = words_in(
            "en", "grad.empty", **unit_fields("en", lineup[0].model.vocab.tokenizer.unit)
        )
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
                "decay_per_word": json_number(decay_per_word(e.flow.distance, e.flow.median)),
            }
        row = {"label": e.label, "cell": e.model.config.cell, "averaged": averaged}
        if f is not None:
            row["distance"] = list(range(1, len(f.values) + 1))
            row["norm"] = [float(f"{v:.4g}") for v in f.values]
            row["words"] = [f.word_at(d) for d in row["distance"]]
        out["models"].append(row)
    return out
