"""The `surprisal` endpoint: JSON in and out, the numbers the Surprisal tab shows. Registered with `gr.api`,
which reads the parameters from the type hints (so no `from __future__ import annotations` here). Bad input
raises `gr.Error` saying what to change.
"""

from lstmlm.model import LanguageModel
from playground.api import add_endpoints, rejecting_bad_input
from playground.views.surprisal import surprisal_json


def register(model: LanguageModel) -> None:
    """Add the endpoint to the Blocks being built."""

    @rejecting_bad_input
    def surprisal(prompt: str, k: int = 5) -> dict:
        """Per word of the prompt (read from a line start): probability, rank, GLTR bucket (top-10,
        top-100, top-1000, beyond), surprisal in bits and the top-k words expected instead; perplexity."""
        return surprisal_json(model, prompt, int(k))

    add_endpoints(surprisal)
