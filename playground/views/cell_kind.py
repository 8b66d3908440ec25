"""Which recurrent cell the app's model has, in words, and the views that only make sense for an LSTM.

Intervene pins the LSTM's gates and cell, Equations & memory fills in its equations and follows its cell:
for a GRU or a plain RNN those views say so (in the tab, and as the endpoint's error message) and point to
the views that show the model's own quantities. No gradio here.
"""

from __future__ import annotations

import html

from lstmlm.cells import CELL_NAMES
from lstmlm.model import LanguageModel
from playground.text import words_in

# the words, English beside Chinese, are text/tabs.py's lstmonly.* (view, what it does, what a cell has)
HAS = {"gru": "gru", "rnn_tanh": "rnn", "rnn_relu": "rnn"}  # cell -> its lstmonly.has.* key


def named_cell(cell: str, lang: str = "en") -> str:
    """The name of cell kind `cell` in `lang` ('zh' Chinese, else English): 'LSTM', 'plain RNN (tanh)',
    '普通 RNN（tanh）' (text/cells.py; its English is lstmlm.cells.CELL_NAMES). An unknown kind as written."""
    return words_in(lang, f"cell.{cell}") if cell in CELL_NAMES else cell


def cell_name(model: LanguageModel, lang: str = "en") -> str:
    """'LSTM', 'GRU' or 'plain RNN (tanh)', in `lang`."""
    return named_cell(model.config.cell, lang)


def model_size(model: LanguageModel, lang: str = "en") -> str:
    """'2 × 256 GRU': layers, units per layer and cell, in `lang`."""
    cfg = model.config
    return f"{cfg.num_layers} × {cfg.hidden_dim} {cell_name(model, lang)}"


def model_size_html(model: LanguageModel) -> str:
    """`model_size` for a text built once for both languages (the header, Learn): `both_languages`."""
    return both_languages(model_size(model, "en"), model_size(model, "zh"))


def both_languages(en: str, zh: str) -> str:
    """HTML for a name inside a line built once for both languages: `en`, and where `zh` differs, both in
    spans the page's CSS shows by its language (app.py: span.lp-lang-zh). Both are escaped."""
    en, zh = html.escape(en), html.escape(zh)
    return en if en == zh else f'<span class="lp-lang-en">{en}</span><span class="lp-lang-zh">{zh}</span>'


def is_lstm(model: LanguageModel) -> bool:
    return model.config.cell == "lstm"


def lstm_only_message(model: LanguageModel, view: str, lang: str = "en") -> str:
    """Why `view` (intervene | equations) cannot show this model, and where to look instead, in `lang`
    ('zh' Chinese, else English)."""
    cell = model.config.cell
    return words_in(
        lang,
        "lstmonly.text",
        view=words_in(lang, f"lstmonly.view.{view}"),
        does=words_in(lang, f"lstmonly.does.{view}"),
        cell=cell_name(model, lang),
        has=words_in(lang, f"lstmonly.has.{HAS.get(cell, 'other')}"),
        own=words_in(lang, "lstmonly.own.hidden" if cell.startswith("rnn") else "lstmonly.own.gates"),
    )


def check_lstm(model: LanguageModel, view: str) -> None:
    """ValueError with `lstm_only_message` unless the model is an LSTM."""
    if not is_lstm(model):
        raise ValueError(lstm_only_message(model, view))
