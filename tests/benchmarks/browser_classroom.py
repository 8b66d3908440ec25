"""A class in real browsers: N headless chromium pages against one `python -m playground`, each typing
prompts into the prompt box at a person's speed (150-250 ms a key), pausing to read, and switching to
another view and back, as students do. The API load test (classroom_load.py) cannot see what a page's
own listeners send; this one counts every request the pages send.

Prints one JSON line:
  pages, seconds, chars_typed;
  requests_per_char: the pages' calls of the app's listeners (POST queue/join and run/predict: typing,
    clearing the box, tab switches) per typed character;
  redraw_requests_per_char: the same for the prompt's next-word redraw alone;
  idle_requests_per_s: calls per second per page while a student reads the chart (from 1 s after the
    last key of a prompt until the next click; 0 unless listeners re-trigger one another, issue 12);
  next_word_p50_ms / next_word_p95_ms / next_word_max_ms: for every typed key, the time from the key to
    the next-word chart drawing a prediction that includes that key, as the page sees it (the first
    redraw call sent after the key, its result on the page's event stream, then the chart's bars
    changing; the result's arrival if they stay the same); keys_timed;
  server_cpu_s_per_char: the server process's CPU seconds (all threads, /proc) over the run per typed
    character; server_cpu_s.

    python tests/benchmarks/browser_classroom.py [--pages 5] [--seconds 60] [--model DIR] [--port P]

Everything (server, chromium, this script) shares the machine's cores: pin with `taskset -c 0` to see
how a one-core server copes, and quote figures with the load they were measured under.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # also when a test loads this file by path
from classroom_load import cpu_seconds, free_port, start_server  # noqa: E402
from playground_latency import default_model, wait_until_up  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
PROMPTS = [
    "The cat sat on the",
    "In 1998 the band recorded its first album",
    "The river flows north through the valley",
    "He was born in London and studied at the",
    "The game was released in Japan in",
]
TABS = ["Gates & memory", "Surprisal", "Generate", "Learn"]  # where a student looks after typing
KEY_MS = (150, 250)  # a person's typing speed, milliseconds between keys
READ_S = 2.0  # looking at the chart after a prompt, and at the other view
IDLE_AFTER_KEY_S = 1.0  # a redraw still in flight may end this long after the last key

# In the page before the app starts: note each typed key, each call of a listener (POST queue/join and
# run/predict, with its fn_index and text), when each queued call's result arrives on the event stream,
# and every change of the bars the next-word chart shows. Times are performance.now() milliseconds.
PROBE = """
(() => {
  const log = window.__lp = { keys: [], sends: [], done: {}, draws: [] };
  const realFetch = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input.url;
    const isCall = /queue\\/join|run\\/predict/.test(url) && init && typeof init.body === "string";
    let send = null;
    if (isCall) {
      try {
        const body = JSON.parse(init.body);
        send = { t: performance.now(), fn: body.fn_index,
                 len: typeof body.data?.[0] === "string" ? body.data[0].length : -1, id: null };
        log.sends.push(send);
      } catch (e) {}
    }
    const res = await realFetch(input, init);
    if (send && /queue\\/join/.test(url)) {
      res.clone().json().then((j) => { send.id = j.event_id; }).catch(() => {});
    }
    if (/queue\\/data/.test(url) && res.body) {
      const [mine, theirs] = res.body.tee();
      (async () => {
        const reader = mine.getReader(), dec = new TextDecoder();
        let buf = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let i;
          while ((i = buf.indexOf("\\n")) >= 0) {
            const line = buf.slice(0, i); buf = buf.slice(i + 1);
            if (!line.startsWith("data:")) continue;
            try {
              const m = JSON.parse(line.slice(5));
              if (m.msg === "process_completed" && m.event_id) log.done[m.event_id] = performance.now();
            } catch (e) {}
          }
        }
      })();
      return new Response(theirs, { status: res.status, statusText: res.statusText, headers: res.headers });
    }
    return res;
  };
  document.addEventListener("input", (e) => {
    if (e.target.closest && e.target.closest("#prompt")) log.keys.push({ t: performance.now(),
                                                                          len: e.target.value.length });
  }, true);
  // a draw is a change of the chart's bars (words and probabilities), not of its loading status
  let shown = "";
  new MutationObserver((records) => {
    if (!records.some((r) => r.target.closest && r.target.closest("#next-word-chart"))) return;
    const bars = document.querySelector("#next-word-chart .js-plotly-plot")?.data?.[0];
    const now = bars ? JSON.stringify([bars.y, bars.x]) : "";
    if (now !== shown) { shown = now; log.draws.push(performance.now()); }
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
})();
"""


def redraw_fn_index(base: str) -> int:
    """fn_index of the prompt's listener that draws the next-word chart (read from the app's config)."""
    with OPENER.open(f"{base}/config", timeout=30) as r:
        cfg = json.loads(r.read())
    ids = {c.get("props", {}).get("elem_id"): c["id"] for c in cfg["components"]}
    for dep in cfg["dependencies"]:
        if [ids["prompt"], "change"] in dep["targets"] and ids["next-word-chart"] in dep["outputs"]:
            return dep["id"]
    raise RuntimeError("no listener of the prompt draws the next-word chart")


async def open_page(browser, base: str):
    """A page of the app in its own context, with the probe, once its chart is drawn."""
    context = await browser.new_context(viewport={"width": 1500, "height": 1000})
    await context.add_init_script(PROBE)
    page = await context.new_page()
    page.set_default_timeout(300_000)
    await page.goto(base)
    await page.wait_for_selector("#next-word-chart .ytick text")
    return page


async def student(page, seed: int, until: float) -> dict:
    """One page: type a prompt key by key, read, look at another view, come back; until `until`."""
    rng = random.Random(seed)
    box = page.locator("#prompt textarea")
    await page.wait_for_timeout(rng.uniform(0, 2000))  # students do not start in step
    quiet = []  # (start, end) performance.now() windows with no typing
    chars = 0
    while time.monotonic() < until:
        await box.fill("")
        await box.click()
        for ch in rng.choice(PROMPTS):
            await page.keyboard.type(ch)
            chars += 1
            await asyncio.sleep(rng.uniform(*KEY_MS) / 1000)
        last = await page.evaluate("performance.now()")
        await asyncio.sleep(READ_S)
        quiet.append((last + IDLE_AFTER_KEY_S * 1000, await page.evaluate("performance.now()")))
        await page.get_by_role("tab", name=rng.choice(TABS)).click()
        await asyncio.sleep(READ_S)
        await page.get_by_role("tab", name="Next word").click()
        await asyncio.sleep(0.5)
    log = await page.evaluate("window.__lp")
    await page.context.close()
    return {"log": log, "quiet": quiet, "chars": chars}


def key_latencies(log: dict, redraw_fn: int) -> list[float]:
    """For each typed key: ms from the key to the chart drawing the first redraw sent after it."""
    sends = sorted((s for s in log["sends"] if s["fn"] == redraw_fn and s.get("id")), key=lambda s: s["t"])
    done = [(s, log["done"].get(s["id"])) for s in sends]
    draws = sorted(log["draws"])
    out = []
    for key in (k for k in log["keys"] if k["len"] > 0):  # clearing the box is not a typed key
        first = next(((s, c) for s, c in done if s["t"] >= key["t"] and s["len"] >= key["len"]), None)
        if first is None or first[1] is None:
            continue  # the run ended before this key's redraw came back
        completed = first[1]
        later = [c for _, c in done if c is not None and c > completed]
        drawn = next((d for d in draws if completed <= d < min(later, default=float("inf"))), completed)
        out.append(drawn - key["t"])
    return out


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


async def drive(base: str, pages: int, seconds: float, pid: int) -> tuple[list[dict], float, float]:
    """Open the pages, then let them type for `seconds`: (per-page results, wall seconds, server CPU
    seconds), both counted from the moment every page had loaded."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        opened = await asyncio.gather(*(open_page(browser, base) for _ in range(pages)))
        cpu_before, t0 = cpu_seconds(pid), time.monotonic()
        until = t0 + seconds
        results = await asyncio.gather(*(student(page, n, until) for n, page in enumerate(opened)))
        wall, cpu = time.monotonic() - t0, cpu_seconds(pid) - cpu_before
        await browser.close()
    return results, wall, cpu


def run(model: Path, pages: int, seconds: float, port: int | None = None) -> dict:
    """Start the app, drive `pages` students for about `seconds`, stop the app; the figures."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(model, port)
    try:
        wait_until_up(base, proc)
        redraw_fn = redraw_fn_index(base)
        results, wall, cpu = asyncio.run(drive(base, pages, seconds, proc.pid))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    chars = sum(r["chars"] for r in results)
    sends = [s for r in results for s in r["log"]["sends"]]
    idle_calls = sum(
        1 for r in results for s in r["log"]["sends"] if any(a <= s["t"] < b for a, b in r["quiet"])
    )
    idle_s = sum(b - a for r in results for a, b in r["quiet"]) / 1000
    latencies = [ms for r in results for ms in key_latencies(r["log"], redraw_fn)]
    return {
        "pages": pages,
        "seconds": round(wall, 1),
        "chars_typed": chars,
        "requests": len(sends),
        "requests_per_char": round(len(sends) / max(chars, 1), 3),
        "redraw_requests_per_char": round(sum(s["fn"] == redraw_fn for s in sends) / max(chars, 1), 3),
        "idle_requests_per_s": round(idle_calls / idle_s / pages, 3) if idle_s else None,
        "next_word_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "next_word_p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
        "next_word_max_ms": round(max(latencies), 1) if latencies else None,
        "keys_timed": len(latencies),
        "server_cpu_s": round(cpu, 2),
        "server_cpu_s_per_char": round(cpu / max(chars, 1), 4),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pages", type=int, default=5, help="chromium pages typing at once (default 5)")
    p.add_argument("--seconds", type=float, default=60, help="how long the pages type (default 60)")
    p.add_argument("--model", type=Path, default=None, help="model directory (default: the bundled one)")
    p.add_argument("--port", type=int, default=None, help="port for the app (default: a free one)")
    args = p.parse_args()
    if args.pages < 1 or args.seconds <= 0:
        p.error("--pages must be at least 1 and --seconds above 0")
    if not Path(CHROMIUM).exists():
        p.error(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    print(json.dumps(run(args.model or default_model(), args.pages, args.seconds, args.port)))


if __name__ == "__main__":
    main()
