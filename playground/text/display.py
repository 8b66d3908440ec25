"""The words of playground/display.py (how tokens look on screen), as (English, Chinese) pairs."""

from __future__ import annotations

from playground.display import RARE_EXPLAINED, RARE_LABEL

PAIRS: dict[str, tuple[str, str]] = {
    "display.rare": (RARE_LABEL, "生僻词"),
    "display.rare_explained": (
        RARE_EXPLAINED,
        "“生僻词”就是 <unk>：模型用它代表词表之外的所有词。它不是一个可以添加的词；"
        "除非你勾选“允许 <unk>”，生成时不会抽到它。",
    ),
    # a character model's <unk> (per_unit: display.rare.character): every character it never learned
    "display.rare.character": ("a rare character", "生僻字符"),
    "display.rare_explained.character": (
        "“a rare character” is <unk>: the model's stand-in for every character outside its vocabulary. It is "
        "not a character you can add, and Generate never draws it unless you tick “allow <unk>”.",
        "“生僻字符”就是 <unk>：模型用它代表词表之外的所有字符。它不是一个可以添加的字符；"
        "除非你勾选“允许 <unk>”，生成时不会抽到它。",
    ),
    # a model's training text in words (display.corpus_words, source_words): never a file path on screen
    "display.corpus.storybooks": ("children's storybooks", "儿童故事书"),
    "display.corpus.wikitext": ("Wikipedia articles (WikiText-2)", "维基百科文章（WikiText-2）"),
    "display.corpus.warpeace": ("Tolstoy's War and Peace", "托尔斯泰的《战争与和平》"),
    "display.split.train": ("training text", "训练文本"),
    "display.split.valid": ("validation text", "验证集文本"),
    "display.split.test": ("test text", "测试集文本"),
    "display.source": ("the {split} of {corpus}", "{corpus}的{split}"),
    "display.source_plain": ("the {split}", "{split}"),
    "display.held_out": ("held-out text", "留出文本"),
}
