"""The Compare tab's words, as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.compare": ("Compare", "模型对比"),
    "cmp.empty": ("Type a prompt to compare the models.", "输入一段文本来比较这些模型。"),
    "cmp.open_tab": ("Open this tab to compare the models.", "打开这个标签页来比较这些模型。"),
    "cmp.intro": (
        "Every model reads your prompt with its own vocabulary from the start of a line. Models:",
        "每个模型都用自己的词表、从一行的开头读你的文本。模型：",
    ),
    "cmp.memory": (
        "Long-range memory: does the model still know, many words later?",
        "长程记忆：过了很多词之后，模型还记得吗？",
    ),
    "cmp.probe": ("Probe", "探针"),
    "cmp.run_probe": ("Run the probe", "运行探针"),
    "cmp.no_model": ("No model here can take this probe.", "这里没有模型能做这个探针。"),
    "cmp.probe_note": (
        "<b>{question}</b> Scored at every phrase boundary of the same filler text ({filler}), as each model "
        "reads it. The longest prompt: <i>{example} …</i>",
        "<b>{question}</b> 在同一段填充文本（{filler}）的每个短语边界处打分，按每个模型自己的读法。"
        "最长的文本：<i>{example} …</i>",
    ),
    # the filler's kind, chosen from the first model's config.json (lstmlm/studies/probe_texts.py)
    "cmp.filler.storybooks": (
        "written like a storybook, as the first model's training text",
        "故事书风格，与第一个模型的训练文本一致",
    ),
    "cmp.filler.wikitext": (
        "written like Wikipedia, as the first model's training text, WikiText",
        "维基百科风格，与第一个模型的训练文本 WikiText 一致",
    ),
    "cmp.filler.neutral": (
        "plain everyday prose: the first model was trained neither on storybooks nor on WikiText",
        "平实的日常文字：第一个模型的训练文本既不是故事书，也不是 WikiText",
    ),
    "cmp.skipped": ("{model}: {reason}. ", "{model}：{reason}。"),
    "cmp.choose_probe": ("choose one of the probes: {probes}", "请从这些探针中选一个：{probes}"),
    "cmp.bars_title": ("Next {unit}, model by model", "下一个{unit}，逐个模型"),
    "cmp.th_model": ("model", "模型"),
    "cmp.th_perplexity": ("perplexity on your prompt", "在你的文本上的困惑度"),
    "cmp.th_bits": ("bits per {unit}", "每{unit}比特数"),
    "cmp.th_entropy": ("next-{unit} entropy (bits)", "下一个{unit}的熵（比特）"),
    "cmp.th_test": ("test perplexity on its own data", "在各自数据上的测试集困惑度"),  # from each card
    "cmp.table_note": (
        "Perplexity on your prompt: 2 to the mean surprisal of its {unit}s, each predicted from the {unit}s "
        "before it (the first from a line start). Lower means the model found your text more predictable.",
        "在你的文本上的困惑度：2 的（各{unit}平均意外度）次方，每个都由它前面的{unit}预测"
        "（第一个从一行的开头预测）。越低表示模型觉得你的文本越好预测。",
    ),
    "cmp.surprisal_title": ("Surprisal of each {unit} of your prompt", "你文本中每个{unit}的意外度"),
    "cmp.bits_axis": ("bits (−log₂ p)", "比特 (−log₂ p)"),
    "cmp.bits": ("bits", "比特"),
    "cmp.later": ("{x} words later: {y} bits", "{x} 个词之后：{y} 比特"),
    "cmp.in_between": ("words in between", "中间隔了几个词"),
    "cmp.remembered": ("remembered (bits; 0 = forgotten)", "记住的程度（比特；0 = 忘了）"),
    "probe.parenthesis.title": ("Closing a bracket", "闭合括号"),
    "probe.parenthesis.question": (
        "After '( …', how much more does the model expect ')' than without the '('?",
        "在 '( …' 之后，模型比没有 '(' 时多大程度上更期待 ')'？",
    ),
    "probe.quote.title": ("Closing a quotation", "闭合引号"),
    "probe.quote.question": (
        "After '\" …', how much more does the model expect the closing '\"' than without the opening one?",
        "在 '\" …' 之后，模型比没有前引号时多大程度上更期待后引号 '\"'？",
    ),
    "probe.agreement.title": ("Subject–verb agreement", "主谓一致"),
    "probe.agreement.question": (  # {noun}: the probe's first subject (a player, a boy, ...)
        "After 'The {noun}(s) who …', does the model prefer 'was' for one {noun} and 'were' for several?",
        "在 'The {noun}(s) who …' 之后，模型是否在主语是单数（The {noun}）时偏向 'was'，"
        "是复数时偏向 'were'？",
    ),
}
