"""engine/distributions.py against formulas written here on hand-made data: each family's
deviance (H2O-3's hex/DistributionFactory), its weighted mean, the links and their clamps, AUTO
resolved per problem, and the huber delta as a weighted quantile."""
from __future__ import annotations

import math

import numpy as np
import pytest

from h2o_backend.engine import distributions as D

Y = np.array([0.0, 1.0, 2.0, 5.0, 0.5])
MU = np.array([0.4, 1.5, 1.0, 4.0, 0.5])
W = np.array([1.0, 2.0, 0.0, 0.5, 3.0])


def row(family: str, y: float, mu: float, **kw) -> float:
    """One row's deviance, written out for each family."""
    f = math.log(mu)
    if family == "gaussian":
        return (y - mu) ** 2
    if family == "poisson":
        return -2 * (y * f - math.exp(f))
    if family == "gamma":
        return 2 * (y * math.exp(-f) + f)
    if family == "tweedie":
        p = kw["tweedie_power"]
        return 2 * (y ** (2 - p) / ((1 - p) * (2 - p)) - y * math.exp(f * (1 - p)) / (1 - p)
                    + math.exp(f * (2 - p)) / (2 - p))
    if family == "laplace":
        return abs(y - mu)
    if family == "quantile":
        a = kw["quantile_alpha"]
        return a * (y - mu) if y > mu else (1 - a) * (mu - y)
    d = kw["huber_delta"]
    return (y - mu) ** 2 if abs(y - mu) <= d else 2 * d * (abs(y - mu) - d)


CASES = [("gaussian", {}), ("poisson", {}), ("gamma", {}), ("tweedie", {"tweedie_power": 1.3}),
         ("tweedie", {"tweedie_power": 1.8}), ("laplace", {}), ("quantile", {"quantile_alpha": 0.2}),
         ("quantile", {"quantile_alpha": 0.9}), ("huber", {"huber_delta": 0.6})]


@pytest.mark.parametrize("family, kw", CASES)
def test_each_deviance_row_by_row_and_its_weighted_mean(family, kw):
    fam = D.Family(family, **kw)
    expected = np.array([row(family, y, m, **kw) for y, m in zip(Y, MU)])
    np.testing.assert_allclose(D.deviance(fam, Y, MU), expected, rtol=1e-12)
    np.testing.assert_allclose(D.deviance(fam, Y, MU, W), W * expected, rtol=1e-12)
    assert D.mean_deviance(fam, Y, MU, W) == pytest.approx(np.sum(W * expected) / np.sum(W), rel=1e-12)


def test_links_round_trip_and_clamp_as_h2o3():
    mu = np.array([1e-3, 0.5, 7.0])
    for name in ("poisson", "gamma", "tweedie"):
        np.testing.assert_allclose(D.link_inverse(name, D.link(name, mu)), mu, rtol=1e-12)
    np.testing.assert_array_equal(D.link("gaussian", mu), mu)
    assert D.link_inverse("poisson", np.array([100.0]))[0] == 1e19          # exp clamped
    assert D.link("poisson", np.array([0.0]))[0] == -19.0                  # log of 0


def test_auto_resolves_per_problem():
    assert D.resolve("AUTO", "Binomial") == "bernoulli"
    assert D.resolve("AUTO", "Multinomial") == "multinomial"
    assert D.resolve("AUTO", "Regression") == "gaussian"
    assert D.resolve("AUTO", "AutoEncoder") == "gaussian"
    assert D.resolve("poisson", "Regression") == "poisson"


def test_huber_delta_is_h2o3s_interpolated_weighted_quantile_of_absolute_residuals():
    y, mu = np.array([0.0, 0.0, 0.0, 0.0]), np.array([1.0, 2.0, 3.0, 4.0])
    # positions 0..3 hold 1, 2, 3, 4; 0.5 (4 - 1) = 1.5: halfway between 2 and 3
    assert D.huber_delta(y, mu, None, 0.5) == 2.5
    # weights 1, 1, 1, 5: positions 0..7 hold 1, 2, 3, 4, 4, 4, 4, 4; 0.3 * 7 = 2.1: 3 + 0.1 (4 - 3)
    assert D.huber_delta(y, mu, np.array([1.0, 1.0, 1.0, 5.0]), 0.3) == pytest.approx(3.1)
    assert D.huber_delta(y, mu, np.array([1.0, 1.0, 1.0, 5.0]), 0.5) == 4.0   # the heavy row decides
    assert D.huber_delta(y, mu, np.array([1.0, 0.0, 0.0, 0.0]), 0.9) == 1.0   # weight 0 rows are out
    assert D.huber_delta(-y, -mu, np.array([0.0, 2.0, 0.0, 2.0]), 0.9) == pytest.approx(4.0)


@pytest.mark.parametrize("alpha", [0.0, 0.1, 0.37, 0.5, 0.9, 1.0])
def test_weighted_quantile_with_integer_weights_is_the_quantile_of_the_rows_repeated(alpha):
    rng = np.random.default_rng(1)
    values, weights = np.round(rng.random(25) * 4, 1), rng.integers(0, 4, 25)
    repeated = np.repeat(values, weights)
    assert D.weighted_quantile(values, weights.astype(np.float64), alpha) == pytest.approx(np.quantile(repeated, alpha))
    assert D.weighted_quantile(values, None, alpha) == pytest.approx(np.quantile(values, alpha))
