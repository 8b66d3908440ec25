"""The Gradient-flow tab's words, as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.gradient": ("Gradient flow", "梯度流"),
    "grad.empty": (
        "Type at least two {unit}s: the last one is predicted from the {unit}s before it.",
        "至少输入两个{unit}：最后一个由它前面的{unit}来预测。",
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
    "grad.explain.character": (
        "For the last character of your prompt, each model gives it a probability from the characters before "
        "it. The height of a point is how much that log-probability changes when the character <i>d</i> "
        "characters back is nudged: the norm of the gradient with respect to that character's embedding. In "
        "a plain RNN the gradient is multiplied by tanh′·W at every step back, so <i>on average, over many "
        "characters</i> it dies off exponentially (the vanishing gradient; the averaged curve below shows "
        "it); the LSTM's cell carries it across with the forget gate, and the GRU's update gate does the "
        "same. One short sentence can look different: the line above the chart says what yours shows.",
        "对你文本的最后一个字符，每个模型都根据它前面的字符给出一个概率。"
        "点的高度表示：轻轻改动往回第 <i>d</i> 个字符时，这个对数概率变化多少，"
        "即对那个字符的嵌入向量的梯度范数。在普通 RNN 中，每往回一步梯度都要"
        "乘以 tanh′·W，所以<i>在很多字符上平均来看</i>它按指数衰减（梯度消失；下面的平均曲线显示了这一点）；"
        "LSTM 的细胞状态借助遗忘门 f_t 把梯度传过去，GRU 的更新门也是如此。一个短句可能看起来不一样：图表上方"
        "的那行字说明你的句子显示了什么。",
    ),
    "grad.per_word": (
        "<b>{model}</b>: ×{factor} per {unit} back",
        "<b>{model}</b>：每往回一个{unit} ×{factor}",
    ),
    "grad.average_decay": (
        "Average decay between 5 and 50 {unit}s back (a fitted exponential of the median): {parts}.",
        "往回 5 到 50 个{unit}之间的平均衰减（对中位数拟合的指数）：{parts}。",
    ),
    "grad.head": (
        "Predicted {unit}: <b>{word}</b>, from the {n} {unit}s before it. {note}",
        "被预测的{unit}：<b>{word}</b>，由它前面的 {n} 个{unit}预测。{note}",
    ),
    "grad.note": (
        "On this prompt, {n} {unit}s back the gradient is still this share of its value one {unit} back: "
        "{parts}. Here the {best} keeps the most.",
        "在这段文本上，往回 {n} 个{unit}时，梯度仍是往回 1 个{unit}时的这个比例：{parts}。"
        "这里 {best} 保留得最多。",
    ),
    "grad.note_one": (
        "On this prompt, 1 {unit} back the gradient is still this share of its value one {unit} back: "
        "{parts}. Here the {best} keeps the most.",
        "在这段文本上，往回 1 个{unit}时，梯度仍是往回 1 个{unit}时的这个比例：{parts}。"
        "这里 {best} 保留得最多。",
    ),
    "grad.note_short": (
        " With only {n} {unit}s back this says little: over a few {unit}s every model still carries the "
        "gradient, and any of them can sit on top. The vanishing gradient shows over many {unit}s: read the "
        "averaged curve below (held-out text), or type a sentence of 20 {unit}s or more.",
        "只往回 {n} 个{unit}，这说明不了什么：在几个{unit}之内每个模型都还能传递梯度，哪个在上面都有可能。"
        "梯度消失要在很多{unit}上才显现：请看下面的平均曲线（留出文本），或输入一句 20 个{unit}以上的句子。",
    ),
    "grad.x_axis": (
        "distance back from the predicted {unit} ({unit}s, log scale)",
        "离被预测{unit}往回的距离（{unit}，对数刻度）",
    ),
    "grad.norm": ("gradient norm", "梯度范数"),
    "grad.norm_median": ("gradient norm (median over snippets)", "梯度范数（各片段的中位数）"),
    "grad.hover_back": ("back", "往回"),
    "grad.title": (
        "How much predicting '{word}' depends on each earlier {unit}",
        "预测“{word}”在多大程度上依赖前面的每个{unit}",
    ),
    "grad.hover_median": ("{x} {unit}s back: median {y}", "往回 {x} 个{unit}：中位数 {y}"),
    "grad.averaged_title": (
        "Averaged over {snippets} snippets of {length} {unit}s{source}: median, 10–90%",
        "{snippets} 个 {length} {unit}片段{source}上的平均：中位数，10–90%",
    ),
    "grad.source": (" from {source}", "（取自 {source}）"),
}
