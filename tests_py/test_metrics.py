"""Model metrics against hand-computed values and brute-force references (no sklearn): AUC with
ties, PR AUC, threshold criteria, confusion-matrix layout, logloss / MSE / r2, hit ratios,
regression and autoencoder metrics, tables."""
from __future__ import annotations

import math

import numpy as np
import pytest

from h2o_backend.engine.metrics import auc
from h2o_backend.engine.metrics import model_metrics as metrics
from h2o_backend.engine.metrics.tables import table_column, two_dim_table

Y4 = np.array([0, 0, 1, 1])
P4 = np.array([0.1, 0.4, 0.35, 0.8])


def probs2(p1):
    p1 = np.asarray(p1, dtype=np.float64)
    return np.column_stack([1 - p1, p1])


def row(table, i):
    return {c["name"]: col[i] for c, col in zip(table["columns"], table["data"])}


# ----------------------------------------------------------------------------- binomial
def test_binomial_known_case():
    m = metrics.binomial_metrics(Y4, probs2(P4), ["0", "1"])
    assert m["AUC"] == pytest.approx(0.75) and m["Gini"] == pytest.approx(0.5)
    assert m["nobs"] == 4 and m["domain"] == ["0", "1"]
    assert m["MSE"] == pytest.approx((0.1 ** 2 + 0.4 ** 2 + 0.65 ** 2 + 0.2 ** 2) / 4)
    assert m["RMSE"] == pytest.approx(math.sqrt(m["MSE"]))
    assert m["logloss"] == pytest.approx(-np.mean(np.log([0.9, 0.6, 0.35, 0.8])))
    assert m["r2"] == pytest.approx(1 - m["MSE"] / 0.25)
    assert m["threshold"] == pytest.approx(0.35)                        # max F1 = 0.8 there
    assert m["default_threshold"] == pytest.approx((0.35 + 0.1) / 2)    # midway to the next probability
    assert m["classification_error"] == pytest.approx(0.25)
    assert m["mean_per_class_error"] == pytest.approx(0.25)
    assert metrics.summary(m) == {"classification_error": pytest.approx(0.25), "mse": pytest.approx(m["MSE"])}


def test_thresholds_table_row_matches_hand_counts():
    m = metrics.binomial_metrics(Y4, probs2(P4), ["0", "1"])
    t = m["thresholds_and_metric_scores"]
    names = [c["name"] for c in t["columns"]]
    assert names == ["threshold", *auc.CRITERIA, "idx"] and t["rowcount"] == 4
    assert table_column(t, "threshold") == pytest.approx([0.8, 0.4, 0.35, 0.1])
    r = row(t, 2)
    expected = dict(threshold=0.35, tps=2, fps=1, tns=1, fns=0, precision=2 / 3, recall=1.0, specificity=0.5,
                    accuracy=0.75, f1=0.8, f2=10 / 11, f0point5=5 / 7, absolute_mcc=2 / math.sqrt(12),
                    min_per_class_accuracy=0.5, mean_per_class_accuracy=0.75, tnr=0.5, fnr=0.0, fpr=0.5,
                    tpr=1.0, idx=2)
    for k, v in expected.items():
        assert r[k] == pytest.approx(v), k
    assert isinstance(r["tps"], int) and isinstance(r["idx"], int)


def test_max_criteria_table():
    m = metrics.binomial_metrics(Y4, probs2(P4), ["0", "1"])
    t = m["max_criteria_and_metric_scores"]
    assert [c["name"] for c in t["columns"]] == ["metric", "threshold", "value", "idx"]
    assert table_column(t, "metric") == [f"max {c}" for c in auc.MAX_CRITERIA]
    best = {r: (th, v, i) for r, th, v, i in zip(*t["data"])}
    assert best["max f1"] == (pytest.approx(0.35), pytest.approx(0.8), 2)
    assert best["max precision"] == (pytest.approx(0.8), pytest.approx(1.0), 0)   # first threshold reaching 1
    assert best["max recall"][2] == 2 and best["max specificity"][2] == 0


def test_confusion_matrix_layout_at_max_f1():
    m = metrics.binomial_metrics(Y4, probs2(P4), ["no", "yes"])
    t = m["cm"]["table"]
    assert t["name"] == "Confusion Matrix" and t["description"] == "vertical: actual; across: predicted"
    assert [c["name"] for c in t["columns"]] == ["no", "yes", "Error", "Rate"]
    assert [c["type"] for c in t["columns"]] == ["long", "long", "double", "string"]
    assert t["rowcount"] == 3                                           # actual classes + Totals
    assert t["data"][0] == [1, 0, 1] and t["data"][1] == [1, 2, 3]
    assert t["data"][2] == pytest.approx([0.5, 0.0, 0.25])
    assert t["data"][3] == ["1 / 2", "0 / 2", "1 / 4"]


def test_rate_uses_thousands_separators():
    t = metrics.confusion_matrix_table(np.array([[1500.0, 2.0], [3.0, 4000.0]]), ["a", "b"])
    assert table_column(t, "Rate") == ["2 / 1,502", "3 / 4,003", "5 / 5,505"]
    assert table_column(t, "Error")[2] == pytest.approx(5 / 5505)


def brute_auc(y, p):
    pos, neg = p[y == 1], p[y == 0]
    diff = pos[:, None] - neg[None, :]
    return float(np.mean((diff > 0) + 0.5 * (diff == 0)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auc_is_exact_with_ties(seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 300)
    p = np.round(np.clip(0.3 * y + rng.random(300) * 0.7, 0, 1), 1)     # many ties
    curve = auc.threshold_curve(y, p)
    assert curve.auc() == pytest.approx(brute_auc(y, p), abs=1e-12)
    assert curve.size == np.unique(p).size


def numeric_pr_auc(curve, steps=20000):
    """Integrate precision over recall along straight (tp, fp) segments, as H2O-3 interpolates."""
    area, tp0, fp0 = 0.0, 0.0, 0.0
    for tp, fp in zip(curve.tps, curve.fps):
        if tp > tp0:
            t = tp0 + (np.arange(steps) + 0.5) / steps * (tp - tp0)
            f = fp0 + (t - tp0) * (fp - fp0) / (tp - tp0)
            area += float(np.mean(t / (t + f))) * (tp - tp0) / curve.p
        tp0, fp0 = tp, fp
    return area


def test_pr_auc_matches_the_interpolated_curve():
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 200)
    p = np.round(np.clip(0.25 * y + rng.random(200) * 0.75, 0, 1), 2)
    curve = auc.threshold_curve(y, p)
    assert curve.pr_auc() == pytest.approx(numeric_pr_auc(curve), abs=1e-6)
    assert auc.threshold_curve(np.array([0, 1, 1]), np.array([0.1, 0.8, 0.9])).pr_auc() == 1.0


def test_degenerate_binomial_cases():
    only_neg = metrics.binomial_metrics(np.zeros(5, int), probs2(np.linspace(0, 1, 5)), ["0", "1"])
    assert only_neg["AUC"] == 0.0 and only_neg["cm"] is None and math.isnan(only_neg["classification_error"])
    assert metrics.classification_error_of(only_neg) is None
    only_pos = metrics.binomial_metrics(np.ones(5, int), probs2(np.linspace(0, 1, 5)), ["0", "1"])
    assert only_pos["AUC"] == 1.0 and only_pos["classification_error"] == 0.0
    empty = metrics.binomial_metrics(np.array([-1, -1]), probs2([0.2, 0.7]), ["0", "1"])
    assert empty["nobs"] == 0 and empty["cm"] is None and math.isnan(empty["MSE"])


def test_missing_actuals_and_non_finite_predictions_are_left_out():
    y = np.array([0, 0, 1, 1, -1, 1])
    p = np.array([0.1, 0.4, 0.35, 0.8, 0.9, np.nan])
    m = metrics.binomial_metrics(y, probs2(p), ["0", "1"])
    assert m["nobs"] == 4 and m["AUC"] == pytest.approx(0.75)


def test_large_thresholds_table_is_capped_and_consistent():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 5000)
    p = np.clip(0.2 * y + rng.random(5000) * 0.8, 0, 1)
    m = metrics.binomial_metrics(y, probs2(p), ["0", "1"])
    t, best = m["thresholds_and_metric_scores"], m["max_criteria_and_metric_scores"]
    assert metrics.MAX_THRESHOLD_ROWS <= t["rowcount"] <= metrics.MAX_THRESHOLD_ROWS + len(auc.CRITERIA)
    assert table_column(t, "idx") == list(range(t["rowcount"]))
    ths = table_column(t, "threshold")
    assert all(a > b for a, b in zip(ths, ths[1:]))
    for metric, threshold, value, idx in zip(*best["data"]):
        assert ths[idx] == threshold and row(t, idx)[metric[4:]] == pytest.approx(value)
    assert m["AUC"] == pytest.approx(brute_auc(y, p), abs=1e-12)
    f1 = auc.threshold_curve(y, p).criterion("f1")
    assert best["data"][2][0] == pytest.approx(np.nanmax(f1)) and m["threshold"] == best["data"][1][0]


# ----------------------------------------------------------------------------- multinomial
PROBS3 = np.array([[0.7, 0.2, 0.1], [0.5, 0.3, 0.2], [0.2, 0.5, 0.3], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]])
Y3 = np.array([0, 1, 2, 2, -1])


def test_multinomial_known_case():
    m = metrics.multinomial_metrics(Y3, PROBS3, ["a", "b", "c"])
    assert m["nobs"] == 4
    assert m["MSE"] == pytest.approx((0.3 ** 2 + 0.7 ** 2 + 0.7 ** 2 + 0.9 ** 2) / 4)
    assert m["logloss"] == pytest.approx(-np.mean(np.log([0.7, 0.3, 0.3, 0.1])))
    assert m["classification_error"] == pytest.approx(0.75)
    assert m["mean_per_class_error"] == pytest.approx(2 / 3)
    assert m["r2"] == pytest.approx(1 - m["MSE"] / np.var([0, 1, 2, 2]))
    h = m["hit_ratio_table"]
    assert h["name"] == "Top-3 Hit Ratios" and [c["name"] for c in h["columns"]] == ["k", "hit_ratio"]
    assert h["data"][0] == ["1", "2", "3"] and h["data"][1] == pytest.approx([0.25, 0.75, 1.0])
    t = m["cm"]["table"]
    assert [c["name"] for c in t["columns"]] == ["a", "b", "c", "Error", "Rate"] and t["rowcount"] == 4
    assert [t["data"][j][:3] for j in range(3)] == [[1, 1, 1], [0, 0, 1], [0, 0, 0]]
    assert t["data"][4] == ["0 / 1", "1 / 1", "2 / 2", "3 / 4"]


def test_hit_ratio_limits_and_ties():
    assert len(metrics.multinomial_metrics(Y3, PROBS3, list("abc"), max_hit_ratio_k=2)["hit_ratio_table"]["data"][1]) == 2
    assert metrics.multinomial_metrics(Y3, PROBS3, list("abc"), max_hit_ratio_k=0)["hit_ratio_table"] is None
    ties = metrics.hit_ratios(np.array([1]), np.array([[0.5, 0.5, 0.0]]), 3)
    assert ties.tolist() == [0.0, 1.0, 1.0]


def test_confusion_matrix_dropped_for_many_classes():
    at_limit = metrics.multinomial_metrics(Y3, PROBS3, list("abc"), max_confusion_matrix_size=3)
    assert at_limit["cm"] is None and at_limit["classification_error"] == pytest.approx(0.75)
    assert metrics.multinomial_metrics(Y3, PROBS3, list("abc"), max_confusion_matrix_size=4)["cm"] is not None


def test_probability_shape_is_checked():
    with pytest.raises(ValueError, match=r"\[n, 3\]"):
        metrics.multinomial_metrics(Y3, PROBS3[:, :2], list("abc"))


# ----------------------------------------------------------------------------- regression, autoencoder
def test_regression_known_case():
    m = metrics.regression_metrics([1.0, 2.0, 3.0, 4.0, np.nan], [1.5, 2.0, 2.0, 5.0, 1.0])
    assert m["nobs"] == 4 and m["MSE"] == pytest.approx(0.5625) and m["RMSE"] == pytest.approx(0.75)
    assert m["mae"] == pytest.approx(0.625) and m["mean_residual_deviance"] == pytest.approx(0.5625)
    assert m["r2"] == pytest.approx(1 - 0.5625 / 1.25)
    assert metrics.summary(m) == {"classification_error": None, "mse": pytest.approx(0.5625)}
    assert math.isnan(metrics.regression_metrics([2.0, 2.0], [1.0, 3.0])["r2"])   # constant actuals


def test_autoencoder_metrics():
    m = metrics.autoencoder_metrics([0.1, 0.3, np.nan])
    assert m == {"MSE": pytest.approx(0.2), "RMSE": pytest.approx(math.sqrt(0.2)), "nobs": 2}
    assert metrics.mse_of(m) == pytest.approx(0.2)


# ----------------------------------------------------------------------------- tables
def test_two_dim_table_shape():
    t = two_dim_table("T", [("a", "int"), ("b", "double", "%.2f"), ("c", "string", None, "C!")],
                      [[1, 2.5, "x"], [np.int64(3), np.float32(1.5), None]], "desc")
    assert t["rowcount"] == 2 and t["data"] == [[1, 3], [2.5, 1.5], ["x", None]]
    assert t["columns"][1] == {"name": "b", "type": "double", "format": "%.2f", "description": "b"}
    assert t["columns"][2]["description"] == "C!" and t["__meta"]["schema_name"] == "TwoDimTableV3"
    assert type(t["data"][0][1]) is int
    with pytest.raises(ValueError):
        two_dim_table("T", [("a", "int")], [[1, 2]])
