"""What runs on a Dask worker: train a copy of the global model on the worker's rows.

``train_copy`` is H2O's per-node map step: the copy trains for its share of the iteration's samples
on the worker's local shard (HOGWILD! over the worker's threads, one thread when reproducible), in
shuffled passes over the local rows, one compiled call per chunk; between chunks it reads the
job's stop event so that a cancel stops the workers within a chunk (about a quarter second).
"""
from __future__ import annotations

import time

import numpy as np

CHUNK_SECONDS = 0.25
REPRODUCIBLE_CHUNK = 2000


def train_copy(mi, cfg, shard, n_samples: int, n_threads: int, seed: int, stop_event: str | None,
               reproducible: bool):
    """(trained copy, compute seconds) for ``n_samples`` samples of ``shard`` = (X, y_cls, y_reg)."""
    from h2o_backend.engine.sgd import SGDRunner
    X, y_cls, y_reg = shard
    local = mi.copy()
    started = time.perf_counter()
    if n_samples <= 0 or X.shape[0] == 0:
        return local, 0.0
    runner = SGDRunner(local, cfg, n_threads)
    rng = np.random.default_rng(int(seed) & 0xFFFFFFFFFFFFFFFF)
    event = _event(stop_event)
    perm, pos, left = rng.permutation(X.shape[0]), 0, int(n_samples)
    chunk = REPRODUCIBLE_CHUNK if reproducible else 128 * n_threads
    while left > 0:
        if pos >= perm.size:
            perm, pos = rng.permutation(X.shape[0]), 0
        rows = perm[pos:pos + min(chunk, left)]
        t = time.perf_counter()
        runner.run(rows, X, y_cls, y_reg)
        elapsed = time.perf_counter() - t
        pos += rows.size
        left -= rows.size
        if not reproducible and elapsed > 0:
            chunk = int(min(max(rows.size / elapsed * CHUNK_SECONDS, 64 * n_threads), 200_000))
        if event is not None and left > 0 and event.is_set():
            break
    return local, time.perf_counter() - started


def _event(name: str | None):
    if not name:
        return None
    from distributed import Event, get_client
    return Event(name, client=get_client())


def warm_up() -> float:
    """Load the numba kernels on a worker (run once per worker at start)."""
    from h2o_backend.engine.sgd import warm_up as engine_warm_up
    return engine_warm_up()
