"""The Compare tab's words, as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.compare": ("Compare", "模型对比"),
}
