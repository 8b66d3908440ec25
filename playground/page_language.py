"""The language of the page being served and the text for a key in it, without importing gradio.

`say("key")` reads the request Gradio is serving in this handler call (its `lp_lang` cookie, else its
Accept-Language); outside a request (tests, scripts, notebooks), or when gradio is not even loaded, the
text is English. playground/i18n.py re-exports all of this beside Gradio's own `I18N` and `t()`, so views
and markup (no gradio) and tabs (gradio) speak from the same tables.
"""

from __future__ import annotations

import sys
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING

from lstmlm.messages import Message, message_of
from playground.text import latex_pairs, unit_fields, word_pairs
from playground.text.library import CHINESE as LIBRARY_ZH

if TYPE_CHECKING:
    import gradio as gr

PAIRS = word_pairs()  # handler text and labels: their {fields} are the same in both languages
BOTH = {**PAIRS, **latex_pairs()}
EN = {key: en for key, (en, _) in BOTH.items()}
ZH = {key: zh for key, (_, zh) in BOTH.items()}
LANG_COOKIE = "lp_lang"  # "en" or "zh": the page's script (classroom/language.py) writes it on every change


def serving_request() -> gr.Request | None:
    """The request of the Gradio handler call running now; None outside one. Gradio keeps it in
    `gradio.context.LocalContext`; when gradio has not been imported, nothing is being served."""
    context = sys.modules.get("gradio.context")
    return None if context is None else context.LocalContext.request.get(None)


def language(request: gr.Request | None = None) -> str:
    """'zh' or 'en': the language of the page whose request is being handled (its `lp_lang` cookie, else
    its Accept-Language); 'en' outside a request. `request` defaults to the one Gradio is serving."""
    if request is None:
        request = serving_request()
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
        request = serving_request()
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


def shown(said: object, lang: str | None = None) -> str:
    """What the library said (`said`: an lstmlm `Message`, an exception raised with one, or any text or
    exception) in `lang` (default: the page's language): a Message's key looked up in text/library.py and
    filled from its values (a value that is itself a Message shown the same way), a {unit} and a {cell_name}
    (given with its `cell`, lstmlm.cells.CELL_NAMES) and a Live Lab training's {state} named in `lang`.
    Anything else, a key the table lacks, or a Chinese text whose fields the values do not fill, falls back
    to the English text (`str(said)`): an untranslated message stays readable rather than failing."""
    message = message_of(said)
    if message is None or (lang or language()) != "zh" or message.key not in LIBRARY_ZH:
        return str(said)
    # a value that is itself a Message (a reason quoted inside another message) is shown in `lang` too
    values = {name: shown(v, "zh") if isinstance(v, Message) else v for name, v in message.values.items()}
    if values.get("unit") in ("word", "character"):
        values.update(unit_fields("zh", values["unit"]))
    if "cell_name" in values and f"cell.{values.get('cell')}" in ZH:
        values["cell_name"] = ZH[f"cell.{values['cell']}"]
    if message.key.startswith("live.") and f"live.state.{values.get('state')}" in ZH:
        values["state"] = ZH[f"live.state.{values['state']}"]  # a training's state word, named in Chinese
    try:
        return LIBRARY_ZH[message.key].format(**values)
    except (KeyError, IndexError, ValueError):  # a table text naming a field the library no longer gives
        return str(said)
