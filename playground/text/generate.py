"""The Generate tab's words, as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "gen.chars": ("Characters", "字符数"),
    "tab.generate": ("Generate", "生成"),
    "gen.temperature": ("Temperature", "温度"),
    "gen.temperature_info": (
        "< 1 bolder · > 1 wilder · 0 always the top word",
        "< 1 更保守 · > 1 更随意 · 0 总是选概率最高的词",
    ),
    "gen.top_k": ("Top-k", "Top-k"),
    "gen.top_k_info": ("only the k likeliest words (0 = off)", "只在最可能的 k 个词中抽取（0 = 关闭）"),
    "gen.top_p": ("Top-p", "Top-p"),
    "gen.top_p_info": (
        "only the likeliest words covering p (1 = off)",
        "只在累计概率达到 p 的最可能的词中抽取（1 = 关闭）",
    ),
    "gen.words": ("Words", "词数"),
    "gen.seed": ("Seed", "随机种子"),
    "gen.new_seed": ("New seed", "换一个种子"),
    "gen.keep_seed": ("Keep this seed", "保留这个种子"),
    "gen.allow_unk": ("Allow <unk> (“a rare word”)", "允许 <unk>（“生僻词”）"),
    "gen.allow_unk_info": (
        "Off: <unk>, the stand-in for rare words, is never drawn (renormalized).",
        "关闭时从不抽取代表生僻词的 <unk>，它的概率按比例分给其他词。",
    ),
    "gen.generate": ("Generate", "生成"),
    "gen.add": ("Add the text to my prompt", "把生成的文本加到我的文本后面"),
    "gen.step": ("Look at generated word #", "查看生成的第几个词"),
    "gen.press": ("Press Generate to continue your text.", "按“生成”来续写你的文本。"),
    "gen.pick": (
        "Generate some text, then pick one of its words here.",
        "先生成一段文本，再在这里选其中的一个词。",
    ),
    "gen.csv": ("Download the words (CSV)", "下载这些词 (CSV)"),
    "gen.legend.word": ("Shading = the probability the model gave each word:", "底色 = 模型给每个词的概率："),
    "gen.legend.character": (
        "Shading = the probability the model gave each character:",
        "底色 = 模型给每个字符的概率：",
    ),
}
