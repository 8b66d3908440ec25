"""The Start-here tab's words, as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.start": ("Start here", "从这里开始"),
}
