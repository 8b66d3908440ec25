"""The scores behind the cell hunt's ranking, fast enough for every unit over a whole validation text:
the AUC of each unit's values as a detector of each yes/no track (Mann-Whitney U from ranks, ties given
their average rank), and each unit's Pearson r with each count track and mean over marked steps.

The AUC sorts every unit's values once, with the steps' marks packed into the sort keys; Pearson r and
the means are one float64 pass over the steps. Both split the units between threads.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np
import torch

_HIGH = 1 if sys.byteorder == "little" else 0  # which uint32 of a uint64 holds its high bits


def _mark_bits(masks: np.ndarray) -> np.ndarray:
    """(N,) uint32: bit k set where mask k (of K <= 8 in masks (K, N)) marks the step."""
    bits = np.zeros(masks.shape[1], dtype=np.uint32)
    for k, m in enumerate(masks):
        bits |= m.astype(np.uint32) << np.uint32(k)
    return bits


def scratch(shape: tuple[int, ...], dtype: np.dtype | type) -> np.ndarray:
    """An uninitialised NumPy array whose memory comes from torch's allocator. NumPy asks the kernel for
    transparent huge pages for every large array (madvise); where the kernel's THP defrag setting is
    "madvise" (its default), the first touch of such a page may stop to compact memory, which cost ~5x
    ordinary pages here (1.1-1.25 CPU s against 0.25 s to first write 654 MB; `cell_hunt` writes 1.3 GB)."""
    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    return torch.empty(size, dtype=torch.uint8).numpy().view(dtype).reshape(shape)


class _KeyBuffers:
    """Scratch arrays for `_sort_keys` on up to `rows` rows of N steps, reused from chunk to chunk."""

    def __init__(self, rows: int, N: int):
        self.values = scratch((rows, N), np.float32)
        self.flip = scratch((rows, N), np.int32)
        self.keys = scratch((rows, N), np.uint64)


def _sort_keys(x: np.ndarray, bits: np.ndarray, buffers: _KeyBuffers | None = None) -> np.ndarray:
    """Each row of x (R, N) as sorted uint64 keys: the high word the float32 value's bits in an
    order-preserving form, the low word its step's mark bits (`_mark_bits`, < 256). Sorting the keys sorts
    the values and carries each step's marks along, so no argsort and no gather is needed (NumPy's SIMD sort
    of integers is ~8x its argsort). The two words are written in place (no 64-bit shift pass), into
    `buffers` when given (the keys returned are then a view of them)."""
    R, N = x.shape
    buffers = buffers or _KeyBuffers(R, N)
    v, flip, keys = buffers.values[:R], buffers.flip[:R], buffers.keys[:R]
    np.add(x, np.float32(0.0), out=v, casting="unsafe")  # a float32 copy; -0.0 -> +0.0
    np.right_shift(v.view(np.int32), 31, out=flip)  # -1 (all bits) for a negative value, 0 otherwise
    flip |= np.int32(-(2**31))  # and the sign bit: negatives reversed, positives above them
    u = v.view(np.uint32)
    u ^= flip.view(np.uint32)
    words = keys.view(np.uint32).reshape(R, N, 2)
    words[..., _HIGH] = u
    words[..., 1 - _HIGH] = bits
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
    no step or every step. At most 8 tracks per call. Chunks of `chunk` units run on `workers` threads (0: as
    many as torch uses; NumPy's sort and bincount release the GIL), each with scratch arrays of its own."""
    masks = np.asarray(masks, dtype=bool).reshape(-1, values.shape[1])
    K = masks.shape[0]
    if K > 8:
        raise ValueError(f"at most 8 yes/no tracks at once, got {K}")
    n1 = masks.sum(1).astype(np.float64)  # (K,)
    n0 = values.shape[1] - n1
    out = np.empty((K, values.shape[0]))
    bits = _mark_bits(masks)
    starts = list(range(0, values.shape[0], chunk))
    workers = max(1, min(workers or torch.get_num_threads(), len(starts)))

    def share(w: int) -> None:  # every workers-th chunk, with scratch arrays of its own
        buffers = _KeyBuffers(min(chunk, values.shape[0]), values.shape[1])
        for c in starts[w::workers]:
            keys = _sort_keys(values[c : c + chunk], bits, buffers)  # (h, N)
            out[:, c : c + chunk] = _marked_rank_sums(keys, K)

    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(share, range(workers)))
    else:
        share(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (out - (n1 * (n1 + 1) / 2)[:, None]) / (n1 * n0)[:, None]


def pearson_scores(values: np.ndarray, tracks: np.ndarray, block: int = 4096, workers: int = 0) -> np.ndarray:
    """Pearson r of each unit's values (H, N), one row per unit, with each track in tracks (K, N): (K, H);
    a constant track gives NaN, a constant unit 0."""
    tracks = np.asarray(tracks, dtype=np.float64).reshape(-1, values.shape[1])
    return products(values, tracks, np.zeros((0, values.shape[1])), block, workers)[0]


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """torch on one thread meanwhile (the setting is process-wide), restored after: for work split over
    Python threads, each of which would otherwise start torch threads of its own."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def products(
    values: np.ndarray, tracks: np.ndarray, weights: np.ndarray, block: int = 4096, workers: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Pearson r of each unit's values (H, N) with each track (K, N), and each unit's weighted means
    (weights (M, N), each row summing to 1): ((K, H), (M, H)), in one float64 pass over the steps.

    r = sum_t y_t x_t / (|y| sx) with y the centred track (so the unit need not be centred: sum_t y_t = 0)
    and sx^2 = sum x^2 - (sum x)^2 / N. The units are split between `workers` threads (0: as many as torch
    uses), each taking the steps `block` at a time for all its units at once: its float64 copy of a block
    (8 MB for 256 units) is reused, and the tracks' rows are read once rather than once per few units
    (reading them again for every unit chunk made this pass memory-bound). One matrix product per block
    gives the track products, the weighted sums and (a row of ones) sum x; it goes through torch, on one
    thread per worker: NumPy's BLAS starts threads of its own, which spin-wait on a busy machine."""
    H, N = values.shape
    K, M = tracks.shape[0], weights.shape[0]
    y = tracks - tracks.mean(1, keepdims=True)
    sy = np.sqrt(np.einsum("kn,kn->k", y, y))  # (K,)
    rows = torch.from_numpy(np.concatenate([y, weights, np.ones((1, N))]))  # (K + M + 1, N) float64
    sums = np.empty((K + M + 1, H))  # row . x for every row and unit
    squares = np.empty(H)  # sum x^2
    constant = np.empty(H, dtype=bool)  # a unit with the same value at every step

    def share(units: tuple[int, int]) -> None:
        u0, u1 = units
        buffer = scratch((u1 - u0, min(block, N)), np.float64)
        acc = torch.zeros((K + M + 1, u1 - u0), dtype=torch.float64)
        sq = np.zeros(u1 - u0)
        for start in range(0, N, block):
            stop = min(start + block, N)
            x = buffer[:, : stop - start]
            np.copyto(x, values[u0:u1, start:stop])  # float32 -> float64
            acc.addmm_(rows[:, start:stop], torch.from_numpy(x).T)
            sq += np.einsum("hn,hn->h", x, x)
        sums[:, u0:u1], squares[u0:u1] = acc.numpy(), sq
        constant[u0:u1] = values[u0:u1].min(1) == values[u0:u1].max(1)

    workers = max(1, min(workers or torch.get_num_threads(), H))
    shares = [(H * w // workers, H * (w + 1) // workers) for w in range(workers)]
    if workers == 1:
        share(shares[0])
    else:
        with one_torch_thread(), ThreadPoolExecutor(workers) as pool:
            list(pool.map(share, shares))
    s1 = sums[-1]
    sxx = np.maximum(squares - s1 * s1 / N, 0.0)  # squared deviations
    sx = np.where(constant, np.inf, np.sqrt(sxx))  # a constant unit: r = 0
    with np.errstate(invalid="ignore", divide="ignore"):
        r = sums[:K] / (sy[:, None] * sx[None, :])
    r[sy == 0] = np.nan
    return r, sums[K : K + M]
