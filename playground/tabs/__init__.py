"""One module per tab. Each `build(...)` creates its components and listeners inside the open Blocks and
returns a `TabView`, which tells the app how to draw the tab on page load.

Views follow the shared prompt with `prompt.change` (trigger_mode="always_last"), not `.input`: Gradio 6's
Textbox fires `.input` from its key handler, so a paste (Ctrl+V or the mouse menu) never reaches `.input`
with the new text. No handler writes the prompt from a `.change`, so nothing loops; and a view redraws by
itself when another tab rewrites the prompt (a clicked word, an example, generated text)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gradio as gr


@dataclass
class TabView:
    """A built tab, and how to draw it (`refresh_fn(*inputs) -> outputs`; None if it draws nothing)."""

    tab: gr.Tab
    refresh_fn: Callable[..., Any] | None = None
    inputs: list[Any] = field(default_factory=list)
    outputs: list[Any] = field(default_factory=list)
    controls: dict[str, Any] = field(default_factory=dict)  # settings a shared link restores, by name
