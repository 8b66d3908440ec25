"""The words of the HTML pieces several tabs show (playground/markup.py) and of the tokenizers, as
(English, Chinese) pairs; handler text may hold {fields} that `say` fills in."""

from __future__ import annotations

from lstmlm.tokenizers import CHARS, WHITESPACE

PAIRS: dict[str, tuple[str, str]] = {
    "markup.uncertainty": (
        "<b>Uncertainty {bits:.1f} bits</b>: as unsure as a choice among {n:,.0f} equally likely {unit}s",
        "<b>不确定度 {bits:.1f} 比特</b>：像在 {n:,.0f} 个同样可能的{unit}中选一个那样不确定",
    ),
    "markup.empty_prompt": (
        "An empty prompt: the model starts at the beginning of a line.",
        "空文本：模型从一行的开头开始。",
    ),
    "markup.unknown_title": (
        "not in the vocabulary: the model reads it as a rare word",
        "不在词表中：模型把它读作生僻词",
    ),
    "markup.unknown_title.character": (
        "not in the vocabulary: the model reads it as a rare character",
        "不在词表中：模型把它读作生僻字符",
    ),
    "markup.line_break": ("a line break: the text goes on on a new line", "换行：文本在新的一行继续"),
    "markup.chips_unknown": (
        '{n} {unit}s · <span class="lp-chip lp-unk">unknown</span> {unk} not in the vocabulary',
        '{n} 个{unit} · <span class="lp-chip lp-unk">未知</span> {unk} 个不在词表中',
    ),
    "markup.chips_known": ("{n} {unit}s, all in the vocabulary", "{n} 个{unit}，全部在词表中"),
    "markup.tokenizer": ("This model reads {what}.", "这个模型读取的是：{what}。"),
    "markup.corpus": (" It learned from {corpus}.", "它学的是{corpus}。"),
    "markup.legend": (
        "Shading = the probability the model gave each {unit}:",
        "底色 = 模型给每个{unit}的概率：",
    ),
    # how the tokenizer cuts text, not which corpus it was made for (the storybook model reads by
    # WikiText's rules): markup.tokenizer_line names the model's own training text from its config.json
    "tokenizer.wikitext": (
        'words, with punctuation split off ("Paris," reads as "Paris" ",") and numbers and hyphenated words '
        'cut at their commas and hyphens ("1,000" reads as "1" "," "000")',
        '词：标点单独成词（"Paris," 读作 "Paris" ","），数字和带连字符的词在逗号和连字符处切开'
        '（"1,000" 读作 "1" "," "000"）',
    ),
    "tokenizer.whitespace": (WHITESPACE.description, '按空格分词：标点留在词上（"Paris," 是一个词）'),
    "tokenizer.chars": (CHARS.description, "一次一个字符（空格和换行也是字符）"),
    "markup.shade_empty": ("Type a prompt to see the text shaded.", "输入文本，看它按数值着色。"),
}
