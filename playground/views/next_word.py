"""What the Next-word view shows, and how every view reads a prompt (no gradio here: all of it is
testable without a browser, and the API endpoints return the same numbers the tabs draw).

Every view reads a prompt the same way (`read_prompt`): cut by the model's tokenizer, then capped to the
last MAX_PROMPT_WORDS words, and fed from `start_state` (the state after a line break).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from lstmlm.model import LanguageModel, State
from lstmlm.prompt import PrefixStates
from lstmlm.safewords import HIDDEN_LABEL, hide_in_text
from lstmlm.sampling import NextWords, start_state, top_words
from lstmlm.tokenizers import WIKITEXT, Tokenizer
from lstmlm.vocab import EOS, UNK, Vocab

MAX_PROMPT_WORDS = 300  # the model reads at most the last 300 words of a prompt; a notice says so
MAX_PROMPT_CHARS = 30_000  # only the last 30k characters are tokenized, so a pasted book stays fast
MAX_TOP_K_SHOWN = 30  # most bars the next-word chart shows
DEFAULT_PROMPT = "The cat sat on the"

# How tokens that are not plain words look on screen (charts, chips, buttons).
RARE_LABEL = "a rare word"  # <unk>: the one output that stands for every word the model never learned
RARE_EXPLAINED = (
    "“a rare word” is <unk>: the model's stand-in for every word outside its vocabulary. It is not a word "
    "you can add, and Generate never draws it unless you tick “allow <unk>”."
)
_JOINED = {"@-@": "-", "@,@": ",", "@.@": "."}  # WikiText number and hyphen escapes
# a line break and a space (a character model's token; no word vocabulary has one) are drawn visibly
_DISPLAY = {EOS: "⏎", " ": "␣", UNK: RARE_LABEL, **_JOINED}


def display_word(token: str) -> str:
    """A token as a person reads it: '⏎' for a line break, '␣' for a space (a character model's), '-' for
    WikiText's '@-@', RARE_LABEL for <unk>, and HIDDEN_LABEL for a word on the classroom list (unless the
    server shows all words). The one place every view turns a vocabulary word into screen text."""
    return _DISPLAY.get(token) or hide_in_text(token)[0]


def is_choosable(token: str) -> bool:
    """Whether a predicted token may be offered as a word to click and add: not <unk>, not a hidden word."""
    return token != UNK and display_word(token) != HIDDEN_LABEL


@dataclass
class Prompt:
    """A prompt as the model reads it; `cut` says earlier words were left out (see `notice`)."""

    tokens: list[str]
    ids: list[int]
    unknown: list[int]  # positions in `tokens` the vocabulary lacks (read as <unk>)
    cut: bool = False
    unit: str = "word"  # what one step is: "word" or "character" (the model's tokenizer)

    @property
    def notice(self) -> str:
        if not self.cut:
            return ""
        return (
            f"Your text is long: the model reads only its last {len(self.tokens)} {self.unit}s "
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
        unit=vocab.tokenizer.unit,
    )


_LINE_START: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> its start_state


def line_start(model: LanguageModel) -> State:
    """`start_state(model)` (the state after a line break), computed once per model: every view starts
    there. The model is read-only, so its start state is too; nothing writes into these tensors."""
    state = _LINE_START.get(model)
    if state is None:
        state = _LINE_START[model] = start_state(model)
    return state


_PREFIXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> its PrefixStates


def prompt_states(model: LanguageModel) -> PrefixStates:
    """The memo of states after recent prompts read from a line start, one per model, shared by every
    user like the model: typing one more word then costs one step, with the numbers of a full re-read."""
    prefixes = _PREFIXES.get(model)
    if prefixes is None:
        prefixes = _PREFIXES[model] = PrefixStates(model, line_start(model))
    return prefixes


@torch.no_grad()
def next_log_probs(model: LanguageModel, ids: Sequence[int]) -> torch.Tensor:
    """Log-probabilities (V,) of the word after `ids`, read from the start of a line (as `advance`)."""
    if len(ids):
        return prompt_states(model).read(ids)[0]
    state = line_start(model)
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


def append_words(text: str, words: Sequence[str], tokenizer: Tokenizer = WIKITEXT) -> str:
    """`text` followed by the model's tokens, spaced as its tokenizer's detokenize would space them (words
    after a space, characters as they are); `text` itself is kept."""
    return tokenizer.append(text, words)


def spaced_pieces(tokens: Sequence[str], tokenizer: Tokenizer = WIKITEXT) -> list[tuple[str, str]]:
    """(space before, text) for each token, so that joining them gives `tokenizer.detokenize(tokens)`."""
    return tokenizer.pieces(tokens)
