"""What the Generate view shows: a continuation sampled word by word with temperature / top-k / top-p
and a seed, and for any generated word its distribution before and after each reshaping stage (no gradio).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass

import torch

from lstmlm.model import LanguageModel
from lstmlm.prompt import Prompt
from lstmlm.safewords import blocked_ids
from lstmlm.sampling import (
    GeneratedWord,
    check_settings,
    entropy_bits,
    generate,
    heading_ids,
    make_generator,
    reshape,
)
from playground.display import display_word
from playground.text import words_in
from playground.views.next_word import line_start, next_log_probs, prompt_states

MAX_GENERATE_WORDS = 200  # longest continuation one request may ask for (words)
MAX_GENERATE_CHARS = 500  # ... of a character model (characters)


def generate_limit(model: LanguageModel) -> int:
    """The most steps one request may generate: 200 words, or 500 characters for a character model."""
    return MAX_GENERATE_CHARS if model.vocab.tokenizer.unit == "character" else MAX_GENERATE_WORDS


@dataclass
class GenerationSettings:
    """The Generate view's sliders (defaults are the view's defaults)."""

    temperature: float = 0.8  # < 1 sharpens the distribution, > 1 flattens it, 0 = always the top word
    top_k: int = 40  # sample among the 40 most likely words only (0 = no limit)
    top_p: float = 0.95  # ...and among the fewest words that cover 95% of the probability (1 = no limit)
    max_words: int = 30  # words to generate
    seed: int = 0  # same seed + same settings = same text
    allow_unk: bool = False  # let the sampler draw <unk> ("a rare word"); off: never, the rest renormalized
    allow_headings: bool = False  # show WikiText's "= = Plot = =" heading lines (off: generated hidden)

    def check(self, limit: int = MAX_GENERATE_WORDS) -> None:
        """Raise ValueError with a message saying what to change; `limit` is the most steps allowed
        (`generate_limit`: a character model may generate 500 characters)."""
        check_settings(self.temperature, self.top_k, self.top_p)
        unit = "characters" if limit == MAX_GENERATE_CHARS else "words"
        if isinstance(self.max_words, bool) or not isinstance(self.max_words, int):
            raise ValueError(f"number of {unit} must be a whole number, got {self.max_words}")
        if not 1 <= self.max_words <= limit:
            raise ValueError(f"number of {unit} must be between 1 and {limit}, got {self.max_words}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"seed must be a whole number, got {self.seed}")
        if not isinstance(self.allow_unk, bool):
            raise ValueError(f"allow_unk must be true or false, got {self.allow_unk!r}")

    def to_dict(self) -> dict:
        return asdict(self)


def coerce_settings(
    temperature, top_k, top_p, max_words, seed, allow_unk=False, limit: int = MAX_GENERATE_WORDS
) -> GenerationSettings:
    """Settings from UI/API values (whole-number floats become ints); checked against `limit` steps,
    ValueError if unusable."""

    def whole(x):
        return int(x) if isinstance(x, float) and x.is_integer() else x

    s = GenerationSettings(
        float(temperature) if isinstance(temperature, int) else temperature,
        whole(top_k),
        float(top_p) if isinstance(top_p, int) else top_p,
        whole(max_words),
        whole(seed),
        bool(allow_unk) if allow_unk in (0, 1, None) else allow_unk,
    )
    s.check(limit)
    return s


def generate_words(
    model: LanguageModel, prompt: Prompt, settings: GenerationSettings
) -> Iterator[GeneratedWord]:
    """Stream the continuation of a prompt, word by word, with a private generator seeded by `settings`.
    The prompt's state comes from `prompt_states` (the same numbers as reading it from a line start).
    Heading lines, unless `settings.allow_headings`, are generated hidden (`sampling.generate`): a word's
    context is the prompt, then each earlier word's `hidden` ids and the word, then its own `hidden`."""
    settings.check(generate_limit(model))
    state = prompt_states(model).read(prompt.ids)[1] if prompt.ids else line_start(model)
    yield from generate(
        model,
        [],  # the prompt is already read into `state`
        settings.max_words,
        settings.temperature,
        settings.top_k,
        settings.top_p,
        generator=make_generator(settings.seed),
        state=state,
        allow_unk=settings.allow_unk,
        allow_headings=settings.allow_headings,
        starts_line=not prompt.ids or prompt.ids[-1] == model.vocab.eos_id,
    )


def word_context(prompt_ids: Sequence[int], words: Sequence[GeneratedWord | dict], step: int) -> list[int]:
    """The ids the model had read when it drew generated word `step` (1-based): the prompt, every earlier
    word after its hidden ids (a heading line generated hidden, `generate_words`), then the word's own."""

    def get(w, key):
        return getattr(w, key) if isinstance(w, GeneratedWord) else w.get(key, ())

    context = list(prompt_ids)
    for w in words[: step - 1]:
        context += [*get(w, "hidden"), get(w, "id")]
    return context + list(get(words[step - 1], "hidden"))


@dataclass
class Reshaping:
    """One generated step's distribution before and after each reshaping stage, for the most likely words."""

    words: list[str]  # the most likely words, most likely first (plus the sampled word if it ranked lower)
    model: list[float]  # their probability under the model (temperature 1, no cut)
    tempered: list[float]  # after temperature
    final: list[float]  # after temperature, top-k and top-p: what was sampled from
    chosen: int  # index in `words` of the word that was sampled (-1 if none)
    kept_after_top_k: int  # words with any probability left after temperature + top-k
    kept_final: int  # ... and after top-p
    vocab_size: int
    entropy_model_bits: float
    entropy_final_bits: float


def reshaping_at(
    model: LanguageModel,
    context_ids: Sequence[int],
    settings: GenerationSettings,
    chosen_id: int | None = None,
    n: int = 12,
) -> Reshaping:
    """The distribution after `context_ids` through each stage of `settings` (temperature, top-k, top-p)."""
    check_settings(settings.temperature, settings.top_k, settings.top_p)
    log_probs = next_log_probs(model, context_ids)
    t = settings.temperature
    blocked = blocked_ids(model.vocab, settings.allow_unk)  # masked as in generation: 0 after every stage
    inside_a_line = bool(context_ids) and context_ids[-1] != model.vocab.eos_id
    if not settings.allow_headings and inside_a_line:  # "=" may start a (hidden) heading line, not go in one
        blocked = sorted(set(blocked) | set(heading_ids(model.vocab)))
    tempered = reshape(log_probs, t, 0, 1.0, blocked)
    after_k = reshape(log_probs, t, settings.top_k, 1.0, blocked)
    final = reshape(log_probs, t, settings.top_k, settings.top_p, blocked)
    ids = log_probs.topk(min(n, log_probs.numel())).indices.tolist()
    if chosen_id is not None and chosen_id not in ids:
        ids.append(int(chosen_id))
    probs = log_probs.exp()

    def entropy_of(p: torch.Tensor) -> float:
        return entropy_bits(torch.log(p))

    return Reshaping(
        words=[display_word(w, unit=model.vocab.tokenizer.unit) for w in model.vocab.decode(ids)],
        model=[float(probs[i]) for i in ids],
        tempered=[float(tempered[i]) for i in ids],
        final=[float(final[i]) for i in ids],
        chosen=ids.index(int(chosen_id)) if chosen_id is not None else -1,
        kept_after_top_k=int((after_k > 0).sum()),
        kept_final=int((final > 0).sum()),
        vocab_size=log_probs.numel(),
        entropy_model_bits=entropy_bits(log_probs),
        entropy_final_bits=entropy_of(final),
    )


def reshaping_summary(
    r: Reshaping, settings: GenerationSettings, lang: str = "en", unit: str = "word"
) -> str:
    """One plain sentence per stage, saying what each slider did at this step (in `lang`: 'en' or 'zh'),
    counting the tokenizer's `unit` ('word' or 'character')."""
    t = settings.temperature
    u = {"unit": words_in(lang, f"unit.{unit}")}
    if t == 0:
        temp = words_in(lang, "gen.temp0", **u)
    elif t != 1:
        temp = words_in(lang, "gen.temp_low" if t < 1 else "gen.temp_high", t=f"{t:g}", **u)
    else:
        temp = words_in(lang, "gen.temp1")
    k = (
        words_in(
            lang,
            "gen.top_k_kept",
            k=settings.top_k,
            kept=f"{r.kept_after_top_k:,}",
            total=f"{r.vocab_size:,}",
            **u,
        )
        if settings.top_k
        else words_in(lang, "gen.top_k_off", **u)
    )
    p = (
        words_in(lang, "gen.top_p_kept", p=f"{settings.top_p:g}", kept=f"{r.kept_final:,}",
                 share=f"{settings.top_p:.0%}", **u)
        if settings.top_p < 1
        else words_in(lang, "gen.top_p_off")
    )  # fmt: skip
    after = (
        words_in(lang, "gen.one_left", **u)
        if r.kept_final == 1
        else words_in(lang, "gen.bits", bits=f"{r.entropy_final_bits:.1f}")
    )
    uncertainty = words_in(lang, "gen.uncertainty", before=f"{r.entropy_model_bits:.1f}", after=after)
    return ("" if lang == "zh" else " ").join([temp, k, p, uncertainty])
