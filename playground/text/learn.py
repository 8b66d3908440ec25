"""Learn's words: the LSTM equations beside plain words, what each view shows, the example prompts, in
English beside Chinese. Notation follows the article this project grew from (f_t, i_t, C~_t, C_t, o_t,
h_t) in both languages. The two long texts hold LaTeX (`LATEX`: shown by `t()`, never filled in by `say`)."""

from __future__ import annotations

from playground.text import worded
from playground.text.learn_views import VIEWS, ZH_VIEWS, view_rows  # noqa: F401 (ZH_VIEWS: i18n reads it here)

# (label, prompt): each shows something worth teaching, in plain English that every bundled model reads
# (no training-data markup such as WikiText's "= = Heading = =" lines: tests/test_screen_markup.py)
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
    ("Story", "Once upon a time there was a little girl who"),
]
ZH_EXAMPLE_LABELS = ["长句子", "括号", "引号", "列表", "数字", "故事"]  # EXAMPLES' labels, in order

INTRO = (
    "At every {unit} $t$, the LSTM reads the {unit}'s vector $x_t$ and its own previous output $h_{t-1}$, "
    "and updates a memory, the **cell state** $C_t$. Each layer has many **units**; every equation below "
    "runs for all of them at once. $\\sigma$ squashes a number into 0..1 "
    "(a gate: 0 = closed, 1 = open); $\\tanh$ squashes it into -1..1; $*$ multiplies unit by unit."
)
ZH_INTRO = (
    "在每个{unit}的位置 $t$，LSTM 读入这个{unit}的向量 $x_t$ 和它自己上一步的输出 $h_{t-1}$，并更新一份"
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
        "can carry information across many {unit}s.",
    ),
    (r"$o_t = \sigma(W_o \cdot [h_{t-1}, x_t] + b_o)$", "**Output gate.** How much of the memory to show."),
    (
        r"$h_t = o_t * \tanh(C_t)$",
        "**Hidden state.** What the unit shows: the next layer's input, and the $h_{t-1}$ of the next "
        "{unit}.",
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
        "所以它能把信息带过很多个{unit}。",
    ),
    (
        r"$o_t = \sigma(W_o \cdot [h_{t-1}, x_t] + b_o)$",
        "**输出门 $o_t$。** 记忆中有多少显示出来。",
    ),
    (
        r"$h_t = o_t * \tanh(C_t)$",
        "**隐藏状态 $h_t$。** 单元对外显示的值：它是下一层的输入，也是下一个{unit}的 $h_{t-1}$。",
    ),
]
OUTPUT = (
    "**$h_t$ is not the next-{unit} distribution.** The top layer's $h_t$ goes through an output layer and "
    "a softmax, $P(w_{t+1}) = \\mathrm{softmax}(W_{out} h_t + b_{out})$, which gives one probability to each "
    "{unit} of the vocabulary. Those probabilities are the bars of the Next-{unit} view."
)
ZH_OUTPUT = (
    "**$h_t$ 不是下一个{unit}的概率分布。** 最上层的 $h_t$ 还要经过一个输出层和 softmax，"
    "$P(w_{t+1}) = \\mathrm{softmax}(W_{out} h_t + b_{out})$，才给词表中的每个{unit}一个概率。"
    "这些概率就是“下一个{unit}”视图中的柱子。"
)


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


def learn_texts(unit: str) -> dict[str, tuple[str, str]]:
    """Learn's two long texts, English and Chinese, for a model that reads `unit`s: keys learn.body and
    learn.views, with a '.character' suffix for a character model (tabs/learn.py picks by the model)."""
    body = [INTRO, markdown_table(("Equation", "In words"), EQUATIONS), OUTPUT]
    zh_body = [ZH_INTRO, markdown_table(("方程", "含义"), ZH_EQUATIONS), ZH_OUTPUT]
    suffix = "" if unit == "word" else f".{unit}"
    return {
        f"learn.body{suffix}": (
            worded("\n\n".join(body), "en", unit),
            worded("\n\n".join(zh_body), "zh", unit),
        ),
        f"learn.views{suffix}": (
            markdown_table(("View", "What it shows", "Try"), view_rows("en", unit)),
            markdown_table(("视图", "显示什么", "试一试"), view_rows("zh", unit)),
        ),
    }


LATEX: dict[str, tuple[str, str]] = {**learn_texts("word"), **learn_texts("character")}
