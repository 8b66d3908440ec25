"""Two prompts that differ in a word, read by the same model from the same state and compared position by
position: how much every gate, c and h differ, and how the next-word distribution changes.

Positions are compared by what the model reads (ids), not by the text typed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstmlm.messages import Message
from lstmlm.model import LanguageModel, State
from lstmlm.sampling import start_state
from lstmlm.studies.arrays import AnyLayerArrays, layer_arrays
from lstmlm.studies.intervene import DistributionChange, compare_distributions
from lstmlm.trace import trace


@dataclass
class Counterfactual:
    """Two prompts traced from the same state and compared position by position (up to the shorter one)."""

    tokens_a: list[str]
    tokens_b: list[str]
    ids_a: list[int]
    ids_b: list[int]
    first_difference: int | None  # first position the model reads differently (ids); None: reads the same
    # positions (< the shorter length) whose words differ as typed but read as the same id: both unknown
    # (<unk>), so nothing differs there
    read_alike: list[int]
    # per layer, for each quantity the cell records (i f g o c h; GRU r z n h; plain RNN h):
    delta: list[dict[str, np.ndarray]]  # (T_min, H) value in b minus value in a
    mean_abs: list[dict[str, np.ndarray]]  # (T_min,) mean over units of |b - a|
    next_words: DistributionChange  # after the last word: before = prompt a, after = prompt b
    trace_a: list[AnyLayerArrays]
    trace_b: list[AnyLayerArrays]


def counterfactual(
    model: LanguageModel, text_a: str, text_b: str, k: int = 10, state: State | None = None
) -> Counterfactual:
    """Trace two prompts; per layer and position, how much every gate, c and h (or the GRU's r, z, n, h, the
    plain RNN's h) differ, and the next words. Positions are compared by what the model reads (ids): two
    different unknown words both read as <unk>, so they differ in nothing (`read_alike` lists them)."""
    encoded = []
    for name, text in (("A", text_a), ("B", text_b)):
        enc = model.vocab.encode_text(text)
        if not enc.ids:
            raise ValueError(
                Message("counterfactual.empty", "prompt {name} is empty: type a few words", name=name)
            )
        encoded.append(enc)
    a, b = encoded
    state = state if state is not None else start_state(model)
    ta, tb = trace(model, a.ids, state), trace(model, b.ids, state)
    la, lb = layer_arrays(ta), layer_arrays(tb)
    T = min(len(a.ids), len(b.ids))
    first = next((t for t in range(T) if a.ids[t] != b.ids[t]), None)  # what the model reads, not the text
    alike = [t for t in range(T) if a.ids[t] == b.ids[t] and a.tokens[t] != b.tokens[t]]
    if first is None and len(a.ids) != len(b.ids):
        first = T  # one prompt continues the other
    # Per layer and name: (T, H) value in b minus value in a, and (T,) its mean size over units.
    delta = [{n: y.get(n)[:T] - x.get(n)[:T] for n in x.names} for x, y in zip(la, lb, strict=True)]
    mean_abs = [{n: np.abs(d[n]).mean(1) for n in d} for d in delta]
    change = compare_distributions(ta.log_probs[-1, 0], tb.log_probs[-1, 0], model.vocab, k)
    return Counterfactual(a.tokens, b.tokens, a.ids, b.ids, first, alike, delta, mean_abs, change, la, lb)
