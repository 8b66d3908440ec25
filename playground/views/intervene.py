"""What the Intervene view shows, as plain data (no gradio): it reads the prompt like every view
(`read_prompt`, from a line start), calls `lstmlm.studies.intervene` for the numbers, and returns what the tab
draws and the `intervene` endpoint returns as JSON, and the tab's presets (interventions with a visible
effect). `distribution_json` serves Counterfactual too.

Steps are counted from 0, the first word of the prompt as the model reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstmlm.cells import display_order
from lstmlm.model import LanguageModel
from lstmlm.prompt import reader
from lstmlm.studies.intervene import (
    STATISTICS,
    DistributionChange,
    compare_intervention,
    generate_with_interventions,
    no_units,
    parse_steps,
    parse_units,
    select_units,
)
from lstmlm.tokenizers import WIKITEXT, Tokenizer
from lstmlm.trace import Intervention
from lstmlm.wikitext import UNK
from playground.display import display_word
from playground.text import unit_fields, words_in
from playground.views.gates import check_layer
from playground.views.inputs import prompt_words, whole
from playground.views.next_word import line_start

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


def steps_label(tokens: list[str], start: int, stop: int | None, lang: str = "en", unit: str = "word") -> str:
    """'steps 3 (sat) to 5 (the)' or 'from step 3 (sat) on', with the words shown, in `lang`; `unit`
    ('word' or 'character') names what is generated and the model's <unk> ("a rare word" or character)."""
    last = len(tokens) - 1 if stop is None else min(stop, len(tokens)) - 1
    first = f"{start} ({display_word(tokens[start], unit=unit)})" if start < len(tokens) else str(start)
    if stop is None:
        return words_in(lang, "iv.steps_from", first=first, **unit_fields(lang, unit))
    if last <= start:
        return words_in(lang, "iv.step_only", first=first)
    last_shown = f"{last} ({display_word(tokens[last], unit=unit)})"
    return words_in(lang, "iv.steps_range", first=first, last=last_shown)


@dataclass(frozen=True)
class Preset:
    """A named intervention with a visible effect, and one sentence on what to expect."""

    label: str
    layer: str  # "top" or "bottom"
    action: str
    value: float
    expect: str


# Measured on the default model (storybooks LSTM) over 49 everyday prompts of its kind (the default prompt
# "The cat sat on the", tests/test_teach.py's EVERYDAY, tests/benchmarks/everyday.json's 40; all units,
# every step): how many top words changed, the mean and median total variation, and the old top word's mean
# probability before -> after (tests/test_teach.py recomputes them and checks each expectation against them):
#   hide_memory_top   47/49  0.78 (median 0.79)  0.14 -> 0.01  (the top word became "," on all 49: with
#                                                  o = 0 the top h is 0, so the output sees no context)
#   close_input_top   47/49  0.78 (median 0.79)  0.14 -> 0.01  (the same ",": the memory starts near 0)
#   never_forget_top  42/49  0.77 (median 0.76)  0.14 -> 0.03  (<unk> on 12; the default prompt: "floor"
#                                                  -> <unk>, TV 0.69; generated text falls apart)
#   forget_all_top    29/49  0.44 (median 0.45)  0.14 -> 0.06  (the default prompt: TV 0.60)
# Listed from the largest effect to the smallest (test_teach checks the first against the rest); labels and
# expectations: playground/text/intervene.py.
PRESETS = {
    name: Preset(
        words_in("en", f"iv.preset.{name}"),
        layer,
        action,
        value,
        words_in("en", f"iv.expect.{name}", **unit_fields("en", "word")),
    )
    for name, layer, action, value in (
        ("hide_memory_top", "top", "pin_output", 0.0),
        ("close_input_top", "top", "pin_input", 0.0),
        ("never_forget_top", "top", "pin_forget", 1.0),
        ("forget_all_top", "top", "pin_forget", 0.0),
    )
}
DEFAULT_PRESET = "hide_memory_top"


def preset_values(
    name: str, num_layers: int, lang: str = "en", unit: str = "word"
) -> tuple[int, str, float, str]:
    """(layer, action, value, expectation in `lang`) of a preset for a model with `num_layers` layers that
    reads `unit`s ('word' or 'character')."""
    p = PRESETS[name]
    return (
        (num_layers - 1 if p.layer == "top" else 0),
        p.action,
        p.value,
        words_in(lang, f"iv.expect.{name}", **unit_fields(lang, unit)),
    )


def effect_sentence(change: DistributionChange, lang: str = "en", unit: str = "word") -> str:
    """The size of an intervention's effect in words (in `lang`): did the top word (character when `unit`
    is 'character') change, and how much did it move. When the top word after it is <unk> ("a rare word",
    for a character model "a rare character"), which real word is now first (the likeliest one that is
    not <unk>), since "a rare word" names none."""
    named = unit_fields(lang, unit)
    before, after = change.before, change.after
    b, a = display_word(before.words[0], lang, unit=unit), display_word(after.words[0], lang, unit=unit)
    p_before = before.probs[0]
    p_after = next((q for w, q in zip(after.words, after.probs, strict=True) if w == before.words[0]), None)
    if b != a:
        said = words_in(
            lang,
            "iv.changed",
            before=b,
            p_before=f"{p_before:.0%}",
            after=a,
            p_after=f"{after.probs[0]:.0%}",
            **named,
        )
    else:
        said = words_in(
            lang, "iv.stayed", word=b, p_before=f"{p_before:.0%}", p_after=f"{p_after:.0%}", **named
        )
    if after.words[0] != UNK:
        return said
    real = next(((w, q) for w, q in zip(after.words, after.probs, strict=True) if w != UNK), None)
    if real is None:  # only <unk> among the words kept (k = 1)
        return said
    word = display_word(real[0], lang, unit=unit)
    first = words_in(lang, "iv.real_top", word=word, p=f"{real[1]:.0%}", **named)
    return said + ("" if lang == "zh" else " ") + first


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
    layer = check_layer(model, whole(req.layer, "layer"))
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
        tr = reader(model).trace(ids)
        units = select_units(tr, layer, "top", n=whole(req.top_n, "top N"), statistic=req.statistic)
    elif req.units == "list":
        if not str(req.unit_list).strip():  # an empty list is not "every unit" (parse_units reads it so)
            raise ValueError(no_units())
        units = parse_units(req.unit_list, model.config.hidden_dim)
    else:
        units = None
    return Intervention(layer, target, value, units, start, stop)


def distribution_json(change: DistributionChange) -> dict:
    """A DistributionChange as JSON: both sides' top words, the words that moved most, the distances."""

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


def describe(iv: Intervention, action: str, tokens: list[str], lang: str = "en", unit: str = "word") -> str:
    """The intervention in words, in `lang`: 'Layer 2: pin the forget gate f to 1, for all units, from step
    0 (the) on (and every generated word).' `action` is the request's (a key of ACTIONS)."""
    if iv.units is None:
        units = words_in(lang, "iv.all_units")
    else:
        listed = ", ".join(map(str, iv.units[:12])) + (" …" if len(iv.units) > 12 else "")
        key = "iv.one_unit" if len(iv.units) == 1 else "iv.n_units"
        units = words_in(lang, key, n=len(iv.units), units=listed)
    what = words_in(lang, f"iv.what.{action}")
    if iv.target != "g":
        what += words_in(lang, "iv.to", value=f"{iv.value:g}")
    steps = steps_label(tokens, iv.start, iv.stop, lang, unit)
    return words_in(lang, "iv.description", layer=iv.layer + 1, what=what, units=units, steps=steps)


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
            **distribution_json(self.change),
            "generated_without": self.tokenizer.detokenize(w["word"] for w in self.generated_plain),
            "generated_with": self.tokenizer.detokenize(w["word"] for w in self.generated_intervened),
            "generated_words_without": self.generated_plain,
            "generated_words_with": self.generated_intervened,
        }


def run_intervention(
    model: LanguageModel, text: str, req: InterventionRequest, n_words: int = 20, seed: int = 0, k: int = 10
) -> InterventionResult:
    """Trace the prompt with and without the intervention; generate `n_words` both ways with one seed."""
    tokens, ids, notice = prompt_words(model, text)
    iv = make_intervention(model, ids, req)
    unit = model.vocab.tokenizer.unit  # "word" or "character": what n_words counts
    n_words, seed, k = whole(n_words, f"number of {unit}s"), whole(seed, "seed"), whole(k, "k")
    if not 0 <= n_words <= MAX_GENERATED:
        raise ValueError(f"number of {unit}s must be between 0 and {MAX_GENERATED}, got {n_words}")
    k = max(1, min(k, MAX_SHOWN_WORDS))
    state = line_start(model)
    cmp = compare_intervention(model, ids, [iv], k, state)
    arrays = {
        side: {g: la.get(g) for g in display_order("lstm")}  # f i o g c h
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
    return InterventionResult(
        tokens,
        notice,
        iv,
        describe(iv, req.action, tokens),
        cmp.next_words,
        arrays["plain"],
        arrays["intervened"],
        *gens,
        tokenizer=model.vocab.tokenizer,
    )
