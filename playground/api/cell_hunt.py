"""The `cell_hunt` endpoint: the units whose cell c or hidden state h best predict a track of the text
(the Cell-hunt view's numbers). Registered with `gr.api`, which reads the parameters from the type hints
(so no `from __future__ import annotations` here). Bad input raises `gr.Error` saying what to change."""

from lstmlm.model import LanguageModel
from playground.api import add_endpoints, rejecting_bad_input, whole_number
from playground.views.cell_hunt import cell_hunt_json, default_text


def register(model: LanguageModel, cache: dict | None = None) -> None:
    """Add the endpoint to the Blocks being built; `cache` is the model's cached ranking (None: none)."""

    @rejecting_bad_input
    def cell_hunt(
        text: str = "", track: str = "quote", regex: str = "", over: str = "text", k: int = 5
    ) -> dict:
        """Units ranked for `track` (quote, paren, line_pos, word_pos, sentence_start, sentence_pos,
        line_wrap, or regex with `regex`) over the model's cached validation text (over="validation") or
        over `text` (empty: the view's default passage). Returns the k best units overall and per layer
        ({layer, signal, unit, score, statistic: AUC or Pearson r, direction, marked_mean}), the text's
        tokens, the track over them, the best unit's values and the Intervene settings for it."""
        return cell_hunt_json(
            model, text or default_text(cache), track, regex, over, cache, whole_number(k, "k")
        )

    add_endpoints(cell_hunt)
