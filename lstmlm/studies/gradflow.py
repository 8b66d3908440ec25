"""Gradient flow: how much the prediction of a word still depends on each word before it.

For words w_0 .. w_T, the model reads w_0 .. w_{T-1} (from the line-start state) and predicts w_T. With
x_t the input embedding of w_t, the flow at distance d = T - t is

    g(d) = || ∂ log p(w_T | w_0 .. w_{T-1}) / ∂ x_t ||₂        t = T - d,  d = 1 .. T

Through a plain RNN this is a product of d Jacobians diag(1 - h²) W_hh, which shrinks geometrically with
d (the vanishing gradient); the LSTM's cell path c_t = f_t ⊙ c_{t-1} + ... multiplies by the forget gate
instead, and lets it survive. Gradients come from autograd through the fused kernel (`torch.autograd.grad`,
which writes nothing into the shared model's parameters, so concurrent users cannot disturb each other).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from lstmlm.messages import Message
from lstmlm.model import LanguageModel, State
from lstmlm.sampling import start_state

FILE_NAME = "gradient_flow.json"  # the averaged flow, shipped beside a model's weights


def _repeat_state(state: State, batch: int) -> State:
    """A batch-1 state (L, 1, H) repeated for `batch` sequences."""
    if isinstance(state, tuple):
        return tuple(s.expand(-1, batch, -1).contiguous() for s in state)
    return state.expand(-1, batch, -1).contiguous()


def flow_norms(model: LanguageModel, ids: torch.Tensor, state: State | None = None) -> np.ndarray:
    """ids (T+1, B): read ids[:T], differentiate log p(ids[T]) -> (T, B) norms, row d-1 = distance d."""
    if ids.dim() != 2 or ids.size(0) < 2:
        raise ValueError(
            Message(
                "gradflow.short",
                "gradient flow needs at least two words: the context and the word it predicts",
            )
        )
    context, target = ids[:-1], ids[-1]  # (T, B), (B,)
    T, B = context.shape
    state = _repeat_state(state if state is not None else start_state(model), B)
    with torch.enable_grad():
        x = model.embedding(context).detach().requires_grad_(True)  # (T, B, E); eval mode: no dropout
        out, _ = model.rnn(x, state)  # (T, B, H)
        log_p = model.log_probs(out[-1])  # (B, V)
        chosen = log_p.gather(1, target[:, None]).sum()  # the sequences are independent: one backward
        (grad,) = torch.autograd.grad(chosen, x)  # (T, B, E)
    norms = grad.norm(dim=-1)  # (T, B), row t = position t
    return norms.flip(0).detach().numpy()  # row d-1 = distance d = T - t


def gradient_flow(model: LanguageModel, ids: Sequence[int], state: State | None = None) -> np.ndarray:
    """For a prompt's ids w_0..w_T: g(d) for d = 1..T (the last word predicted from all before it)."""
    if model.training:
        raise ValueError("put the model in eval mode (dropout would make the gradients random)")
    ids_t = torch.as_tensor([int(i) for i in ids], dtype=torch.long)[:, None]
    return flow_norms(model, ids_t, state)[:, 0]


@dataclass
class AverageFlow:
    """g(d) over many snippets of held-out text: per distance, the mean and quantiles over snippets."""

    distance: list[int]  # 1 .. length-1
    mean: list[float]
    median: list[float]
    q10: list[float]
    q90: list[float]
    snippets: int
    length: int  # words per snippet (the last one is predicted)
    source: str = ""


def average_flow(
    model: LanguageModel,
    token_ids: Sequence[int],
    snippets: int = 200,
    length: int = 100,
    batch_size: int = 50,
    source: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> AverageFlow:
    """g(d) for `snippets` windows of `length` words spread evenly over `token_ids`, each read from the
    line-start state."""
    if snippets < 1 or length < 2:
        raise ValueError("need at least one snippet of at least two words")
    room = len(token_ids) - length
    if room < 0:
        raise ValueError(f"the text has {len(token_ids)} words: fewer than one snippet of {length}")
    starts = [round(k * room / max(1, snippets - 1)) for k in range(snippets)]
    data = torch.as_tensor(list(token_ids), dtype=torch.long)
    parts = []
    for b in range(0, snippets, batch_size):
        windows = torch.stack(
            [data[s : s + length] for s in starts[b : b + batch_size]], dim=1
        )  # (length, B)
        parts.append(flow_norms(model, windows))
        if progress is not None:
            progress(min(b + batch_size, snippets), snippets)
    norms = np.concatenate(parts, axis=1).astype(np.float64)  # (length-1, snippets)

    def rounded(values: np.ndarray) -> list[float]:
        return [float(f"{v:.4g}") for v in values]

    return AverageFlow(
        distance=list(range(1, length)),
        mean=rounded(norms.mean(axis=1)),
        median=rounded(np.median(norms, axis=1)),
        q10=rounded(np.quantile(norms, 0.1, axis=1)),
        q90=rounded(np.quantile(norms, 0.9, axis=1)),
        snippets=snippets,
        length=length,
        source=source,
    )


def save_flow(model_dir: str | os.PathLike, flow: AverageFlow) -> Path:
    """Write MODEL/gradient_flow.json (a few KB) atomically."""
    path = Path(model_dir) / FILE_NAME
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(flow), separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)
    return path


def load_flow(model_dir: str | os.PathLike | None) -> AverageFlow | None:
    """The shipped averaged flow of a model directory; None when it has none or it does not read back."""
    if model_dir is None:
        return None
    try:
        d = json.loads((Path(model_dir) / FILE_NAME).read_text(encoding="utf-8"))
        flow = AverageFlow(**d)
    except (OSError, ValueError, TypeError):
        return None
    series = (flow.mean, flow.median, flow.q10, flow.q90)
    if any(len(s) != len(flow.distance) for s in series) or not all(
        math.isfinite(v) for s in series for v in s
    ):
        return None
    return flow


def decay_per_word(distance: Sequence[int], values: Sequence[float], lo: int = 5, hi: int = 50) -> float:
    """The average factor g(d+1)/g(d) between distances lo and hi (a fitted exponential): 1 = no decay."""
    pairs = [(d, v) for d, v in zip(distance, values, strict=True) if lo <= d <= hi and v > 0]
    if len(pairs) < 2:
        return float("nan")
    d = np.array([p[0] for p in pairs], dtype=np.float64)
    y = np.log([p[1] for p in pairs])
    slope = np.polyfit(d, y, 1)[0]
    return float(math.exp(slope))
