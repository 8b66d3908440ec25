"""Words of the page around the tabs: the header, the prompt box, the units a model reads, the layer names
(component labels of several tabs), as (English, Chinese) pairs."""

from playground.text import UNIT_NAMES

PAIRS: dict[str, tuple[str, str]] = {
    "app.subtitle": (
        "Type a sentence and watch an LSTM language model read it word by word",
        "输入一句话，看一个 LSTM 语言模型逐词阅读它",
    ),
    "app.subtitle_chars": (
        "Type a sentence and watch an LSTM language model read it character by character",
        "输入一句话，看一个 LSTM 语言模型逐字符阅读它",
    ),
    "prompt.label": ("Your text", "你的文本"),
    "prompt.placeholder": (
        "Type a sentence, e.g. The little girl opened the door and",
        "输入一句英文，例如 The little girl opened the door and",
    ),
    **{f"unit.{unit}": (UNIT_NAMES["en"][unit], UNIT_NAMES["zh"][unit]) for unit in ("word", "character")},
    "app.unknown_title": ("A word this model cannot read", "这个模型读不了的词"),
    "app.unknown_title_chars": ("A character this model cannot read", "这个模型读不了的字符"),
}
MAX_LAYERS_NAMED = 32  # layer.N, layer.bottom.N, layer.top.N for N up to this (component labels)
for _n in range(1, MAX_LAYERS_NAMED + 1):
    PAIRS[f"layer.{_n}"] = (f"Layer {_n}", f"第 {_n} 层")
    PAIRS[f"layer.bottom.{_n}"] = (f"Layer {_n} (bottom)", f"第 {_n} 层（最下层）")
    PAIRS[f"layer.top.{_n}"] = (f"Layer {_n} (top)", f"第 {_n} 层（最上层）")
