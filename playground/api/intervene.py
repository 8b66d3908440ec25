"""The scripting endpoints of the explaining views (`intervene`, `equations`, `counterfactual`): JSON in
and out, the same numbers the tabs draw. Registered with `gr.api`, which reads each endpoint's parameters
from the type hints (so no `from __future__ import annotations` here: gradio needs the real types).

Bad input raises `gr.Error` with a message that says what to change. Intervene and Equations are about the
LSTM's gates and cell: for a GRU or plain RNN they raise `gr.Error` saying so (`cells.lstm_only_message`).
"""

import gradio as gr

from lstmlm.model import LanguageModel
from playground.api import MODEL_CONCURRENCY, _user_error, classroom_safe
from playground.views.cell_kind import check_lstm
from playground.views.intervene import (
    DEFAULT_PAIR,
    InterventionRequest,
    counterfactual_json,
    equations_json,
    run_intervention,
)


def register(model: LanguageModel) -> None:
    """Add the three endpoints to the Blocks being built."""

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
        try:
            check_lstm(model, "intervene")
            req = InterventionRequest(layer, units, unit_list, top_n, statistic, steps, action, value)
            return run_intervention(model, prompt, req, n_words, seed, k).to_json()
        except (ValueError, TypeError) as e:
            raise _user_error(e) from None

    def equations(
        prompt: str, layer: int = 0, step: int = -1, unit: int = 0, digits: int = 4, lang: str = "en"
    ) -> dict:
        """The LSTM equations of one unit at one step (-1 = the last word) with their numbers, as LaTeX
        (lang en or zh), and the unit's kept/written memory over the prompt."""
        try:
            check_lstm(model, "equations")
            return equations_json(model, prompt, layer, step, unit, digits, lang)
        except (ValueError, TypeError) as e:
            raise _user_error(e) from None

    def counterfactual(
        prompt_a: str = DEFAULT_PAIR[0], prompt_b: str = DEFAULT_PAIR[1], layer: int = 0, k: int = 10
    ) -> dict:
        """Two prompts compared position by position: mean |B - A| of f, i, o, g, c, h (a GRU's r, z, n, h; a
        plain RNN's h) per step of one layer, the first differing step, and both next-word distributions with
        the words that changed most."""
        try:
            return counterfactual_json(model, prompt_a, prompt_b, layer, k)
        except (ValueError, TypeError) as e:
            raise _user_error(e) from None

    for fn, name in ((intervene, "intervene"), (equations, "equations"), (counterfactual, "counterfactual")):
        gr.api(classroom_safe(fn), api_name=name, concurrency_limit=2, concurrency_id=MODEL_CONCURRENCY)
