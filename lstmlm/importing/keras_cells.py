"""One Keras recurrent layer -> its weights in PyTorch's layout and gate order (nn.LSTM / nn.GRU / nn.RNN).

Keras's equations and layouts (x_t a row vector; H units; kernel (in, kH), recurrent_kernel (H, kH)):

    LSTM       gates in kernel column blocks i, f, c, o; one bias (4H,). PyTorch's order is i, f, g, o (g is
               Keras's c), so: weight_ih = kernel^T, weight_hh = recurrent_kernel^T, bias_ih = bias,
               bias_hh = 0. Exact when activation = tanh and recurrent_activation = sigmoid.
    GRU        blocks z, r, h. With reset_after=True (Keras >= 2.3 default), bias (2, 3H) = input and
               recurrent biases and
                   h~_t = tanh(x W_h + b_xh + r_t ⊙ (h_{t-1} U_h + b_hh))
                   h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h~_t
               which is nn.GRU's n_t and h_t with blocks reordered to r, z, n. reset_after=False (Keras 1 and
               the TF.js default) multiplies r_t into h_{t-1} before U_h: nn.GRU cannot, so it is refused.
    SimpleRNN  h_t = act(x W + h_{t-1} U + b): nn.RNN with tanh, or relu.
    CuDNNLSTM  Keras 2's GPU-only layers (TF 1.x tutorials): the LSTM / GRU(reset_after=True) equations with
    CuDNNGRU   fixed tanh and sigmoid, each gate's block stored as cuDNN reads it, and two biases (2kH,)
               (input, recurrent); `from_cudnn` converts them to the layer above as Keras does on loading.

keras.layers.RNN(LSTMCell / GRUCell / SimpleRNNCell) is that layer, and RNN(StackedRNNCells([cells])) those
layers stacked (`rnn_cells`, `split_cells`).

Refused, by name: recurrent_activation hard_sigmoid (Keras < 2.3, TF.js default: a piecewise-linear gate
that nn.LSTM's logistic sigmoid does not compute), go_backwards, other activations.
"""

from __future__ import annotations

import numpy as np
import torch

from lstmlm.importing.keras_chain import snake_case
from lstmlm.importing.network import ImportModelError
from lstmlm.messages import Message

Weights = list[tuple[str | None, np.ndarray]]  # (role, array) in the file's order; role None when unnamed
_CELL_LAYERS = {"LSTMCell": "LSTM", "GRUCell": "GRU", "SimpleRNNCell": "SimpleRNN"}  # keras.layers.RNN(cell)


def float_tensor(a: np.ndarray) -> torch.Tensor:
    """A weight array from a file as a float32 tensor (a copy, any shape)."""
    return torch.from_numpy(np.array(a, dtype=np.float32))


def from_cudnn(
    kind: str, cfg: dict, arrays: dict[str, np.ndarray]
) -> tuple[str, dict, dict[str, np.ndarray]]:
    """Keras 2's CuDNNLSTM / CuDNNGRU -> the LSTM / GRU(reset_after=True) that computes the same, as Keras
    converts them when it loads such a file into LSTM / GRU (keras/src/saving/legacy/hdf5_format.py,
    _convert_rnn_weights). Arrays of other shapes pass unchanged, for `recurrent_weights` to refuse."""
    kind, k = ("LSTM", 4) if kind == "CuDNNLSTM" else ("GRU", 3)
    cfg = {"activation": "tanh", "recurrent_activation": "sigmoid", "reset_after": True} | cfg
    kernel, recurrent = np.asarray(arrays["kernel"]), np.asarray(arrays["recurrent_kernel"])
    bias = np.asarray(arrays.get("bias", np.zeros(0)))
    H = recurrent.shape[0] if recurrent.ndim == 2 else 0
    if (
        kernel.ndim != 2
        or kernel.shape[1] != k * H
        or recurrent.shape != (H, k * H)
        or bias.shape != (2 * k * H,)
    ):
        return kind, cfg, arrays
    # cuDNN reads each gate's block (in, H) of `kernel` as the raw bytes of its (H, in) matrix: the block in
    # Keras's layout is that matrix transposed (Keras: kernel.T.reshape(kernel.shape, order="F"))
    kernel = np.hstack([block.T.reshape(block.shape, order="F") for block in np.hsplit(kernel, k)])
    recurrent = np.hstack([block.T for block in np.hsplit(recurrent, k)])
    bias = bias.reshape(2, k * H)  # rows: input bias, recurrent bias
    bias = bias.sum(axis=0) if kind == "LSTM" else bias  # an LSTM adds both; a GRU keeps them apart
    return kind, cfg, {"kernel": kernel, "recurrent_kernel": recurrent, "bias": bias}


def recurrent_weights(
    kind: str, cfg: dict, arrays: dict[str, np.ndarray], where: Message
) -> tuple[str, tuple]:
    """One Keras recurrent layer -> (cell, (weight_ih, weight_hh, bias_ih, bias_hh)) in PyTorch's layout.

    `cfg` is the layer's config with snake_case keys; `arrays` its kernel, recurrent_kernel and (optional)
    bias. Raises ImportModelError naming the setting or shape that nn.LSTM / nn.GRU / nn.RNN cannot compute.
    """
    if cfg.get("go_backwards"):
        raise ImportModelError(
            Message(
                "import.go_backwards",
                "{where}: go_backwards=True reads the text backwards; refused",
                where=where,
            )
        )
    activation = snake_case(cfg.get("activation", "tanh"))
    kernel = float_tensor(arrays["kernel"])  # (in, kH)
    recurrent = float_tensor(arrays["recurrent_kernel"])  # (H, kH)
    H = recurrent.shape[0]
    if kind == "SimpleRNN":
        if activation not in ("tanh", "relu"):
            raise ImportModelError(
                Message(
                    "import.rnn_activation",
                    "{where}: activation {activation!r}; nn.RNN computes tanh or relu only",
                    where=where,
                    activation=activation,
                )
            )
        cell, k = f"rnn_{activation}", 1
    else:
        gate = snake_case(cfg.get("recurrent_activation"))
        if gate == "hard_sigmoid":
            raise ImportModelError(
                Message(
                    "import.hard_sigmoid",
                    "{where}: recurrent_activation hard_sigmoid (the gates of Keras before 2.3 and the TF.js "
                    "default) is a piecewise-linear gate; nn.LSTM / nn.GRU gates use the logistic sigmoid, "
                    "so this model cannot be traced exactly and is refused. Retrain with "
                    "recurrent_activation='sigmoid' (TF.js: recurrentActivation: 'sigmoid')",
                    where=where,
                )
            )
        if gate != "sigmoid" or activation != "tanh":
            raise ImportModelError(
                Message(
                    "import.gate_activation",
                    "{where}: activation {activation!r} / recurrent_activation {gate!r}; nn.{kind} computes "
                    "tanh and sigmoid only",
                    where=where,
                    activation=activation,
                    gate=gate,
                    kind=kind,
                )
            )
        cell, k = kind.lower(), 4 if kind == "LSTM" else 3
    if kernel.dim() != 2 or kernel.shape[1] != k * H or recurrent.shape != (H, k * H):
        raise ImportModelError(
            Message(
                "import.kernel_shapes",
                "{where}: kernel {kernel} and recurrent_kernel {recurrent} do not fit a {kind} of {units} "
                "units",
                where=where,
                kernel=tuple(kernel.shape),
                recurrent=tuple(recurrent.shape),
                kind=kind,
                units=H,
            )
        )
    bias = float_tensor(arrays["bias"]) if "bias" in arrays else kernel.new_zeros(k * H)
    w_ih, w_hh = kernel.t(), recurrent.t()  # (kH, in), (kH, H)
    if kind != "GRU":  # LSTM: Keras's i, f, c, o is PyTorch's i, f, g, o; one bias
        if bias.shape != (k * H,):
            raise ImportModelError(
                Message(
                    "import.bias_shape",
                    "{where}: bias {shape}, expected {expected}",
                    where=where,
                    shape=tuple(bias.shape),
                    expected=(k * H,),
                )
            )
        return cell, (w_ih.contiguous(), w_hh.contiguous(), bias, bias.new_zeros(k * H))
    if not cfg.get("reset_after", False):
        raise ImportModelError(
            Message(
                "import.reset_after",
                "{where}: reset_after=False (Keras 1 and the TF.js default) applies the reset gate to "
                "h_(t-1) before the recurrent matrix; nn.GRU applies it after, so this GRU cannot be "
                "represented exactly; refused. Retrain with reset_after=True (Keras's default since 2.3)",
                where=where,
            )
        )
    if bias.shape == (3 * H,):  # use_bias with one bias row: no recurrent bias
        bias = torch.stack([bias, bias.new_zeros(3 * H)])
    if bias.shape != (2, 3 * H):
        raise ImportModelError(
            Message(
                "import.gru_bias",
                "{where}: bias {shape}, expected {expected} for reset_after=True",
                where=where,
                shape=tuple(bias.shape),
                expected=(2, 3 * H),
            )
        )

    def zrh_to_rzn(t: torch.Tensor) -> torch.Tensor:  # Keras's blocks z, r, h -> PyTorch's r, z, n (dim 0)
        z, r, h = t.chunk(3, dim=0)
        return torch.cat([r, z, h]).contiguous()

    return cell, (zrh_to_rzn(w_ih), zrh_to_rzn(w_hh), zrh_to_rzn(bias[0]), zrh_to_rzn(bias[1]))


def rnn_cells(cfg: dict) -> list[tuple[str, dict]] | None:
    """keras.layers.RNN(LSTMCell(...)) is LSTM(...), and RNN(StackedRNNCells([cells])) is those layers
    stacked (each step runs the cells in turn, as stacked layers do): each cell's layer kind and config (the
    cell's settings with the RNN's: return_sequences, go_backwards, ...), or None for any other cell."""
    cell = cfg.get("cell") or {}
    stacked = cell.get("class_name") == "StackedRNNCells"
    parts = []
    for inner in (cell.get("config") or {}).get("cells", []) if stacked else [cell]:
        kind = _CELL_LAYERS.get(inner.get("class_name")) if isinstance(inner, dict) else None
        if kind is None:
            return None
        settings = {snake_case(k): v for k, v in (inner.get("config") or {}).items()}
        parts.append((kind, settings | {k: v for k, v in cfg.items() if k != "cell"}))
    return parts or None


def split_cells(weights: Weights, parts: list[tuple[str, dict]]) -> list[Weights]:
    """One RNN layer's arrays -> each cell's: a new cell at each "kernel" when the file names them, else by
    count (kernel, recurrent_kernel, and a bias unless use_bias=False)."""
    if len(parts) == 1:
        return [weights]
    if weights and all(role is not None for role, _ in weights):
        groups: list[Weights] = []
        for role, array in weights:
            if role == "kernel" or not groups:
                groups.append([])
            groups[-1].append((role, array))
    else:
        groups, start = [], 0
        for _, part in parts:
            count = 3 if part.get("use_bias", True) else 2
            groups.append(weights[start : start + count])
            start += count
        groups[-1] += weights[start:]
    groups += [[] for _ in range(len(parts) - len(groups))]  # missing arrays: _take names them
    return groups[: len(parts) - 1] + [sum(groups[len(parts) - 1 :], [])]  # extra ones: _take refuses them
