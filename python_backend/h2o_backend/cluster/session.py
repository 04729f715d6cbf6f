"""One training run on the Dask cluster: H2O's model-averaging iterations behind the engine's loop.

At start the prepared training rows (float32, after DataInfo.transform) are cut into one shard per
worker (shards.py) and scattered once, each to its worker's memory (to all workers at once). Each
iteration the current global model is sent to the workers (at once, straight to each), every worker trains a copy on its shard for its share of
the iteration's samples (tasks.train_copy), and the copies are averaged into the global model
(averaging.py) in the workers' rank order. The engine's loop then scores, checks early stopping
and keeps the best model exactly as on one node.

``train_samples_per_iteration`` has its multi-node meaning (engine/iterations.py
``resolve_train_samples_multi``); -2 is re-tuned after every iteration from the measured times so
that communication (iteration wall time minus the slowest worker's compute time) stays near
``target_ratio_comm_to_comp`` of the iteration.

Faults: a worker that leaves during training is dropped with a warning in the job and the model;
without replication its rows are dealt again to the remaining workers; with none left the job
fails naming the worker. A cancel sets a Dask event that the workers read between chunks.

Overheads kept off the workers' cores (on a machine where the server shares the cores with its
workers, everything the server or a worker does besides training slows the training): the workers'
Dask profiler is paused for the training (tasks.pause_profiler), and while the workers train the
server waits on their futures, asking the scheduler which workers are alive once a second only.
"""
from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from h2o_backend.cluster import averaging, shards, tasks
from h2o_backend.engine import iterations
from h2o_backend.engine.errors import ValidationError

log = logging.getLogger(__name__)

POLL_SECONDS = 0.1        # the job's cancel flag is read this often while the workers train
ALIVE_SECONDS = 1.0       # ... and the scheduler asked which workers are alive this often
SEND_TIMEOUT = 30         # seconds to reach a worker with the model
RESULT_TIMEOUT = 5        # seconds to fetch a finished copy before checking that its worker is still there
TARGET_RATIO_COMM_TO_COMP = 0.05   # H2O-3's default target_ratio_comm_to_comp (not a parameter here)


class WorkerLost(RuntimeError):
    """Every worker of a distributed training left the cluster."""


class DaskTrainingSession:
    def __init__(self, cluster, run):
        from distributed import Event
        self.cluster, self.client, self.run = cluster, cluster.client, run
        eff = run.model.params
        self.eff = eff
        self.reproducible = bool(eff.reproducible)
        self.workers = cluster.worker_addresses()
        if not self.workers:
            raise WorkerLost("the Dask cluster has no workers")
        self.n_nodes = len(self.workers)
        self.threads = cluster.worker_threads()
        self.event_name = f"h2o-stop-{uuid.uuid4().hex}"
        self.event = Event(self.event_name, client=self.client)
        self.shards: dict[str, object] = {}
        self.shard_rows: dict[str, int] = {}
        self.profiler_paused = self._on_workers(tasks.pause_profiler)
        self._scatter(self.workers)
        self.auto = eff.train_samples_per_iteration == -2 and not self.reproducible
        self.train_samples_per_iteration = iterations.resolve_train_samples_multi(
            eff.train_samples_per_iteration, run.n_rows, eff.epochs, self.n_nodes,
            replicate=bool(eff.replicate_training_data), single_node=bool(eff.single_node_mode),
            reproducible=self.reproducible, time_per_row_us=None)
        self.iteration_times: list[tuple[float, float]] = []    # (wall, slowest worker's compute) s
        self.averaging = averaging.mode_of(eff)
        self.eta = 0.0                                   # block momentum of the current iteration
        self.elastic_copies: dict[str, object] = {}      # elastic averaging: each worker's own copy

    # ------------------------------------------------------------------ data placement
    def _scatter(self, workers: list[str]) -> None:
        if getattr(self.run.data, "held_on_cluster", False):
            self._place_chunks(workers)
            return
        run, eff = self.run, self.eff
        data = run.data
        X, y_cls, y_reg, weights, offsets = data.X, run.y_cls, run.y_reg, run.weights, run.offsets
        parts = shards.assign_rows(data.rows, len(workers), replicate=bool(eff.replicate_training_data),
                                   single_node=bool(eff.single_node_mode),
                                   shuffle=bool(eff.shuffle_training_data),
                                   force_load_balance=bool(eff.force_load_balance), seed=eff.seed,
                                   row_bytes=4 * X.shape[1])
        self._check_memory(workers, parts, X.shape[1] + (weights is not None) + (offsets is not None))
        self.release_shards()
        started, sent = time.perf_counter(), 0
        idle = 0
        built: dict[int, tuple] = {}        # replicated rows: one shard object sent to every worker
        outgoing = {}
        for w, rows in zip(workers, parts):
            self.shard_rows[w] = int(rows.size)
            if rows.size == 0:
                idle += 1
                continue
            if id(rows) not in built:
                built[id(rows)] = _shard(X, y_cls, y_reg, rows, weights, offsets)
            outgoing[w] = built[id(rows)]
            sent += sum(a.nbytes for a in outgoing[w] if a is not None)
        self.shards, failed = self._send(outgoing)
        if failed:
            self.release_shards()
            raise WorkerLost(f"could not send the training rows to Dask worker {', '.join(failed)}")
        log.info("%s: %.0f MB of training rows scattered to %d Dask worker(s) in %.2f s", run.model.model_id,
                 sent / 2**20, len(workers) - idle, time.perf_counter() - started)
        if idle and not eff.single_node_mode:
            run.warn(f"{idle} node(s) (out of {len(workers)}) hold no training rows and do not contribute "
                     f"to model updates; consider replicate_training_data = TRUE, force_load_balance = TRUE "
                     f"or fewer nodes")

    def _place_chunks(self, workers: list[str]) -> None:
        """A cluster frame's rows, prepared by the workers from its chunks (frame_training.py)."""
        run = self.run
        self.release_shards()
        started = time.perf_counter()
        try:
            self.shards, self.shard_rows = run.data.place(workers, self.eff)
        except ValidationError:
            raise
        except Exception as exc:  # noqa: BLE001 - a worker lost while the shards are built
            raise WorkerLost(f"preparing the training rows on the Dask workers failed: {exc}") from exc
        log.info("%s: training rows prepared on %d Dask worker(s) from the frame's chunks in %.2f s",
                 run.model.model_id, len(self.shards), time.perf_counter() - started)
        idle = len(workers) - len(self.shards)
        if idle and not self.eff.single_node_mode:
            run.warn(f"{idle} node(s) (out of {len(workers)}) hold no chunk of the training frame and do not "
                     f"contribute to model updates; consider replicate_training_data = TRUE or "
                     f"force_load_balance = TRUE")

    def _check_memory(self, workers, parts, n_cols) -> None:
        shards.check_memory({w: rows.size for w, rows in zip(workers, parts)}, n_cols * 4 + 8,
                            self.cluster.memory_limits())

    def _send(self, items: dict) -> tuple[dict, list[str]]:
        """Scatter ``items[w]`` straight to each worker ``w``, to all at once: ({worker: future},
        [workers that could not be reached]). (Not the scheduler's broadcast: it retries a dead
        worker for minutes.)"""
        def one(w):
            try:
                return self.client.scatter(items[w], workers=[w], direct=True, hash=False, timeout=SEND_TIMEOUT)
            except (OSError, TimeoutError) as exc:
                log.warning("sending to Dask worker %s failed: %s", w, exc)
                return None
        if len(items) <= 1:
            sent = {w: one(w) for w in items}
        else:
            with ThreadPoolExecutor(len(items), thread_name_prefix="h2o-dask-send") as pool:
                sent = dict(zip(items, pool.map(one, items)))
        return {w: f for w, f in sent.items() if f is not None}, [w for w, f in sent.items() if f is None]

    def _on_workers(self, function) -> bool:
        """Run ``function(dask_worker)`` on every training worker; True when it returned True on any."""
        try:
            answers = self.client.run(function, workers=list(self.workers), on_error="return")
        except Exception:  # noqa: BLE001 - only an overhead at stake; never fail a training for it
            log.debug("running %s on the Dask workers failed", function.__name__, exc_info=True)
            return False
        return any(answer is True for answer in answers.values())

    def release_shards(self) -> None:
        futures = list(self.shards.values())
        self.shards.clear()
        if futures:
            self.client.cancel(futures)

    # ------------------------------------------------------------------ one iteration
    def run_iteration(self) -> None:
        run = self.run
        alive = set(self.cluster.worker_addresses())
        gone = [w for w in self.workers if w not in alive]
        if gone:
            self._drop(gone)
        total = min(self.train_samples_per_iteration, run.target - run.mi.processed)
        active = [w for w in self.workers if w in self.shards]
        shares = shards.split_samples(total, len(active))
        started = time.perf_counter()
        starts = self._starts(active)
        models, failed = self._send(starts)
        centres, failed_centre = self._send({w: run.mi for w in active}) if self._pulled() else ({}, [])
        failed = failed + [w for w in failed_centre if w not in failed]
        if failed:       # a worker left between the check and the broadcast
            self.client.cancel(list(models.values()) + list(centres.values()))
            alive = set(self.cluster.worker_addresses())
            if any(w in alive for w in failed):
                raise WorkerLost(f"could not send the model to Dask worker {', '.join(failed)}")
            self._drop(failed)
            self.run_iteration()
            return
        n_threads = 1 if self.reproducible else None
        futures = {}
        for rank, (w, share) in enumerate(zip(active, shares)):
            cfg = dataclasses.replace(run.cfg, seed=_worker_seed(self.eff.seed, run.iteration, self.workers.index(w)))
            futures[w] = self.client.submit(tasks.train_copy, models[w], cfg, self.shards[w], share,
                                            n_threads or self.threads.get(w, 1), cfg.seed, self.event_name,
                                            self.reproducible, run.batch, centres.get(w),
                                            float(self.eff.elastic_averaging_regularization), workers=[w],
                                            allow_other_workers=False, pure=False,
                                            key=f"h2o-train-{uuid.uuid4().hex}")
        run._progress(f"Training on {len(active)} Dask workers: iteration {run.iteration + 1}, "
                      f"epoch {run.mi.epoch_counter:.3f} of {self.eff.epochs:g}")
        results, lost = self._collect(futures)
        self.client.cancel(list(models.values()) + list(centres.values()))
        self._combine({w: results[w][0] for w in active if w in results}, starts)
        if run._stop_requested():
            run.cancelled = True
        if lost:
            self._drop(lost)
        wall = time.perf_counter() - started
        compute = max([results[w][1] for w in results] or [0.0])
        self.iteration_times.append((wall, compute))
        if self.auto and compute > 0:
            self._retune(wall, compute, sum(shares))
        if not np.isfinite(run.mi.b).all() or run.mi.unstable:
            from h2o_backend.engine.errors import NumericalInstability
            raise NumericalInstability()

    def _starts(self, active: list[str]) -> dict:
        """The model each worker's copy starts from (averaging.py): the model itself (plain), the
        block-momentum look-ahead, or the worker's own copy of the previous iteration (elastic)."""
        mi = self.run.mi
        if self.averaging == "block_momentum":
            self.eta = averaging.block_momentum_for(self.eff, len(active))
            start = averaging.block_start(mi, self.eta)
            return {w: start for w in active}
        if self.averaging == "elastic":
            return {w: self.elastic_copies.get(w, mi) for w in active}
        return {w: mi for w in active}

    def _pulled(self) -> bool:
        """Elastic averaging after its first iteration: the copies are pulled towards the centre."""
        return self.averaging == "elastic" and bool(self.elastic_copies)

    def _combine(self, copies: dict, starts: dict) -> None:
        """The copies of one iteration (by worker, in rank order) into the model."""
        mi, trained = self.run.mi, list(copies.values())
        if self.averaging == "block_momentum":
            averaging.block_momentum_into(mi, next(iter(starts.values())), trained, self.eta)
        elif self.averaging == "elastic":
            first = not self.elastic_copies
            averaging.elastic_into(mi, trained, float(self.eff.elastic_averaging_moving_rate), first)
            for w, c in copies.items():
                c.processed = mi.processed       # the copy's count restarts from the model's
                self.elastic_copies[w] = c
        else:
            averaging.average_into(mi, trained)

    def _collect(self, futures: dict):
        """Wait for the workers' copies: returns ({worker: (copy, seconds)}, [lost workers])."""
        pending = dict(futures)
        results, lost = {}, []
        changed = threading.Event()
        for fut in pending.values():
            fut.add_done_callback(lambda _f: changed.set())
        alive, asked = set(self.workers), time.monotonic()
        while pending:
            changed.wait(POLL_SECONDS)
            changed.clear()
            if self.run._stop_requested() and not self.event.is_set():
                self.event.set()
            if time.monotonic() - asked >= ALIVE_SECONDS:
                alive, asked = set(self.cluster.worker_addresses()), time.monotonic()
            for w, fut in list(pending.items()):
                if fut.status == "finished":
                    try:     # the worker may die between finishing and handing the copy over
                        results[w] = fut.result(timeout=RESULT_TIMEOUT)
                        del pending[w]
                    except TimeoutError:
                        if w not in set(self.cluster.worker_addresses()):
                            lost.append(w)
                            del pending[w]
                    except Exception as exc:  # noqa: BLE001 - a lost result, or the task's own error
                        if w in set(self.cluster.worker_addresses()) and not _is_worker_loss(exc):
                            raise
                        lost.append(w)
                        del pending[w]
                elif w not in alive or fut.status == "cancelled":
                    lost.append(w)
                    del pending[w]
                elif fut.status == "error":
                    exc = fut.exception()
                    if w not in set(self.cluster.worker_addresses()) or _is_worker_loss(exc):
                        lost.append(w)
                        del pending[w]
                    else:
                        raise exc
        return results, lost

    def _drop(self, lost: list[str]) -> None:
        run = self.run
        remaining = [w for w in self.workers if w not in lost]
        if not remaining:
            raise WorkerLost(f"Dask worker {', '.join(lost)} was lost during training and no worker is left; "
                             f"the model was not finished")
        run.warn(f"Dask worker {', '.join(lost)} was lost at iteration {run.iteration + 1}; training "
                 f"continues on the {len(remaining)} remaining worker(s)")
        self.workers = remaining
        self.n_nodes = len(remaining)
        self._scatter(remaining)

    def _retune(self, wall: float, compute: float, samples: int) -> None:
        """-2: the next iteration's samples from the measured communication and compute times."""
        comm_us = max(wall - compute, 1e-4) * 1e6
        per_row_us = compute * 1e6 / max(1, samples) * len(self.workers)
        eff = self.eff
        self.train_samples_per_iteration = iterations.auto_train_samples_multi(
            self.run.n_rows, eff.epochs, len(self.workers), per_row_us, comm_us,
            target=TARGET_RATIO_COMM_TO_COMP)

    def close(self) -> None:
        if self.iteration_times:
            wall = sum(t[0] for t in self.iteration_times)
            comm = sum(t[0] - t[1] for t in self.iteration_times)
            log.info("%s: %d iteration(s) on Dask, %.1f s, communication %.1f%% of it (target %.0f%%)",
                     self.run.model.model_id, len(self.iteration_times), wall, 100 * comm / max(wall, 1e-9),
                     100 * TARGET_RATIO_COMM_TO_COMP)
        try:
            self.release_shards()
            self.event.clear()
            if self.profiler_paused:
                self._on_workers(tasks.resume_profiler)
        except Exception:  # the cluster may be gone; the model is already complete
            log.debug("releasing the training shards failed", exc_info=True)


def _shard(X, y_cls, y_reg, rows, weights=None, offsets=None) -> tuple:
    """The arrays a worker holds for ``rows``, (X, y_cls, y_reg, weights, offsets) with None for
    no weights / offsets: the prepared arrays themselves when ``rows`` are all rows in order
    (replicated data: no copy of a frame that may be most of the server's memory)."""
    everything = rows.size == X.shape[0] and (rows.size == 0 or (rows[0] == 0 and np.all(np.diff(rows) == 1)))

    def part(a):
        return None if a is None else np.ascontiguousarray(a if everything else a[rows])
    return part(X), part(y_cls), part(y_reg), part(weights), part(offsets)


def _worker_seed(seed: int, iteration: int, rank: int) -> int:
    """A fixed seed per (training seed, iteration, worker rank): reproducible, different per worker."""
    mixed = np.random.SeedSequence([int(seed) & 0xFFFFFFFFFFFFFFFF, int(iteration), int(rank), 0xDA5C])
    return int(mixed.generate_state(1, np.uint64)[0] & 0x7FFFFFFFFFFFFFFF)


def _is_worker_loss(exc) -> bool:
    name = type(exc).__name__
    return name in ("KilledWorker", "CommClosedError", "FutureCancelledError", "CancelledError")
