"""The rules of the automatic settings that are plain arithmetic: a size's recurrent weights, the softmax,
embedding and tying that go with it, the words it needs, and the dropout for a run (see `autosize`)."""

from __future__ import annotations

import math

from lstmlm.cells import CELLS, chunk_order

NUM_LAYERS = 2
MAX_EMBED = 256  # untied embeddings stay at most this wide (the bundled word models' width)
MIN_PASSES = 2.0  # enough words: the training text read this many times ...
WORDS_PER_WEIGHT = 4.0  # ... or this many words per recurrent weight, whichever is fewer
MAX_DROPOUT = 0.6


GATES = {cell: len(chunk_order(cell)) for cell in CELLS}  # weight blocks per layer: lstm 4, gru 3, rnn 1


def recurrent_weights(
    embed_dim: int, hidden_dim: int, num_layers: int = NUM_LAYERS, cell: str = "lstm"
) -> int:
    """Weights of a stacked recurrent network: each layer gates x hidden x (input + hidden) + 2 gates x hidden
    biases (an LSTM has 4 gates, a GRU 3, a plain RNN 1)."""
    gates = GATES.get(cell, 4)
    total, width_in = 0, embed_dim
    for _ in range(num_layers):
        total += gates * hidden_dim * (width_in + hidden_dim) + 2 * gates * hidden_dim
        width_in = hidden_dim
    return total


def model_candidate(hidden_dim: int, vocab_size: int, given: dict, unit: str = "word") -> tuple[dict, dict]:
    """(settings, reasons) for one size: softmax, embedding width, tying, layers (given ones kept); `unit`
    ("word" or "character") is what one token is, as the reasons say it."""
    layers = given.get("num_layers", NUM_LAYERS)
    embed_guess = given.get("embed_dim", min(hidden_dim, MAX_EMBED))
    rnn = recurrent_weights(embed_guess, hidden_dim, layers, given.get("cell", "lstm"))
    settings, reasons = {}, {}
    if "softmax" not in given:
        big = vocab_size * hidden_dim > rnn
        settings["softmax"] = "adaptive" if big else "full"
        reasons["softmax"] = (
            f"a full {vocab_size:,}-{unit} output layer would cost {vocab_size * hidden_dim / rnn:.1f}x the "
            f"LSTM's multiply-adds a {unit}"
        )
    softmax = settings.get("softmax", given.get("softmax"))
    tie_ok = softmax == "full" and given.get("embed_dim", hidden_dim) == hidden_dim
    if "tie_weights" not in given:
        settings["tie_weights"] = tie_ok
        reasons["tie_weights"] = (
            "full softmax: input and output embeddings shared (fewer weights, better perplexity)"
            if tie_ok
            else "the adaptive softmax keeps its own output weights"
            if softmax == "adaptive"
            else "the embedding width differs from the hidden width"
        )
    tied = settings.get("tie_weights", given.get("tie_weights"))
    if "embed_dim" not in given:
        settings["embed_dim"] = hidden_dim if tied else min(hidden_dim, MAX_EMBED)
        reasons["embed_dim"] = (
            "tied to the hidden width" if tied else f"the hidden width, at most {MAX_EMBED}"
        )
    if "num_layers" not in given:
        settings["num_layers"] = NUM_LAYERS
        reasons["num_layers"] = "two stacked LSTM layers, as every recipe here"
    return settings, reasons


def words_needed(train_words: int, weights: int) -> float:
    """Enough words for a size: MIN_PASSES over the text or WORDS_PER_WEIGHT per recurrent weight."""
    return min(MIN_PASSES * train_words, WORDS_PER_WEIGHT * weights)


def choose_dropout(weights: int, train_words: int, words: float, unit: str = "word") -> tuple[float, str]:
    """(dropout, reason) from the model's recurrent weights, the training tokens and the tokens it reads
    (`unit`: "word" or "character", as the reason says it)."""
    passes = words / max(train_words, 1)
    if passes <= 1:
        return 0.1, f"{passes:.2f} passes over the text: each {unit} is read at most once, little to overfit"
    q = weights / max(train_words, 1)
    full = min(MAX_DROPOUT, max(0.1, 0.35 + 0.2 * math.log10(q)))
    dropout = round(0.1 + (full - 0.1) * min(1.0, (passes - 1) / 3), 2)
    return dropout, (
        f"{q:.2f} recurrent weights per training {unit} -> {full:.2f} for a long run; "
        f"{passes:.1f} passes -> {dropout:.2f}"
    )
