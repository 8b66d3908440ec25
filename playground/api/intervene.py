"""The `intervene` scripting endpoint: JSON in and out, the same numbers the Intervene tab draws.
Registered with `gr.api`, which reads the endpoint's parameters from the type hints (so no
`from __future__ import annotations` here: gradio needs the real types). Bad input raises `gr.Error` with a
message that says what to change. Intervene is about the LSTM's gates and cell: for a GRU or plain RNN
it raises `gr.Error` saying so (`cell_kind.check_lstm`).
"""

from lstmlm.model import LanguageModel
from playground.api import add_endpoints, rejecting_bad_input
from playground.views.cell_kind import check_lstm
from playground.views.intervene import InterventionRequest, run_intervention


def register(model: LanguageModel) -> None:
    """Add the `intervene` endpoint to the Blocks being built."""

    @rejecting_bad_input
    def intervene(
        prompt: str,
        layer: int = 0,
        action: str = "pin_forget",
        value: float = 0.0,
        units: str = "all",
        unit_list: str = "0-9",
        top_n: int = 10,
        statistic: str = "mean_abs_c",
        steps: str = "0-",
        n_words: int = 20,
        seed: int = 0,
        k: int = 10,
    ) -> dict:
        """Next words before/after an intervention on one layer (action: pin_forget, pin_input, pin_output,
        zero_candidate, set_cell; units: all, list (unit_list "3,5,10-19") or top (top_n by statistic);
        steps "4", "2-6" or "4-"), the words that moved most, and n_words generated with and without it."""
        check_lstm(model, "intervene")
        req = InterventionRequest(layer, units, unit_list, top_n, statistic, steps, action, value)
        return run_intervention(model, prompt, req, n_words, seed, k).to_json()

    add_endpoints(intervene)
