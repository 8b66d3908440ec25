"""Generate: sample a continuation word by word with temperature / top-k / top-p and a seed; each word is
shaded by the probability it had. For any generated word, the distribution before and after each
reshaping stage shows what the sliders did."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from functools import partial
from types import SimpleNamespace

import gradio as gr
import plotly.graph_objects as go

from lstmlm.model import LanguageModel
from lstmlm.prompt import read_prompt
from playground import markup
from playground.display import display_word
from playground.i18n import language, say, shown, t
from playground.plots.style import placeholder
from playground.plots.words import reshaping_bars
from playground.tabs import TabView
from playground.views.export import export_generated_file
from playground.views.generate import (
    GenerationSettings,
    coerce_settings,
    generate_limit,
    generate_words,
    reshaping_at,
    reshaping_summary,
    word_context,
)
from playground.views.next_word import append_words

DEFAULTS = GenerationSettings()


def new_seed() -> int:
    """A fresh seed for one press of Generate (not torch's global generator: other users keep theirs)."""
    return secrets.randbelow(1_000_000)


def seed_line(seed: int, temperature: float = 1.0) -> str:
    """Under the generated text: the seed it was drawn with, and how to get the same text again (in the
    page's language); at temperature 0 (always the argmax) that the seed is not used."""
    key = "gen.seed_unused" if temperature == 0 else "gen.seed_used"
    return f'<div class="lp-small" id="seed-used">{say(key, seed=seed)}</div>'


def _ticked() -> bool:
    return True


def _reshaping_view(model: LanguageModel, run: dict, step: int) -> tuple[go.Figure, str]:
    """The reshaping figure and its summary for generated word `step` (1-based) of a finished run."""
    ids = run.get("ids") or []
    if not ids:
        return placeholder(say("gen.pick", unit=say(f"unit.{model.vocab.tokenizer.unit}"))), ""
    step = max(1, min(int(step), len(ids)))
    settings = GenerationSettings(**run["settings"])
    words = [{"id": i, "hidden": h} for i, h in zip(ids, run.get("hidden") or [()] * len(ids), strict=True)]
    context = word_context(read_prompt(model.vocab, run["prompt"]).ids, words, step)  # with hidden headings
    r = reshaping_at(model, context, settings, chosen_id=ids[step - 1])
    lang, unit = language(), model.vocab.tokenizer.unit
    word = display_word(run["words"][step - 1], unit=unit)
    title = say("gen.drawn", lang, step=step, word=word, unit=say(f"unit.{unit}", lang))
    names = [say(f"gen.series.{k}", lang) for k in ("model", "tempered", "final")]
    fig = reshaping_bars(
        r.words, r.model, r.tempered, r.final, r.chosen, title, names, say("next.probability", lang)
    )
    return fig, f'<div class="lp-summary">{reshaping_summary(r, settings, lang, unit)}</div>'


def generate_text(
    model: LanguageModel,
    text: str,
    temperature: float,
    top_k: float,
    top_p: float,
    n_words: float,
    seed: float,
    allow_unk: bool = False,
    keep: bool = True,
) -> Iterator:
    """One press of Generate: the text as it streams (only the text box changes; a character model every
    4th character), then the finished run: the text with the seed used, the run (prompt, ids, words,
    settings), the step slider, the reshaping figure and summary of word 1, and the seed."""
    tokenizer = model.vocab.tokenizer
    chars = tokenizer.unit == "character"
    skip6 = (gr.skip(),) * 6
    if not keep:  # a new text on every press unless the seed is kept; the box shows the seed used
        seed = new_seed()
    try:
        settings = coerce_settings(temperature, top_k, top_p, n_words, seed, allow_unk, generate_limit(model))
    except (ValueError, TypeError) as e:
        gr.Warning(say("gen.cannot", error=shown(e)))
        yield skip6
        return
    p = read_prompt(model.vocab, text)
    if p.notice:
        gr.Info(p.notice)
    words: list[dict] = []
    for gw in generate_words(model, p, settings):
        words.append({"word": gw.word, "id": gw.id, "prob": gw.prob, "rank": gw.rank, "hidden": gw.hidden})
        if not chars or len(words) % 4 == 0:  # characters: every 4th, so the page stays smooth
            yield markup.generated_text(p.tokens, words, True, tokenizer), *skip6[1:]  # text only
    done = {
        "prompt": text or "",
        "ids": [w["id"] for w in words],
        "hidden": [list(w["hidden"]) for w in words],  # heading lines read before each word, not shown
        "words": [w["word"] for w in words],
        "settings": settings.to_dict(),
    }
    fig, summary = _reshaping_view(model, done, 1)
    yield (
        markup.generated_text(p.tokens, words, tokenizer=tokenizer)
        + seed_line(settings.seed, settings.temperature),
        done,
        gr.Slider(minimum=1, maximum=max(2, len(words)), value=1, interactive=len(words) > 1),
        fig,
        summary,
        settings.seed,
    )


def pick_step(model: LanguageModel, run_state: dict, step: float) -> tuple[go.Figure, str]:
    """The reshaping view of generated word `step` of the last run."""
    return _reshaping_view(model, run_state or {}, int(step))


def add_to_prompt(model: LanguageModel, text: str, run_state: dict) -> str:
    """The prompt with the last run's words appended (a warning when nothing was generated yet)."""
    words = (run_state or {}).get("words") or []
    if not words:
        gr.Warning(say("gen.first"))
        return gr.skip()
    return append_words(text or "", words, model.vocab.tokenizer)


def export_words(model: LanguageModel, run_state: dict) -> gr.DownloadButton:
    """The download of the last run's words (the same seeded run, as generated.csv), hidden when none."""
    path = export_generated_file(model, run_state or {})
    return gr.DownloadButton(value=str(path) if path else None, visible=path is not None)


def build(model: LanguageModel, prompt: gr.Textbox) -> TabView:
    """The Generate tab: settings on the left, the streaming text and the reshaping view on the right.
    A character model generates character by character, up to 500."""
    tokenizer = model.vocab.tokenizer
    c = SimpleNamespace()  # the tab's components, by name
    with gr.Tab(t("tab.generate"), id="generate") as tab:
        # presenter mode (classroom/bar.py): the settings in a strip above the text and the chart, full width
        with gr.Row(equal_height=False, elem_id="generate-row"):
            with gr.Column(scale=2, min_width=280, elem_id="gen-settings"):
                settings_column(c, tokenizer.unit == "character", generate_limit(model))
            with gr.Column(scale=5):
                c.output = gr.HTML(f'<div class="lp-placeholder">{t("gen.press")}</div>', elem_id="generated")
                gr.HTML(
                    markup.probability_legend(tokenizer.unit, lead=str(t(f"gen.legend.{tokenizer.unit}")))
                )
                step_label = t(f"gen.step.{tokenizer.unit}")
                c.step = gr.Slider(1, 2, value=1, step=1, label=step_label, interactive=False)
                c.reshape_plot = gr.Plot(
                    None, show_label=False, elem_id="gen-reshaping"
                )  # drawn once there is generated text
                c.summary = gr.HTML()
        c.run_state = gr.State({})
    wire(model, prompt, c)
    controls = dict(temperature=c.temperature, top_k=c.top_k, top_p=c.top_p, words=c.n_words, seed=c.seed)
    view = TabView(tab, controls=controls)
    view.keep_seed = c.keep  # a shared link with a seed ticks it (share.py), so the link gives the same text
    return view


def settings_column(c: SimpleNamespace, chars: bool, limit: int) -> None:
    """The Generate button, the sliders (temperature, top-k, top-p, length), the seed, <unk>, and the Add /
    CSV buttons; `chars`: a character model (its length slider counts characters, up to `limit`, and every
    label names characters, not words)."""
    unit = "character" if chars else "word"
    # the button first: on a laptop screen it and the settings a lesson talks about (temperature, top-p) are
    # in sight together, under the lesson bar (the column is ~700 px tall)
    c.go_button = gr.Button(t("gen.generate"), variant="primary", elem_id="generate-button")
    c.temperature = gr.Slider(
        0,
        2,
        value=DEFAULTS.temperature,
        step=0.05,
        label=t("gen.temperature"),
        info=t(f"gen.temperature_info.{unit}"),
        elem_id="gen-temperature",
    )
    c.top_k = gr.Slider(
        0,
        200,
        value=DEFAULTS.top_k,
        step=1,
        label=t("gen.top_k"),
        info=t(f"gen.top_k_info.{unit}"),
        elem_classes=["lp-secondary"],
    )
    c.top_p = gr.Slider(
        0.05,
        1,
        value=DEFAULTS.top_p,
        step=0.01,
        label=t("gen.top_p"),
        info=t(f"gen.top_p_info.{unit}"),
        elem_id="gen-top-p",
        elem_classes=["lp-secondary"],
    )
    c.n_words = gr.Slider(
        1,
        limit,
        value=200 if chars else DEFAULTS.max_words,
        step=1,
        label=t("gen.chars") if chars else t("gen.words"),
    )
    with gr.Row():
        c.seed = gr.Number(value=DEFAULTS.seed, precision=0, label=t("gen.seed"), min_width=100, scale=2)
        c.keep = gr.Checkbox(
            value=False, label=t("gen.keep_seed"), elem_id="keep-seed", scale=1, min_width=100
        )
    c.allow_unk = gr.Checkbox(
        value=DEFAULTS.allow_unk,
        label=t(f"gen.allow_unk.{unit}"),
        info=t(f"gen.allow_unk_info.{unit}"),
        elem_id="allow-unk",
        elem_classes=["lp-secondary"],
    )
    c.add_button = gr.Button(t("gen.add"), elem_classes=["lp-secondary"])
    c.words_csv = gr.DownloadButton(
        t(f"gen.csv.{unit}"), visible=False, elem_id="generated-csv", elem_classes=["lp-secondary"]
    )


def wire(model: LanguageModel, prompt: gr.Textbox, c: SimpleNamespace) -> None:
    """The tab's listeners, all private (the API's `generate` is in api/__init__.py)."""
    quiet = dict(api_visibility="private", show_progress="hidden")
    c.go_button.click(
        partial(generate_text, model),
        [prompt, c.temperature, c.top_k, c.top_p, c.n_words, c.seed, c.allow_unk, c.keep],
        [c.output, c.run_state, c.step, c.reshape_plot, c.summary, c.seed],
        api_visibility="private",
        show_progress="hidden",
        concurrency_limit=4,
    ).then(partial(export_words, model), c.run_state, c.words_csv, **quiet)
    c.step.input(
        partial(pick_step, model),
        [c.run_state, c.step],
        [c.reshape_plot, c.summary],
        trigger_mode="always_last",
        show_progress="hidden",
        api_visibility="private",
    )
    # typing a seed fixes it (the checkbox has no listener, so nothing chains)
    c.seed.input(_ticked, None, c.keep, api_visibility="private", queue=False, show_progress="hidden")
    c.add_button.click(partial(add_to_prompt, model), [prompt, c.run_state], prompt, **quiet)
