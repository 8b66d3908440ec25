"""What the Cell-hunt view shows (no gradio, no plotly): for one track (inside quotes, position in the
line, ... or the person's regular expression), the units whose c or h predict it best, ranked over the
model's validation text (the cache `lstmlm cells` writes) or over a text the person gives, and one unit's
value over that text beside the track. The `cell_hunt` endpoint returns the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lstmlm.messages import Message
from lstmlm.model import LanguageModel
from lstmlm.safewords import hide_in_text
from lstmlm.studies.cell_hunt import cached_ranking, hunt
from lstmlm.studies.tracks import REGEX, SPECS, Track, regex_track, track_names
from lstmlm.studies.unit_ranking import TrackRanking, UnitRank
from lstmlm.tokenizers import Tokenizer
from lstmlm.wikitext import EOS
from playground.plots.cell_hunt_text import shaded_text
from playground.text import words_in
from playground.views.gates import encode_array
from playground.views.next_word import line_start

# The most steps of the person's text a hunt reads (a few seconds at most on a 2x256 model), and shows.
MAX_HUNT_STEPS = {"character": 4000, "word": 800}
OVER = ("validation", "text")  # rank over the cached validation text, or over the given text
CELL_RANGE = 5.0  # the Intervene view's cell slider runs from -5 to 5

# A passage to hunt over when the model has no cache (written for this view): quotes across a line
# break, nested brackets, lines wrapped near 70 characters, sentences.
DEFAULT_TEXT = """"I cannot stay," said the old prince, rising from his chair. "The carriage
is waiting, and my daughter (who has been ready since noon) will not
forgive me." He looked at the window. Snow was falling again.

Anna Pavlovna smiled. "Then go, but promise that you will come back
before the ball (and bring the young count, if he is still in town)."
The prince bowed, said nothing more, and went out into the cold hall,
where the servants were already holding his coat and hat for him.

"Well?" asked Pierre, when the door had closed. Nobody answered him.
"""


def default_text(cache: dict | None) -> str:
    """The text the view opens with: a passage of the cached validation text, else DEFAULT_TEXT."""
    return (cache or {}).get("passage") or DEFAULT_TEXT


def track_label(name: str, unit: str, lang: str = "en", label: str = "") -> str:
    """A track's label in `lang` ('en' or 'zh'): a built-in track's (its `unit` "character" or "word"), the
    person's own (REGEX) by `label` as the library wrote it."""
    if name in SPECS:
        return words_in(lang, f"hunt.track.{name}", unit=words_in(lang, f"unit.{unit}"))
    return label or words_in(lang, f"hunt.track.{REGEX}")


def track_choices(model: LanguageModel, cache: dict | None = None, lang: str = "en") -> list[tuple[str, str]]:
    """(label in `lang`, name) of each built-in track for this model's steps, then the person's own track."""
    unit = model.vocab.tokenizer.unit
    names = track_names(unit)
    labels = {name: (cache or {}).get("tracks", {}).get(name, {}).get("label") for name in names}
    if lang == "zh":  # the cache's labels are the library's English
        labels = {}
    out = [(labels.get(n) or track_label(n, unit, lang), n) for n in names]
    return [*out, (words_in(lang, f"hunt.track.{REGEX}"), REGEX)]


@dataclass
class HuntView:
    """One track's ranking and the text it is shown over."""

    tokens: list[str]  # the given text's steps (capped to MAX_HUNT_STEPS)
    track: Track  # the track over `tokens`
    ranking: TrackRanking  # over the validation text (cached) or over `tokens`
    over: str  # validation | text
    values: dict[str, np.ndarray]  # unit values over `tokens`: signal -> (L, H, N)
    notice: str  # e.g. the text was capped, or no cache so the text was used

    def best(self, k: int = 5, signal: str | None = None) -> list[UnitRank]:
        """The k best units over all layers (of one signal when given)."""
        return self.ranking.best(k, signal=signal)

    def per_layer(self, k: int = 3, signal: str | None = None) -> list[list[UnitRank]]:
        """The k best units of each layer."""
        return [self.ranking.best(k, layer=n, signal=signal) for n in range(self.ranking.statistic.shape[0])]

    def unit_values(self, layer: int, signal: str, unit: int) -> np.ndarray:
        """One unit's value (N,) over the text; ValueError for a unit that does not exist."""
        if signal not in self.values:
            raise ValueError(f"signal must be one of {', '.join(self.values)}, got {signal!r}")
        L, H, _ = self.values[signal].shape
        if not (0 <= layer < L and 0 <= unit < H):
            raise ValueError(f"layer must be in 0..{L - 1} and unit in 0..{H - 1}, got {layer}, {unit}")
        return self.values[signal][layer, unit]


def hunt_view(
    model: LanguageModel,
    text: str,
    track: str = "quote",
    regex: str = "",
    over: str = "text",
    cache: dict | None = None,
    lang: str = "en",
) -> HuntView:
    """Rank the units for `track` over the cached validation text (`over="validation"`) or over `text`,
    and trace `text` (read from a line start, capped) for the pictures; its notes in `lang` ('en' or
    'zh'). ValueError says what to change."""
    tokenizer = model.vocab.tokenizer
    unit = tokenizer.unit
    names = track_names(unit)
    if track not in (*names, REGEX):
        raise ValueError(f"track must be one of {', '.join([*names, REGEX])} for this model, got {track!r}")
    if over not in OVER:
        raise ValueError(f"over must be 'validation' or 'text', got {over!r}")
    tokens = tokenizer.tokenize(text or "")
    notes = []
    cap = MAX_HUNT_STEPS[unit]
    if len(tokens) > cap:
        tokens = tokens[:cap]
        notes.append(words_in(lang, "hunt.note.capped", cap=f"{cap:,}", unit=words_in(lang, f"unit.{unit}")))
    if len(tokens) < 2:
        raise ValueError(
            Message("hunt.two_tokens_given", "give a text of at least 2 {unit}s to hunt over", unit=unit)
        )
    use_cache = over == "validation" and track != REGEX and cache is not None
    if over == "validation" and track == REGEX:
        notes.append(words_in(lang, "hunt.note.own_track"))
    elif over == "validation" and cache is None:
        notes.append(words_in(lang, "hunt.note.no_cache"))
    if track == REGEX:
        regex_track(tokens, tokenizer, regex)  # a bad pattern fails before any tracing
    h = hunt(model, tokens, regex=regex if track == REGEX else None, builtin=track != REGEX,
             state=line_start(model))  # fmt: skip
    ranking = cached_ranking(cache, track) if use_cache else h.rankings[track]
    if use_cache:
        source = cache.get("source") or words_in(lang, "hunt.note.validation")
        steps, unit_word = f"{cache['steps']:,}", words_in(lang, f"unit.{unit}")
        notes.append(words_in(lang, "hunt.note.cached", steps=steps, unit=unit_word, source=source))
    if ranking.skipped:
        notes.append(words_in(lang, "hunt.note.skipped", why=ranking.skipped))
    if h.tracks[track].note:
        notes.append(h.tracks[track].note[:1].upper() + h.tracks[track].note[1:] + ".")
    return HuntView(h.tokens, h.tracks[track], ranking, "validation" if use_cache else "text", h.values,
                    " ".join(notes))  # fmt: skip


def unit_key(r: UnitRank) -> str:
    """The value a unit choice carries: 'layer:signal:unit'."""
    return f"{r.layer}:{r.signal}:{r.unit}"


def parse_unit_key(key: str) -> tuple[int, str, int]:
    """'1:c:17' -> (1, 'c', 17); ValueError for anything else."""
    try:
        layer, signal, unit = str(key).split(":")
        return int(layer), signal, int(unit)
    except ValueError:
        raise ValueError(f"a unit is written layer:signal:unit, e.g. 0:c:17, got {key!r}") from None


def describe(r: UnitRank, kind: str, lang: str = "en") -> str:
    """'layer 1 · c 17 · AUC 0.97, higher where marked' (layers counted from 1, as the app shows them), in
    `lang`."""
    where = dict(layer=r.layer + 1, signal=r.signal, unit=r.unit)
    if kind == "binary":
        direction = words_in(lang, "hunt.higher" if r.direction == "high" else "hunt.lower")
        return words_in(lang, "hunt.describe_binary", auc=f"{r.statistic:.2f}", direction=direction, **where)
    return words_in(lang, "hunt.describe_count", r=f"{r.statistic:+.2f}", **where)


def best_rows(ranks: list[UnitRank]) -> list[tuple[int, str, int, float, float]]:
    """The table's rows for `plots.cell_hunt.best_table`: (layer, signal, unit, AUC or r, score)."""
    return [(r.layer, r.signal, r.unit, r.statistic, r.score) for r in ranks]


def text_steps(tokens: list[str], tokenizer: Tokenizer) -> list[tuple[str, str, bool]]:
    """What each step of the text shows: (space before it, its text, whether it is a line break). A line
    break shows as ⏎; listed words are hidden; spaces stay spaces (the text is laid out as text)."""
    return [
        (space, "⏎" if tok == EOS else hide_in_text(text)[0], tok == EOS)
        for (space, text), tok in zip(tokenizer.pieces(list(tokens)), tokens, strict=True)
    ]


def shaded_track_text(
    tokens: list[str],
    values: np.ndarray,
    track: np.ndarray,
    tokenizer: Tokenizer,
    unit_label: str,
    track_label: str,
    lang: str = "en",
) -> str:
    """The text shaded by a unit's values with the track under it (`plots.cell_hunt_text.shaded_text`), its
    legend in `lang`."""
    steps = text_steps(tokens, tokenizer)
    return shaded_text(steps, values, track, tokenizer.unit, unit_label, track_label, lang)


def intervene_settings(ranking: TrackRanking, layer: int, unit: int, bound: float = CELL_RANGE) -> dict:
    """What the Intervene view opens with for a found cell: set its cell C, at every step, to the value it
    has where the track is on (binary) or in the track's top tenth (counts), within ±`bound` (the slider's
    range, default ±CELL_RANGE)."""
    value = float("nan")
    if "c" in ranking.signals:
        value = float(ranking.marked_mean[layer, ranking.signals.index("c"), unit])
    value = 1.0 if not math.isfinite(value) else max(-bound, min(bound, round(value, 2)))
    return {"layer": layer, "action": "set_cell", "value": value, "units": "list", "unit_list": str(unit),
            "steps": "0-"}  # fmt: skip


def cell_hunt_json(
    model: LanguageModel,
    text: str,
    track: str = "quote",
    regex: str = "",
    over: str = "text",
    cache: dict | None = None,
    k: int = 5,
) -> dict:
    """What the `cell_hunt` endpoint returns: the best units overall and per layer, the track over the
    text's steps and the best unit's value there."""
    k = max(1, min(int(k), 50))
    v = hunt_view(model, text, track, regex, over, cache)
    best = v.best(k)
    top = best[0] if best and not v.ranking.skipped else None
    return {
        "track": track,
        "label": v.track.label,
        "kind": v.track.kind,
        "statistic": "auc" if v.track.kind == "binary" else "pearson_r",
        "over": v.over,
        "steps_ranked": v.ranking.steps,
        "skipped": v.ranking.skipped,
        "best": [r.to_dict() for r in best] if top else [],
        "per_layer": [[r.to_dict() for r in rows] for rows in v.per_layer(k)] if top else [],
        "tokens": v.tokens,
        "track_values": v.track.values.tolist(),
        "best_unit_values": encode_array(v.unit_values(top.layer, top.signal, top.unit), "list", 4)
        if top
        else [],
        "intervene": intervene_settings(v.ranking, top.layer, top.unit) if top else None,
        "notice": v.notice,
    }
