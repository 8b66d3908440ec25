"""Arrays in, plotly Figure out (no gradio, no torch): the shared style and the pictures by kind.

`from playground import plots` gives the shared pictures under one name (`plots.gate_heatmap`,
`plots.next_word_bars`), as the tests and the notebook use them; app code imports from the module
itself (plots/words.py, plots/gates.py). Each view's own pictures stay in their module; those of
Intervene, Equations and Counterfactual are listed here too, for the tests that draw them under one name.
The names load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lstmlm.lazy import lazy_attributes

if TYPE_CHECKING:  # what the names are, for type checkers and editors
    from playground.plots.counterfactual import difference_lines
    from playground.plots.equations import horizon_heatmap, memory_stack
    from playground.plots.gates import gate_heatmap, saturation_scatter, unit_lines, unit_panels
    from playground.plots.intervene import before_after_bars, moved_bars
    from playground.plots.style import LINE_NAMES, WORDS, placeholder, text_label, unique_labels
    from playground.plots.words import grouped_probability_bars, next_word_bars, reshaping_bars

# public name -> the module that draws it; imported on first use (PEP 562), so that a view importing one
# plain module of plots (cell_diagram, cell_hunt_text) does not load plotly with every picture
_HOMES = {
    "difference_lines": "playground.plots.counterfactual",
    "horizon_heatmap": "playground.plots.equations",
    "memory_stack": "playground.plots.equations",
    "gate_heatmap": "playground.plots.gates",
    "saturation_scatter": "playground.plots.gates",
    "unit_lines": "playground.plots.gates",
    "unit_panels": "playground.plots.gates",
    "before_after_bars": "playground.plots.intervene",
    "moved_bars": "playground.plots.intervene",
    "LINE_NAMES": "playground.plots.style",
    "WORDS": "playground.plots.style",
    "placeholder": "playground.plots.style",
    "text_label": "playground.plots.style",
    "unique_labels": "playground.plots.style",
    "grouped_probability_bars": "playground.plots.words",
    "next_word_bars": "playground.plots.words",
    "reshaping_bars": "playground.plots.words",
}

__all__ = [
    "LINE_NAMES",
    "WORDS",
    "before_after_bars",
    "difference_lines",
    "gate_heatmap",
    "grouped_probability_bars",
    "horizon_heatmap",
    "memory_stack",
    "moved_bars",
    "next_word_bars",
    "placeholder",
    "reshaping_bars",
    "saturation_scatter",
    "text_label",
    "unique_labels",
    "unit_lines",
    "unit_panels",
]

__getattr__, __dir__ = lazy_attributes(globals(), _HOMES)
