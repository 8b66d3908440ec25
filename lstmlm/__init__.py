"""lstmlm: a small, exact library for recurrent (LSTM, GRU, RNN) language models over words or characters."""

from lstmlm.checkpoint import CheckpointError, load_model, save_model
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.vocab import Vocab, detokenize, tokenize

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
