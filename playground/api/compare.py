"""The Compare endpoints (`compare`, `long_range`): JSON in and out, the numbers the Compare tab shows.
Registered with `gr.api`, which reads the parameters from the type hints (so no
`from __future__ import annotations` here). Bad input raises `gr.Error`.
"""

from collections.abc import Sequence

from playground.api import add_endpoints, rejecting_bad_input, whole_number
from playground.views.compare import compare_json, probe_json
from playground.views.lineup import Entry


def register(lineup: Sequence[Entry]) -> None:
    """Add the two endpoints to the Blocks being built."""

    @rejecting_bad_input
    def compare(prompt: str, k: int = 10) -> dict:
        """The prompt (read from a line start) through every model: its top-k next words, the entropy of
        its next-word distribution, its perplexity and bits per word on the prompt, its test perplexity."""
        return compare_json(lineup, prompt, whole_number(k, "k"))

    @rejecting_bad_input
    def long_range(probe: str = "parenthesis") -> dict:
        """A long-range probe ("parenthesis", "quote" or "agreement") scored in bits for every model at
        every distance (0 = forgotten, positive = remembered)."""
        return probe_json(lineup, probe)

    add_endpoints(compare, long_range)
