"""The Units endpoints (`unit_search`, `unit_atlas`): JSON in and out, the numbers the Units tab shows.
Registered with `gr.api`, which reads the parameters from the type hints (so no
`from __future__ import annotations` here). Bad input raises `gr.Error` saying what to change.
"""

from lstmlm.model import LanguageModel
from playground.api import add_endpoints, rejecting_bad_input
from playground.views.units import atlas_unit, unit_search_json


def register(model: LanguageModel, atlas: dict | None = None) -> None:
    """Add the two endpoints to the Blocks being built; `atlas` is the model's (None: it has none)."""

    @rejecting_bad_input
    def unit_search(
        prompt: str,
        layer: int = 0,
        span_start: int = 0,
        span_stop: int = 1,
        signal: str = "h",
        k: int = 10,
        method: str = "mean",
    ) -> dict:
        """Units of `layer` whose `signal` (h or c; a GRU or plain RNN: h) is high in steps [span_start,
        span_stop) (0-based, stop excluded) and low outside ("high"), and the reverse ("low"); method "mean"
        or "minmax"."""
        return unit_search_json(
            model, prompt, int(layer), int(span_start), int(span_stop), signal, int(k), method
        )

    @rejecting_bad_input
    def unit_atlas(layer: int = 0, unit: int = 0) -> dict:
        """One unit's top contexts in the atlas corpus: h_high, h_low, c_high, c_low, each a list of
        {before, word, after, value}."""
        return atlas_unit(atlas, int(layer), int(unit))

    add_endpoints(unit_search, unit_atlas)
