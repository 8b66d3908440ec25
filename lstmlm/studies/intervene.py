"""What changes: the model with and without an intervention (next words, traces, generated text), and two
prompts that differ in a word, compared position by position.

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

from lstmlm.model import LanguageModel, State
from lstmlm.safewords import blocked_ids
from lstmlm.sampling import (
    GeneratedWord,
    NextWords,
    check_settings,
    heading_ids,
    make_generator,
    pick_word,
    start_state,
    top_words,
)
from lstmlm.studies.equations import NAMES, AnyLayerArrays, LayerArrays, Traced, check_index, layer_arrays
from lstmlm.trace import Intervention, check_interventions, trace
from lstmlm.vocab import Vocab

# ---------------------------------------------------------------------------------------------
# Choosing units and steps.
# ---------------------------------------------------------------------------------------------

STATISTICS = {  # per unit, over the steps of the plain trace
    "mean": "mean value of the signal",
    "variance": "variance of the signal",
    "saturation": "share of steps within 0.1 of the signal's limits (gates < 0.1 or > 0.9; |tanh| > 0.9)",
    "mean_abs_c": "mean |c| (the signal is ignored)",
}
_ITEM = re.compile(r"^(\d+)(?:\s*-\s*(\d+))?$")


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
            raise ValueError(f"cannot read {item!r}: write unit numbers and ranges like 3,5,10-19 (or 'all')")
        lo, hi = int(m[1]), int(m[2] if m[2] is not None else m[1])
        if hi < lo:
            raise ValueError(f"the range {item} goes backwards: write it as {hi}-{lo}")
        if hi >= hidden_dim:
            raise ValueError(f"unit {hi} does not exist: this layer has units 0..{hidden_dim - 1}")
        units.update(range(lo, hi + 1))
    if not units:
        raise ValueError("no units given: write unit numbers and ranges like 3,5,10-19 (or 'all')")
    return tuple(sorted(units))


def parse_steps(text: str, num_steps: int | None = None) -> tuple[int, int | None]:
    """Steps as Intervention's (start, stop): '4' -> (4, 5); '2-6' -> (2, 7); '4-', 'from 4' -> (4, None)."""
    text = text.strip().lower()
    if text in ("", "all", "*"):
        return 0, None
    m = re.match(r"^(from\s+)?(\d+)\s*(?:(-|\+|on|onwards)\s*(\d+)?)?$", text)
    if m is None or (m[4] is not None and (m[3] != "-" or m[1])):
        raise ValueError(f"cannot read steps {text!r}: write one step (4), a range (2-6) or 'from 4 on' (4-)")
    start = int(m[2])
    if m[1] or (m[3] and m[4] is None):  # "from 4", "4-", "4+", "4 on"
        stop = None
    else:
        stop = int(m[4] if m[4] is not None else m[2]) + 1
    if stop is not None and stop <= start:
        raise ValueError(f"the range {text} goes backwards: write it as {stop - 1}-{start}")
    if num_steps is not None and start >= num_steps:
        raise ValueError(f"step {start} does not exist: the prompt has steps 0..{num_steps - 1}")
    return start, stop


def unit_statistic(tr: Traced, layer: int, statistic: str, signal: str = "h") -> np.ndarray:
    """One number per unit (H,) over the steps of the trace; see STATISTICS."""
    layers = layer_arrays(tr)
    check_index(layers, layer)
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {', '.join(STATISTICS)}, got {statistic!r}")
    if signal not in NAMES:
        raise ValueError(f"signal must be one of {', '.join(NAMES)}, got {signal!r}")
    x = layers[layer].get("c" if statistic == "mean_abs_c" else signal).astype(np.float64)  # (T, H)
    if statistic == "mean":
        return x.mean(0)
    if statistic == "variance":
        return x.var(0)
    if statistic == "mean_abs_c":
        return np.abs(x).mean(0)
    if signal in "ifo":  # sigmoid gates lie in (0, 1)
        return ((x < 0.1) | (x > 0.9)).mean(0)
    return (np.abs(np.tanh(x) if signal == "c" else x) > 0.9).mean(0)  # g, h and tanh(c) lie in (-1, 1)


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
            raise ValueError(f"top N needs N >= 1, got {n}")
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


@torch.no_grad()
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
    ("from step 4 on" covers them all). Each word is fed with `trace(model, [word], state, shifted
    interventions)`; with none this gives the same words as `generate` for the same seed.
    """
    check_settings(temperature, top_k, top_p)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    ids = [int(i) for i in prompt_ids]
    check_interventions(model, interventions, len(ids))
    generator = make_generator(seed)
    blocked = blocked_ids(model.vocab, allow_unk)
    if not allow_headings:
        blocked = sorted(set(blocked) | set(heading_ids(model.vocab)))
    state = state if state is not None else start_state(model)
    if ids:
        tr = trace(model, ids, state, interventions)
        log_probs, state = tr.log_probs[-1, 0], tr.state
    else:  # an empty prompt starts a new line, as in generate()
        log_probs = model.log_probs((state[0] if isinstance(state, tuple) else state)[-1, 0])
    eos = model.vocab.eos_id
    for step in range(n):
        gw = pick_word(log_probs, step, temperature, top_k, top_p, generator, model.vocab, blocked)
        yield gw
        if stop_at_eos and gw.id == eos:
            return
        tr = trace(model, [gw.id], state, shift_interventions(interventions, len(ids) + step))
        log_probs, state = tr.log_probs[-1, 0], tr.state


# ---------------------------------------------------------------------------------------------
# Counterfactual prompts.
# ---------------------------------------------------------------------------------------------


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
            raise ValueError(f"prompt {name} is empty: type a few words")
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
