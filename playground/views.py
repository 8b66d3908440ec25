"""What the Next-word and Generate views show, computed from the model (no gradio here: all of it is
testable without a browser, and the API endpoints return the same numbers the tabs draw).

Every view reads a prompt the same way (`read_prompt`): tokenized the WikiText way, then capped to the
last MAX_PROMPT_WORDS words, and fed from `start_state` (the state after a line break).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass

import torch

from lstmlm.model import LanguageModel, State
from lstmlm.sampling import (
    GeneratedWord,
    NextWords,
    advance,
    check_settings,
    entropy_bits,
    generate,
    make_generator,
    reshape,
    start_state,
    top_words,
)
from lstmlm.vocab import EOS, Vocab, detokenize, tokenize

MAX_PROMPT_WORDS = 300  # the model reads at most the last 300 words of a prompt; a notice says so
MAX_PROMPT_CHARS = 30_000  # only the last 30k characters are tokenized, so a pasted book stays fast
MAX_GENERATE_WORDS = 200  # longest continuation one request may ask for
MAX_TOP_K_SHOWN = 30  # most bars the next-word chart shows
DEFAULT_PROMPT = "The game was released in"

# How tokens that are not plain words look on screen (charts, chips, buttons).
_JOINED = {"@-@": "-", "@,@": ",", "@.@": "."}  # WikiText number and hyphen escapes
_DISPLAY = {EOS: "↵", **_JOINED}


def display_word(token: str) -> str:
    """A token as a person reads it: '↵' for a line break, '-' for WikiText's '@-@'."""
    return _DISPLAY.get(token, token)


@dataclass
class Prompt:
    """A prompt as the model reads it; `cut` says earlier words were left out (see `notice`)."""

    tokens: list[str]
    ids: list[int]
    unknown: list[int]  # positions in `tokens` the vocabulary lacks (read as <unk>)
    cut: bool = False

    @property
    def notice(self) -> str:
        if not self.cut:
            return ""
        return (
            f"Your text is long: the model reads only its last {len(self.tokens)} words "
            f"(the limit is {MAX_PROMPT_WORDS})."
        )


def read_prompt(vocab: Vocab, text: str | None, max_words: int = MAX_PROMPT_WORDS) -> Prompt:
    """Tokenize `text` and keep its last `max_words` words."""
    text = text or ""
    cut_chars = len(text) > MAX_PROMPT_CHARS
    if cut_chars:
        text = text[-MAX_PROMPT_CHARS:]
    enc = vocab.encode_text(text)
    start = max(0, len(enc.tokens) - max_words)
    if cut_chars and start == 0 and len(enc.tokens) > 1:
        start = 1  # the first token may be half a word
    return Prompt(
        tokens=enc.tokens[start:],
        ids=enc.ids[start:],
        unknown=[p - start for p in enc.unknown if p >= start],
        cut=cut_chars or start > 0,
    )


_LINE_START: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> its start_state


def line_start(model: LanguageModel) -> State:
    """`start_state(model)` (the state after a line break), computed once per model: every view starts
    there. The model is read-only, so its start state is too; nothing writes into these tensors."""
    state = _LINE_START.get(model)
    if state is None:
        state = _LINE_START[model] = start_state(model)
    return state


@torch.no_grad()
def next_log_probs(model: LanguageModel, ids: Sequence[int]) -> torch.Tensor:
    """Log-probabilities (V,) of the word after `ids`, read from the start of a line."""
    state = line_start(model)
    if len(ids):
        return advance(model, ids, state)[0]
    h = state[0] if isinstance(state, tuple) else state  # (L, 1, H): an empty prompt is a line start
    return model.log_probs(h[-1, 0])


def predict_next(model: LanguageModel, prompt: Prompt, k: int = 10) -> NextWords:
    """The k most likely next words after the prompt, and the entropy of the whole distribution."""
    k = max(1, min(int(k), MAX_TOP_K_SHOWN))
    return top_words(next_log_probs(model, prompt.ids), model.vocab, k)


def next_words_json(model: LanguageModel, text: str, k: int = 10) -> dict:
    """What the `next_words` endpoint returns: the prompt's tokens and the top-k next words."""
    prompt = read_prompt(model.vocab, text)
    nxt = predict_next(model, prompt, k)
    return {
        "tokens": prompt.tokens,
        "unknown": prompt.unknown,
        "words": nxt.words,
        "probs": [round(p, 6) for p in nxt.probs],
        "entropy_bits": round(nxt.entropy_bits, 4),
        "notice": prompt.notice,
    }


def append_words(text: str, words: Sequence[str]) -> str:
    """`text` followed by WikiText tokens, spaced as detokenize would space them; `text` itself is kept."""
    if not words:
        return text
    tokens = tokenize(text)
    before, after = detokenize(tokens), detokenize([*tokens, *words])
    suffix = after[len(before) :] if after.startswith(before) else " " + detokenize(words)
    if not text or text[-1].isspace():
        suffix = suffix.lstrip(" ")
    return text + suffix


def spaced_pieces(tokens: Sequence[str]) -> list[tuple[str, str]]:
    """(space before, text) for each token, so that joining them gives `detokenize(tokens)`."""
    out = detokenize(tokens)  # one pass; then find each token's text in it (tokens hold no spaces)
    pieces, pos = [], 0
    for tok in tokens:
        text = "\n" if tok == EOS else _JOINED.get(tok, tok)
        space_end = pos
        while space_end < len(out) and out[space_end] == " ":
            space_end += 1
        if out.startswith(text, space_end):
            pieces.append((out[pos:space_end], text))
            pos = space_end + len(text)
        else:  # not expected; keep going with plain spacing
            pieces.append((" ", text))
    return pieces


# ---------------------------------------------------------------------------------------------
# Generation and the reshaping view
# ---------------------------------------------------------------------------------------------


@dataclass
class GenerationSettings:
    """The Generate view's sliders (defaults are the view's defaults)."""

    temperature: float = 0.8  # < 1 sharpens the distribution, > 1 flattens it, 0 = always the top word
    top_k: int = 40  # sample among the 40 most likely words only (0 = no limit)
    top_p: float = 0.95  # ...and among the fewest words that cover 95% of the probability (1 = no limit)
    max_words: int = 30  # words to generate
    seed: int = 0  # same seed + same settings = same text

    def check(self) -> None:
        """Raise ValueError with a message saying what to change."""
        check_settings(self.temperature, self.top_k, self.top_p)
        if isinstance(self.max_words, bool) or not isinstance(self.max_words, int):
            raise ValueError(f"number of words must be a whole number, got {self.max_words}")
        if not 1 <= self.max_words <= MAX_GENERATE_WORDS:
            raise ValueError(
                f"number of words must be between 1 and {MAX_GENERATE_WORDS}, got {self.max_words}"
            )
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"seed must be a whole number, got {self.seed}")

    def to_dict(self) -> dict:
        return asdict(self)


def coerce_settings(temperature, top_k, top_p, max_words, seed) -> GenerationSettings:
    """Settings from UI/API values (whole-number floats become ints); checked, ValueError if unusable."""

    def whole(x):
        return int(x) if isinstance(x, float) and x.is_integer() else x

    s = GenerationSettings(
        float(temperature) if isinstance(temperature, int) else temperature,
        whole(top_k),
        float(top_p) if isinstance(top_p, int) else top_p,
        whole(max_words),
        whole(seed),
    )
    s.check()
    return s


def generate_words(
    model: LanguageModel, prompt: Prompt, settings: GenerationSettings
) -> Iterator[GeneratedWord]:
    """Stream the continuation of a prompt, word by word, with a private generator seeded by `settings`."""
    settings.check()
    yield from generate(
        model,
        prompt.ids,
        settings.max_words,
        settings.temperature,
        settings.top_k,
        settings.top_p,
        generator=make_generator(settings.seed),
        state=line_start(model),
    )


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
    tempered = reshape(log_probs, t, 0, 1.0)
    after_k = reshape(log_probs, t, settings.top_k, 1.0)
    final = reshape(log_probs, t, settings.top_k, settings.top_p)
    ids = log_probs.topk(min(n, log_probs.numel())).indices.tolist()
    if chosen_id is not None and chosen_id not in ids:
        ids.append(int(chosen_id))
    probs = log_probs.exp()

    def entropy_of(p: torch.Tensor) -> float:
        return entropy_bits(torch.log(p))

    return Reshaping(
        words=[display_word(w) for w in model.vocab.decode(ids)],
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


def reshaping_summary(r: Reshaping, settings: GenerationSettings) -> str:
    """One plain sentence per stage, saying what each slider did at this step."""
    t = settings.temperature
    if t == 0:
        temp = "Temperature 0: the most likely word is always chosen."
    elif t < 1:
        temp = f"Temperature {t:g} < 1 sharpened the distribution (likely words got likelier)."
    elif t > 1:
        temp = f"Temperature {t:g} > 1 flattened the distribution (unlikely words got likelier)."
    else:
        temp = "Temperature 1 left the distribution as the model made it."
    k = (
        f"Top-k {settings.top_k} kept {r.kept_after_top_k:,} of {r.vocab_size:,} words."
        if settings.top_k
        else "Top-k is off (0): no word was cut."
    )
    p = (
        f"Top-p {settings.top_p:g} kept the {r.kept_final:,} most likely of those, which cover "
        f"{settings.top_p:.0%} of the probability."
        if settings.top_p < 1
        else "Top-p is off (1)."
    )
    return " ".join(
        [temp, k, p, f"Uncertainty went from {r.entropy_model_bits:.1f} to {r.entropy_final_bits:.1f} bits."]
    )
