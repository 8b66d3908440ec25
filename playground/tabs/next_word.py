"""Next word: as you type, the model's most likely next words, how unsure it is, and your text as it
reads it (unknown words marked). Clicking a word adds it to the text."""

from __future__ import annotations

from functools import partial

import gradio as gr
import plotly.graph_objects as go

from lstmlm.model import LanguageModel
from lstmlm.prompt import read_prompt
from lstmlm.vocab import EOS
from playground import markup
from playground.display import display_word
from playground.i18n import say, t
from playground.plots.style import placeholder
from playground.plots.words import next_word_bars
from playground.tabs import TabView
from playground.views.next_word import MAX_TOP_K_SHOWN, append_words, is_choosable, predict_next

DEFAULT_K = 10


def word_labels(words: list[str], unit: str = "word") -> list[str]:
    """Chart and button labels of predicted words: a line break says "new line" beside its symbol; <unk>
    is "a rare word", or "a rare character" when the model reads `unit` 'character'."""
    return [display_word(w, unit=unit) + (" " + say("next.new_line") if w == EOS else "") for w in words]


def update(model: LanguageModel, text: str, k: int) -> tuple[go.Figure, str, gr.Dataset, str]:
    """The tab's screen for `text`: the bar chart of the k most likely next words, the entropy line (bits),
    the clickable candidates (real words only) and the prompt's tokens as the model reads them."""
    p = read_prompt(model.vocab, text)
    nxt = predict_next(model, p, int(k or DEFAULT_K))
    shown = word_labels(nxt.words, p.unit)
    title = say("next.title") if p.tokens else say("next.title_start", unit=say(f"unit.{p.unit}"))
    # only real words are offered to click: <unk> and hidden words are drawn apart, never sent as values
    choosable = [is_choosable(w) for w in nxt.words]
    offered = [(w, label) for w, label, ok in zip(nxt.words, shown, choosable, strict=True) if ok]
    candidates = gr.Dataset(
        samples=[[w] for w, _ in offered] or [[""]], sample_labels=[label for _, label in offered] or [""]
    )
    return (
        next_word_bars(
            shown, nxt.probs, title, apart=[not ok for ok in choosable], axis=say("next.probability")
        ),
        markup.entropy_line(nxt.entropy_bits, p.unit) + markup.set_apart_note(nxt.words, nxt.probs, p.unit),
        candidates,
        markup.token_chips(p.tokens, p.unknown, p.notice, p.unit)
        + markup.tokenizer_line(model.vocab.tokenizer, getattr(model, "info", None)),
    )


def add_word(model: LanguageModel, text: str, sample: list[str] | None) -> str:
    """The prompt with the clicked candidate word appended (joined as the model's tokenizer writes text);
    gr.skip() when the click carried no word."""
    if not sample or not sample[0]:
        return gr.skip()
    return append_words(text or "", [sample[0]], model.vocab.tokenizer)


def build(model: LanguageModel, prompt: gr.Textbox) -> TabView:
    """The Next-word tab; it redraws on every keystroke in the shared prompt (the app's one prompt
    listener calls its `refresh_fn`, see tabs/__init__.py)."""
    chars = model.vocab.tokenizer.unit == "character"  # a character model: labels say "character"
    with gr.Tab(t("tab.next_char") if chars else t("tab.next_word"), id="next_word") as tab:
        with gr.Row(equal_height=False, elem_id="next-word-row"):  # presenter mode: one column each
            with gr.Column(scale=3):
                chart = gr.Plot(placeholder("Loading…"), show_label=False, elem_id="next-word-chart")
            with gr.Column(scale=2):
                entropy = gr.HTML(elem_id="entropy")
                candidates = gr.Dataset(
                    label=t("next.candidates_chars") if chars else t("next.candidates"),
                    components=["textbox"],
                    samples=[[""]],
                    layout="gallery",
                    samples_per_page=MAX_TOP_K_SHOWN,
                    elem_id="candidates",
                )
                k = gr.Slider(
                    1,
                    MAX_TOP_K_SHOWN,
                    value=DEFAULT_K,
                    step=1,
                    label=t("next.k_chars") if chars else t("next.k"),
                    elem_classes=["lp-secondary"],
                )
                gr.HTML('<div class="lp-label">' + t("next.tokens") + "</div>", elem_classes=["lp-secondary"])
                tokens = gr.HTML(elem_id="tokens", elem_classes=["lp-secondary"])

    outputs = [chart, entropy, candidates, tokens]
    # A slider drag sends only its latest value (always_last); two redraws run at a time, no spinner.
    live = dict(
        show_progress="hidden",
        trigger_mode="always_last",
        api_visibility="private",
        concurrency_limit=2,
        concurrency_id="next_word",
    )
    redraw = partial(update, model)
    k.input(redraw, [prompt, k], outputs, **live)
    candidates.click(
        partial(add_word, model),
        [prompt, candidates],
        prompt,
        show_progress="hidden",
        api_visibility="private",
    )
    return TabView(tab, redraw, [prompt, k], outputs, controls={"k": k})
