"""The Gates & memory tab's words (and the gate names other tabs show), as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.gates": ("Gates & memory", "门与记忆"),
    "gates.layer": ("Layer", "层"),
    "gates.show": ("Show", "显示"),
    "gates.order": ("Order units by", "单元排序方式"),
    "gates.unit": ("Unit", "单元"),
    "gates.top": ("Pick the top unit of this order", "选出此排序的第一个单元"),
    "gate.f": ("forget gate f", "遗忘门 f"),
    "gate.i": ("input gate i", "输入门 i"),
    "gate.o": ("output gate o", "输出门 o"),
    "gate.g": ("candidate C̃", "候选值 C̃"),
    "gate.c": ("cell state C", "细胞状态 C"),
    "gate.h": ("hidden state h", "隐藏状态 h"),
    "gate.r": ("reset gate r", "重置门 r"),
    "gate.z": ("update gate z", "更新门 z"),
    "gate.n": ("candidate n", "候选值 n"),
    "gates.empty": ("Type a prompt to see the gates.", "输入文本，看它的门。"),
    "gates.no_gates": ("A plain RNN has no gates: nothing to saturate.", "普通 RNN 没有门：没有什么会饱和。"),
    "gates.open_tab": ("Open this tab to trace your text.", "打开这个标签页来追踪你的文本。"),
    "gates.heatmap_title": (
        "{gate} · layer {layer} · units ordered by {order}",
        "{gate} · 第 {layer} 层 · 单元按{order}排序",
    ),
    "gates.caption": (
        "Layer {layer}, unit {unit}: each {step} shaded by its {what}",
        "第 {layer} 层，单元 {unit}：每个{step}按它的{what}着色",
    ),
    "gates.tanh_cell": ("tanh(cell state)", "tanh(细胞状态)"),
    "gates.presenter_rows": (
        "Presenter mode: the first {n} of {total} units by {order} (all of them outside presenter mode).",
        "演示模式：按{order}排序的前 {n} 个单元（共 {total} 个；退出演示模式可看全部）。",
    ),
    "order.index": ("index", "编号"),
    "order.mean": ("mean", "平均值"),
    "order.variance": ("variance", "方差"),
    "order.saturation": ("saturation", "饱和度"),
    "gatetitle.f": ("forget gate f<sub>t</sub>", "遗忘门 f<sub>t</sub>"),
    "gatetitle.i": ("input gate i<sub>t</sub>", "输入门 i<sub>t</sub>"),
    "gatetitle.o": ("output gate o<sub>t</sub>", "输出门 o<sub>t</sub>"),
    "gatetitle.g": ("candidate C̃<sub>t</sub>", "候选值 C̃<sub>t</sub>"),
    "gatetitle.c": ("cell state C<sub>t</sub>", "细胞状态 C<sub>t</sub>"),
    "gatetitle.h": ("hidden state h<sub>t</sub>", "隐藏状态 h<sub>t</sub>"),
    "gatetitle.r": ("reset gate r<sub>t</sub>", "重置门 r<sub>t</sub>"),
    "gatetitle.z": ("update gate z<sub>t</sub>", "更新门 z<sub>t</sub>"),
    "gatetitle.n": ("candidate n<sub>t</sub>", "候选值 n<sub>t</sub>"),
    # the heatmap's notice (views/gates.py heatmap_window): what a long prompt or a wide layer left out
    "gates.last_steps": ("showing the last {n} of {total} {unit}s", "只显示 {total} 个{unit}中的最后 {n} 个"),
    "gates.some_units": (
        "showing {n} of {total} units (the first by {order})",
        "只显示 {total} 个单元中的 {n} 个（按{order}排在最前的）",
    ),
    "gates.runaway": (  # English: lstmlm.studies.runaway.runaway_note, which names and counts the cells
        "Runaway cells of layer {layer}: {named}{more}, against a typical largest |C| of {typical:.2f}. "
        "The colour scale ends at ±{bound:.2f} (the other units); those cells show at its ends.",
        "第 {layer} 层的失控细胞：{named}{more}，而通常最大的 |C| 是 {typical:.2f}。这样的细胞在积分"
        "（遗忘门接近 1）；无论它存了什么，tanh(C) 都是 ±1。颜色刻度止于 ±{bound:.2f}（其他单元的范围）；"
        "这些细胞显示在刻度的两端。",
    ),
}
