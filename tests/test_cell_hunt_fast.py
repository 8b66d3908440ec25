"""The cell hunt's fast paths against plain reference computations on small data: the column-parallel
trace against tracing each column alone, and the whole ranking (AUC from sorted packed keys, Pearson r from
one float64 pass) against ranks computed another way and np.corrcoef."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstmlm.data import batchify
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.studies.cell_hunt import unit_values
from lstmlm.studies.tracks import Track
from lstmlm.studies.unit_ranking import rank_tracks
from lstmlm.studies.unit_scores import auc_scores, pearson_scores
from lstmlm.trace import trace


def average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..N of x, ties given their mean rank: counted directly from comparisons (O(N^2))."""
    below = (x[None, :] < x[:, None]).sum(1)
    equal = (x[None, :] == x[:, None]).sum(1)
    return below + (equal + 1) / 2.0


def reference_auc(x: np.ndarray, marked: np.ndarray) -> float:
    """Mann-Whitney AUC from the ranks of the marked steps."""
    n1, n0 = marked.sum(), (~marked).sum()
    return float((average_ranks(x)[marked].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


@pytest.fixture(scope="module")
def tiny_char_model() -> LanguageModel:
    torch.manual_seed(3)
    config = ModelConfig(
        vocab_size=12, embed_dim=6, hidden_dim=8, num_layers=2, dropout=0.0, tie_weights=False, softmax="full"
    )
    return LanguageModel(config).eval()


def test_parallel_columns_equal_each_column_traced_alone(tiny_char_model):
    ids = torch.randint(0, 12, (603,), generator=torch.Generator().manual_seed(1)).tolist()
    one, n = unit_values(tiny_char_model, ids, batch_size=6, bptt=40)
    three, n3 = unit_values(tiny_char_model, ids, batch_size=6, bptt=40, workers=3)
    assert n == n3 == 600  # 603 // 6 * 6: batchify drops the last 3 steps
    for s in ("c", "h"):
        np.testing.assert_allclose(three[s], one[s], rtol=0, atol=1e-6)
    # the reference: each column from a zero state in one trace, laid out (L, H, column, step)
    columns = batchify(torch.tensor(ids), 6)  # (100, 6)
    for b in range(6):
        tr = trace(tiny_char_model, columns[:, b], log_probs=False)
        for layer, lt in enumerate(tr.layers):
            for s in ("c", "h"):
                expected = lt.get(s)[:, 0, :].T.numpy()  # (H, steps)
                got = three[s][layer].reshape(8, 6, 100)[:, b, :]
                np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)


def test_parallel_trace_restores_torch_threads(tiny_char_model):
    before = torch.get_num_threads()
    unit_values(tiny_char_model, list(range(12)) * 10, batch_size=4, workers=2)
    assert torch.get_num_threads() == before


def test_ranking_matches_ranks_counted_directly_and_corrcoef():
    rng = np.random.default_rng(7)
    L, H, N = 2, 5, 300
    values = {
        "c": rng.integers(-3, 4, size=(L, H, N)).astype(np.float32),  # many ties
        "h": np.tanh(rng.normal(size=(L, H, N))).astype(np.float32),
    }
    values["c"][1, 2] = 0.25  # a constant unit: AUC 0.5, r 0
    quote = rng.random(N) < 0.3
    start = rng.random(N) < 0.1
    depth = rng.integers(0, 3, size=N).astype(np.float64)
    column = np.arange(N) % 17.0
    tracks = [
        Track("quote", "inside quotes", "binary", quote.astype(np.float64)),
        Track("depth", "depth", "count", depth),
        Track("start", "start", "binary", start.astype(np.float64)),
        Track("column", "column", "count", column),
        Track("never", "never", "binary", np.zeros(N)),  # unusable: skipped, NaN
    ]
    ranked = rank_tracks(values, tracks)
    for si, s in enumerate(("c", "h")):
        for layer in range(L):
            for u in range(H):
                x = values[s][layer, u].astype(np.float64)
                for name, marked in (("quote", quote), ("start", start)):
                    got = ranked[name].statistic[layer, si, u]
                    assert got == pytest.approx(reference_auc(x, marked), abs=1e-12)
                    assert ranked[name].marked_mean[layer, si, u] == pytest.approx(x[marked].mean(), abs=1e-5)
                for name, y in (("depth", depth), ("column", column)):
                    expected = 0.0 if np.ptp(x) == 0 else np.corrcoef(x, y)[0, 1]
                    assert ranked[name].statistic[layer, si, u] == pytest.approx(expected, abs=1e-9)
    assert ranked["quote"].statistic[1, 0, 2] == 0.5
    assert np.isnan(ranked["never"].statistic).all() and ranked["never"].skipped


def test_auc_chunks_threads_and_r_blocks_do_not_change_the_result():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(37, 500)).astype(np.float32)
    x[:, ::7] = 0.0  # ties
    masks = rng.random((3, 500)) < [[0.5], [0.05], [0.9]]
    base = auc_scores(x, masks, chunk=37, workers=1)
    for chunk, workers in ((1, 1), (4, 3), (16, 2)):
        np.testing.assert_array_equal(auc_scores(x, masks, chunk=chunk, workers=workers), base)
    # Pearson r summed over blocks of steps (one block, blocks of 7 with a shorter last one, of 64)
    counts = rng.integers(0, 5, size=(2, 500)).astype(float)
    expected = [[np.corrcoef(x[u], y)[0, 1] for u in range(37)] for y in counts]
    for block, workers in ((4096, 1), (7, 2), (64, 3)):  # units split between threads too
        got = pearson_scores(x, counts, block=block, workers=workers)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_auc_orders_signed_zeros_infinities_and_tiny_values_as_floats_do():
    special = np.array([-np.inf, -3.5, -1e-38, -1e-45, -0.0, 0.0, 1e-45, 1e-38, 2.0, np.inf], np.float32)
    rng = np.random.default_rng(5)
    x = rng.choice(special, size=(4, 400)).astype(np.float32)  # many ties, -0.0 equal to 0.0
    masks = rng.random((2, 400)) < [[0.4], [0.1]]
    got = auc_scores(x, masks, chunk=3, workers=2)
    for k in range(2):
        for u in range(4):
            assert got[k, u] == pytest.approx(reference_auc(x[u].astype(np.float64), masks[k]), abs=1e-12)
