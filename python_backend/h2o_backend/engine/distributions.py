"""H2O-3's model families outside the kernels: the effective distribution, link functions,
deviances (hex/DistributionFactory), the huber delta, all vectorised NumPy over rows. The
kernels' output signals (the negative half gradients) are kernels/loss.py's.

- ``resolve``: AUTO is bernoulli for 2 classes, multinomial for more, gaussian for regression
  and autoencoders (H2O-3's ModelBuilder);
- links: identity (gaussian, laplace, quantile, huber), log (poisson, gamma, tweedie); H2O-3's
  LogExpUtil clamps: exp at 1e19, log of x <= 0 at -19;
- ``deviance(family, y, mu, w)`` per row with ``mu`` the prediction on the response scale:
  gaussian ``w (y - mu)^2``; poisson ``-2 w (y f - exp f)``; gamma ``2 w (y exp(-f) + f)``; tweedie
  (power p) ``2 w (y^(2-p)/((1-p)(2-p)) - y exp(f(1-p))/(1-p) + exp(f(2-p))/(2-p))``, f = log mu;
  laplace ``w |y - mu|``; quantile (alpha) ``w alpha (y - mu)`` when y > mu, else
  ``w (1 - alpha)(mu - y)``; huber (delta) ``w (y - mu)^2`` when ``|y - mu| <= delta``, else
  ``2 w delta (|y - mu| - delta)``. ``mean_deviance`` = sum / sum of weights
  (ModelMetricsRegression's mean_residual_deviance);
- ``huber_delta``: the ``huber_alpha`` weighted quantile of ``|y - mu|`` (H2O-3's deep learning
  sets it so after every scoring of the training frame, by MathUtils.computeWeightedQuantile:
  H2O-3's interpolated quantile, ``weighted_quantile``).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

LOG_LINK_FAMILIES = ("poisson", "gamma", "tweedie")
REGRESSION_FAMILIES = ("gaussian", "poisson", "gamma", "tweedie", "laplace", "quantile", "huber")
CLASSIFIER_FAMILIES = ("bernoulli", "multinomial")
EXP_MAX = 1e19
LOG_MIN = -19.0


@dataclass(frozen=True)
class Family:
    """A family with its parameters. ``huber_alpha`` (None: not known) makes the metrics of a
    frame use the delta of that frame's own residuals, as H2O-3's huber metrics do; without it
    ``huber_delta`` is used."""
    name: str = "gaussian"
    tweedie_power: float = 1.5
    quantile_alpha: float = 0.5
    huber_delta: float = 1.0
    huber_alpha: float | None = None


def family_of(params, huber_delta: float = 1.0) -> Family:
    """The Family of (effective) parameters; ``huber_delta`` as last set during training."""
    return Family(str(getattr(params, "distribution", "gaussian")).lower(),
                  float(getattr(params, "tweedie_power", 1.5)), float(getattr(params, "quantile_alpha", 0.5)),
                  float(huber_delta), float(getattr(params, "huber_alpha", 0.9)))


def resolve(distribution: str, problem: str) -> str:
    """H2O-3's effective distribution for a problem (engine/problems.py PROBLEMS)."""
    if str(distribution) != "AUTO":
        return str(distribution)
    return {"Binomial": "bernoulli", "Multinomial": "multinomial"}.get(problem, "gaussian")


def uses_log_link(name: str) -> bool:
    return name in LOG_LINK_FAMILIES


def safe_exp(x):
    return np.minimum(EXP_MAX, np.exp(np.asarray(x, np.float64)))


def safe_log(x):
    x = np.maximum(0.0, np.asarray(x, np.float64))
    with np.errstate(divide="ignore"):
        return np.where(x == 0, LOG_MIN, np.maximum(LOG_MIN, np.log(np.where(x == 0, 1.0, x))))


def link(name: str, mu):
    return safe_log(mu) if uses_log_link(name) else np.asarray(mu, np.float64)


def link_inverse(name: str, f):
    return safe_exp(f) if uses_log_link(name) else np.asarray(f, np.float64)


def deviance(family: Family, y, mu, weights=None) -> np.ndarray:
    """Per-row deviance (see the module doc); ``mu`` on the response scale."""
    y = np.asarray(y, np.float64)
    mu = np.asarray(mu, np.float64)
    w = np.ones_like(y) if weights is None else np.asarray(weights, np.float64)
    name = family.name
    if name in ("gaussian", "AUTO", "auto"):
        return w * (y - mu) ** 2
    if name == "poisson":
        f = safe_log(mu)
        return -2.0 * w * (y * f - safe_exp(f))
    if name == "gamma":
        f = safe_log(mu)
        return 2.0 * w * (y * safe_exp(-f) + f)
    if name == "tweedie":
        p, f = family.tweedie_power, safe_log(mu)
        return 2.0 * w * (np.power(y, 2 - p) / ((1 - p) * (2 - p)) - y * safe_exp(f * (1 - p)) / (1 - p)
                          + safe_exp(f * (2 - p)) / (2 - p))
    if name == "laplace":
        return w * np.abs(y - mu)
    if name == "quantile":
        a = family.quantile_alpha
        return np.where(y > mu, w * a * (y - mu), w * (1 - a) * (mu - y))
    if name == "huber":
        d, r = family.huber_delta, np.abs(y - mu)
        return np.where(r <= d, w * r * r, 2.0 * w * (r - d) * d)
    raise ValueError(f"no deviance for distribution {name!r}")


def mean_deviance(family: Family, y, mu, weights=None) -> float:
    """Sum of the rows' deviances over the sum of their weights (NaN without weight); huber with
    ``huber_alpha``: the delta of these rows' residuals (``for_rows``)."""
    family = for_rows(family, y, mu, weights)
    w = np.ones(np.shape(y)) if weights is None else np.asarray(weights, np.float64)
    total = float(np.sum(w))
    return float(np.sum(deviance(family, y, mu, w)) / total) if total > 0 else float("nan")


def for_rows(family: Family, y, mu, weights=None) -> Family:
    """The family whose deviance H2O-3 reports for these rows: huber with a known ``huber_alpha``
    takes the delta of the rows' own residuals (ModelMetricsRegression computes it from the
    scored frame's predictions); every other family is unchanged."""
    if family.name != "huber" or family.huber_alpha is None:
        return family
    w = None if weights is None else np.asarray(weights, np.float64)
    return replace(family, huber_delta=huber_delta(y, mu, w, family.huber_alpha))


def weighted_quantile(values, weights, alpha: float) -> float:
    """H2O-3's quantile (hex/quantile, combine_method INTERPOLATE) of ``values`` with row weights:
    each value fills as many row positions as its weight, in ascending order; with W the total
    weight the quantile sits at position alpha (W - 1), interpolated between the values at the
    positions on either side (unit weights: R's type 7). NaN values and rows of weight 0 are out."""
    v = np.asarray(values, np.float64)
    w = np.ones_like(v) if weights is None else np.asarray(weights, np.float64)
    keep = ~np.isnan(v) & (w != 0)
    v, w = v[keep], w[keep]
    if v.size == 0:
        return float("nan")
    order = np.argsort(v, kind="stable")
    v, cum = v[order], np.cumsum(w[order])
    position = alpha * (cum[-1] - 1.0)
    low_row = float(np.trunc(position))
    lo, hi = (v[min(v.size - 1, int(np.searchsorted(cum, row, side="right")))] for row in (low_row, low_row + 1.0))
    return float(lo) if lo == hi else float(lo + (hi - lo) * (position - low_row))


def huber_delta(y, mu, weights, alpha: float) -> float:
    """The huber_alpha weighted quantile of the absolute residuals (``weighted_quantile``)."""
    return weighted_quantile(np.abs(np.asarray(y, np.float64) - np.asarray(mu, np.float64)), weights, alpha)
