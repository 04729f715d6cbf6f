"""Predictions on the Dask cluster: ``forward`` has batch_sgd.forward's signature and results, and
scores the rows on the workers (the server passes it to the model for frames of at least
``--dask-predict-min-rows`` rows).

The prepared rows are cut into one contiguous range per worker, in the workers' address order (the
rank order of training); each range and the model are sent straight to their worker, scored there
by tasks.score_rows with the worker's threads, and the outputs are put back in row order. Each range
starts at a multiple of batch_sgd.SCORE_BLOCK, so its rows are scored in the same blocks as on the
server (batch_sgd's scoring section): the outputs are the server's own, bit for bit, as long as the
workers' BLAS computes as the server's does (the same library and kernel: on another kind of CPU the
last bits may differ).

Faults: a range whose worker cannot be reached, leaves the cluster, fails its task or does not hand
its outputs back is scored on the server instead, with a warning in the server log; the prediction
still succeeds.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from h2o_backend.cluster import tasks
from h2o_backend.engine import batch_sgd
from h2o_backend.engine.sgd import ScoringStopped

log = logging.getLogger(__name__)

POLL_SECONDS = 0.1        # a stop request is read this often while the workers score
ALIVE_SECONDS = 1.0       # ... and the scheduler asked which workers are alive this often
SEND_TIMEOUT = 30         # seconds to reach a worker with its rows
RESULT_TIMEOUT = 5        # seconds to fetch a range's outputs before checking that its worker is still there


def forward(cluster, mi, X: np.ndarray, drop_ratios: np.ndarray, *, row_mse: bool = False,
            hidden_layer: int = 0, n_threads: int | None = None, stop=None):
    """batch_sgd.forward's (outputs, row MSEs or None, deep features or None) of ``X``, its rows
    scored on ``cluster``'s workers (module doc). ``n_threads``: the server's threads for rows
    scored here after a fault; ``stop(seconds_left)`` is asked between polls (seconds_left: the
    slowest pending range's pessimistic estimate less the time spent), a true answer cancels the
    workers' tasks and raises ScoringStopped."""
    X = np.ascontiguousarray(X, np.float32)
    ratios = np.asarray(drop_ratios, np.float32)

    def local(rows):
        return batch_sgd.forward(mi, rows, ratios, row_mse=row_mse, hidden_layer=hidden_layer,
                                 n_threads=n_threads, stop=stop)

    try:
        workers, threads = cluster.worker_addresses(), cluster.worker_threads()
    except Exception as exc:  # noqa: BLE001 - the scheduler is gone: score here
        log.warning("the Dask scheduler did not answer (%s); scoring %d rows on the server", exc, X.shape[0])
        return local(X)
    if not workers or X.shape[0] == 0:
        if not workers:
            log.warning("the Dask cluster has no workers; scoring %d rows on the server", X.shape[0])
        return local(X)
    ranges = split_rows(X.shape[0], workers)
    started = time.perf_counter()
    job = _Scoring(cluster, mi, ratios, row_mse, hidden_layer, ranges, threads)
    try:
        job.send(X)
        job.collect(stop)
    finally:
        job.release()
    out = _Outputs(mi, X.shape[0], row_mse, hidden_layer)
    for w, result in job.results.items():
        out.put(*ranges[w], result)
    for w, why in job.failed.items():
        lo, hi = ranges[w]
        log.warning("Dask worker %s %s while scoring rows %d to %d of a prediction; scoring them on "
                    "the server", w, why, lo, hi - 1)
        out.put(lo, hi, local(X[lo:hi]))
    log.info("%d rows scored on %d Dask worker(s) in %.2f s (%s)", X.shape[0], len(job.results),
             time.perf_counter() - started,
             ", ".join(f"{w}: {hi - lo} rows" for w, (lo, hi) in ranges.items() if w in job.results) or "none")
    return out.out, out.mse, out.feats


def split_rows(n: int, workers: list[str]) -> dict[str, tuple[int, int]]:
    """One contiguous range [lo, hi) of ``n`` rows per worker, in the given order, as equal as whole
    scoring blocks allow (each starts at a multiple of batch_sgd.SCORE_BLOCK); workers left without
    rows (fewer blocks than workers) are left out."""
    cut = batch_sgd.aligned_cuts(n, len(workers))
    return {w: (cut[i], cut[i + 1]) for i, w in enumerate(workers) if cut[i + 1] > cut[i]}


class _Outputs:
    """The arrays batch_sgd.forward returns for ``n`` rows, filled range by range."""

    def __init__(self, mi, n: int, row_mse: bool, hidden_layer: int):
        self.out, self.mse, self.feats = batch_sgd.forward_outputs(mi, n, row_mse, hidden_layer)

    def put(self, lo: int, hi: int, result) -> None:
        out, mse, feats = result
        self.out[lo:hi] = out
        if self.mse is not None:
            self.mse[lo:hi] = mse
        if self.feats is not None:
            self.feats[lo:hi] = feats


class _Scoring:
    """The workers' tasks of one distributed scoring: ``results`` and ``failed`` ({worker: why})."""

    def __init__(self, cluster, mi, ratios, row_mse, hidden_layer, ranges, threads):
        self.cluster, self.client, self.mi = cluster, cluster.client, mi
        self.ratios, self.row_mse, self.hidden_layer = ratios, row_mse, hidden_layer
        self.ranges, self.threads = ranges, threads
        self.futures: dict[str, object] = {}
        self.held: list = []                 # every future of this scoring, released at the end
        self.results: dict[str, tuple] = {}
        self.failed: dict[str, str] = {}

    def send(self, X: np.ndarray) -> None:
        """Each worker's rows and the model straight to it (all at once), then its task."""
        def one(w):
            lo, hi = self.ranges[w]
            try:
                model, rows = self.client.scatter([self.mi, X[lo:hi]], workers=[w], direct=True, hash=False,
                                                  timeout=SEND_TIMEOUT)
                self.held.extend([model, rows])
                fut = self.client.submit(tasks.score_rows, model, self.ratios, rows, self.threads.get(w, 1),
                                         self.row_mse, self.hidden_layer, workers=[w], allow_other_workers=False,
                                         pure=False, key=f"h2o-score-{uuid.uuid4().hex}")
                self.held.append(fut)
                return fut
            except Exception as exc:  # noqa: BLE001 - any failure to reach it: its rows are scored here
                self.failed[w] = f"could not be reached ({type(exc).__name__}: {exc})"
                return None
        with ThreadPoolExecutor(len(self.ranges), thread_name_prefix="h2o-dask-score") as pool:
            sent = dict(zip(self.ranges, pool.map(one, self.ranges)))
        self.futures = {w: f for w, f in sent.items() if f is not None}

    def collect(self, stop) -> None:
        pending = dict(self.futures)
        changed = threading.Event()
        for fut in pending.values():
            fut.add_done_callback(lambda _f: changed.set())
        alive, asked, started = set(pending), time.monotonic(), time.monotonic()
        while pending:
            changed.wait(POLL_SECONDS)
            changed.clear()
            if stop is not None and stop(self._seconds_left(pending, time.monotonic() - started)):
                raise ScoringStopped()
            if time.monotonic() - asked >= ALIVE_SECONDS:
                alive, asked = self._alive(), time.monotonic()
            for w, fut in list(pending.items()):
                if self._settle(w, fut, alive):
                    del pending[w]

    def _settle(self, w: str, fut, alive: set) -> bool:
        """Whether ``w``'s task is over (its outputs in ``results`` or its reason in ``failed``)."""
        status = fut.status
        if status == "finished":
            try:     # the worker may die between finishing and handing the outputs over
                self.results[w] = fut.result(timeout=RESULT_TIMEOUT)
            except TimeoutError:
                if w in self._alive():
                    return False
                self.failed[w] = "left the cluster"
            except Exception as exc:  # noqa: BLE001 - a lost result
                self.failed[w] = f"did not hand its outputs over ({type(exc).__name__}: {exc})"
        elif status == "error":
            self.failed[w] = f"failed ({_exception_text(fut)})"
        elif status in ("cancelled", "lost"):
            self.failed[w] = f"lost its task ({status})"
        elif w not in alive:
            self.failed[w] = "left the cluster"
        else:
            return False
        return True

    def _alive(self) -> set:
        try:
            return set(self.cluster.worker_addresses())
        except Exception:  # noqa: BLE001 - the scheduler is gone: so are the tasks
            return set()

    def _seconds_left(self, pending: dict, spent: float) -> float:
        worst = max(batch_sgd.first_slice_estimate(self.ranges[w][1] - self.ranges[w][0], int(self.mi.w.size),
                                                   self.threads.get(w, 1)) for w in pending)
        return max(0.0, worst - spent)

    def release(self) -> None:
        """Cancel what is left of this scoring's tasks and free the rows and models on the workers."""
        if not self.held:
            return
        try:
            self.client.cancel(self.held)
        except Exception:  # noqa: BLE001 - the cluster may be gone; nothing left to free
            log.debug("releasing a distributed scoring's futures failed", exc_info=True)


def _exception_text(fut) -> str:
    try:
        exc = fut.exception(timeout=RESULT_TIMEOUT)
    except Exception as err:  # noqa: BLE001
        exc = err
    return f"{type(exc).__name__}: {exc}"
