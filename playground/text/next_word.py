"""The Next-word tab's words, as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.next_char": ("Next character", "下一个字符"),
    "next.candidates_chars": ("Click a character to add it to your text", "点击一个字符，把它加到文本后面"),
    "next.k_chars": ("Characters shown (k)", "显示的字符数 (k)"),
    "tab.next_word": ("Next word", "下一个词"),
    "next.candidates": ("Click a word to add it to your text", "点击一个词，把它加到文本后面"),
    "next.k": ("Words shown (k)", "显示的词数 (k)"),
    "next.tokens": ("Your text as the model reads it", "模型读到的文本"),
    "next.title": ("What comes next?", "接下来是什么？"),
    "next.title_start": ("How does a line start? (type some {unit}s)", "一行怎样开头？（输入几个{unit}）"),
    "next.probability": ("probability", "概率"),
    "next.new_line": ("new line", "换行"),
}
