"""A small per-thread random number generator for the kernels (xorshift64*).

Each training thread owns one uint64 state, ``state[t * STRIDE]`` (a cache line apart, so threads
never write the same line); Python seeds the states per chunk from the model seed, so a run with
one thread is reproducible. Dropout draws use 16 bits at a time:
four keep/drop decisions per 64-bit number, with a drop threshold of ``round(ratio * 65536)``.
"""
from __future__ import annotations

import numpy as np
from numba import njit

_S12, _S25, _S27 = np.uint64(12), np.uint64(25), np.uint64(27)
_MUL = np.uint64(2685821657736338717)
_S16, _MASK16 = np.uint64(16), np.uint64(0xFFFF)
_S40 = np.uint64(40)
_INV24 = np.float32(1.0 / 16777216.0)
STRIDE = 8


@njit(cache=True, _nrt=False)
def next_u64(state, t):
    """Advance thread ``t``'s state and return the next 64-bit number."""
    i = t * STRIDE
    x = state[i]
    x ^= x >> _S12
    x ^= x << _S25
    x ^= x >> _S27
    state[i] = x
    return x * _MUL


@njit(cache=True, _nrt=False)
def uniform01(state, t):
    """A float32 in [0, 1) from the top 24 bits."""
    return np.float32(next_u64(state, t) >> _S40) * _INV24


@njit(cache=True, _nrt=False)
def fill_keep_mask(keep, n, drop_threshold, state, t):
    """keep[i] = 1 with probability 1 - threshold/65536, else 0, for i < n (16 bits per draw)."""
    thr = np.uint64(drop_threshold)
    r = np.uint64(0)
    for i in range(n):
        if i & 3 == 0:
            r = next_u64(state, t)
        else:
            r = r >> _S16
        keep[i] = np.float32(1.0) if (r & _MASK16) >= thr else np.float32(0.0)


@njit(cache=True, _nrt=False)
def fill_uniform16(u, n, state, t):
    """u[i] = a uniform integer in [0, 65536) as float32, for i < n (16 bits per draw)."""
    r = np.uint64(0)
    for i in range(n):
        if i & 3 == 0:
            r = next_u64(state, t)
        else:
            r = r >> _S16
        u[i] = np.float32(r & _MASK16)


def drop_threshold(ratio: float) -> int:
    """16-bit threshold for a dropout ratio (0 keeps everything)."""
    return int(round(min(max(ratio, 0.0), 1.0) * 65536))


def splitmix64(x: int) -> int:
    """Seed scrambler (Python side): distinct, well-mixed non-zero states from small integers."""
    x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    x ^= x >> 31
    return x or 0x2545F4914F6CDD1D


def thread_states(seed: int, stream: int, n_threads: int) -> np.ndarray:
    """Fresh uint64 RNG states for one chunk, one per thread, from (seed, stream, thread); the
    trainer uses the model's sample count at the chunk's start as the stream."""
    base = splitmix64(int(seed) & 0xFFFFFFFFFFFFFFFF)
    state = np.zeros(n_threads * STRIDE, dtype=np.uint64)
    for t in range(n_threads):
        state[t * STRIDE] = splitmix64(base ^ splitmix64((int(stream) * 1_000_003 + t) & 0xFFFFFFFFFFFFFFFF))
    return state
