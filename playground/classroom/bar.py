"""Classroom mode in the app: the bar above the prompt (presenter mode, language, "Link to this screen")
and the page-load handler that restores a shared link's screen. The URL logic is in links.py."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
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
from playground.i18n import EN, ZH, page_cookie, t
from playground.tabs import TabSpec, TabView
from playground.views.gates import CELL_GATES
from playground.views.generate import generate_limit
from playground.views.next_word import MAX_TOP_K_SHOWN

# Presenter mode: a class on <body> (set by the toggle) makes every text at least 1.5x larger and hides
# secondary controls. Gradio repeats app CSS under ".gradio-container.gradio-container-X .contain", which
# outranks "body.lp-present #id"; P repeats that depth so the presenter rules win (issue 17: the prompt
# stayed 26 px). Plotly writes its font sizes inline, so a chart is zoomed 1.5x inside 2/3 of its width:
# it is laid out for the narrower box and drawn at the full one, every label 1.5x. The Next-word chart
# takes the whole width (its words and chips go below it); the Gates heatmap shows PRESENT_UNITS rows.
P = "body.lp-present .gradio-container .contain"
CSS = f"""
.lp-classbar {{ align-items: center; }}
#lp-lang-redraw, .lp-hidden {{ display: none !important; }}
body.lp-present .lp-secondary, body.lp-present .lp-header p, body.lp-present footer,
body.lp-present #lp-link, {P} .lp-secondary, {P} #lp-link {{ display: none !important; }}
{P} .lp-header h1 {{ font-size: 40px; }}
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
{P} .js-plotly-plot {{ zoom: 1.5; width: 66.667% !important; }}
{P} #next-word-row {{ flex-wrap: wrap; }}
{P} #next-word-row > .column {{
  flex: 1 1 100% !important; min-width: 100% !important;
}}
"""

# The page's language, three parts (issue 17: one switch, every text, no tab visit needed):
# - Gradio translates the components' t("key") labels itself; the switch goes through its Settings panel
#   (the frontend has no other hook), and ?lang=zh|en is read on page load.
# - Text the server computes (plot titles, notices) follows the `lp_lang` cookie (i18n.language): set here
#   before the app's first request, and again whenever Gradio changes <html lang>; then the hidden
#   #lp-lang-redraw button redraws the open views in the new language.
# - Gradio translates a tab's label only when the tab is first shown, so the tab buttons are relabelled
#   here from the same dictionary (TAB_LABELS, filled in by `head()`), and again after any re-render.
HEAD = """<script>
(function () {
  const pick = (code) => ((code || "").toLowerCase().startsWith("zh") ? "zh" : "en");
  const remember = (code) => { document.cookie = "lp_lang=" + code + "; path=/; SameSite=Lax"; };
  const asked = new URLSearchParams(window.location.search).get("lang");
  let current = pick(asked === "zh" || asked === "en" ? asked : navigator.language);
  remember(current);
  window.lpRememberPresent = () => {
    const on = document.body && document.body.classList.contains("lp-present") ? "1" : "0";
    document.cookie = "lp_present=" + on + "; path=/; SameSite=Lax";
  };
  window.lpRememberPresent();
  // two pages of one browser share the cookies: the page in use writes its own before it asks anything
  const mine = () => { remember(current); window.lpRememberPresent(); };
  for (const ev of ["focus", "pointerdown", "keydown"]) window.addEventListener(ev, mine, true);
  const labels = TAB_LABELS;
  window.lpRelabelTabs = function () {
    const want = labels[current];
    for (const button of document.querySelectorAll("button[role=tab]")) {
      const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
      let node;
      while ((node = walker.nextNode())) {
        const text = node.nodeValue.trim();
        const key = labels.key[text];
        if (key && want[key] !== text) node.nodeValue = node.nodeValue.replace(text, want[key]);
      }
    }
  };
  let pending = false;
  const relabelSoon = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; window.lpRelabelTabs(); });
  };
  new MutationObserver(() => {
    const code = pick(document.documentElement.lang);
    if (code === current) return;
    current = code;
    remember(code);
    window.lpRelabelTabs();
    const redraw = document.getElementById("lp-lang-redraw");
    if (redraw) redraw.click();
  }).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
  const watch = () => {
    const all = { childList: true, subtree: true, characterData: true };
    new MutationObserver(relabelSoon).observe(document.body, all);
    relabelSoon();
  };
  if (document.body) watch(); else document.addEventListener("DOMContentLoaded", watch);
})();
window.lpSetLanguage = async function (code) {
  const want = code === "zh" ? "简体中文" : "English";
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const open = document.querySelector("footer button.settings");
  if (!open) return;
  open.click();
  let box = null;
  for (let i = 0; i < 60 && !box; i++) {
    await sleep(50);
    box = [...document.querySelectorAll("input[role=combobox]")].find((e) => e.closest(".banner-wrap"));
  }
  if (box) {
    box.focus(); box.click();
    let opt = null;
    for (let i = 0; i < 40 && !opt; i++) {
      await sleep(50);
      opt = [...document.querySelectorAll("[role=option]")].find((e) => e.textContent.trim().endsWith(want));
    }
    if (opt) {
      opt.dispatchEvent(new MouseEvent("mousedown", { bubbles: true }));
      opt.click();
    }
  }
  await sleep(100);
  const title = document.querySelector("h2 .title");
  const close = title && title.closest("h2").nextElementSibling;
  if (close) close.click();
  const url = new URL(window.location.href);
  url.searchParams.set("lang", code);
  window.history.replaceState(null, "", url);
};
window.lpToggleLanguage = function () {
  return window.lpSetLanguage((document.documentElement.lang || "").startsWith("zh") ? "en" : "zh");
};
window.lpLanguageFromUrl = function () {
  const code = new URLSearchParams(window.location.search).get("lang");
  const now = (document.documentElement.lang || "en").startsWith("zh") ? "zh" : "en";
  if ((code === "zh" || code === "en") && code !== now) window.lpSetLanguage(code);
};
</script>"""


def head() -> str:
    """The <head> script, with every tab label in both languages (for relabelling unvisited tabs)."""
    keys = [k for k in EN if k.startswith("tab.")]
    labels = {"en": {k: EN[k] for k in keys}, "zh": {k: ZH[k] for k in keys}}
    labels["key"] = {text: k for lang in ("en", "zh") for k, text in labels[lang].items()}
    return HEAD.replace("TAB_LABELS", json.dumps(labels, ensure_ascii=False))


def redraw_on_language(redraw: Any, inputs: list, outputs: list) -> gr.Button:
    """The hidden button the page's script presses when its language changes: `redraw` (the prompt's
    listener, tabs/__init__.py) draws the open views again, their computed text in the new language."""
    button = gr.Button("redraw", elem_id="lp-lang-redraw", elem_classes=["lp-hidden"])
    button.click(redraw, inputs, outputs, show_progress="hidden", api_visibility="private")
    return button


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
    controls = {
        name: comp for s in linked if "iv" not in s.link_keys for name, comp in views[s.id].controls.items()
    }
    iv = next((views[s.id].controls for s in linked if "iv" in s.link_keys), {})
    names, iv_names = list(controls), list(iv)
    keep_seed = getattr(views.get("generate"), "keep_seed", None)  # ticked by a link that names a seed
    extra = [keep_seed] if keep_seed is not None else []

    def restore(request: gr.Request) -> tuple:
        params = dict(request.query_params) if request is not None else {}
        s = parse_query(params, model_limits)
        view = s.view if s.view in views else "next_word"
        values = [getattr(s, n) if n in params else gr.skip() for n in names]
        spec = parse_intervention(s.iv, model_limits) if iv else {}
        return (
            gr.skip() if s.prompt is None else s.prompt,
            gr.Tabs(selected=view) if "view" in params else gr.skip(),
            view,
            s.mode == "present",
            *values,
            *[spec.get(n, gr.skip()) for n in iv_names],
            *([True if "seed" in params else gr.skip()] if extra else []),
        )

    def share(text: str, view: str, on: bool, *values) -> str:
        settings = dict(zip(names, values[: len(names)], strict=True))
        ivs = dict(zip(iv_names, values[len(names) :], strict=True))
        s = Screen(prompt=text or "", view=view or "next_word", mode="present" if on else "normal")
        clean = parse_query(
            {k: str(v) for k, v in settings.items() if v is not None}, model_limits
        )  # the same clamping as a link that is opened
        fields = {n: getattr(clean, n) for n in names}
        spec = build_intervention(**ivs) if ivs and view == "intervene" else ""
        return build_query(replace(s, **fields, iv=spec))

    quiet = dict(show_progress="hidden", api_visibility="private")
    present.change(None, present, None, js=PRESENT_JS, **quiet)
    lang.click(None, None, None, js="() => { window.lpToggleLanguage(); }", **quiet)
    link_button.click(
        share, [prompt, active, present, *controls.values(), *iv.values()], link, queue=False, **quiet
    ).then(None, link, link, js=ABSOLUTE_LINK_JS, **quiet)
    outputs = [prompt, tabs, active, present, *controls.values(), *iv.values(), *extra]
    return demo.load(restore, None, outputs, queue=False, **quiet).then(
        None, None, None, js="() => { window.lpLanguageFromUrl && window.lpLanguageFromUrl(); }", **quiet
    )
