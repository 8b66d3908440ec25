"""The interface in English and Simplified Chinese: one `gr.I18n` with an "en" and a "zh" dictionary.

Two ways text reaches the screen, one dictionary for both:
- Components take `label=t("key")`; `launch_kwargs()` passes `i18n=I18N` to `launch()` and the browser
  translates them (its locale, Gradio's Settings panel in the footer, or `?lang=zh` in the URL).
- Text a handler computes (plot titles, notices, summaries) takes `say("key", n=3)`: the language of the
  page being served, which the page's script keeps in the `lp_lang` cookie (classroom/language.py). Like
  Django's `gettext`, it reads the current request (Gradio keeps it per handler call), so the plot modules
  keep taking plain strings and nothing threads a language argument through every handler. Outside a request
  (tests, the API from a script, notebooks) it is English.
The words themselves are data in playground/text/ (one module per tab, English beside Chinese); the
equations use the article's notation in both languages: f_t, i_t, C̃_t, C_t, o_t, h_t.
"""

from __future__ import annotations

import gradio as gr

# the tables, the page's language and say() need no gradio: they live in page_language.py, for views and
# markup too; tabs keep importing them from here
from playground.page_language import (  # noqa: F401
    EN,
    LANG_COOKIE,
    PAIRS,
    ZH,
    language,
    page_cookie,
    say,
    shown,
)
from playground.plots.style import WORDS
from playground.text.learn import ZH_VIEWS

_ZH_VIEWS = ZH_VIEWS  # Learn's Chinese rows under their old name (tests/test_lessons.py reads it here)

I18N = gr.I18n(en=EN, zh=ZH)


def t(key: str) -> gr.i18n.I18nData:
    """The translatable text for `key` (KeyError if it is missing, so a typo fails at build time)."""
    if key not in EN or key not in ZH:
        raise KeyError(f"no translation for {key!r}")
    return I18N(key)


def layer_name(n: int, num_layers: int) -> gr.i18n.I18nData:
    """Layer n's label (n from 0, the bottom): 'Layer 1 (bottom)' ... 'Layer 3 (top)', 'Layer 1' alone in a
    one-layer model; translated by the page (one i18n key per layer, text/app.py)."""
    where = "bottom." if n == 0 and num_layers > 1 else "top." if n == num_layers - 1 and n else ""
    return t(f"layer.{where}{n + 1}")


def plot_words(lang: str | None = None) -> dict[str, str]:
    """The gate plots' words (plots/style.py's WORDS) in `lang` (default: the page's language)."""
    return {k: say(f"plot.{k}", lang) for k in WORDS}
