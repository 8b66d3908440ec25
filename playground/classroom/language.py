"""The page's language in the app: the <head> script that keeps the `lp_lang` cookie and relabels the
tabs, and the hidden button that redraws the open views when the language changes. The switch itself is
in the classroom bar (bar.py); the words are in playground/text/."""

from __future__ import annotations

import json
from typing import Any

import gradio as gr

from playground.i18n import EN, ZH
from playground.text import per_unit

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
    const buttons = Array.from(document.querySelectorAll("button[role=tab]"));
    // a character model's page has the Next-character tab: its tooltips name characters, not words
    const chars = buttons.some((b) => labels.key[b.textContent.trim()] === "tab.next_char");
    const tips = (chars ? labels.tip_char : labels.tip)[current];
    for (const button of buttons) {
      const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
      let node;
      while ((node = walker.nextNode())) {
        const text = node.nodeValue.trim();
        const key = labels.key[text];
        if (key && want[key] !== text) node.nodeValue = node.nodeValue.replace(text, want[key]);
        // the tooltip: the technical term behind the plain name (playground/text/tabs.py)
        const tip = key && tips[key];
        if (tip && button.title !== tip) button.title = tip;
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
    """The <head> script, with every tab label and tooltip in both languages (for relabelling unvisited
    tabs)."""
    keys = [k for k in EN if k.startswith("tab.")]
    labels = {"en": {k: EN[k] for k in keys}, "zh": {k: ZH[k] for k in keys}}
    labels["key"] = {text: k for lang in ("en", "zh") for k, text in labels[lang].items()}
    tips = {"en": EN, "zh": ZH}  # each tab's tooltip, tip.<id> beside tab.<id>
    labels["tip"] = {lang: {k: words.get("tip." + k[4:], "") for k in keys} for lang, words in tips.items()}
    # a character model's page: tip.<id>.character where text/tabs.py has one
    labels["tip_char"] = {
        lang: {k: words.get(per_unit("tip." + k[4:], "character"), "") for k in keys}
        for lang, words in tips.items()
    }
    return HEAD.replace("TAB_LABELS", json.dumps(labels, ensure_ascii=False))


def redraw_on_language(redraw: Any, inputs: list, outputs: list) -> gr.Button:
    """The hidden button the page's script presses when its language changes: `redraw` (the prompt's
    listener, tabs/__init__.py) draws the open views again, their computed text in the new language."""
    button = gr.Button("redraw", elem_id="lp-lang-redraw", elem_classes=["lp-hidden"])
    button.click(redraw, inputs, outputs, show_progress="hidden", api_visibility="private")
    return button
