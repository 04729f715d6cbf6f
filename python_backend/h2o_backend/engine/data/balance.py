"""balance_classes: resample the training rows per class, and correct probabilities back
(legacy_h2o.md §3.3 items 17 and 21; H2O ``MRUtils.sampleFrameStratified``).

Default factors make every class as frequent as the majority class; ``class_sampling_factors``
(domain order) override them. A factor f keeps floor(f) copies of each row of its class plus one
more with probability f - floor(f). If the result would exceed ``max_after_balance_size`` times
the original row count, all factors are scaled down to fit. A class that would vanish makes the
sampling retry (up to 10 times). The model's class distribution (after sampling) and the prior
(before) correct predicted probabilities: ``p_c * prior_c / model_c``, renormalised.
"""
from __future__ import annotations

import numpy as np


def class_distribution(y: np.ndarray, n_classes: int) -> np.ndarray:
    """Relative class frequencies of class codes ``y`` (codes < 0 ignored)."""
    counts = np.bincount(y[y >= 0], minlength=n_classes).astype(np.float64)
    total = counts.sum()
    return counts / total if total > 0 else counts


def sampling_factors(y: np.ndarray, n_classes: int, factors=None, max_after_balance_size: float = 5.0):
    """Per-class sampling factors after the size cap."""
    counts = np.bincount(y[y >= 0], minlength=n_classes).astype(np.float64)
    n = counts.sum()
    if factors is not None:
        f = np.asarray(factors, dtype=np.float64)
        if f.size != n_classes:
            raise ValueError(f"class_sampling_factors must have {n_classes} elements")
    else:
        with np.errstate(divide="ignore"):
            f = np.where(counts > 0, (n / n_classes) / np.maximum(counts, 1), 0.0)
        present = f[counts > 0]
        f = f / present.min() if present.size else f
    expected = float((f * counts).sum())
    cap = max_after_balance_size * n
    if expected > cap > 0:
        f = f * (cap / expected)
    return f


def balance_rows(y: np.ndarray, n_classes: int, seed: int, factors=None,
                 max_after_balance_size: float = 5.0) -> np.ndarray:
    """Indices of the resampled training rows (rows with a missing class are dropped)."""
    f = sampling_factors(y, n_classes, factors, max_after_balance_size)
    rows = np.flatnonzero(y >= 0)
    present = np.unique(y[rows])
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFFFFFFFFFF, 0xBA1A])
    for _ in range(10):
        fr = f[y[rows]]
        whole = np.floor(fr).astype(np.int64)
        extra = rng.random(rows.size) < (fr - whole)
        out = np.repeat(rows, whole + extra.astype(np.int64))
        if np.array_equal(np.unique(y[out]), present[f[present] > 0]):
            break
    return np.sort(out)


def correct_probabilities(probs: np.ndarray, prior: np.ndarray, model: np.ndarray) -> np.ndarray:
    """Undo the class resampling in predicted probabilities [n, K]."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(model > 0, prior / model, 0.0)
    out = probs * ratio[None, :]
    s = out.sum(axis=1, keepdims=True)
    return np.where(s > 0, out / np.where(s > 0, s, 1), probs)
