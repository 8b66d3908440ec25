"""lstmlm: a small, exact library for recurrent (LSTM, GRU, RNN) language models over words or characters.

The names below are loaded on first use (PEP 562 module `__getattr__`), so that importing one plain
module of the package, e.g. `lstmlm.safewords` or `lstmlm.wikitext`, does not load torch: the app's
plots read the classroom word list without the library's model code. `from lstmlm import load_model` and
`lstmlm.load_model` work as before.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

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


def __getattr__(name: str) -> object:
    """A public name of the package (imported from its module on first use), or a submodule
    (`lstmlm.checkpoint` after a bare `import lstmlm`). AttributeError for anything else."""
    if name in _HOMES:
        value = getattr(import_module(_HOMES[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    if not name.startswith("_"):
        try:
            return import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise  # the submodule exists but one of its own imports is missing
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
