"""The tabs' tooltips (the `title` of each tab button), as (English, Chinese) pairs: `tip.<id>` beside
`tab.<id>`. The tab's name stays plain; its tooltip names the technical term a textbook would use and says
in one line what the view shows. classroom/language.py sets them on the buttons in the page's language."""

PAIRS: dict[str, tuple[str, str]] = {
    "tip.start": ("Guided lessons: a path through the views", "引导课程：带你走一遍各个视图"),
    "tip.next_word": (
        "Next-word distribution P(w_{t+1} | w_1..w_t): what the model expects after your text",
        "下一个词的分布 P(w_{t+1} | w_1..w_t)：模型预期你的文本后面是什么",
    ),
    "tip.next_char": (
        "Next-character distribution: what the model expects after your text",
        "下一个字符的分布：模型预期你的文本后面是什么",
    ),
    "tip.generate": (
        "Sampling with temperature, top-k and top-p: the model writes on",
        "按温度、top-k 和 top-p 采样：让模型接着写",
    ),
    "tip.gates": (
        "Gate activations f_t, i_t, o_t and the cell state C_t, unit by unit (heatmap)",
        "门的激活值 f_t、i_t、o_t 与细胞状态 C_t，逐个单元（热力图）",
    ),
    "tip.surprisal": (
        "Surprisal −log₂ p and perplexity: which words the model did not expect",
        "意外度 −log₂ p 与困惑度：模型没有料到哪些词",
    ),
    "tip.surprisal.character": (
        "Surprisal −log₂ p and perplexity: which characters the model did not expect",
        "意外度 −log₂ p 与困惑度：模型没有料到哪些字符",
    ),
    "tip.units": (
        "Unit search (as in LSTMVis) and the unit atlas: which units mark a span of your text",
        "单元搜索（如 LSTMVis）与单元图谱：哪些单元标记了你文本中的一段",
    ),
    "tip.intervene": (
        "Intervention: pin a gate or set the cell and see the prediction change",
        "干预：固定一个门或设定细胞状态，看预测怎样变化",
    ),
    "tip.cell_hunt": (
        "Interpretable cells (Karpathy et al.): units that track quotes, brackets or position",
        "可解释的细胞（Karpathy 等）：追踪引号、括号或位置的单元",
    ),
    "tip.equations": (
        "The LSTM equations with this word's numbers, and the cell diagram",
        "代入这个词的数值的 LSTM 方程，以及细胞示意图",
    ),
    "tip.equations.character": (
        "The LSTM equations with this character's numbers, and the cell diagram",
        "代入这个字符的数值的 LSTM 方程，以及细胞示意图",
    ),
    "tip.counterfactual": (
        "Counterfactual: change one word and see every gate and the prediction differ",
        "反事实：改一个词，看每个门和预测有什么不同",
    ),
    "tip.counterfactual.character": (
        "Counterfactual: change one character and see every gate and the prediction differ",
        "反事实：改一个字符，看每个门和预测有什么不同",
    ),
    "tip.compare": (
        "Model comparison: LSTM, GRU and plain RNN on your text, and long-range memory probes",
        "模型对比：LSTM、GRU 与普通 RNN 读你的文本，以及长程记忆探针",
    ),
    "tip.gradient": (
        "Gradient flow ‖∂ log p / ∂x‖ back through the words: the vanishing gradient",
        "沿着词往回的梯度流 ‖∂ log p / ∂x‖：梯度消失",
    ),
    "tip.gradient.character": (
        "Gradient flow ‖∂ log p / ∂x‖ back through the characters: the vanishing gradient",
        "沿着字符往回的梯度流 ‖∂ log p / ∂x‖：梯度消失",
    ),
    "tip.live": (
        "Training: train a small model in the browser and watch it learn",
        "训练：在浏览器里训练一个小模型，看它学习",
    ),
    "tip.class": (
        "Predict, then reveal: the class guesses the next word against the model",
        "先猜再揭晓：全班和模型比赛猜下一个词",
    ),
    "tip.class.character": (
        "Predict, then reveal: the class guesses the next character against the model",
        "先猜再揭晓：全班和模型比赛猜下一个字符",
    ),
    "tip.learn": ("What each view shows, and the LSTM in a page", "每个视图展示什么，以及一页讲清 LSTM"),
    # a view that needs an LSTM, opened with a GRU or a plain RNN (views/cell_kind.py lstm_only_message)
    "lstmonly.text": (
        "The {view} view {does}; this model is a {cell}, which has {has}. Open Gates & memory to see its own "
        "{own}, or Compare to put it beside an LSTM.",
        "“{view}”视图{does}；这个模型是 {cell}，它有{has}。打开“门与记忆”看它自己的{own}，"
        "或打开“模型对比”把它和 LSTM 放在一起看。",
    ),
    "lstmonly.view.intervene": ("Intervene", "干预"),
    "lstmonly.view.equations": ("Equations & memory", "方程与记忆"),
    "lstmonly.does.intervene": (
        "pins an LSTM's gates (forget, input, output) and its cell state",
        "固定 LSTM 的门（遗忘门、输入门、输出门）和它的细胞状态",
    ),
    "lstmonly.does.equations": (
        "fills in an LSTM's equations and follows its cell state over time",
        "代入 LSTM 的方程，并跟随它的细胞状态随时间的变化",
    ),
    "lstmonly.has.gru": (
        "a reset gate r, an update gate z and a candidate n, and no separate cell",
        "重置门 r、更新门 z 和候选值 n，没有单独的细胞",
    ),
    "lstmonly.has.rnn": ("no gates and no cell, only its hidden state h", "没有门也没有细胞，只有隐藏状态 h"),
    "lstmonly.has.other": ("other quantities", "别的量"),
    "lstmonly.own.gates": ("gates", "门"),
    "lstmonly.own.hidden": ("hidden state", "隐藏状态"),
}
