"""H2O-3's early stopping (hex.ScoreKeeper): ``stopping_rounds`` k, ``stopping_metric`` and
``stopping_tolerance``. After each scoring the metric (of the validation data when there is some,
else of the training sample) is appended; with at least 2k+1 values, the k+1 simple moving
averages of length k over the last 2k values are compared with the first of them (the reference):
training stops when none improves on it by the relative tolerance."""
from __future__ import annotations

import math

from h2o_backend.engine.metrics import model_metrics
from h2o_backend.engine.problems import CLASSIFICATION

MORE_IS_BETTER = frozenset({"AUC", "AUCPR"})
# H2O-3's stopping metrics this engine computes (RMSLE, lift_top_group and custom are not)
STOPPING_METRICS_SUPPORTED = ("AUTO", "deviance", "logloss", "MSE", "RMSE", "MAE", "AUC", "AUCPR",
                              "misclassification", "mean_per_class_error")


def resolve_metric(metric: str, problem: str) -> str:
    """AUTO as H2O-3 resolves it: logloss for classification, deviance for regression, MSE for
    autoencoders."""
    if metric != "AUTO":
        return metric
    if problem in CLASSIFICATION:
        return "logloss"
    return "deviance" if problem == "Regression" else "MSE"


def metric_value(metrics: dict | None, metric: str) -> float:
    """The value of a resolved stopping metric in a metrics dict (NaN when absent)."""
    if not metrics:
        return math.nan
    if metric == "misclassification":
        value = model_metrics.classification_error_of(metrics)
    else:
        key = {"deviance": "mean_residual_deviance", "MAE": "mae", "AUCPR": "pr_auc"}.get(metric, metric)
        value = metrics.get(key)
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def stop_early(values: list[float], k: int, tolerance: float, more_is_better: bool) -> bool:
    """True when the last k moving averages do not improve on the reference one."""
    if k <= 0 or len(values) - 1 < 2 * k:
        return False
    window = values[len(values) - 2 * k:]
    averages = [sum(window[i:i + k]) / k for i in range(k + 1)]
    if any(math.isnan(a) for a in averages):
        return False
    reference = averages[0]
    if more_is_better:
        improved = any(a > reference * (1 + tolerance) for a in averages[1:])
    else:
        improved = any(a < reference * (1 - tolerance) for a in averages[1:])
    return not improved


class EarlyStopping:
    """The stopping state of one training run."""

    def __init__(self, params, problem: str):
        self.k = int(getattr(params, "stopping_rounds", 0) or 0)
        self.tolerance = float(getattr(params, "stopping_tolerance", 0.0) or 0.0)
        self.metric = resolve_metric(getattr(params, "stopping_metric", "AUTO"), problem)
        self.values: list[float] = []

    def should_stop(self, train_metrics: dict | None, valid_metrics: dict | None) -> bool:
        if self.k <= 0:
            return False
        self.values.append(metric_value(valid_metrics or train_metrics, self.metric))
        return stop_early(self.values, self.k, self.tolerance, self.metric in MORE_IS_BETTER)
