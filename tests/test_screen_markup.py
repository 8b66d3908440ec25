"""Issue 17 item 5: no training-data markup or developer text on screen. Every text table (English and
Chinese) and, for each bundled model, every tab's screen as the app draws it (the prompt's one redraw,
tabs/__init__.py `follow_prompt`, with each tab open in turn) hold no raw `<unk>`/`<eos>`, no WikiText
escapes (`@-@`, `@,@`, `@.@`) or heading marks (`= =`), no file path or `.txt` name and no "WikiText"
outside the texts whose subject is that very word (ALLOWED: each says why)."""

from __future__ import annotations

import html
import re

import plotly.graph_objects as go
import pytest

from playground.text import latex_pairs, word_pairs

MARKUP = re.compile(r"<unk>|<eos>|@[-,.]@|= =|\.txt\b|wikitext|/work/|\.\./|/data/", re.I)
# keys whose text may hold one of them, because the text is about it
ALLOWED = {
    "display.rare_explained": "explains what “a rare word” stands for: <unk>",
    "display.rare_explained.character": "the same, “a rare character”, for a character model",
    "gen.allow_unk.word": "the switch that lets Generate draw <unk>, named by it",
    "gen.allow_unk.character": "the same, for a character model",
    "gen.allow_unk_info.word": "explains that switch",
    "gen.allow_unk_info.character": "the same, for a character model",
    "sur.hover_unknown": "explains why an unknown word has no surprisal: it is read as <unk>",
    "display.corpus.wikitext": "the name of a model's training text, shown for a WikiText model only",
    "cmp.filler.wikitext": "names the first model's training text (WikiText) when it is that",
    "cmp.filler.neutral": "says the probes' words fit neither storybooks nor WikiText",
    "live.intro": "the Live Lab takes a .txt file: the file type a person uploads",
    "live.upload": "the same, on the upload box",
    "picker.about": "the files a model folder holds, for a person uploading one",
    "picker.txt_is": "the token-list file beside an uploaded model",
    "units.no_atlas": "the command that builds an atlas, with its file argument",
}
PROMPTS = ("said Mr.", "The zorblax cost 1,000 dollars, a well-known price\nThe end")  # <unk> ranks high


def _allowed_fragments() -> list[str]:
    """The literal pieces of the ALLOWED texts (around their {fields}) that hold markup, longest first."""
    texts = {**word_pairs(), **latex_pairs()}
    pieces = {
        piece
        for key in ALLOWED
        for text in texts[key]
        for piece in re.split(r"\{[^{}]*\}", text)
        if MARKUP.search(piece)
    }
    return sorted(pieces, key=len, reverse=True)


def markup_in(text: str, fragments: list[str]) -> list[str]:
    """The markup in `text` (with some context) once the allowed fragments are taken out."""
    for piece in fragments:
        text = text.replace(piece, " ")
    return [text[max(0, m.start() - 40) : m.end() + 40] for m in MARKUP.finditer(text)]


def test_no_text_table_holds_markup_outside_the_allow_list():
    found = {}
    for key, pair in {**word_pairs(), **latex_pairs()}.items():
        if key not in ALLOWED:
            hits = [MARKUP.findall(text) for text in pair if MARKUP.search(text)]
            if hits:
                found[key] = hits
    assert not found, found
    assert markup_in("a <unk> b", _allowed_fragments()) == ["a <unk> b"]  # the check can fail


def visible(out, texts: list[str]) -> None:
    """The text a person sees in a handler's outputs: HTML's text and tooltips, a figure's title, axis
    titles, annotations, legend names and category labels, a Dataset's labels, an update's value/label."""
    if isinstance(out, str):
        texts.append(html.unescape(re.sub(r"<[^>]+>", " ", out)))
        texts += [html.unescape(t) for t in re.findall(r'title="([^"]*)"', out)]
    elif isinstance(out, go.Figure):
        layout = out.layout
        texts += [t for t in [layout.title.text, *(a.text for a in layout.annotations)] if t]
        texts += [layout[k].title.text or "" for k in layout if k.startswith(("xaxis", "yaxis"))]
        for trace in out.data:
            texts.append(getattr(trace, "name", None) or "")
            for k in ("x", "y", "text"):
                values = getattr(trace, k, None)
                values = [values] if isinstance(values, str) else values if values is not None else []
                texts += [html.unescape(v) for v in values if isinstance(v, str)]
    elif isinstance(out, list | tuple):
        for o in out:
            visible(o, texts)
    elif isinstance(out, dict):  # gr.update(...)
        for k in ("value", "label", "info", "placeholder", "choices"):
            visible(out.get(k), texts)
    elif type(out).__name__ == "Dataset":  # its labels are shown; its samples are the values sent
        args = getattr(out, "constructor_args", None) or {}
        visible(args.get("sample_labels") or args.get("samples"), texts)


BUNDLED = ["storybooks-lstm", "storybooks-gru", "storybooks-rnn", "wikitext2-lstm", "warpeace-char-lstm"]


@pytest.mark.parametrize("name", BUNDLED)
def test_every_tab_of_a_bundled_model_shows_no_markup(name):
    import gradio as gr

    from lstmlm import load_model
    from playground.app import build_app
    from playground.tabs.registry import TABS
    from playground.views.lineup import bundled_dirs

    directory = next((d for d in bundled_dirs() if d.name == name), None)
    if directory is None:
        pytest.skip(f"{name} is not bundled here")
    demo = build_app(load_model(directory), directory, bundled_dirs())
    redraw = next(f for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "redraw")
    values = [getattr(c, "value", None) for c in redraw.inputs]
    where = {getattr(c, "elem_id", None): n for n, c in enumerate(redraw.inputs)}
    states = [n for n, c in enumerate(redraw.inputs) if isinstance(c, gr.State) and c.value == "next_word"]
    active = states[0]  # the open tab's id (app.py: `active`)
    fragments, found, labels = _allowed_fragments(), {}, []
    for prompt in PROMPTS:
        for spec in TABS:
            values[where["prompt"]], values[active] = prompt, spec.id
            texts: list[str] = []
            visible(redraw.fn(*values), texts)
            hits = [hit for text in texts for hit in markup_in(text, fragments)]
            if hits:
                found[(prompt, spec.id)] = sorted(set(hits))
            labels += texts if spec.id == "compare" and prompt == PROMPTS[0] else []
    assert not found, found
    if name != "warpeace-char-lstm":  # the word models rank <unk> in their top 8 after "said Mr."
        assert "a rare word" in labels  # the Compare chart's label for it, as the other views show it


def test_generated_and_shaded_text_show_a_rare_word_not_unk():
    from lstmlm.tokenizers import WIKITEXT
    from playground import markup

    words = [{"word": w, "prob": 0.1, "rank": 1} for w in ("<unk>", "well", "@-@", "known", "<eos>")]
    texts: list[str] = []
    visible(markup.generated_text(["the", "<unk>"], words, tokenizer=WIKITEXT), texts)
    visible(markup.shaded_words(["the", "<unk>", "<eos>"], [0.1, 0.2, 0.3], 0, 1, False), texts)
    assert not [hit for text in texts for hit in markup_in(text, [])], texts
    assert "theararewordararewordwell-known" in "".join(texts[0].split())  # spaces apart, tags out
