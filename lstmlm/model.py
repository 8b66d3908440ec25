"""The language model: embedding -> multi-layer recurrent cell (fused) -> dropout -> output layer.
Its tokens are words or characters (the vocabulary's tokenizer says which).

Parameters keep PyTorch's own names under `rnn.` (`rnn.weight_ih_l0`, `rnn.weight_hh_l0`, `rnn.bias_ih_l0`,
`rnn.bias_hh_l0`, ...; LSTM gate order i, f, g, o), so any tool that reads `nn.LSTM` weights reads ours.
"""

from __future__ import annotations

import numbers
from dataclasses import asdict, dataclass, field, fields
from functools import partial

import torch
import torch.nn.functional as F
from torch import nn

# rnn_relu: nn.RNN(nonlinearity="relu"), e.g. the PyTorch examples recipe's --model RNN_RELU (imported)
CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn_tanh": nn.RNN, "rnn_relu": partial(nn.RNN, nonlinearity="relu")}
# On CPU a call of the fused kernel (oneDNN) has a fixed cost of roughly 10-25 single steps (measured with
# 2 layers of 256 units), so trace and generation run sequences shorter than this one step at a time.
FUSED_MIN_STEPS = 24
State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]  # h (L, B, H), or (h, c) for the LSTM


@dataclass
class ModelConfig:
    """Everything needed to rebuild the network (saved in config.json)."""

    vocab_size: int = 10000  # rows of the embedding / classes of the output layer
    cell: str = field(default="lstm", metadata={"choices": list(CELLS)})  # lstm | gru | rnn_tanh | rnn_relu
    embed_dim: int = 400  # token (word or character) embedding size
    hidden_dim: int = 400  # units per recurrent layer
    num_layers: int = 2  # stacked recurrent layers
    dropout: float = 0.3  # on embeddings, between layers and before the output layer (training only)
    tie_weights: bool = True  # share the embedding with the output layer (needs embed_dim == hidden_dim)
    softmax: str = field(default="full", metadata={"choices": ["full", "adaptive"]})  # full | adaptive
    adaptive_cutoffs: tuple[int, ...] = (2000, 10000)  # adaptive softmax cluster edges (ids by frequency)
    adaptive_div_value: float = 4.0  # each adaptive tail cluster is this much narrower

    def __post_init__(self) -> None:
        self.adaptive_cutoffs = tuple(int(c) for c in self.adaptive_cutoffs)
        if self.cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, not {self.cell!r}")
        if self.softmax not in ("full", "adaptive"):
            raise ValueError(f"softmax must be 'full' or 'adaptive', not {self.softmax!r}")
        for name in ("vocab_size", "embed_dim", "hidden_dim", "num_layers"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
            setattr(self, name, int(value))
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.tie_weights and self.softmax == "full" and self.embed_dim != self.hidden_dim:
            raise ValueError("tie_weights needs embed_dim == hidden_dim")
        if self.tie_weights and self.softmax == "adaptive":
            raise ValueError("tie_weights works with the full softmax only")
        if self.softmax == "adaptive":
            cutoffs = [x for x in self.adaptive_cutoffs if 0 < x < self.vocab_size]  # the ones the model uses
            if not cutoffs or cutoffs != sorted(set(cutoffs)):
                raise ValueError(
                    "adaptive_cutoffs must be increasing and hold at least one id in "
                    f"1..{self.vocab_size - 1} (the vocabulary size), got {list(self.adaptive_cutoffs)}"
                )

    def to_dict(self) -> dict:
        d = asdict(self)
        d["adaptive_cutoffs"] = list(self.adaptive_cutoffs)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> ModelConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown model settings: {sorted(unknown)}")
        return cls(**d)


class LanguageModel(nn.Module):
    """Predicts the next word at every position of a (T, B) batch of word ids."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        c = config
        self.embedding = nn.Embedding(c.vocab_size, c.embed_dim)
        self.drop = nn.Dropout(c.dropout)
        self.rnn = CELLS[c.cell](
            c.embed_dim, c.hidden_dim, c.num_layers, dropout=c.dropout if c.num_layers > 1 else 0.0
        )
        if c.softmax == "full":
            self.decoder = nn.Linear(c.hidden_dim, c.vocab_size)
            if c.tie_weights:
                self.decoder.weight = self.embedding.weight
        else:
            cutoffs = [x for x in c.adaptive_cutoffs if 0 < x < c.vocab_size]
            self.adaptive = nn.AdaptiveLogSoftmaxWithLoss(
                c.hidden_dim, c.vocab_size, cutoffs=cutoffs, div_value=c.adaptive_div_value
            )
        self._init_weights()

    def _init_weights(self) -> None:
        nn.init.uniform_(self.embedding.weight, -0.1, 0.1)
        if self.config.softmax == "full":
            nn.init.zeros_(self.decoder.bias)
            if not self.config.tie_weights:
                nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

    def init_state(self, batch_size: int = 1) -> State:
        """Zero initial state for `batch_size` sequences."""
        w = self.embedding.weight
        h = w.new_zeros(self.config.num_layers, batch_size, self.config.hidden_dim)
        return (h, h.clone()) if self.config.cell == "lstm" else h

    def forward(self, ids: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        """ids (T, B) -> top-layer features (T, B, H) after dropout, and the final state."""
        x = self.drop(self.embedding(ids))  # (T, B, E)
        out, state = self.rnn(x, state)  # (T, B, H)
        return self.drop(out), state

    def log_probs(self, features: torch.Tensor) -> torch.Tensor:
        """Features (..., H) -> next-word log-probabilities (..., V)."""
        shape = features.shape[:-1]
        flat = features.reshape(-1, features.size(-1))
        if self.config.softmax == "full":
            out = F.log_softmax(self.decoder(flat), dim=-1)
        else:
            out = self.adaptive.log_prob(flat)
        return out.view(*shape, self.config.vocab_size)

    def loss(self, features: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood (nats/word) of `targets` (T, B) given features (T, B, H)."""
        flat = features.reshape(-1, features.size(-1))
        if self.config.softmax == "full":
            return F.cross_entropy(self.decoder(flat), targets.reshape(-1))
        return self.adaptive(flat, targets.reshape(-1)).loss

    def token_losses(self, features: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Negative log-likelihood (nats) of each target: (T, B) from features (T, B, H), targets (T, B)."""
        flat = features.reshape(-1, features.size(-1))
        if self.config.softmax == "full":
            nll = F.cross_entropy(self.decoder(flat), targets.reshape(-1), reduction="none")
        else:
            nll = -self.adaptive(flat, targets.reshape(-1)).output  # output: log p(target)
        return nll.view(targets.shape)


def zero_columns(state: State, columns: torch.Tensor) -> State:
    """The state with the columns where `columns` (B,) is True set to zero (a fresh start for them)."""
    keep = (~columns).to(state[0].dtype if isinstance(state, tuple) else state.dtype)[
        None, :, None
    ]  # (1, B, 1)
    if isinstance(state, tuple):
        return tuple(s * keep for s in state)
    return state * keep


def detach_state(state: State) -> State:
    """Cut the graph between BPTT batches, keeping the values."""
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()
