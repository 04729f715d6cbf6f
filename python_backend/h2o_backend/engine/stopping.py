"""H2O-3's early stopping (hex.ScoreKeeper): ``stopping_rounds`` k, ``stopping_metric`` and
``stopping_tolerance``. After each scoring the metric (of the validation data when there is some,
else of the training sample) is appended; with at least 2k+1 values, the k+1 simple moving
averages of length k over the last 2k values are compared with the first of them (the reference):
training stops when the best of the others (the smallest, or the largest for a metric where more
is better) is not better than the reference by the relative tolerance, as a ratio: best /
reference >= 1 - tolerance (<= 1 + tolerance). As in H2O-3, averages of mixed signs never stop, a
metric bounded below by 0 stops when its reference is 0, and any NaN average never stops. (The
ratio is H2O-3's: for a metric below 0, e.g. a custom one, a change in the better direction
gives a ratio past 1 on the other side, so such a metric stops while it improves and goes on
while it worsens, as in H2O-3.)

``custom`` and ``custom_increasing`` stop on the value of the model's custom metric
(``custom_metric_func``, the metrics' custom_metric_value): less is better for custom, more for
custom_increasing."""
from __future__ import annotations

import math

from h2o_backend.engine.metrics import model_metrics
from h2o_backend.engine.problems import CLASSIFICATION

CUSTOM_METRICS = ("custom", "custom_increasing")
MORE_IS_BETTER = frozenset({"AUC", "AUCPR", "lift_top_group", "custom_increasing"})
# H2O-3's StoppingMetric.isLowerBoundBy0
LOWER_BOUND_BY_0 = frozenset({"logloss", "MSE", "RMSE", "MAE", "RMSLE", "AUC", "AUCPR", "misclassification",
                              "mean_per_class_error"})
# H2O-3's stopping metrics this engine computes (RMSLE and lift_top_group are not)
STOPPING_METRICS_SUPPORTED = ("AUTO", "deviance", "logloss", "MSE", "RMSE", "MAE", "AUC", "AUCPR",
                              "misclassification", "mean_per_class_error") + CUSTOM_METRICS
NO_CUSTOM_METRIC = "Custom metric function needs to be defined in order to use it for early stopping."


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
        key = {"deviance": "mean_residual_deviance", "MAE": "mae", "AUCPR": "pr_auc", "custom": "custom_metric_value",
               "custom_increasing": "custom_metric_value"}.get(metric, metric)
        value = metrics.get(key)
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def stop_early(values: list[float], k: int, tolerance: float, more_is_better: bool,
               lower_bound_by_0: bool = False) -> bool:
    """True when the last k moving averages do not improve on the reference one (see the module
    doc)."""
    if k <= 0 or len(values) - 1 < 2 * k:
        return False
    window = values[len(values) - 2 * k:]
    averages = [sum(window[i:i + k]) / k for i in range(k + 1)]
    if any(math.isnan(a) for a in averages):
        return False
    reference, recent = averages[0], averages[1:]
    if lower_bound_by_0 and reference == 0.0:
        return True
    best = max(recent) if more_is_better else min(recent)
    if _sign(max(averages)) != _sign(min(averages)) or _sign(best) != _sign(reference):
        return False
    if reference == 0.0:            # all averages 0: the ratio is 0/0, which never stops
        return False
    ratio = best / reference
    return ratio <= 1 + tolerance if more_is_better else ratio >= 1 - tolerance


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
        return stop_early(self.values, self.k, self.tolerance, self.metric in MORE_IS_BETTER,
                          self.metric in LOWER_BOUND_BY_0)
