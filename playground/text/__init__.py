"""The app's words in English beside Chinese, as data: one module per tab (text/<tab>.py, named like
tabs/<tab>.py) and one for each shared part (app, classroom, markup, plots). Each module holds `PAIRS`,
{key: (English, Chinese)}, whose {fields} `i18n.say` may fill in, and may hold `LATEX`, texts with LaTeX
braces that are only ever shown whole. playground/i18n.py merges every module found here, so a new tab adds
its words in its own file and nothing else. The modules import no gradio and nothing of playground.i18n."""

from __future__ import annotations

import functools
import importlib
import pkgutil


def _merged(attribute: str) -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, pair in getattr(module, attribute, {}).items():
            if key in merged:
                raise ValueError(f"{key!r} is defined twice (playground/text/{info.name}.py and another)")
            merged[key] = pair
    return merged


def word_pairs() -> dict[str, tuple[str, str]]:
    """Every module's PAIRS, merged (ValueError if two modules define one key)."""
    return _merged("PAIRS")


def latex_pairs() -> dict[str, tuple[str, str]]:
    """Every module's LATEX texts, merged."""
    return _merged("LATEX")


@functools.cache
def _pairs() -> dict[str, tuple[str, str]]:
    return word_pairs()


def words_in(lang: str, key: str, **values: object) -> str:
    """The text for `key` in `lang` ('zh' Chinese, anything else English), its {fields} filled from
    `values`. For plots and views, which take the page's language as an argument (they import no gradio,
    so they cannot read the request as `playground.i18n.say` does). KeyError if the key is missing."""
    text = _pairs()[key][1 if lang == "zh" else 0]
    return text.format(**values) if values else text


def unit_fields(lang: str, unit: str) -> dict[str, str]:
    """The {unit} and {Unit} fields of the texts that name what the model reads: `unit` ('word' or
    'character', a tokenizer's `unit`) in `lang`, lower case and capitalized ('character', 'Character';
    Chinese '字符' both). English plurals write '{unit}s'. KeyError for another unit."""
    name = words_in(lang, f"unit.{unit}")
    return {"unit": name, "Unit": name[:1].upper() + name[1:]}


# what a model reads, named in each language: text/app.py's unit.word / unit.character, and `worded`
UNIT_NAMES = {"en": {"word": "word", "character": "character"}, "zh": {"word": "词", "character": "字符"}}


def worded(text: str, lang: str, unit: str) -> str:
    """`text` with its {unit} and {Unit} marks replaced by `unit` ('word' or 'character') named in `lang`
    ('zh' Chinese, anything else English), as `unit_fields` names it; English plurals write '{unit}s'. A
    plain replace, not `str.format`: LaTeX braces ($h_{t-1}$) and any other {field} stay as written. For
    long texts written once for both kinds of model (Learn, the lessons). KeyError for another unit."""
    name = UNIT_NAMES["zh" if lang == "zh" else "en"][unit]
    return text.replace("{unit}", name).replace("{Unit}", name[:1].upper() + name[1:])


def per_unit(key: str, unit: str) -> str:
    """`key`'s variant for a model that reads `unit`s ('word' or 'character'), `key.<unit>`, where a text
    module defines one; else `key` itself (a text that names no unit)."""
    variant = f"{key}.{unit}"
    return variant if variant in _pairs() else key
