"""The Live Lab (Train your own) tab's words, as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.live": ("Train your own", "训练你自己的模型"),
}
