"""The `gradient_flow` endpoint: JSON in and out, the numbers the Gradient-flow tab shows. Registered with
`gr.api`, which reads the parameters from the type hints (so no `from __future__ import annotations`
here). Bad input raises `gr.Error`.
"""

from collections.abc import Sequence

from playground.api import add_endpoints, rejecting_bad_input
from playground.views.gradient import flow_json
from playground.views.lineup import Entry


def register(lineup: Sequence[Entry]) -> None:
    """Add the endpoint to the Blocks being built."""

    @rejecting_bad_input
    def gradient_flow(prompt: str) -> dict:
        """For every model: the norm of the gradient of log p(last word of the prompt) with respect to the
        embedding of the word `distance` words back, and the shipped average over validation snippets."""
        return flow_json(lineup, prompt)

    add_endpoints(gradient_flow)
