"""Weight averaging over the end of a run: an exponential moving average (EMA) of the weights, started once a
share of the budget is spent (`TrainConfig.ema_start`), updated after every optimiser step:

    w_avg <- w                                   at the first step past ema_start
    w_avg <- d * w_avg + (1 - d) * w             after each later step   (d = TrainConfig.ema_decay)

Validations and the saved model use the average while it exists (`swapped_in`); training goes on with the
weights themselves. The average of the late iterates generalises better than the last one (Polyak & Juditsky
1992; averaged SGD in AWD-LSTM, Merity et al. 2017; SWA, Izmailov et al. 2018).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


class WeightAverage:
    """The EMA of `model`'s parameters (by name, as `named_parameters` lists them: a tied weight once)."""

    def __init__(self, model: torch.nn.Module, decay: float):
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"the EMA decay must be in [0, 1), got {decay}")
        self.model, self.decay = model, decay
        self.shadow: dict[str, torch.Tensor] = {}  # empty until the first update
        self.steps = 0  # updates so far

    @torch.no_grad()
    def update(self) -> None:
        """Fold the current weights in (the first call copies them)."""
        params = dict(self.model.named_parameters())
        if not self.shadow:
            self.shadow = {k: p.detach().clone() for k, p in params.items()}
        else:
            for k, p in params.items():
                self.shadow[k].lerp_(p.detach(), 1.0 - self.decay)  # d * avg + (1 - d) * w
        self.steps += 1

    @contextmanager
    def swapped_in(self) -> Iterator[bool]:
        """Inside: the model holds the averaged weights (yields True), or its own when nothing is averaged
        yet (yields False); the model's own weights are put back on leaving."""
        if not self.shadow:
            yield False
            return
        params = dict(self.model.named_parameters())
        own = {k: p.detach().clone() for k, p in params.items()}
        with torch.no_grad():
            for k, p in params.items():
                p.copy_(self.shadow[k])
        try:
            yield True
        finally:
            with torch.no_grad():
                for k, p in params.items():
                    p.copy_(own[k])

    def state(self) -> dict[str, torch.Tensor]:
        """The tensors a resumable state keeps (names prefixed "avg."; with the update count)."""
        out = {f"avg.{k}": v.detach().cpu().contiguous() for k, v in self.shadow.items()}
        if self.shadow:
            out["avg_steps"] = torch.tensor([self.steps])
        return out

    def restore(self, tensors: dict[str, torch.Tensor]) -> None:
        """Take back what `state` gave (onto the model's device)."""
        params = dict(self.model.named_parameters())
        self.shadow = {k[4:]: v.to(params[k[4:]].device) for k, v in tensors.items() if k.startswith("avg.")}
        self.steps = int(tensors["avg_steps"][0]) if "avg_steps" in tensors else 0
