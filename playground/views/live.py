"""The Live Lab's screen as plain data and HTML: the progress line, the latest sample, the share link, what
changed between two snapshots, a snapshot as JSON and a try of the trained model. No gradio, no plotly
(the pictures are in plots/live.py): the tab, the API and tests call these.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np

from lstmlm.checkpoint import load_model
from lstmlm.messages import Message
from lstmlm.safewords import hide_in_text
from lstmlm.sampling import generate, make_generator
from lstmlm.training.live import (
    IN_CLONE,
    LiveSettings,
    LiveSettingsError,
    SnapshotData,
    UnitChange,
    load_snapshot,
    snapshot_changes,
)
from playground import markup
from playground.page_language import shown
from playground.text import words_in

LN2 = math.log(2)


def progress_html(status: dict, lang: str = "en") -> str:
    """One line: state, time against budget (a bar), step, speed, best validation loss; in `lang`."""
    state, unit = status["state"], words_in(lang, f"plot.{status['unit']}")  # word, character: text/plots.py
    done = min(1.0, status["seconds"] / max(status["budget_s"], 1e-9))
    if state == "done":
        done = 1.0
    words = words_in(lang, f"live.state.{state}")
    if status.get("queue_position"):
        words += words_in(lang, "live.queue", n=status["queue_position"])
    if status.get("read_only"):
        words += words_in(lang, "live.shared")
    # the job's best over all its validations (status["evals"] is thinned to MAX_EVALS)
    best = status.get("best_val_loss", min((e["val_loss"] for e in status["evals"]), default=None))
    # an ended training has no time left (one that ends on its budget may stop a step short of it)
    left = 0.0 if state in ("done", "stopped", "failed") else max(0.0, status["budget_s"] - status["seconds"])
    parts = [
        f"<b>{words}</b>",
        words_in(lang, "live.time", s=f"{status['seconds']:.0f}", budget=f"{status['budget_s']:.0f}",
                 left=f"{left:.0f}"),
        words_in(lang, "live.step", step=f"{status['step']:,}"),
        words_in(lang, "live.speed", n=f"{status['tokens_per_s']:,}", u=unit),
    ]  # fmt: skip
    if best is not None:
        nats, bits = f"{best:.3f}", f"{best / LN2:.3f}"
        parts.append(words_in(lang, "live.best", nats=nats, bits=bits, u=unit))
    error = markup.notice(shown(status["error"], lang)) if status.get("error") else ""  # a Message: its key
    return (
        f'<div class="lp-summary" id="live-progress">{" · ".join(parts)}'
        f'<div class="lp-bar"><div style="width:{100 * done:.0f}%"></div></div></div>{error}'
    )


def sample_html(status: dict, lang: str = "en") -> str:
    """The latest sample (generated with the same seed each time), with when it was drawn; in `lang`."""
    sample = status.get("sample")
    if not sample:
        return markup.placeholder(words_in(lang, "live.sample_empty"))
    text = html.escape(sample["text"]).replace("\n", "<br>")
    when = words_in(lang, "live.sample", step=f"{sample['step']:,}", s=f"{sample['seconds']:.0f}")
    return (
        f'<div class="lp-label">{when}</div><div class="lp-text" id="live-sample" '
        f'style="font-family: ui-monospace, monospace; font-size: 19px">{text}</div>'
    )


def changed_units(first: SnapshotData, last: SnapshotData, layer: int, quantity: str) -> np.ndarray:
    """Unit indices ordered by how much their values over the probe changed from `first` to `last`
    (mean absolute difference), largest first."""
    delta = np.abs(last.values[layer][quantity] - first.values[layer][quantity]).mean(axis=0)  # (H,)
    return np.argsort(-delta, kind="stable")


def change_label(what: str, label: str, unit: str, lang: str) -> str:
    """A row's name in `lang`: a gate's saturation ("sat_f") or a Cell-hunt track ("track_quote", named in
    the tracks' own words, text/cell_hunt.py); `label` (the snapshot's English) for a track it lacks."""
    if lang != "zh":
        return label
    if what.startswith("sat_"):
        return words_in(lang, "live.saturated", gate=words_in(lang, f"live.q.{what[4:]}"))
    try:
        return words_in(
            lang, f"hunt.track.{what.removeprefix('track_')}", unit=words_in(lang, f"plot.{unit}")
        )
    except KeyError:
        return label


def changes_html(
    changes: dict[str, list[UnitChange]],
    first: SnapshotData,
    second: SnapshotData,
    lang: str = "en",
    unit: str = "word",
) -> str:
    """What changed between two snapshots, as a table: for each gate's saturation and each Cell-hunt track,
    the units whose score changed most (before -> after). Scores are over the start of the held-out text.
    In `lang`; `unit`: the tokenizer's ('word' or 'character'), which some tracks' names hold."""
    if not changes:
        return markup.placeholder(words_in(lang, "live.changes_old"))
    a, b = first.meta, second.meta
    rows = []
    for what, units in changes.items():
        for n, c in enumerate(units):
            label = html.escape(change_label(what, c.label, unit, lang)) if n == 0 else ""
            arrow = "&#9650;" if c.change > 0 else "&#9660;" if c.change < 0 else ""
            where = words_in(lang, "live.unit_at", layer=c.layer + 1, unit=c.unit)
            rows.append(
                f'<tr data-what="{what}"><td>{label}</td><td>{where}</td>'
                f"<td>{c.before:.2f}</td><td>{c.after:.2f}</td><td>{arrow} {c.change:+.2f}</td></tr>"
            )
    note = words_in(lang, "live.changes_note", n=f"{b.get('stats_tokens', 0):,}")
    title = words_in(lang, "live.changes_title", a=f"{a['step']:,}", sa=f"{a['seconds']:.0f}",
                     b=f"{b['step']:,}", sb=f"{b['seconds']:.0f}")  # fmt: skip
    head = "".join(
        f"<th>{words_in(lang, f'live.col.{k}')}</th>" for k in ("what", "unit", "before", "after", "change")
    )
    return (
        f'<div class="lp-label" id="live-changes-title">{title}</div>'
        f'<table class="lp-table" id="live-changes"><tr>{head}</tr>{"".join(rows)}</table>'
        f'<div class="lp-note">{note}</div>'
    )


def offers_resume(status: dict) -> bool:
    """Whether the Pause / Resume button says Resume for a job in this `status` (LiveJob.status): paused, or
    a pause asked and not yet done (a click then resumes, as the button says)."""
    return status["state"] == "paused" or bool(status.get("pausing"))


def snapshot_json(job, index: int = -1, compare_to: int = 0) -> dict:
    """A job's snapshot as JSON-ready values (the `live_snapshot` endpoint): tokens, per layer each
    quantity as a (T, H) list, and what changed since snapshot `compare_to`. ValueError for an index
    out of range."""
    with job.lock:
        snaps = list(job.snapshots)
    if not snaps:
        raise ValueError(
            Message("live.no_snapshot", "no snapshot yet: the first is taken when training starts")
        )
    count = len(snaps)
    for name, i in (("index", index), ("compare_to", compare_to)):
        if not -count <= i < count:
            raise ValueError(
                f"{name} must be in {-count}..{count - 1} (there are {count} snapshots), got {i}"
            )
    shown, base = load_snapshot(snaps[index].path), load_snapshot(snaps[compare_to].path)
    changes = snapshot_changes(base, shown)
    rnd = lambda x: np.round(np.asarray(x, dtype=np.float64), 4).tolist()  # noqa: E731
    return dict(
        index=index % count,
        compare_to=compare_to % count,
        snapshots=count,
        step=shown.meta["step"],
        seconds=shown.meta["seconds"],
        tokens=shown.tokens,
        unknown=shown.meta.get("unknown", []),  # positions of tokens the vocabulary lacks (read as <unk>)
        layers=[{q: rnd(v) for q, v in layer.items()} for layer in shown.values],
        changes={
            what: [
                dict(
                    layer=c.layer,
                    unit=c.unit,
                    label=c.label,
                    before=round(c.before, 4),
                    after=round(c.after, 4),
                    change=round(c.change, 4),
                )
                for c in units
            ]
            for what, units in changes.items()
        },  # fmt: skip
    )


def settings_from_controls(
    tokens: str,
    layers: float,
    units: float,
    bptt: float,
    lr: float | None,
    seconds: float,
    seed: float | None,
) -> LiveSettings:
    """The controls' values as checked LiveSettings (LiveSettingsError says which one is out of range)."""
    if lr is None or seed is None:
        raise LiveSettingsError("the learning rate and the seed need a value")
    values = dict(tokenizer=tokens, num_layers=layers, hidden_dim=units, bptt=bptt, lr=float(lr))
    values |= dict(seconds=float(seconds), seed=seed)
    return LiveSettings.from_dict(values)


def share_html(token: str, lang: str = "en") -> str:
    """The read-only link to this training (a relative link: it keeps the page's address and root path),
    in `lang`."""
    return f'<div class="lp-note">{words_in(lang, "live.share", token=token)}</div>'


def command_text(status: dict, lang: str = "en") -> str | None:
    """The `lstmlm train` command that trains this model again (its config.json's training.command), after
    a comment in `lang` that says where to run it: in a clone's folder for a teaching text (its path is
    under assets/), else in the unzipped download (which holds the text). None before a model is saved."""
    command = (status.get("summary") or {}).get("command")
    if not command:
        return None
    where = "live.command_clone" if f" {IN_CLONE}/" in command else "live.command_unzipped"
    return f"# {words_in(lang, where)}\n{command}\n"


def try_html(folder: Path, prompt: str, seed: float | None) -> str:
    """A continuation of `prompt` by the model saved in `folder`: 300 characters or 60 words, as HTML."""
    model = load_model(folder)
    encoded = model.vocab.encode_text(prompt or "")
    length = 300 if model.tokenizer.unit == "character" else 60
    gen = generate(model, encoded.ids, length, temperature=0.8, generator=make_generator(int(seed or 0)))
    text = model.tokenizer.append(prompt or "", [w.word for w in gen])
    text = hide_in_text(text)[0]
    escaped = html.escape(text, quote=True).replace("\n", "<br>")
    return (
        f'<div class="lp-text" id="live-try-out" style="font-family: ui-monospace, monospace">{escaped}</div>'
    )
