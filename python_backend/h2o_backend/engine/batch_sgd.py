"""The mini-batch path (``mini_batch_size`` > 1): float32 matrix products (BLAS) for the forward
and backward passes, numba kernels (kernels/batch.py) for the element-wise work, one weight update
per batch. It trains the same ModelInfo as the per-sample path (same weights in the
same storage, same optimizer state), so a checkpoint may switch between the two.

Scaling with the batch (documented for users in the parameter's help and the R help): the
gradient of a batch is the *mean* of its rows' gradients, and each batch makes *one* update, in
which the learning rate (``rate``, annealing, decay, momentum), ``l1``, ``l2`` and ``max_w2`` act
exactly as in one per-sample update. So a batch of one row is the per-sample path, the size of a
step does not grow with the batch, and ADADELTA's accumulators see gradients of the same scale
whatever the batch; an epoch makes rows / mini_batch_size updates, so the regularisation applied
per epoch shrinks by that factor (raise l1/l2 with the batch to keep their pull per epoch). The
rate annealing and the momentum ramp count samples, as in the per-sample path (the sample count
at the start of the batch).

Threads (data parallel): with ``n_threads`` > 1 a batch is split into that many row parts (each
at least ``PART_MIN_ROWS`` rows). Each part runs its forward and backward passes on its own Python
thread, with single-threaded BLAS and the serial kernels (both release the GIL), into its own
gradient buffers; the parts' gradients are then summed in part order and the update runs with the
threaded kernels. Small matrix products do not split well across BLAS threads, so splitting the
batch is what makes a second core pay. Every result depends only on the rows and the number of
parts, never on scheduling, so ``reproducible`` runs with the same number of threads are
bit-identical (a different number of threads sums the gradients in another order).
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numba
import numpy as np

from h2o_backend.engine.errors import NumericalInstability
from h2o_backend.engine.kernels import batch as kb
from h2o_backend.engine.kernels.layout import MAJOR_UNIT, NET_BOFF, OPTIM_SGD, OPTIMIZER_CODES
from h2o_backend.engine.kernels.rng import drop_threshold, splitmix64
from h2o_backend.engine.model_info import ModelInfo
from h2o_backend.engine.schedules import momentum_at, step_rate
from h2o_backend.engine.sgd import ScoringStopped, first_slice

_NONE2 = np.zeros((0, 0), np.float32)
PART_MIN_ROWS = 16      # rows per thread below which a batch is not split


@contextmanager
def thread_limits(n_threads: int, blas_threads: int | None = None):
    """numba limited to ``n_threads`` and BLAS to ``blas_threads`` (default the same) inside the
    block (restored after)."""
    from threadpoolctl import threadpool_limits
    prev = numba.get_num_threads()
    numba.set_num_threads(max(1, min(int(n_threads), numba.config.NUMBA_NUM_THREADS)))
    try:
        with threadpool_limits(limits=int(n_threads if blas_threads is None else blas_threads), user_api="blas"):
            yield
    finally:
        numba.set_num_threads(prev)


def _keys(seed: int) -> tuple[np.uint64, np.uint64]:
    base = splitmix64(int(seed) & 0xFFFFFFFFFFFFFFFF)
    return (np.uint64(splitmix64(base ^ kb.STREAM_INPUT)), np.uint64(splitmix64(base ^ kb.STREAM_HIDDEN)))


class _Layer:
    """Views of one weight layer's stored arrays, and its gradient buffers."""

    def __init__(self, mi: ModelInfo, l: int):
        self.l = l
        self.unit_major = (mi.majors[l] if mi.majors else 0) == MAJOR_UNIT
        self.W = mi.w_matrix(l)
        self.n_in = mi.units[l]
        self.cols = self.W.shape[0] if self.unit_major else self.W.shape[1]
        self.b = mi.biases(l)
        self.D = np.zeros_like(self.W)
        self.db = np.zeros(self.cols, np.float32)
        self.acc = np.zeros(self.cols if self.unit_major else (kb.UPDATE_BLOCKS, self.cols), np.float32)
        self.acc1 = np.zeros(self.cols, np.float32)
        self.act = mi.acts[l]
        opt = mi.optimizer
        self.EG = mi.w_matrix(l, mi.ada_g_w) if opt == "adadelta" else _NONE2
        self.EDX = mi.w_matrix(l, mi.ada_dx_w) if opt == "adadelta" else _NONE2
        self.MOM = mi.w_matrix(l, mi.mom_w) if opt == "momentum" else _NONE2
        boff = int(mi.net_table()[l][NET_BOFF])
        sl = slice(boff, boff + self.cols)
        empty = np.zeros(0, np.float32)
        self.egb = mi.ada_g_b[sl] if opt == "adadelta" else empty
        self.edxb = mi.ada_dx_b[sl] if opt == "adadelta" else empty
        self.mb = mi.mom_b[sl] if opt == "momentum" else empty


class _Serial:
    activate_hidden = kb.activate_hidden_serial
    activate_output = kb.activate_output_serial
    update_input_major = kb.update_input_major_serial
    update_unit_major = kb.update_unit_major_serial


def _kernels(size: int):
    """The element-wise kernels for a matrix of ``size`` elements: threaded, or the serial twins
    for small ones (same results either way: rows are independent)."""
    return kb if size >= kb.PARALLEL_MIN else _Serial


class BatchRunner:
    """Trains one ModelInfo in place on mini-batches; ``run`` has SGDRunner's interface."""

    def __init__(self, mi: ModelInfo, cfg, n_threads: int = 1, batch_size: int = 32):
        if mi.optimizer != cfg.optimizer:
            raise ValueError(f"model state is for {mi.optimizer}, settings ask for {cfg.optimizer}")
        self.mi, self.cfg = mi, cfg
        self.n_threads = max(1, int(n_threads))
        self.batch = max(1, int(batch_size))
        self.layers = [_Layer(mi, l) for l in range(mi.n_layers)]
        _, ratios = cfg.dropout_arrays(mi.n_layers)
        self.thr = [drop_threshold(float(r)) for r in ratios]
        self.key_in, self.key_hid = _keys(cfg.seed)
        B = self.batch
        self.A = [np.zeros((B, u), np.float32) for u in mi.units]
        self.KEEP = [np.ones((B, u), np.float32) for u in mi.units]
        self.Z = [np.zeros((B, L.cols), np.float32) for L in self.layers]
        self.G = [np.zeros((B, L.cols), np.float32) for L in self.layers]
        self.E = [np.zeros((B, u), np.float32) for u in mi.units]
        self.optimizer = OPTIMIZER_CODES[cfg.optimizer]
        plain = self.optimizer == OPTIM_SGD and cfg.l1 == 0 and cfg.l2 == 0
        self.all_active = not (cfg.fast_mode or plain)
        self.rescale = bool(np.isfinite(cfg.max_w2))
        self.chunks_done = 0
        self.max_parts = max(1, min(self.n_threads, self.batch // PART_MIN_ROWS))
        # gradient buffers of parts 1, 2, ... per layer (part 0 writes the layers' own D and db)
        self.part_D = [np.zeros((self.max_parts - 1, *L.D.shape), np.float32) for L in self.layers]
        self.part_db = [np.zeros((self.max_parts - 1, L.cols), np.float32) for L in self.layers]
        self._pool = None
        # what the part kernel takes, as tuples (one array per layer): built once
        self.thr_array = np.array(self.thr, np.int64)
        self.net_arrays = (tuple(L.W for L in self.layers), tuple(L.b for L in self.layers),
                           np.array([L.act for L in self.layers], np.int64),
                           np.array([L.unit_major for L in self.layers], np.bool_),
                           tuple(self.A), tuple(self.KEEP), tuple(self.Z), tuple(self.G), tuple(self.E))
        self.part_arrays = [(tuple(L.D for L in self.layers), tuple(L.db for L in self.layers))]
        self.part_arrays += [(tuple(D[q] for D in self.part_D), tuple(db[q] for db in self.part_db))
                             for q in range(self.max_parts - 1)]

    def run(self, rows: np.ndarray, X: np.ndarray, y_cls=None, y_reg=None) -> None:
        """Train on ``rows`` (indices into X) in batches of ``batch_size`` rows (the last may be
        smaller) and add them to the model's sample count. Raises NumericalInstability (before
        the update) when a batch's output is not finite."""
        rows = np.ascontiguousarray(rows, np.int64)
        n = X.shape[0]
        X = np.ascontiguousarray(X, np.float32)
        yc = np.zeros(n, np.int32) if y_cls is None else np.ascontiguousarray(y_cls, np.int32)
        yr = np.zeros(n, np.float32) if y_reg is None else np.ascontiguousarray(y_reg, np.float32)
        # every matrix product runs inside one part, on that part's thread: BLAS single-threaded
        with thread_limits(self.n_threads, 1), np.errstate(over="ignore", invalid="ignore"):
            self._pool = ThreadPoolExecutor(self.max_parts - 1) if self.max_parts > 1 else None
            try:
                for lo in range(0, rows.size, self.batch):
                    idx = rows[lo:lo + self.batch]
                    self._batch(idx, X, yc, yr, max(1, min(self.max_parts, idx.size // PART_MIN_ROWS)))
            finally:
                if self._pool is not None:
                    self._pool.shutdown()
                    self._pool = None
        self.chunks_done += 1

    def _batch(self, idx: np.ndarray, X, yc, yr, parts: int) -> None:
        """One batch: its rows in ``parts`` parts on as many threads, then one update (module
        docstring)."""
        mi, cfg = self.mi, self.cfg
        b = idx.size
        n0 = mi.processed
        cut = [b * p // parts for p in range(parts + 1)]
        pending = [self._pool.submit(self._part, p, cut[p], cut[p + 1], idx, X, yc, yr, n0, b)
                   for p in range(1, parts)]
        bad = self._part(0, cut[0], cut[1], idx, X, yc, yr, n0, b)
        bad += sum(f.result() for f in pending)
        if bad:
            mi.unstable = True
            raise NumericalInstability()
        m, rates = 0.0, [0.0] * len(self.layers)
        if cfg.optimizer != "adadelta":
            m = momentum_at(cfg.momentum_start, cfg.momentum_stable, cfg.momentum_ramp, float(n0))
            rates = [step_rate(cfg.rate, cfg.rate_annealing, cfg.rate_decay, l, float(n0), m)
                     for l in range(len(self.layers))]
        if parts == 1:
            for L in reversed(self.layers):
                self._update_weights(L, np.float32(rates[L.l]), np.float32(m))
        else:
            for L in self.layers:
                for q in range(parts - 1):
                    np.add(L.db, self.part_db[L.l][q], out=L.db)
            pending = [self._pool.submit(self._update_share, q, parts, rates, m) for q in range(1, parts)]
            self._update_share(0, parts, rates, m)
            for f in pending:
                f.result()
        for L in reversed(self.layers):
            self._update_biases(L, np.float32(rates[L.l]), np.float32(m))
        mi.processed += b

    def _part(self, p: int, lo: int, hi: int, idx, X, yc, yr, n0: int, b: int) -> int:
        """Forward and backward passes of rows ``lo:hi`` of the batch (one kernel call: serial
        kernels, this thread's single-threaded BLAS) into part ``p``'s gradient buffers; returns 1
        when an output is not finite (then no gradient is computed)."""
        return kb.train_part(X, yc, yr, idx, lo, hi, n0, np.float32(1.0 / b), self.cfg.out_mode, self.thr_array,
                             self.key_in, self.key_hid, *self.net_arrays, *self.part_arrays[p])

    def _update_share(self, q: int, parts: int, rates, m) -> None:
        """Thread ``q``'s share of every layer's weight update (its weight rows' gradients summed
        over the parts in part order, then updated)."""
        for L in self.layers:
            n = L.W.shape[0] if L.unit_major else kb.UPDATE_BLOCKS
            share = (n * q // parts, n * (q + 1) // parts)
            self._update_weights(L, np.float32(rates[L.l]), np.float32(m), share, self.part_D[L.l][:parts - 1])

    def _update_weights(self, L: _Layer, r, m, share: tuple[int, int] | None = None, PD=None) -> None:
        """Update L's weights from L.D: all of them with the threaded kernels, or only ``share``
        (unit-major: a column range; input-major: a range of the fixed row blocks) on this thread,
        after adding the other parts' gradients ``PD`` to those rows of L.D."""
        cfg = self.cfg
        rho, eps = np.float32(cfg.rho), np.float32(cfg.epsilon)
        l1, l2 = np.float32(cfg.l1), np.float32(cfg.l2)
        opt, nest = self.optimizer, cfg.nesterov
        if L.unit_major and share is None:
            _kernels(L.W.size).update_unit_major(L.W, L.D, L.EG, L.EDX, L.MOM, L.acc, L.db, opt, nest, rho, eps, r,
                                                 m, l1, l2, self.all_active, not cfg.fast_mode)
        elif L.unit_major:
            kb.update_unit_major_columns(L.W, L.D, PD, L.EG, L.EDX, L.MOM, L.acc, L.db, share[0], share[1], opt, nest,
                                         rho, eps, r, m, l1, l2, self.all_active, not cfg.fast_mode)
        elif share is None:
            _kernels(L.W.size).update_input_major(L.W, L.D, L.EG, L.EDX, L.MOM, L.acc, opt, nest, rho, eps, r, m,
                                                  l1, l2, self.all_active, bool(cfg.fast_mode))
        else:
            kb.update_input_major_blocks(L.W, L.D, PD, L.EG, L.EDX, L.MOM, L.acc, share[0], share[1], opt, nest, rho,
                                         eps, r, m, l1, l2, self.all_active, bool(cfg.fast_mode))

    def _update_biases(self, L: _Layer, r, m) -> None:
        """The biases (with the squared-gradient statistic the weight update left in L.acc), then
        max_w2."""
        cfg = self.cfg
        rho, eps = np.float32(cfg.rho), np.float32(cfg.epsilon)
        l1, l2 = np.float32(cfg.l1), np.float32(cfg.l2)
        if L.unit_major:
            acc = L.acc
        else:
            np.sum(L.acc, axis=0, out=L.acc1)
            acc = L.acc1
        kb.update_biases(L.b, L.egb, L.edxb, L.mb, L.db, acc, L.n_in, self.optimizer, cfg.nesterov, rho, eps,
                         r, m, l1, l2, self.all_active)
        if self.rescale:
            kb.rescale_columns(L.W, L.unit_major, L.db, self.all_active, np.float32(cfg.max_w2))


# ---------------------------------------------------------------------------- scoring
SCORE_BLOCK = 4096
SCORE_PART_MIN_ROWS = 1024      # rows per thread below which scoring does not split


def forward(mi: ModelInfo, X: np.ndarray, drop_ratios: np.ndarray, *, row_mse: bool = False,
            hidden_layer: int = 0, n_threads: int | None = None, stop=None):
    """Score ``X`` [n, n_in] with matrix products, blocks of rows at a time: (outputs [n, n_out],
    row MSEs or None, deep features or None); dropout ratios scale inputs and hidden units.
    With several threads the rows are split into one contiguous range per thread, each scored with
    single-threaded BLAS and the serial kernels (every row's result is the same either way).

    With ``stop`` (a callable, as in sgd.forward), ``ScoringStopped`` is raised as soon as
    ``stop(seconds_left)`` is true between two blocks; ``seconds_left`` is the time the remaining
    rows will take at the speed measured so far (before the first block: the per-row kernel's
    pessimistic estimate for all rows)."""
    X = np.ascontiguousarray(X, np.float32)
    n = X.shape[0]
    scorer = _Scorer(mi, np.asarray(drop_ratios, np.float32), row_mse, hidden_layer, n, stop)
    threads = numba.get_num_threads() if n_threads is None else n_threads
    parts = max(1, min(threads, n // SCORE_PART_MIN_ROWS))
    cut = [n * p // parts for p in range(parts + 1)]
    with thread_limits(threads, 1 if parts > 1 else None):
        if parts == 1:
            scorer.score(X, 0, n, threads, _kernels)
        else:
            with ThreadPoolExecutor(parts - 1) as pool:
                pending = [pool.submit(scorer.score, X, cut[p], cut[p + 1], parts, lambda size: _Serial)
                           for p in range(1, parts)]
                try:
                    scorer.score(X, cut[0], cut[1], parts, lambda size: _Serial)
                finally:
                    for f in pending:
                        f.result()
    return scorer.out, scorer.mse, scorer.feats


class _Scorer:
    """The outputs of one scoring call, filled by ``score`` over row ranges (one per thread)."""

    def __init__(self, mi: ModelInfo, ratios, row_mse: bool, hidden_layer: int, n: int, stop):
        self.mi, self.ratios, self.hidden_layer, self.n, self.stop = mi, ratios, hidden_layer, n, stop
        self.layers = [_ScoreLayer(mi, l) for l in range(mi.n_layers)]
        self.out = np.zeros((n, mi.units[-1]), np.float32)
        self.mse = np.zeros(n, np.float64) if row_mse else None
        self.feats = np.zeros((n, mi.units[hidden_layer]), np.float32) if hidden_layer >= 1 else None

    def score(self, X, start: int, end: int, threads: int, kernels) -> None:
        """Score rows ``start:end`` block by block; ``kernels(size)`` picks the element-wise kernels."""
        mi, ratios, layers, out = self.mi, self.ratios, self.layers, self.out
        B = min(SCORE_BLOCK, max(1, end - start))
        Z = [np.empty((B, L.cols), np.float32) for L in layers]
        A = [np.empty((B, u), np.float32) for u in mi.units[1:-1]]
        keep = np.ones((B, max(mi.units)), np.float32)
        top = len(layers) - 1
        spent = 0.0
        for lo in range(start, end, B):
            if self.stop is not None:
                done = lo - start
                left = (spent / done * (end - lo) if done
                        else first_slice_estimate(end - start, int(mi.w.size), threads))
                if self.stop(left):
                    raise ScoringStopped()
            began = time.perf_counter()
            b = min(B, end - lo)
            a = X[lo:lo + b]
            if ratios[0] > 0:
                a = a * np.float32(1.0 - ratios[0])
            for L in layers:
                l = L.l
                z = Z[l][:b]
                L.product(a, z)
                if l < top:
                    nxt = A[l][:b]
                    kernels(z.size).activate_hidden(z, L.b, L.act, nxt, keep[:b, :nxt.shape[1]], 0,
                                                    np.float32(1.0 - ratios[l + 1]), np.uint64(0), 0, False)
                    a = nxt
                    if self.hidden_layer == l + 1:
                        self.feats[lo:lo + b] = nxt
                else:
                    kernels(z.size).activate_output(z, L.b, L.act, out[lo:lo + b])
            if self.mse is not None:
                kb.row_mse(out[lo:lo + b], X[lo:lo + b], self.mse[lo:lo + b])
            spent += time.perf_counter() - began


def first_slice_estimate(n: int, n_weights: int, threads: int) -> float:
    """Pessimistic seconds to score ``n`` rows (the per-row kernel's cost model)."""
    rows, seconds = first_slice(n, n_weights, threads)
    return seconds * n / max(1, min(rows, n))


class _ScoreLayer:
    def __init__(self, mi: ModelInfo, l: int):
        self.l = l
        self.unit_major = (mi.majors[l] if mi.majors else 0) == MAJOR_UNIT
        self.W = mi.w_matrix(l)
        self.cols = self.W.shape[0] if self.unit_major else self.W.shape[1]
        self.b = mi.biases(l)
        self.act = mi.acts[l]

    def product(self, A: np.ndarray, out: np.ndarray) -> None:
        """out = A W (pre-activations without bias)."""
        np.matmul(A, self.W.T if self.unit_major else self.W, out=out)
