"""The Surprisal tab's words, as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.surprisal": ("Surprisal", "意外度"),
    "sur.empty": (
        "Type a prompt to see which {unit}s surprised the model.",
        "输入一段文本，看哪些{unit}让模型感到意外。",
    ),
    "sur.open_tab": ("Open this tab to score your text.", "打开这个标签页来给你的文本打分。"),
    "sur.download": ("Download the numbers of this prompt", "下载这段文本的数值"),
    "sur.download_note.word": (
        "Every gate, cell and hidden state of every layer at every word: CSV (one row per layer, word and "
        "unit; pandas.read_csv), NPZ (numpy.load) or JSON. Plots: the camera button of a plot's toolbar "
        "saves it as PNG.",
        "每一层在每个词处的所有门、细胞状态和隐藏状态：CSV（每层、每词、每单元一行；"
        "用 pandas.read_csv 读取）、NPZ（用 numpy.load 读取）或 JSON。"
        "图：点图表工具栏上的相机按钮可存为 PNG。",
    ),
    "sur.download_note.character": (
        "Every gate, cell and hidden state of every layer at every character: CSV (one row per layer, "
        "character and unit; pandas.read_csv), NPZ (numpy.load) or JSON. Plots: the camera button of a "
        "plot's toolbar saves it as PNG.",
        "每一层在每个字符处的所有门、细胞状态和隐藏状态：CSV（每层、每字符、每单元一行；"
        "用 pandas.read_csv 读取）、NPZ（用 numpy.load 读取）或 JSON。"
        "图：点图表工具栏上的相机按钮可存为 PNG。",
    ),
    "sur.prepare": ("Prepare the files", "准备文件"),
    "sur.nothing_to_export": ("Nothing to export: {error}", "没有可导出的内容：{error}"),
    "sur.unknown": ("not in the vocabulary", "不在词表中"),
    "sur.legend": (
        "Colour = the rank the model gave each {unit} among all {unit}s it knows: {swatches} · {unknown} "
        "(the model cannot score a {unit} it never learned) · hover a {unit} to see what the model "
        "expected there",
        "颜色 = 模型在它认识的所有{unit}中给每个{unit}排的名次：{swatches} · {unknown}"
        "（模型无法给没学过的{unit}打分） · 把鼠标移到{unit}上，看模型在那里预期的是什么",
    ),
    "sur.hover": (
        "{word}: p = {p}, rank {rank} ({bucket}), {bits} bits\nexpected: {expected}",
        "{word}：p = {p}，排名 {rank}（{bucket}），{bits} 比特\n预期：{expected}",
    ),
    "sur.hover_unknown": (
        "“{word}” is not in the vocabulary: the model reads it as {rare} (<unk>), so it cannot say how "
        "surprising this {unit} is; it is left out of the perplexity",
        "“{word}”不在词表中：模型把它读作{rare}（<unk>），所以无法说出这个{unit}有多意外；它不计入困惑度",
    ),
    "sur.rare": ("a rare {unit}", "生僻{unit}"),
    "sur.left_out": (
        "(left out of the perplexity: the model cannot score a {unit} it never learned)",
        "（不计入困惑度：模型无法给没学过的{unit}打分）",
    ),
    "sur.nothing": (
        "No {unit} of this text is in the vocabulary: nothing to score.",
        "这段文本没有一个{unit}在词表中：无从打分。",
    ),
    "sur.perplexity": (
        "<b>Perplexity {ppl}</b> · {bits} bits per {unit} over {n} {unit}s (as unsure, on average, as a "
        "choice among {choices} equally likely {unit}s)",
        "<b>困惑度 {ppl}</b> · 平均每{unit} {bits} 比特，共 {n} 个{unit}（平均而言，"
        "就像在 {choices} 个同样可能的{unit}中做选择一样没有把握）",
    ),
    "sur.title": ("Surprisal per {unit} (bits)", "每个{unit}的意外度（比特）"),
    "sur.axis": ("bits = −log₂ p", "比特 = −log₂ p"),
    "sur.bar_hover": ("bits", "比特"),
    "sur.rank": ("rank", "排名"),
    "sur.bucket.top-10": ("top-10", "前 10"),
    "sur.bucket.top-100": ("top-100", "前 100"),
    "sur.bucket.top-1000": ("top-1000", "前 1000"),
    "sur.bucket.beyond": ("beyond", "更靠后"),
}
