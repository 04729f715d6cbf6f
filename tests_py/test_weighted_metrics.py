"""Row weights in every metric (engine/metrics/model_metrics.py): integer weights give the
metrics of the rows written that many times, a weight of 0 the metrics without the row; the
regression deviance follows the family."""
from __future__ import annotations

import numpy as np
import pytest

from h2o_backend.engine import distributions as D
from h2o_backend.engine.metrics import model_metrics as M

RNG = np.random.default_rng(4)
N = 60
WEIGHTS = RNG.integers(0, 4, N).astype(np.float64)        # 0..3, zeros included
REPEAT = np.repeat(np.arange(N), WEIGHTS.astype(int))


def _numbers(m: dict, keys) -> dict:
    return {k: m[k] for k in keys}


def test_regression_metrics_with_weights_equal_the_repeated_rows():
    y, pred = RNG.gamma(2.0, 2.0, N), RNG.gamma(2.0, 2.0, N)
    for family in (None, D.Family("poisson"), D.Family("gamma"), D.Family("tweedie", tweedie_power=1.4),
                   D.Family("laplace"), D.Family("quantile", quantile_alpha=0.3), D.Family("huber", huber_delta=1.0)):
        weighted = M.regression_metrics(y, pred, weights=WEIGHTS, family=family)
        repeated = M.regression_metrics(y[REPEAT], pred[REPEAT], family=family)
        for key in ("MSE", "RMSE", "mae", "rmsle", "mean_residual_deviance", "r2"):
            assert weighted[key] == pytest.approx(repeated[key], rel=1e-10), (family, key)
    assert weighted["nobs"] == np.count_nonzero(WEIGHTS)


def test_regression_deviance_is_the_familys():
    y, pred = np.array([1.0, 2.0, 4.0]), np.array([1.5, 2.0, 3.0])
    m = M.regression_metrics(y, pred, family=D.Family("poisson"))
    assert m["mean_residual_deviance"] == pytest.approx(np.mean(-2 * (y * np.log(pred) - pred)))
    assert M.regression_metrics(y, pred)["mean_residual_deviance"] == pytest.approx(m["MSE"])


def _probs(k: int) -> np.ndarray:
    raw = RNG.random((N, k)) + 0.05
    return raw / raw.sum(axis=1, keepdims=True)


def test_binomial_metrics_with_weights_equal_the_repeated_rows():
    y, probs = RNG.integers(0, 2, N), _probs(2)
    weighted = M.binomial_metrics(y, probs, ["a", "b"], weights=WEIGHTS)
    repeated = M.binomial_metrics(y[REPEAT], probs[REPEAT], ["a", "b"])
    for key in ("MSE", "logloss", "r2", "AUC", "pr_auc", "Gini", "classification_error", "mean_per_class_error",
                "threshold"):
        assert weighted[key] == pytest.approx(repeated[key], rel=1e-10), key
    assert weighted["cm"]["table"]["data"] == repeated["cm"]["table"]["data"]


@pytest.mark.parametrize("groups", [4, 10, 16])
def test_gains_lift_with_weights_equals_the_repeated_rows(groups):
    y = RNG.integers(0, 2, N)
    p1 = np.round(RNG.random(N), 1)                        # ties across rows
    probs = np.column_stack((1 - p1, p1))
    weighted = M.binomial_metrics(y, probs, ["a", "b"], weights=WEIGHTS, gains_lift_groups=groups)
    repeated = M.binomial_metrics(y[REPEAT], probs[REPEAT], ["a", "b"], gains_lift_groups=groups)
    w_table, r_table = weighted["gains_lift_table"], repeated["gains_lift_table"]
    assert w_table["rowcount"] == r_table["rowcount"]
    for w_col, r_col in zip(w_table["data"], r_table["data"]):
        assert w_col == pytest.approx(r_col, rel=1e-12)
    assert w_table["description"] == r_table["description"]
    assert weighted["lift_top_group"] == pytest.approx(repeated["lift_top_group"])


def test_multinomial_metrics_with_weights_equal_the_repeated_rows():
    y, probs = RNG.integers(0, 3, N), _probs(3)
    weighted = M.multinomial_metrics(y, probs, ["a", "b", "c"], weights=WEIGHTS)
    repeated = M.multinomial_metrics(y[REPEAT], probs[REPEAT], ["a", "b", "c"])
    for key in ("MSE", "logloss", "classification_error", "mean_per_class_error"):
        assert weighted[key] == pytest.approx(repeated[key], rel=1e-10), key
    assert weighted["hit_ratio_table"]["data"][1] == pytest.approx(repeated["hit_ratio_table"]["data"][1])


def test_a_weight_of_zero_is_the_row_removed():
    y, probs = RNG.integers(0, 2, N), _probs(2)
    w = np.ones(N)
    w[:7] = 0
    with_zero = M.binomial_metrics(y, probs, ["a", "b"], weights=w)
    removed = M.binomial_metrics(y[7:], probs[7:], ["a", "b"])
    assert _numbers(with_zero, ("MSE", "AUC", "logloss", "nobs")) == _numbers(removed, ("MSE", "AUC", "logloss", "nobs"))
    row_mse = RNG.random(N)
    assert M.autoencoder_metrics(row_mse, weights=w) == M.autoencoder_metrics(row_mse[7:])


def test_huber_metrics_take_the_delta_of_the_frames_own_residuals():
    """H2O-3's huber mean_residual_deviance: delta = the huber_alpha quantile of this frame's
    |y - pred| (weighted), whatever delta training last used."""
    y, pred = RNG.normal(size=N) * 3, RNG.normal(size=N)
    family = D.Family("huber", huber_delta=100.0, huber_alpha=0.8)
    weighted = M.regression_metrics(y, pred, weights=WEIGHTS, family=family)
    repeated = M.regression_metrics(y[REPEAT], pred[REPEAT], family=family)
    assert weighted["mean_residual_deviance"] == pytest.approx(repeated["mean_residual_deviance"], rel=1e-12)
    r = np.abs(y[REPEAT] - pred[REPEAT])
    delta = np.quantile(r, 0.8)
    expected = np.mean(np.where(r <= delta, r * r, 2 * delta * (r - delta)))
    assert repeated["mean_residual_deviance"] == pytest.approx(expected, rel=1e-12)
    fixed = M.regression_metrics(y, pred, family=D.Family("huber", huber_delta=100.0))
    assert fixed["mean_residual_deviance"] == pytest.approx(fixed["MSE"])     # no alpha: the given delta


def test_rmsle_follows_ieee_arithmetic_as_h2o3():
    y = np.array([0.0, 1.0, 3.0])
    assert M.regression_metrics(y, np.array([0.5, 1.0, 2.0]))["rmsle"] == pytest.approx(
        np.sqrt(np.mean((np.log1p([0.5, 1.0, 2.0]) - np.log1p(y)) ** 2)))
    assert np.isnan(M.regression_metrics(y, np.array([-1.5, 1.0, 2.0]))["rmsle"])     # log1p below -1
    assert M.regression_metrics(y, np.array([-1.0, 1.0, 2.0]))["rmsle"] == np.inf      # log1p(-1) = -inf
