"""The one dropout random stream of both training paths: counter-based 16-bit draws.

The draw of unit ``j`` of sample ``s`` (the model's sample count when the sample is trained) is a
hash of (key, s, j), so masks depend neither on threads, batch boundaries, chunking nor the path
(per-sample or mini-batch): a batch of one row gets the per-sample path's masks. The input layer
has its own key; every hidden layer of a sample uses the hidden key's draws (H2O seeds each hidden
layer's dropout generator with the same row seed), so unit ``j`` of each hidden layer is kept
when its draw is at least that layer's threshold ``round(ratio * 65536)``.
"""
from __future__ import annotations

import numpy as np
from numba import njit

_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31, _S48 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(48)
STREAM_INPUT, STREAM_HIDDEN = 1, 2


@njit(cache=True, _nrt=False)
def _mix(x):
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


@njit(cache=True, _nrt=False)
def draw16(key, sample, j):
    """The 16-bit uniform draw (0..65535) of unit ``j`` of sample ``sample`` under ``key``."""
    return _mix(key ^ _mix(np.uint64(sample) * _GOLD + np.uint64(j))) >> _S48


@njit(cache=True, _nrt=False)
def fill_mask(k, n, key, sample, thr):
    """k[j] = 1 when unit j's draw is at least ``thr`` (kept), else 0, for j < n."""
    t = np.uint64(thr)
    for j in range(n):
        k[j] = np.float32(1.0) if draw16(key, sample, j) >= t else np.float32(0.0)


def drop_threshold(ratio: float) -> int:
    """16-bit threshold for a dropout ratio (0 keeps everything)."""
    return int(round(min(max(ratio, 0.0), 1.0) * 65536))


def splitmix64(x: int) -> int:
    """Seed scrambler (Python side): distinct, well-mixed non-zero values from small integers."""
    x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    x ^= x >> 31
    return x or 0x2545F4914F6CDD1D


def dropout_keys(seed: int) -> tuple[np.uint64, np.uint64]:
    """(input key, hidden key) of the model seed."""
    base = splitmix64(int(seed) & 0xFFFFFFFFFFFFFFFF)
    return np.uint64(splitmix64(base ^ STREAM_INPUT)), np.uint64(splitmix64(base ^ STREAM_HIDDEN))
