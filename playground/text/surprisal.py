"""The Surprisal tab's words, as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.surprisal": ("Surprisal", "意外度"),
}
