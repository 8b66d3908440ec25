"""The Intervene tab's words, as (English, Chinese) pairs. The presets' English is also the view's
(views/intervene.PRESETS reads it here)."""

from playground.text import worded

PAIRS: dict[str, tuple[str, str]] = {
    "tab.intervene": ("Intervene", "干预"),
    "iv.intro": (
        "Change what one layer's cells do while the model reads your text, and watch its prediction "
        "respond. Steps count from 0.",
        "在模型读你的文本时，改变某一层细胞的行为，看它的预测怎样变化。步数从 0 开始数。",
    ),
    "iv.empty": ("Choose an intervention and press Apply.", "选一种干预，然后按“应用干预”。"),
    "iv.preset": ("Try one (it sets the controls below)", "试一个（它会设置下面的控件）"),
    "iv.layer": ("Layer", "层"),
    "iv.action": ("Action", "操作"),
    "iv.action.pin_forget": ("Pin forget gate f", "固定遗忘门 f"),
    "iv.action.pin_input": ("Pin input gate i", "固定输入门 i"),
    "iv.action.pin_output": ("Pin output gate o", "固定输出门 o"),
    "iv.action.zero_candidate": ("Zero the candidate C̃", "把候选值 C̃ 置零"),
    "iv.action.set_cell": ("Set the cell C", "设定细胞状态 C"),
    "iv.value.pin_forget": (
        "f value (1 = never forget, 0 = forget everything)",
        "f 的值（1 = 从不遗忘，0 = 全部遗忘）",
    ),
    "iv.value.pin_input": (
        "i value (1 = write all of the candidate, 0 = write nothing)",
        "i 的值（1 = 写入全部候选值，0 = 什么也不写）",
    ),
    "iv.value.pin_output": (
        "o value (1 = show all of the memory, 0 = hide it)",
        "o 的值（1 = 展示全部记忆，0 = 把它藏起来）",
    ),
    "iv.value.zero_candidate": ("value (not used: C̃ is set to 0)", "值（不使用：C̃ 被设为 0）"),
    "iv.value.set_cell": ("C value", "C 的值"),
    "iv.units": ("Units", "单元"),
    "iv.units.all": ("All units", "全部单元"),
    "iv.units.list": ("A list / range", "列表 / 范围"),
    "iv.units.top": ("Top N by", "按统计量取前 N 个"),
    "iv.unit_list": ("Units, e.g. 3,5,10-19", "单元，例如 3,5,10-19"),
    "iv.top_by": ("Top N by", "前 N 个的依据"),
    "iv.stat.mean": ("mean", "均值"),
    "iv.stat.variance": ("variance", "方差"),
    "iv.stat.saturation": ("saturation", "饱和度"),
    "iv.stat.mean_abs_c": ("mean |C|", "|C| 的均值"),
    "iv.steps": (
        "Steps: 4 = one step, 2-6 = a range, 4- = from step 4 on",
        "步：4 = 一步，2-6 = 一段范围，4- = 从第 4 步起",
    ),
    "iv.n_words": ("Words to generate", "要生成的词数"),
    "iv.n_chars": ("Characters to generate", "要生成的字符数"),
    "iv.seed": ("Seed", "随机种子"),
    "iv.apply": ("Apply intervention", "应用干预"),
    "iv.heatmap": ("Heatmap under the intervention", "干预下的热力图"),
    "iv.cannot_because": ("Cannot apply this intervention: {reason}", "无法应用这个干预：{reason}"),
    "iv.no_unit": (
        "no unit is chosen. Find one first: in Units, select some {unit}s and press Find units, then choose "
        "“Switch off the unit found in Units” again; or in Cell hunt, press Hunt, pick a unit and press "
        "“Intervene on this unit”. Or type unit numbers in “Units, e.g. 3,5,10-19” below.",
        "还没有选定单元。请先找一个：在“单元”里选一段{unit}并按“查找单元”，再选一次“关掉“单元”里找到的单元”；"
        "或者在“寻找单元”里按“寻找”，挑一个单元，再按“对这个单元做干预”。也可以在下面的“单元，例如 3,5,10-19”"
        "里输入单元编号。",
    ),
    "iv.without_long": ("without the intervention", "没有干预"),
    "iv.with_long": ("with the intervention", "有干预"),
    "iv.without": ("without", "无干预"),
    "iv.with": ("with", "有干预"),
    "iv.next_word": ("Next {unit} after your text", "你的文本之后的下一个{unit}"),
    "iv.moved_most": ("{Unit}s whose probability moved most", "概率变化最大的{Unit}"),
    "iv.moved": (
        "The next-{unit} distribution moved by {tv} (total variation); KL = {kl} bits.",
        "下一个{unit}的分布移动了 {tv}（总变差距离）；KL = {kl} 比特。",
    ),
    "iv.heat_title": ("{gate} with the intervention · layer {layer}", "有干预时的{gate} · 第 {layer} 层"),
    "iv.gen_without": ("Without the intervention", "没有干预"),
    "iv.gen_with": ("With the intervention (same seed)", "有干预（同一个随机种子）"),
    "iv.changed": (
        "The top {unit} changed from “{before}” ({p_before}) to “{after}” ({p_after}).",
        "最可能的{unit}从“{before}”（{p_before}）变成了“{after}”（{p_after}）。",
    ),
    "iv.stayed": (
        "The top {unit} stayed “{word}”: {p_before} before, {p_after} after.",
        "最可能的{unit}仍是“{word}”：干预前 {p_before}，干预后 {p_after}。",
    ),
    "iv.real_top": (  # after a top <unk> (“a rare word/character”): the likeliest one that is not <unk>
        "The likeliest real {unit} is now “{word}” ({p}).",
        "现在最可能的真实{unit}是“{word}”（{p}）。",
    ),
    "iv.steps_from": (
        "from step {first} on (and every generated {unit})",
        "从第 {first} 步起（以及每个生成的{unit}）",
    ),
    "iv.step_only": ("step {first} only", "只在第 {first} 步"),
    "iv.steps_range": ("steps {first} to {last}", "第 {first} 步到第 {last} 步"),
    "iv.all_units": ("all units", "全部单元"),
    "iv.n_units": ("{n} units {units}", "{n} 个单元 {units}"),
    "iv.one_unit": ("1 unit {units}", "1 个单元 {units}"),
    "iv.what.pin_forget": ("pin the forget gate f", "固定遗忘门 f"),
    "iv.what.pin_input": ("pin the input gate i", "固定输入门 i"),
    "iv.what.pin_output": ("pin the output gate o", "固定输出门 o"),
    "iv.what.zero_candidate": ("zero the candidate C̃", "把候选值 C̃ 置零"),
    "iv.what.set_cell": ("set the cell C", "设定细胞状态 C"),
    "iv.to": (" to {value}", " 为 {value}"),
    "iv.description": (
        "Layer {layer}: {what}, for {units}, {steps}.",
        "第 {layer} 层：{what}，作用于{units}，{steps}。",
    ),
    "iv.preset.unit_off": ("Switch off the unit found in Units", "关掉“单元”里找到的单元"),
    "iv.expect.unit_off": (
        "C = 0 at every step for unit {neuron} of layer {layer}, the unit Units found (or you picked) there. "
        "If it carries what you selected, the {unit}s that depend on it lose probability; if the top {unit} "
        "holds, one unit of {n_units} was not the whole story.",
        "在每一步把第 {layer} 层单元 {neuron} 的 C 设为 0，也就是“单元”里找到（或你选中）的那个单元。"
        "如果它携带了你选的那段内容，依赖它的{unit}会失去概率；"
        "如果最可能的{unit}不变，说明 {n_units} 个单元中的一个并不是全部答案。",
    ),
    "iv.own_settings": (
        "Your own settings (no preset): press Apply to see what they change.",
        "你自己的设置（不是预设）：按“应用干预”看看它们改变了什么。",
    ),
    "iv.expect.unit_none": (
        "No unit found yet, so nothing is switched off: in Units, select some {unit}s and press Find "
        "units, then choose this again; or in Cell hunt, press Hunt, pick a unit and press “Intervene on "
        "this unit”; or pick one yourself: type its number in “Units, e.g. 3,5,10-19” below, choose its "
        "layer, and press Apply.",
        "还没有找到单元，所以什么也没有关掉：先在“单元”里选一段{unit}并按“查找单元”，再选这一项；"
        "或者在“寻找单元”里按“寻找”，挑一个单元，再按“对这个单元做干预”；"
        "或者自己挑一个：在下面的“单元，例如 3,5,10-19”里输入它的编号，选好它所在的层，然后按“应用干预”。",
    ),
    # the presets, strongest first. Each expectation's figures: the default model (storybooks LSTM), all units
    # every step, over 49 everyday prompts (the default prompt "The cat sat on the", tests/test_teach.py's
    # EVERYDAY and the 40 of tests/benchmarks/everyday.json). Its size word is a claim on the median total
    # variation (TV): "large" >= 0.6, "moderate" 0.3 to 0.6, "small" < 0.3; tests/test_teach.py recomputes
    # every figure and checks the size words in both languages.
    "iv.preset.hide_memory_top": ("Hide the memory (top layer)", "隐藏记忆（最上层）"),
    "iv.expect.hide_memory_top": (
        "o = 0: the top layer passes none of its memory on, so the prediction no longer depends on your "
        "text, a large change: on the default model the top {unit} changed on 47 of 49 everyday prompts "
        "(to the same “,” on all 49), the distribution moved by 0.78 on average (total variation; median "
        "0.79), and generated text is made of unrelated common {unit}s.",
        "o = 0：最上层的记忆一点也不往外传，所以预测不再取决于你的文本，变化很大：在默认模型上，"
        "49 个日常提示中有 47 个的最可能{unit}变了（49 个全都变成同一个“,”），分布平均移动了 0.78"
        "（总变差距离；中位数 0.79），生成的文本由互不相关的常见{unit}组成。",
    ),
    "iv.preset.close_input_top": ("Close the input gate (top layer)", "关闭输入门（最上层）"),
    "iv.expect.close_input_top": (
        "i = 0: nothing new is written into the top layer's memory, which only fades from where the line "
        "started, so your text is lost, a large change much like hiding the memory: on the default model the "
        "top {unit} changed on 47 of 49 everyday prompts (to “,” on all 49), the distribution moved by 0.78 "
        "on average (median 0.79) and the old top {unit} fell from 14% to 1% on average.",
        "i = 0：没有新内容写入最上层的记忆，它只从行首的状态慢慢淡去，所以你的文本丢失了，变化很大，"
        "和隐藏记忆差不多：在默认模型上，49 个日常提示中有 47 个的最可能{unit}变了（49 个全都变成“,”），"
        "分布平均移动了 0.78（中位数 0.79），原来最可能的{unit}平均从 14% 降到 1%。",
    ),
    "iv.preset.never_forget_top": ("Never forget (top layer)", "从不遗忘（最上层）"),
    "iv.expect.never_forget_top": (
        "f = 1: the top layer's memory keeps everything it reads and never clears, so it piles up, a large "
        "change: on the default model the top {unit} changed on 42 of 49 everyday prompts (on 12 of them to "
        "the stand-in for rare {unit}s), the distribution moved by 0.77 on average (total variation; "
        "median 0.76), and generated text falls apart.",
        "f = 1：最上层的记忆保留读到的一切，从不清空，于是越积越多，变化很大：在默认模型上，"
        "49 个日常提示中有 42 个的最可能{unit}变了（其中 12 个变成生僻{unit}的替身），"
        "分布平均移动了 0.77（总变差距离；中位数 0.76），生成的文本变得支离破碎。",
    ),
    "iv.preset.forget_all_top": ("Forget everything (top layer)", "全部遗忘（最上层）"),
    "iv.expect.forget_all_top": (
        "f = 0: each {unit} wipes the top layer's memory, which keeps only what the latest {unit} writes "
        "(the bottom layer still remembers), a moderate change: on the default model the top {unit} changed "
        "on 29 of 49 everyday prompts and the distribution moved by 0.44 on average (total variation; median "
        "0.45).",
        "f = 0：每个{unit}都会抹掉最上层的记忆，它只留下最新一个{unit}写入的内容（下层仍然记得），"
        "变化中等：在默认模型上，49 个日常提示中有 29 个的最可能{unit}变了，分布平均移动了 0.44"
        "（总变差距离；中位数 0.45）。",
    ),
}

# Each preset's expectation with its {unit} filled, for a word model and a character model
# ("iv.expect.NAME.word"): the note the tab shows before a preset is chosen is a component's text, which the
# page translates by key and does not fill.
PAIRS |= {
    f"iv.expect.{name}.{unit}": (worded(PAIRS[f"iv.expect.{name}"][0], "en", unit),
                                 worded(PAIRS[f"iv.expect.{name}"][1], "zh", unit))
    for name in ("hide_memory_top", "close_input_top", "never_forget_top", "forget_all_top")
    for unit in ("word", "character")
}  # fmt: skip
