"""The model picker in every app's header (a list of the hub's models; choosing one opens that model's app in
this browser tab, keeping the prompt), the "Open a model" upload beside it, and the `models` endpoint.

No `from __future__ import annotations`: gr.api reads the endpoint's real type hints.
"""

import functools
import logging

import gradio as gr

from lstmlm.checkpoint import CheckpointError
from playground.hub import OPEN_JS, ModelHub
from playground.i18n import language, say, shown, t
from playground.server.model_upload import UPLOAD_MB, UploadError, open_upload

CSS = """
#lp-model-picker { min-width: 320px; }
#lp-open-model { margin-top: 4px; }
"""

TEXT_VOCAB = "a text: its sorted characters are the vocabulary"
LIST_VOCAB = "the token list (one token per line, or JSON)"


def models_json(hub: ModelHub) -> list:
    """Every model the server offers (ModelInfo.as_json: key, label, tokenizer, url_path, ...)."""
    return [info.as_json() for info in hub.infos()]


def info_line(hub: ModelHub, key: str, lang: str = "en") -> str:
    """The line under the picker, in `lang`: what the open model reads, its size, test figure and
    certificate ("" for a key the hub does not hold)."""
    entry = hub.entry(key)
    return "" if entry is None else entry.info.info_line(lang)


def _choices(hub: ModelHub, lang: str = "en") -> list:
    return [(info.choice_label(lang), info.key) for info in hub.infos()]


def in_language(hub: ModelHub, key: str, built: list, lang: str | None = None) -> dict:
    """The picker's update for a page in `lang` (default: the page's language): its choices and info line;
    `gr.skip()` when they are the `built` English ones (a redraw closes an open list)."""
    lang = lang or language()
    now = _choices(hub, lang)
    if now == built and lang == "en":
        return gr.skip()
    return gr.update(choices=now, value=key, info=info_line(hub, key, lang))


def open_model(hub: ModelHub, files, text_vocab: str) -> str:
    """Upload handler: the uploaded files -> a registered model; its path ("/m/<key>/"), which the page
    then opens. Every refusal is a toast with the reason (gr.Error), never a traceback."""
    paths = [getattr(f, "name", f) for f in (files or [])]
    try:
        folder, label = open_upload(
            paths, hub.temp_dir(), vocab_is_text=text_vocab == TEXT_VOCAB, load=hub.load
        )
        return hub.register(folder, label, origin="upload", owned=True)
    except (UploadError, CheckpointError) as e:
        raise gr.Error(shown(e), title=say("picker.cannot"), print_exception=False) from None
    except Exception as e:  # noqa: BLE001 - a file the importer did not foresee: say so, keep serving
        logging.getLogger(__name__).warning("upload failed", exc_info=True)
        names = ", ".join(str(p).rsplit("/", 1)[-1] for p in paths)
        raise gr.Error(
            say("picker.could_not", names=names, error=f"{type(e).__name__}: {e}"),
            title=say("picker.cannot"),
            print_exception=False,
        ) from None


def build(hub: ModelHub, key: str, demo: gr.Blocks) -> gr.Dropdown:
    """The picker and the upload (inside build_app's Blocks, in the header's column), their events, and
    the `models` endpoint. Returns the picker."""
    pick_js = (
        f"(key) => {{ ({OPEN_JS})(key === {hub.default_key!r} ? '/' : '/m/' + key + '/'); return key; }}"
    )
    picker = gr.Dropdown(
        choices=_choices(hub),
        value=key,
        label=t("picker.model"),
        info=info_line(hub, key),
        interactive=True,
        elem_id="lp-model-picker",
    )
    with gr.Accordion(t("picker.open"), open=False, elem_id="lp-open-model"):
        gr.Markdown(t("picker.about"), elem_classes=["lp-small"])
        gr.Markdown(
            f"≤ {UPLOAD_MB} MB", elem_classes=["lp-small"]
        )  # the limit (the page's i18n fills no values)
        files = gr.File(file_count="multiple", label=t("picker.files"), elem_id="lp-model-files")
        kinds = [(t("picker.list_vocab"), LIST_VOCAB), (t("picker.text_vocab"), TEXT_VOCAB)]
        vocab_kind = gr.Radio(kinds, value=LIST_VOCAB, label=t("picker.txt_is"))
        opened = gr.Button(t("picker.open_button"), elem_id="lp-open-model-button", size="sm")
        target = gr.Textbox(visible=False, elem_id="lp-open-target")
    quiet = dict(show_progress="hidden", api_visibility="private")
    picker.input(None, picker, None, js=pick_js, **quiet)
    opened.click(
        functools.partial(open_model, hub), [files, vocab_kind], target, api_visibility="private"
    ).success(None, target, None, js=OPEN_JS, **quiet)

    # models registered since the app was built, and the page's language (a Chinese page: its words)
    demo.load(functools.partial(in_language, hub, key, _choices(hub)), None, picker, queue=False, **quiet)
    gr.api(models_endpoint(hub), api_name="models", queue=False)
    return picker


def follow_language(hub: ModelHub, key: str, picker: gr.Dropdown, switch: gr.Button) -> None:
    """Redraw the picker's choices and info line in the new language when the page's language changes
    (`switch`: the hidden button the page's script presses, classroom/language.py)."""
    redraw = functools.partial(in_language, hub, key, [])  # nothing counts as built: always an update
    switch.click(redraw, None, picker, queue=False, show_progress="hidden", api_visibility="private")


def models_endpoint(hub: ModelHub):
    """The `models` API endpoint's function (bound to `hub`)."""

    def models() -> list:
        """Every model this server offers, the default first: key, label, tokenizer ("words" or
        "characters"), url_path (its endpoints are under it: Client("http://host:7860" + url_path)),
        size, test_figure, certificate (imported models), origin."""
        return models_json(hub)

    return models
