"""Python side of the kernels: settings -> kernel arrays, one compiled call per chunk of rows.

``SGDConfig`` holds the numbers the kernels need (never the parameter object); ``SGDRunner`` owns
the layout, per-thread workspace and RNG seeding of one training run and trains a ModelInfo in
place on chunks of rows; ``forward`` scores a matrix; ``train_local`` trains a copy for a given
number of samples (the unit of multi-node model averaging).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numba
import numpy as np

from h2o_backend.engine import activations as act
from h2o_backend.engine.kernels import layout as lay
from h2o_backend.engine.kernels.layout import sizes
from h2o_backend.engine.kernels.predict import BLOCK, predict_batch
from h2o_backend.engine.kernels.rng import drop_threshold, thread_states
from h2o_backend.engine.kernels.train import hogwild_parallel, hogwild_serial
from h2o_backend.engine.kernels.workspace import Workspace
from h2o_backend.engine.errors import NumericalInstability
from h2o_backend.engine.model_info import ModelInfo

@dataclass
class SGDConfig:
    """Per-sample SGD settings in kernel terms."""
    out_mode: int = act.OUT_SOFTMAX_CE
    optimizer: str = "adadelta"          # adadelta | momentum | sgd
    nesterov: bool = True
    fast_mode: bool = True
    rho: float = 0.99
    epsilon: float = 1e-8
    rate: float = 0.005
    rate_annealing: float = 1e-6
    rate_decay: float = 1.0
    momentum_start: float = 0.0
    momentum_ramp: float = 1e6
    momentum_stable: float = 0.0
    l1: float = 0.0
    l2: float = 0.0
    max_w2: float = float("inf")
    input_dropout: float = 0.0
    hidden_dropout: list[float] = field(default_factory=list)
    seed: int = 0

    @classmethod
    def from_params(cls, p, problem: str) -> "SGDConfig":
        """From effective DeepLearningParameters (H2O names) and the problem type."""
        adaptive = bool(p.adaptive_rate)
        momenta = (not adaptive) and (p.momentum_start != 0 or p.momentum_stable != 0)
        _, with_dropout = act.parse_activation(p.activation)
        hidden = list(p.hidden_dropout_ratios or []) if with_dropout else []
        return cls(out_mode=act.output_mode(problem, p.loss),
                   optimizer="adadelta" if adaptive else ("momentum" if momenta else "sgd"),
                   nesterov=bool(p.nesterov_accelerated_gradient), fast_mode=bool(p.fast_mode),
                   rho=p.rho, epsilon=p.epsilon, rate=p.rate, rate_annealing=p.rate_annealing,
                   rate_decay=p.rate_decay, momentum_start=p.momentum_start,
                   momentum_ramp=p.momentum_ramp, momentum_stable=p.momentum_stable, l1=p.l1, l2=p.l2,
                   max_w2=float(p.max_w2), input_dropout=p.input_dropout_ratio,
                   hidden_dropout=[float(r) for r in hidden], seed=int(p.seed))

    def dropout_arrays(self, n_layers: int) -> tuple[np.ndarray, np.ndarray]:
        """(thresholds int64, ratios float32) per unit layer: input, hidden..., output (0)."""
        hidden = list(self.hidden_dropout) or [0.0] * (n_layers - 1)
        if len(hidden) != n_layers - 1:
            raise ValueError(f"need {n_layers - 1} hidden dropout ratios, got {len(hidden)}")
        ratios = [self.input_dropout] + hidden + [0.0]
        return (np.array([drop_threshold(r) for r in ratios], np.int64),
                np.array(ratios, np.float32))

    def hyper(self, n0: float) -> np.ndarray:
        hp = np.zeros(lay.HP_SIZE, np.float64)
        hp[lay.HP_RHO], hp[lay.HP_EPS] = self.rho, self.epsilon
        hp[lay.HP_RATE], hp[lay.HP_RATE_ANNEALING], hp[lay.HP_RATE_DECAY] = (
            self.rate, self.rate_annealing, self.rate_decay)
        hp[lay.HP_MOM_START], hp[lay.HP_MOM_STABLE], hp[lay.HP_MOM_RAMP] = (
            self.momentum_start, self.momentum_stable, self.momentum_ramp)
        hp[lay.HP_L1], hp[lay.HP_L2], hp[lay.HP_MAX_W2] = self.l1, self.l2, self.max_w2
        hp[lay.HP_N0] = n0
        return hp

    def options(self, stride: int) -> np.ndarray:
        opt = np.zeros(lay.OPT_SIZE, np.int64)
        opt[lay.OPT_OPTIMIZER] = lay.OPTIMIZER_CODES[self.optimizer]
        opt[lay.OPT_NESTEROV] = int(self.nesterov)
        opt[lay.OPT_FAST_MODE] = int(self.fast_mode)
        opt[lay.OPT_OUT_MODE] = self.out_mode
        opt[lay.OPT_STRIDE] = stride
        opt[lay.OPT_RESCALE] = int(np.isfinite(self.max_w2))
        return opt


def _as_targets(n: int, y_cls, y_reg) -> tuple[np.ndarray, np.ndarray]:
    yc = np.zeros(n, np.int32) if y_cls is None else np.ascontiguousarray(y_cls, np.int32)
    yr = np.zeros(n, np.float32) if y_reg is None else np.ascontiguousarray(y_reg, np.float32)
    return yc, yr


class SGDRunner:
    """Trains one ModelInfo in place, one compiled call per chunk of rows."""

    def __init__(self, mi: ModelInfo, cfg: SGDConfig, n_threads: int = 1):
        if mi.optimizer != cfg.optimizer:
            raise ValueError(f"model state is for {mi.optimizer}, settings ask for {cfg.optimizer}")
        self.mi, self.cfg = mi, cfg
        self.n_threads = max(1, int(n_threads))
        self.net = mi.net_table()
        self.drop_thr, self.drop = cfg.dropout_arrays(mi.n_layers)
        self.ws = Workspace.allocate(self.net, self.n_threads)
        self.opt = cfg.options(self.n_threads)
        self.chunks_done = 0    # compiled calls made by this runner

    def run(self, rows: np.ndarray, X: np.ndarray, y_cls=None, y_reg=None) -> None:
        """Train on ``rows`` (indices into X) and add them to the model's sample count.

        Raises NumericalInstability when an output or a bias became non-finite."""
        mi, ws = self.mi, self.ws
        rows = np.ascontiguousarray(rows, np.int64)
        yc, yr = _as_targets(X.shape[0], y_cls, y_reg)
        state = thread_states(self.cfg.seed, mi.processed, self.n_threads)
        ws.status[:] = 0
        kernel = hogwild_parallel if self.n_threads > 1 else hogwild_serial
        prev = numba.get_num_threads()
        try:
            if self.n_threads > 1:
                numba.set_num_threads(min(self.n_threads, numba.config.NUMBA_NUM_THREADS))
            kernel(rows, X, yc, yr, self.net, self.drop_thr, self.drop, mi.w, mi.b, mi.ada_g_w, mi.ada_dx_w,
                   mi.ada_g_b, mi.ada_dx_b, mi.mom_w, mi.mom_b, self.cfg.hyper(mi.processed), self.opt,
                   *ws.arrays(), state, ws.status)
        finally:
            numba.set_num_threads(prev)
        self.chunks_done += 1
        mi.processed += int(rows.size)
        if ws.status.any() or not np.isfinite(mi.b).all():
            mi.unstable = True
            raise NumericalInstability()


# The time bounds of one compiled call before anything was measured, from a pessimistic cost per
# weight and row (a memory-bound update of 3 arrays: ~2-5 ns on an idle x86 core, ~30 ns measured
# with 2 threads on a loaded 2-core machine), so that a REST cancel is served soon even when one
# row takes seconds (a network of 10^8 weights). Later calls are sized from measured times.
SECONDS_PER_WEIGHT_ROW = 30e-9         # training: forward, backward and update of one weight
FORWARD_SECONDS_PER_WEIGHT_ROW = 10e-9  # scoring: forward only
SCORING_SLICE_SECONDS = 0.5


def rows_within(seconds: float, n_weights: int, n_threads: int, per_weight: float = SECONDS_PER_WEIGHT_ROW) -> int:
    """How many rows ``n_threads`` threads train (or score) in about ``seconds``; at least one per thread."""
    per_row = max(1, int(n_weights)) * per_weight
    return max(max(1, int(n_threads)), int(seconds / per_row * max(1, int(n_threads))))


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


def first_slice(n: int, n_weights: int, threads: int) -> tuple[int, float]:
    """(rows, pessimistic seconds) of the first scoring slice: about SCORING_SLICE_SECONDS; rows in
    blocks of BLOCK run in parallel, fewer rows on one thread."""
    per_row = max(1, int(n_weights)) * FORWARD_SECONDS_PER_WEIGHT_ROW
    rows = int(SCORING_SLICE_SECONDS / per_row)
    if rows >= BLOCK:
        rows *= max(1, threads)
        return rows, min(rows, n) * per_row / max(1, threads)
    rows = max(1, rows)
    return rows, min(rows, n) * per_row


class ScoringStopped(Exception):
    """Scoring abandoned between two slices because ``stop()`` became true (a cancel)."""


def train_local(mi: ModelInfo, cfg: SGDConfig, X: np.ndarray, n_samples: int, y_cls=None, y_reg=None,
                n_threads: int = 1, seed: int | None = None) -> ModelInfo:
    """Train a copy of ``mi`` on ``n_samples`` rows of the local shard ``X`` (shuffled epochs);
    returns the new ModelInfo (the input is untouched). The driver averages such copies."""
    local = mi.copy()
    runner = SGDRunner(local, cfg, n_threads)
    rng = np.random.default_rng((cfg.seed if seed is None else seed) & 0xFFFFFFFFFFFFFFFF)
    left = int(n_samples)
    while left > 0:
        order = rng.permutation(X.shape[0])[:left]
        runner.run(order, X, y_cls, y_reg)
        left -= order.size
    return local


def warm_up() -> float:
    """Load (or compile, the first time: ~30 s) every kernel specialisation on a tiny network, so
    the first real training does not wait; returns the seconds it took. The server calls it from
    a background thread at start (cli.py)."""
    t = time.perf_counter()
    X = np.ones((4, 3), np.float32)
    y = np.array([0, 1, 0, 1], np.int32)
    mi = ModelInfo.create([3, 2, 2], act.ACT_RECTIFIER, act.ACT_SOFTMAX, optimizer="adadelta", classifier=True)
    for n_threads in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
        SGDRunner(mi, SGDConfig(), n_threads).run(np.arange(4), X, y)
    forward(mi, X, np.zeros(3, np.float32), row_mse=True, hidden_layer=1)
    _warm_up_batches()
    return time.perf_counter() - t


def _warm_up_batches() -> None:
    """The mini-batch path's kernels (engine/batch_sgd.py): both weight orders, training
    (synchronous and HOGWILD!) and scoring, networks of 1 to 4 hidden layers."""
    from h2o_backend.engine import batch_sgd
    from h2o_backend.engine.kernels.layout import MAJOR_INPUT, MAJOR_UNIT
    X = np.random.default_rng(0).random((256, 300), dtype=np.float32)
    y = (np.arange(256) % 2).astype(np.int32)
    for majors in ([MAJOR_UNIT, MAJOR_INPUT], [MAJOR_INPUT, MAJOR_UNIT]):
        mi = ModelInfo.create([300, 256, 2], act.ACT_RECTIFIER, act.ACT_SOFTMAX, optimizer="adadelta",
                              classifier=True, majors=majors)
        batch_sgd.BatchRunner(mi, SGDConfig(input_dropout=0.1), 1, 256).run(np.arange(256), X, y)
        batch_sgd.forward(mi, X, np.zeros(3, np.float32), row_mse=True, hidden_layer=1)
        batch_sgd.forward(mi, X[:4], np.zeros(3, np.float32))
    threads = min(2, numba.config.NUMBA_NUM_THREADS)
    for depth in range(1, 5):       # the training kernels are compiled per number of layers
        mi = ModelInfo.create([8] + [4] * depth + [2], act.ACT_RECTIFIER, act.ACT_SOFTMAX, optimizer="adadelta",
                              classifier=True)
        for hogwild in (False, True):
            batch_sgd.BatchRunner(mi, SGDConfig(), threads, 16, hogwild=hogwild).run(np.arange(32), X[:32, :8].copy(),
                                                                                    y[:32])
