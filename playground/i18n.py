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

from http.cookies import CookieError, SimpleCookie

import gradio as gr

from playground.plots.style import WORDS
from playground.text import latex_pairs, word_pairs
from playground.text.learn import ZH_VIEWS

PAIRS = word_pairs()  # handler text and labels: their {fields} are the same in both languages
_BOTH = {**PAIRS, **latex_pairs()}
EN = {key: en for key, (en, _) in _BOTH.items()}
ZH = {key: zh for key, (_, zh) in _BOTH.items()}
_ZH_VIEWS = ZH_VIEWS  # Learn's Chinese rows under their old name (tests/test_lessons.py reads it here)

I18N = gr.I18n(en=EN, zh=ZH)
LANG_COOKIE = "lp_lang"  # "en" or "zh": the page's script (classroom/language.py) writes it on every change


def t(key: str) -> gr.i18n.I18nData:
    """The translatable text for `key` (KeyError if it is missing, so a typo fails at build time)."""
    if key not in EN or key not in ZH:
        raise KeyError(f"no translation for {key!r}")
    return I18N(key)


def language(request: gr.Request | None = None) -> str:
    """'zh' or 'en': the language of the page whose request is being handled (its `lp_lang` cookie, else
    its Accept-Language); 'en' outside a request. `request` defaults to the one Gradio is serving."""
    if request is None:
        from gradio.context import LocalContext  # set by Gradio around every handler call

        request = LocalContext.request.get(None)
    headers = getattr(request, "headers", None)
    if headers is None:
        return "en"
    chosen = page_cookie(LANG_COOKIE, request)
    if chosen in ("en", "zh"):
        return chosen
    return "zh" if headers.get("accept-language", "").lower().startswith("zh") else "en"


def page_cookie(name: str, request: gr.Request | None = None) -> str | None:
    """The value of cookie `name` that the page of `request` (default: the one being served) sent; None if
    there is no request or no such cookie."""
    if request is None:
        from gradio.context import LocalContext

        request = LocalContext.request.get(None)
    headers = getattr(request, "headers", None)
    try:
        cookie = SimpleCookie(headers.get("cookie", "") if headers is not None else "")
    except CookieError:
        return None
    return cookie[name].value if name in cookie else None


def say(key: str, lang: str | None = None, **values: object) -> str:
    """The text for `key` in `lang` (default: `language()`), its {fields} filled from `values`.
    KeyError if the key is missing."""
    table = ZH if (lang or language()) == "zh" else EN
    text = table[key]
    return text.format(**values) if values else text


def plot_words(lang: str | None = None) -> dict[str, str]:
    """The gate plots' words (plots/style.py's WORDS) in `lang` (default: the page's language)."""
    return {k: say(f"plot.{k}", lang) for k in WORDS}
