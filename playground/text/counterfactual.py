"""The Counterfactual tab's words, as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.counterfactual": ("Counterfactual", "反事实"),
}
