"""Which recurrent cell the app's model has, in words, and the views that only make sense for an LSTM.

Intervene pins the LSTM's gates and cell, Equations & memory fills in its equations and follows its cell:
for a GRU or a plain RNN those views say so (in the tab, and as the endpoint's error message) and point to
the views that show the model's own quantities. No gradio here.
"""

from __future__ import annotations

from lstmlm.cells import CELL_NAMES
from lstmlm.model import LanguageModel

VIEW_NAMES = {"intervene": "Intervene", "equations": "Equations & memory"}
LSTM_ONLY = {  # view -> what it does that needs an LSTM
    "intervene": "pins an LSTM's gates (forget, input, output) and its cell state",
    "equations": "fills in an LSTM's equations and follows its cell state over time",
}
HAS = {  # cell -> what it has instead
    "gru": "a reset gate r, an update gate z and a candidate n, and no separate cell",
    "rnn_tanh": "no gates and no cell, only its hidden state h",
    "rnn_relu": "no gates and no cell, only its hidden state h",
}


def cell_name(model: LanguageModel) -> str:
    """'LSTM', 'GRU' or 'plain RNN (tanh)'."""
    cell = model.config.cell
    return CELL_NAMES.get(cell, cell)


def model_size(model: LanguageModel) -> str:
    """'2 × 256 GRU': layers, units per layer and cell."""
    cfg = model.config
    return f"{cfg.num_layers} × {cfg.hidden_dim} {cell_name(model)}"


def is_lstm(model: LanguageModel) -> bool:
    return model.config.cell == "lstm"


def lstm_only_message(model: LanguageModel, view: str) -> str:
    """Why `view` (intervene | equations) cannot show this model, and where to look instead."""
    cell = model.config.cell
    return (
        f"The {VIEW_NAMES[view]} view {LSTM_ONLY[view]}; this model is a {cell_name(model)}, which has "
        f"{HAS.get(cell, 'other quantities')}. Open Gates & memory to see its own "
        f"{'hidden state' if cell.startswith('rnn') else 'gates'}, or Compare to put it beside an LSTM."
    )


def check_lstm(model: LanguageModel, view: str) -> None:
    """ValueError with `lstm_only_message` unless the model is an LSTM."""
    if not is_lstm(model):
        raise ValueError(lstm_only_message(model, view))
