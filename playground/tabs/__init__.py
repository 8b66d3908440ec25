"""One module per tab. Each `build(...)` creates its components and listeners inside the open Blocks and
returns a `TabView`, so the app can refresh a view after another one changed the shared prompt."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gradio as gr


@dataclass
class TabView:
    """A built tab: how to redraw it, and the events through which it changes the shared prompt."""

    tab: gr.Tab
    refresh_fn: Callable[..., Any] | None = None
    inputs: list[Any] = field(default_factory=list)
    outputs: list[Any] = field(default_factory=list)
    prompt_events: list[Any] = field(default_factory=list)  # Dependencies that rewrote the prompt

    def refresh_after(self, event: Any) -> None:
        """Redraw this view once `event` has finished (e.g. after another tab rewrote the prompt)."""
        if self.refresh_fn is not None:
            event.then(self.refresh_fn, self.inputs, self.outputs, show_progress="hidden", api_visibility="private")
