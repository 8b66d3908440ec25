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

GATE_KEYS = ("f", "i", "o")  # the gates, in this order (a tie goes to the first)
NO_GATE = "n"  # the answer (and a student's pick) "no gate clearly closes"
GATE_PICKS = (*GATE_KEYS, NO_GATE)  # what a student may pick for the gate question
OPEN = 0.5  # a gate value >= OPEN counts as open, below it as closed
# A gate "clearly closes" when, net of the units that open, at least this share of the top layer's units go
# from open to closed at the ".". Measured on the default model (storybooks LSTM, 512 units, 26 everyday
# sentences): between two ordinary words the net share was at most 4.3% for any gate (95th
# percentile 3.5%), so 5% is more than the usual churn from one word to the next; at the "." it was at most
# 3.3% (f), so that model's answer is "no gate clearly closes" on all 26. Its means moved by 0.014 at most.
CLEAR_SHARE = 0.05


@dataclass
class GateAnswer:
    """The answer to "which gate closes at the full stop?" from each gate's value for every top-layer unit
    (H floats per gate) at the word before the "." (`before`) and at the "." (`at_stop`).

    A unit's gate *closes* when it goes from open (>= OPEN) to closed (< OPEN), and *opens* the other way.
    The gate that closes is the one with the most units closing net of those opening (a tie goes to the
    first of GATE_KEYS), provided that net count reaches `needed` (CLEAR_SHARE of the units, at least 1);
    otherwise the answer is NO_GATE: no gate clearly closes."""

    before: dict[str, list[float]]  # gate -> (H,) values at the word before "."
    at_stop: dict[str, list[float]]  # gate -> (H,) values at "."

    @property
    def units(self) -> int:
        return len(self.before[GATE_KEYS[0]])

    def _count(self, gate: str, closing: bool) -> int:
        pairs = zip(self.before[gate], self.at_stop[gate], strict=True)  # (value before, value at ".")
        return sum((b >= OPEN > a) if closing else (a >= OPEN > b) for b, a in pairs)

    @property
    def closed(self) -> dict[str, int]:
        """Per gate, the units open at the word before and closed at the "."."""
        return {k: self._count(k, closing=True) for k in GATE_KEYS}

    @property
    def opened(self) -> dict[str, int]:
        """Per gate, the units closed at the word before and open at the "."."""
        return {k: self._count(k, closing=False) for k in GATE_KEYS}

    @property
    def net(self) -> dict[str, int]:
        closed, opened = self.closed, self.opened
        return {k: closed[k] - opened[k] for k in GATE_KEYS}

    @property
    def needed(self) -> int:
        """The net count of closing units that makes a gate clearly close: CLEAR_SHARE of the units."""
        return max(1, math.ceil(CLEAR_SHARE * self.units - 1e-9))

    def mean(self, gate: str, at_stop: bool) -> float:
        """The gate's mean over the units at the word before the "." (or at the "." when `at_stop`)."""
        values = (self.at_stop if at_stop else self.before)[gate]
        return sum(values) / len(values)

    @property
    def answer(self) -> str:
        net = self.net
        best = max(GATE_KEYS, key=lambda k: (net[k], -GATE_KEYS.index(k)))
        return best if net[best] >= self.needed else NO_GATE


# (the sentence's tokens, ending in ".") -> the GateAnswer; called once per reveal of a gate question
GateReader = Callable[[Sequence[str]], GateAnswer]


def gate_json(g: GateAnswer) -> dict:
    """A revealed gate answer as the page and the API read it: the answer (f, i, o or n), the rule's
    numbers (units, open threshold, net count needed) and per gate its closing, opening and net units and
    its means."""
    closed, opened, net = g.closed, g.opened, g.net
    return {
        "answer": g.answer,
        "units": g.units,
        "open": OPEN,
        "needed": g.needed,
        "gates": {
            k: {
                "closed": closed[k],
                "opened": opened[k],
                "net": net[k],
                "before": round(g.mean(k, False), 6),
                "at_stop": round(g.mean(k, True), 6),
            }
            for k in GATE_KEYS
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
