"""The per-sample path: one compiled HOGWILD! call per chunk of rows (kernels/train.py), and the
per-row reference scorer ``forward`` (the one the POJO export reproduces).

``SGDRunner`` owns the layout, the per-thread workspace and the kernels' named structures
(kernels/structs.py, built once) of one training run and trains a ModelInfo in place on chunks of
rows. The settings are sgd_config.SGDConfig (re-exported here), shared with the mini-batch path.
"""
from __future__ import annotations

import functools
import time

import numba
import numpy as np

from h2o_backend.engine import activations as act
from h2o_backend.engine import batch_sgd
from h2o_backend.engine.errors import NumericalInstability
from h2o_backend.engine.kernels.layout import sizes
from h2o_backend.engine.kernels.predict import predict_batch
from h2o_backend.engine.kernels.structs import Flat, RowsCache
from h2o_backend.engine.kernels.train import hogwild_parallel, hogwild_serial
from h2o_backend.engine.kernels.workspace import Workspace
from h2o_backend.engine.model_info import ModelInfo
from h2o_backend.engine.run_sizes import (FORWARD_SECONDS_PER_WEIGHT_ROW, SCORING_SLICE_SECONDS,  # noqa: F401
                                          SECONDS_PER_WEIGHT_ROW, ScoringStopped, first_slice, rows_within)
from h2o_backend.engine.sgd_config import SGDConfig  # noqa: F401  (its historical home)


def flat_arrays(mi: ModelInfo) -> Flat:
    """The model's flat arrays as the per-sample kernels take them."""
    return Flat(w=mi.w, b=mi.b, agw=mi.ada_g_w, adw=mi.ada_dx_w, agb=mi.ada_g_b, adb=mi.ada_dx_b, mw=mi.mom_w,
                mb=mi.mom_b)


class SGDRunner:
    """Trains one ModelInfo in place, one compiled call per chunk of rows."""

    def __init__(self, mi: ModelInfo, cfg: SGDConfig, n_threads: int = 1):
        if mi.optimizer != cfg.optimizer:
            raise ValueError(f"model state is for {mi.optimizer}, settings ask for {cfg.optimizer}")
        self.mi, self.cfg = mi, cfg
        self.n_threads = max(1, int(n_threads))
        self.net = mi.net_table()
        self.settings = cfg.settings()
        self.dropout = cfg.dropout(mi.n_layers)
        self.drop = cfg.drop_ratios(mi.n_layers)
        self.ws = Workspace.allocate(self.net, self.n_threads)
        self.work = self.ws.struct()
        self.rows = RowsCache()
        self.chunks_done = 0    # compiled calls made by this runner

    def set_huber_delta(self, delta: float) -> None:
        """Huber's clipping residual from now on (H2O-3 updates it after each scoring)."""
        self.cfg.huber_delta = float(delta)
        self.settings = self.cfg.settings()

    def run(self, rows: np.ndarray, X: np.ndarray, y_cls=None, y_reg=None, weights=None, offsets=None) -> None:
        """Train on ``rows`` (indices into X) and add them to the model's sample count. ``weights``
        and ``offsets``: float32 per row of X (None: 1 and 0); a row of weight 0 is not trained.

        Raises NumericalInstability when an output or a bias became non-finite."""
        mi, ws = self.mi, self.ws
        rows = np.ascontiguousarray(rows, np.int64)
        self.cfg.check_offsets(offsets)
        data = self.rows.get(X, y_cls, y_reg, weights, offsets)
        ws.status[:] = 0
        kernel = hogwild_parallel if self.n_threads > 1 else hogwild_serial
        prev = numba.get_num_threads()
        try:
            if self.n_threads > 1:
                numba.set_num_threads(min(self.n_threads, numba.config.NUMBA_NUM_THREADS))
            kernel(rows, data, self.net, self.settings, self.dropout, self.drop, flat_arrays(mi), self.work,
                   np.int64(mi.processed))
        finally:
            numba.set_num_threads(prev)
        self.chunks_done += 1
        mi.processed += int(rows.size)
        if ws.status.any() or not np.isfinite(mi.b).all():
            mi.unstable = True
            raise NumericalInstability()


def forward(mi: ModelInfo, X: np.ndarray, drop_ratios: np.ndarray, *, row_mse: bool = False,
            hidden_layer: int = 0, stop=None) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Score ``X`` [n, n_in]: (outputs [n, n_out] float32, row MSEs or None, deep features or None).

    With ``stop`` (a callable), rows are scored in slices of about SCORING_SLICE_SECONDS and
    ``ScoringStopped`` is raised as soon as ``stop(seconds_left)`` is true between two slices;
    ``seconds_left`` is the time the remaining rows will take at the speed measured so far (before
    the first slice: that slice's pessimistic estimate)."""
    net = mi.net_table()
    sz = sizes(net)
    X = np.ascontiguousarray(X, np.float32)
    n = X.shape[0]
    out = np.zeros((n, mi.units[-1]), np.float32)
    mse = np.zeros(n if row_mse else 0, np.float64)
    width = mi.units[hidden_layer] if hidden_layer >= 1 else 0
    feats = np.zeros((n if hidden_layer >= 1 else 0, width), np.float32)
    thr = np.zeros(len(drop_ratios), np.int64)
    ratios = np.asarray(drop_ratios, np.float32)
    step, first_cost = n, 0.0
    if stop is not None:
        step, first_cost = first_slice(n, sz["n_weights"], numba.get_num_threads())
    start, spent = 0, 0.0
    while start < n:
        if stop is not None and stop(spent / start * (n - start) if start else first_cost):
            raise ScoringStopped()
        end = min(n, start + step)
        began = time.perf_counter()
        predict_batch(X[start:end], net, thr, ratios, mi.w, mi.b, sz["n_units"], sz["n_cols"], out[start:end],
                      mse[start:end] if row_mse else mse, int(hidden_layer),
                      feats[start:end] if hidden_layer >= 1 else feats)
        elapsed = time.perf_counter() - began
        spent += elapsed
        if stop is not None and elapsed > 0:     # the next slice sized from this one's speed
            step = max(1, int((end - start) * SCORING_SLICE_SECONDS / elapsed))
        start = end
    return out, (mse if row_mse else None), (feats if hidden_layer >= 1 else None)


def warm_up() -> float:
    """Load (or compile, the first time: several minutes on a 2-core machine) every kernel
    specialisation on a tiny network, so the first real training does not wait (the mini-batch
    path's too: batch_sgd.warm_up_steps); returns the seconds it took. The server calls it from a
    background thread at start (cli.py)."""
    t = time.perf_counter()
    for step in warm_up_steps():
        step()
    return time.perf_counter() - t


def warm_up_steps() -> list:
    """warm_up's work as independent steps (zero-argument callables, each loading or compiling
    some of the specialisations), in the order warm_up runs them: tests_py/warm_kernel_cache.py
    shares them among processes to fill a cold cache sooner."""
    steps = []
    for hidden in ([2], []):
        steps += [functools.partial(_warm_up_training, hidden), functools.partial(_warm_up_scoring, hidden)]
    return steps + [_warm_up_layer_table] + batch_sgd.warm_up_steps()


def _tiny_network(hidden: list[int]) -> tuple[ModelInfo, np.ndarray, np.ndarray]:
    mi = ModelInfo.create([3, *hidden, 2], act.ACT_RECTIFIER, act.ACT_SOFTMAX, optimizer="adadelta",
                          classifier=True)
    return mi, np.ones((4, 3), np.float32), np.array([0, 1, 0, 1], np.int32)


def _warm_up_training(hidden: list[int]) -> None:
    mi, X, y = _tiny_network(hidden)
    for n_threads in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
        SGDRunner(mi, SGDConfig(), n_threads).run(np.arange(4), X, y)


def _warm_up_layer_table() -> None:
    """The schedules as a model's layer table calls them from Python (model.py: a manual rate's
    momentum and rate after an integer number of samples)."""
    from h2o_backend.engine.schedules import momentum_at, rate_at
    momentum_at(0.0, 0.0, 1.0, 1)
    rate_at(0.005, 1e-6, 1.0, 0, 1)


def _warm_up_scoring(hidden: list[int]) -> None:
    mi, X, _ = _tiny_network(hidden)
    forward(mi, X, np.zeros(len(hidden) + 2, np.float32), row_mse=True, hidden_layer=len(hidden))
