"""The Start-here tab's browser side, sent with every page: HEAD, the script that opens Start here on a first
visit, marks the steps opened (kept in this browser's localStorage), scrolls a step's view into sight and
keeps the lesson bar on screen; and CSS, the lessons' and the lesson bar's style. Plain strings, no gradio;
views/start.py (the HTML they act on) re-exports them, and app.py puts them in the page.
"""

from __future__ import annotations

# First visit: open Start here, unless the page was opened on a screen (a shared link) or the visitor pressed
# "Skip"; ?lesson=KEY alone opens it too. Progress (the steps opened) is kept in this browser only.
DISMISSED = "lp-start-dismissed"  # localStorage key: "1" once the visitor skipped Start here
PROGRESS = "lp-lesson-progress"  # localStorage key: {"lesson key": [opened step numbers]}
SHOW_MS = 15_000  # how long a step's view is kept in sight while the page draws (a slow redraw: seconds)
HEAD = f"""<script>
(function () {{
  const read = () => {{ try {{ return JSON.parse(localStorage.getItem("{PROGRESS}") || "{{}}"); }}
                       catch (e) {{ return {{}}; }} }};
  const record = (key, step) => {{
    const all = read(); const done = new Set(all[key] || []); done.add(Number(step));
    all[key] = [...done].sort((a, b) => a - b);
    try {{ localStorage.setItem("{PROGRESS}", JSON.stringify(all)); }} catch (e) {{}}
  }};
  const mark = () => {{
    const all = read();
    document.querySelectorAll(".lp-lesson-link").forEach((a) => {{
      const done = (all[a.dataset.lesson] || []).includes(Number(a.dataset.step));
      if (a.classList.contains("lp-done") !== done) a.classList.toggle("lp-done", done);
    }});
    document.querySelectorAll(".lp-lesson-progress").forEach((s) => {{
      const n = (all[s.dataset.lesson] || []).length;
      const text = n ? "✓ " + n + "/" + s.dataset.steps : "";
      if (s.textContent !== text) s.textContent = text;  // unchanged: no mutation, no new round
    }});
  }};
  window.lpLessonProgress = read;
  const params = new URLSearchParams(window.location.search);
  try {{
    if (params.get("start") === "skip") localStorage.setItem("{DISMISSED}", "1");
    if (params.get("start") === "show") localStorage.removeItem("{DISMISSED}");
  }} catch (e) {{}}
  if (params.get("lesson") && params.get("step")) record(params.get("lesson"), params.get("step"));
  document.addEventListener("click", (e) => {{
    const a = e.target.closest && e.target.closest(".lp-lesson-link");
    if (a) record(a.dataset.lesson, a.dataset.step);
    // Skip / show again take effect on the click itself, not only once the next page has run this script:
    // a visitor who leaves that page before it has loaded keeps the choice they clicked
    try {{
      if (e.target.closest && e.target.closest(".lp-start-skip a")) localStorage.setItem("{DISMISSED}", "1");
      if (e.target.closest && e.target.closest(".lp-start-again a")) localStorage.removeItem("{DISMISSED}");
    }} catch (err) {{}}
  }}, true);
  const screenKeys = [...params.keys()].filter((k) => k !== "lang" && k !== "mode");
  const lessonOnly = params.get("lesson") && !params.get("step") && !params.get("view");
  const first = screenKeys.length === 0 && localStorage.getItem("{DISMISSED}") !== "1";
  let tries = 0;
  const start = () => {{
    const tab = document.querySelector('button[role=tab][data-tab-id="start"]');
    if (tab) {{ if (tab.getAttribute("aria-selected") !== "true") tab.click(); }}
    else if (++tries < 600) setTimeout(start, 50);
  }};
  // A step's view: once its tab is open, scroll until the view's first controls (the top of its tab panel,
  // which the steps talk about) sit just below the lesson bar, which stays at the top (CSS), so the view
  // shows from its top with the first part of its main output (the bar's data-main); further only when the
  // output's first 150 px need it (back up when a late redraw above moved the controls under the bar).
  // Again while the page grows, for SHOW_MS or until the visitor scrolls, types or clicks.
  const showStep = () => {{
    const until = Date.now() + {SHOW_MS};
    let stopped = false;
    const stop = () => {{ stopped = true; }};
    for (const kind of ["wheel", "touchstart", "keydown", "mousedown"])
      window.addEventListener(kind, stop, {{ once: true, passive: true }});
    const fit = () => {{
      if (stopped || Date.now() > until) return;
      const bar = document.querySelector("#lesson-bar .lp-lesson-bar[data-step]");
      const open = document.querySelector("button[role=tab][aria-selected=true]");
      const view = bar && bar.dataset.view;
      if (bar && open && open.dataset.tabId === view) {{
        const main = (bar.dataset.main && document.getElementById(bar.dataset.main))
          || document.querySelector(`button[role=tab][data-tab-id="${{view}}"]`);
        const box = main && main.getBoundingClientRect();
        if (box && box.height > 0) {{
          const over = document.getElementById("lesson-bar").getBoundingClientRect().height + 8;
          const bottom = window.innerHeight - 8;
          const panel = main.closest("[role=tabpanel], .tabitem");
          const controls = panel ? panel.getBoundingClientRect().top : box.top;
          const need = box.top + Math.min(box.height, 150) - bottom;  // the output's first part in sight
          const keep = Math.min(controls, box.top) - over;  // the controls just below the bar
          const by = Math.max(keep, need);
          if (Math.abs(by) > 1) window.scrollBy(0, by);
        }}
      }}
      setTimeout(fit, 200);
    }};
    fit();
  }};
  // Pressing the step's outlined control (e.g. Generate, which a laptop screen shows only with the top of
  // the view's output under the bar) brings the view's main output (the bar's data-output) back below it.
  document.addEventListener("click", (e) => {{
    const bar = document.querySelector("#lesson-bar .lp-lesson-bar[data-step]");
    const target = bar && bar.dataset.highlight && document.getElementById(bar.dataset.highlight);
    const out = bar && bar.dataset.output && document.getElementById(bar.dataset.output);
    if (!target || !out || out === target || !target.contains(e.target)) return;
    setTimeout(() => {{
      const over = document.getElementById("lesson-bar").getBoundingClientRect().bottom + 8;
      const by = out.getBoundingClientRect().top - over;
      if (by < -1) window.scrollBy(0, by);
    }}, 50);
  }}, true);
  // The step's bar stays on screen while the page scrolls: CSS `sticky` holds it only within its parent
  // (the header and prompt), so once that has scrolled past, the bar is pinned (`lp-pinned`: fixed at the
  // top, at its own left and width) and a spacer keeps its place in the page; unpinned when scrolled back.
  const pinBar = () => {{
    const holder = document.getElementById("lesson-bar");
    if (!holder) return;
    let spacer = document.getElementById("lp-bar-spacer");
    if (!spacer) {{
      spacer = document.createElement("div"); spacer.id = "lp-bar-spacer"; holder.before(spacer);
    }}
    const pinned = holder.classList.contains("lp-pinned");
    const step = holder.querySelector(".lp-lesson-bar[data-step]");
    const want = !!step && (pinned ? spacer : holder).getBoundingClientRect().top < 0;
    if (want && !pinned) {{
      const r = holder.getBoundingClientRect();
      spacer.style.height = r.height + "px";
      holder.style.left = r.left + "px"; holder.style.width = r.width + "px";
      holder.classList.add("lp-pinned");
    }} else if (!want && pinned) {{
      holder.classList.remove("lp-pinned");
      spacer.style.height = ""; holder.style.left = ""; holder.style.width = "";
    }} else if (want) spacer.style.height = holder.getBoundingClientRect().height + "px";
  }};
  window.addEventListener("scroll", pinBar, {{ passive: true }});
  window.addEventListener("resize", () => {{
    const holder = document.getElementById("lesson-bar");
    if (holder && holder.classList.contains("lp-pinned")) {{  // re-measure at the new width
      holder.classList.remove("lp-pinned"); holder.style.left = ""; holder.style.width = "";
      const spacer = document.getElementById("lp-bar-spacer"); if (spacer) spacer.style.height = "";
    }}
    pinBar();
  }});
  const ready = () => {{
    document.body.classList.toggle("lp-start-skipped", localStorage.getItem("{DISMISSED}") === "1");
    if (lessonOnly || first) start();
    if (params.get("lesson") && params.get("step")) showStep();
    let queued = false;
    new MutationObserver(() => {{
      if (queued) return; queued = true;
      setTimeout(() => {{ queued = false; mark(); pinBar(); }}, 200);
    }}).observe(document.body, {{ childList: true, subtree: true }});
    mark();
  }};
  // Gradio adds this script after the page has loaded, or before: run now, or once loaded
  if (document.readyState === "complete") ready(); else window.addEventListener("load", ready);
}})();
</script>"""


CSS = """
.lp-lessons { font-size: 19px; line-height: 1.55; }
.lp-lessons h3 { margin: 14px 0 4px 0; }
.lp-lessons li { margin: 6px 0; }
.lp-lesson-link, .lp-lesson-nav { margin-left: 6px; padding: 1px 10px; border-radius: 6px;
                  background: #4f46e5; color: white !important; text-decoration: none;
                  white-space: nowrap; font-size: 16px; }
.lp-lesson-link.lp-done::after { content: " ✓"; }
.lp-lesson-nav.lp-all, .lp-lesson-nav.lp-prev { background: #e0e7ff; color: #312e81 !important; }
.lp-lesson-progress { font-size: 15px; color: #059669; font-weight: normal; }
.lp-lesson-bar { font-size: 18px; line-height: 1.5; background: #eef2ff; border: 2px solid #6366f1;
                 border-radius: 8px; padding: 8px 12px; }
.lp-lesson-navs { margin-top: 6px; }
/* a step's bar stays at the top while the page scrolls to its view (HEAD's showStep), at most 40% high */
#lesson-bar:has(.lp-lesson-bar[data-step]) { position: sticky; top: 0; z-index: 50; }
#lesson-bar.lp-pinned { position: fixed !important; top: 0; z-index: 50; }
#lesson-bar .lp-lesson-bar[data-step] { max-height: 40vh; overflow-y: auto;
                                        box-shadow: 0 2px 6px rgba(0, 0, 0, 0.15); }
/* a laptop screen (768 px high): a compact bar leaves the view's controls and output room below it */
@media (max-height: 820px) {  /* (Gradio prefixes each rule with .contain) */
  #lesson-bar .lp-lesson-bar[data-step] { max-height: 30vh; }
  .lp-lesson-bar[data-step]:not(.lp-present *) { font-size: 15px; line-height: 1.35; padding: 4px 10px; }
  .lp-lesson-bar[data-step]:not(.lp-present *) .lp-lesson-navs { margin-top: 2px; }
  .lp-lesson-bar[data-step]:not(.lp-present *) .lp-lesson-nav { font-size: 14px; }
}
.lp-lesson-end { color: #059669; font-weight: 600; margin-left: 6px; }
.lp-start-skip a, .lp-start-again a { font-size: 16px; color: #4f46e5; }
.lp-start-again { display: none; }  /* Gradio scopes app CSS: the body rules repeat its depth to win */
body.lp-start-skipped .lp-start-skip,
body.lp-start-skipped .gradio-container .contain .lp-start-skip { display: none !important; }
body.lp-start-skipped .lp-start-again,
body.lp-start-skipped .gradio-container .contain .lp-start-again { display: block !important; }
.lp-lang-zh { display: none; }
.lp-lang-zh:lang(zh) { display: block; }  /* :lang() reads <html lang>, which Gradio sets */
.lp-lang-en:lang(zh) { display: none; }
body.lp-present .gradio-container .contain .lp-lessons { font-size: 29px; }
body.lp-present .gradio-container .contain .lp-lesson-bar { font-size: 28px; }
body.lp-present .gradio-container .contain .lp-lesson-link,
body.lp-present .gradio-container .contain .lp-lesson-nav { font-size: 24px; }
body.lp-present .gradio-container .contain .lp-cell-diagram { width: 100%; height: auto; }
"""
