"""The Intervene tab's words, as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.intervene": ("Intervene", "干预"),
}
