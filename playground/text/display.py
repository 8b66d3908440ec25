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
}
