"""Writes the generated teaching texts of this folder (all but poem.txt, which is typed in by hand).

Each text is small (20-40 KB) and built around one structure that a small character LSTM can only
predict by keeping something in its cell: whether it is inside a quote, how deep it is in brackets, how
many a's it has read. Deterministic (a fixed seed): `python assets/teaching_texts/make.py` rewrites the
same files. Written for this project; no third-party text.
"""

from __future__ import annotations

import random
from pathlib import Path

HERE = Path(__file__).resolve().parent

NAMES = ["Tom", "Mia", "Sam", "Lea", "Ben", "Ava", "Max", "Zoe"]
VERBS = ["said", "asked", "whispered", "shouted", "replied", "called"]
THINGS = ["the red ball", "my blue hat", "the old map", "a green apple", "the little boat", "our kite"]
PLACES = ["under the table", "in the garden", "on the roof", "behind the door", "near the river"]
NARRATION = [
    "The sun was low and the wind was cold.",
    "Nobody moved for a while.",
    "A dog barked somewhere down the road.",
    "They looked at each other and laughed.",
    "It began to rain again.",
    "The clock on the wall struck four.",
]
LINES = [
    "Where is {thing}?",
    "I left {thing} {place}.",
    "Have you seen {thing}?",
    "It is {place}, I think.",
    "Come and look {place}!",
    "We should take {thing} home before dark.",
    "No, it was never {place}.",
    "Maybe {name} took it.",
]


def quotes(rng: random.Random, size: int) -> str:
    """Dialogue: quoted speech of varied length between plain narration (a quote cell: inside or not)."""
    out: list[str] = []
    while sum(map(len, out)) < size:
        sentences = []
        for _ in range(rng.randint(1, 3)):
            name, verb = rng.choice(NAMES), rng.choice(VERBS)
            spoken = " ".join(
                rng.choice(LINES).format(thing=rng.choice(THINGS), place=rng.choice(PLACES), name=name)
                for _ in range(rng.randint(1, 3))
            )
            if rng.random() < 0.5:
                sentences.append(f'"{spoken}" {verb} {name}.')
            else:
                sentences.append(f'{name} {verb}, "{spoken}"')
            if rng.random() < 0.4:
                sentences.append(rng.choice(NARRATION))
        out.append(" ".join(sentences) + "\n")
    return "".join(out)


def _expression(rng: random.Random, depth: int) -> str:
    if depth >= 5 or (depth > 0 and rng.random() < 0.3):
        return rng.choice("abcdefgh")
    parts = [_expression(rng, depth + 1) for _ in range(rng.randint(1, 3))]
    return "(" + " ".join(parts) + ")"


def brackets(rng: random.Random, size: int) -> str:
    """Nested brackets, depth 1-5 (a depth counter cell: up at '(', down at ')')."""
    out: list[str] = []
    while sum(map(len, out)) < size:
        out.append(_expression(rng, 0) + "\n")
    return "".join(out)


def numbered(rng: random.Random, size: int) -> str:
    """Numbered lines counting up, each a short sentence (a line-position and a line-number cell)."""
    out: list[str] = []
    n = 1
    while sum(map(len, out)) < size:
        text = rng.choice(LINES).format(thing=rng.choice(THINGS), place=rng.choice(PLACES), name="Tom")
        out.append(f"{n}. {text}\n")
        n = n + 1 if n < 99 else 1
    return "".join(out)


def anbn(rng: random.Random, size: int) -> str:
    """a^n b^n, n = 1..12, one a line (a counter cell: it counts the a's up and the b's down)."""
    out: list[str] = []
    while sum(map(len, out)) < size:
        n = rng.randint(1, 12)
        out.append("a" * n + "b" * n + "\n")
    return "".join(out)


FUNCTIONS = ["total", "count", "check", "scale", "clamp", "shift"]
ARGS = ["x", "y", "n", "items", "value", "step"]


def program(rng: random.Random, size: int) -> str:
    """A tiny Python-like program: indentation, brackets, string literals in quotes, `return`."""
    out: list[str] = []
    while sum(map(len, out)) < size:
        name = rng.choice(FUNCTIONS) + "_" + rng.choice(ARGS)
        a, b = rng.sample(ARGS, 2)
        body = [f"def {name}({a}, {b}):\n"]
        for _ in range(rng.randint(1, 3)):
            kind = rng.random()
            if kind < 0.35:
                body.append(f"    if {a} > {rng.randint(0, 9)}:\n        {b} = ({b} + {a}) * {rng.randint(2, 9)}\n")
            elif kind < 0.65:
                body.append(f'    print("{rng.choice(NARRATION).lower()}", {a})\n')
            else:
                body.append(f"    for i in range({rng.randint(2, 20)}):\n        {a} = {a} + (i * {b})\n")
        body.append(f"    return {rng.choice([a, b])}\n\n")
        out.append("".join(body))
    return "".join(out)


def main() -> None:
    for name, make, size in [
        ("quotes", quotes, 40_000),
        ("brackets", brackets, 30_000),
        ("numbered", numbered, 30_000),
        ("anbn", anbn, 20_000),
        ("program", program, 30_000),
    ]:
        (HERE / f"{name}.txt").write_text(make(random.Random(name), size), encoding="utf-8")


if __name__ == "__main__":
    main()
