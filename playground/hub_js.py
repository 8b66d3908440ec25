"""The browser side of the model hub: the front-end (JavaScript) functions that give a hub path's address and
open it, bound as `js=` of gradio events (the picker, the Live Lab's snapshots). Plain strings: no gradio.
playground/hub.py re-exports them.
"""

from __future__ import annotations

# The address of a hub path ("/m/<key>/" or "/") from this page, behind any --root-path, keeping the prompt
# (unless the path names its own: a Live Lab snapshot opens on its own text) and the language: a front-end
# function of the path.
HUB_URL_JS = """(path) => {
  const base = window.location.pathname.replace(/\\/m\\/[^\\/]+\\/?$/, "").replace(/\\/+$/, "");
  const url = new URL(window.location.origin + base + path);
  const box = document.querySelector("#prompt textarea");
  if (box && box.value && !url.searchParams.has("prompt")) url.searchParams.set("prompt", box.value);
  const lang = new URLSearchParams(window.location.search).get("lang");
  if (lang) url.searchParams.set("lang", lang);
  return url.href;
}"""
# Opens a hub path in this tab (HUB_URL_JS); bound as `js=` of an event whose input is the path. Empty
# input: stays. In the tab that PRE_OPEN_JS opened instead, when the click's own js opened one (a popup
# blocker allows window.open only during a click, not after the server answered); an empty input then
# closes that tab. The Live Lab, which must never leave its page, opens its own way (tabs/live_snapshots.py).
OPEN_JS = f"""(path) => {{
  const tab = window.lpNewTab;
  window.lpNewTab = null;
  if (!path) {{ if (tab && !tab.closed) tab.close(); return path; }}
  (tab && !tab.closed ? tab : window).location.assign(({HUB_URL_JS})(path));
  return path;
}}"""
# Opens an empty browser tab during a click, for OPEN_JS to fill (refused by a popup blocker, OPEN_JS uses
# this tab; the Live Lab shows a link instead). Bound as `js=` of the click with the event's inputs, which
# it passes on unchanged.
PRE_OPEN_JS = """(...inputs) => {
  try { window.lpNewTab = window.open("", "_blank"); } catch (e) { window.lpNewTab = null; }
  return inputs.length === 1 ? inputs[0] : inputs;
}"""
