"""build_app(model) -> gr.Blocks: the header, the shared prompt box and the tabs, nothing else.
Gradio 6 takes the theme and CSS in `launch()`: pass `**launch_kwargs()`."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import partial

import gradio as gr

from lstmlm.model import LanguageModel
from lstmlm.studies.atlas import load_atlas
from lstmlm.studies.cell_hunt import load_hunt
from playground import api, picker
from playground.api import cell_hunt as api_cell_hunt
from playground.api import compare as api_compare
from playground.api import counterfactual as api_counterfactual
from playground.api import equations as api_equations
from playground.api import gradient as api_gradient
from playground.api import intervene as api_intervene
from playground.api import live as api_live
from playground.api import surprisal as api_surprisal
from playground.api import units as api_units
from playground.api.class_game import register as register_class_game
from playground.classroom import bar, language
from playground.classroom.presenter import presenter_css
from playground.hub import ModelHub
from playground.i18n import I18N, t
from playground.plots.cell_hunt import CSS as CELL_HUNT_CSS
from playground.plots.class_game import CSS as CLASS_GAME_CSS
from playground.plots.compare import CSS as COMPARE_CSS
from playground.plots.surprisal import CSS as SURPRISAL_CSS
from playground.plots.units import CSS as UNITS_CSS
from playground.server import arity
from playground.server.sessions import launch_kwargs as session_launch_kwargs
from playground.tabs import Page, class_game, follow_prompt, live, start
from playground.tabs.registry import TABS
from playground.views.cell_kind import model_size_html
from playground.views.class_game import make_store
from playground.views.lineup import make_lineup
from playground.views.next_word import DEFAULT_PROMPT
from playground.views.start import CSS as LESSONS_CSS
from playground.views.start import HEAD as LESSONS_HEAD

CSS = """
#prompt textarea { font-size: 26px !important; line-height: 1.35 !important; }
.lp-header h1 { font-size: 34px; margin: 0; }
.lp-header p { font-size: 18px; color: #4b5563; margin: 2px 0 0 0; }
@media (max-width: 800px) {  /* a phone or tablet: the header over the model box, each the screen's width */
  #lp-head-row { flex-direction: column; }
  #lp-head-row > * { width: 100%; min-width: 0 !important; max-width: 100%; }
  #lp-model-picker { min-width: 0 !important; }
  .lp-header h1 { font-size: 28px; }
  /* a wide table (the Class game's scores, a model's columns) scrolls inside the screen, not the page */
  .prose table, .html-container table { display: block; max-width: 100%; overflow-x: auto; }
}
.lp-label { font-weight: 600; font-size: 17px; margin: 10px 0 4px 0; color: #374151; }
.lp-notice { background: #fef3c7; border: 1px solid #f59e0b; border-radius: 8px; padding: 6px 12px;
             margin: 4px 0; font-size: 17px; color: #78350f; }
.lp-placeholder { color: #9ca3af; font-size: 20px; padding: 12px 4px; }
.lp-chips { display: flex; flex-wrap: wrap; gap: 6px; margin: 4px 0; }
.lp-chip { background: #eef2ff; border: 1px solid #c7d2fe; border-radius: 6px; padding: 2px 8px;
           font-size: 19px; font-family: ui-monospace, monospace; color: #1e1b4b; }
.lp-chip.lp-unk { background: #fee2e2; border: 1px dashed #dc2626; color: #991b1b; }
.lp-chip.lp-eos { background: #f3f4f6; color: #6b7280; }
.lp-chip.lp-apart { background: repeating-linear-gradient(45deg, #f3f4f6 0 6px, #e5e7eb 6px 12px);
                    border: 1px dashed #9ca3af; color: #4b5563; font-style: italic; cursor: default; }
.lp-legend { display: block; font-size: 15px; color: #6b7280; margin-top: 6px; }
.lp-legend .lp-chip { font-size: 13px; padding: 0 5px; }
.lp-entropy { margin: 4px 0 12px 0; }
.lp-entropy-text { font-size: 20px; }
.lp-bar { height: 12px; background: #e5e7eb; border-radius: 6px; margin-top: 6px; overflow: hidden; }
.lp-bar > div { height: 100%; background: linear-gradient(90deg, #4f46e5, #db2777); }
.lp-text { font-size: 24px; line-height: 1.9; padding: 8px 4px; white-space: normal; }
.lp-prompt { color: #6b7280; }
#unit-words .lp-text { max-height: 440px; overflow-y: auto; }
.lp-gen, .lp-w { border-radius: 4px; padding: 1px 2px; color: #111827; }
.lp-gen.lp-dark, .lp-w.lp-dark { color: white; }
.lp-cursor { color: #4f46e5; animation: lp-blink 1s steps(2) infinite; }
@keyframes lp-blink { 50% { opacity: 0; } }
.lp-summary { font-size: 19px; line-height: 1.5; background: #f9fafb; border-radius: 8px; padding: 8px 12px; }
.lp-learn, .lp-learn p { font-size: 19px !important; line-height: 1.55; }
.lp-learn table td, .lp-learn table th { font-size: 18px !important; vertical-align: top; }
.lp-learn table td:first-child { white-space: nowrap; }
.lp-small { font-size: 15px; color: #6b7280; }
span.lp-lang-zh:lang(zh) { display: inline; }  /* a name in both languages inside a line: cell_kind.py */
/* Equations' step buttons stay at the top of the screen while the page scrolls to the memory plots below.
   Gradio's container clips with overflow: hidden, which makes it a scroll box that sticky would stick to;
   clip cuts the same but is no scroll box */
#diagram-controls { position: sticky; top: 0; z-index: 20; background: var(--background-fill-primary); }
.gradio-container { overflow: clip !important; }
/* and what is scrolled into view (a lesson's step, a click's target) stops below them, not under them */
html:has(.tabitem[style*="display: flex"] #diagram-controls) { scroll-padding-top: 130px; }
#candidates button { font-size: 21px !important; }
#examples td, #examples button { font-size: 17px !important; text-align: left; }
"""
CSS += CLASS_GAME_CSS  # the Class game's room code, blank and score table

# Enter in the prompt box adds no line break (the views redraw as you type; nothing to send); Shift+Enter
# still can. A key handler in the page, not a listener of the prompt (tabs/__init__.py: one listener only).
# Not while an input method composes (Chinese), where Enter picks the characters.
PROMPT_KEYS = """<script>
document.addEventListener("keydown", (e) => {
  if (e.key !== "Enter" || e.shiftKey || e.isComposing || e.keyCode === 229) return;
  if (e.target && e.target.tagName === "TEXTAREA" && e.target.closest("#prompt")) e.preventDefault();
}, true);
</script>"""


def theme() -> gr.themes.Base:
    """A calm, high-contrast theme with large text; its fonts ship with gradio (no web fonts)."""
    return gr.themes.Default(primary_hue="indigo", neutral_hue="slate", text_size="lg")


def launch_kwargs() -> dict:
    """Everything `demo.launch()` needs besides host and port: theme, CSS, footer without outside links,
    the English/Chinese texts and the language switch's script."""
    css = CSS + SURPRISAL_CSS + UNITS_CSS + COMPARE_CSS + CELL_HUNT_CSS + LESSONS_CSS + bar.CSS + picker.CSS
    return {
        "theme": theme(),
        "css": css + presenter_css(css, theme()),  # presenter mode: every text size 1.5x (presenter.py)
        "footer_links": ["api", "settings"],
        "i18n": I18N,
        "head": language.head() + LESSONS_HEAD + PROMPT_KEYS,
        **session_launch_kwargs(),  # bounded session memory; bare API calls' sessions dropped when done
    }


def _header(model: LanguageModel) -> str:
    cfg = model.config
    subtitle = t("app.subtitle_chars") if model.vocab.tokenizer.unit == "character" else t("app.subtitle")
    return (  # the browser translates only the first i18n marker of a string: one per string
        '<div class="lp-header"><h1>LSTM Playground</h1><p>'
        + subtitle
        + f" ({model_size_html(model)}, |V| = {cfg.vocab_size:,})</p></div>"
    )


def opened(tab_id: str) -> str:
    """The open tab's id, for `active` (bound to each tab's id with partial)."""
    return tab_id


def build_app(
    model: LanguageModel,
    model_dir: str | os.PathLike | None = None,
    compare_dirs: Sequence[str | os.PathLike] = (),
    hub: ModelHub | None = None,
    key: str | None = None,
    say_misfits: bool = True,
) -> gr.Blocks:
    """The whole app over one read-only model (shared by all users; per-user data lives in gr.State).
    `model_dir` is where the model's unit atlas and averaged gradient flow are looked for (None: none);
    the Compare and Gradient-flow views put the models of `compare_dirs` beside it. With a `hub` (see
    hub.py), the header has the model picker and "Open a model", this app being the hub's model `key`.
    `say_misfits`: print the lesson steps this model does not fit on stderr (`start.say_misfits`)."""
    atlas = load_atlas(model_dir) if model_dir is not None else None
    hunt_cache = load_hunt(model_dir)  # the ranking `lstmlm cells` wrote beside the model (None: none)
    lineup = make_lineup(model, model_dir, compare_dirs, load=hub.load if hub else None)
    rooms = make_store(lineup)  # the Class game's rooms, shared by every page of this app
    lessons = start.shown_lessons()  # the shipped lesson files and a teacher's
    if say_misfits:
        start.say_misfits(model, lessons)
    with gr.Blocks(
        title="LSTM Playground",
        analytics_enabled=False,
        fill_width=True,
        delete_cache=(3600, 3600),  # gradio's copies of downloads: checked hourly, removed when an hour old
    ) as demo:
        if hub is None:
            gr.HTML(_header(model))
        else:
            with gr.Row(equal_height=False, elem_id="lp-head-row"):  # stacked on a phone (CSS)
                gr.HTML(_header(model), scale=3)
                with gr.Column(scale=2, min_width=320):
                    chooser = picker.build(hub, key or hub.default_key, demo)  # per tab: opens /m/<key>/
        classroom_bar = bar.build_bar()
        prompt = gr.Textbox(
            value=DEFAULT_PROMPT,
            lines=2,
            max_lines=8,
            label=t("prompt.label"),
            elem_id="prompt",
            placeholder=t("prompt.placeholder"),
        )
        lesson_bar = start.build_bar()  # a lesson's step, when the page was opened from one
        active = gr.State("next_word")  # the open tab, so typing only redraws what is on screen
        with gr.Tabs(selected="next_word", overflow_behavior="wrap") as tabs:  # 15 tabs: all stay visible
            page = Page(model, prompt, active, tabs, demo, lineup, rooms, lessons, atlas, hunt_cache)
            for spec in TABS:  # tabs/registry.py: the display order
                page.views[spec.id] = spec.build(page)
        views = page.views
        for tab_id, view in views.items():
            view.tab.select(
                partial(opened, tab_id),
                None,
                active,
                queue=False,
                show_progress="hidden",
                api_visibility="private",
            )
        # the prompt's one listener (never a second: tabs/__init__.py says why); page load restores a
        # shared link's screen (classroom mode), then draws the open views with the same call
        redraw, redraw_in, redraw_out = follow_prompt(prompt, views)
        loaded = bar.wire(model, demo, prompt, tabs, active, views, classroom_bar, TABS)
        loaded.then(redraw, redraw_in, redraw_out, show_progress="hidden", api_visibility="private")
        class_game.follow_link(rooms, loaded, views["class"], tabs, active)  # ?room=CODE joins a room
        # ?lesson=... fills the bar, its texts naming what the model reads (word or character)
        start.wire(demo, lesson_bar, lessons, model.config.num_layers, model.vocab.tokenizer.unit)
        api.register(model)
        switch = language.redraw_on_language(redraw, redraw_in, redraw_out)  # the same call on a new language
        if hub is not None:
            picker.follow_language(hub, key or hub.default_key, chooser, switch)  # its lines in the new one
        api_surprisal.register(model)
        api_units.register(model, atlas)
        api_intervene.register(model)
        api_equations.register(model)
        api_counterfactual.register(model)
        api_cell_hunt.register(model, hunt_cache)
        api_compare.register(lineup)
        api_gradient.register(lineup)
        api_live.register()
        register_class_game(rooms)
        demo.unload(live.session_ended)  # a closed page's Live Lab training stops, its files go
    return arity.install(demo)  # a call with too few or too many values hears which parameters
