"""The downloads (no gradio): a prompt's trace as CSV, NPZ and JSON (the Surprisal tab) and the Generate tab's
last run as CSV, written by `lstmlm.studies.export` into a fresh temporary folder per request (never a path
the user chose), with listed words hidden (a download is shown to people too)."""

from __future__ import annotations

import atexit
import dataclasses
import shutil
import tempfile
import threading
import time
from pathlib import Path

from lstmlm.messages import Message
from lstmlm.model import LanguageModel
from lstmlm.prompt import read_prompt, reader
from lstmlm.safewords import hide_in_text
from lstmlm.studies import export
from playground.views.generate import GenerationSettings, generate_words
from playground.views.next_word import predict_next

EXPORT_MAX_AGE_S = 3600  # an export folder is removed an hour after it was made (its download is long done)
_export_root: list[Path] = []  # this process's own temporary folder for exports, made on first use
_export_lock = threading.Lock()


def _folder() -> Path:
    """A new folder for one request's files, inside this process's temporary folder (removed at exit);
    folders older than EXPORT_MAX_AGE_S go first, so a day of exports does not fill the disk."""
    with _export_lock:
        if not _export_root:
            _export_root.append(Path(tempfile.mkdtemp(prefix="lstm-playground-exports-")))
            atexit.register(shutil.rmtree, _export_root[0], True)
        root = _export_root[0]
        cutoff = time.time() - EXPORT_MAX_AGE_S
        for old in root.iterdir():
            try:
                if old.stat().st_mtime < cutoff:
                    shutil.rmtree(old, ignore_errors=True)
            except OSError:
                pass  # removed by another request meanwhile
    return Path(tempfile.mkdtemp(prefix="lstm-playground-", dir=root))


def export_trace_files(model: LanguageModel, text: str) -> dict[str, Path]:
    """The prompt's trace (every layer) as trace.csv, trace.npz and trace.json; ValueError if empty."""
    p = read_prompt(model.vocab, text)
    if not p.ids:
        raise ValueError(
            Message("export.empty", "the prompt is empty: type some words to export their trace")
        )
    tr = reader(model).trace(p.ids)
    tokens = [hide_in_text(t)[0] for t in p.tokens]  # a download is shown to people too: listed words hidden
    unknown = [tokens[i] for i in p.unknown]
    nxt = predict_next(model, p, 10)
    nxt = dataclasses.replace(nxt, words=[hide_in_text(w)[0] for w in nxt.words])
    out = _folder()
    paths = {"csv": out / "trace.csv", "npz": out / "trace.npz", "json": out / "trace.json"}
    export.trace_csv(tr, tokens, paths["csv"])
    export.trace_npz(tr, tokens, paths["npz"], ids=p.ids)
    export.trace_json(tr, tokens, unknown, nxt, paths["json"])
    return paths


def export_generated_file(model: LanguageModel, run: dict) -> Path | None:
    """The Generate tab's last run as generated.csv (step, word, id, prob, rank, sampled_prob), or None.

    The run is replayed with its own seed and settings, which gives the same words (checked)."""
    if not run or not run.get("ids"):
        return None
    settings = GenerationSettings(**run["settings"])
    words = list(generate_words(model, read_prompt(model.vocab, run["prompt"]), settings))
    if [w.id for w in words] != list(run["ids"]):
        return None
    path = _folder() / "generated.csv"
    export.generated_csv([dataclasses.replace(w, word=hide_in_text(w.word)[0]) for w in words], path)
    return path
