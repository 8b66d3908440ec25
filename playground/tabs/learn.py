"""Learn: the LSTM equations next to plain words, what each view shows, and example prompts that fill
the prompt box. The words, English beside Chinese, are in playground/text/learn.py."""

from __future__ import annotations

import gradio as gr

from lstmlm.model import LanguageModel
from playground.i18n import say, t
from playground.tabs import TabView
from playground.text.learn import EXAMPLES
from playground.views.cell_kind import model_size_html

LATEX = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]


def example_labels() -> gr.Dataset:
    """The examples in the page's language (a Dataset's labels are not translated by the browser)."""
    labels = [f"{say('learn.ex.' + label)}: {example}" for label, example in EXAMPLES]
    return gr.Dataset(samples=[[example] for _, example in EXAMPLES], sample_labels=labels)


def fill_example(sample: list[str] | None) -> tuple:
    """A clicked example: into the prompt box, and the Next-word view opens."""
    if not sample:
        return gr.skip(), gr.skip(), gr.skip()
    return sample[0], gr.Tabs(selected="next_word"), "next_word"


def build(model: LanguageModel, prompt: gr.Textbox, tabs: gr.Tabs, active: gr.State) -> TabView:
    """The Learn tab; clicking an example fills the prompt and opens the Next-word view."""
    cfg, training = model.config, model.info.get("training", {})
    ppl = training.get("val_perplexity")
    about = (  # "This model: 2 × 650 LSTM, |V| = 33,278, perplexity 98" (one i18n marker per string)
        t("learn.this_model") + f": {model_size_html(model)}, |V| = {cfg.vocab_size:,}"
    )
    perplexity = t("learn.perplexity") + f" {ppl:.0f}" if isinstance(ppl, (int, float)) else ""
    # the long texts name what this model reads: "next character" for a character model (text/learn.py)
    words = model.vocab.tokenizer.unit == "word"
    body = t("learn.body") if words else t("learn.body.character")
    views = t("learn.views") if words else t("learn.views.character")

    with gr.Tab(t("tab.learn"), id="learn") as tab:
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                gr.Markdown("## " + t("learn.title"))
                gr.Markdown(body, latex_delimiters=LATEX, elem_classes=["lp-learn"])
            with gr.Column(scale=2):
                gr.Markdown("## " + t("learn.try"))
                examples = gr.Dataset(
                    components=["textbox"],
                    samples=[[example] for _, example in EXAMPLES],
                    sample_labels=[
                        f"{say('learn.ex.' + label, 'en')}: {example}" for label, example in EXAMPLES
                    ],
                    layout="table",
                    label=t("learn.examples"),
                    samples_per_page=len(EXAMPLES),
                    elem_id="examples",
                )
                gr.Markdown(about, elem_classes=["lp-small"])
                if perplexity:
                    gr.Markdown(perplexity, elem_classes=["lp-small"])
        gr.Markdown("## " + t("learn.views_title"))
        gr.Markdown(views, latex_delimiters=LATEX, elem_classes=["lp-learn"])

    examples.click(
        fill_example, examples, [prompt, tabs, active], show_progress="hidden", api_visibility="private"
    )
    return TabView(tab, example_labels, [], [examples])  # redrawn on load and on a language switch
