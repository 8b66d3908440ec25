"""The Gradient-flow tab's words, as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.gradient": ("Gradient flow", "梯度流"),
    "grad.empty": (
        "Type at least two words: the last one is predicted from the words before it.",
        "至少输入两个词：最后一个词由它前面的词来预测。",
    ),
    "grad.explain": (
        "For the last word of your prompt, each model gives it a probability from the words before it. The "
        "height of a point is how much that log-probability changes when the word <i>d</i> words back is "
        "nudged: the norm of the gradient with respect to that word's embedding. In a plain RNN the gradient "
        "is multiplied by tanh′·W at every step back, so <i>on average, over many words</i> it dies off "
        "exponentially (the vanishing gradient; the averaged curve below shows it); the LSTM's cell carries "
        "it across with the forget gate, and the GRU's update gate does the same. One short sentence can "
        "look different: the line above the chart says what yours shows.",
        "对你文本的最后一个词，每个模型都根据它前面的词给出一个概率。点的高度表示：轻轻改动往回第 <i>d</i> "
        "个词时，这个对数概率变化多少，即对那个词的词向量的梯度范数。在普通 RNN 中，每往回一步梯度都要乘以 "
        "tanh′·W，所以<i>在很多词上平均来看</i>它按指数衰减（梯度消失；下面的平均曲线显示了这一点）；LSTM "
        "的细胞状态借助遗忘门 f_t 把梯度传过去，GRU 的更新门也是如此。一个短句可能看起来不一样：图表上方"
        "的那行字说明你的句子显示了什么。",
    ),
    "grad.per_word": ("<b>{model}</b>: ×{factor} per word back", "<b>{model}</b>：每往回一个词 ×{factor}"),
    "grad.average_decay": (
        "Average decay between 5 and 50 words back (a fitted exponential of the median): {parts}.",
        "往回 5 到 50 个词之间的平均衰减（对中位数拟合的指数）：{parts}。",
    ),
    "grad.head": (
        "Predicted word: <b>{word}</b>, from the {n} words before it. {note}",
        "被预测的词：<b>{word}</b>，由它前面的 {n} 个词预测。{note}",
    ),
    "grad.note": (
        "On this prompt, {n} words back the gradient is still this share of its value one word back: "
        "{parts}. Here the {best} keeps the most.",
        "在这段文本上，往回 {n} 个词时，梯度仍是往回 1 个词时的这个比例：{parts}。这里 {best} 保留得最多。",
    ),
    "grad.note_one": (
        "On this prompt, 1 word back the gradient is still this share of its value one word back: "
        "{parts}. Here the {best} keeps the most.",
        "在这段文本上，往回 1 个词时，梯度仍是往回 1 个词时的这个比例：{parts}。这里 {best} 保留得最多。",
    ),
    "grad.note_short": (
        " With only {n} words back this says little: over a few words every model still carries the "
        "gradient, and any of them can sit on top. The vanishing gradient shows over many words: read the "
        "averaged curve below (held-out text), or type a sentence of 20 words or more.",
        "只往回 {n} 个词，这说明不了什么：在几个词之内每个模型都还能传递梯度，哪个在上面都有可能。"
        "梯度消失要在很多词上才显现：请看下面的平均曲线（留出文本），或输入一句 20 个词以上的句子。",
    ),
    "grad.x_axis": (
        "distance back from the predicted word (words, log scale)",
        "离被预测词往回的距离（词，对数刻度）",
    ),
    "grad.norm": ("gradient norm", "梯度范数"),
    "grad.norm_median": ("gradient norm (median over snippets)", "梯度范数（各片段的中位数）"),
    "grad.hover_back": ("back", "往回"),
    "grad.title": (
        "How much predicting '{word}' depends on each earlier word",
        "预测“{word}”在多大程度上依赖前面的每个词",
    ),
    "grad.hover_median": ("{x} words back: median {y}", "往回 {x} 个词：中位数 {y}"),
    "grad.averaged_title": (
        "Averaged over {snippets} snippets of {length} words{source}: median, 10–90%",
        "{snippets} 个 {length} 词片段{source}上的平均：中位数，10–90%",
    ),
    "grad.source": (" from {source}", "（取自 {source}）"),
}
