"""The Change-one-word (counterfactual) tab's words, as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    # a plain name (issue 17 item 9); the technical term, counterfactual, is in its tooltip (text/tabs.py)
    "tab.counterfactual": ("Change one word", "改一个词"),
    "tab.counterfactual.character": ("Change one character", "改一个字符"),  # a character model's page
    "cf.empty": ("Press Compare to read both prompts.", "按“比较”让模型读这两段文本。"),
    "cf.prompt_a": ("Prompt A", "文本 A"),
    "cf.prompt_b.word": ("Prompt B (change a word)", "文本 B（改一个词）"),
    "cf.prompt_b.character": ("Prompt B (change a character)", "文本 B（改一个字符）"),
    "cf.layer": ("Layer", "层"),
    # the button swaps a whole word (boy -> girl, views/counterfactual.change_one_word) for any model
    "cf.copy": ("Use the text above as A (and change one word for B)", "用上面的文本作 A（改一个词作 B）"),
    "cf.run": ("Compare", "比较"),
    "cf.cannot_because": ("Cannot compare these prompts: {reason}", "无法比较这两段文本：{reason}"),
    "cf.read_alike_pair": ("“{a}” and “{b}” (step {step})", "“{a}”和“{b}”（第 {step} 步）"),
    "cf.read_alike": (
        "{pairs}: both read as “{read_as}”, a {unit} the model does not know, so they differ in nothing. "
        "Change a {unit} it knows to see a difference.",
        "{pairs}：都被读作“{read_as}”，一个模型不认识的{unit}，所以毫无差别。"
        "改一个它认识的{unit}才能看到差别。",
    ),
    "cf.same": (
        "The model reads the two prompts the same: nothing differs.",
        "模型把这两段文本读成一样的：没有任何差别。",
    ),
    "cf.first": (
        "The prompts first differ at step {step} ({word}).",
        "两段文本第一次不同是在第 {step} 步（{word}）。",
    ),
    "cf.continues": (
        "One prompt continues the other after step {step}.",
        "一段文本在第 {step} 步之后接着另一段往下写。",
    ),
    "cf.moved": (
        "Next {unit}: the distribution moved by {tv} (total variation); KL(A ‖ B) = {kl} bits.",
        "下一个{unit}：分布移动了 {tv}（总变差距离）；KL(A ‖ B) = {kl} 比特。",
    ),
    "cf.lines_title": (
        "How much each signal differs (B − A) · layer {layer}",
        "每个信号相差多少 (B − A) · 第 {layer} 层",
    ),
    "cf.heat_title": (
        "Δ{sym}<sub>t</sub> = {sym}(B) − {sym}(A) · layer {layer} · units that changed most",
        "Δ{sym}<sub>t</sub> = {sym}(B) − {sym}(A) · 第 {layer} 层 · 变化最大的单元",
    ),
    "cf.after_a": ("after prompt A", "读完文本 A 后"),
    "cf.after_b": ("after prompt B", "读完文本 B 后"),
    "cf.next_word": ("Next {unit}", "下一个{unit}"),
    "cf.moved_most": ("{Unit}s whose probability changed most", "概率变化最大的{Unit}"),
    "cf.first_difference": ("first difference", "第一处不同"),
    "cf.mean_abs": ("mean |B − A| over units", "各单元 |B − A| 的平均"),
    "cf.line.f": ("forget f", "遗忘门 f"),
    "cf.line.i": ("input i", "输入门 i"),
    "cf.line.o": ("output o", "输出门 o"),
    "cf.line.g": ("candidate C̃", "候选值 C̃"),
    "cf.line.c": ("cell C", "细胞状态 C"),
    "cf.line.h": ("hidden h", "隐藏状态 h"),
    "cf.line.r": ("reset r", "重置门 r"),
    "cf.line.z": ("update z", "更新门 z"),
    "cf.line.n": ("candidate n", "候选值 n"),
}
