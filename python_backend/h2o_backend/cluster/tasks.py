"""What runs on a Dask worker: train a copy of the global model on the worker's rows, or score a
range of a prediction's rows (``score_rows``, see scoring.py).

``train_copy`` is H2O's per-node map step: the copy trains for its share of the iteration's samples
on the worker's local shard (HOGWILD! over the worker's threads, one thread when reproducible; or,
with ``batch`` > 1, the mini-batch path in whole batches), in shuffled passes over the local rows,
one compiled call per chunk; between chunks it reads the
job's stop flag so that a cancel stops the workers within about half a second. The
flag is local: a watcher thread waits on the job's Dask event (a long poll that returns as soon as
the event is set, renewed every WATCH_SECONDS; a request per chunk cost a fifth of the training
speed on a loaded machine, and renewing it every 0.2 s kept the scheduler busy for nothing).
"""
from __future__ import annotations

import threading
import time

import numpy as np

CHUNK_SECONDS = 0.25
WATCH_SECONDS = 1.0
REPRODUCIBLE_CHUNK = 2000


def train_copy(mi, cfg, shard, n_samples: int, n_threads: int, seed: int, stop_event: str | None,
               reproducible: bool, batch: int = 1, centre=None, elastic_reg: float = 0.0):
    """(trained copy, compute seconds) for ``n_samples`` samples of ``shard`` = (X, y_cls, y_reg,
    weights, offsets) (weights / offsets float32 or None; session._shard), per sample or
    (``batch`` > 1) in mini-batches of ``batch`` rows; ``cfg`` carries the family and huber's
    current delta. ``centre``: elastic averaging's centre, which the copy is pulled towards with
    strength ``elastic_reg`` after every chunk (elastic.py)."""
    from h2o_backend.cluster import elastic
    from h2o_backend.engine.batch_sgd import BatchRunner
    from h2o_backend.engine.sgd import SGDRunner
    X, y_cls, y_reg, weights, offsets = shard
    local = mi.copy()
    started = time.perf_counter()
    if n_samples <= 0 or X.shape[0] == 0:
        return local, 0.0
    runner = (BatchRunner(local, cfg, n_threads, batch, hogwild=not reproducible) if batch > 1
              else SGDRunner(local, cfg, n_threads))
    rng = np.random.default_rng(int(seed) & 0xFFFFFFFFFFFFFFFF)
    stop = _StopWatcher(stop_event)
    perm, pos, left = rng.permutation(X.shape[0]), 0, int(n_samples)
    whole = max(1, int(batch))          # chunks of whole batches
    chunk = _whole(REPRODUCIBLE_CHUNK if reproducible else 128 * n_threads, whole)
    while left > 0:
        if pos >= perm.size:
            perm, pos = rng.permutation(X.shape[0]), 0
        rows = perm[pos:pos + min(chunk, left)]
        t = time.perf_counter()
        runner.run(rows, X, y_cls, y_reg, weights=weights, offsets=offsets)
        if centre is not None:
            elastic.pull(local, centre, elastic_reg, rows.size, cfg)
        elapsed = time.perf_counter() - t
        pos += rows.size
        left -= rows.size
        if not reproducible and elapsed > 0:
            chunk = _whole(int(min(max(rows.size / elapsed * CHUNK_SECONDS, 64 * n_threads), 200_000)), whole)
        if left > 0 and stop.requested.is_set():
            break
    stop.close()
    return local, time.perf_counter() - started


def score_rows(mi, drop_ratios, X, n_threads: int, row_mse: bool = False, hidden_layer: int = 0):
    """batch_sgd.forward of the rows ``X`` with the worker's ``n_threads`` threads: (outputs, row
    MSEs or None, deep features or None), the same numbers as any other split of the rows."""
    from h2o_backend.engine.batch_sgd import forward
    return forward(mi, X, drop_ratios, row_mse=row_mse, hidden_layer=hidden_layer, n_threads=n_threads)


def _whole(rows: int, batch: int) -> int:
    return max(1, rows // batch) * batch


class _StopWatcher:
    """Sets ``requested`` when the Dask event ``name`` is set (polled by a daemon thread)."""

    def __init__(self, name: str | None):
        self.requested, self._done = threading.Event(), threading.Event()
        if name:
            from distributed import Event, get_client
            event = Event(name, client=get_client())
            threading.Thread(target=self._watch, args=(event,), name="h2o-stop-watch", daemon=True).start()

    def _watch(self, event) -> None:
        while not self._done.is_set():
            try:
                if event.wait(timeout=WATCH_SECONDS):
                    self.requested.set()
                    return
            except Exception:  # the cluster is closing: nothing left to stop
                return

    def close(self) -> None:
        self._done.set()


PROFILER_CALLBACKS = ("profile", "profile-cycle")


def pause_profiler(dask_worker) -> bool:
    """Stop the worker's Dask statistical profiler for a training (run by ``Client.run`` on the
    worker's event loop): it samples every thread 100 times a second, 6-9 % of a training worker's
    CPU. Counted, so that overlapping trainings resume it only when the last one ends. Returns
    whether it was running (False on workers started without it, as the local cluster's)."""
    running = [pc for name, pc in dask_worker.periodic_callbacks.items()
               if name in PROFILER_CALLBACKS and pc.is_running()]
    paused = getattr(dask_worker, "_h2o_profiler_paused", None)
    if paused is None and not running:
        return False
    if paused is None:
        dask_worker._h2o_profiler_paused = paused = {"trainings": 0}
        for pc in running:
            pc.stop()
    paused["trainings"] += 1
    return True


def resume_profiler(dask_worker) -> bool:
    """Undo one ``pause_profiler``; the profiler runs again after the last training's resume."""
    paused = getattr(dask_worker, "_h2o_profiler_paused", None)
    if paused is None:
        return False
    paused["trainings"] -= 1
    if paused["trainings"] <= 0:
        del dask_worker._h2o_profiler_paused
        for name, pc in dask_worker.periodic_callbacks.items():
            if name in PROFILER_CALLBACKS:
                pc.start()
    return True


def warm_up() -> float:
    """Load the numba kernels on a worker (run once per worker at start)."""
    from h2o_backend.engine.sgd import warm_up as engine_warm_up
    return engine_warm_up()
