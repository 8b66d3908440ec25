"""The Equations & memory tab's words and the cell diagram's, as (English, Chinese) pairs."""

from __future__ import annotations

from playground.plots import cell_diagram

PAIRS: dict[str, tuple[str, str]] = {
    "tab.equations": ("Equations & memory", "方程与记忆"),
    "eq.empty": ("Type a prompt to see the equations.", "输入文本，看这些方程。"),
    "eq.open_tab": ("Open this tab to fill in the equations.", "打开这个标签页来填入方程。"),
    "eq.step.word": ("Word (step)", "词（步）"),
    "eq.step.character": ("Character (step)", "字符（步）"),
    "eq.name": ("layer {layer}, unit {unit}", "第 {layer} 层，单元 {unit}"),
    "eq.stack_title": ("Kept vs written memory · {name}", "保留与写入的记忆 · {name}"),
    "eq.horizon_title": (
        "Memory horizon · {name}: share of a write left later",
        "记忆的跨度 · {name}：写入的内容之后还剩多少",
    ),
    "eq.note": ("Note.", "注意。"),
    "eq.memory_caption.word": (
        "Kept against written memory of this unit at every word; the horizon: row s, column t = "
        "f<sub>s+1</sub>·…·f<sub>t</sub>, the share of what was written at step s that is still in the cell "
        "at step t (at most the last 60 words).",  # views/equations.MAX_MEMORY_STEPS (a test checks)
        "这个单元在每个词上保留的记忆与写入的记忆；记忆跨度：第 s 行、第 t 列 = "
        "f<sub>s+1</sub>·…·f<sub>t</sub>，"
        "即第 s 步写入的内容到第 t 步还留在细胞里的比例（最多显示最后 60 个词）。",
    ),
    "eq.memory_caption.character": (
        "Kept against written memory of this unit at every character; the horizon: row s, column t = "
        "f<sub>s+1</sub>·…·f<sub>t</sub>, the share of what was written at step s that is still in the cell "
        "at step t (at most the last 60 characters).",  # views/equations.MAX_MEMORY_STEPS (a test checks)
        "这个单元在每个字符上保留的记忆与写入的记忆；记忆跨度：第 s 行、第 t 列 = "
        "f<sub>s+1</sub>·…·f<sub>t</sub>，"
        "即第 s 步写入的内容到第 t 步还留在细胞里的比例（最多显示最后 60 个字符）。",
    ),
    "diagram.heading": (
        cell_diagram.WORDS["heading"],
        "第 {layer} 层 · 单元 {unit} · 第 {step} 步：“{word}”",
    ),
    "diagram.word": (cell_diagram.WORDS["word"], "词 “{word}”"),
    "diagram.word.character": ("the character “{word}”", "字符 “{word}”"),
    "diagram.heading_all": (
        cell_diagram.WORDS["heading_all"],
        "第 {layer} 层 · 全部 {units} 个单元 · 第 {step} 步：“{word}”",
    ),
    "diagram.back": ("◀ Previous word", "◀ 上一个词"),
    "diagram.back.character": ("◀ Previous character", "◀ 上一个字符"),
    "diagram.forward": ("Next word ▶", "下一个词 ▶"),
    "diagram.forward.character": ("Next character ▶", "下一个字符 ▶"),
    "diagram.play": ("▶ Play", "▶ 播放"),
    "diagram.stop": ("■ Stop", "■ 停止"),
    "diagram.mode": ("The diagram shows", "图中显示"),
    "diagram.mode_one": ("the chosen unit", "所选的单元"),
    "diagram.mode_all": ("all units (one bar each)", "全部单元（每个一根柱）"),
    "diagram.click": (
        "The cell with this word's numbers: click a part (a gate, ×, +, tanh) to highlight its equation.",
        "这个词上细胞的数值：点击图中的一个部分（门、×、+、tanh），突出显示它的方程。",
    ),
    "diagram.click.character": (
        "The cell with this character's numbers: click a part (a gate, ×, +, tanh) to highlight its "
        "equation.",
        "这个字符上细胞的数值：点击图中的一个部分（门、×、+、tanh），突出显示它的方程。",
    ),
    # a GRU's or plain RNN's equations (views/cell_diagram.py, other_cell_latex)
    "cells.title": (
        "Layer {layer}, unit {unit}, step {step} ({word})",
        "第 {layer} 层，第 {unit} 个单元，第 {step} 步（{word}）",
    ),
    "cells.r": ("Reset gate: how much of the old state the candidate sees", "重置门：候选状态看到多少旧状态"),
    "cells.z": ("Update gate: how much of the old state to keep", "更新门：保留多少旧状态"),
    "cells.n": ("Candidate: what could be written", "候选状态：可以写入的内容"),
    "cells.h_gru": (
        "Hidden state: the old state kept plus the candidate written (its memory and its output)",
        "隐藏状态：保留的旧状态加上写入的候选状态（它既是记忆也是输出）",
    ),
    "cells.h_rnn": (
        "Hidden state: the only thing a plain RNN carries from word to word",
        "隐藏状态：普通 RNN 从一个词带到下一个词的唯一内容",
    ),
    "cells.h_rnn.character": (
        "Hidden state: the only thing a plain RNN carries from character to character",
        "隐藏状态：普通 RNN 从一个字符带到下一个字符的唯一内容",
    ),
    "cells.no_memory": (
        "The kept-against-written memory plots follow an LSTM's cell state; this model has none.",
        "“保留与写入的记忆”图跟随 LSTM 的细胞状态；这个模型没有细胞状态。",
    ),
    "eq.cannot_because": ("Cannot show these equations: {reason}", "无法显示这些方程：{reason}"),
}
