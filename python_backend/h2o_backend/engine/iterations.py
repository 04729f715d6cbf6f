"""How training is cut into iterations and chunks, in which order rows are visited, and when
the model is scored (legacy_h2o.md §3.3 items 11-13; H2O-3 ``computeTrainSamplesPerIteration``,
``doScoring``).

- ``train_samples_per_iteration``: 0 -> one epoch; -1 -> #rows x #nodes (one node here: #rows);
  N > 0 -> min(N, epochs x rows); -2 -> auto-tuned, on one node: the rows of ~10 s of training
  (a comm/compute target of 1e-3 with 10 ms of "communication"), at most 10 epochs, rounded down
  to whole epochs when within 20 %, at most epochs x rows / 10 (>= 10 iterations), at most 100,000,
  at least 1. The time per row is measured on the first chunk instead of H2O's Linpack estimate.
  ``reproducible`` turns -2 into -1 (as legacy H2O).
- Rows are visited in shuffled epochs (a fresh permutation per epoch, seeded); H2O-3 visits each
  chunk's rows in order with Bernoulli sampling per iteration - the same expected coverage.
- An iteration is trained in chunks (one compiled call each); between chunks the job's progress
  and cancel flag are served. Scoring happens after an iteration when training is finished, on the
  first iteration, or when more than ``score_interval`` seconds passed since the last scoring
  started and the last scoring took less than ``score_duty_cycle`` of that time.
"""
from __future__ import annotations

import time

import numpy as np

COMM_TIME_US = 1e4          # H2O's 10 ms per iteration on a single node
TARGET_COMM_FRACTION = 1e-3  # single-node target ratio of communication to computation
MAX_ROWS_PER_ITERATION = 100_000


def auto_train_samples(n_rows: int, epochs: float, time_per_row_us: float) -> int:
    """H2O's single-node auto-tuned train_samples_per_iteration."""
    t_row = max(float(time_per_row_us), 1e-3)
    tspi = int((COMM_TIME_US / TARGET_COMM_FRACTION - COMM_TIME_US) / t_row)
    tspi = min(tspi, 10 * n_rows)
    if tspi > n_rows and (tspi % n_rows) / n_rows < 0.2:
        tspi -= tspi % n_rows
    tspi = min(tspi, int(epochs * n_rows / 10))
    tspi = min(tspi, 10 * int(1e6 / t_row))
    tspi = max(1, tspi)
    return min(MAX_ROWS_PER_ITERATION, tspi)


def resolve_train_samples(tspi: int, n_rows: int, epochs: float, time_per_row_us: float | None = None,
                          reproducible: bool = False) -> int:
    """The number of training samples per iteration for the parameter value ``tspi``."""
    if tspi == -2 and reproducible:
        tspi = -1
    if tspi in (0, -1):
        return max(1, n_rows)
    if tspi == -2:
        return auto_train_samples(n_rows, epochs, time_per_row_us if time_per_row_us else 100.0)
    if tspi < -2:
        raise ValueError(f"train_samples_per_iteration must be >= -2, got {tspi}")
    return max(1, min(int(tspi), int(epochs * n_rows)))


def resolve_train_samples_multi(tspi: int, n_rows: int, epochs: float, n_nodes: int, *,
                                replicate: bool, single_node: bool = False, reproducible: bool = False,
                                time_per_row_us: float | None = None) -> int:
    """Training samples per iteration over the whole cluster (H2O-3 ``computeTrainSamplesPerIteration``
    with ``n_nodes`` > 1): 0, and -1 without replication -> one epoch (#rows); -1 with replication ->
    #nodes x #rows (#rows in single-node mode); N -> min(N, epochs x rows); -2 -> the initial guess
    of the auto-tuning (``auto_train_samples_multi``), -1 when ``reproducible``."""
    nodes = 1 if single_node else max(1, int(n_nodes))
    if tspi == -2 and reproducible:
        tspi = -1
    if tspi == 0 or (tspi == -1 and not replicate):
        return max(1, n_rows)
    if tspi == -1:
        return max(1, nodes * n_rows)
    if tspi == -2:
        return auto_train_samples_multi(n_rows, epochs, nodes, time_per_row_us or 100.0, COMM_TIME_MULTI_US)
    if tspi < -2:
        raise ValueError(f"train_samples_per_iteration must be >= -2, got {tspi}")
    return max(1, min(int(tspi), int(epochs * n_rows)))


COMM_TIME_MULTI_US = 1e5     # H2O-3's 100 ms per iteration of multi-node map/reduce overhead


def auto_train_samples_multi(n_rows: int, epochs: float, n_nodes: int, time_per_row_us: float,
                             comm_time_us: float, target: float = 0.05) -> int:
    """Samples per iteration over ``n_nodes`` nodes so that communication (``comm_time_us`` per
    iteration) is ``target`` of the iteration time: tspi = (comm / target - comm) / time per row,
    where a row costs ``time_per_row_us`` on one node and the nodes work in parallel. Bounded as
    H2O-3: at most 10 x #nodes x #rows, rounded down to whole epochs when within 20 %, at most
    epochs x rows / 10, at most 100,000 per node, at least 1 per node."""
    t_row = max(float(time_per_row_us), 1e-3) / max(1, n_nodes)
    comm = max(float(comm_time_us), 1.0)
    tspi = int((comm / target - comm) / t_row)
    tspi = min(tspi, 10 * n_nodes * n_rows)
    if tspi > n_rows and (tspi % n_rows) / n_rows < 0.2:
        tspi -= tspi % n_rows
    tspi = min(tspi, int(epochs * n_rows / 10))
    tspi = min(tspi, MAX_ROWS_PER_ITERATION * n_nodes)
    return max(n_nodes, tspi)


class RowOrder:
    """Training row indices in shuffled epochs: ``take(n)`` continues where the last call stopped."""

    def __init__(self, rows: np.ndarray, seed: int, epoch: int = 0):
        self.rows = np.asarray(rows, dtype=np.int64)
        self.seed = int(seed)
        self.epoch = epoch
        self._perm = self._permutation()
        self._pos = 0

    def _permutation(self) -> np.ndarray:
        rng = np.random.default_rng([self.seed & 0xFFFFFFFFFFFFFFFF, self.epoch, 0x5EED])
        return self.rows[rng.permutation(self.rows.size)]

    def take(self, n: int) -> np.ndarray:
        out = []
        while n > 0:
            if self._pos >= self._perm.size:
                self.epoch += 1
                self._perm = self._permutation()
                self._pos = 0
            part = self._perm[self._pos:self._pos + n]
            self._pos += part.size
            n -= part.size
            out.append(part)
        return np.concatenate(out) if len(out) > 1 else (out[0] if out else np.zeros(0, np.int64))


class ScoreClock:
    """H2O's scoring schedule: score_interval seconds apart, within the duty cycle."""

    def __init__(self, score_interval: float, duty_cycle: float, clock=time.time):
        self.interval = float(score_interval)
        self.duty_cycle = float(duty_cycle)
        self.clock = clock
        self.last_start: float | None = None
        self.last_duration = 0.0
        self.total_scoring = 0.0

    def due(self, finished: bool) -> bool:
        if finished or self.last_start is None:
            return True
        since = self.clock() - self.last_start
        return since > self.interval and since > 0 and self.last_duration / since < self.duty_cycle

    def start(self) -> float:
        self.last_start = self.clock()
        return self.last_start

    def stop(self) -> float:
        self.last_duration = self.clock() - self.last_start
        self.total_scoring += self.last_duration
        return self.last_duration


def sample_rows(n_rows: int, n_samples: int, seed: int) -> np.ndarray | None:
    """A fixed uniform sample of ``n_samples`` row indices (sorted), or None for all rows
    (``n_samples`` 0 or >= n_rows). H2O samples per row (Bernoulli); an exact count is used here."""
    if n_samples <= 0 or n_samples >= n_rows:
        return None
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFFFFFFFFFF, 0x5C0E])
    return np.sort(rng.choice(n_rows, size=int(n_samples), replace=False)).astype(np.int64)


def stratified_rows(y: np.ndarray, n_samples: int, seed: int) -> np.ndarray | None:
    """A sample with every class in proportion (at least one row of each present class)."""
    n = y.size
    if n_samples <= 0 or n_samples >= n:
        return None
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFFFFFFFFFF, 0x57A7])
    picks = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        k = max(1, int(round(idx.size * n_samples / n)))
        picks.append(rng.choice(idx, size=min(k, idx.size), replace=False))
    return np.sort(np.concatenate(picks)).astype(np.int64)
