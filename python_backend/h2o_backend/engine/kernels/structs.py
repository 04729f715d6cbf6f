"""The named structures the training kernels take (numba-typed namedtuples), shared by the
per-sample and the mini-batch path, so that every setting and array is passed by name.

Python builds each once per runner (unboxing is most of a kernel call's cost) with keyword
arguments only (``make_settings``, ``Dropout``, ``Rows``, ...); the kernels read fields by name.
A namedtuple's field types are part of the compiled signature: the builders fix them (float32
rho, int64 codes, ...), so a call never recompiles for a different Python number type.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

#: Scalar settings of a training run (both paths). float32: the per-weight rule's constants;
#: float64: the schedule's (rate(n), momentum(n)).
Settings = namedtuple("Settings", [
    "optimizer",          # int64 OPTIM_* code (layout.py)
    "nesterov",           # bool
    "fast_mode",          # bool
    "all_active",         # bool: update weights whose signal is 0 too (not fast_mode, not plain SGD)
    "rescale",            # bool: max_w2 finite (decided in Python: fastmath assumes no inf)
    "out_mode",           # int64 OUT_* (activations.py)
    "dist",               # int64 DIST_* (loss.py), regression only
    "rho", "eps", "l1", "l2", "max_w2",                          # float32
    "tweedie_power", "quantile_alpha", "huber_delta",            # float32
    "rate", "rate_annealing", "rate_decay",                      # float64
    "momentum_start", "momentum_stable", "momentum_ramp",        # float64
])

#: The dropout stream: keys of the input and hidden draws, and the 16-bit drop threshold of
#: every unit layer (input, hidden..., output 0) as int64.
Dropout = namedtuple("Dropout", ["key_in", "key_hid", "thr"])

#: A chunk's data: inputs X [n, n_in] float32, targets (int32 classes, float32 values), float32
#: per-row weights and offsets (all of length n).
Rows = namedtuple("Rows", ["X", "y_cls", "y_reg", "weights", "offsets"])

#: The per-sample path's model arrays (flat, layout.py's offsets): weights, biases, ADADELTA's
#: E[g2] / E[dx2] of weights and biases, momenta of weights and biases.
Flat = namedtuple("Flat", ["w", "b", "agw", "adw", "agb", "adb", "mw", "mb"])

#: The per-sample path's per-thread workspace [T, size] (workspace.py) and status per thread.
RowWork = namedtuple("RowWork", ["A", "Z", "G", "E", "KEEP", "NZ", "NNZ", "ACC", "SQ", "U", "status"])

#: The mini-batch path's per-layer arrays, each a tuple with one entry per weight layer: stored
#: weights W, biases b, the optimizer state of weights (EG, EDX: ADADELTA; MOM: momentum) and
#: biases (egb, edxb; mb), and int64/bool arrays act, unit_major, n_in.
Layers = namedtuple("Layers", ["W", "b", "EG", "EDX", "MOM", "egb", "edxb", "mb", "act", "unit_major", "n_in"])

#: The mini-batch path's work buffers, tuples per unit or weight layer of [buffer set, ...] arrays:
#: activations A, masks KEEP (per unit layer), pre-activations Z, signals G (per weight layer),
#: errors E (per unit layer), data gradients D, bias gradients per part db, the update's grad^2
#: column sums acc (per row block) and acc1 (their total).
BatchWork = namedtuple("BatchWork", ["A", "KEEP", "Z", "G", "E", "D", "db", "acc", "acc1"])


def make_settings(*, optimizer: int, nesterov: bool, fast_mode: bool, out_mode: int, dist: int, rho: float,
                  eps: float, l1: float, l2: float, max_w2: float, tweedie_power: float, quantile_alpha: float,
                  huber_delta: float, rate: float, rate_annealing: float, rate_decay: float,
                  momentum_start: float, momentum_stable: float, momentum_ramp: float,
                  plain_sgd: bool) -> Settings:
    """Settings with their kernel types (keywords only). ``plain_sgd``: SGD without momentum, L1
    or L2, for which updating zero-signal weights changes nothing (so they are skipped)."""
    f32 = np.float32
    return Settings(optimizer=np.int64(optimizer), nesterov=bool(nesterov), fast_mode=bool(fast_mode),
                    all_active=not (fast_mode or plain_sgd), rescale=bool(np.isfinite(max_w2)),
                    out_mode=np.int64(out_mode), dist=np.int64(dist), rho=f32(rho), eps=f32(eps), l1=f32(l1),
                    l2=f32(l2), max_w2=f32(max_w2), tweedie_power=f32(tweedie_power),
                    quantile_alpha=f32(quantile_alpha), huber_delta=f32(huber_delta), rate=float(rate),
                    rate_annealing=float(rate_annealing), rate_decay=float(rate_decay),
                    momentum_start=float(momentum_start), momentum_stable=float(momentum_stable),
                    momentum_ramp=float(momentum_ramp))


def make_rows(X, y_cls=None, y_reg=None, weights=None, offsets=None) -> Rows:
    """Rows with their kernel types: missing targets 0, weights 1, offsets 0."""
    X = np.ascontiguousarray(X, np.float32)
    n = X.shape[0]

    def col(v, dtype, fill):
        if v is None:
            return np.full(n, fill, dtype)
        v = np.ascontiguousarray(v, dtype)
        if v.shape != (n,):
            raise ValueError(f"expected one value per row of X ({n}), got shape {v.shape}")
        return v
    return Rows(X=X, y_cls=col(y_cls, np.int32, 0), y_reg=col(y_reg, np.float32, 0.0),
                weights=col(weights, np.float32, 1.0), offsets=col(offsets, np.float32, 0.0))


class RowsCache:
    """The Rows of the last call, rebuilt only when the caller passes other arrays (a training run
    passes the same ones every chunk, and building the defaults of a large frame costs time)."""

    def __init__(self):
        self._key, self._rows = None, None

    def get(self, X, y_cls=None, y_reg=None, weights=None, offsets=None) -> Rows:
        key = (X, y_cls, y_reg, weights, offsets)      # the objects themselves: kept alive, so ids stay unique
        if self._key is None or any(a is not b for a, b in zip(key, self._key)):
            self._rows, self._key = make_rows(X, y_cls, y_reg, weights, offsets), key
        return self._rows
