"""The README's pictures of the bundled character model's cells (issue 15 item 5): the best unit for "inside
double quotes" and the best for "position in the line", as ranked over the validation text by
`lstmlm cells` (the model directory's cell_hunt.json.gz), each shown over a passage of the TEST text,
shaded as in Karpathy, Johnson & Fei-Fei (2015): red where the unit is above its median over the passage,
blue below, with the track drawn as an orange bar under each character.

The shading is the Cell-hunt view's own (playground.plots.cell_hunt.shaded_track_text, with its CSS),
photographed by chromium (tests/browser_kit.py). The model reads the 2,000 characters before the passage
first, with its state carried, so the passage shows what the unit does in the middle of a long read.
The passage is the first paragraph of the test text whose next --chars characters are at least 40% inside
double quotes (dialogue, where the quote cell has something to do).

Run: python tests/cell_pictures.py [--model DIR] [--data test.txt] [--chars 900] [--out assets/screenshots]
Writes cells-quote.png and cells-line.png, and prints one JSON line with the units and their figures.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from pathlib import Path

import numpy as np
from browser_kit import _quantize, chromium

from lstmlm.checkpoint import load_model
from lstmlm.cli.common import file_tokenizer
from lstmlm.data import read_tokens
from lstmlm.studies.cell_hunt import cached_ranking, load_hunt, unit_values
from lstmlm.studies.tracks import compute_tracks
from lstmlm.wikitext import EOS
from playground.app import CSS as APP_CSS
from playground.plots.cell_hunt import CSS as HUNT_CSS
from playground.views.cell_hunt import shaded_track_text

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = ROOT / "assets" / "models" / "warpeace-char-lstm"
DATA_CANDIDATES = [ROOT.parent / "shared" / "data" / "warpeace" / "test.txt",
                   Path("/work/shared/data/warpeace/test.txt")]  # fmt: skip
WARMUP = 2000
PICTURES = {"quote": "cells-quote", "line_pos": "cells-line"}
SIGNAL = {"c": "cell c", "h": "hidden state h"}


def passage_start(tokens: list[str], inside: np.ndarray, chars: int, share: float = 0.4) -> int:
    """The first paragraph start (after an empty line, at least WARMUP steps in) whose next `chars` steps
    are at least `share` inside double quotes (`inside`: the quote track over `tokens`)."""
    for t in range(WARMUP, len(tokens) - chars):
        if tokens[t - 1] == EOS and tokens[t - 2] == EOS and inside[t : t + chars].mean() >= share:
            return t
    raise SystemExit(f"no paragraph {share:.0%} inside quotes over {chars} characters")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL), help="character model directory")
    parser.add_argument("--data", default=None, help="text to show (default: War and Peace test.txt)")
    parser.add_argument("--chars", type=int, default=900, help="characters shown (default 900)")
    parser.add_argument("--out", default=str(ROOT / "assets" / "screenshots"), help="folder for the PNGs")
    ns = parser.parse_args()
    data = Path(ns.data) if ns.data else next((p for p in DATA_CANDIDATES if p.exists()), None)
    if data is None or not data.exists():
        print("no text to show: pass --data FILE", file=sys.stderr)
        return 2
    model = load_model(ns.model)
    cache = load_hunt(ns.model)
    if cache is None:
        print(f"{ns.model} has no current cell_hunt.json.gz: run lstmlm cells first", file=sys.stderr)
        return 2
    tokenizer = model.vocab.tokenizer
    tokens = read_tokens(data, tokenizer=file_tokenizer(model, raw=False))
    start = passage_start(tokens, compute_tracks(tokens, tokenizer)["quote"].values, ns.chars)
    read = tokens[start - WARMUP : start + ns.chars]  # what the model reads: warm-up, then the passage
    values, _ = unit_values(model, model.vocab.encode(read).ids)  # batch 1: one continuous read
    tracks = compute_tracks(read, tokenizer)
    shown = read[WARMUP:]
    report = {"model": ns.model, "data": str(data), "passage_start_char": start, "chars": ns.chars}
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 900}, device_scale_factor=1)
        for name, picture in PICTURES.items():
            ranking = cached_ranking(cache, name)
            best = ranking.best(1)[0]
            figure = f"AUC {best.statistic:.3f}" if ranking.kind == "binary" else f"r {best.statistic:+.3f}"
            label = f"layer {best.layer + 1} {SIGNAL[best.signal]} of unit {best.unit}"
            unit = values[best.signal][best.layer, best.unit][WARMUP:]
            track = tracks[name].values[WARMUP:]
            binary = ranking.kind == "binary"
            passage_figure = f"AUC {_auc(unit, track > 0):.3f}" if binary else f"r {_r(unit, track):+.3f}"
            title = (
                f"<b>{html.escape(label)}</b>, the best unit for “{html.escape(ranking.label)}”: {figure} "
                f"over the validation text ({ranking.steps:,} characters), {passage_figure} over this "
                "passage of the test text"
            )
            body = shaded_track_text(shown, unit, track, tokenizer, label, ranking.label)
            page.set_content(
                f"<html><head><style>{APP_CSS}{HUNT_CSS} body {{ font-family: sans-serif; margin: 12px; }}"
                ".lp-hunt { max-height: none; overflow: visible; }</style></head>"
                f'<body><div id="picture" style="width: 1060px"><div class="lp-label">{title}</div>'
                f"{body}</div></body></html>"
            )
            path = Path(ns.out) / f"{picture}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            page.locator("#picture").screenshot(path=str(path))
            _quantize(path, max_bytes=300_000)
            report[name] = dict(layer=best.layer + 1, signal=best.signal, unit=best.unit, validation=figure,
                                passage=passage_figure, picture=path.name)  # fmt: skip
    print(json.dumps(report))
    return 0


def _auc(x: np.ndarray, marked: np.ndarray) -> float:
    """AUC of x as a detector of `marked` from average ranks (ties share their mean rank)."""
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(1, len(x) + 1)
    for v in np.unique(x[np.diff(np.sort(x), prepend=np.nan) == 0]):  # tied values: their mean rank
        ranks[x == v] = ranks[x == v].mean()
    n1, n0 = marked.sum(), (~marked).sum()
    return float((ranks[marked].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)) if n1 and n0 else float("nan")


def _r(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(x, y)[0, 1]) if np.ptp(x) > 0 and np.ptp(y) > 0 else float("nan")


if __name__ == "__main__":
    sys.exit(main())
