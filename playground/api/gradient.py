"""The `gradient_flow` endpoint: JSON in and out, the numbers the Gradient-flow tab shows. Registered with
`gr.api`, which reads the parameters from the type hints (so no `from __future__ import annotations`
here). Bad input raises `gr.Error`.
"""

from collections.abc import Sequence

import gradio as gr

from playground.api import MODEL_CONCURRENCY, classroom_safe, user_error
from playground.views.gradient import flow_json
from playground.views.lineup import Entry


def register(lineup: Sequence[Entry]) -> None:
    """Add the endpoint to the Blocks being built."""

    def gradient_flow(prompt: str) -> dict:
        """For every model: the norm of the gradient of log p(last word of the prompt) with respect to the
        embedding of the word `distance` words back, and the shipped average over validation snippets."""
        try:
            return flow_json(lineup, prompt)
        except (ValueError, TypeError) as e:
            raise user_error(e) from None

    gr.api(
        classroom_safe(gradient_flow),
        api_name="gradient_flow",
        concurrency_limit=2,
        concurrency_id=MODEL_CONCURRENCY,
    )
