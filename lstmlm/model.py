"""The language model: embedding -> multi-layer recurrent cell (fused) -> dropout -> output layer.
Its tokens are words or characters (the vocabulary's tokenizer says which).

Parameters keep PyTorch's own names under `rnn.` (`rnn.weight_ih_l0`, `rnn.weight_hh_l0`, `rnn.bias_ih_l0`,
`rnn.bias_hh_l0`, ...; LSTM gate order i, f, g, o), so any tool that reads `nn.LSTM` weights reads ours.
The output layer is a full softmax (`decoder`, tied or not), PyTorch's adaptive softmax (`adaptive`) or,
with tie_weights, the tied adaptive softmax of lstmlm/tied_softmax.py (`tied_softmax`).
"""

from __future__ import annotations

import json
import numbers
from dataclasses import asdict, dataclass, field, fields
from functools import partial

import torch
import torch.nn.functional as F
from torch import nn

from lstmlm.dropouts import embedding_dropout, layer_by_layer, locked_dropout
from lstmlm.tied_softmax import TiedAdaptiveSoftmax

# rnn_relu: nn.RNN(nonlinearity="relu"), e.g. the PyTorch examples recipe's --model RNN_RELU (imported)
CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn_tanh": nn.RNN, "rnn_relu": partial(nn.RNN, nonlinearity="relu")}
# On CPU a call of the fused kernel (oneDNN) has a fixed cost of several single steps: 10-25 measured with
# 2 layers of 256 units in the first sessions; with the 2 x 512 storybook default on 2026-12-02, a call on
# 1 / 8 / 24 ids cost 3.3 / 4.9 / 6.8 single steps (it varies with the machine). Trace and generation run
# sequences shorter than this one step at a time; prompts are read in chunks of it (lstmlm.stepping).
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
    dropout_input: float = -1.0  # dropout on the embedding output instead (-1: the --dropout value)
    dropout_hidden: float = -1.0  # dropout between recurrent layers instead (-1: the --dropout value)
    dropout_embed: float = 0.0  # embedding dropout: whole words dropped in training (Merity et al. 2017)
    locked_dropout: bool = False  # dropout masks fixed over time steps (variational; Gal & Ghahramani 2016)
    # adaptive softmax and tie_weights: a projection H -> E, every word scored with its embedding row
    tie_weights: bool = True  # share the embedding with the output layer (full softmax: embed == hidden)
    softmax: str = field(default="full", metadata={"choices": ["full", "adaptive"]})  # full | adaptive
    adaptive_cutoffs: tuple[int, ...] = (2000, 10000)  # adaptive softmax cluster edges (ids by frequency)
    adaptive_div_value: float = 4.0  # each adaptive tail cluster is this much narrower (untied only)

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
        for name in ("dropout_input", "dropout_hidden"):
            if not (getattr(self, name) == -1 or 0.0 <= getattr(self, name) < 1.0):
                raise ValueError(
                    f"{name} must be in [0, 1), or -1 for the dropout value; got {getattr(self, name)}"
                )
        if not 0.0 <= self.dropout_embed < 1.0:
            raise ValueError(f"dropout_embed must be in [0, 1), got {self.dropout_embed}")
        if self.tie_weights and self.softmax == "full" and self.embed_dim != self.hidden_dim:
            raise ValueError(
                "tie_weights needs embed_dim == hidden_dim with the full softmax (the adaptive softmax "
                "projects the hidden_dim outputs to embed_dim)"
            )
        if self.softmax == "adaptive":
            cutoffs = [x for x in self.adaptive_cutoffs if 0 < x < self.vocab_size]  # the ones the model uses
            if not cutoffs or cutoffs != sorted(set(cutoffs)):
                raise ValueError(
                    "adaptive_cutoffs must be increasing and hold at least one id in "
                    f"1..{self.vocab_size - 1} (the vocabulary size), got {list(self.adaptive_cutoffs)}"
                )

    def rate(self, name: str) -> float:
        """The dropout rate used at `name` ("dropout_input" or "dropout_hidden"): its own, or `dropout`."""
        value = getattr(self, name)
        return self.dropout if value == -1 else value

    def to_dict(self) -> dict:
        d = asdict(self)
        d["adaptive_cutoffs"] = list(self.adaptive_cutoffs)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> ModelConfig:
        """The settings a config.json's "model" object holds; ValueError for anything else. The weights'
        sizes must be written down: a default would be a guess, reported later as a mismatch of the file."""
        if not isinstance(d, dict):
            raise ValueError(f"expected an object of settings, got {json.dumps(d)[:40]}")
        missing = {"vocab_size", "embed_dim", "hidden_dim", "num_layers"} - set(d)
        if missing:
            raise ValueError(f"missing model settings: {sorted(missing)}")
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
        between = 0.0 if c.num_layers == 1 or c.locked_dropout else c.rate("dropout_hidden")
        self.rnn = CELLS[c.cell](c.embed_dim, c.hidden_dim, c.num_layers, dropout=between)
        cutoffs = [x for x in c.adaptive_cutoffs if 0 < x < c.vocab_size]
        if c.softmax == "full":
            self.decoder = nn.Linear(c.hidden_dim, c.vocab_size)
            if c.tie_weights:
                self.decoder.weight = self.embedding.weight
        elif c.tie_weights:  # lstmlm/tied_softmax.py
            self.tied_softmax = TiedAdaptiveSoftmax(c.hidden_dim, c.embed_dim, c.vocab_size, cutoffs)
        else:
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
        features, _, state = self.forward_parts(ids, state)
        return features, state

    def forward_parts(
        self, ids: torch.Tensor, state: State | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, State]:
        """ids (T, B) -> (top-layer features (T, B, H) after the output dropout, the same before it, the
        final state). In training: embedding dropout, then dropout on the embedding output, between layers
        and on the output, each locked over time with `locked_dropout` (lstmlm/dropouts.py)."""
        c = self.config
        if self.training and c.dropout_embed > 0:
            x = embedding_dropout(ids, self.embedding.weight, c.dropout_embed)
        else:
            x = self.embedding(ids)  # (T, B, E)
        x = self._dropout(x, c.rate("dropout_input"))
        if self.training and c.locked_dropout and c.num_layers > 1 and c.rate("dropout_hidden") > 0:
            between = partial(locked_dropout, p=c.rate("dropout_hidden"))
            raw, state = layer_by_layer(self.rnn, c.cell, x, state, between)
        else:
            raw, state = self.rnn(x, state)  # (T, B, H)
        return self._dropout(raw, c.dropout), raw, state

    def _dropout(self, x: torch.Tensor, p: float) -> torch.Tensor:
        if self.config.locked_dropout:
            return locked_dropout(x, p) if self.training else x
        return F.dropout(x, p, self.training)  # as nn.Dropout

    def log_probs(self, features: torch.Tensor) -> torch.Tensor:
        """Features (..., H) -> next-word log-probabilities (..., V)."""
        shape = features.shape[:-1]
        flat = features.reshape(-1, features.size(-1))
        if self.config.softmax == "full":
            out = F.log_softmax(self.decoder(flat), dim=-1)
        elif self.config.tie_weights:
            out = self.tied_softmax.log_prob(flat, self.embedding.weight)
        else:
            out = self.adaptive.log_prob(flat)
        return out.view(*shape, self.config.vocab_size)

    def loss(self, features: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood (nats/word) of `targets` (T, B) given features (T, B, H)."""
        flat = features.reshape(-1, features.size(-1))
        if self.config.softmax == "full":
            return F.cross_entropy(self.decoder(flat), targets.reshape(-1))
        if self.config.tie_weights:
            return -self.tied_softmax.target_log_prob(flat, targets.reshape(-1), self.embedding.weight).mean()
        return self.adaptive(flat, targets.reshape(-1)).loss

    def token_losses(self, features: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Negative log-likelihood (nats) of each target: (T, B) from features (T, B, H), targets (T, B)."""
        flat = features.reshape(-1, features.size(-1))
        if self.config.softmax == "full":
            nll = F.cross_entropy(self.decoder(flat), targets.reshape(-1), reduction="none")
        elif self.config.tie_weights:
            nll = -self.tied_softmax.target_log_prob(flat, targets.reshape(-1), self.embedding.weight)
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
