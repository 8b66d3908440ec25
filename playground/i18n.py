"""The interface in English and Simplified Chinese: one `gr.I18n` with an "en" and a "zh" dictionary.

Two ways text reaches the screen, one dictionary for both:
- Components take `label=t("key")`; `launch_kwargs()` passes `i18n=I18N` to `launch()` and the browser
  translates them (its locale, Gradio's Settings panel in the footer, or `?lang=zh` in the URL).
- Text a handler computes (plot titles, notices, summaries) takes `say("key", n=3)`: the language of the
  page being served, which the page's script keeps in the `lp_lang` cookie (share.py). Like Django's
  `gettext`, it reads the current request (Gradio keeps it per handler call), so the plot modules keep
  taking plain strings and nothing threads a language argument through every handler. Outside a request
  (tests, the API from a script, notebooks) it is English.
The equations use the article's notation in both languages: f_t, i_t, C̃_t, C_t, o_t, h_t.
"""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

import gradio as gr

from lstmlm.tokenizers import CHARS, WHITESPACE, WIKITEXT
from playground.plots.diagram import WORDS as DIAGRAM_WORDS
from playground.plots.style import WORDS
from playground.tabs import learn
from playground.text.class_game import PAIRS as CLASS_GAME_PAIRS
from playground.views.intervene import MAX_MEMORY_STEPS

EN = {
    "app.subtitle": "Type a sentence and watch an LSTM language model read it word by word",
    "app.subtitle_chars": "Type a sentence and watch an LSTM language model read it character by character",
    "tab.next_char": "Next character",
    "next.candidates_chars": "Click a character to add it to your text",
    "next.k_chars": "Characters shown (k)",
    "gen.chars": "Characters",
    "prompt.label": "Your text",
    "prompt.placeholder": "Type a sentence, e.g. The little girl opened the door and",
    "tab.next_word": "Next word",
    "tab.generate": "Generate",
    "tab.gates": "Gates & memory",
    "tab.learn": "Learn",
    "tab.start": "Start here",
    "tab.intervene": "Intervene",
    "tab.equations": "Equations & memory",
    "tab.counterfactual": "Counterfactual",
    "tab.surprisal": "Surprisal",
    "tab.units": "Units",
    "tab.compare": "Compare",
    "tab.gradient": "Gradient flow",
    "classroom.link": "Link to this screen",
    "classroom.link_label": "Share this link: it opens the same text, view and settings",
    "classroom.present": "Presenter mode",
    "classroom.lang": "中文",
    "next.candidates": "Click a word to add it to your text",
    "next.k": "Words shown (k)",
    "next.tokens": "Your text as the model reads it",
    "gen.temperature": "Temperature",
    "gen.temperature_info": "< 1 bolder · > 1 wilder · 0 always the top word",
    "gen.top_k": "Top-k",
    "gen.top_k_info": "only the k likeliest words (0 = off)",
    "gen.top_p": "Top-p",
    "gen.top_p_info": "only the likeliest words covering p (1 = off)",
    "gen.words": "Words",
    "gen.seed": "Seed",
    "gen.new_seed": "New seed",
    "gen.keep_seed": "Keep this seed",
    "gen.allow_unk": "Allow <unk> (“a rare word”)",
    "gen.allow_unk_info": "Off: <unk>, the stand-in for rare words, is never drawn (renormalized).",
    "gen.generate": "Generate",
    "gen.add": "Add the text to my prompt",
    "gen.step": "Look at generated word #",
    "gates.layer": "Layer",
    "gates.show": "Show",
    "gates.order": "Order units by",
    "gates.unit": "Unit",
    "gates.top": "Pick the top unit of this order",
    "gate.f": "forget gate f",
    "gate.i": "input gate i",
    "gate.o": "output gate o",
    "gate.g": "candidate C̃",
    "gate.c": "cell state C",
    "gate.h": "hidden state h",
    "gate.r": "reset gate r",
    "gate.z": "update gate z",
    "gate.n": "candidate n",
    "learn.title": "How an LSTM reads a sentence",
    "learn.body": "\n\n".join(
        [learn.INTRO, learn._table(("Equation", "In words"), learn.EQUATIONS), learn.OUTPUT]
    ),
    "learn.try": "Try these prompts",
    "learn.examples": "Click one to put it in the text box",
    "learn.views_title": "What each view shows",
    "learn.views": learn._table(("View", "What it shows", "Try"), learn.VIEWS),
    "learn.this_model": "This model",
}

_ZH_EQUATIONS = [
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
_ZH_VIEWS = [  # the same rows as learn.VIEWS, in the same order
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
        "**方程与记忆**",
        "上面的方程代入某个单元在某个词上的数值、用这些数值画出的细胞图，以及前面每个词还有多少留在这个单元的记忆里。",
        "选一个词，亲手验算 C_t = f_t·C_{t−1} + i_t·C~_t。",
    ),
    (
        "**反事实**",
        "两句只差一个词的话：逐词比较每个门和记忆相差多远，以及下一个词怎样变化。",
        "“The boy …” 对比 “The boys …”。",
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

ZH = {
    "app.subtitle": "输入一句话，看一个 LSTM 语言模型逐词阅读它",
    "app.subtitle_chars": "输入一句话，看一个 LSTM 语言模型逐字符阅读它",
    "tab.next_char": "下一个字符",
    "next.candidates_chars": "点击一个字符，把它加到文本后面",
    "next.k_chars": "显示的字符数 (k)",
    "gen.chars": "字符数",
    "prompt.label": "你的文本",
    "prompt.placeholder": "输入一句英文，例如 The little girl opened the door and",
    "tab.next_word": "下一个词",
    "tab.generate": "生成",
    "tab.gates": "门与记忆",
    "tab.learn": "学习",
    "tab.start": "从这里开始",
    "tab.intervene": "干预",
    "tab.equations": "方程与记忆",
    "tab.counterfactual": "反事实",
    "tab.surprisal": "意外度",
    "tab.units": "单元",
    "tab.compare": "模型对比",
    "tab.gradient": "梯度流",
    "classroom.link": "本页面的链接",
    "classroom.link_label": "分享这个链接：它会打开同样的文本、视图和设置",
    "classroom.present": "演示模式",
    "classroom.lang": "English",
    "next.candidates": "点击一个词，把它加到文本后面",
    "next.k": "显示的词数 (k)",
    "next.tokens": "模型读到的文本",
    "gen.temperature": "温度",
    "gen.temperature_info": "< 1 更保守 · > 1 更随意 · 0 总是选概率最高的词",
    "gen.top_k": "Top-k",
    "gen.top_k_info": "只在最可能的 k 个词中抽取（0 = 关闭）",
    "gen.top_p": "Top-p",
    "gen.top_p_info": "只在累计概率达到 p 的最可能的词中抽取（1 = 关闭）",
    "gen.words": "词数",
    "gen.seed": "随机种子",
    "gen.new_seed": "换一个种子",
    "gen.keep_seed": "保留这个种子",
    "gen.allow_unk": "允许 <unk>（“生僻词”）",
    "gen.allow_unk_info": "关闭时从不抽取代表生僻词的 <unk>，它的概率按比例分给其他词。",
    "gen.generate": "生成",
    "gen.add": "把生成的文本加到我的文本后面",
    "gen.step": "查看生成的第几个词",
    "gates.layer": "层",
    "gates.show": "显示",
    "gates.order": "单元排序方式",
    "gates.unit": "单元",
    "gates.top": "选出此排序的第一个单元",
    "gate.f": "遗忘门 f",
    "gate.i": "输入门 i",
    "gate.o": "输出门 o",
    "gate.g": "候选值 C̃",
    "gate.c": "细胞状态 C",
    "gate.h": "隐藏状态 h",
    "gate.r": "重置门 r",
    "gate.z": "更新门 z",
    "gate.n": "候选值 n",
    "learn.title": "LSTM 怎样阅读一句话",
    "learn.body": "\n\n".join(
        [
            "在每个词的位置 $t$，LSTM 读入这个词的向量 $x_t$ 和它自己上一步的输出 $h_{t-1}$，并更新一份"
            "记忆，即**细胞状态** $C_t$。每一层有许多**单元**；下面每个方程都同时作用于所有单元。"
            "$\\sigma$ 把一个数压缩到 0..1 之间（一个门：0 = 关闭，1 = 打开）；"
            "$\\tanh$ 把它压缩到 -1..1 之间；$*$ 表示逐个单元相乘。",
            learn._table(("方程", "含义"), _ZH_EQUATIONS),
            "**$h_t$ 不是下一个词的概率分布。** 最上层的 $h_t$ 还要经过一个输出层和 softmax，"
            "$P(w_{t+1}) = \\mathrm{softmax}(W_{out} h_t + b_{out})$，才给词表中的每个词一个概率。"
            "这些概率就是“下一个词”视图中的柱子。",
        ]
    ),
    "learn.try": "试试这些文本",
    "learn.examples": "点击一个，把它放进文本框",
    "learn.views_title": "每个视图显示什么",
    "learn.views": learn._table(("视图", "显示什么", "试一试"), _ZH_VIEWS),
    "learn.this_model": "这个模型",
}

# Text for handlers and the newer labels, as (English, Chinese) pairs side by side: one place to keep
# both languages in step. Handler text may hold {fields} that `say` fills in.
PAIRS: dict[str, tuple[str, str]] = {
    "tab.cell_hunt": ("Cell hunt", "寻找单元"),
    "tab.live": ("Train your own", "训练你自己的模型"),
    # Next word
    "next.title": ("What comes next?", "接下来是什么？"),
    "next.title_start": ("How does a line start? (type some {unit}s)", "一行怎样开头？（输入几个{unit}）"),
    "next.probability": ("probability", "概率"),
    "next.new_line": ("new line", "换行"),
    "unit.word": ("word", "词"),
    "unit.character": ("character", "字符"),
    "markup.uncertainty": (
        "<b>Uncertainty {bits:.1f} bits</b>: as unsure as a choice among {n:,.0f} equally likely {unit}s",
        "<b>不确定度 {bits:.1f} 比特</b>：像在 {n:,.0f} 个同样可能的{unit}中选一个那样不确定",
    ),
    "markup.empty_prompt": (
        "An empty prompt: the model starts at the beginning of a line.",
        "空文本：模型从一行的开头开始。",
    ),
    "markup.unknown_title": ("not in the vocabulary: read as <unk>", "不在词表中：读作 <unk>"),
    "markup.line_break": ("line break (<eos>)", "换行 (<eos>)"),
    "markup.chips_unknown": (
        '{n} {unit}s · <span class="lp-chip lp-unk">unknown</span> {unk} not in the vocabulary',
        '{n} 个{unit} · <span class="lp-chip lp-unk">未知</span> {unk} 个不在词表中',
    ),
    "markup.chips_known": ("{n} {unit}s, all in the vocabulary", "{n} 个{unit}，全部在词表中"),
    "markup.tokenizer": ("This model reads {what} ({name}).", "这个模型读取的是：{what}（{name}）。"),
    "markup.legend": (
        "Shading = the probability the model gave each {unit}:",
        "底色 = 模型给每个{unit}的概率：",
    ),
    "tokenizer.wikitext": (
        WIKITEXT.description,
        'WikiText 的词：标点单独成词（"Paris," 读作 "Paris" ","），数字经过转义',
    ),
    "tokenizer.whitespace": (WHITESPACE.description, '按空格分词：标点留在词上（"Paris," 是一个词）'),
    "tokenizer.chars": (CHARS.description, "一次一个字符（空格和换行也是字符）"),
    # Gates & memory
    "gates.empty": ("Type a prompt to see the gates.", "输入文本，看它的门。"),
    "gates.no_gates": ("A plain RNN has no gates: nothing to saturate.", "普通 RNN 没有门：没有什么会饱和。"),
    "gates.open_tab": ("Open this tab to trace your text.", "打开这个标签页来追踪你的文本。"),
    "gates.heatmap_title": (
        "{gate} · layer {layer} · units ordered by {order}",
        "{gate} · 第 {layer} 层 · 单元按{order}排序",
    ),
    "gates.caption": (
        "Layer {layer}, unit {unit}: each {step} shaded by its {what}",
        "第 {layer} 层，单元 {unit}：每个{step}按它的{what}着色",
    ),
    "gates.tanh_cell": ("tanh(cell state)", "tanh(细胞状态)"),
    "gates.presenter_rows": (
        "Presenter mode: the first {n} of {total} units by {order} (all of them outside presenter mode).",
        "演示模式：按{order}排序的前 {n} 个单元（共 {total} 个；退出演示模式可看全部）。",
    ),
    "order.index": ("index", "编号"),
    "order.mean": ("mean", "平均值"),
    "order.variance": ("variance", "方差"),
    "order.saturation": ("saturation", "饱和度"),
    "gatetitle.f": ("forget gate f<sub>t</sub>", "遗忘门 f<sub>t</sub>"),
    "gatetitle.i": ("input gate i<sub>t</sub>", "输入门 i<sub>t</sub>"),
    "gatetitle.o": ("output gate o<sub>t</sub>", "输出门 o<sub>t</sub>"),
    "gatetitle.g": ("candidate C̃<sub>t</sub>", "候选值 C̃<sub>t</sub>"),
    "gatetitle.c": ("cell state C<sub>t</sub>", "细胞状态 C<sub>t</sub>"),
    "gatetitle.h": ("hidden state h<sub>t</sub>", "隐藏状态 h<sub>t</sub>"),
    "gatetitle.r": ("reset gate r<sub>t</sub>", "重置门 r<sub>t</sub>"),
    "gatetitle.z": ("update gate z<sub>t</sub>", "更新门 z<sub>t</sub>"),
    "gatetitle.n": ("candidate n<sub>t</sub>", "候选值 n<sub>t</sub>"),
    # Equations & memory
    "eq.empty": ("Type a prompt to see the equations.", "输入文本，看这些方程。"),
    "eq.open_tab": ("Open this tab to fill in the equations.", "打开这个标签页来填入方程。"),
    "eq.step": ("Word (step)", "词（步）"),
    "eq.name": ("layer {layer}, unit {unit}", "第 {layer} 层，单元 {unit}"),
    "eq.stack_title": ("Kept vs written memory · {name}", "保留与写入的记忆 · {name}"),
    "eq.horizon_title": (
        "Memory horizon · {name}: share of a write left later",
        "记忆的跨度 · {name}：写入的内容之后还剩多少",
    ),
    "eq.note": ("Note.", "注意。"),
    "eq.memory_caption": (
        "Kept against written memory of this unit at every word; the horizon: row s, column t = "
        "f<sub>s+1</sub>·…·f<sub>t</sub>, the share of what was written at step s that is still in the cell "
        f"at step t (at most the last {MAX_MEMORY_STEPS} words).",
        "这个单元在每个词上保留的记忆与写入的记忆；记忆跨度：第 s 行、第 t 列 = "
        "f<sub>s+1</sub>·…·f<sub>t</sub>，"
        f"即第 s 步写入的内容到第 t 步还留在细胞里的比例（最多显示最后 {MAX_MEMORY_STEPS} 个词）。",
    ),
    "diagram.heading": (DIAGRAM_WORDS["heading"], "第 {layer} 层 · 单元 {unit} · 第 {step} 步：“{word}”"),
    "diagram.word": (DIAGRAM_WORDS["word"], "词 “{word}”"),
    # Generate
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
    # Learn's example prompts (their labels; the prompts are the model's English)
    "learn.perplexity": ("Validation perplexity", "验证集困惑度"),
    "learn.ex.Long sentence": ("Long sentence", "长句子"),
    "learn.ex.Parentheses": ("Parentheses", "括号"),
    "learn.ex.Quotes": ("Quotes", "引号"),
    "learn.ex.Lists": ("Lists", "列表"),
    "learn.ex.Numbers": ("Numbers", "数字"),
    "learn.ex.Heading": ("Heading", "标题"),
    "markup.shade_empty": ("Type a prompt to see the text shaded.", "输入文本，看它按数值着色。"),
}

# The gate plots' own words (plots.WORDS: the English), in Chinese; `plot_words()` gives the page's set.
ZH_PLOT_WORDS = {
    "unit": "单元 {u}",
    "units": "{n} 个单元",
    "steps": "{unit}（第 {a}..{b} 步）",
    "word": "词",
    "character": "字符",
    "value": "数值",
    "gates_panel": "门 {gates}（0 关闭，1 打开）",
    "and": " 与 ",
    "unit_title": "第 {layer} 层，单元 {unit}",
    "saturation_title": "门的饱和度，第 {layer} 层",
    "closed": "关闭 (< 0.1) 的比例",
    "open": "打开 (> 0.9) 的比例",
    "line.f": "f 遗忘",
    "line.i": "i 输入",
    "line.o": "o 输出",
    "line.c": "C 细胞",
    "line.h": "h 隐藏",
    "line.r": "r 重置",
    "line.z": "z 更新",
    "line.n": "n 候选",
    "signed.c": "细胞状态 C<sub>t</sub>",
    "signed.n": "候选值 n<sub>t</sub>",
    "signed.h": "隐藏状态 h<sub>t</sub>",
    "panel.f": "遗忘门",
    "panel.i": "输入门",
    "panel.o": "输出门",
    "panel.r": "重置门",
    "panel.z": "更新门",
    "kept": "保留  f<sub>t</sub>·C<sub>t-1</sub>",
    "written": "写入  i<sub>t</sub>·C̃<sub>t</sub>",
    "cell_line": "C<sub>t</sub> = 保留 + 写入",
    "cell_value": "细胞值",
    "left_at": "在第 t 步还剩下",
    "written_at": "在第 s 步写入",
}
PAIRS.update({f"plot.{k}": (WORDS[k], ZH_PLOT_WORDS[k]) for k in WORDS})
MAX_LAYERS_NAMED = 32  # layer.N, layer.bottom.N, layer.top.N for N up to this (component labels)
for _n in range(1, MAX_LAYERS_NAMED + 1):
    PAIRS[f"layer.{_n}"] = (f"Layer {_n}", f"第 {_n} 层")
    PAIRS[f"layer.bottom.{_n}"] = (f"Layer {_n} (bottom)", f"第 {_n} 层（最下层）")
    PAIRS[f"layer.top.{_n}"] = (f"Layer {_n} (top)", f"第 {_n} 层（最上层）")

for _key, (_en, _zh) in PAIRS.items():
    assert _key not in EN, f"{_key} is defined twice"
    EN[_key], ZH[_key] = _en, _zh

for _key, (_en, _zh) in CLASS_GAME_PAIRS.items():  # the Class game's words (class_game_text.py)
    EN[_key], ZH[_key] = _en, _zh

I18N = gr.I18n(en=EN, zh=ZH)
LANG_COOKIE = "lp_lang"  # "en" or "zh": written by the page's script (share.py) whenever its language changes


def t(key: str) -> gr.i18n.I18nData:
    """The translatable text for `key` (KeyError if it is missing, so a typo fails at build time)."""
    if key not in EN or key not in ZH:
        raise KeyError(f"no translation for {key!r}")
    return I18N(key)


def language(request: gr.Request | None = None) -> str:
    """'zh' or 'en': the language of the page whose request is being handled (its `lp_lang` cookie, else
    its Accept-Language); 'en' outside a request. `request` defaults to the one Gradio is serving."""
    if request is None:
        from gradio.context import LocalContext  # set by Gradio around every handler call

        request = LocalContext.request.get(None)
    headers = getattr(request, "headers", None)
    if headers is None:
        return "en"
    chosen = page_cookie(LANG_COOKIE, request)
    if chosen in ("en", "zh"):
        return chosen
    return "zh" if headers.get("accept-language", "").lower().startswith("zh") else "en"


def page_cookie(name: str, request: gr.Request | None = None) -> str | None:
    """The value of cookie `name` that the page of `request` (default: the one being served) sent; None if
    there is no request or no such cookie."""
    if request is None:
        from gradio.context import LocalContext

        request = LocalContext.request.get(None)
    headers = getattr(request, "headers", None)
    try:
        cookie = SimpleCookie(headers.get("cookie", "") if headers is not None else "")
    except CookieError:
        return None
    return cookie[name].value if name in cookie else None


def say(key: str, lang: str | None = None, **values: object) -> str:
    """The text for `key` in `lang` (default: `language()`), its {fields} filled from `values`.
    KeyError if the key is missing."""
    table = ZH if (lang or language()) == "zh" else EN
    text = table[key]
    return text.format(**values) if values else text


def plot_words(lang: str | None = None) -> dict[str, str]:
    """The gate plots' words (plots.WORDS) in `lang` (default: the page's language)."""
    return {k: say(f"plot.{k}", lang) for k in WORDS}
