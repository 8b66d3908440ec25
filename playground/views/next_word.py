"""What the Next-word view shows, and how every view reads a prompt (no gradio here: all of it is
testable without a browser, and the API endpoints return the same numbers the tabs draw).

Every view reads a prompt the same way, through the model's `lstmlm.prompt.reader`: cut by the model's
tokenizer, then capped to the last MAX_PROMPT_WORDS words (`read_prompt`), and fed from the state after a
line break (`line_start`).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from lstmlm.model import LanguageModel, State
from lstmlm.prompt import PrefixStates, Prompt, read_prompt, reader
from lstmlm.safewords import HIDDEN_LABEL
from lstmlm.sampling import NextWords, top_words
from lstmlm.tokenizers import WIKITEXT, Tokenizer
from lstmlm.vocab import UNK
from playground.display import display_word

MAX_TOP_K_SHOWN = 30  # most bars the next-word chart shows
DEFAULT_PROMPT = "The cat sat on the"


def is_choosable(token: str) -> bool:
    """Whether a predicted token may be offered as a word to click and add: not <unk>, not a hidden word."""
    return token != UNK and display_word(token) != HIDDEN_LABEL


def line_start(model: LanguageModel) -> State:
    """The state after a line break, where every view starts reading: the model's reader's (computed once
    per model). The model is read-only, so its start state is too; nothing writes into these tensors."""
    return reader(model).start


def prompt_states(model: LanguageModel) -> PrefixStates:
    """The memo of states after recent prompts read from a line start, one per model (its reader's), shared
    by every user like the model: typing one more word then costs one step, with the numbers of a re-read."""
    return reader(model).prefixes


def next_log_probs(model: LanguageModel, ids: Sequence[int]) -> torch.Tensor:
    """Log-probabilities (V,) of the word after `ids`, read from the start of a line (as `advance`)."""
    return reader(model).next_log_probs(ids)


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
