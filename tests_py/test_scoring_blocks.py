"""What the matrix-product scoring (batch_sgd.forward) guarantees, and what it does not.

Guaranteed on any CPU, for a given BLAS library and kernel: a row's outputs, row MSE and deep
features do not depend on the number of threads, on how many rows are scored with it, or on how a
caller cuts the rows, as long as each part starts at a multiple of SCORE_BLOCK (the server's threads
and the Dask workers' ranges do). Rows are scored in blocks aligned to their row numbers, each block
as a full SCORE_BLOCK-row matrix (the last one padded), with single-threaded BLAS.

Not guaranteed: the same outputs for a row at another position within its block (OpenBLAS's Haswell
kernel, for one, rounds some rows differently there), nor across BLAS kernels; those agree within
float32 rounding. Every claim marked blas_determinism is rerun under each OpenBLAS kernel this CPU
runs (test_blas_kernels.py)."""
from __future__ import annotations

import numpy as np
import pytest

from h2o_backend.engine import activations as act
from h2o_backend.engine.batch_sgd import SCORE_BLOCK, aligned_cuts, forward
from h2o_backend.engine.model_info import ModelInfo
from h2o_backend.engine.sgd import ScoringStopped

N_ROWS = 20 * SCORE_BLOCK + 37        # a last block that is not full


def _autoencoder():
    mi = ModelInfo.create([24, 64, 32, 24], act.ACT_TANH, act.output_activation("AutoEncoder", act.ACT_TANH),
                          optimizer="adadelta", seed=1, distribution="Normal", scale=0.3)
    return mi, np.array([0.1, 0.2, 0.0, 0.0], np.float32)


def _classifier():
    mi = ModelInfo.create([300, 50, 10], act.ACT_RECTIFIER, act.ACT_SOFTMAX, optimizer="adadelta",
                          classifier=True, seed=2)
    return mi, np.array([0.2, 0.0, 0.0], np.float32)


NETS = {"autoencoder": _autoencoder, "classifier": _classifier}


def _rows(n_in: int, n: int = N_ROWS) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(n, n_in)).astype(np.float32)


def _score(mi, X, ratios, **kw):
    return forward(mi, X, ratios, row_mse=mi.units[0] == mi.units[-1], hidden_layer=1, **kw)


def _assert_same(got, want):
    for a, b in zip(got, want):                 # outputs, row MSEs, deep features
        if b is None:
            assert a is None
        else:
            np.testing.assert_array_equal(a, b)


@pytest.mark.blas_determinism
@pytest.mark.parametrize("net", list(NETS))
def test_the_number_of_threads_does_not_change_a_bit(net):
    mi, ratios = NETS[net]()
    X = _rows(mi.units[0])
    _assert_same(_score(mi, X, ratios, n_threads=2), _score(mi, X, ratios, n_threads=1))


@pytest.mark.blas_determinism
@pytest.mark.parametrize("net", list(NETS))
def test_parts_cut_at_block_boundaries_score_as_the_whole(net):
    """Every cut the cluster makes (aligned_cuts), scored separately and put back together, and the
    last partial block alone: bit for bit the whole frame's."""
    mi, ratios = NETS[net]()
    X = _rows(mi.units[0])
    whole = _score(mi, X, ratios, n_threads=1)
    for parts in (2, 3, 7):
        cut = aligned_cuts(X.shape[0], parts)
        assert all(c % SCORE_BLOCK == 0 for c in cut[:-1]) and cut[-1] == X.shape[0]
        pieces = [_score(mi, X[lo:hi], ratios, n_threads=2) for lo, hi in zip(cut, cut[1:]) if hi > lo]
        _assert_same([np.concatenate(p) for p in zip(*pieces) if p[0] is not None],
                     [w for w in whole if w is not None])
    last = (X.shape[0] // SCORE_BLOCK) * SCORE_BLOCK
    _assert_same(_score(mi, X[last:], ratios), [w[last:] if w is not None else None for w in whole])
    _assert_same(_score(mi, X[:1], ratios), [w[:1] if w is not None else None for w in whole])


@pytest.mark.parametrize("net", list(NETS))
def test_a_row_at_another_position_agrees_within_float32_rounding(net):
    """Shifting every row by one position within its block is not covered by the guarantee: the
    outputs agree to float32 rounding (bit-equal on some BLAS kernels, not on others)."""
    mi, ratios = NETS[net]()
    X = _rows(mi.units[0])
    whole = _score(mi, X, ratios)
    shifted = _score(mi, X[1:], ratios)
    for a, b in zip(shifted, whole):
        if b is not None:
            np.testing.assert_allclose(a, b[1:], rtol=2e-5, atol=1e-6)


def test_aligned_cuts_are_block_multiples_as_equal_as_blocks_allow():
    B = SCORE_BLOCK
    assert aligned_cuts(10 * B, 2) == [0, 5 * B, 10 * B]
    assert aligned_cuts(10 * B + 1, 2) == [0, 5 * B, 10 * B + 1]          # 11 blocks: 5 and 6
    assert aligned_cuts(1, 2) == [0, 0, 1]                                 # one block: one part
    assert aligned_cuts(0, 3) == [0, 0, 0, 0]


def test_a_stop_request_ends_scoring_between_blocks():
    mi, ratios = _autoencoder()
    X = _rows(mi.units[0])
    asked = []
    with pytest.raises(ScoringStopped):
        forward(mi, X, ratios, n_threads=2, stop=lambda seconds_left: asked.append(seconds_left) or True)
    assert asked and asked[0] > 0
    empty = forward(mi, X[:0], ratios)
    assert empty[0].shape == (0, mi.units[-1])
