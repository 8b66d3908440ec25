"""What the Intervene, Equations and Counterfactual views show, as plain data (no gradio): each function
reads the prompt like every view (`read_prompt`, from a line start), calls the library (`lstmlm.studies.intervene`,
`lstmlm.studies.equations`) for the numbers, and returns what the tab draws and the endpoint returns as JSON.

Steps are counted from 0, the first word of the prompt as the model reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lstmlm.model import LanguageModel
from lstmlm.studies.equations import (
    displayed_cell_sum,
    equation_numbers,
    equations_latex,
    layer_arrays,
    memory_breakdown,
)
from lstmlm.studies.intervene import (
    STATISTICS,
    DistributionChange,
    compare_intervention,
    counterfactual,
    generate_with_interventions,
    parse_steps,
    parse_units,
    select_units,
)
from lstmlm.studies.runaway import runaway_cells, runaway_note
from lstmlm.tokenizers import WIKITEXT, Tokenizer
from lstmlm.trace import Intervention, trace
from playground.views.gates import CELL_GATES, check_layer
from playground.views.next_word import display_word, line_start, read_prompt

ACTIONS = {  # action name -> (trace target, what it does, the value's range)
    "pin_forget": ("f", "pin the forget gate f (1 = never forget, 0 = forget everything)", (0.0, 1.0)),
    "pin_input": (
        "i",
        "pin the input gate i (1 = write all of the candidate, 0 = write nothing)",
        (0.0, 1.0),
    ),
    "pin_output": ("o", "pin the output gate o (1 = show all of the memory, 0 = hide it)", (0.0, 1.0)),
    "zero_candidate": ("g", "zero the candidate C̃ (write nothing new; the value is ignored)", (0.0, 0.0)),
    "set_cell": ("c", "set the cell C to the value", (-50.0, 50.0)),
}
UNIT_CHOICES = ("all", "list", "top")  # every unit; a list/range like 3,5,10-19; the top N by a statistic
MAX_GENERATED = 60  # longest pair of generations one intervention request may ask for
MAX_SHOWN_WORDS = 20


def _whole(x, name: str) -> int:
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    if isinstance(x, bool) or not isinstance(x, int):
        raise ValueError(f"{name} must be a whole number, got {x!r}")
    return x


def _words(model: LanguageModel, text: str) -> tuple[list[str], list[int], str]:
    p = read_prompt(model.vocab, text)
    if not p.ids:
        raise ValueError("the prompt is empty: type a few words")
    return p.tokens, p.ids, p.notice


def steps_label(tokens: list[str], start: int, stop: int | None) -> str:
    """'steps 3 (sat) to 5 (the)' or 'from step 3 (sat) on', with the words shown."""
    last = len(tokens) - 1 if stop is None else min(stop, len(tokens)) - 1
    first = f"{start} ({display_word(tokens[start])})" if start < len(tokens) else str(start)
    if stop is None:
        return f"from step {first} on (and every generated word)"
    if last <= start:
        return f"step {first} only"
    return f"steps {first} to {last} ({display_word(tokens[last])})"


@dataclass
class InterventionRequest:
    """The Intervene view's controls (defaults are the view's defaults)."""

    layer: int = 0
    units: str = "all"  # "all", "list" (read from unit_list) or "top" (top_n units by `statistic`)
    unit_list: str = "0-9"  # unit numbers and ranges like 3,5,10-19
    top_n: int = 10
    statistic: str = "mean_abs_c"  # one of lstmlm.studies.intervene.STATISTICS
    steps: str = "0-"  # "4" one step, "2-6" a range, "4-" or "from 4" from step 4 on
    action: str = "pin_forget"  # one of ACTIONS
    value: float = 0.0  # the pinned value (0..1 for gates, any number for the cell)


def make_intervention(model: LanguageModel, ids: list[int], req: InterventionRequest) -> Intervention:
    """The library's Intervention for the request; ValueError saying what to change."""
    layer = check_layer(model, _whole(req.layer, "layer"))
    if req.action not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}, got {req.action!r}")
    target, _, (lo, hi) = ACTIONS[req.action]
    value = 0.0 if target == "g" else float(req.value)
    if not lo <= value <= hi:
        raise ValueError(f"the value for '{req.action}' must be between {lo:g} and {hi:g}, got {value:g}")
    if req.units not in UNIT_CHOICES:
        raise ValueError(f"units must be one of {', '.join(UNIT_CHOICES)}, got {req.units!r}")
    if req.statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {', '.join(STATISTICS)}, got {req.statistic!r}")
    start, stop = parse_steps(str(req.steps), len(ids))
    if req.units == "top":  # ranked on the plain trace of this prompt
        tr = trace(model, ids, line_start(model), log_probs=False)
        units = select_units(tr, layer, "top", n=_whole(req.top_n, "top N"), statistic=req.statistic)
    else:
        units = None if req.units == "all" else parse_units(req.unit_list, model.config.hidden_dim)
    return Intervention(layer, target, value, units, start, stop)


def _distribution_json(change: DistributionChange) -> dict:
    def side(nw) -> dict:
        return {
            "words": nw.words,
            "probs": [round(p, 6) for p in nw.probs],
            "entropy_bits": round(nw.entropy_bits, 4),
        }

    return {
        "before": side(change.before),
        "after": side(change.after),
        "moved": [
            {"word": m.word, "before": round(m.before, 6), "after": round(m.after, 6)} for m in change.moved
        ],
        "total_variation": round(change.total_variation, 6),
        "kl_bits": round(change.kl_bits, 6),
    }


@dataclass
class InterventionResult:
    """What the Intervene view draws and the `intervene` endpoint returns."""

    tokens: list[str]
    notice: str
    intervention: Intervention
    description: str  # the intervention in words, with the step numbers and their words
    change: DistributionChange
    plain: dict[str, np.ndarray]  # the chosen layer's f i o g c h, each (T, H), without the intervention
    intervened: dict[str, np.ndarray]  # ... and with it
    generated_plain: list[dict]  # {"word", "prob", "rank"} per generated word, without the intervention
    generated_intervened: list[dict]  # ... with it (same seed and settings)
    tokenizer: Tokenizer = WIKITEXT  # the model's: joins the generated tokens into text

    def to_json(self) -> dict:
        iv = self.intervention
        return {
            "tokens": self.tokens,
            "notice": self.notice,
            "intervention": {
                "layer": iv.layer,
                "target": iv.target,
                "value": iv.value,
                "units": None if iv.units is None else list(iv.units),
                "start": iv.start,
                "stop": iv.stop,
                "description": self.description,
            },
            **_distribution_json(self.change),
            "generated_without": self.tokenizer.detokenize(w["word"] for w in self.generated_plain),
            "generated_with": self.tokenizer.detokenize(w["word"] for w in self.generated_intervened),
            "generated_words_without": self.generated_plain,
            "generated_words_with": self.generated_intervened,
        }


def run_intervention(
    model: LanguageModel, text: str, req: InterventionRequest, n_words: int = 20, seed: int = 0, k: int = 10
) -> InterventionResult:
    """Trace the prompt with and without the intervention; generate `n_words` both ways with one seed."""
    tokens, ids, notice = _words(model, text)
    iv = make_intervention(model, ids, req)
    n_words, seed, k = _whole(n_words, "number of words"), _whole(seed, "seed"), _whole(k, "k")
    if not 0 <= n_words <= MAX_GENERATED:
        raise ValueError(f"number of words must be between 0 and {MAX_GENERATED}, got {n_words}")
    k = max(1, min(k, MAX_SHOWN_WORDS))
    state = line_start(model)
    cmp = compare_intervention(model, ids, [iv], k, state)
    arrays = {
        side: {g: la.get(g) for g in ("f", "i", "o", "g", "c", "h")}
        for side, la in (("plain", cmp.plain[iv.layer]), ("intervened", cmp.intervened[iv.layer]))
    }
    gens = [
        [
            {"word": gw.word, "prob": round(gw.prob, 6), "rank": gw.rank}
            for gw in generate_with_interventions(
                model, ids, ivs, n_words, 0.8, 40, 0.95, seed, state, allow_headings=False
            )
        ]
        for ivs in ((), [iv])
    ]
    units = (
        "all units"
        if iv.units is None
        else f"{len(iv.units)} unit{'s' * (len(iv.units) > 1)} "
        + (", ".join(map(str, iv.units[:12])) + (" …" if len(iv.units) > 12 else ""))
    )
    what = ACTIONS[req.action][1].split(" (")[0]
    if iv.target != "g":
        what += f" to {iv.value:g}"
    description = f"Layer {iv.layer + 1}: {what}, for {units}, {steps_label(tokens, iv.start, iv.stop)}."
    return InterventionResult(
        tokens,
        notice,
        iv,
        description,
        cmp.next_words,
        arrays["plain"],
        arrays["intervened"],
        *gens,
        tokenizer=model.vocab.tokenizer,
    )


# ---------------------------------------------------------------------------------------------
# Equations and memory breakdown of one unit.
# ---------------------------------------------------------------------------------------------


def equations_json(
    model: LanguageModel,
    text: str,
    layer: int = 0,
    step: int = -1,
    unit: int = 0,
    digits: int = 4,
    lang: str = "en",
) -> dict:
    """The LSTM equations of one unit at one step (step -1 = the last word): numbers and Markdown/LaTeX."""
    tokens, ids, notice = _words(model, text)
    layer = check_layer(model, _whole(layer, "layer"))
    step, unit, digits = _whole(step, "step"), _whole(unit, "unit"), _whole(digits, "digits")
    if step < 0:
        step += len(ids)
    if not 0 <= step < len(ids):
        raise ValueError(f"step {step} does not exist: the prompt has steps 0..{len(ids) - 1}")
    if not 1 <= digits <= 8:
        raise ValueError(f"digits must be between 1 and 8, got {digits}")
    tr = layer_arrays(trace(model, ids, line_start(model), log_probs=False))
    n = equation_numbers(tr, layer, step, unit)
    word = display_word(tokens[step])
    latex = equations_latex(replace(n, layer=layer + 1), digits, lang, word=word)  # tabs count layers from 1
    kept, written, c_shown = displayed_cell_sum(n, digits)
    numbers = {
        k: round(getattr(n, k), 8)
        for k in ("z_f", "z_i", "z_g", "z_o", "f_t", "i_t", "g_t", "o_t", "h_prev", "c_prev", "c_t",
                  "tanh_c_t", "h_t", "kept", "written")
    }  # fmt: skip
    mem = memory_breakdown(tr, layer, unit)
    cells = runaway_cells(tr[layer].get("c"))  # (T, H) of the layer
    this = next((r for r in cells if r.unit == unit), None)
    note = (
        f"Unit {unit} is a runaway cell: its |C| reaches {this.max_abs:,.1f} over this prompt, while a "
        f"typical unit of layer {layer + 1} stays within {this.typical:.2f}. It integrates (forget gate "
        "near 1), so tanh(C) is ±1 whatever it holds and h only shows the output gate."
        if this
        else runaway_note(cells, layer)
    )
    return {
        "tokens": tokens,
        "notice": notice,
        "layer": layer,
        "step": step,
        "unit": unit,
        "word": word,
        "numbers": numbers,
        "shown": {"kept": kept, "written": written, "c_t": c_shown},
        "latex": latex,
        "runaway": [{"unit": r.unit, "max_abs": round(r.max_abs, 4)} for r in cells],
        "runaway_note": note,  # "" when no cell of the layer runs away
        "memory": {
            "kept": np.round(mem.kept, 6).tolist(),
            "written": np.round(mem.written, 6).tolist(),
            "c": np.round(mem.c, 6).tolist(),
        },
    }


# ---------------------------------------------------------------------------------------------
# Counterfactual prompts.
# ---------------------------------------------------------------------------------------------

DEFAULT_PAIR = ("The boy who lived next door was", "The girl who lived next door was")


def counterfactual_view(model: LanguageModel, text_a: str, text_b: str, layer: int = 0, k: int = 10):
    """The library's Counterfactual of two prompts read like every view (capped, from a line start)."""
    layer = check_layer(model, _whole(layer, "layer"))
    k = max(1, min(_whole(k, "k"), MAX_SHOWN_WORDS))
    a, b = read_prompt(model.vocab, text_a), read_prompt(model.vocab, text_b)
    for name, p in (("A", a), ("B", b)):
        if not p.ids:
            raise ValueError(f"prompt {name} is empty: type a few words")
    # counterfactual() tokenizes the texts itself; a capped prompt goes in as its kept words
    rejoin = model.vocab.tokenizer.rejoin  # text that reads back as these tokens
    texts = [rejoin(p.tokens) if p.cut else text for p, text in ((a, text_a), (b, text_b))]
    return counterfactual(model, *texts, k, line_start(model)), layer


def counterfactual_json(model: LanguageModel, text_a: str, text_b: str, layer: int = 0, k: int = 10) -> dict:
    """What the `counterfactual` endpoint returns: per position mean |B - A| of every signal, next words."""
    cf, layer = counterfactual_view(model, text_a, text_b, layer, k)
    return {
        "tokens_a": cf.tokens_a,
        "tokens_b": cf.tokens_b,
        "first_difference": cf.first_difference,
        # words typed differently that the model reads alike (both unknown: <unk>), so they differ in nothing
        "read_alike": [
            {
                "position": t,
                "a": cf.tokens_a[t],
                "b": cf.tokens_b[t],
                "read_as": model.vocab.words[cf.ids_a[t]],
            }
            for t in cf.read_alike
        ],
        "layer": layer,
        "mean_abs_delta": {
            g: np.round(cf.mean_abs[layer][g], 6).tolist() for g in CELL_GATES[model.config.cell]
        },
        **_distribution_json(cf.next_words),
    }


MAX_DELTA_CELLS = 40_000  # a Δ heatmap shows at most 40k cells: the units that changed most


def delta_window(delta: np.ndarray, max_cells: int = MAX_DELTA_CELLS) -> tuple[np.ndarray, list[int]]:
    """(units shown, positions) of a (T, H) difference, keeping the units with the largest mean |Δ|."""
    T, H = delta.shape
    keep = max(1, min(H, max_cells // max(1, T)))
    order = np.argsort(-np.abs(delta).mean(0), kind="stable")[:keep]
    return np.ascontiguousarray(delta[:, order].T), order.tolist()


MAX_MEMORY_STEPS = 60  # the memory views show at most the last 60 words (the horizon is steps x steps)


def memory_window(model: LanguageModel, text: str, layer: int, unit: int):
    """The memory breakdown of one unit over (at most) the last MAX_MEMORY_STEPS words, and those words."""
    tokens, ids, _ = _words(model, text)
    tr = trace(model, ids, line_start(model), log_probs=False)
    mem = memory_breakdown(tr, check_layer(model, layer), unit)
    first = max(0, len(ids) - MAX_MEMORY_STEPS)
    words = [f"{t} {display_word(w)}" for t, w in enumerate(tokens)][first:]
    return mem, words, first


ONE_WORD_SWAPS = {  # for "change one word": the first of these found in the prompt is swapped
    "boy": "girl", "girl": "boy", "he": "she", "she": "he", "his": "her", "her": "his", "man": "woman",
    "woman": "man", "was": "is", "is": "was", "good": "bad", "bad": "good", "not": "very", "in": "after",
}  # fmt: skip


def change_one_word(text: str) -> str:
    """The text with one word changed (boy -> girl, he -> she, was -> is, ...; else the last word dropped)."""
    words = text.split(" ")
    for n, w in enumerate(words):
        swap = ONE_WORD_SWAPS.get(w.lower())
        if swap is not None:
            words[n] = swap.capitalize() if w[:1].isupper() else swap
            return " ".join(words)
    return " ".join(words[:-1]) if len(words) > 1 else text
