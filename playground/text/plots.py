"""The gate plots' own words (the English: WORDS in playground/plots/style.py) and their Chinese, as
(English, Chinese) pairs under "plot.<word>"; `i18n.plot_words()` gives a page its set."""

from __future__ import annotations

from playground.plots.plot_words import WORDS

ZH_PLOT_WORDS = {
    "unit": "单元 {u}",
    "units": "{n} 个单元",
    "steps": "{unit}（第 {a}..{b} 步）",
    "word": "词",
    "character": "字符",
    "value": "数值",
    "gates_panel": "门 {gates}（0 关闭，1 打开）",
    "and": " 与 ",
    "unit_title": "第 {layer} 层，单元 {unit}",
    "saturation_title": "门的饱和度，第 {layer} 层",
    "closed": "关闭 (< 0.1) 的比例",
    "open": "打开 (> 0.9) 的比例",
    "line.f": "f 遗忘",
    "line.i": "i 输入",
    "line.o": "o 输出",
    "line.c": "C 细胞",
    "line.h": "h 隐藏",
    "line.r": "r 重置",
    "line.z": "z 更新",
    "line.n": "n 候选",
    "signed.c": "细胞状态 C<sub>t</sub>",
    "signed.n": "候选值 n<sub>t</sub>",
    "signed.h": "隐藏状态 h<sub>t</sub>",
    "panel.f": "遗忘门",
    "panel.i": "输入门",
    "panel.o": "输出门",
    "panel.r": "重置门",
    "panel.z": "更新门",
    "kept": "保留  f<sub>t</sub>·C<sub>t-1</sub>",
    "written": "写入  i<sub>t</sub>·C̃<sub>t</sub>",
    "cell_line": "C<sub>t</sub> = 保留 + 写入",
    "cell_value": "细胞值",
    "left_at": "在第 t 步还剩下",
    "written_at": "在第 s 步写入",
}
PAIRS: dict[str, tuple[str, str]] = {f"plot.{k}": (WORDS[k], ZH_PLOT_WORDS[k]) for k in WORDS}
