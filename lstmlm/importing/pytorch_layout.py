"""A PyTorch state dict -> a `Network`: its layout read from the parameter names and shapes.

The layout is read from the parameter names and shapes, whatever the modules are called:

    <prefix>weight_ih_l{n}, weight_hh_l{n}, bias_ih_l{n}, bias_hh_l{n}   one nn.LSTM / nn.GRU / nn.RNN
        rows of weight_ih_l0 = 4H (LSTM), 3H (GRU) or H (plain RNN: tanh or relu, which the weights do
        not tell, so the user says which); biases absent (bias=False) read as zeros
    <out>.weight (V, H), <out>.bias (V,)     the output layer (decoder / fc / linear / ...), one only
    <emb>.weight (V, E), E = weight_ih_l0's columns                   an embedding; without one the input
                                                                      is one-hot (weight_ih_l0 is (gH, V))

    Examples: the pytorch/examples recipe (encoder, rnn, decoder), Udacity's CharRNN (lstm, fc; one-hot;
    checkpoint {"state_dict", "tokens", "n_hidden", ...}), d2l's RNNModel (rnn, linear; one-hot).

`_reverse` tensors (bidirectional) and `weight_hr` (proj_size) are refused by name: a left-to-right nn.LSTM
without projections cannot compute them. So is any tensor left over (named for its feature when its name
says it: normalization, attention, convolution, peepholes).
"""

from __future__ import annotations

import re

import torch

from lstmlm.importing.network import ImportModelError, Network
from lstmlm.messages import Message

_RNN_KEY = re.compile(
    r"(?P<prefix>.*?)(?P<kind>weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(?P<layer>\d+)(?P<rev>_reverse)?"
)
_OUTPUT_NAMES = ("decoder", "fc", "linear", "dense", "out", "output", "head", "classifier", "proj", "h2o")
_FEATURES = {  # words in leftover parameter names -> the feature they are, for the refusal
    "norm": "normalization (LayerNorm / BatchNorm)",
    "attn": "attention",
    "attention": "attention",
    "conv": "convolution",
    "peephole": "peephole connections",
}


def network_from_state_dict(state: dict[str, torch.Tensor], cell: str | None = None) -> Network:
    """The recurrent layers, input and output layer of a state dict; `cell` names a plain RNN's nonlinearity
    (rnn_tanh / rnn_relu) and is checked against other cells. Raises ImportModelError saying what is wrong."""
    # ~90 lines on purpose: the keys are grouped, then every check that can refuse the file follows in
    # the order a reader would verify them by hand, each with its message.
    rnn: dict[str, dict[tuple[str, int], torch.Tensor]] = {}
    for key, tensor in state.items():
        m = _RNN_KEY.fullmatch(key)
        if m is None:
            continue
        if m.group("rev"):
            raise ImportModelError(
                Message(
                    "import.bidirectional",
                    "a bidirectional RNN ({tensor}): lstmlm's models read left to right only, and a language "
                    "model that reads the next word cannot be bidirectional; refused",
                    tensor=key,
                )
            )
        if m.group("kind") == "weight_hr":
            raise ImportModelError(
                Message(
                    "import.proj_size",
                    "an LSTM with proj_size ({tensor}: its h is projected to {size} values): nn.LSTM "
                    "without projections cannot compute it exactly; refused",
                    tensor=key,
                    size=tensor.shape[0],
                )
            )
        rnn.setdefault(m.group("prefix"), {})[(m.group("kind"), int(m.group("layer")))] = tensor
    if not rnn:
        raise ImportModelError(
            Message(
                "import.no_rnn",
                "not a recurrent language model state dict: no weight_ih_l0 / weight_hh_l0 of an nn.LSTM, "
                "nn.GRU or nn.RNN (found {names}...)",
                names=sorted(state)[:6],
            )
        )
    if len(rnn) > 1:
        raise ImportModelError(
            Message(
                "import.several_rnn",
                "several recurrent modules ({names}): lstmlm imports one nn.LSTM / nn.GRU / nn.RNN (with "
                "num_layers for a stack)",
                names=", ".join(p.rstrip(".") or "(top)" for p in rnn),
            )
        )
    prefix, weights = next(iter(rnn.items()))
    num_layers = 1 + max(n for _, n in weights)
    for n in range(num_layers):
        for kind in ("weight_ih", "weight_hh"):
            if (kind, n) not in weights or weights[(kind, n)].dim() != 2:
                raise ImportModelError(
                    Message(
                        "import.rnn_matrix",
                        "{tensor}: missing or not a matrix",
                        tensor=f"{prefix}{kind}_l{n}",
                    )
                )
    hidden = weights[("weight_hh", 0)].shape[1]
    rows = weights[("weight_ih", 0)].shape[0]
    found = {4 * hidden: "lstm", 3 * hidden: "gru", hidden: "rnn"}.get(rows)
    if found is None:
        raise ImportModelError(
            Message(
                "import.rnn_rows",
                "{tensor} has {rows} rows for {hidden} units: not an LSTM (4 x {hidden}), GRU (3 x) or "
                "RNN (1 x)",
                tensor=f"{prefix}weight_ih_l0",
                rows=rows,
                hidden=hidden,
            )
        )
    if found == "rnn":
        if cell not in ("rnn_tanh", "rnn_relu"):
            if cell is not None:
                raise ImportModelError(
                    Message(
                        "import.cell_plain_rnn",
                        "--cell {cell}: the weights are those of a plain RNN",
                        cell=cell,
                    )
                )
            raise ImportModelError(
                Message(
                    "import.rnn_which",
                    "a plain RNN (nn.RNN): its nonlinearity (tanh or relu) is not in its weights; say which "
                    "with --cell rnn_tanh or --cell rnn_relu (the recipe's --model RNN_TANH / RNN_RELU)",
                )
            )
        found = cell
    elif cell is not None and cell != found:
        raise ImportModelError(
            Message(
                "import.cell_weights",
                "--cell {cell}: the weights are those of a {found}",
                cell=cell,
                found=found,
            )
        )
    layers = []
    for n in range(num_layers):
        w_ih, w_hh = weights[("weight_ih", n)], weights[("weight_hh", n)]
        b_ih = weights.get(("bias_ih", n), w_ih.new_zeros(w_ih.shape[0]))  # bias=False: zeros, exactly
        b_hh = weights.get(("bias_hh", n), w_hh.new_zeros(w_hh.shape[0]))
        expected_in = w_ih.shape[1] if n == 0 else hidden
        if w_ih.shape != (rows, expected_in) or w_hh.shape != (rows, hidden) or b_ih.shape != (rows,):
            raise ImportModelError(
                Message(
                    "import.rnn_shapes",
                    "{prefix}layer {layer}: unexpected shapes {ih}, {hh}, {bias} for {hidden} units",
                    prefix=prefix,
                    layer=n,
                    ih=tuple(w_ih.shape),
                    hh=tuple(w_hh.shape),
                    bias=tuple(b_ih.shape),
                    hidden=hidden,
                )
            )
        layers.append((w_ih, w_hh, b_ih, b_hh))
    used = {f"{prefix}{kind}_l{n}" for kind, n in weights}
    out_name = _output_layer(state, used, hidden)
    used |= {f"{out_name}weight", f"{out_name}bias"}
    dec_w = state[f"{out_name}weight"]
    dec_b = state.get(f"{out_name}bias", dec_w.new_zeros(dec_w.shape[0]))
    in_dim = layers[0][0].shape[1]
    embedding = _embedding(state, used, in_dim)
    if embedding is not None:
        used.add(embedding[0])
    leftover = sorted(k for k in state if k not in used)
    if leftover:
        raise ImportModelError(_leftover_message(leftover))
    what = "one-hot input" if embedding is None else f"embedding {embedding[0]}"
    return Network(
        cell=found,
        embedding=None if embedding is None else embedding[1],
        layers=layers,
        decoder_weight=dec_w,
        decoder_bias=dec_b,
        source=f"PyTorch state dict: {what}, {num_layers} x {found} {prefix.rstrip('.') or 'rnn'}, "
        f"output {out_name.rstrip('.')}",
    )


def _output_layer(state: dict[str, torch.Tensor], used: set[str], hidden: int) -> str:
    """The prefix ("decoder.") of the one Linear (V, H) that reads the recurrent output."""
    candidates = []
    for key, t in state.items():
        if not key.endswith("weight") or key in used or t.dim() != 2 or t.shape[1] != hidden:
            continue
        name, bias = key.removesuffix("weight"), state.get(key.removesuffix("weight") + "bias")
        if bias is not None and tuple(bias.shape) == (t.shape[0],):
            candidates.append(name)
        elif bias is None and name.rstrip(".").rsplit(".", 1)[-1] in _OUTPUT_NAMES:  # Linear(bias=False)
            candidates.append(name)
    if len(candidates) > 1:
        named = [c for c in candidates if c.rstrip(".").rsplit(".", 1)[-1] in _OUTPUT_NAMES]
        candidates = named if len(named) == 1 else candidates
    if len(candidates) != 1:
        matrices = {k: tuple(t.shape) for k, t in state.items() if t.dim() == 2 and k not in used}
        reason = (
            Message("import.output_none", "none")
            if not candidates
            else Message(
                "import.output_several",
                "several ({names})",
                names=", ".join(c.rstrip(".") for c in candidates),
            )
        )
        raise ImportModelError(
            Message(
                "import.output_layer",
                "expected one linear output layer reading the {hidden} recurrent units, found {reason}; "
                "other matrices: {matrices}. A head other than one linear layer + softmax is not supported",
                hidden=hidden,
                reason=reason,
                matrices=matrices,
            )
        )
    return candidates[0]


def _embedding(
    state: dict[str, torch.Tensor], used: set[str], in_dim: int
) -> tuple[str, torch.Tensor] | None:
    """(name, (V, E)) of the embedding feeding the first layer, or None for one-hot input."""
    candidates = [
        k
        for k, t in state.items()
        if k not in used and k.endswith("weight") and t.dim() == 2 and t.shape[1] == in_dim
    ]
    if len(candidates) > 1:
        raise ImportModelError(
            Message("import.embeddings", "several matrices could be the embedding: {names}", names=candidates)
        )
    return (candidates[0], state[candidates[0]]) if candidates else None


def _leftover_message(leftover: list[str]) -> Message:
    """Why unexplained tensors stop the import, naming the feature when the names say it."""
    features = sorted({f for k in leftover for word, f in _FEATURES.items() if word in k.lower()})
    what = f" ({', '.join(features)})" if features else ""  # technical names, kept in English
    return Message(
        "import.leftover",
        "tensors beyond an embedding, one recurrent module and one linear output layer{features}: "
        "{names}; lstmlm cannot compute these exactly, so the model is refused",
        features=what,
        names=leftover[:6],
    )
