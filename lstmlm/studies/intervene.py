"""What changes: the model with and without an intervention (next words, traces, generated text).
Two next-word distributions compared (`compare_distributions`) serve Counterfactual too.

Interventions go through `trace()`'s own override mechanism; nothing here re-implements the LSTM.
Units and steps can be given as user strings ("3,5,10-19", "4-") or picked by a statistic of the trace.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch

from lstmlm import cells
from lstmlm.messages import Message
from lstmlm.model import LanguageModel, State
from lstmlm.sampling import (
    GeneratedWord,
    NextWords,
    check_settings,
    generate,
    make_generator,
    start_state,
    top_words,
)
from lstmlm.studies.arrays import NAMES, LayerArrays, Traced, check_index, layer_arrays
from lstmlm.trace import Intervention, check_interventions, trace
from lstmlm.vocab import Vocab

# ---------------------------------------------------------------------------------------------
# Choosing units and steps.
# ---------------------------------------------------------------------------------------------

# The statistics are lstmlm.cells.STATISTICS (the one list, computed there), per unit over the steps of the
# plain trace, of the chosen signal, except mean_abs: here it is always of the cell c (the quantity "set C"
# changes), so its name says so. STAT_KIND: this module's name -> the cells statistic it computes.
STAT_KIND = {("mean_abs_c" if kind == "mean_abs" else kind): kind for kind in cells.STATISTICS}
_SAYS = {
    "mean": "mean value of the signal",
    "variance": "variance of the signal",
    "saturation": "share of steps within 0.1 of the signal's limits (gates < 0.1 or > 0.9; |tanh| > 0.9)",
    "mean_abs": "mean |c| (the signal is ignored)",
}
STATISTICS = {name: _SAYS[kind] for name, kind in STAT_KIND.items()}  # name -> what it measures
_ITEM = re.compile(r"^(\d+)(?:\s*-\s*(\d+))?$")


def backwards_range(written: str, lo: int, hi: int) -> Message:
    """A range of units or steps written high to low, and how to write it."""
    return Message(
        "intervene.backwards",
        "the range {written} goes backwards: write it as {lo}-{hi}",
        written=written,
        lo=lo,
        hi=hi,
    )


def no_units() -> Message:
    """No unit numbers were given where some are needed, and how to write them."""
    return Message(
        "intervene.no_units", "no units given: write unit numbers and ranges like 3,5,10-19 (or 'all')"
    )


def parse_units(text: str, hidden_dim: int) -> tuple[int, ...] | None:
    """'3,5,10-19' -> (3, 5, 10, ..., 19) sorted without repeats; '' or 'all' -> None (every unit)."""
    text = text.strip().lower()
    if text in ("", "all", "*"):
        return None
    units: set[int] = set()
    for item in re.split(r"[,\s;]+", text):
        if not item:
            continue
        m = _ITEM.match(item)
        if m is None:
            raise ValueError(
                Message(
                    "intervene.units_unread",
                    "cannot read {item!r}: write unit numbers and ranges like 3,5,10-19 (or 'all')",
                    item=item,
                )
            )
        lo, hi = int(m[1]), int(m[2] if m[2] is not None else m[1])
        if hi < lo:
            raise ValueError(backwards_range(item, hi, lo))
        if hi >= hidden_dim:
            raise ValueError(
                Message(
                    "intervene.no_unit",
                    "unit {unit} does not exist: this layer has units 0..{last}",
                    unit=hi,
                    last=hidden_dim - 1,
                )
            )
        units.update(range(lo, hi + 1))
    if not units:
        raise ValueError(no_units())
    return tuple(sorted(units))


def parse_steps(text: str, num_steps: int | None = None) -> tuple[int, int | None]:
    """Steps as Intervention's (start, stop): '4' -> (4, 5); '2-6' -> (2, 7); '4-', 'from 4' -> (4, None)."""
    text = text.strip().lower()
    if text in ("", "all", "*"):
        return 0, None
    m = re.match(r"^(from\s+)?(\d+)\s*(?:(-|\+|on|onwards)\s*(\d+)?)?$", text)
    if m is None or (m[4] is not None and (m[3] != "-" or m[1])):
        raise ValueError(
            Message(
                "intervene.steps_unread",
                "cannot read steps {text!r}: write one step (4), a range (2-6) or 'from 4 on' (4-)",
                text=text,
            )
        )
    start = int(m[2])
    if m[1] or (m[3] and m[4] is None):  # "from 4", "4-", "4+", "4 on"
        stop = None
    else:
        stop = int(m[4] if m[4] is not None else m[2]) + 1
    if stop is not None and stop <= start:
        raise ValueError(backwards_range(text, stop - 1, start))
    if num_steps is not None and start >= num_steps:
        raise ValueError(
            Message(
                "intervene.no_step",
                "step {step} does not exist: the prompt has steps 0..{last}",
                step=start,
                last=num_steps - 1,
            )
        )
    return start, stop


def unit_statistic(tr: Traced, layer: int, statistic: str, signal: str = "h") -> np.ndarray:
    """One number per unit (H,) over the steps of the trace; see STATISTICS."""
    layers = layer_arrays(tr)
    check_index(layers, layer)
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {', '.join(STATISTICS)}, got {statistic!r}")
    if signal not in NAMES:
        raise ValueError(f"signal must be one of {', '.join(NAMES)}, got {signal!r}")
    la = layers[layer]
    kind = STAT_KIND[statistic]  # lstmlm.cells computes them all
    key = "c" if kind == "mean_abs" else signal
    x = la.get(key).astype(np.float64)  # (T, H)
    return cells.unit_statistic(cells.quantity(la.cell, key), x, kind)


def select_units(
    tr: Traced,
    layer: int,
    how: str = "all",
    spec: str = "",
    n: int = 10,
    statistic: str = "variance",
    signal: str = "h",
) -> tuple[int, ...] | None:
    """Units for an Intervention: how = all (None), list or range (parsed from `spec`), top (n highest)."""
    layers = layer_arrays(tr)
    check_index(layers, layer)
    H = layers[layer].h.shape[1]
    if how == "all":
        return None
    if how in ("list", "range"):
        return parse_units(spec, H)
    if how == "top":
        if n < 1:
            raise ValueError(Message("intervene.top_n", "top N needs N >= 1, got {n}", n=n))
        values = unit_statistic(layers, layer, statistic, signal)
        return tuple(sorted(range(H), key=lambda u: (-values[u], u))[:n])
    raise ValueError(f"how must be one of all, list, range, top; got {how!r}")


# ---------------------------------------------------------------------------------------------
# Next-word distributions compared.
# ---------------------------------------------------------------------------------------------


@dataclass
class MovedWord:
    """A word whose next-word probability changed."""

    word: str
    id: int
    before: float
    after: float


@dataclass
class DistributionChange:
    """Two next-word distributions: each one's top words, the words that moved most, and distances."""

    before: NextWords
    after: NextWords
    moved: list[MovedWord]  # largest |after - before| first
    total_variation: float  # ½ Σ |p_after - p_before|, between 0 (same) and 1 (disjoint)
    kl_bits: float  # KL(before ‖ after) in bits


def compare_distributions(
    before: torch.Tensor, after: torch.Tensor, vocab: Vocab, k: int = 10
) -> DistributionChange:
    """Compare two next-word log-probability rows (V,): the top k of each and the k words that moved most."""
    before, after = before.detach().double().cpu(), after.detach().double().cpu()
    p, q = before.exp(), after.exp()
    delta = q - p
    k = max(1, min(int(k), delta.numel()))
    moved = [
        MovedWord(vocab.words[j], j, float(p[j]), float(q[j])) for j in delta.abs().topk(k).indices.tolist()
    ]
    kl = float((p * (before - after)).nan_to_num().sum()) / math.log(2)
    return DistributionChange(
        top_words(before, vocab, k), top_words(after, vocab, k), moved, float(delta.abs().sum() / 2), kl
    )


# ---------------------------------------------------------------------------------------------
# Interventions.
# ---------------------------------------------------------------------------------------------


@dataclass
class InterventionComparison:
    """A prompt traced with and without interventions: next words before/after and both traces."""

    next_words: DistributionChange  # before = plain, after = intervened
    plain: list[LayerArrays]
    intervened: list[LayerArrays]


def compare_intervention(
    model: LanguageModel,
    ids: Sequence[int],
    interventions: Sequence[Intervention],
    k: int = 10,
    state: State | None = None,
) -> InterventionComparison:
    """Trace `ids` from `state` (default: after a line break) with and without the interventions."""
    ids = [int(i) for i in ids]
    state = state if state is not None else start_state(model)
    plain = trace(model, ids, state)
    intervened = trace(model, ids, state, interventions)
    change = compare_distributions(plain.log_probs[-1, 0], intervened.log_probs[-1, 0], model.vocab, k)
    return InterventionComparison(change, layer_arrays(plain), layer_arrays(intervened))


def shift_interventions(interventions: Sequence[Intervention], offset: int) -> list[Intervention]:
    """Interventions in steps counted from `offset` on (those already over are dropped)."""
    out = []
    for iv in interventions:
        if iv.stop is not None and iv.stop <= offset:
            continue
        stop = None if iv.stop is None else iv.stop - offset
        out.append(replace(iv, start=max(0, iv.start - offset), stop=stop))
    return out


def generate_with_interventions(
    model: LanguageModel,
    prompt_ids: Sequence[int],
    interventions: Sequence[Intervention] = (),
    n: int = 30,
    temperature: float = 1.0,
    top_k: int = 0,
    top_p: float = 1.0,
    seed: int | None = None,
    state: State | None = None,
    stop_at_eos: bool = False,
    allow_unk: bool = False,
    allow_headings: bool = True,
) -> Iterator[GeneratedWord]:
    """Stream words after the prompt like `sampling.generate`, with the interventions active throughout
    (and the same words masked: listed words, `<unk>` unless `allow_unk`, and with `allow_headings=False`
    WikiText's heading mark "=", so no "= = Plot = =" line is generated).

    Interventions count steps from the prompt's first word and keep applying to the generated words
    ("from step 4 on" covers them all). It is `sampling.generate`'s loop with a traced step: each word is
    fed with `trace(model, [word], state, shifted interventions)`; with none this gives the same words as
    `generate` for the same seed.
    """
    check_settings(temperature, top_k, top_p)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    ids = [int(i) for i in prompt_ids]
    check_interventions(model, interventions, len(ids))

    def traced_step(words: Sequence[int], state: State, position: int) -> tuple[torch.Tensor, State]:
        tr = trace(model, words, state, shift_interventions(interventions, position))
        return tr.log_probs[-1, 0], tr.state

    yield from generate(
        model, ids, n, temperature, top_k, top_p, make_generator(seed), stop_at_eos, state, allow_unk,
        fast=False, allow_headings=allow_headings, step=traced_step,
    )  # fmt: skip
