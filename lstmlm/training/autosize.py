"""Training settings that fit the budget and the corpus: what `lstmlm train --max-minutes M` (or
`--max-words N`) picks when the person did not set it, and why. Every choice is made only for a setting
not given on the command line; anything given explicitly wins, and the choices made from it follow it.

The rule, in the order it is applied:

1. Vocabulary (`--max-vocab`): keep the words seen at least MIN_COUNT (3) times in the training text, as
   WikiText-2 was built (rarer words read as `<unk>`: a word met once or twice cannot get a useful
   embedding), and at most MAX_VOCAB words.
2. Output layer (`--softmax`): a full softmax costs vocab_size x hidden_dim multiply-adds a word; when that
   is more than the recurrent layers cost (their weight count), the adaptive softmax (frequent words in a
   small head, rare ones in narrower tail clusters) is used, else the full softmax with tied input and
   output embeddings (Inan et al. 2016, Press & Wolf 2017).
3. Size (`--hidden-dim`, `--embed-dim`; 2 layers): with a time budget, a short timed probe (WARMUP_STEPS,
   then PROBE_STEPS timed Adam steps on real batches, at the run's thread count) measures this machine's
   words/s for candidate sizes in HIDDEN_LADDER; the words a size can process are its
   words/s x the time left (less the validations' share). The largest size that processes enough is kept:
       enough = min(MIN_PASSES x training words, WORDS_PER_WEIGHT x recurrent weights)
   i.e. either it reads the whole training text at least twice, or (a corpus too large for that) it sees
   at least 4 words per recurrent weight (the bundled word models saw 4-6 and the reference recipe's
   one epoch of WikiText-2 3.3, each still improving). Larger sizes are slower, so the ladder is bisected
   (~3 probes), and the probing stops early rather than use more than PROBE_SHARE of the budget. With
   only a word budget, nothing is measured: the words are the budget.
   A size is also too large when it has more recurrent weights per training word than MAX_WEIGHTS_PER_WORD
   (17.8, where the dropout rule below reaches its ceiling): it would not be regularised further.
4. Dropout: q = recurrent weights / words in the training text. A run that reads each word at most
   once has little to overfit: 0.1. Otherwise 0.35 + 0.2 log10(q), within [0.1, 0.6] (fits the published
   recipes: 2x200 on WikiText-2 q~0.3 -> 0.2, 2x650 on PTB q~7 -> 0.5, 2x1500 q~40 -> 0.65), phased in
   over the first few passes (0.1 at one pass, the full value from 4), since overfitting needs repetition.
5. Optimiser: Adam, lr 0.003, cosine decay to 0 over the budget (the bundled word models' recipe); the
   time the probe took comes off `--max-minutes`, so the whole command keeps to the budget.

Plain functions of numbers (the arithmetic of sizes and dropout in `sizing`), plus `measure_words_per_s`
(the probe, torch, in `probe`) that the CLI hands in: tests give a fake throughput and check the choices
exactly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from lstmlm.training.sizing import (  # noqa: F401  (re-exported: the rule's numbers and steps, by name)
    GATES,
    MAX_DROPOUT,
    MAX_EMBED,
    MIN_PASSES,
    NUM_LAYERS,
    WORDS_PER_WEIGHT,
    choose_dropout,
    model_candidate,
    recurrent_weights,
    words_needed,
)

MIN_COUNT = 3  # keep words seen at least this often in the training text (WikiText-2's rule)
MAX_VOCAB = 50_000  # and at most this many (<eos> and <unk> included)
HIDDEN_LADDER = (64, 128, 192, 256, 384, 512, 768, 1024)  # candidate units per layer, smallest first
# no more recurrent weights per training word than where the dropout rule reaches MAX_DROPOUT (17.8):
# beyond it a larger model is not regularised any further, only slower
MAX_WEIGHTS_PER_WORD = 10 ** ((MAX_DROPOUT - 0.35) / 0.2)
PROBE_SHARE = 0.05  # stop probing larger sizes once the probe has used this share of the time budget
EVAL_COST = 1 / 3  # a validation word costs about a third of a training word (forward only)
LR = 0.003  # Adam's peak learning rate


@dataclass
class Plan:
    """The settings chosen (only those the person did not give) and why."""

    model: dict = field(default_factory=dict)  # ModelConfig fields
    train: dict = field(default_factory=dict)  # TrainConfig fields
    reasons: dict = field(default_factory=dict)  # setting -> why (one sentence)
    measured: dict = field(default_factory=dict)  # hidden_dim -> words/s the probe measured
    probe_seconds: float = 0.0

    def record(self) -> dict:
        """What config.json keeps under training.auto_choices: each setting's value and reason."""
        values = {**self.model, **self.train}
        out = {k: {"value": _json(v), "reason": self.reasons[k]} for k, v in values.items()}
        if self.measured:
            out["probe"] = {
                "words_per_s": {str(h): round(r) for h, r in self.measured.items()},
                "seconds": round(self.probe_seconds, 1),
            }
        return out

    def lines(self) -> list[str]:
        """One log line per choice: `auto: --hidden-dim 256 (reason)`."""
        values = {**self.model, **self.train}
        return [f"auto: --{k.replace('_', '-')} {_show(v)} ({self.reasons[k]})" for k, v in values.items()]


def _json(value):
    return list(value) if isinstance(value, tuple) else value


def _show(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list)):
        return " ".join(map(str, value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def vocabulary_cap(counts: torch.Tensor, specials: int = 2, unit: str = "word") -> tuple[int, str]:
    """(max_vocab, reason) for a vocabulary whose words occur `counts` times (1-D, one entry per word),
    plus `specials` always-kept entries (<eos>, <unk>) not counted as frequent. 0 = keep every word.
    `unit` ("word" or "character") is what one token is, as the reason says it."""
    frequent = int((counts >= MIN_COUNT).sum())
    cap = min(frequent + specials, MAX_VOCAB)
    if cap >= counts.numel():
        return 0, f"every one of the {counts.numel():,} training {unit}s occurs at least {MIN_COUNT} times"
    if cap == MAX_VOCAB and frequent + specials > MAX_VOCAB:
        return cap, f"{frequent:,} {unit}s occur {MIN_COUNT}+ times; capped at {MAX_VOCAB:,}"
    return cap, (
        f"the {frequent:,} of {counts.numel():,} training {unit}s seen at least {MIN_COUNT} times "
        "(rarer ones read as <unk>, as in WikiText-2)"
    )


def plan_training(
    train_words: int,
    valid_words: int,
    vocab_size: int,
    max_minutes: float,
    max_words: int,
    given: dict,
    measure: Callable[[dict], float] | None = None,
    clock: Callable[[], float] = time.monotonic,
    unit: str = "word",
) -> Plan:
    """Choose the settings not in `given` (name -> value given by the person) for a run on `train_words`
    training tokens (valid_words validated each pass) within `max_minutes` and/or `max_words` (0 = none;
    one must be set). `measure(model_settings)` -> words/s of one training step at that size (the probe;
    needed with a time budget). `unit` ("word" or "character"): one token, as the reasons say it.
    Raises ValueError without a budget or a probe for a time budget."""
    if max_minutes <= 0 and max_words <= 0:
        raise ValueError("the automatic settings need a budget: --max-minutes or --max-words")
    if max_minutes > 0 and measure is None:
        raise ValueError("a time budget needs a throughput probe")
    plan = Plan()
    start = clock()
    # share of the training time spent on training steps rather than validations
    train_share = train_words / (train_words + EVAL_COST * valid_words)
    sizer = Sizer(plan, given, vocab_size, max_minutes, max_words, train_share, measure, clock, start, unit)
    hidden, settings, reasons, words, weights = choose_size(sizer, train_words)
    plan.model = settings
    plan.reasons.update(reasons)
    if "dropout" not in given:
        plan.model["dropout"], plan.reasons["dropout"] = choose_dropout(weights, train_words, words, unit)
    for name, value, reason in (
        ("optimizer", "adam", "Adam: fast progress in a short budget"),
        ("lr", LR, "Adam's peak, as the bundled word models"),
        ("schedule", "cosine", f"decays to 0 over the budget (time or {unit}s, whichever ends first)"),
    ):
        if name not in given:
            plan.train[name], plan.reasons[name] = value, reason
    plan.probe_seconds = clock() - start
    if max_minutes > 0 and plan.measured:
        # (at least half the budget is left for training, however slow the probe was)
        plan.train["max_minutes"] = max(max_minutes - plan.probe_seconds / 60, max_minutes / 2)
        plan.reasons["max_minutes"] = f"the budget less the {plan.probe_seconds:.1f} s the probe took"
    return plan


@dataclass
class Sizer:
    """What choosing a size needs from one candidate to the next: the budget, the probe and its clock."""

    plan: Plan  # its `measured` fills as sizes are probed
    given: dict
    vocab_size: int
    max_minutes: float
    max_words: int
    train_share: float  # of the training time spent on training steps rather than validations
    measure: Callable[[dict], float] | None
    clock: Callable[[], float]
    start: float  # the clock when planning began
    unit: str = "word"  # one token: "word" or "character" (the reasons say it)

    @property
    def ladder(self) -> tuple[int, ...]:
        return (self.given["hidden_dim"],) if "hidden_dim" in self.given else HIDDEN_LADDER

    def words_for(self, settings: dict) -> float:
        """The words a model of these settings reads in the budget (the probe measures its words/s)."""
        words = float(self.max_words) if self.max_words > 0 else math.inf
        if self.max_minutes > 0:
            rate = self.measure(settings)
            self.plan.measured[settings["hidden_dim"]] = rate
            seconds_left = max(self.max_minutes * 60 - (self.clock() - self.start), 0.0)
            words = min(words, rate * seconds_left * self.train_share)
        return words

    def candidate(self, hidden: int) -> tuple[dict, dict, dict, int]:
        """(settings, reasons, all model settings, recurrent weights) of one size."""
        settings, reasons = model_candidate(hidden, self.vocab_size, self.given, self.unit)
        full = {**self.given, **settings, "hidden_dim": hidden, "vocab_size": self.vocab_size}
        cell = full.get("cell", "lstm")
        return settings, reasons, full, recurrent_weights(full["embed_dim"], hidden, full["num_layers"], cell)


def choose_size(sizer: Sizer, train_words: int) -> tuple[int, dict, dict, float, int]:
    """(hidden, settings, reasons, words, weights) of the largest size that reads enough in the budget,
    else the smallest; reasons["hidden_dim"] says why (when the size was not given)."""
    ladder = sizer.ladder
    # sizes with more weights per training word than dropout regularises are not even measured
    top = len(ladder) - 1
    while top > 0 and sizer.candidate(ladder[top])[3] > MAX_WEIGHTS_PER_WORD * train_words:
        top -= 1
    why_not_larger = f"the largest size tried ({ladder[top]})"
    if top < len(ladder) - 1:
        why_not_larger = (
            f"{ladder[top + 1]} units would have over {MAX_WEIGHTS_PER_WORD:.1f} recurrent weights per "
            f"training {sizer.unit}, more than dropout {MAX_DROPOUT:g} regularises"
        )
    chosen, smallest, why_not_larger = bisect_ladder(sizer, top, train_words, why_not_larger)
    fits = chosen is not None
    if chosen is None:  # even the smallest size measured reads too few: the smallest size
        if smallest is None:
            settings, reasons, full, weights = sizer.candidate(ladder[0])
            smallest = (ladder[0], settings, reasons, sizer.words_for(full), weights)
        chosen = smallest
    hidden, settings, reasons, words, weights = chosen
    need = words_needed(train_words, weights)
    # the smallest size measured only after the bisection stopped early may read enough after all
    fits = fits or words >= need
    if "hidden_dim" not in sizer.given:
        measured, unit = sizer.plan.measured, sizer.unit
        how = f"{measured[hidden]:,.0f} {unit}s/s measured, " if hidden in measured else ""
        settings["hidden_dim"] = hidden
        reasons["hidden_dim"] = (
            f"{how}{words / 1e6:.2f} M {unit}s in the budget ({words / max(train_words, 1):.1f} passes) >= "
            f"the {need / 1e6:.2f} M it needs (min of {MIN_PASSES:g} passes, {WORDS_PER_WEIGHT:g} {unit}s "
            f"per weight); {why_not_larger}"
            if fits
            else f"the smallest size; even it reads only {words / 1e6:.2f} M {unit}s of the "
            f"{need / 1e6:.2f} M it would need"
        )
    return chosen


def bisect_ladder(sizer: Sizer, top: int, train_words: int, why_not_larger: str) -> tuple:
    """Bisect the ladder up to `top` (words read fall as the size grows): the largest size that reads
    enough, in ~3 probes rather than one per size; stop early when the probe would outgrow its share of
    the budget. Returns (chosen, smallest, why_not_larger); chosen/smallest: (hidden, settings, reasons,
    words, weights) or None."""
    ladder, clock = sizer.ladder, sizer.clock
    low, high, chosen, smallest = 0, top, None, None
    probe_limit = PROBE_SHARE * sizer.max_minutes * 60
    while low <= high:
        mid = (low + high) // 2
        settings, reasons, full, weights = sizer.candidate(ladder[mid])
        probe_start = clock()
        words = sizer.words_for(full)
        entry = (ladder[mid], settings, reasons, words, weights)
        if mid == 0:
            smallest = entry
        if words >= words_needed(train_words, weights):
            chosen, low = entry, mid + 1
        else:
            why_not_larger, high = f"{ladder[mid]} units would read too few", mid - 1
        spent = clock() - sizer.start
        if low <= high and sizer.max_minutes > 0 and spent + 2 * (clock() - probe_start) > probe_limit:
            why_not_larger = f"larger sizes not probed (the probe keeps to {PROBE_SHARE:.0%} of the budget)"
            break
    return chosen, smallest, why_not_larger


def auto_vocabulary(build: Callable[[int], object], unit: str = "word") -> tuple[object, int, str]:
    """(corpus, max_vocab, reason): `build(max_vocab)` reads the corpus (0 = every word); it is read once
    uncapped to count its words, and again with the cap when one applies (the same vocabulary, to the
    word, as `--max-vocab` with that number gives)."""
    corpus = build(0)
    counts = torch.bincount(corpus.train, minlength=len(corpus.vocab))
    # <eos> and <unk> are always kept: count them as frequent whatever their counts
    for special in (corpus.vocab.eos_id, corpus.vocab.unk_id):
        if special is not None:
            counts[special] = MIN_COUNT
    cap, reason = vocabulary_cap(counts, specials=0, unit=unit)
    return (build(cap) if cap else corpus), cap, reason
