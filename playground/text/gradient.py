"""The Gradient-flow tab's words, as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.gradient": ("Gradient flow", "梯度流"),
}
