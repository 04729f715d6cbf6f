"""SGDConfig: the training settings in kernel terms, shared by the per-sample path (sgd.py) and
the mini-batch path (batch_sgd.py); it builds the kernels' named structures (kernels/structs.py).

Distributions (H2O-3 names, lowercased): "AUTO" keeps the problem's default (softmax with the
effective loss for classifiers, gaussian ``y - f`` for regression, squared reconstruction error for
autoencoders); "bernoulli" (binomial) and "multinomial" are the softmax CrossEntropy case;
regression takes "gaussian", "poisson", "gamma", "tweedie" (``tweedie_power`` in (1, 2)),
"laplace", "quantile" (``quantile_alpha`` in [0, 1]) and "huber" (``huber_delta``, the residual at
which the signal is clipped: 1 until the training loop sets it from ``huber_alpha``, as H2O-3's
DeepLearning does after each scoring). The signal formulas: kernels/loss.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from h2o_backend.engine import activations as act
from h2o_backend.engine.kernels import layout as lay
from h2o_backend.engine.kernels.loss import DIST_TWEEDIE, distribution_code
from h2o_backend.engine.kernels.rng import drop_threshold, dropout_keys
from h2o_backend.engine.kernels.structs import Dropout, Settings, make_settings
from h2o_backend.engine.model_info import optimizer_for

_PROBLEMS = {act.OUT_SOFTMAX_CE: "Multinomial", act.OUT_SOFTMAX_MSE: "Multinomial",
             act.OUT_REGRESSION: "Regression", act.OUT_AUTOENCODER: "AutoEncoder"}


@dataclass
class SGDConfig:
    """Training settings in kernel terms (never the parameter object)."""
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
    distribution: str = "AUTO"
    tweedie_power: float = 1.5
    quantile_alpha: float = 0.5
    huber_alpha: float = 0.9
    huber_delta: float = 1.0

    @classmethod
    def from_params(cls, p, problem: str) -> "SGDConfig":
        """From effective DeepLearningParameters (H2O names) and the problem type."""
        ratios = act.dropout_ratios(p.activation, p.input_dropout_ratio, p.hidden_dropout_ratios, len(p.hidden))
        return cls(out_mode=act.output_mode(problem, p.loss), optimizer=optimizer_for(p),
                   nesterov=bool(p.nesterov_accelerated_gradient), fast_mode=bool(p.fast_mode),
                   rho=p.rho, epsilon=p.epsilon, rate=p.rate, rate_annealing=p.rate_annealing,
                   rate_decay=p.rate_decay, momentum_start=p.momentum_start,
                   momentum_ramp=p.momentum_ramp, momentum_stable=p.momentum_stable, l1=p.l1, l2=p.l2,
                   max_w2=float(p.max_w2), input_dropout=ratios[0], hidden_dropout=ratios[1:-1],
                   seed=int(p.seed), distribution=str(getattr(p, "distribution", "AUTO")),
                   tweedie_power=float(getattr(p, "tweedie_power", 1.5)),
                   quantile_alpha=float(getattr(p, "quantile_alpha", 0.5)),
                   huber_alpha=float(getattr(p, "huber_alpha", 0.9)))

    @property
    def problem(self) -> str:
        return _PROBLEMS[self.out_mode]

    def dist_code(self) -> int:
        """The distribution's kernel code; ValueError naming a distribution or parameter the
        kernels do not train."""
        code = distribution_code(self.distribution, self.problem)
        if code == DIST_TWEEDIE and not 1.0 < self.tweedie_power < 2.0:
            raise ValueError(f"tweedie_power must be in (1, 2), got {self.tweedie_power}")
        if not 0.0 <= self.quantile_alpha <= 1.0:
            raise ValueError(f"quantile_alpha must be in [0, 1], got {self.quantile_alpha}")
        if not 0.0 <= self.huber_alpha <= 1.0:
            raise ValueError(f"huber_alpha must be in [0, 1], got {self.huber_alpha}")
        if not self.huber_delta >= 0.0:
            raise ValueError(f"huber_delta must be >= 0, got {self.huber_delta}")
        return code

    def settings(self) -> Settings:
        """The kernels' Settings structure."""
        optimizer = lay.OPTIMIZER_CODES[self.optimizer]
        return make_settings(optimizer=optimizer, nesterov=self.nesterov, fast_mode=self.fast_mode,
                             out_mode=self.out_mode, dist=self.dist_code(), rho=self.rho, eps=self.epsilon,
                             l1=self.l1, l2=self.l2, max_w2=self.max_w2, tweedie_power=self.tweedie_power,
                             quantile_alpha=self.quantile_alpha, huber_delta=self.huber_delta, rate=self.rate,
                             rate_annealing=self.rate_annealing, rate_decay=self.rate_decay,
                             momentum_start=self.momentum_start, momentum_stable=self.momentum_stable,
                             momentum_ramp=self.momentum_ramp,
                             plain_sgd=optimizer == lay.OPTIM_SGD and self.l1 == 0 and self.l2 == 0)

    def drop_ratios(self, n_layers: int) -> np.ndarray:
        """Dropout ratio per unit layer (input, hidden..., output 0), float32."""
        hidden = list(self.hidden_dropout) or [0.0] * (n_layers - 1)
        if len(hidden) != n_layers - 1:
            raise ValueError(f"need {n_layers - 1} hidden dropout ratios, got {len(hidden)}")
        return np.array([self.input_dropout] + hidden + [0.0], np.float32)

    def dropout(self, n_layers: int) -> Dropout:
        """The kernels' Dropout structure: the seed's keys and each unit layer's threshold."""
        key_in, key_hid = dropout_keys(self.seed)
        thr = np.array([drop_threshold(float(r)) for r in self.drop_ratios(n_layers)], np.int64)
        return Dropout(key_in=key_in, key_hid=key_hid, thr=thr)

    def check_offsets(self, offsets) -> None:
        """Offsets are defined for regression only (H2O-3: "Offset is only supported for regression")."""
        if offsets is not None and self.out_mode != act.OUT_REGRESSION and np.any(np.asarray(offsets) != 0):
            raise ValueError("offset_column is only supported for regression")
