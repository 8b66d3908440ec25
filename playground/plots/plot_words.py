"""The words the gate plots write, in English (the Chinese is playground/text/plots.py's), and `plot_text`,
which fills them in: plain data, so the text tables read them without loading plotly. plots/style.py
imports them for every picture.
"""

from __future__ import annotations

from collections.abc import Mapping

from lstmlm.cells import ALL_KEYS, any_cell

# a unit's lines' legend: the symbol and the label's first word ("f forget", "C cell"), from lstmlm.cells
LINE_NAMES = {k: f"{any_cell(k).symbol} {any_cell(k).label.split()[0]}" for k in "fiochrzn"}
SIGMOID_GATES = tuple(k for k in ALL_KEYS if any_cell(k).is_sigmoid)  # every cell's σ gates: i f o r z
# Every word the gate plots write, in English; a caller may pass its own `words_text` (i18n.py's
# plot.* keys) and any key it lacks stays English. {fields} are filled in here.
WORDS = {
    "unit": "unit {u}",
    "units": "{n} units",
    "steps": "{unit}s (steps {a}..{b})",
    "word": "word",
    "character": "character",
    "value": "value",
    "gates_panel": "gates {gates} (0 closed, 1 open)",
    "and": " and ",
    "unit_title": "Layer {layer}, unit {unit}",
    "saturation_title": "Gate saturation, layer {layer}",
    "closed": "fraction closed (< 0.1)",
    "open": "fraction open (> 0.9)",
    **{f"line.{g}": name for g, name in LINE_NAMES.items()},
    "signed.c": "cell C<sub>t</sub>",
    "signed.n": "candidate n<sub>t</sub>",
    "signed.h": "hidden h<sub>t</sub>",
    **{f"panel.{k}": any_cell(k).label for k in SIGMOID_GATES},  # "forget gate"
    "kept": "kept  f<sub>t</sub>·C<sub>t-1</sub>",
    "written": "written  i<sub>t</sub>·C̃<sub>t</sub>",
    "cell_line": "C<sub>t</sub> = kept + written",
    "cell_value": "cell value",
    "left_at": "left at step t",
    "written_at": "written at step s",
}


def plot_text(words: Mapping[str, str] | None, key: str, **fields: object) -> str:
    """WORDS[key], or `words`' own text for it, with its {fields} filled in."""
    text = (words or {}).get(key) or WORDS[key]
    return text.format(**fields) if fields else text
