"""The Cell-hunt tab's words, as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.cell_hunt": ("Cell hunt", "寻找单元"),
}
