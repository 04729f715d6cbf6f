"""Variable importances by Gedeon's method (1997), as H2O computes them for deep learning
(legacy_h2o.md §3.3 item 16; H2O ``DeepLearningModelInfo.computeVariableImportances``).

Only the first two weight matrices are used: W1 (input -> first hidden layer) and W2 (first hidden
layer -> the next layer, the output layer when there is one hidden layer):

    Q_ik = sum_j (|w1_ji| / sum_i' |w1_ji'|) * (|w2_kj| / sum_j' |w2_kj'|)

each column k of Q is normalised to sum 1, VI_i = sum_k Q_ik, and the importances are divided by
their maximum (the top variable gets 1). A network without hidden layers (one weight matrix W
[n_out, n_in]) uses, as H2O-3, VI_i = sum_k |w_ki|, divided by its maximum. As in H2O-3's table, ``relative`` is that value,
``scaled`` = relative / max (the same here) and ``percentage`` = relative / sum.
"""
from __future__ import annotations

import numpy as np


def _row_normalised(w: np.ndarray) -> np.ndarray:
    a = np.abs(np.asarray(w, dtype=np.float64))
    s = a.sum(axis=1, keepdims=True)
    return np.divide(a, s, out=np.zeros_like(a), where=s > 0)


def gedeon_raw(W1: np.ndarray, W2: np.ndarray) -> np.ndarray:
    """Importance of every input (length n_in), the largest equal to 1 (all 0 if undefined).

    ``W1`` is [h1, n_in] (rows: units of the first hidden layer), ``W2`` is [h2, h1].
    """
    W1, W2 = np.asarray(W1), np.asarray(W2)
    if W1.ndim != 2 or W2.ndim != 2 or W2.shape[1] != W1.shape[0]:
        raise ValueError(f"weights must be W1 [h1, n_in] and W2 [h2, h1], got {W1.shape} and {W2.shape}")
    q = _row_normalised(W1).T @ _row_normalised(W2).T      # [n_in, h2]
    col = q.sum(axis=0, keepdims=True)
    q = np.divide(q, col, out=np.zeros_like(q), where=col > 0)
    vi = q.sum(axis=1)
    top = vi.max() if vi.size else 0.0
    return vi / top if top > 0 else np.zeros_like(vi)


def direct_raw(W: np.ndarray) -> np.ndarray:
    """Importance of every input of a network without hidden layers (``W`` [n_out, n_in]): the sum
    of its absolute outgoing weights, the largest equal to 1 (all 0 if undefined)."""
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2:
        raise ValueError(f"weights must be W [n_out, n_in], got {W.shape}")
    vi = np.abs(W).sum(axis=0)
    top = vi.max() if vi.size else 0.0
    return vi / top if top > 0 else np.zeros_like(vi)


def gedeon_importances(W1: np.ndarray, W2: np.ndarray, names: list[str]) -> list[tuple[str, float, float, float]]:
    """(name, relative, scaled, percentage) per input, sorted by decreasing importance (ties keep
    the input order)."""
    return _rows(gedeon_raw(W1, W2), names)


def direct_importances(W: np.ndarray, names: list[str]) -> list[tuple[str, float, float, float]]:
    """As gedeon_importances, for a network without hidden layers (see direct_raw)."""
    return _rows(direct_raw(W), names)


def _rows(vi: np.ndarray, names: list[str]) -> list[tuple[str, float, float, float]]:
    if len(names) != vi.size:
        raise ValueError(f"{len(names)} names for {vi.size} inputs")
    total = float(vi.sum())
    top = float(vi.max()) if vi.size else 0.0
    order = np.argsort(-vi, kind="stable")
    return [(str(names[i]), float(vi[i]), float(vi[i] / top) if top > 0 else 0.0,
             float(vi[i] / total) if total > 0 else 0.0) for i in order]
