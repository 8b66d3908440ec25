"""Interface text in English and Chinese, as data, beside each other."""
