"""States after recently read prompts, so that a prompt typed one more word costs one step, not a re-read.

`PrefixStates.read(ids)` returns exactly what `advance(model, ids, start)` returns, bit for bit:

    prompt ids:    [w1, w2, w3, w4]            cached: (w1, w2, w3) -> state after w3 (and after w1, w1 w2)
    advance:       start -> w1 -> w2 -> w3 -> w4      (one single step per word, below FUSED_MIN_STEPS words)
    read:                         cached state -> w4  (the same single step, on the same state tensors)

Below FUSED_MIN_STEPS words `advance` reads a prompt one single step at a time, so continuing from the
cached state of a prefix runs the very same operations on the very same numbers. Longer prompts are read
by the fused kernel, whose rounding depends on the whole sequence: those are only reused whole (the same
ids again), never continued, so every number stays what a fresh `advance` gives.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import torch

from lstmlm.model import FUSED_MIN_STEPS, LanguageModel, State
from lstmlm.sampling import advance, one_step

MAX_ENTRIES = 1024  # states kept; ~10 KB each for 2 layers of 512 units (h, c and the top layer's output)


class PrefixStates:
    """An LRU memo of `advance(model, ids, start)`: ids -> (state, top-layer output), thread-safe.

    The model and `start` are read-only (nothing writes into their tensors), so one memo serves every user.
    """

    def __init__(self, model: LanguageModel, start: State, max_entries: int = MAX_ENTRIES):
        self.model = model
        self.start = start
        self.max_entries = max(1, int(max_entries))
        self._states: OrderedDict[tuple[int, ...], tuple[State, torch.Tensor]] = OrderedDict()
        self._lock = threading.Lock()
        self.steps_run = 0  # single steps computed so far (what the memo did not save)

    def __len__(self) -> int:
        return len(self._states)

    def _get(self, key: tuple[int, ...]) -> tuple[State, torch.Tensor] | None:
        with self._lock:
            entry = self._states.get(key)
            if entry is not None:
                self._states.move_to_end(key)
            return entry

    def _put(self, key: tuple[int, ...], entry: tuple[State, torch.Tensor]) -> None:
        with self._lock:
            self._states[key] = entry
            self._states.move_to_end(key)
            while len(self._states) > self.max_entries:
                self._states.popitem(last=False)

    @torch.no_grad()
    def read(self, ids: Sequence[int]) -> tuple[torch.Tensor, State]:
        """Log-probabilities (V,) after the last of `ids` and the state, as `advance(model, ids, start)`."""
        key = tuple(int(i) for i in ids)
        if not key:
            raise ValueError("read needs at least one word")
        model = self.model
        hit = self._get(key)
        if hit is not None:
            state, top_h = hit
            return model.log_probs(top_h), state
        stepwise = len(key) < FUSED_MIN_STEPS and model.embedding.weight.device.type == "cpu"
        if not stepwise or model.training:
            log_probs, state = advance(model, key, self.start)
            top = state[0] if isinstance(state, tuple) else state  # (L, 1, H)
            # advance feeds the fused run's last output to the softmax; the final state holds the same numbers
            self._put(key, (state, top[-1, 0]))
            return log_probs, state
        done, state = 0, self.start
        for n in range(len(key) - 1, 0, -1):  # the longest prefix already read
            entry = self._get(key[:n])
            if entry is not None:
                done, state = n, entry[0]
                break
        device = model.embedding.weight.device
        for n in range(done, len(key)):
            top_h, state = one_step(model, torch.tensor([key[n]], device=device), state)  # (1, H)
            self._put(key[: n + 1], (state, top_h[0]))
            self.steps_run += 1
        return model.log_probs(top_h[0]), state
