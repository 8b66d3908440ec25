"""Scoring the class game: how surprised the class and each model were at the actual word, and a room's
scores as the pages read them (no gradio, no torch; `rooms.RoomStore` keeps the rooms and calls these).

Each revealed round adds a line to the sentence's score:

    class surprisal = -log2((right + 1) / (guesses + 2))      bits
    model surprisal = -log2 P_model(actual word | words before it)

`right` is how many of the round's `guesses` matched the actual word (ignoring case). The +1/+2 is add-one
(Laplace) smoothing of the share who guessed right, as if one more student had guessed the word and one
more had not: a word nobody got right costs log2(guesses + 2) bits instead of infinity.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

TOP_GUESSES = 10  # distinct guesses listed in a histogram; the rest are counted as "other"


@dataclass
class ModelAnswer:
    """One model's answer for a round: its top words and their probabilities, and the probability it gave
    the actual word (None: no actual word, or one the model's vocabulary lacks)."""

    label: str  # e.g. "LSTM 2×512"
    words: list[str]
    probs: list[float]
    actual_prob: float | None = None


# (words before the round, the actual word or None) -> each model's answer; called once per reveal
Predictor = Callable[[Sequence[str], str | None], list[ModelAnswer]]

GATE_KEYS = ("f", "i", "o")  # the gates a student may pick, in this order (a tie goes to the first)


@dataclass
class GateAnswer:
    """The answer to "which gate closes at the full stop?": each gate's mean over the top layer's units at
    the step before the "." (`before`) and at the "." step (`at_stop`), and the gate that closes, the one
    whose mean drops the most (before - at_stop largest; a tie goes to the first of GATE_KEYS). When no
    mean drops, the answer is still the largest change downwards (the smallest rise); the page says so."""

    before: dict[str, float]
    at_stop: dict[str, float]

    @property
    def drops(self) -> dict[str, float]:
        return {k: self.before[k] - self.at_stop[k] for k in GATE_KEYS}

    @property
    def answer(self) -> str:
        drops = self.drops
        return max(GATE_KEYS, key=lambda k: (drops[k], -GATE_KEYS.index(k)))


# (the sentence's tokens, ending in ".") -> the GateAnswer; called once per reveal of a gate question
GateReader = Callable[[Sequence[str]], GateAnswer]


def gate_json(g: GateAnswer) -> dict:
    return {
        "answer": g.answer,
        "gates": {
            k: {"before": round(g.before[k], 6), "at_stop": round(g.at_stop[k], 6), "drop": round(d, 6)}
            for k, d in g.drops.items()
        },
    }


@dataclass
class RoundScore:
    """A revealed round's line in the sentence's score."""

    position: int  # index of the actual word in the sentence
    actual: str
    guesses: int
    right: int
    class_bits: float | None  # None when no student sent a guess
    model_bits: dict[str, float | None]  # label -> bits (None: the word is not in that model's vocabulary)


def class_surprisal_bits(right: int, guesses: int) -> float:
    """-log2((right + 1) / (guesses + 2)): the class's surprisal at the actual word, from the share of its
    `guesses` that were `right`, add-one smoothed (never infinite). ValueError for impossible counts."""
    if guesses < 0 or not 0 <= right <= guesses:
        raise ValueError(f"need 0 <= right <= guesses, got right={right}, guesses={guesses}")
    return -math.log2((right + 1) / (guesses + 2))


def model_surprisal_bits(prob: float | None) -> float | None:
    """-log2 P(actual word) in bits; None when the model gave no probability (the word is not in its
    vocabulary) or 0 (infinitely surprised: shown as missing rather than as inf)."""
    if prob is None or prob <= 0:
        return None
    return -math.log2(prob)


def histogram(guesses: Sequence[str], top: int = TOP_GUESSES) -> tuple[list[tuple[str, int]], int]:
    """([(guess, count)] of the `top` most frequent guesses, most first, ties alphabetical; the number of
    the other guesses)."""
    ranked = sorted(Counter(guesses).items(), key=lambda wc: (-wc[1], wc[0]))
    return ranked[:top], sum(c for _, c in ranked[top:])


def score_round(
    position: int, actual: str, guesses: Sequence[str], answers: Sequence[ModelAnswer]
) -> RoundScore:
    """A revealed round's score: how many of the class's `guesses` (normalized) were the `actual` word
    (ignoring case), the class's surprisal and each model's."""
    target = actual.casefold()
    right = sum(g == target for g in guesses)
    n = len(guesses)
    return RoundScore(
        position=position,
        actual=actual,
        guesses=n,
        right=right,
        class_bits=class_surprisal_bits(right, n) if n else None,
        model_bits={a.label: model_surprisal_bits(a.actual_prob) for a in answers},
    )


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)


def answer_json(a: ModelAnswer) -> dict:
    return {
        "label": a.label,
        "words": list(a.words),
        "probs": [round(p, 6) for p in a.probs],
        "actual_prob": _round(a.actual_prob, 8),
    }


def score_json(s: RoundScore) -> dict:
    return {
        "position": s.position,
        "actual": s.actual,
        "guesses": s.guesses,
        "right": s.right,
        "class_bits": _round(s.class_bits),
        "model_bits": {k: _round(v) for k, v in s.model_bits.items()},
    }


def totals(scores: Sequence[RoundScore]) -> dict:
    """Mean bits per word of the class and of each model, over the rounds where all of them have a value
    (someone guessed, and every model knows the word), so that the means compare like with like."""
    both = [s for s in scores if s.class_bits is not None and None not in s.model_bits.values()]
    if not both:
        return {"words": 0, "class_bits": None, "model_bits": {}}
    labels = list(both[0].model_bits)
    return {
        "words": len(both),
        "class_bits": round(sum(s.class_bits for s in both) / len(both), 4),
        "model_bits": {k: round(sum(s.model_bits[k] for s in both) / len(both), 4) for k in labels},
    }
