"""The `counterfactual` scripting endpoint: JSON in and out, the same numbers the Counterfactual tab draws.
Registered with `gr.api`, which reads the endpoint's parameters from the type hints (so no
`from __future__ import annotations` here: gradio needs the real types). Bad input raises `gr.Error` with a
message that says what to change.
"""

from lstmlm.model import LanguageModel
from playground.api import add_endpoints, rejecting_bad_input
from playground.views.counterfactual import DEFAULT_PAIR, counterfactual_json


def register(model: LanguageModel) -> None:
    """Add the `counterfactual` endpoint to the Blocks being built."""

    @rejecting_bad_input
    def counterfactual(
        prompt_a: str = DEFAULT_PAIR[0], prompt_b: str = DEFAULT_PAIR[1], layer: int = 0, k: int = 10
    ) -> dict:
        """Two prompts compared position by position: mean |B - A| of f, i, o, g, c, h (a GRU's r, z, n, h; a
        plain RNN's h) per step of one layer, the first differing step, and both next-word distributions with
        the words that changed most."""
        return counterfactual_json(model, prompt_a, prompt_b, layer, k)

    add_endpoints(counterfactual)
