"""Learn's words: the LSTM equations beside plain words, what each view shows, the example prompts, in
English beside Chinese. Notation follows the article this project grew from (f_t, i_t, C~_t, C_t, o_t,
h_t) in both languages. The two long texts hold LaTeX (`LATEX`: shown by `t()`, never filled in by `say`)."""

from __future__ import annotations

# (label, prompt): each shows something worth teaching
EXAMPLES = [
    (
        "Long sentence",
        "The castle, which had been built by the king's grandfather in the twelfth century and "
        "rebuilt after a fire that destroyed most of the northern wall, was",
    ),
    ("Parentheses", "The band released its second album (recorded in London and produced by"),
    ("Quotes", 'In an interview, the director said that the film was "a story about'),
    ("Lists", "The team won the championship in 1998, 2001, 2004 and"),
    ("Numbers", "The population was 12,345 at the 2010 census, up from 9,876 in"),
    ("Heading", "= = Reception = =\nThe game received"),
]
ZH_EXAMPLE_LABELS = ["长句子", "括号", "引号", "列表", "数字", "标题"]  # EXAMPLES' labels, in order

INTRO = (
    "At every word $t$, the LSTM reads the word's vector $x_t$ and its own previous output $h_{t-1}$, "
    "and updates a memory, the **cell state** $C_t$. Each layer has many **units**; every equation below "
    "runs for all of them at once. $\\sigma$ squashes a number into 0..1 "
    "(a gate: 0 = closed, 1 = open); $\\tanh$ squashes it into -1..1; $*$ multiplies unit by unit."
)
ZH_INTRO = (
    "在每个词的位置 $t$，LSTM 读入这个词的向量 $x_t$ 和它自己上一步的输出 $h_{t-1}$，并更新一份"
    "记忆，即**细胞状态** $C_t$。每一层有许多**单元**；下面每个方程都同时作用于所有单元。"
    "$\\sigma$ 把一个数压缩到 0..1 之间（一个门：0 = 关闭，1 = 打开）；"
    "$\\tanh$ 把它压缩到 -1..1 之间；$*$ 表示逐个单元相乘。"
)
EQUATIONS = [  # (equation, in words); the article's notation
    (
        r"$f_t = \sigma(W_f \cdot [h_{t-1}, x_t] + b_f)$",
        "**Forget gate.** For each unit: how much of the old memory to keep (1 = keep all, 0 = erase).",
    ),
    (
        r"$i_t = \sigma(W_i \cdot [h_{t-1}, x_t] + b_i)$",
        "**Input gate.** How much of the new information to write into memory.",
    ),
    (
        r"$\tilde{C}_t = \tanh(W_C \cdot [h_{t-1}, x_t] + b_C)$",
        "**Candidate.** The new information itself, between -1 and 1.",
    ),
    (
        r"$C_t = f_t * C_{t-1} + i_t * \tilde{C}_t$",
        "**Cell update.** Keep part of the old memory, add part of the new. Nothing squashes $C_t$, so it "
        "can carry information across many words.",
    ),
    (r"$o_t = \sigma(W_o \cdot [h_{t-1}, x_t] + b_o)$", "**Output gate.** How much of the memory to show."),
    (
        r"$h_t = o_t * \tanh(C_t)$",
        "**Hidden state.** What the unit shows: the next layer's input, and the $h_{t-1}$ of the next word.",
    ),
]
ZH_EQUATIONS = [
    (
        r"$f_t = \sigma(W_f \cdot [h_{t-1}, x_t] + b_f)$",
        "**遗忘门 $f_t$。** 对每个单元：旧的记忆保留多少（1 = 全部保留，0 = 全部擦除）。",
    ),
    (
        r"$i_t = \sigma(W_i \cdot [h_{t-1}, x_t] + b_i)$",
        "**输入门 $i_t$。** 新信息中有多少写入记忆。",
    ),
    (
        r"$\tilde{C}_t = \tanh(W_C \cdot [h_{t-1}, x_t] + b_C)$",
        "**候选值 $\\tilde{C}_t$。** 新信息本身，取值在 -1 到 1 之间。",
    ),
    (
        r"$C_t = f_t * C_{t-1} + i_t * \tilde{C}_t$",
        "**细胞状态 $C_t$ 的更新。** 保留一部分旧记忆，加上一部分新信息。$C_t$ 不经过任何压缩函数，"
        "所以它能把信息带过很多个词。",
    ),
    (
        r"$o_t = \sigma(W_o \cdot [h_{t-1}, x_t] + b_o)$",
        "**输出门 $o_t$。** 记忆中有多少显示出来。",
    ),
    (
        r"$h_t = o_t * \tanh(C_t)$",
        "**隐藏状态 $h_t$。** 单元对外显示的值：它是下一层的输入，也是下一个词的 $h_{t-1}$。",
    ),
]
OUTPUT = (
    "**$h_t$ is not the next-word distribution.** The top layer's $h_t$ goes through an output layer and "
    "a softmax, $P(w_{t+1}) = \\mathrm{softmax}(W_{out} h_t + b_{out})$, which gives one probability to each "
    "word of the vocabulary. Those probabilities are the bars of the Next-word view."
)
ZH_OUTPUT = (
    "**$h_t$ 不是下一个词的概率分布。** 最上层的 $h_t$ 还要经过一个输出层和 softmax，"
    "$P(w_{t+1}) = \\mathrm{softmax}(W_{out} h_t + b_{out})$，才给词表中的每个词一个概率。"
    "这些概率就是“下一个词”视图中的柱子。"
)
VIEWS = [  # (view, what it shows, what to try): every tab, in the tab order (tests/test_lessons.py checks)
    (
        "**Start here**",
        "Guided lessons: each step opens a view with a sentence typed and asks a question the view answers.",
        "Lesson 1, then the lesson bar's “next step”.",
    ),
    (
        "**Next word**",
        "The softmax output after your last word: the top-k words, and the uncertainty (entropy in bits; "
        "5 bits = as unsure as a choice among 32 words). Words the model never learned are marked in red "
        "as rare words.",
        "Click a word to add it and watch the bars change.",
    ),
    (
        "**Generate**",
        "Words drawn one at a time from the distribution, each fed back in. Darker green = the model found "
        "the word more likely. Below: one step's distribution before and after temperature, top-k and top-p.",
        "Temperature 0, then 1.5, with the same seed.",
    ),
    (
        "**Gates & memory**",
        "One gate for every unit (rows) at every word (columns): $f_t$, $i_t$, $o_t$ from 0 (dark) to 1 "
        "(bright); $\\tilde{C}_t$, $C_t$, $h_t$ blue (negative) to red (positive). One unit as lines, and "
        "your text shaded by it. The scatter: for each unit, how often its gate is closed (< 0.1) against "
        "open (> 0.9), as in Karpathy et al. (2015).",
        'Order units by variance, press "Pick the top unit", then try the Quotes example.',
    ),
    (
        "**Counterfactual**",
        "Two sentences that differ in one word: how far apart every gate and the memory are, word by "
        "word, and how the next word changes.",
        "“The boy …” against “The boys …”.",
    ),
    (
        "**Equations & memory**",
        "The equations above with one unit's numbers at one word, the cell drawn with those numbers, and "
        "how much of each earlier word is still in the unit's memory.",
        "Pick a word and check C_t = f_t·C_{t−1} + i_t·C~_t by hand.",
    ),
    (
        "**Units**",
        "Search the units that mark a part of your text (high inside it, low outside), one unit's values "
        "with that part shaded, and, from a long text read once, the words where the unit is highest.",
        "Mark the words inside a bracket and pick the best unit.",
    ),
    (
        "**Intervene**",
        "Change what one layer does while the model reads (pin a gate, clear the memory) and see the next "
        "word and the generated text change. Named presets say what to expect.",
        "“Never forget (top layer)”, then Apply.",
    ),
    (
        "**Cell hunt**",
        "Finds the units whose memory follows a track computed from a text (inside quotes, position in "
        "the line, a pattern of your own), shades the text by a found unit, and opens Intervene on it.",
        "The quotes track, then “Intervene on this unit”.",
    ),
    (
        "**Compare** and **Gradient flow**",
        "The same prompt through an LSTM, a GRU and a plain RNN trained on the same text: their next words "
        "and perplexities, long-range probes, and how strongly the last word's probability still depends on "
        "each earlier word (the gradient norm). In the plain RNN that gradient dies off with distance.",
        "Open a bracket, type twenty words, and see which model still expects the `)`.",
    ),
    (
        "**Surprisal**",
        "Every word of your text coloured by the rank the model gave it (top-10, top-100, ...), what it "
        "expected instead on hover, and the perplexity. Words not in the vocabulary get their own colour "
        "and are left out of the perplexity.",
        "Write a sentence with one odd word in it.",
    ),
    (
        "**Train your own**",
        "Train a small LSTM on a text of your own for up to five minutes: its loss and samples as it "
        "learns, its gates on a probe text, then try it and download it.",
        "A teaching text, then watch the samples turn into words.",
    ),
    (
        "**Class game**",
        "Predict, then reveal: a teacher opens a room, the class guesses the next word on phones or "
        "laptops, then sees its guesses beside the models' top words, and its surprisal against theirs.",
        "Open a room, push “The cat sat on the | mat .”, guess from a second browser tab, reveal.",
    ),
    (
        "**Learn**",
        "This page: the equations in words and what each view shows.",
        "A prompt from “Try these prompts”.",
    ),
]


ZH_VIEWS = [  # the same rows as VIEWS, in the same order
    (
        "**从这里开始**",
        "引导式课程：每一步都会打开一个视图并填好句子，再提一个视图能回答的问题。",
        "第 1 课，然后按课程栏里的“下一步”。",
    ),
    (
        "**下一个词**",
        "读完最后一个词之后的 softmax 输出：概率最高的 k 个词，以及不确定性（以比特计的熵；5 比特 = "
        "像在 32 个同样可能的词中选一个那样不确定）。模型从未学过的词作为生僻词标为红色。",
        "点击一个词把它加到文本后面，看柱子怎样变化。",
    ),
    (
        "**生成**",
        "从分布中一次抽取一个词，再把它送回模型。绿色越深 = 模型认为这个词越可能。下方：某一步的分布"
        "在温度、top-k 和 top-p 之前和之后的样子。",
        "用同一个随机种子，先试温度 0，再试 1.5。",
    ),
    (
        "**门与记忆**",
        "每个单元（行）在每个词（列）上的一个门：$f_t$、$i_t$、$o_t$ 从 0（暗）到 1（亮）；"
        "$\\tilde{C}_t$、$C_t$、$h_t$ 从蓝（负）到红（正）。一个单元的折线图，以及按它着色的文本。"
        "散点图：每个单元的门关闭（< 0.1）与打开（> 0.9）的频率，如 Karpathy 等（2015）。",
        "按方差排序单元，点“选出此排序的第一个单元”，再试“引号”例子。",
    ),
    (
        "**反事实**",
        "两句只差一个词的话：逐词比较每个门和记忆相差多远，以及下一个词怎样变化。",
        "“The boy …” 对比 “The boys …”。",
    ),
    (
        "**方程与记忆**",
        "上面的方程代入某个单元在某个词上的数值、用这些数值画出的细胞图，以及前面每个词还有多少留在这个单元的记忆里。",
        "选一个词，亲手验算 C_t = f_t·C_{t−1} + i_t·C~_t。",
    ),
    (
        "**单元**",
        "搜索标记文本中某一段的单元（段内高、段外低），看一个单元的数值并给这一段着色；"
        "以及从一篇长文本中找出这个单元最高的那些词。",
        "标出括号里的词，选出最好的单元。",
    ),
    (
        "**干预**",
        "在模型阅读时改变某一层的行为（固定一个门、清空记忆），看下一个词和生成的文字怎样变化。"
        "预设说明了会发生什么。",
        "“Never forget (top layer)”，然后按“应用”。",
    ),
    (
        "**寻找单元**",
        "找出记忆跟随某条由文本算出的轨迹的单元（引号内、行内位置、你自己的模式），"
        "按找到的单元给文本着色，并一键对它进行干预。",
        "选引号轨迹，再按“对这个单元干预”。",
    ),
    (
        "**模型对比** 与 **梯度流**",
        "同一段文本同时输入用相同语料训练的 LSTM、GRU 和普通 RNN：它们预测的下一个词与困惑度、长距离探测，"
        "以及最后一个词的概率对前面每个词的依赖有多强（梯度范数）。普通 RNN 的梯度随距离迅速消失。",
        "打开一个括号，再输入二十个词，看哪个模型还在期待 `)`。",
    ),
    (
        "**意外度**",
        "文本中的每个词按模型给它的排名着色（前 10、前 100……），悬停可见模型原本预计的词，以及困惑度。"
        "不在词表中的词用单独的颜色标出，不计入困惑度。",
        "写一句话，其中放一个奇怪的词。",
    ),
    (
        "**训练你自己的模型**",
        "用你自己的文本训练一个小 LSTM，最多五分钟：边学边看损失和样例、探测文本上的门，然后试用并下载。",
        "选一篇教学文本，看样例怎样慢慢变成词。",
    ),
    (
        "**课堂竞猜**",
        "先猜，再揭晓：老师开一个房间，全班在手机或电脑上猜下一个词，然后看到自己的猜测和模型的首选词放在一起，"
        "以及全班的意外度和模型的对比。",
        "开一个房间，推送“The cat sat on the | mat .”，在另一个浏览器标签页里猜，然后揭晓。",
    ),
    (
        "**学习**",
        "本页：用文字解释的方程，以及每个视图显示什么。",
        "从“试试这些文本”中选一个。",
    ),
]


def markdown_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


PAIRS: dict[str, tuple[str, str]] = {
    "tab.learn": ("Learn", "学习"),
    "learn.title": ("How an LSTM reads a sentence", "LSTM 怎样阅读一句话"),
    "learn.try": ("Try these prompts", "试试这些文本"),
    "learn.examples": ("Click one to put it in the text box", "点击一个，把它放进文本框"),
    "learn.views_title": ("What each view shows", "每个视图显示什么"),
    "learn.this_model": ("This model", "这个模型"),
    "learn.perplexity": ("Validation perplexity", "验证集困惑度"),
    # the example prompts' labels (the prompts are the model's English)
    **{f"learn.ex.{label}": (label, zh) for (label, _), zh in zip(EXAMPLES, ZH_EXAMPLE_LABELS, strict=True)},
}
LATEX: dict[str, tuple[str, str]] = {
    "learn.body": (
        "\n\n".join([INTRO, markdown_table(("Equation", "In words"), EQUATIONS), OUTPUT]),
        "\n\n".join([ZH_INTRO, markdown_table(("方程", "含义"), ZH_EQUATIONS), ZH_OUTPUT]),
    ),
    "learn.views": (
        markdown_table(("View", "What it shows", "Try"), VIEWS),
        markdown_table(("视图", "显示什么", "试一试"), ZH_VIEWS),
    ),
}
