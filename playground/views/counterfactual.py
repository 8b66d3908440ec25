"""What the Counterfactual view shows, as plain data (no gradio): two prompts read like every view (capped,
from a line start) and compared by `lstmlm.studies.counterfactual`, the window of a difference heatmap, and
"change one word" for a prompt.
"""

from __future__ import annotations

import numpy as np

from lstmlm.messages import Message
from lstmlm.model import LanguageModel
from lstmlm.prompt import read_prompt
from lstmlm.studies.counterfactual import counterfactual
from playground.views.gates import CELL_GATES, check_layer, encode_array
from playground.views.inputs import whole
from playground.views.intervene import MAX_SHOWN_WORDS, distribution_json
from playground.views.next_word import line_start

DEFAULT_PAIR = ("The boy who lived next door was", "The girl who lived next door was")


def counterfactual_view(model: LanguageModel, text_a: str, text_b: str, layer: int = 0, k: int = 10):
    """The library's Counterfactual of two prompts read like every view (capped, from a line start)."""
    layer = check_layer(model, whole(layer, "layer"))
    k = max(1, min(whole(k, "k"), MAX_SHOWN_WORDS))
    a, b = read_prompt(model.vocab, text_a), read_prompt(model.vocab, text_b)
    for name, p in (("A", a), ("B", b)):
        if not p.ids:
            raise ValueError(
                Message("counterfactual.empty", "prompt {name} is empty: type a few words", name=name)
            )
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
        # rounded in float64: a float32 rounded to 6 places reads 0.07977700233459473 in JSON
        "mean_abs_delta": {
            g: encode_array(cf.mean_abs[layer][g], "list", 6) for g in CELL_GATES[model.config.cell]
        },
        **distribution_json(cf.next_words),
    }


MAX_DELTA_CELLS = 40_000  # a Δ heatmap shows at most 40k cells: the units that changed most


def delta_window(delta: np.ndarray, max_cells: int = MAX_DELTA_CELLS) -> tuple[np.ndarray, list[int]]:
    """(units shown, positions) of a (T, H) difference, keeping the units with the largest mean |Δ|."""
    T, H = delta.shape
    keep = max(1, min(H, max_cells // max(1, T)))
    order = np.argsort(-np.abs(delta).mean(0), kind="stable")[:keep]
    return np.ascontiguousarray(delta[:, order].T), order.tolist()


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
