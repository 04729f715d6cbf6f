"""Gedeon variable importances: a hand-computed case, a loop reference, ordering and edge cases."""
from __future__ import annotations

import numpy as np
import pytest

from h2o_backend.engine.metrics.varimp import gedeon_importances, gedeon_raw


def reference(W1, W2):
    """Straight from the formula: Q_ik = sum_j (|w1_ij|/sum_i'|w1_i'j|) (|w2_jk|/sum_j'|w2_j'k|)."""
    n_in, h1, h2 = W1.shape[1], W1.shape[0], W2.shape[0]
    Q = np.zeros((n_in, h2))
    for i in range(n_in):
        for k in range(h2):
            for j in range(h1):
                a = abs(W1[j, i]) / np.abs(W1[j, :]).sum()
                b = abs(W2[k, j]) / np.abs(W2[k, :]).sum()
                Q[i, k] += a * b
    Q /= Q.sum(axis=0, keepdims=True)
    vi = Q.sum(axis=1)
    return vi / vi.max()


def test_hand_computed_case():
    W1 = np.array([[1.0, 1.0, 2.0], [0.0, -3.0, 1.0]])
    W2 = np.array([[1.0, -3.0]])
    rows = gedeon_importances(W1, W2, ["x0", "x1", "x2"])
    assert [r[0] for r in rows] == ["x1", "x2", "x0"]
    np.testing.assert_allclose([r[1] for r in rows], [1.0, 0.5, 0.1])
    np.testing.assert_allclose([r[2] for r in rows], [1.0, 0.5, 0.1])
    np.testing.assert_allclose([r[3] for r in rows], [0.625, 0.3125, 0.0625])


@pytest.mark.parametrize("seed", [0, 1])
def test_matches_the_formula(seed):
    rng = np.random.default_rng(seed)
    W1, W2 = rng.normal(size=(7, 5)), rng.normal(size=(4, 7))
    np.testing.assert_allclose(gedeon_raw(W1, W2), reference(W1, W2), rtol=1e-12)
    rows = gedeon_importances(W1.astype(np.float32), W2.astype(np.float32), [f"c{i}" for i in range(5)])
    rel = [r[1] for r in rows]
    assert rel == sorted(rel, reverse=True) and rel[0] == pytest.approx(1.0)
    assert sum(r[3] for r in rows) == pytest.approx(1.0)


def test_unused_input_and_ties():
    W1 = np.array([[1.0, 1.0, 0.0], [2.0, 2.0, 0.0]])
    W2 = np.array([[1.0, 1.0], [0.5, 0.0]])
    rows = gedeon_importances(W1, W2, ["a", "b", "dead"])
    assert [r[0] for r in rows] == ["a", "b", "dead"]          # ties keep the input order
    assert rows[0][1] == rows[1][1] == 1.0 and rows[2][1:] == (0.0, 0.0, 0.0)


def test_shapes_are_checked():
    with pytest.raises(ValueError, match="W1"):
        gedeon_importances(np.ones((3, 4)), np.ones((2, 5)), list("abcd"))
    with pytest.raises(ValueError, match="names"):
        gedeon_importances(np.ones((3, 4)), np.ones((2, 3)), list("abc"))
