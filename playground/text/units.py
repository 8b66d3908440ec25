"""The Units tab's words, as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.units": ("Units", "单元"),
}
