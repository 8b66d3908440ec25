"""lstmlm: a small, exact library for recurrent (LSTM, GRU, RNN) language models over words or characters.

The names below are loaded on first use (PEP 562 module `__getattr__`), so that importing one plain
module of the package, e.g. `lstmlm.safewords` or `lstmlm.wikitext`, does not load torch: the app's
plots read the classroom word list without the library's model code. `from lstmlm import load_model` and
`lstmlm.load_model` work as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lstmlm.lazy import lazy_attributes

if TYPE_CHECKING:  # what the names are, for type checkers and editors
    from lstmlm.checkpoint import CheckpointError, load_model, save_model
    from lstmlm.model import LanguageModel, ModelConfig
    from lstmlm.vocab import Vocab, detokenize, tokenize

# public name -> the module that defines it
_HOMES = {
    "CheckpointError": "lstmlm.checkpoint",
    "load_model": "lstmlm.checkpoint",
    "save_model": "lstmlm.checkpoint",
    "LanguageModel": "lstmlm.model",
    "ModelConfig": "lstmlm.model",
    "Vocab": "lstmlm.vocab",
    "detokenize": "lstmlm.vocab",
    "tokenize": "lstmlm.vocab",
}
__all__ = [
    "CheckpointError",
    "LanguageModel",
    "ModelConfig",
    "Vocab",
    "detokenize",
    "load_model",
    "save_model",
    "tokenize",
]
__version__ = "0.1.0"

__getattr__, __dir__ = lazy_attributes(globals(), _HOMES)
