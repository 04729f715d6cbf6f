"""H2O-3's ``cross_validation_metrics_summary``: one row per metric (sorted by name), its mean and
sample standard deviation over the folds, then each fold model's value on its held-out rows
(``cv_1_valid``, ...).

The metrics per model category are those H2O-3 3.46 reports for deep learning. The binomial
threshold-dependent ones (accuracy, err, err_count, precision, recall, specificity, F-scores,
mcc, per-class errors) come from the confusion matrix at the max-F1 threshold; ``aic`` and
``loglikelihood`` are NaN (a neural network has no likelihood in H2O-3); ``residual_deviance`` is
the mean residual deviance, as H2O-3 reports it for deep learning. A metric that is NaN in some
fold has the mean and sd of the other folds (NaN / 0 when no fold has it).
"""
from __future__ import annotations

import math

import numpy as np

from h2o_backend.engine.metrics.tables import column, table_column, two_dim_table

NAN = float("nan")
_COUNT_METRICS = ("accuracy", "err", "err_count", "max_per_class_error", "mean_per_class_accuracy")
_BINOMIAL_COUNT_METRICS = ("f0point5", "f1", "f2", "mcc", "precision", "recall", "specificity")
_PROBABILITY_METRICS = ("auc", "logloss", "mean_per_class_error", "mse", "pr_auc", "r2", "rmse")
ROWS = {
    "Binomial": sorted(_COUNT_METRICS + _BINOMIAL_COUNT_METRICS + _PROBABILITY_METRICS
                       + ("aic", "lift_top_group", "loglikelihood")),
    "Multinomial": sorted(_COUNT_METRICS + _PROBABILITY_METRICS + ("aic", "loglikelihood")),
    "Regression": sorted(("aic", "loglikelihood", "mae", "mean_residual_deviance", "mse", "r2",
                          "residual_deviance", "rmse", "rmsle")),
}
_FIELDS = {"auc": "AUC", "pr_auc": "pr_auc", "logloss": "logloss", "mse": "MSE", "rmse": "RMSE", "r2": "r2",
           "mean_per_class_error": "mean_per_class_error", "lift_top_group": "lift_top_group", "mae": "mae",
           "mean_residual_deviance": "mean_residual_deviance", "residual_deviance": "mean_residual_deviance",
           "rmsle": "rmsle"}


def confusion_counts_of(metrics: dict) -> np.ndarray | None:
    """[actual, predicted] counts read back from a metrics dict's confusion matrix table."""
    cm = metrics.get("cm")
    if not cm:
        return None
    table = cm["table"]
    classes = [c["name"] for c in table["columns"][:-2]]
    return np.array([table_column(table, c)[:-1] for c in classes], dtype=np.float64).T


def _ratio(a: float, b: float) -> float:
    return a / b if b else NAN


def _f_score(precision: float, recall: float, beta: float) -> float:
    b2 = beta * beta
    return _ratio((1 + b2) * precision * recall, b2 * precision + recall)


def count_metrics(counts: np.ndarray) -> dict:
    """The confusion-matrix metrics of ``counts``; the 2x2 ones (class 1 positive) for two classes."""
    totals = counts.sum(axis=1)
    total, correct = float(counts.sum()), float(np.trace(counts))
    class_errors = np.where(totals > 0, 1.0 - np.diag(counts) / np.where(totals > 0, totals, 1), 0.0)
    out = {"accuracy": _ratio(correct, total), "err": _ratio(total - correct, total),
           "err_count": total - correct, "max_per_class_error": float(class_errors.max()),
           "mean_per_class_accuracy": 1.0 - float(class_errors.mean())}
    if counts.shape == (2, 2):
        (tn, fp), (fn, tp) = counts
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        out.update(precision=precision, recall=recall, specificity=_ratio(tn, tn + fp),
                   f1=_f_score(precision, recall, 1.0), f2=_f_score(precision, recall, 2.0),
                   f0point5=_f_score(precision, recall, 0.5),
                   mcc=_ratio(tp * tn - fp * fn, math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))))
    return out


def fold_values(metrics: dict, category: str) -> dict:
    """Metric name -> value of one fold's held-out metrics."""
    values = {"aic": NAN, "loglikelihood": NAN}
    counts = confusion_counts_of(metrics)
    if counts is not None:
        values.update(count_metrics(counts))
    for name in ROWS[category]:
        if name in _FIELDS:
            value = metrics.get(_FIELDS[name])
            values[name] = NAN if value is None else float(value)
    return {name: values.get(name, NAN) for name in ROWS[category]}


def _mean_sd(values: list[float]) -> tuple[float, float]:
    finite = np.array([v for v in values if math.isfinite(v)])
    if finite.size == 0:
        return NAN, 0.0
    return float(finite.mean()), float(finite.std(ddof=1)) if finite.size > 1 else 0.0


def summary_table(fold_metrics: list[dict], category: str) -> dict | None:
    """The summary table of the folds' held-out metrics (None for autoencoders, as H2O-3)."""
    if category not in ROWS or not fold_metrics:
        return None
    per_fold = [fold_values(m, category) for m in fold_metrics]
    rows = []
    for name in ROWS[category]:
        values = [f[name] for f in per_fold]
        rows.append([name, *_mean_sd(values), *values])
    columns = [column("", "string", "%s", keep_name=True), column("mean", "float", "%f"),
               column("sd", "float", "%f")]
    columns += [column(f"cv_{k + 1}_valid", "float", "%f", keep_name=True) for k in range(len(fold_metrics))]
    return two_dim_table("Cross-Validation Metrics Summary", columns, rows)
