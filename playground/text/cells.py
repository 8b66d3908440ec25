"""The recurrent cells' names (lstmlm/cells.py CELL_NAMES, whose English these keys repeat), as (English,
Chinese) pairs: the model picker, the header, Compare's lines and any message naming a model's cell."""

PAIRS: dict[str, tuple[str, str]] = {
    "cell.lstm": ("LSTM", "LSTM"),
    "cell.gru": ("GRU", "GRU"),
    "cell.rnn_tanh": ("plain RNN (tanh)", "普通 RNN（tanh）"),
    "cell.rnn_relu": ("plain RNN (relu)", "普通 RNN（relu）"),
}
