"""Arrays in, plotly Figure out (no gradio, no torch): the shared style and the pictures by kind.

`from playground import plots` gives the shared pictures under one name (`plots.gate_heatmap`,
`plots.next_word_bars`), as the tests and the notebook use them; app code imports from the module
itself (plots/words.py, plots/gates.py). Each view's own pictures stay in their module; those of Intervene,
Equations and Counterfactual are listed here too, for the tests that draw them under one name.
"""

from playground.plots.counterfactual import difference_lines
from playground.plots.equations import horizon_heatmap, memory_stack
from playground.plots.gates import gate_heatmap, saturation_scatter, unit_lines, unit_panels
from playground.plots.intervene import before_after_bars, moved_bars
from playground.plots.style import LINE_NAMES, WORDS, placeholder, text_label, unique_labels
from playground.plots.words import grouped_probability_bars, next_word_bars, reshaping_bars

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
