"""H2O-3's early-stopping rule (engine/stopping.py, after hex.ScoreKeeper): moving averages of
length k over the last 2k scorings against the first of them."""
from __future__ import annotations

import math

from h2o_backend.engine import stopping


def test_needs_2k_plus_one_scorings():
    flat = [1.0] * 4
    assert not stopping.stop_early(flat, 2, 0.0, more_is_better=False)     # 4 - 1 < 2k
    assert stopping.stop_early(flat + [1.0], 2, 0.0, more_is_better=False)  # no improvement at all


def test_improving_values_keep_training_and_tolerance_is_relative():
    falling = [1.0, 0.9, 0.8, 0.7, 0.6]
    # averages over the last 4: (0.85, 0.75, 0.65): 0.65 < 0.85 * (1 - 0.2) = 0.68 -> improved
    assert not stopping.stop_early(falling, 2, 0.2, more_is_better=False)
    # with a 30% tolerance the same improvement is not enough: 0.65 > 0.85 * 0.7
    assert stopping.stop_early(falling, 2, 0.3, more_is_better=False)


def test_more_is_better_metrics():
    rising_auc = [0.5, 0.6, 0.7, 0.8, 0.9]
    assert not stopping.stop_early(rising_auc, 2, 0.0, more_is_better=True)
    assert stopping.stop_early(list(reversed(rising_auc)), 2, 0.0, more_is_better=True)


def test_k_zero_and_nan_never_stop():
    assert not stopping.stop_early([1.0] * 10, 0, 0.0, more_is_better=False)
    assert not stopping.stop_early([1.0, math.nan, 1.0, 1.0, 1.0], 2, 0.0, more_is_better=False)


def test_auto_metric_follows_the_problem():
    assert stopping.resolve_metric("AUTO", "Binomial") == "logloss"
    assert stopping.resolve_metric("AUTO", "Regression") == "deviance"
    assert stopping.resolve_metric("AUTO", "AutoEncoder") == "MSE"
    assert stopping.resolve_metric("AUC", "Binomial") == "AUC"


def test_metric_values_are_read_from_the_metrics():
    metrics = {"logloss": 0.4, "mean_residual_deviance": 2.0, "pr_auc": 0.7, "classification_error": 0.1}
    assert stopping.metric_value(metrics, "logloss") == 0.4
    assert stopping.metric_value(metrics, "deviance") == 2.0
    assert stopping.metric_value(metrics, "AUCPR") == 0.7
    assert stopping.metric_value(metrics, "misclassification") == 0.1
    assert math.isnan(stopping.metric_value(metrics, "RMSE"))


def test_custom_metrics_read_the_custom_value_in_their_direction():
    metrics = {"custom_metric_name": "mine", "custom_metric_value": 3.5, "MSE": 1.0}
    assert stopping.metric_value(metrics, "custom") == 3.5
    assert stopping.metric_value(metrics, "custom_increasing") == 3.5
    assert "custom_increasing" in stopping.MORE_IS_BETTER and "custom" not in stopping.MORE_IS_BETTER
    assert math.isnan(stopping.metric_value({"MSE": 1.0}, "custom"))


def test_the_rule_is_a_ratio_with_h2o3s_sign_checks():
    # averages of mixed signs never stop (a custom metric may cross 0)
    assert not stopping.stop_early([1.0, 1.0, -1.0, -1.0, -1.0], 2, 0.0, more_is_better=False)
    # negative values: H2O-3 compares best / reference with 1 - tolerance, which for a reference below 0
    # reads a fall (an improvement where less is better) as no improvement
    assert stopping.stop_early([-1.0, -1.0, -1.0, -2.0, -3.0], 2, 0.1, more_is_better=False)
    assert not stopping.stop_early([-3.0, -3.0, -3.0, -2.0, -1.0], 2, 0.1, more_is_better=False)
    # a metric bounded below by 0 (logloss, MSE, ...) stops once its reference reached 0; others never
    # stop on all-zero averages (0 / 0)
    zeros = [0.0] * 5
    assert stopping.stop_early(zeros, 2, 0.0, more_is_better=False, lower_bound_by_0=True)
    assert not stopping.stop_early(zeros, 2, 0.0, more_is_better=False)
    assert "MSE" in stopping.LOWER_BOUND_BY_0 and "custom" not in stopping.LOWER_BOUND_BY_0
