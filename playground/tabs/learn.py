"""Learn: the LSTM equations next to plain words, what each view shows, and example prompts that fill
the prompt box. Notation follows the article this project grew from (f_t, i_t, C~_t, C_t, o_t, h_t)."""

from __future__ import annotations

import gradio as gr

from lstmlm.model import LanguageModel
from playground.tabs import TabView
from playground.views.cell_kind import model_size

LATEX = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]

# (label, prompt): each shows something worth teaching
EXAMPLES = [
    (
        "Long sentence",
        "The castle, which had been built by the king's grandfather in the twelfth century and "
        "rebuilt after a fire that destroyed most of the northern wall, was",
    ),
    ("Parentheses", "The band released its second album (recorded in London and produced by"),
    ("Quotes", 'In an interview, the director said that the film was "a story about'),
    ("Lists", "The team won the championship in 1998, 2001, 2004 and"),
    ("Numbers", "The population was 12,345 at the 2010 census, up from 9,876 in"),
    ("Heading", "= = Reception = =\nThe game received"),
]

INTRO = (
    "At every word $t$, the LSTM reads the word's vector $x_t$ and its own previous output $h_{t-1}$, "
    "and updates a memory, the **cell state** $C_t$. Each layer has many **units**; every equation below "
    "runs for all of them at once. $\\sigma$ squashes a number into 0..1 "
    "(a gate: 0 = closed, 1 = open); $\\tanh$ squashes it into -1..1; $*$ multiplies unit by unit."
)
EQUATIONS = [  # (equation, in words); the article's notation
    (
        r"$f_t = \sigma(W_f \cdot [h_{t-1}, x_t] + b_f)$",
        "**Forget gate.** For each unit: how much of the old memory to keep (1 = keep all, 0 = erase).",
    ),
    (
        r"$i_t = \sigma(W_i \cdot [h_{t-1}, x_t] + b_i)$",
        "**Input gate.** How much of the new information to write into memory.",
    ),
    (
        r"$\tilde{C}_t = \tanh(W_C \cdot [h_{t-1}, x_t] + b_C)$",
        "**Candidate.** The new information itself, between -1 and 1.",
    ),
    (
        r"$C_t = f_t * C_{t-1} + i_t * \tilde{C}_t$",
        "**Cell update.** Keep part of the old memory, add part of the new. Nothing squashes $C_t$, so it "
        "can carry information across many words.",
    ),
    (r"$o_t = \sigma(W_o \cdot [h_{t-1}, x_t] + b_o)$", "**Output gate.** How much of the memory to show."),
    (
        r"$h_t = o_t * \tanh(C_t)$",
        "**Hidden state.** What the unit shows: the next layer's input, and the $h_{t-1}$ of the next word.",
    ),
]
OUTPUT = (
    "**$h_t$ is not the next-word distribution.** The top layer's $h_t$ goes through an output layer and "
    "a softmax, $P(w_{t+1}) = \\mathrm{softmax}(W_{out} h_t + b_{out})$, which gives one probability to each "
    "word of the vocabulary. Those probabilities are the bars of the Next-word view."
)
VIEWS = [  # (view, what it shows, what to try): every tab, in the tab order (tests/test_lessons.py checks)
    (
        "**Start here**",
        "Guided lessons: each step opens a view with a sentence typed and asks a question the view answers.",
        "Lesson 1, then the lesson bar's “next step”.",
    ),
    (
        "**Next word**",
        "The softmax output after your last word: the top-k words, and the uncertainty (entropy in bits; "
        "5 bits = as unsure as a choice among 32 words). Words the model never learned are marked in red "
        "as rare words.",
        "Click a word to add it and watch the bars change.",
    ),
    (
        "**Generate**",
        "Words drawn one at a time from the distribution, each fed back in. Darker green = the model found "
        "the word more likely. Below: one step's distribution before and after temperature, top-k and top-p.",
        "Temperature 0, then 1.5, with the same seed.",
    ),
    (
        "**Gates & memory**",
        "One gate for every unit (rows) at every word (columns): $f_t$, $i_t$, $o_t$ from 0 (dark) to 1 "
        "(bright); $\\tilde{C}_t$, $C_t$, $h_t$ blue (negative) to red (positive). One unit as lines, and "
        "your text shaded by it. The scatter: for each unit, how often its gate is closed (< 0.1) against "
        "open (> 0.9), as in Karpathy et al. (2015).",
        'Order units by variance, press "Pick the top unit", then try the Quotes example.',
    ),
    (
        "**Compare** and **Gradient flow**",
        "The same prompt through an LSTM, a GRU and a plain RNN trained on the same text: their next words "
        "and perplexities, long-range probes, and how strongly the last word's probability still depends on "
        "each earlier word (the gradient norm). In the plain RNN that gradient dies off with distance.",
        "Open a bracket, type twenty words, and see which model still expects the `)`.",
    ),
    (
        "**Surprisal**",
        "Every word of your text coloured by the rank the model gave it (top-10, top-100, ...), what it "
        "expected instead on hover, and the perplexity. Words not in the vocabulary get their own colour "
        "and are left out of the perplexity.",
        "Write a sentence with one odd word in it.",
    ),
    (
        "**Units**",
        "Search the units that mark a part of your text (high inside it, low outside), one unit's values "
        "with that part shaded, and, from a long text read once, the words where the unit is highest.",
        "Mark the words inside a bracket and pick the best unit.",
    ),
    (
        "**Intervene**",
        "Change what one layer does while the model reads (pin a gate, clear the memory) and see the next "
        "word and the generated text change. Named presets say what to expect.",
        "“Never forget (top layer)”, then Apply.",
    ),
    (
        "**Cell hunt**",
        "Finds the units whose memory follows a track computed from a text (inside quotes, position in "
        "the line, a pattern of your own), shades the text by a found unit, and opens Intervene on it.",
        "The quotes track, then “Intervene on this unit”.",
    ),
    (
        "**Equations & memory**",
        "The equations above with one unit's numbers at one word, the cell drawn with those numbers, and "
        "how much of each earlier word is still in the unit's memory.",
        "Pick a word and check C_t = f_t·C_{t−1} + i_t·C~_t by hand.",
    ),
    (
        "**Counterfactual**",
        "Two sentences that differ in one word: how far apart every gate and the memory are, word by "
        "word, and how the next word changes.",
        "“The boy …” against “The boys …”.",
    ),
    (
        "**Train your own**",
        "Train a small LSTM on a text of your own for up to five minutes: its loss and samples as it "
        "learns, its gates on a probe text, then try it and download it.",
        "A teaching text, then watch the samples turn into words.",
    ),
    (
        "**Class game**",
        "Predict, then reveal: a teacher opens a room, the class guesses the next word on phones or "
        "laptops, then sees its guesses beside the models' top words, and its surprisal against theirs.",
        "Open a room, push “The cat sat on the | mat .”, guess from a second browser tab, reveal.",
    ),
    (
        "**Learn**",
        "This page: the equations in words and what each view shows.",
        "A prompt from “Try these prompts”.",
    ),
]


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def build(model: LanguageModel, prompt: gr.Textbox, tabs: gr.Tabs, active: gr.State) -> TabView:
    """The Learn tab; clicking an example fills the prompt and opens the Next-word view."""
    from playground.i18n import say, t  # not at import time: i18n reads this module's English text

    cfg, training = model.config, model.info.get("training", {})
    ppl = training.get("val_perplexity")
    about = (  # "This model: 2 × 650 LSTM, |V| = 33,278, perplexity 98" (one i18n marker per string)
        t("learn.this_model") + f": {model_size(model)}, |V| = {cfg.vocab_size:,}"
    )
    perplexity = t("learn.perplexity") + f" {ppl:.0f}" if isinstance(ppl, (int, float)) else ""

    def example_labels() -> gr.Dataset:  # a Dataset's labels are not translated by the browser: the server's
        labels = [f"{say('learn.ex.' + label)}: {example}" for label, example in EXAMPLES]
        return gr.Dataset(samples=[[example] for _, example in EXAMPLES], sample_labels=labels)

    def fill(sample: list[str] | None) -> tuple:
        if not sample:
            return gr.skip(), gr.skip(), gr.skip()
        return sample[0], gr.Tabs(selected="next_word"), "next_word"

    with gr.Tab(t("tab.learn"), id="learn") as tab:
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                gr.Markdown("## " + t("learn.title"))
                gr.Markdown(t("learn.body"), latex_delimiters=LATEX, elem_classes=["lp-learn"])
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
        gr.Markdown(t("learn.views"), latex_delimiters=LATEX, elem_classes=["lp-learn"])

    examples.click(fill, examples, [prompt, tabs, active], show_progress="hidden", api_visibility="private")
    return TabView(tab, example_labels, [], [examples])  # redrawn on load and on a language switch
