"""The Equations & memory tab's words and the cell diagram's, as (English, Chinese) pairs."""

from __future__ import annotations

from playground.plots import cell_diagram
from playground.views.equations import MAX_MEMORY_STEPS

PAIRS: dict[str, tuple[str, str]] = {
    "tab.equations": ("Equations & memory", "方程与记忆"),
    "eq.empty": ("Type a prompt to see the equations.", "输入文本，看这些方程。"),
    "eq.open_tab": ("Open this tab to fill in the equations.", "打开这个标签页来填入方程。"),
    "eq.step": ("Word (step)", "词（步）"),
    "eq.name": ("layer {layer}, unit {unit}", "第 {layer} 层，单元 {unit}"),
    "eq.stack_title": ("Kept vs written memory · {name}", "保留与写入的记忆 · {name}"),
    "eq.horizon_title": (
        "Memory horizon · {name}: share of a write left later",
        "记忆的跨度 · {name}：写入的内容之后还剩多少",
    ),
    "eq.note": ("Note.", "注意。"),
    "eq.memory_caption": (
        "Kept against written memory of this unit at every word; the horizon: row s, column t = "
        "f<sub>s+1</sub>·…·f<sub>t</sub>, the share of what was written at step s that is still in the cell "
        f"at step t (at most the last {MAX_MEMORY_STEPS} words).",
        "这个单元在每个词上保留的记忆与写入的记忆；记忆跨度：第 s 行、第 t 列 = "
        "f<sub>s+1</sub>·…·f<sub>t</sub>，"
        f"即第 s 步写入的内容到第 t 步还留在细胞里的比例（最多显示最后 {MAX_MEMORY_STEPS} 个词）。",
    ),
    "diagram.heading": (
        cell_diagram.WORDS["heading"],
        "第 {layer} 层 · 单元 {unit} · 第 {step} 步：“{word}”",
    ),
    "diagram.word": (cell_diagram.WORDS["word"], "词 “{word}”"),
}
