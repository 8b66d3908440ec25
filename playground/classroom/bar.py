"""Classroom mode in the app: the bar above the prompt (presenter mode, language, "Link to this screen")
and the page-load handler that restores a shared link's screen. The URL logic is in links.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

import gradio as gr

from lstmlm.model import LanguageModel
from playground.classroom.links import (
    Limits,
    Screen,
    build_intervention,
    build_query,
    parse_intervention,
    parse_query,
)
from playground.classroom.presenter import P  # the presenter rules' prefix
from playground.i18n import page_cookie, t
from playground.tabs import TabSpec, TabView
from playground.views.gates import CELL_GATES
from playground.views.generate import generate_limit
from playground.views.next_word import MAX_TOP_K_SHOWN

# Presenter mode: a class on <body> (set by the toggle) makes every text at least 1.5x larger and hides
# secondary controls. Gradio repeats app CSS under ".gradio-container.gradio-container-X .contain", which
# outranks "body.lp-present #id"; P repeats that depth so the presenter rules win (issue 17: the prompt
# stayed 26 px). Plotly writes its font sizes inline, so a chart is zoomed 1.5x at 100% width: with CSS
# zoom as standardized (Chromium 128+, Firefox 126+) a zoomed box's percentage width is of its parent on
# screen, and its own layout width is that over 1.5, so Plotly lays it out for 2/3 of the box and it is
# drawn across the whole box, every label 1.5x (66.667% drew it across 2/3 only). The Next-word chart
# takes the whole width (its words and chips go below it); the Gates heatmap shows PRESENT_UNITS rows.
# Generate's settings column becomes a strip above its text and chart (the Generate button, temperature,
# length and seed side by side; top-k, top-p, <unk>, Add and the CSV download hidden as secondary; a form
# left with only hidden controls is hidden too, or it would hold an empty place in the strip), and
# Equations' two memory plots go one above the other: each chart across the page
# (tests/test_browser_presenter.py measures > 0.95 of its row; 0.71 and 0.49 before).
# A zoom of exactly 1.5 drew a chart's 32 px high title, axis title and tick label 47 px high (1.47x: the
# glyph boxes are rounded to whole pixels at each size), the Gates title 1.48x: CHART_ZOOM leaves room, and
# tests/test_browser_presenter.py measures the drawn heights.
# The sizes below are the ones chosen by hand; every other text's is made by presenter.py: the theme's
# text sizes and every pixel font size of the app's CSS at 1.5x.
CHART_ZOOM = 1.55
CSS = f"""
.lp-classbar {{ align-items: center; }}
#lp-lang-redraw, .lp-hidden {{ display: none !important; }}
body.lp-present .lp-secondary, body.lp-present .lp-header p, body.lp-present footer,
body.lp-present #lp-link, body.lp-present #lp-open-model, {P} .lp-secondary, {P} #lp-link,
{P} #lp-open-model {{ display: none !important; }}
{P} #lp-lang, {P} #lp-link-button {{ font-size: 21px !important; }}
{P} #lp-model-picker *, {P} #lp-model-picker input {{ font-size: 24px !important; }}
{P} #prompt textarea {{ font-size: 40px !important; }}
{P} button[role="tab"] {{ font-size: 24px !important; }}
{P} .lp-text {{ font-size: 36px; }}
{P} .lp-chip {{ font-size: 29px; }}
{P} .lp-entropy-text {{ font-size: 30px; }}
{P} .lp-summary, {P} .lp-notice {{ font-size: 29px; }}
{P} #candidates button {{ font-size: 32px !important; }}
{P} .lp-learn, {P} .lp-learn p, {P} .lp-learn td, {P} .lp-learn th {{ font-size: 29px !important; }}
{P} .lp-small, {P} .lp-legend {{ font-size: 24px; }}
{P} .lp-label {{ font-size: 26px; }}
{P} label span, {P} label, {P} .prose {{ font-size: 24px !important; }}
{P} .js-plotly-plot {{ zoom: {CHART_ZOOM}; width: 100% !important; }}
{P} #next-word-row, {P} #generate-row, {P} #memory-row {{ flex-wrap: wrap; }}
{P} #next-word-row > .column, {P} #generate-row > .column, {P} #memory-row > .block {{
  flex: 1 1 100% !important; min-width: 100% !important;
}}
{P} #gen-settings {{ flex-direction: row !important; flex-wrap: wrap; align-items: stretch; }}
{P} #gen-settings > * {{ flex: 2 1 0 !important; min-width: 260px !important; }}
{P} #gen-settings > #generate-button {{ flex: 1 1 0 !important; }}
{P} #gen-settings > .form:has(#gen-temperature) {{ flex: 4 1 0 !important; flex-direction: row; }}
{P} #gen-settings > .form:has(#gen-temperature) > .block {{ flex: 1 1 0; }}
{P} #gen-settings > .form:not(:has(> :not(.lp-secondary))) {{ display: none !important; }}
"""

# The link box gets "?prompt=..." from Python; this makes it absolute, keeps the page's language, shows it
# in the address bar and copies it.
ABSOLUTE_LINK_JS = """(query) => {
  if (!query || query.startsWith("http")) return query;
  const url = new URL(window.location.origin + window.location.pathname + query);
  if ((document.documentElement.lang || "").startsWith("zh")) url.searchParams.set("lang", "zh");
  window.history.replaceState(null, "", url);
  try { navigator.clipboard.writeText(url.href); } catch (e) {}
  return url.href;
}"""
# The presenter class on <body>, and the lp_present cookie the server reads (`presenting`: the Gates heatmap
# shows fewer units); the open views are redrawn when it changes.
PRESENT_JS = """(on) => {
  const was = document.body.classList.contains('lp-present');
  document.body.classList.toggle('lp-present', !!on);
  window.lpRememberPresent && window.lpRememberPresent();
  const redraw = document.getElementById('lp-lang-redraw');
  if (redraw && was !== !!on) redraw.click();
}"""
PRESENT_UNITS = 32  # presenter mode: the Gates heatmap's rows (the first of its order), legible at 1080 px


def presenting(request: gr.Request | None = None) -> bool:
    """Whether the page being served is in presenter mode (its `lp_present` cookie, see PRESENT_JS)."""
    return page_cookie("lp_present", request) == "1"


def build_bar() -> tuple[gr.Checkbox, gr.Button, gr.Button, gr.Textbox]:
    """The classroom bar: presenter toggle, language switch, link button and the link itself."""
    with gr.Row(elem_classes=["lp-classbar"], equal_height=True):
        present = gr.Checkbox(
            False, label=t("classroom.present"), elem_id="lp-present", scale=1, min_width=160
        )
        lang = gr.Button(t("classroom.lang"), size="sm", elem_id="lp-lang", scale=0, min_width=90)
        link_button = gr.Button(
            t("classroom.link"), size="sm", elem_id="lp-link-button", scale=0, min_width=180
        )
        link = gr.Textbox(
            label=t("classroom.link_label"),
            buttons=["copy"],
            interactive=False,
            elem_id="lp-link",
            scale=6,
            max_lines=1,
        )
    return present, lang, link_button, link


def limits_of(model: LanguageModel) -> Limits:
    """The ranges a link's values are clamped into, for this model and the app's sliders."""
    cfg = model.config
    return Limits(
        cfg.num_layers, cfg.hidden_dim, MAX_TOP_K_SHOWN, generate_limit(model), gates=CELL_GATES[cfg.cell]
    )


def restored(
    limits: Limits,
    names: list[str],
    iv_names: list[str],
    views: set[str],
    keep_seed: bool,
    params: dict[str, str],
    iv_more: Sequence[str] = (),
    iv_fn: Callable[[dict], dict] | None = None,
) -> tuple:
    """The page-load outputs for a link's query `params`: prompt, tab, active tab, presenter mode, the tabs'
    controls `names`, Intervene's `iv_names`, then its `iv_more` (what `iv_fn(the link's Intervene
    controls)` sets besides them, and which may also replace a control's value by a full update) and
    (with `keep_seed`) the keep-seed box; gr.skip() for what the link does not name."""
    s = parse_query(params, limits)
    view = s.view if s.view in views else "next_word"
    values = [getattr(s, n) if n in params else gr.skip() for n in names]
    spec = parse_intervention(s.iv, limits) if iv_names else {}
    more = iv_fn(spec) if iv_fn is not None and spec else {}
    return (
        gr.skip() if s.prompt is None else s.prompt,
        gr.Tabs(selected=view) if "view" in params else gr.skip(),
        view,
        s.mode == "present",
        *values,
        *[more.get(n, spec.get(n, gr.skip())) for n in iv_names],
        *[more.get(n, gr.skip()) for n in iv_more],
        *([True if "seed" in params else gr.skip()] if keep_seed else []),
    )


def link_query(
    limits: Limits,
    names: list[str],
    owners: list[str],
    iv_names: list[str],
    text: str,
    view: str,
    on: bool,
    *values: Any,
) -> str:
    """'?prompt=...': the link to this screen, from the prompt, the open tab, presenter mode and the
    controls' `values` (the tabs' `names`, each of the tab in `owners`, then Intervene's `iv_names`). A
    setting several tabs have (the layer and unit of Gates and Equations) is the open tab's, else the
    first tab's."""
    settings: dict[str, Any] = {}
    for name, owner, value in zip(names, owners, values[: len(names)], strict=True):
        if name not in settings or owner == view:
            settings[name] = value
    ivs = dict(zip(iv_names, values[len(names) :], strict=True))
    s = Screen(prompt=text or "", view=view or "next_word", mode="present" if on else "normal")
    clean = parse_query(
        {k: str(v) for k, v in settings.items() if v is not None}, limits
    )  # the same clamping as a link that is opened
    fields = {n: getattr(clean, n) for n in names}
    spec = build_intervention(**ivs) if ivs and view == "intervene" else ""
    return build_query(replace(s, **fields, iv=spec))


def wire(
    model: LanguageModel,
    demo: gr.Blocks,
    prompt: gr.Textbox,
    tabs: gr.Tabs,
    active: gr.State,
    views: dict[str, TabView],
    bar: tuple[gr.Checkbox, gr.Button, gr.Button, gr.Textbox],
    specs: Sequence[TabSpec],
) -> Any:
    """Listeners of the bar, and the page load that restores a link; returns the load event (to chain).
    A link restores the controls each tab's spec names in `link_keys` (Intervene's, packed into "iv")."""
    present, lang, link_button, link = bar
    model_limits = limits_of(model)
    linked = [s for s in specs if s.link_keys and s.id in views]
    owned = [  # (tab, setting, control): a setting two tabs have (layer, unit) is restored into both
        (s.id, name, comp)
        for s in linked
        if "iv" not in s.link_keys
        for name, comp in views[s.id].controls.items()
    ]
    controls = [comp for _, _, comp in owned]
    iv_view = next((views[s.id] for s in linked if "iv" in s.link_keys), TabView(None))
    iv, iv_extra, iv_fn = iv_view.controls, iv_view.link_outputs, iv_view.link_fn
    names, owners, iv_names = [name for _, name, _ in owned], [tab for tab, _, _ in owned], list(iv)
    keep_seed = getattr(views.get("generate"), "keep_seed", None)  # ticked by a link that names a seed
    extra = [keep_seed] if keep_seed is not None else []

    def restore(request: gr.Request) -> tuple:  # a closure: gradio injects the request into a plain function
        params = dict(request.query_params) if request is not None else {}
        return restored(model_limits, names, iv_names, set(views), bool(extra), params, list(iv_extra), iv_fn)

    share = partial(link_query, model_limits, names, owners, iv_names)
    quiet = dict(show_progress="hidden", api_visibility="private")
    present.change(None, present, None, js=PRESENT_JS, **quiet)
    lang.click(None, None, None, js="() => { window.lpToggleLanguage(); }", **quiet)
    link_button.click(
        share, [prompt, active, present, *controls, *iv.values()], link, queue=False, **quiet
    ).then(None, link, link, js=ABSOLUTE_LINK_JS, **quiet)
    outputs = [prompt, tabs, active, present, *controls, *iv.values(), *iv_extra.values(), *extra]
    return demo.load(restore, None, outputs, queue=False, **quiet).then(
        None, None, None, js="() => { window.lpLanguageFromUrl && window.lpLanguageFromUrl(); }", **quiet
    )
