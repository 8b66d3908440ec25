"""The `equations` scripting endpoint: JSON in and out, the same numbers the Equations & memory tab draws.
Registered with `gr.api`, which reads the endpoint's parameters from the type hints (so no
`from __future__ import annotations` here: gradio needs the real types). Bad input raises `gr.Error` with a
message that says what to change. The equations are the LSTM's: for a GRU or plain RNN it raises
`gr.Error` saying so (`cell_kind.check_lstm`).
"""

from lstmlm.model import LanguageModel
from playground.api import add_endpoints, rejecting_bad_input
from playground.views.cell_kind import check_lstm
from playground.views.equations import equations_json


def register(model: LanguageModel) -> None:
    """Add the `equations` endpoint to the Blocks being built."""

    @rejecting_bad_input
    def equations(
        prompt: str, layer: int = 0, step: int = -1, unit: int = 0, digits: int = 4, lang: str = "en"
    ) -> dict:
        """The LSTM equations of one unit at one step (-1 = the last word) with their numbers, as LaTeX
        (lang en or zh), and the unit's kept/written memory over the prompt."""
        check_lstm(model, "equations")
        return equations_json(model, prompt, layer, step, unit, digits, lang)

    add_endpoints(equations)
