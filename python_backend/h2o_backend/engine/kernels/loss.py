"""The output layer's error signal, written once for both training paths: per loss/distribution,
per-row weights and offsets.

Sign convention as H2O: the signal is "target minus output" (minus the gradient of the loss with
respect to the output column's pre-activation), so updates add.

- Classification (softmax): CrossEntropy ``t - p``; MeanSquare H2O's ``(t - p)(1 - p) p``
  (bernoulli and multinomial are the CrossEntropy case: the same gradient of the log-likelihood).
- Autoencoder: ``(x - a) * da/dz`` (the reconstruction's squared error).
- Regression: the output unit is linear in the distribution's link space; with the row's offset
  ``o`` the network's value is ``f = z + o`` (the prediction is ``linkInv(f)``), and the signal is
  H2O-3's *negative half gradient* of the distribution's deviance with respect to f
  (hex/DistributionFactory.java ``negHalfGradient``):
  gaussian ``y - f``; poisson ``y - exp(f)``; gamma ``y exp(-f) - 1``;
  tweedie (power p) ``y exp(f (1-p)) - exp(f (2-p))``; laplace ``+-1/2`` (``-1/2`` when f > y);
  quantile (alpha) ``alpha/2`` when y > f, else ``(alpha-1)/2``; huber (delta) ``y - f`` when
  ``|y - f| <= delta``, else ``+-delta`` (``-delta`` when f >= y). ``exp`` is clamped at 1e19 as
  H2O-3's LogExpUtil. So with plain SGD at rate r a weight moves by ``-r/2 d(deviance)/dw``.
  H2O-3's DeepLearning itself steps with ``-2 * negHalfGradient`` (Neurons.Linear), i.e. twice
  this signal: the same direction, its rate halved here (the legacy MeanSquare regression, which
  "AUTO" and "gaussian" keep, is ``y - f``). Huber's delta is a setting: H2O-3's DeepLearning starts
  at 1 and sets it after each scoring to the huber_alpha quantile of |y - prediction| on the
  training frame (the caller's job: SGDRunner/BatchRunner ``set_huber_delta``).
- Row weights multiply the signal (``weight * signal``): with plain SGD a weight of 2 trains as
  the row written twice in a row. (H2O-3's DeepLearning instead samples rows with probability
  proportional to their weight, FrameTask; in expectation the same step.) The per-sample path skips
  a row of weight 0 (no update at all, as H2O-3 never trains such rows); in a mini-batch its
  signal is 0 (the batch's own L1/L2 pull and, without fast_mode, ADADELTA's decay still apply).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from h2o_backend.engine.activations import OUT_REGRESSION, OUT_SOFTMAX_CE, OUT_SOFTMAX_MSE
from h2o_backend.engine.kernels.act import output_derivative
from h2o_backend.engine.problems import CLASSIFICATION

JIT = dict(cache=True, fastmath=True, error_model="numpy", _nrt=False)
_ZERO = np.float32(0.0)
_ONE = np.float32(1.0)
_HALF = np.float32(0.5)
_EXP_MAX = np.float32(1e19)

# distribution codes of the regression signal (kernels dispatch on them)
DIST_GAUSSIAN, DIST_POISSON, DIST_GAMMA, DIST_TWEEDIE, DIST_LAPLACE, DIST_QUANTILE, DIST_HUBER = range(7)
REGRESSION_DISTRIBUTIONS = {"gaussian": DIST_GAUSSIAN, "poisson": DIST_POISSON, "gamma": DIST_GAMMA,
                            "tweedie": DIST_TWEEDIE, "laplace": DIST_LAPLACE, "quantile": DIST_QUANTILE,
                            "huber": DIST_HUBER}
CLASSIFIER_DISTRIBUTIONS = ("bernoulli", "multinomial")
LOG_LINK = (DIST_POISSON, DIST_GAMMA, DIST_TWEEDIE)


def distribution_code(name: str, problem: str) -> int:
    """Kernel code of a distribution name (H2O-3's, lowercased; "AUTO" = gaussian for regression
    and autoencoders)
    for a problem type; ValueError naming it when the kernels do not train it for that problem."""
    key = str(name).lower()
    if problem == "Regression":
        if key == "auto":
            return DIST_GAUSSIAN
        if key in REGRESSION_DISTRIBUTIONS:
            return REGRESSION_DISTRIBUTIONS[key]
    elif problem in CLASSIFICATION:
        if key == "auto" or key in CLASSIFIER_DISTRIBUTIONS:
            return DIST_GAUSSIAN      # unused: the softmax loss decides (bernoulli vs 2 classes: the caller's check)
    elif key in ("auto", "gaussian"):
        return DIST_GAUSSIAN          # autoencoder: squared reconstruction error
    raise ValueError(f"distribution {name!r} is not supported for a {problem} model")


@njit(**JIT)
def _exp(x):
    v = np.exp(x)
    return v if v < _EXP_MAX else _EXP_MAX


@njit(**JIT)
def neg_half_gradient(dist, y, f, power, q_alpha, delta):
    """H2O-3's negative half gradient of the deviance of target ``y`` at link-space value ``f``."""
    if dist == DIST_GAUSSIAN:
        return y - f
    if dist == DIST_POISSON:
        return y - _exp(f)
    if dist == DIST_GAMMA:
        return y * _exp(-f) - _ONE
    if dist == DIST_TWEEDIE:
        return y * _exp(f * (_ONE - power)) - _exp(f * (np.float32(2.0) - power))
    if dist == DIST_LAPLACE:
        return -_HALF if f > y else _HALF
    if dist == DIST_QUANTILE:
        return _HALF * q_alpha if y > f else _HALF * (q_alpha - _ONE)
    # huber
    d = y - f
    if abs(d) <= delta:
        return d
    return -delta if f >= y else delta


@njit(**JIT)
def output_signals(s, out_act, a, g, n_out, x, y_cls, y_reg, weight, offset, scale):
    """g[:n_out] = the output columns' signals of one row times ``weight * scale`` (``scale``: 1 in
    the per-sample path, 1 / batch size in the mini-batch path); ``a`` the output activations,
    ``x`` the input row (autoencoder), ``y_cls``/``y_reg`` the targets, ``offset`` the row's offset
    (regression). ``s``: the kernels' settings (structs.Settings)."""
    mode = s.out_mode
    ws = np.float32(weight) * scale
    if mode == OUT_SOFTMAX_CE:
        for c in range(n_out):
            t = _ONE if c == y_cls else _ZERO
            g[c] = (t - a[c]) * ws
    elif mode == OUT_SOFTMAX_MSE:
        for c in range(n_out):
            t = _ONE if c == y_cls else _ZERO
            g[c] = (t - a[c]) * (_ONE - a[c]) * a[c] * ws
    elif mode == OUT_REGRESSION:
        f = a[0] + np.float32(offset)
        g[0] = neg_half_gradient(s.dist, np.float32(y_reg), f, s.tweedie_power, s.quantile_alpha,
                                 s.huber_delta) * ws
    else:  # autoencoder: reconstruction error times the output activation's derivative
        for c in range(n_out):
            g[c] = (x[c] - a[c]) * output_derivative(out_act, a[c]) * ws
