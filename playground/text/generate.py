"""The Generate tab's words, as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "gen.chars": ("Characters", "字符数"),
    "tab.generate": ("Generate", "生成"),
    "gen.temperature": ("Temperature", "温度"),
    "gen.temperature_info.word": (
        "< 1 bolder · > 1 wilder · 0 always the top word",
        "< 1 更保守 · > 1 更随意 · 0 总是选概率最高的词",
    ),
    "gen.temperature_info.character": (
        "< 1 bolder · > 1 wilder · 0 always the top character",
        "< 1 更保守 · > 1 更随意 · 0 总是选概率最高的字符",
    ),
    "gen.top_k": ("Top-k", "Top-k"),
    "gen.top_k_info.word": ("only the k likeliest words (0 = off)", "只在最可能的 k 个词中抽取（0 = 关闭）"),
    "gen.top_k_info.character": (
        "only the k likeliest characters (0 = off)",
        "只在最可能的 k 个字符中抽取（0 = 关闭）",
    ),
    "gen.top_p": ("Top-p", "Top-p"),
    "gen.top_p_info.word": (
        "only the likeliest words covering p (1 = off)",
        "只在累计概率达到 p 的最可能的词中抽取（1 = 关闭）",
    ),
    "gen.top_p_info.character": (
        "only the likeliest characters covering p (1 = off)",
        "只在累计概率达到 p 的最可能的字符中抽取（1 = 关闭）",
    ),
    "gen.words": ("Words", "词数"),
    "gen.seed": ("Seed", "随机种子"),
    "gen.new_seed": ("New seed", "换一个种子"),
    "gen.keep_seed": ("Keep this seed", "保留这个种子"),
    "gen.allow_unk.word": ("Allow <unk> (“a rare word”)", "允许 <unk>（“生僻词”）"),
    "gen.allow_unk.character": ("Allow <unk> (“a rare character”)", "允许 <unk>（“生僻字符”）"),
    "gen.allow_unk_info.word": (
        "Off: <unk>, the stand-in for rare words, is never drawn (renormalized).",
        "关闭时从不抽取代表生僻词的 <unk>，它的概率按比例分给其他词。",
    ),
    "gen.allow_unk_info.character": (
        "Off: <unk>, the stand-in for rare characters, is never drawn (renormalized).",
        "关闭时从不抽取代表生僻字符的 <unk>，它的概率按比例分给其他字符。",
    ),
    "gen.generate": ("Generate", "生成"),
    "gen.add": ("Add the text to my prompt", "把生成的文本加到我的文本后面"),
    "gen.step.word": ("Look at generated word #", "查看生成的第几个词"),
    "gen.step.character": ("Look at generated character #", "查看生成的第几个字符"),
    "gen.press": ("Press Generate to continue your text.", "按“生成”来续写你的文本。"),
    "gen.pick": (
        "Generate some text, then pick one of its {unit}s here.",
        "先生成一段文本，再在这里选其中的一个{unit}。",
    ),
    "gen.csv.word": ("Download the words (CSV)", "下载这些词 (CSV)"),
    "gen.csv.character": ("Download the characters (CSV)", "下载这些字符 (CSV)"),
    "gen.legend.word": ("Shading = the probability the model gave each word:", "底色 = 模型给每个词的概率："),
    "gen.seed_used": (
        "Seed {seed}: tick “keep this seed” (or type a seed) to get the same text again; otherwise each "
        "press draws a new one.",
        "随机种子 {seed}：勾选“保留这个种子”（或输入一个种子）可以再得到同样的文本；"
        "否则每次按下都会重新抽取。",
    ),
    "gen.seed_unused": (
        "Seed {seed}: not used at temperature 0, where the most likely one is always chosen, so every press "
        "gives the same text.",
        "随机种子 {seed}：温度为 0 时不起作用，因为总是选最可能的那一个，所以每次按下都得到同样的文本。",
    ),
    "gen.cannot": ("Cannot generate: {error}", "无法生成：{error}"),
    "gen.first": ("Generate some text first.", "请先生成一些文本。"),
    "gen.drawn": (
        "Generated {unit} {step}: “{word}” was drawn from the dark bars",
        "生成的第 {step} 个{unit}：“{word}”是从深色的条中抽出的",
    ),
    "gen.series.model": ("model", "模型"),
    "gen.series.tempered": ("after temperature", "调温度之后"),
    "gen.series.final": ("after top-k & top-p (sampled from)", "经过 top-k 和 top-p 之后（从这里抽取）"),
    "gen.temp0": (
        "Temperature 0: the most likely {unit} is always chosen.",
        "温度 0：总是选最可能的{unit}。",
    ),
    "gen.temp_low": (
        "Temperature {t} < 1 sharpened the distribution (likely {unit}s got likelier).",
        "温度 {t} < 1 让分布更尖锐（可能的{unit}变得更可能）。",
    ),
    "gen.temp_high": (
        "Temperature {t} > 1 flattened the distribution (unlikely {unit}s got likelier).",
        "温度 {t} > 1 让分布更平坦（不太可能的{unit}变得更可能）。",
    ),
    "gen.temp1": (
        "Temperature 1 left the distribution as the model made it.",
        "温度 1 保持模型给出的分布不变。",
    ),
    "gen.top_k_kept": (
        "Top-k {k} kept {kept} of {total} {unit}s.",
        "Top-k {k} 在 {total} 个{unit}中保留了 {kept} 个。",
    ),
    "gen.top_k_off": ("Top-k is off (0): no {unit} was cut.", "Top-k 已关闭 (0)：没有{unit}被去掉。"),
    "gen.top_p_kept": (
        "Top-p {p} kept the {kept} most likely {unit}s of those, which cover {share} of the probability.",
        "Top-p {p} 在其中保留了最可能的 {kept} 个{unit}，它们占了 {share} 的概率。",
    ),
    "gen.top_p_off": ("Top-p is off (1).", "Top-p 已关闭 (1)。"),
    "gen.one_left": (
        "0 bits: one {unit} is left, so there is nothing to choose",
        "0 比特：只剩一个{unit}，没有什么可选的",
    ),
    "gen.bits": ("{bits} bits", "{bits} 比特"),
    "gen.uncertainty": (
        "Uncertainty went from {before} bits to {after}.",
        "不确定性从 {before} 比特变为 {after}。",
    ),
    "gen.legend.character": (
        "Shading = the probability the model gave each character:",
        "底色 = 模型给每个字符的概率：",
    ),
}
