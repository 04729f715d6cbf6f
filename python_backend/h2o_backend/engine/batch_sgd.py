"""The mini-batch path (``mini_batch_size`` > 1): float32 matrix products (numpy's BLAS) for the
forward and backward passes, numba kernels (kernels/batch.py) for the element-wise work, one
weight update per batch. It trains the same ModelInfo as the per-sample path (same weights in the
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

Threads: the kernels and BLAS each use ``n_threads`` (never both at once: the calls alternate).
Every result is independent of thread scheduling (BLAS partitions output blocks, the kernels
split rows or fixed blocks), so ``reproducible`` runs with several threads are bit-identical.
"""
from __future__ import annotations

import time
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


@contextmanager
def thread_limits(n_threads: int):
    """numba and BLAS both limited to ``n_threads`` inside the block (restored after)."""
    from threadpoolctl import threadpool_limits
    prev = numba.get_num_threads()
    numba.set_num_threads(max(1, min(int(n_threads), numba.config.NUMBA_NUM_THREADS)))
    try:
        with threadpool_limits(limits=int(n_threads), user_api="blas"):
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

    def product(self, A: np.ndarray, out: np.ndarray) -> None:
        """out = A W (pre-activations without bias)."""
        np.matmul(A, self.W.T if self.unit_major else self.W, out=out)

    def back(self, G: np.ndarray, out: np.ndarray) -> None:
        """out = G W^T (errors of the layer's inputs)."""
        np.matmul(G, self.W if self.unit_major else self.W.T, out=out)

    def gradients(self, A: np.ndarray, G: np.ndarray) -> None:
        if self.unit_major:
            np.matmul(G.T, A, out=self.D)
        else:
            np.matmul(A.T, G, out=self.D)
        kb.column_sums(G, self.db)


class _Serial:
    gather_input = kb.gather_input_serial
    activate_hidden = kb.activate_hidden_serial
    activate_output = kb.activate_output_serial
    output_signal = kb.output_signal_serial
    hidden_signal = kb.hidden_signal_serial
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

    def run(self, rows: np.ndarray, X: np.ndarray, y_cls=None, y_reg=None) -> None:
        """Train on ``rows`` (indices into X) in batches of ``batch_size`` rows (the last may be
        smaller) and add them to the model's sample count. Raises NumericalInstability (before
        the update) when a batch's output is not finite."""
        rows = np.ascontiguousarray(rows, np.int64)
        n = X.shape[0]
        yc = np.zeros(n, np.int32) if y_cls is None else np.ascontiguousarray(y_cls, np.int32)
        yr = np.zeros(n, np.float32) if y_reg is None else np.ascontiguousarray(y_reg, np.float32)
        with thread_limits(self.n_threads), np.errstate(over="ignore", invalid="ignore"):
            for lo in range(0, rows.size, self.batch):
                self._batch(rows[lo:lo + self.batch], X, yc, yr)
        self.chunks_done += 1

    def _batch(self, idx: np.ndarray, X, yc, yr) -> None:
        mi, cfg = self.mi, self.cfg
        b = idx.size
        n0 = mi.processed
        A = [a[:b] for a in self.A]
        top = len(self.layers) - 1
        k = _kernels(A[0].size)
        k.gather_input(X, idx, A[0], self.thr[0], np.float32(1.0), self.key_in, n0)
        for L in self.layers:
            l = L.l
            Z = self.Z[l][:b]
            L.product(A[l], Z)
            k = _kernels(Z.size)
            if l < top:
                k.activate_hidden(Z, L.b, L.act, A[l + 1], self.KEEP[l + 1][:b], self.thr[l + 1],
                                  np.float32(1.0), self.key_hid, n0, True)
            else:
                k.activate_output(Z, L.b, L.act, A[l + 1])
        if kb.non_finite_rows(A[-1]):
            mi.unstable = True
            raise NumericalInstability()
        _kernels(A[-1].size).output_signal(cfg.out_mode, self.layers[top].act, A[-1], yc, yr, X, idx,
                                           np.float32(1.0 / b), self.G[top][:b])
        m = r = 0.0
        adaptive = cfg.optimizer == "adadelta"
        if not adaptive:
            m = momentum_at(cfg.momentum_start, cfg.momentum_stable, cfg.momentum_ramp, float(n0))
        for L in reversed(self.layers):
            l = L.l
            G = self.G[l][:b]
            L.gradients(A[l], G)
            if l > 0:
                E = self.E[l][:b]
                L.back(G, E)
                _kernels(E.size).hidden_signal(E, A[l], self.Z[l - 1][:b], self.KEEP[l][:b],
                                               self.layers[l - 1].act, self.G[l - 1][:b])
            if not adaptive:
                r = step_rate(cfg.rate, cfg.rate_annealing, cfg.rate_decay, l, float(n0), m)
            self._update(L, np.float32(r), np.float32(m))
        mi.processed += b

    def _update(self, L: _Layer, r, m) -> None:
        cfg = self.cfg
        rho, eps = np.float32(cfg.rho), np.float32(cfg.epsilon)
        l1, l2 = np.float32(cfg.l1), np.float32(cfg.l2)
        k = _kernels(L.W.size)
        if L.unit_major:
            k.update_unit_major(L.W, L.D, L.EG, L.EDX, L.MOM, L.acc, L.db, self.optimizer, cfg.nesterov, rho,
                                eps, r, m, l1, l2, self.all_active, not cfg.fast_mode)
            acc = L.acc
        else:
            k.update_input_major(L.W, L.D, L.EG, L.EDX, L.MOM, L.acc, self.optimizer, cfg.nesterov, rho, eps,
                                 r, m, l1, l2, self.all_active, bool(cfg.fast_mode))
            np.sum(L.acc, axis=0, out=L.acc1)
            acc = L.acc1
        kb.update_biases(L.b, L.egb, L.edxb, L.mb, L.db, acc, L.n_in, self.optimizer, cfg.nesterov, rho, eps,
                         r, m, l1, l2, self.all_active)
        if self.rescale:
            kb.rescale_columns(L.W, L.unit_major, L.db, self.all_active, np.float32(cfg.max_w2))


# ---------------------------------------------------------------------------- scoring
SCORE_BLOCK = 4096


def forward(mi: ModelInfo, X: np.ndarray, drop_ratios: np.ndarray, *, row_mse: bool = False,
            hidden_layer: int = 0, n_threads: int | None = None, stop=None):
    """Score ``X`` [n, n_in] with matrix products, blocks of rows at a time: (outputs [n, n_out],
    row MSEs or None, deep features or None); dropout ratios scale inputs and hidden units.

    With ``stop`` (a callable, as in sgd.forward), ``ScoringStopped`` is raised as soon as
    ``stop(seconds_left)`` is true between two blocks; ``seconds_left`` is the time the remaining
    rows will take at the speed measured so far (before the first block: the per-row kernel's
    pessimistic estimate for all rows)."""
    X = np.ascontiguousarray(X, np.float32)
    n = X.shape[0]
    layers = [_ScoreLayer(mi, l) for l in range(mi.n_layers)]
    out = np.zeros((n, mi.units[-1]), np.float32)
    mse = np.zeros(n, np.float64) if row_mse else None
    feats = np.zeros((n, mi.units[hidden_layer]), np.float32) if hidden_layer >= 1 else None
    ratios = np.asarray(drop_ratios, np.float32)
    B = min(SCORE_BLOCK, max(1, n))
    Z = [np.empty((B, L.cols), np.float32) for L in layers]
    A = [np.empty((B, u), np.float32) for u in mi.units[1:-1]]
    keep = np.ones((B, max(mi.units)), np.float32)
    threads = numba.get_num_threads() if n_threads is None else n_threads
    top = len(layers) - 1
    spent = 0.0
    with thread_limits(threads):
        for lo in range(0, n, B):
            if stop is not None:
                left = spent / lo * (n - lo) if lo else first_slice_estimate(n, int(mi.w.size), threads)
                if stop(left):
                    raise ScoringStopped()
            began = time.perf_counter()
            b = min(B, n - lo)
            a = X[lo:lo + b]
            if ratios[0] > 0:
                a = a * np.float32(1.0 - ratios[0])
            for L in layers:
                l = L.l
                z = Z[l][:b]
                L.product(a, z)
                if l < top:
                    nxt = A[l][:b]
                    _kernels(z.size).activate_hidden(z, L.b, L.act, nxt, keep[:b, :nxt.shape[1]], 0,
                                                     np.float32(1.0 - ratios[l + 1]), np.uint64(0), 0, False)
                    a = nxt
                    if hidden_layer == l + 1:
                        feats[lo:lo + b] = nxt
                else:
                    _kernels(z.size).activate_output(z, L.b, L.act, out[lo:lo + b])
            if row_mse:
                kb.row_mse(out[lo:lo + b], X[lo:lo + b], mse[lo:lo + b])
            spent += time.perf_counter() - began
    return out, mse, feats


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

    product = _Layer.product
