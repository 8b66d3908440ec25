"""Every unit ranked by how well its values over a text predict each track (`lstmlm.studies.tracks`).

Yes/no tracks are scored by the AUC of the unit's value as a detector (Mann-Whitney U from ranks, ties
given their average rank): 1.0 = every step inside is above every step outside, 0.0 the reverse, 0.5 no
better than chance. A unit that is LOW inside is as good a detector, so units are ranked by
max(AUC, 1 - AUC) and the direction is kept. Counts are scored by |Pearson r|. The scores themselves
are computed in `lstmlm.studies.unit_scores`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lstmlm.studies.tracks import Track
from lstmlm.studies.unit_scores import auc_scores, products


@dataclass
class UnitRank:
    """One unit's score for a track: `score` is max(AUC, 1 - AUC) or |r|, `statistic` the AUC or r."""

    layer: int
    signal: str
    unit: int
    score: float
    statistic: float
    direction: str  # "high": the unit is higher where the track is on / larger; "low": the reverse
    marked_mean: float  # the unit's mean where the track is on (binary) or in its top tenth (counts)

    def to_dict(self) -> dict:
        return {
            "layer": self.layer,
            "signal": self.signal,
            "unit": self.unit,
            "score": round(self.score, 4),
            "statistic": round(self.statistic, 4),
            "direction": self.direction,
            "marked_mean": round(self.marked_mean, 4),
        }


@dataclass
class TrackRanking:
    """Every unit's score for one track: arrays (L, S, H) over layers, signals and units."""

    name: str
    label: str
    kind: str
    signals: tuple[str, ...]
    statistic: np.ndarray  # AUC (binary) or Pearson r (count); NaN when the track cannot be scored
    marked_mean: np.ndarray  # each unit's mean where the track is on (binary) / in its top tenth (count)
    steps: int
    marked: float  # binary: steps marked; count: the track's mean
    note: str = ""
    skipped: str = ""  # why the track was not scored ("" when it was)

    @property
    def score(self) -> np.ndarray:
        """max(AUC, 1 - AUC) or |r|; NaN -> 0."""
        s = (
            np.maximum(self.statistic, 1 - self.statistic)
            if self.kind == "binary"
            else np.abs(self.statistic)
        )
        return np.nan_to_num(s, nan=0.0)

    def best(self, k: int = 5, layer: int | None = None, signal: str | None = None) -> list[UnitRank]:
        """The k best units (of one layer and/or signal when given), best first; ties: lower layer, unit."""
        score = self.score
        rows = []
        for li in range(score.shape[0]) if layer is None else [layer]:
            for si, s in enumerate(self.signals):
                if signal is not None and s != signal:
                    continue
                top = np.argsort(-score[li, si], kind="stable")[: max(0, k)]
                rows += [(float(score[li, si, u]), li, si, int(u)) for u in top]
        rows.sort(key=lambda r: (-r[0], r[1], r[2], r[3]))
        out = []
        for sc, li, si, u in rows[: max(0, k)]:
            stat = float(self.statistic[li, si, u])
            high = stat >= 0.5 if self.kind == "binary" else stat >= 0
            out.append(UnitRank(li, self.signals[si], u, sc, stat, "high" if high else "low",
                                float(self.marked_mean[li, si, u])))  # fmt: skip
        return out


def rank_tracks(values: dict[str, np.ndarray], tracks: Sequence[Track]) -> dict[str, TrackRanking]:
    """Score every unit of `values` ({signal: (L, H, N)}) against each track (values (N,) each)."""
    signals = tuple(values)
    L, H, N = next(iter(values.values())).shape
    usable = [tr for tr in tracks if not tr.usable]
    for tr in tracks:
        if tr.values.shape != (N,):
            raise ValueError(f"track {tr.name} has {tr.values.shape[0]} steps, the unit values {N}")
    binary = [tr for tr in usable if tr.kind == "binary"]
    counts = [tr for tr in usable if tr.kind == "count"]
    stats = {tr.name: np.full((L, len(signals), H), np.nan) for tr in tracks}
    marked_mean = {tr.name: np.full((L, len(signals), H), np.nan) for tr in tracks}
    marks = {tr.name: tr.values > 0 if tr.kind == "binary" else _top_tenth(tr.values) for tr in usable}
    weights = np.stack([m / m.sum() for m in marks.values()]) if marks else np.zeros((0, N))  # (M, N)
    count_values = np.stack([tr.values for tr in counts]) if counts else np.zeros((0, N))
    binary_masks = np.stack([tr.values > 0 for tr in binary]) if binary else None
    for si, s in enumerate(signals):
        x = values[s].reshape(L * H, N)  # every layer's units at once (a view of contiguous values)
        if binary:
            auc = auc_scores(x, binary_masks).reshape(-1, L, H)
            for k, tr in enumerate(binary):
                stats[tr.name][:, si] = auc[k]
        # Pearson r of the counts and the mean where marked (every track), in one float64 pass
        r, means = products(x, count_values, weights)
        for k, tr in enumerate(counts):
            stats[tr.name][:, si] = r[k].reshape(L, H)
        for row, name in enumerate(marks):
            marked_mean[name][:, si] = means[row].reshape(L, H)
    return {
        tr.name: TrackRanking(
            tr.name,
            tr.label,
            tr.kind,
            signals,
            stats[tr.name],
            marked_mean[tr.name],
            N,
            float(tr.values.sum() if tr.kind == "binary" else tr.values.mean()),
            tr.note,
            tr.usable,
        )  # fmt: skip
        for tr in tracks
    }


def _top_tenth(values: np.ndarray) -> np.ndarray:
    """The steps where a count track is in its top tenth (at least its largest value)."""
    return values >= min(np.quantile(values, 0.9), values.max())
