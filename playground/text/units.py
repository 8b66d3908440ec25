"""The Units tab's words, as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.units": ("Units", "单元"),
    "units.pick": ("Pick a unit from the lists to see its trace.", "从列表中选一个单元，看它的轨迹。"),
    "units.no_prompt": ("Type a prompt to see the unit's trace.", "输入一段文本，看这个单元的轨迹。"),
    "units.empty": ("Type a prompt to search its units.", "输入一段文本来搜索它的单元。"),
    "units.cannot_search": ("Cannot search: {error}", "无法搜索：{error}"),
    "units.cannot_count": ("Cannot find counter units: {error}", "找不到计数单元：{error}"),
    "units.layer": ("Layer", "层"),
    "units.signal": ("Signal", "信号"),
    "units.signal.h": ("hidden state h", "隐藏状态 h"),
    "units.signal.c": ("cell state C", "细胞状态 C"),
    "units.score": ("Score", "评分"),
    "units.score.mean": ("mean inside − mean outside", "范围内平均 − 范围外平均"),
    "units.score.minmax": ("min inside − max outside", "范围内最小 − 范围外最大"),
    "units.numbered.word": (
        "Your words, numbered from 0 (the step t, as Intervene and Equations & memory count): select a range",
        "你的词，从 0 开始编号（即第 t 步，与“干预”和“方程与记忆”一致）：选其中一段范围",
    ),
    "units.numbered.character": (
        "Your characters, numbered from 0 (the step t, as Intervene and Equations & memory count): select a "
        "range",
        "你的字符，从 0 开始编号（即第 t 步，与“干预”和“方程与记忆”一致）：选其中一段范围",
    ),
    "units.span.word": ("Words (e.g. 3-7)", "词的范围（例如 3-7）"),
    "units.span.character": ("Characters (e.g. 3-7)", "字符的范围（例如 3-7）"),
    "units.find": ("Find units", "查找单元"),
    "units.high": ("High inside the span, low outside", "范围内高、范围外低"),
    "units.low": ("Low inside the span, high outside", "范围内低、范围外高"),
    "units.find_counters": ("Find counter units", "查找计数单元"),
    "units.counters": (
        "Counter units: cell state C that grows (or falls) steadily with the position in the text, by r² x "
        "growth",
        "计数单元：细胞状态 C 随文本中的位置稳定增长（或下降）的单元，按 r² × 增长量排序",
    ),
    "units.unit": ("Unit", "单元"),
    "units.atlas": (
        "Unit atlas: where this unit fires in the corpus",
        "单元图谱：这个单元在语料中的什么地方激活",
    ),
    "units.no_atlas": (
        "This model has no unit atlas yet. Build it once with `lstmlm index --model DIR --data valid.txt` "
        "(`DIR`: the model directory; `valid.txt`: text of the kind the model learned from, held out of its "
        "training), then restart the playground.",
        "这个模型还没有单元图谱。用 `lstmlm index --model DIR --data valid.txt` 构建一次"
        "（`DIR`：模型目录；`valid.txt`：与模型所学文本同类、但没用于训练的文本），然后重新启动本应用。",
    ),
    "units.lines_title": (
        "Layer {layer}, unit {unit} · the selected {step}s are shaded",
        "第 {layer} 层，单元 {unit} · 选中的{step}加了底色",
    ),
    "units.choice": (
        "unit {unit} · {score} (inside {inside}, outside {outside})",
        "单元 {unit} · {score}（范围内 {inside}，范围外 {outside}）",
    ),
    "units.counter_choice": (
        "unit {unit} · C {slope}/{step}, r {r} ({growth} over the text)",
        "单元 {unit} · C 每{step} {slope}，r {r}（全文共 {growth}）",
    ),
    "units.atlas.h_high": ("Highest hidden state h", "隐藏状态 h 最高处"),
    "units.atlas.h_low": ("Lowest hidden state h", "隐藏状态 h 最低处"),
    "units.atlas.c_high": ("Highest cell state C", "细胞状态 C 最高处"),
    "units.atlas.c_low": ("Lowest cell state C", "细胞状态 C 最低处"),
    "units.atlas_head": (
        "Layer {layer}, unit {unit}: the contexts of {source} ({words} {step}s) where it was highest and "
        "lowest; the highlighted {step} is the step, the {step}s before it are what the model had read.",
        "第 {layer} 层，单元 {unit}：{source}（{words} 个{step}）中它最高和最低的上下文；"
        "高亮的{step}是那一步，它前面的{step}是模型已经读过的。",
    ),
}
