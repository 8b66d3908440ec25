"""Streaming generation: the one generation loop, drawing each word from the reshaped distribution, and the
hiding of WikiText's heading lines. The distributions themselves (the settings' checks, masking, reshaping,
top words, entropy) are in `lstmlm.distributions`, and importable from here too (the old import path).

Every call that draws at random takes its own `torch.Generator` (or a seed): no global random state,
so the same seed always gives the same text, whatever else runs in the process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import torch

# the distributions live in distributions.py; imported from here too (old import path)
from lstmlm.distributions import (  # noqa: F401
    MAX_TOP_K_SHOWN,
    NOTHING_LEFT,
    NextWords,
    check_settings,
    entropy_bits,
    mask_words,
    reshape,
    top_words,
)
from lstmlm.messages import Message
from lstmlm.model import LanguageModel, State
from lstmlm.safewords import blocked_ids

# advance and start_state live in stepping.py (the model's steps); imported from here too (old import path)
from lstmlm.stepping import advance, read_ids, start_state, top_h
from lstmlm.vocab import Vocab


def make_generator(seed: int | None) -> torch.Generator:
    """A private CPU generator; any integer seed works (taken modulo 2**63); None = a fresh random seed."""
    g = torch.Generator()
    if seed is None:
        g.seed()  # seeds this generator only (torch.seed() would reseed the global one)
    else:
        g.manual_seed(int(seed) % (2**63))
    return g


@dataclass
class GeneratedWord:
    """One sampled word: its probability under the model, its rank there (1 = most likely), and the
    probability it had in the reshaped sampling distribution."""

    step: int
    word: str
    id: int
    prob: float
    rank: int
    sampled_prob: float
    # ids read, not shown, right before this word: a heading line and the blank line after it
    # (`generate(allow_headings=False)`); the word's prob and rank are the model's after them
    hidden: tuple[int, ...] = ()


# How the generation loop feeds words: (ids, state, position of ids[0], counted from the prompt's first word)
# -> (log-probabilities after the last id (V,), the new state). Plain generation uses `advance`; Intervene
# passes a traced step with its interventions (lstmlm.studies.intervene.generate_with_interventions).
Step = Callable[[Sequence[int], State, int], tuple[torch.Tensor, State]]


HEADING_MARK = "="  # WikiText's heading lines are " = Title = " and " = = Section = = "
MAX_HIDDEN = 200  # hidden ids in a row (heading and blank lines) that end the generation (WikiText's longest
# heading line has 34 tokens)


def heading_ids(vocab: Vocab | None) -> list[int]:
    """The ids that start and end WikiText's heading lines (HEADING_MARK), if the vocabulary has them."""
    return [vocab.index[HEADING_MARK]] if vocab is not None and HEADING_MARK in vocab else []


def generate(
    model: LanguageModel,
    prompt_ids: Sequence[int],
    max_words: int = 30,
    temperature: float = 1.0,
    top_k: int = 0,
    top_p: float = 1.0,
    generator: torch.Generator | None = None,
    stop_at_eos: bool = False,
    state: State | None = None,
    allow_unk: bool = False,
    fast: bool = True,
    allow_headings: bool = True,
    step: Step | None = None,
    starts_line: bool | None = None,
) -> Iterator[GeneratedWord]:
    """Stream new words after the prompt; each costs one step, however long the prompt was.

    Never draws a word on the classroom list (unless the process shows all words, `lstmlm.safewords`)
    nor, unless `allow_unk`, `<unk>`: their probability is set to 0 and the rest renormalized.
    `fast` (CPU): `fast_sampling.generate_fast`, which computes an adaptive softmax's tail clusters only
    when a setting needs them (its docstring says where that is exact); False: the whole row every word
    (an adaptive softmax at temperature 1 with no cut is then drawn in the fast path's two stages,
    `fast_sampling.EagerTwoStage`, so both give the same words for the same seed).
    `step` feeds the words in place of `advance` (see `Step`; it turns `fast` off).

    `allow_headings=False` shows no WikiText heading line ("= = Plot = ="), exactly: HEADING_MARK is never
    drawn inside a line; at a line start it may be drawn, and then that line (to the line break that ends
    it) and the blank lines right after it are generated as usual but hidden: read into the model, not
    yielded, and listed in the next yielded word's `hidden`. So the words yielded are the model's own sample
    (same settings) with its heading lines cut out, and each word's prob and rank are the model's after
    everything drawn before it, hidden words included. Blocking the mark at line starts instead would leave
    the rest of the heading (a few title words on a line of their own) to be generated without its marks.
    `max_words` counts yielded words; more than MAX_HIDDEN hidden ids in a row end the generation.
    `starts_line`: whether the first new word begins a line (None: after an empty prompt, or a prompt
    that ends with a line break; pass it when the prompt was read into `state`)."""
    check_settings(temperature, top_k, top_p)  # here, not in the iterator, so bad settings fail at the call
    if max_words < 0:
        raise ValueError(Message("sampling.max_words", "max_words must be >= 0, got {n}", n=max_words))
    vocab = getattr(model, "vocab", None)
    blocked = blocked_ids(vocab, allow_unk)
    marks = [] if allow_headings else heading_ids(vocab)
    if not marks:
        settings = (temperature, top_k, top_p, generator, stop_at_eos, state, blocked)
        return _generate(model, prompt_ids, max_words, *settings, fast, step)
    eos = vocab.eos_id
    if starts_line is None:
        starts_line = not len(prompt_ids) or prompt_ids[-1] == eos
    rule = LineOpeners(sorted(set(blocked) - set(marks)), marks, eos, starts_line)
    settings = (temperature, top_k, top_p, generator, False, state, rule)
    # every drawn word, shown or hidden, is one step of the inner loop: room for the hidden ones
    drawn = _generate(model, prompt_ids, max_words * (MAX_HIDDEN + 1), *settings, fast, step)
    return _without_headings(drawn, max_words, marks[0], eos, stop_at_eos)


@dataclass
class LineOpeners:
    """Ids drawn only at the start of a line and then anywhere in the line they opened (WikiText's heading
    mark: " = = Plot = = "), besides the ids never drawn. Follows one generation: `after` each drawn id."""

    never: list[int]  # ids never drawn
    openers: list[int]  # ids drawn only at a line start, or inside a line one of them opened
    eos: int  # the line break
    at_line_start: bool  # whether the next word starts a line

    def __post_init__(self) -> None:
        self.closed = sorted(set(self.never) | set(self.openers))  # blocked in other lines
        self.in_opened = False  # inside a line an opener began

    def blocked(self) -> list[int]:
        """The ids the next word may not be."""
        return self.never if self.at_line_start or self.in_opened else self.closed

    def after(self, word_id: int) -> None:
        """Note the word drawn."""
        if word_id == self.eos:
            self.at_line_start, self.in_opened = True, False
        else:
            self.in_opened = self.in_opened or (self.at_line_start and word_id in self.openers)
            self.at_line_start = False


def _without_headings(
    drawn: Iterator[GeneratedWord], max_words: int, mark: int, eos: int, stop_at_eos: bool
) -> Iterator[GeneratedWord]:
    """The drawn words less each heading line (from HEADING_MARK, which is drawn at line starts only, to its
    line break) and the blank lines after it; the hidden ids go into the next shown word's `hidden`, and
    `step` counts shown words."""
    shown, hidden, in_heading = 0, [], False
    if max_words == 0:
        return
    for gw in drawn:
        blank_after_heading = hidden and not in_heading and gw.id == eos
        if in_heading or gw.id == mark or blank_after_heading:
            hidden.append(gw.id)
            in_heading = gw.id != eos  # the heading's line break ends it
            if len(hidden) > MAX_HIDDEN:
                return
            continue
        gw.step, gw.hidden, hidden = shown, tuple(hidden), []
        yield gw
        shown += 1
        if shown == max_words or (stop_at_eos and gw.id == eos):
            return


@torch.no_grad()
def _generate(
    model, prompt_ids, max_words, temperature, top_k, top_p, generator, stop_at_eos, state, blocked, fast,
    step,
):  # fmt: skip
    """`blocked`: the ids never drawn, or a `LineOpeners` that says them word by word."""
    model.eval()
    generator = generator or make_generator(None)
    state = state if state is not None else start_state(model)
    if fast and step is None and model.embedding.weight.device.type == "cpu":
        from lstmlm.fast_sampling import generate_fast  # imported here: fast_sampling builds on this module

        settings = (temperature, top_k, top_p, generator, stop_at_eos, state, blocked)
        yield from generate_fast(model, prompt_ids, max_words, *settings)
        return
    eager = None
    if step is None:
        from lstmlm.fast_sampling import EagerTwoStage

        # an adaptive softmax at temperature 1 is drawn in two stages, as the fast path does: from the top
        # layer's output, so the step does not compute the whole row
        eager = EagerTwoStage.of(model, temperature, top_k, top_p)
        if eager is None:
            step = lambda ids, state, position: advance(model, ids, state)  # noqa: E731
        else:
            step = lambda ids, state, position: (None, read_ids(model, ids, state)[1])  # noqa: E731
    if len(prompt_ids):
        log_probs, state = step(prompt_ids, state, 0)
    elif eager is None:  # an empty prompt starts a new line
        log_probs = model.log_probs(top_h(state))
    eos = model.vocab.eos_id if getattr(model, "vocab", None) is not None else None
    rule = blocked if isinstance(blocked, LineOpeners) else None
    for n in range(max_words):
        ids = rule.blocked() if rule else blocked
        if eager is not None:
            gw = eager.pick(top_h(state)[None], n, generator, ids)
        else:
            gw = pick_word(
                log_probs, n, temperature, top_k, top_p, generator, getattr(model, "vocab", None), ids
            )
        yield gw
        if stop_at_eos and gw.id == eos:
            return
        if rule:
            rule.after(gw.id)
        log_probs, state = step([gw.id], state, len(prompt_ids) + n)


def pick_word(
    log_probs: torch.Tensor,
    step: int,
    temperature: float,
    top_k: int,
    top_p: float,
    generator: torch.Generator,
    vocab: Vocab | None,
    blocked: Sequence[int] = (),
) -> GeneratedWord:
    """Draw the next word from (V,) log-probabilities reshaped by the settings (temperature 0: the argmax),
    never one of the `blocked` ids; `prob` and `rank` are the model's own (before masking and reshaping)."""
    probs = reshape(log_probs, temperature, top_k, top_p, blocked)
    word_id = draw(probs, generator) if temperature else int(probs.argmax())
    lp = log_probs[word_id]
    rank = int((log_probs > lp).sum()) + 1
    word = vocab.words[word_id] if vocab is not None else str(word_id)
    return GeneratedWord(step, word, word_id, float(lp.exp()), rank, float(probs[word_id]))


def draw(probs: torch.Tensor, generator: torch.Generator) -> int:
    """One id drawn from probs (V,): the first whose cumulative probability exceeds u ~ U[0, total).
    (torch.multinomial draws V exponentials for one sample: ~15x slower for 33,278 words.)"""
    cdf = probs.detach().cpu().double().cumsum(0)  # words with probability 0 add no step: never drawn
    u = torch.rand((), dtype=torch.float64, generator=generator) * cdf[-1]
    return min(int(torch.searchsorted(cdf, u, right=True)), probs.numel() - 1)
