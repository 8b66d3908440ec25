"""The page's language in the app: the <head> script that keeps the `lp_lang` cookie and relabels the
tabs, and the hidden button that redraws the open views when the language changes. The switch itself is
in the classroom bar (bar.py); the words are in playground/text/."""

from __future__ import annotations

import json
from pathlib import Path
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
# - Gradio's own words (an upload box's "Drop File Here", "- or -", "Click to Upload"; "Clear", "Loading",
#   "Error"...) are drawn once, in the language of the moment the component is first shown: Gradio 6's
#   components pass `gradio.i18n` down (its Upload draws `i18n("upload_text.drop_file")` and
#   `- ${i18n("common.or")} -`, assets/src-*.js), a function that reads the locale when called but is no
#   reactive dependency, so nothing redraws them on a switch; only choices use the reactive `live_i18n`
#   (gradio issue #13531).
#   So after each switch the script swaps every such word left in the other language, from Gradio's own
#   en and zh-CN dictionaries (GRADIO_LOCALES: their files, loaded by `import()`); the model's text (HTML,
#   Markdown, plots, examples) is left alone.
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
    // the switch names the other language: right from the start, before Gradio's own words follow a ?lang=
    const button = document.getElementById("lp-lang");
    const walker0 = button && document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
    for (let node; walker0 && (node = walker0.nextNode()); ) {
      const text = node.nodeValue.trim();
      if (text && text !== labels.switch[current] && text === labels.switch[current === "zh" ? "en" : "zh"]) {
        node.nodeValue = node.nodeValue.replace(text, labels.switch[current]);
      }
    }
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
  // The page shows `current`. A link's ?lang= is the page's language from the start: until the switch has
  // put Gradio in it (lpSwitchLanguage), Gradio's own first setting of <html lang> (the browser's) is not
  // followed, so the tabs never flip to the other language and back while the page loads.
  let settled = !(asked === "zh" || asked === "en");
  window.lpShownLanguage = () => current;
  window.lpShowLanguage = function (code) {
    const first = !settled;
    settled = true;
    if (code === current) {
      if (first) window.lpGradioWords();  // drawn while Gradio was still in the browser's language
      return;
    }
    current = code;
    remember(code);
    window.lpRelabelTabs();
    window.lpGradioWords();
    const redraw = document.getElementById("lp-lang-redraw");
    if (redraw) redraw.click();
  };
  new MutationObserver(() => {
    if (settled) window.lpShowLanguage(pick(document.documentElement.lang));
  }).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
  // Gradio's own words: {en: Map(zh word -> en word), zh: Map(en word -> zh word)}, from its dictionaries
  let gradioWords = null;
  const loadGradioWords = () => {
    if (gradioWords) return gradioWords;
    if (!GRADIO_LOCALES.en) return (gradioWords = Promise.resolve(null));  // not found: see gradio_locales()
    const entry = document.querySelector('script[type=module][src*="/assets/index-"]');
    const base = entry ? entry.src : new URL("assets/", document.baseURI).href;
    const flat = (obj, out) => {
      for (const [k, v] of Object.entries(obj || {})) {
        if (k.startsWith("_")) continue;  // _name: the language's own name
        if (typeof v === "string" && !v.includes("{")) out.push([k, v]);  // {size} etc.: filled in, skipped
        else if (v && typeof v === "object") for (const [kk, vv] of flat(v, [])) out.push([k + "." + kk, vv]);
      }
      return out;
    };
    const load = (code) =>
      import(new URL(GRADIO_LOCALES[code], base).href).then((m) => new Map(flat(m.default, [])));
    gradioWords = Promise.all([load("en"), load("zh")]).then(([en, zh]) => {
      const to = { en: new Map(), zh: new Map() };
      for (const [key, word] of en) {
        const other = zh.get(key);
        if (!other || other === word) continue;
        if (!to.en.has(other)) to.en.set(other, word);
        if (!to.zh.has(word)) to.zh.set(word, other);
      }
      return to;
    }).catch((e) => { console.warn("lp: Gradio's dictionaries did not load", e); return null; });
    return gradioWords;
  };
  // the model's text and the server's (redrawn in the new language by #lp-lang-redraw) are not Gradio's
  const NOT_GRADIO = ".html-container, .prose, .js-plotly-plot, .gallery-item, td, textarea, code, pre";
  window.lpGradioWords = async function () {
    const to = await loadGradioWords();
    if (!to) return;
    await new Promise((r) => setTimeout(r, 50));  // after Gradio's own relabelling (the labels it tracks)
    const words = to[current];
    // "- 或 -": Gradio draws some words between dashes or spaces; the word alone is in the dictionary
    const swap = (text) => {
      const [, before, word, after] = text.match(/^([\\s\\-–—·|]*)([^]*?)([\\s\\-–—·|]*)$/);
      const exact = words.get(text.trim());
      if (exact) return text.replace(text.trim(), exact);
      return words.has(word) ? before + words.get(word) + after : null;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const el = node.parentElement;
      if (!node.nodeValue.trim() || !el || el.closest(NOT_GRADIO)) continue;
      const swapped = swap(node.nodeValue);
      if (swapped !== null) node.nodeValue = swapped;
    }
    for (const name of ["title", "aria-label", "placeholder"]) {
      for (const el of document.querySelectorAll(`[${name}]`)) {
        const word = words.get(el.getAttribute(name).trim());
        if (word && !el.closest(".html-container, .prose, .js-plotly-plot")) el.setAttribute(name, word);
      }
    }
  };
  const watch = () => {
    const all = { childList: true, subtree: true, characterData: true };
    new MutationObserver(relabelSoon).observe(document.body, all);
    relabelSoon();
  };
  if (document.body) watch(); else document.addEventListener("DOMContentLoaded", watch);
})();
// One switch at a time (a second click while Gradio's Settings panel is still open would close it half-way),
// each step waiting up to 15 s: on a loaded machine the panel's component loads slowly.
(function () {
let queue = Promise.resolve();
let pending = 0;
let wanted = null;  // the language the last switch asked for, until every switch asked for is done
let chosen = false;  // the reader pressed the switch: a link's ?lang= no longer applies
const now = () => ((document.documentElement.lang || "en").startsWith("zh") ? "zh" : "en");
const switchTo = async function (code) {
  const want = code === "zh" ? "简体中文" : "English";
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const until = async (find, ms) => {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) {
      const found = find();
      if (found) return found;
    }
    return null;
  };
  const settingsBox = () =>
    [...document.querySelectorAll("input[role=combobox]")].find((e) => e.closest(".banner-wrap"));
  if (now() !== code) {
    const open = await until(() => document.querySelector("footer button.settings"), 15000);
    if (open) {
      if (!settingsBox()) open.click();
      const box = await until(settingsBox, 15000);
      if (box) {
        box.focus(); box.click();
        const option = () =>
          [...document.querySelectorAll("[role=option]")].find((e) => e.textContent.trim().endsWith(want));
        const opt = await until(option, 15000);
        if (opt) {
          opt.dispatchEvent(new MouseEvent("mousedown", { bubbles: true }));
          opt.click();
          await until(() => now() === code, 15000);
        }
      }
      await sleep(100);
      const title = document.querySelector("h2 .title");
      const close = title && title.closest("h2").nextElementSibling;
      if (close) close.click();
    }
  }
  window.lpShowLanguage(code);  // the tabs, the server's text and Gradio's words, whatever Gradio did
  const url = new URL(window.location.href);
  url.searchParams.set("lang", code);
  window.history.replaceState(null, "", url);
};
const enqueue = (pick) => {
  pending += 1;
  queue = queue
    .then(() => switchTo(pick()))
    .catch((e) => console.warn("lp:", e))
    .finally(() => { pending -= 1; if (!pending) wanted = null; });
  return queue;
};
window.lpSetLanguage = (code) => { wanted = code; return enqueue(() => code); };
// from the language the page shows (or the one a switch still under way will show): never a no-op
window.lpToggleLanguage = () => {
  chosen = true;
  wanted = (wanted || window.lpShownLanguage()) === "zh" ? "en" : "zh";
  return enqueue(() => wanted);
};
// the page load's: a link's ?lang=, unless the reader has pressed the switch since
window.lpLanguageFromUrl = function () {
  const code = new URLSearchParams(window.location.search).get("lang");
  if ((code === "zh" || code === "en") && !chosen) window.lpSetLanguage(code);
};
})();
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
    labels["switch"] = {"en": EN["classroom.lang"], "zh": ZH["classroom.lang"]}  # the language switch's label
    script = HEAD.replace("GRADIO_LOCALES", json.dumps(gradio_locales()))
    return script.replace("TAB_LABELS", json.dumps(labels, ensure_ascii=False))


def gradio_locales() -> dict[str, str]:
    """{"en": ..., "zh": ...}: the files of Gradio's own English and Simplified Chinese dictionaries among its
    frontend's assets (hashed names, e.g. zh-CN-CkzKEtHR.js; each module's default export is the nested
    dictionary). {} if this Gradio has no such files (a frontend laid out differently): the page then leaves
    Gradio's own words as Gradio draws them, and tests/test_browser_i18n_keys.py fails."""
    assets = Path(gr.__file__).parent / "templates" / "frontend" / "assets"
    found = {code: sorted(assets.glob(f"{name}-*.js")) for code, name in (("en", "en"), ("zh", "zh-CN"))}
    return {code: files[0].name for code, files in found.items()} if all(found.values()) else {}


def redraw_on_language(redraw: Any, inputs: list, outputs: list) -> gr.Button:
    """The hidden button the page's script presses when its language changes: `redraw` (the prompt's
    listener, tabs/__init__.py) draws the open views again, their computed text in the new language."""
    button = gr.Button("redraw", elem_id="lp-lang-redraw", elem_classes=["lp-hidden"])
    button.click(redraw, inputs, outputs, show_progress="hidden", api_visibility="private")
    return button
