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
at the start of the batch). Row weights multiply their rows' signals (the batch's gradient is the
weighted sum divided by its number of rows, as H2O-3 normalises a mini-batch by its row count); a
sample's dropout masks are the per-sample path's (kernels/rng.py), so a batch of one row is the
per-sample path with dropout too.

Threads, two ways (one numba call per chunk of rows; every matrix product single-threaded BLAS
on the thread that needs it, the threads being numba's):

- ``reproducible`` (or one thread): synchronous. A batch is split into one row part per thread
  (each at least ``PART_MIN_ROWS`` rows) for the forward pass and the backward signals; then the
  threads share the update, each computing the data gradients of its share of the weights from
  the whole batch and updating them, and the parts' bias gradients are summed in part order.
  Every result depends only on the rows and the number of threads, never on scheduling, so runs
  with the same number of threads are bit-identical (a different number of threads rounds the
  gradients differently).
- otherwise HOGWILD! over batches, as H2O does over rows: each thread trains whole batches
  (thread t takes batches t, t + threads, ...) and updates the shared weights without waiting;
  the rows and dropout draws of every batch are the same as above, the interleaving of updates
  is not. Splitting small batches costs each thread a second copy of BLAS's packing of the
  weights, so this is what makes a second core pay at batch sizes near 128.
"""
from __future__ import annotations

import functools
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numba
import numpy as np

from h2o_backend.engine import activations as act
from h2o_backend.engine.errors import NumericalInstability
from h2o_backend.engine.kernels import batch as kb
from h2o_backend.engine.kernels.layout import MAJOR_INPUT, MAJOR_UNIT, NET_BOFF
from h2o_backend.engine.kernels.structs import BatchWork, Layers, RowsCache
from h2o_backend.engine.model_info import ModelInfo
from h2o_backend.engine.run_sizes import ScoringStopped, first_slice
from h2o_backend.engine.sgd_config import SGDConfig

_NONE2 = np.zeros((0, 0), np.float32)


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


class _Layer:
    """Views of one weight layer's stored arrays."""

    def __init__(self, mi: ModelInfo, l: int):
        self.unit_major = (mi.majors[l] if mi.majors else 0) == MAJOR_UNIT
        self.W = mi.w_matrix(l)
        self.n_in = mi.units[l]
        self.cols = self.W.shape[0] if self.unit_major else self.W.shape[1]
        self.b = mi.biases(l)
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


class BatchRunner:
    """Trains one ModelInfo in place on mini-batches; ``run`` has SGDRunner's interface. With
    ``hogwild`` (not ``reproducible``) and several threads, each thread trains whole batches and
    updates the shared weights without waiting (kernels/batch.train_batches_hogwild); otherwise
    the threads split every batch and the run is bit-reproducible (train_batches)."""

    def __init__(self, mi: ModelInfo, cfg, n_threads: int = 1, batch_size: int = 32, hogwild: bool = False):
        if mi.optimizer != cfg.optimizer:
            raise ValueError(f"model state is for {mi.optimizer}, settings ask for {cfg.optimizer}")
        self.mi, self.cfg = mi, cfg
        self.n_threads = max(1, int(n_threads))
        self.batch = max(1, int(batch_size))
        self.hogwild = bool(hogwild) and self.n_threads > 1
        self.max_parts = 1 if self.hogwild else max(1, min(self.n_threads, self.batch // kb.PART_MIN_ROWS))
        self.chunks_done = 0
        L = [_Layer(mi, l) for l in range(mi.n_layers)]
        # work buffers [buffer set, ...]: one set per thread with hogwild, else one shared set
        sets, B = (self.n_threads if self.hogwild else 1), self.batch

        def per_set(shape, ones=False):
            return (np.ones if ones else np.zeros)((sets, *shape), np.float32)
        # the update's column sums of grad^2: per fixed row block (input-major) or one row, and
        # (input-major) the blocks' sum
        self.work = BatchWork(
            A=tuple(per_set((B, u)) for u in mi.units), KEEP=tuple(per_set((B, u), ones=True) for u in mi.units),
            Z=tuple(per_set((B, x.cols)) for x in L), G=tuple(per_set((B, x.cols)) for x in L),
            E=tuple(per_set((B, u)) for u in mi.units), D=tuple(per_set(x.W.shape) for x in L),
            db=tuple(per_set((self.max_parts, x.cols)) for x in L),
            acc=tuple(per_set((1 if x.unit_major else kb.UPDATE_BLOCKS, x.cols)) for x in L),
            acc1=tuple(per_set((x.cols,)) for x in L))
        self.A, self.KEEP = tuple(a[0] for a in self.work.A), tuple(k[0] for k in self.work.KEEP)  # set 0, for inspection
        # the kernels' structures, built once: unboxing them is most of a kernel call's cost
        self.layers = Layers(W=tuple(x.W for x in L), b=tuple(x.b for x in L), EG=tuple(x.EG for x in L),
                             EDX=tuple(x.EDX for x in L), MOM=tuple(x.MOM for x in L), egb=tuple(x.egb for x in L),
                             edxb=tuple(x.edxb for x in L), mb=tuple(x.mb for x in L),
                             act=np.array([x.act for x in L], np.int64),
                             unit_major=np.array([x.unit_major for x in L], np.bool_),
                             n_in=np.array([x.n_in for x in L], np.int64))
        self.settings = cfg.settings()
        self.dropout = cfg.dropout(mi.n_layers)
        self.rows = RowsCache()

    def set_huber_delta(self, delta: float) -> None:
        """Huber's clipping residual from now on (H2O-3 updates it after each scoring)."""
        self.cfg.huber_delta = float(delta)
        self.settings = self.cfg.settings()

    def run(self, rows: np.ndarray, X: np.ndarray, y_cls=None, y_reg=None, weights=None, offsets=None) -> None:
        """Train on ``rows`` (indices into X) in batches of ``batch_size`` rows (the last may be
        smaller) and add them to the model's sample count. ``weights`` and ``offsets``: float32 per
        row of X (None: 1 and 0); a batch's gradient is the weighted sum of its rows' gradients
        divided by its number of rows. Raises NumericalInstability (before the update) when a
        batch's output is not finite."""
        rows = np.ascontiguousarray(rows, np.int64)
        self.cfg.check_offsets(offsets)
        data = self.rows.get(X, y_cls, y_reg, weights, offsets)
        mi = self.mi
        # every matrix product runs inside one thread's part or share: BLAS single-threaded
        with thread_limits(self.n_threads, 1), np.errstate(over="ignore", invalid="ignore"):
            if self.hogwild:
                done, unstable = kb.train_batches_hogwild(data, rows, self.batch, self.n_threads, np.int64(mi.processed),
                                                          self.settings, self.dropout, self.layers, self.work)
            else:
                done, unstable = kb.train_batches(data, rows, self.batch, self.max_parts, self.n_threads,
                                                  np.int64(mi.processed), self.settings, self.dropout, self.layers,
                                                  self.work)
        mi.processed += int(done)
        if unstable:
            mi.unstable = True
            raise NumericalInstability()
        self.chunks_done += 1


def warm_up_steps() -> list:
    """The mini-batch path's kernels to load (or compile) as independent steps (zero-argument
    callables; sgd.warm_up runs them after the per-row path's): both weight orders, training
    (synchronous and HOGWILD!) and scoring, networks of 0 to 4 hidden layers."""
    steps = [functools.partial(_warm_up_weight_order, majors)
             for majors in ([MAJOR_UNIT, MAJOR_INPUT], [MAJOR_INPUT, MAJOR_UNIT])]
    # the training kernels are compiled per number of layers
    return steps + [functools.partial(_warm_up_depth, depth, hogwild)
                    for depth in range(0, 5) for hogwild in (False, True)]


def _warm_up_data() -> tuple[np.ndarray, np.ndarray]:
    X = np.random.default_rng(0).random((256, 300), dtype=np.float32)
    return X, (np.arange(256) % 2).astype(np.int32)


def _warm_up_weight_order(majors: list[int]) -> None:
    X, y = _warm_up_data()
    mi = ModelInfo.create([300, 256, 2], act.ACT_RECTIFIER, act.ACT_SOFTMAX, optimizer="adadelta",
                          classifier=True, majors=majors)
    BatchRunner(mi, SGDConfig(input_dropout=0.1), 1, 256).run(np.arange(256), X, y)
    forward(mi, X, np.zeros(3, np.float32), row_mse=True, hidden_layer=1)
    forward(mi, X[:4], np.zeros(3, np.float32))


def _warm_up_depth(depth: int, hogwild: bool) -> None:
    X, y = _warm_up_data()
    threads = min(2, numba.config.NUMBA_NUM_THREADS)
    mi = ModelInfo.create([8] + [4] * depth + [2], act.ACT_RECTIFIER, act.ACT_SOFTMAX, optimizer="adadelta",
                          classifier=True)
    BatchRunner(mi, SGDConfig(), threads, 16, hogwild=hogwild).run(np.arange(32), X[:32, :8].copy(), y[:32])


# ---------------------------------------------------------------------------- scoring
# Split-invariance by construction: rows are scored in blocks of SCORE_BLOCK rows aligned to the
# rows' numbers (row i of X is row i % SCORE_BLOCK of block i // SCORE_BLOCK), every block as a
# full [SCORE_BLOCK, n_in] matrix (the last one padded with zero rows) with single-threaded BLAS
# and the same serial element-wise kernels. A float32 matrix product may round a row differently
# with the shape of the matrix around it (BLAS kernels take other paths for edge rows); with one
# block shape, a row's outputs do not depend on the number of rows scored with it, the number of
# threads, or how a caller splits the rows, as long as each part starts at a multiple of
# SCORE_BLOCK (cluster/scoring.py cuts the workers' ranges so). Across BLAS kernels (CPUs) the
# last bits may differ.
SCORE_BLOCK = 128
SCORE_PART_MIN_BLOCKS = 8       # blocks per thread below which scoring does not split


def forward(mi: ModelInfo, X: np.ndarray, drop_ratios: np.ndarray, *, row_mse: bool = False,
            hidden_layer: int = 0, n_threads: int | None = None, stop=None):
    """Score ``X`` [n, n_in] with matrix products, block by block (see above): (outputs
    [n, n_out], row MSEs or None, deep features or None); dropout ratios scale inputs and hidden
    units. With several threads each takes one contiguous range of blocks.

    With ``stop`` (a callable, as in sgd.forward), ``ScoringStopped`` is raised as soon as
    ``stop(seconds_left)`` is true between two blocks; ``seconds_left`` is the time the remaining
    rows will take at the speed measured so far (before the first block: the per-row kernel's
    pessimistic estimate for all rows)."""
    X = np.ascontiguousarray(X, np.float32)
    n = X.shape[0]
    scorer = _Scorer(mi, np.asarray(drop_ratios, np.float32), row_mse, hidden_layer, n, stop)
    threads = numba.get_num_threads() if n_threads is None else n_threads
    blocks = -(-n // SCORE_BLOCK)
    parts = max(1, min(threads, blocks // SCORE_PART_MIN_BLOCKS))
    cut = [blocks * p // parts for p in range(parts + 1)]
    with thread_limits(threads, 1):
        if parts == 1:
            scorer.score(X, 0, blocks, 1)
        else:
            with ThreadPoolExecutor(parts - 1) as pool:
                pending = [pool.submit(scorer.score, X, cut[p], cut[p + 1], parts) for p in range(1, parts)]
                try:
                    scorer.score(X, cut[0], cut[1], parts)
                finally:
                    for f in pending:
                        f.result()
    return scorer.out, scorer.mse, scorer.feats


def aligned_cuts(n: int, parts: int) -> list[int]:
    """Row numbers cutting ``n`` rows into ``parts`` ranges as equal as whole blocks allow, each
    starting at a multiple of SCORE_BLOCK (so that each range scores as within the whole)."""
    blocks = -(-n // SCORE_BLOCK)
    return [min(n, (blocks * p // parts) * SCORE_BLOCK) for p in range(parts + 1)]


def forward_outputs(mi: ModelInfo, n: int, row_mse: bool, hidden_layer: int):
    """The zeroed arrays ``forward`` returns for ``n`` rows: (outputs, row MSEs or None, deep
    features or None)."""
    return (np.zeros((n, mi.units[-1]), np.float32), np.zeros(n, np.float64) if row_mse else None,
            np.zeros((n, mi.units[hidden_layer]), np.float32) if hidden_layer >= 1 else None)


class _Scorer:
    """The outputs of one scoring call, filled by ``score`` over ranges of blocks (one per thread)."""

    def __init__(self, mi: ModelInfo, ratios, row_mse: bool, hidden_layer: int, n: int, stop):
        self.mi, self.ratios, self.hidden_layer, self.n, self.stop = mi, ratios, hidden_layer, n, stop
        self.layers = [_ScoreLayer(mi, l) for l in range(mi.n_layers)]
        self.out, self.mse, self.feats = forward_outputs(mi, n, row_mse, hidden_layer)

    def score(self, X, first: int, end: int, threads: int) -> None:
        """Score blocks ``first:end``, each as a full SCORE_BLOCK-row matrix."""
        mi, n, B = self.mi, self.n, SCORE_BLOCK
        buf = _BlockBuffers(mi, self.layers)
        spent = 0.0
        for k in range(first, end):
            lo = k * B
            if self.stop is not None:
                done = lo - first * B
                left = (spent / done * (end * B - lo) if done
                        else first_slice_estimate(min(n, end * B) - lo, int(mi.w.size), threads))
                if self.stop(left):
                    raise ScoringStopped()
            began = time.perf_counter()
            b = min(B, n - lo)
            self._score_block(buf, X[lo:lo + b], lo, b)
            spent += time.perf_counter() - began

    def _score_block(self, buf: "_BlockBuffers", rows: np.ndarray, lo: int, b: int) -> None:
        ratios, top = self.ratios, len(self.layers) - 1
        if b == SCORE_BLOCK:
            a = rows
        else:                        # the last block, padded with zero rows to the block's shape
            a = buf.pad
            a[:b] = rows
            a[b:] = 0
        if ratios[0] > 0:
            a = a * np.float32(1.0 - ratios[0])
        for L in self.layers:
            z = buf.Z[L.l]
            L.product(a, z)
            if L.l < top:
                nxt = buf.A[L.l]
                kb.activate_hidden(z, L.b, L.act, nxt, buf.keep[:, :nxt.shape[1]], 0,
                                   np.float32(1.0 - ratios[L.l + 1]), np.uint64(0), 0, False)
                a = nxt
                if self.hidden_layer == L.l + 1:
                    self.feats[lo:lo + b] = nxt[:b]
            else:
                kb.activate_output(z, L.b, L.act, buf.out)
                self.out[lo:lo + b] = buf.out[:b]
        if self.mse is not None:
            kb.row_mse(self.out[lo:lo + b], rows, self.mse[lo:lo + b])


class _BlockBuffers:
    """One thread's work arrays for scoring blocks of SCORE_BLOCK rows."""

    def __init__(self, mi: ModelInfo, layers):
        B = SCORE_BLOCK
        self.pad = np.empty((B, mi.units[0]), np.float32)
        self.Z = [np.empty((B, L.cols), np.float32) for L in layers]
        self.A = [np.empty((B, u), np.float32) for u in mi.units[1:-1]]
        self.keep = np.ones((B, max(mi.units)), np.float32)
        self.out = np.empty((B, mi.units[-1]), np.float32)


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
