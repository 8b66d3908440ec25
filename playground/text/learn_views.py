"""Learn's table of what each view shows (every tab, in the tab order; tests/test_lessons.py checks), in
English beside Chinese, written once for both kinds of model: {unit} and {Unit} mark what the model reads
(word or character), named by `view_rows` (playground.text.worded)."""

from __future__ import annotations

from playground.text import worded

VIEWS = [  # (view, what it shows, what to try): every tab, in the tab order (tests/test_lessons.py checks)
    (
        "**Start here**",
        "Guided lessons: each step opens a view with a sentence typed and asks a question the view answers.",
        "Lesson 1, then the lesson bar's “next step”.",
    ),
    (
        "**Next {unit}**",
        "The softmax output after your last {unit}: the top-k {unit}s, and the uncertainty (entropy in bits; "
        "5 bits = as unsure as a choice among 32 {unit}s). {Unit}s the model never learned are marked in red "
        "as rare {unit}s.",
        "Click a {unit} to add it and watch the bars change.",
    ),
    (
        "**Generate**",
        "{Unit}s drawn one at a time from the distribution, each fed back in. Darker green = the model "
        "found the {unit} more likely. Below: one step's distribution before and after temperature, top-k "
        "and top-p.",
        "Temperature 0, then 1.5, with the same seed.",
    ),
    (
        "**Gates & memory**",
        "One gate for every unit (rows) at every {unit} (columns): $f_t$, $i_t$, $o_t$ from 0 (dark) to 1 "
        "(bright); $\\tilde{C}_t$, $C_t$, $h_t$ blue (negative) to red (positive). One unit as lines, and "
        "your text shaded by it. The scatter: for each unit, how often its gate is closed (< 0.1) against "
        "open (> 0.9), as in Karpathy et al. (2015).",
        'Order units by variance, press "Pick the top unit", then try the Quotes example.',
    ),
    (
        "**Change one {unit}** (counterfactual)",
        "Two sentences that differ in one word: how far apart every gate and the memory are, {unit} by "
        "{unit}, and how the next {unit} changes.",
        "“The boy …” against “The boys …”.",
    ),
    (
        "**Equations & memory**",
        "The equations above with one unit's numbers at one {unit}, the cell drawn with those numbers, and "
        "how much of each earlier {unit} is still in the unit's memory.",
        "Pick a {unit} and check C_t = f_t·C_{t−1} + i_t·C~_t by hand.",
    ),
    (
        "**Units**",
        "Search the units that mark a part of your text (high inside it, low outside), one unit's values "
        "with that part shaded, and, from a long text read once, the {unit}s where the unit is highest.",
        "Mark the {unit}s inside a bracket and pick the best unit.",
    ),
    (
        "**Intervene**",
        "Change what one layer does while the model reads (pin a gate, clear the memory) and see the next "
        "{unit} and the generated text change. Named presets say what to expect.",
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
        "The same prompt through an LSTM, a GRU and a plain RNN trained on the same text: their next "
        "{unit}s and perplexities, long-range probes, and how strongly the last {unit}'s probability still "
        "depends on each earlier {unit} (the gradient norm). In the plain RNN that gradient dies off with "
        "distance.",
        "Open a bracket, type twenty words, and see which model still expects the `)`.",
    ),
    (
        "**Surprisal**",
        "Every {unit} of your text coloured by the rank the model gave it (top-10, top-100, ...), what it "
        "expected instead on hover, and the perplexity. {Unit}s not in the vocabulary get their own colour "
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
        "Predict, then reveal: a teacher opens a room, the class guesses the next {unit} on phones or "
        "laptops, then sees its guesses beside the models' top {unit}s, and its surprisal against theirs.",
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
        "**下一个{unit}**",
        "读完最后一个{unit}之后的 softmax 输出：概率最高的 k 个{unit}，以及不确定性（以比特计的熵；5 比特 = "
        "像在 32 个同样可能的{unit}中选一个那样不确定）。模型从未学过的{unit}作为生僻{unit}标为红色。",
        "点击一个{unit}把它加到文本后面，看柱子怎样变化。",
    ),
    (
        "**生成**",
        "从分布中一次抽取一个{unit}，再把它送回模型。绿色越深 = 模型认为这个{unit}越可能。下方：某一步的分布"
        "在温度、top-k 和 top-p 之前和之后的样子。",
        "用同一个随机种子，先试温度 0，再试 1.5。",
    ),
    (
        "**门与记忆**",
        "每个单元（行）在每个{unit}（列）上的一个门：$f_t$、$i_t$、$o_t$ 从 0（暗）到 1（亮）；"
        "$\\tilde{C}_t$、$C_t$、$h_t$ 从蓝（负）到红（正）。一个单元的折线图，以及按它着色的文本。"
        "散点图：每个单元的门关闭（< 0.1）与打开（> 0.9）的频率，如 Karpathy 等（2015）。",
        "按方差排序单元，点“选出此排序的第一个单元”，再试“引号”例子。",
    ),
    (
        "**改一个{unit}**（反事实）",
        "两句只差一个词的话：逐{unit}比较每个门和记忆相差多远，以及下一个{unit}怎样变化。",
        "“The boy …” 对比 “The boys …”。",
    ),
    (
        "**方程与记忆**",
        "上面的方程代入某个单元在某个{unit}上的数值、用这些数值画出的细胞图，以及前面每个{unit}还有多少留在这个单元的记忆里。",
        "选一个{unit}，亲手验算 C_t = f_t·C_{t−1} + i_t·C~_t。",
    ),
    (
        "**单元**",
        "搜索标记文本中某一段的单元（段内高、段外低），看一个单元的数值并给这一段着色；"
        "以及从一篇长文本中找出这个单元最高的那些{unit}。",
        "标出括号里的{unit}，选出最好的单元。",
    ),
    (
        "**干预**",
        "在模型阅读时改变某一层的行为（固定一个门、清空记忆），看下一个{unit}和生成的文字怎样变化。"
        "预设说明了会发生什么。",
        "“从不遗忘（最上层）”，然后按“应用”。",
    ),
    (
        "**寻找单元**",
        "找出记忆跟随某条由文本算出的轨迹的单元（引号内、行内位置、你自己的模式），"
        "按找到的单元给文本着色，并一键对它进行干预。",
        "选引号轨迹，再按“对这个单元做干预”。",
    ),
    (
        "**模型对比** 与 **梯度流**",
        "同一段文本同时输入用相同语料训练的 LSTM、GRU 和普通 RNN："
        "它们预测的下一个{unit}与困惑度、长距离探测，"
        "以及最后一个{unit}的概率对前面每个{unit}的依赖有多强（梯度范数）。普通 RNN 的梯度随距离迅速消失。",
        "打开一个括号，再输入二十个词，看哪个模型还在期待 `)`。",
    ),
    (
        "**意外度**",
        "文本中的每个{unit}按模型给它的排名着色（前 10、前 100……），"
        "悬停可见模型原本预计的{unit}，以及困惑度。不在词表中的{unit}用单独的颜色标出，不计入困惑度。",
        "写一句话，其中放一个奇怪的词。",
    ),
    (
        "**训练你自己的模型**",
        "用你自己的文本训练一个小 LSTM，最多五分钟：边学边看损失和样例、探测文本上的门，然后试用并下载。",
        "选一篇教学文本，看样例怎样慢慢变成词。",
    ),
    (
        "**课堂竞猜**",
        "先猜，再揭晓：老师开一个房间，全班在手机或电脑上猜下一个{unit}，然后看到自己的猜测和模型的首选{unit}放在一起，"
        "以及全班的意外度和模型的对比。",
        "开一个房间，推送“The cat sat on the | mat .”，在另一个浏览器标签页里猜，然后揭晓。",
    ),
    (
        "**学习**",
        "本页：用文字解释的方程，以及每个视图显示什么。",
        "从“试试这些文本”中选一个。",
    ),
]


def view_rows(lang: str, unit: str) -> list[tuple[str, ...]]:
    """VIEWS (or ZH_VIEWS for 'zh') for a model that reads `unit`s: every {unit} mark named (`worded`)."""
    return [tuple(worded(cell, lang, unit) for cell in row) for row in (ZH_VIEWS if lang == "zh" else VIEWS)]
