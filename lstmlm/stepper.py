"""The recurrent layers one word at a time, with the weights looked up once: what generation runs per drawn
word (`fast_sampling.generate_fast`). It runs the same PyTorch single-step kernels on the same numbers as
`prompt.step` (prompt.CELL_STEP), so its states are that step's, bit for bit."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from lstmlm.model import LanguageModel, State
from lstmlm.stepping import CELL_STEP, read_ids


class Stepper:
    """The recurrent layers one word at a time with PyTorch's single-step cells, as `prompt.step` runs
    them (the same kernels on the same numbers), with the weights looked up once. State: per-layer lists of
    (1, H) tensors (h, and c for the LSTM)."""

    def __init__(self, model: LanguageModel):
        self.model = model
        self.cell = CELL_STEP[model.config.cell]
        self.lstm = model.config.cell == "lstm"
        self.embedding = model.embedding.weight.detach()  # (V, E)
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        layers = range(model.config.num_layers)
        self.layers = [tuple(getattr(model.rnn, f"{name}_l{n}").detach() for name in names) for n in layers]

    def split(self, state: State) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """(L, 1, H) state(s) -> per-layer lists of (1, H) views."""
        if self.lstm:
            return list(state[0].unbind(0)), list(state[1].unbind(0))
        return list(state.unbind(0)), []

    def step(self, word_id: int, hs: list[torch.Tensor], cs: list[torch.Tensor]) -> torch.Tensor:
        """Feed one word; updates hs / cs in place (the lists) and returns the top layer's output (1, H)."""
        x = self.embedding[word_id : word_id + 1]  # (1, E): the row model.embedding gives
        for n, weights in enumerate(self.layers):
            if self.lstm:
                x, cs[n] = self.cell(x, (hs[n], cs[n]), *weights)
            else:
                x = self.cell(x, hs[n], *weights)
            hs[n] = x
        return x

    def read(self, ids: Sequence[int], state: State) -> tuple[torch.Tensor, list, list]:
        """Read a prompt from `state` as `sampling.advance` does (`prompt.read_ids`: fused chunks of
        FUSED_MIN_STEPS words, then single steps); returns the top layer's output after the last word (1, H)
        and the state."""
        top, state = read_ids(self.model, ids, state)
        return top[None], *self.split(state)
