"""Every unit ranked by how well its values over a text predict each track (`lstmlm.studies.tracks`).

Yes/no tracks are scored by the AUC of the unit's value as a detector (Mann-Whitney U from ranks, ties
given their average rank): 1.0 = every step inside is above every step outside, 0.0 the reverse, 0.5 no
better than chance. A unit that is LOW inside is as good a detector, so units are ranked by
max(AUC, 1 - AUC) and the direction is kept. Counts are scored by |Pearson r|.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import torch

from lstmlm.studies.tracks import Track


def _sort_keys(x: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Each row of x (R, N) float32 as sorted uint64 keys: the value's bits in an order-preserving form,
    shifted past the K <= 8 mask bits of its step. Sorting the keys sorts the values and carries each step's
    marks along, so no argsort and no gather is needed (NumPy's SIMD sort of integers is ~8x its argsort)."""
    v = (np.asarray(x, dtype=np.float32) + np.float32(0.0)).view(np.uint32)  # a copy; -0.0 -> +0.0
    flip = (v >> np.uint32(31)) * np.uint32(0x7FFFFFFF) | np.uint32(0x80000000)  # negative: all bits
    keys = (v ^ flip).astype(np.uint64) << np.uint64(8)
    bits = np.zeros(masks.shape[1], dtype=np.uint64)
    for k, m in enumerate(masks):
        bits |= m.astype(np.uint64) << np.uint64(k)
    keys |= bits
    keys.sort(axis=1)
    return keys


def _marked_rank_sums(keys: np.ndarray, K: int) -> np.ndarray:
    """(K, R): for each mask, the sum of the average ranks (1..N, ties share their mean) of its marked steps,
    from sorted keys (R, N) made by `_sort_keys`. One weighted bincount per row sums the ranks by mark
    pattern (the key's low byte); a track's sum adds the patterns that hold its bit."""
    R, N = keys.shape
    ranks = np.arange(1.0, N + 1.0)
    patterns = np.arange(256)
    holds = np.stack([(patterns >> k) & 1 for k in range(K)]).astype(np.float64)  # (K, 256)
    by_pattern = np.empty((R, 256))
    new = np.empty(N, dtype=bool)  # a position that starts a run of equal values
    new[0] = True
    for r in range(R):
        row = keys[r]
        marks = row.astype(np.uint8)  # the low byte: this step's marks
        sums = np.bincount(marks, weights=ranks, minlength=256)
        np.greater_equal(row[1:] ^ row[:-1], 256, out=new[1:])  # the values (above the marks) differ
        if not new.all():  # ties: their average rank instead of their position
            ends = np.ones(N, dtype=bool)
            ends[:-1] = new[1:]
            pos = np.flatnonzero(~(new & ends))  # positions inside a run of two or more equal values
            starts = new[pos]
            run = np.cumsum(starts) - 1
            length = np.bincount(run)
            average = pos[starts] + (length + 1) / 2.0  # ranks first+1 .. first+length: their mean
            sums += np.bincount(marks[pos], weights=average[run] - (pos + 1), minlength=256)
        by_pattern[r] = sums
    return holds @ by_pattern.T


def auc_scores(values: np.ndarray, masks: np.ndarray, chunk: int = 16, workers: int = 0) -> np.ndarray:
    """AUC of each unit's values (H, N), one row per unit, as a detector of each yes/no track in masks
    (K, N): (K, H).

    Mann-Whitney: AUC = (sum of the ranks of the marked steps - n1 (n1 + 1) / 2) / (n1 n0), the probability
    that a marked step's value is above an unmarked one's (ties count half). NaN for a track that marks
    no step or every step. At most 8 tracks per call. Column chunks run on `workers` threads (0: as many
    as torch uses; NumPy's sort and bincount release the GIL)."""
    masks = np.asarray(masks, dtype=bool).reshape(-1, values.shape[1])
    K = masks.shape[0]
    if K > 8:
        raise ValueError(f"at most 8 yes/no tracks at once, got {K}")
    n1 = masks.sum(1).astype(np.float64)  # (K,)
    n0 = values.shape[1] - n1
    out = np.empty((K, values.shape[0]))

    def columns(c: int) -> None:
        keys = _sort_keys(values[c : c + chunk], masks)  # (h, N)
        out[:, c : c + chunk] = _marked_rank_sums(keys, K)

    starts = range(0, values.shape[0], chunk)
    workers = workers or torch.get_num_threads()
    if workers > 1 and len(starts) > 1:
        with ThreadPoolExecutor(min(workers, len(starts))) as pool:
            list(pool.map(columns, starts))
    else:
        for c in starts:
            columns(c)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (out - (n1 * (n1 + 1) / 2)[:, None]) / (n1 * n0)[:, None]


def pearson_scores(values: np.ndarray, tracks: np.ndarray, chunk: int = 8) -> np.ndarray:
    """Pearson r of each unit's values (H, N), one row per unit, with each track in tracks (K, N): (K, H);
    a constant track gives NaN, a constant unit 0."""
    tracks = np.asarray(tracks, dtype=np.float64).reshape(-1, values.shape[1])
    return _products(values, tracks, np.zeros((0, values.shape[1])), chunk)[0]


def _products(
    values: np.ndarray, tracks: np.ndarray, weights: np.ndarray, chunk: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    """Pearson r of each unit's values (H, N) with each track (K, N), and each unit's weighted means
    (weights (M, N), each row summing to 1): ((K, H), (M, H)), in one float64 pass over the units.

    r = sum_t y_t x_t / (|y| sx) with y the centred track (so the unit need not be centred: sum_t y_t = 0)
    and sx^2 = sum x^2 - (sum x)^2 / N. Units are taken `chunk` at a time: the float64 copy stays under
    ~32 MB, which malloc reuses instead of mapping fresh (zeroed) pages for every chunk. The products go
    through torch, at its thread setting: NumPy's BLAS starts threads of its own, which spin-wait for each
    other on a busy machine."""
    N = values.shape[1]
    K = tracks.shape[0]
    y = tracks - tracks.mean(1, keepdims=True)
    sy = np.sqrt(np.einsum("kn,kn->k", y, y))  # (K,)
    rows = torch.from_numpy(np.concatenate([y, weights]))  # (K + M, N) float64
    r = np.empty((K, values.shape[0]))
    means = np.empty((weights.shape[0], values.shape[0]))
    for c in range(0, values.shape[0], chunk):
        part = values[c : c + chunk]  # (h, N) float32
        x = part.astype(np.float64)
        s1 = x.sum(1)
        sxx = np.maximum(np.einsum("hn,hn->h", x, x) - s1 * s1 / N, 0.0)  # squared deviations
        sx = np.where(part.min(1) == part.max(1), np.inf, np.sqrt(sxx))  # a constant unit: r = 0
        product = (rows @ torch.from_numpy(x).T).numpy()  # (K + M, h)
        with np.errstate(invalid="ignore", divide="ignore"):
            r[:, c : c + chunk] = product[:K] / (sy[:, None] * sx[None, :])
        means[:, c : c + chunk] = product[K:]
    r[sy == 0] = np.nan
    return r, means


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
    for si, s in enumerate(signals):
        for layer in range(L):
            x = values[s][layer]  # (H, N)
            if binary:
                auc = auc_scores(x, np.stack([tr.values > 0 for tr in binary]))
                for k, tr in enumerate(binary):
                    stats[tr.name][layer, si] = auc[k]
            # Pearson r of the counts and the mean where marked (every track), in one float64 pass
            r, means = _products(x, count_values, weights)
            for k, tr in enumerate(counts):
                stats[tr.name][layer, si] = r[k]
            for row, name in enumerate(marks):
                marked_mean[name][layer, si] = means[row]
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
