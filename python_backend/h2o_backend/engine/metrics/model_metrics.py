"""Model metrics as H2O-3 computes and names them (ModelMetrics{Regression,Binomial,Multinomial,
AutoEncoder}): pure NumPy functions returning plain dicts with H2O-3's field names.

Definitions (H2O-3 ``ModelMetrics*.MetricBuilder*``):
- classification MSE: per row ``(1 - p_actual)^2`` (the distance of the actual class's probability
  from 1), averaged; RMSE its square root; ``logloss`` = mean of ``-log(max(1e-15, p_actual))``;
- ``r2`` = 1 - MSE / sigma^2, sigma the population standard deviation of the actual values (class
  codes for classifiers), NaN when sigma is 0;
- binomial: AUC, PR AUC and Gini over the exact threshold curve (``auc.py``); the confusion
  matrix, ``classification_error`` and ``mean_per_class_error`` at the threshold maximising F1;
- multinomial: label = arg-max, hit ratios for k = 1..min(K, max_hit_ratio_k) (0 disables), the
  confusion matrix left out when K >= max_confusion_matrix_size (legacy H2O), errors still reported;
- regression: MSE, RMSE, MAE, RMSLE (NaN when a value is <= -1), mean_residual_deviance (the family's mean deviance,
  engine/distributions.py; gaussian: the MSE), r2;
- autoencoder: MSE = mean of the per-row reconstruction MSEs.
Rows with a missing actual value (code < 0 or NaN), a non-finite prediction or a weight of 0 are
left out; with row weights every mean is weighted and every count a sum of weights (H2O-3's
MetricBuilders), nobs counts the rows.
"""
from __future__ import annotations

import math

import numpy as np

from h2o_backend.engine import distributions
from h2o_backend.engine.metrics import auc as auc_module
from h2o_backend.engine.metrics import gains_lift
from h2o_backend.engine.metrics.tables import column, two_dim_table

LOGLOSS_EPS = 1e-15
MAX_THRESHOLD_ROWS = 400      # rows of thresholds_and_metric_scores (H2O-3 keeps at most 400 bins)
CM_META = {"schema_version": 3, "schema_name": "ConfusionMatrixV3", "schema_type": "ConfusionMatrix"}
NAN = float("nan")


# ---------------------------------------------------------------------------- helpers
def _sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0 else NAN


def _weights(weights, n: int) -> np.ndarray:
    return np.ones(n) if weights is None else np.asarray(weights, np.float64)


def _labelled(y_codes, probs, n_classes: int, weights=None):
    """(codes, probabilities, weights) of the rows that count: a class, finite probabilities, a
    weight other than 0."""
    y = np.asarray(y_codes).astype(np.int64, copy=False)
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[1] != n_classes or probs.shape[0] != y.shape[0]:
        raise ValueError(f"probabilities must be [n, {n_classes}] for {y.shape[0]} rows, got {probs.shape}")
    w = _weights(weights, y.shape[0])
    keep = (y >= 0) & (y < n_classes) & np.all(np.isfinite(probs), axis=1) & (w != 0)
    return y[keep], probs[keep], w[keep]


def _probability_errors(y: np.ndarray, probs: np.ndarray, w: np.ndarray) -> dict:
    return _probability_errors_of([_probability_sums(y, probs, w)])


def _probability_sums(y: np.ndarray, probs: np.ndarray, w: np.ndarray) -> dict:
    """The weighted sums a classifier's MSE, log loss and r2 are made of, for a part of the rows."""
    p_act = probs[np.arange(y.size), y]
    yf = y.astype(np.float64)
    return {"n": int(y.size), "w": float(np.sum(w)), "se": np.sum(w * ((1.0 - p_act) ** 2)),
            "ll": np.sum(w * -np.log(np.maximum(LOGLOSS_EPS, p_act))), "y": np.sum(w * yf), "yy": np.sum(w * (yf * yf))}


def _probability_errors_of(parts: list[dict]) -> dict:
    n, total = sum(p["n"] for p in parts), sum(p["w"] for p in parts)

    def mean(name):
        return float(sum(p[name] for p in parts) / total) if total > 0 else NAN
    mse = mean("se") if n else NAN
    return {"MSE": mse, "RMSE": _sqrt(mse), "nobs": int(n), "logloss": mean("ll") if n else NAN,
            "r2": _r2_of(mse, n, mean("yy"), mean("y"))}


def confusion_counts(y: np.ndarray, predicted: np.ndarray, n_classes: int, w: np.ndarray | None = None) -> np.ndarray:
    """[actual, predicted] counts, sums of the rows' weights (float64, as H2O-3 keeps them)."""
    flat = np.bincount(y * n_classes + predicted, weights=w, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes).astype(np.float64)


def class_errors(counts: np.ndarray) -> np.ndarray:
    """Per actual class: misclassified / total (0 for a class with no rows, as H2O-3)."""
    totals = counts.sum(axis=1)
    correct = np.diag(counts)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(totals > 0, (totals - correct) / np.where(totals > 0, totals, 1), 0.0)


def _rate(err: float, total: float) -> str:
    return f"{int(round(err)):,} / {int(round(total)):,}"


# H2O-3's descriptions of the confusion matrix table: binomial, multinomial
CM_DESCRIPTION = "vertical: actual; across: predicted"
MULTINOMIAL_CM_DESCRIPTION = "Row labels: Actual class; Column labels: Predicted class"


def confusion_matrix_table(counts: np.ndarray, domain: list[str], description: str = CM_DESCRIPTION) -> dict:
    """H2O-3's confusion matrix table: rows = actual classes then ``Totals``; columns = predicted
    classes, ``Error`` (misclassified fraction) and ``Rate`` ("errors / total"). As in H2O-3 the
    row labels are implied (the domain, then Totals), not a column."""
    acts, preds = counts.sum(axis=1), counts.sum(axis=0)
    errs = acts - np.diag(counts)
    total, total_err = float(acts.sum()), float(errs.sum())
    width = max([len(_rate(e, a)) for e, a in zip(errs, acts)] + [len(_rate(total_err, total))])
    cols = [column(str(d), "long", "%d", keep_name=True) for d in domain]
    cols += [column("Error", "double", "%.4f", keep_name=True),
             column("Rate", "string", f"= %{width}s", keep_name=True)]
    rows = []
    for a in range(len(domain)):
        error = float(errs[a] / acts[a]) if acts[a] > 0 else NAN
        rows.append([int(c) for c in counts[a]] + [error, _rate(errs[a], acts[a])])
    rows.append([int(c) for c in preds] + [total_err / total if total > 0 else NAN, _rate(total_err, total)])
    return two_dim_table("Confusion Matrix", cols, rows, description)


def _cm(counts: np.ndarray, domain: list[str], description: str = CM_DESCRIPTION) -> dict:
    return {"__meta": dict(CM_META), "table": confusion_matrix_table(counts, domain, description)}


# ---------------------------------------------------------------------------- regression
def regression_metrics(y, pred, weights=None, family=None) -> dict:
    """Regression metrics of actual ``y`` against predictions ``pred`` (original scale), each row
    counting with its weight (rows of weight 0 not at all); mean_residual_deviance by ``family``
    (a distributions.Family; gaussian: the MSE)."""
    return regression_from_parts([regression_parts(y, pred, weights, family)])


def regression_parts(y, pred, weights=None, family=None) -> dict:
    """The sums regression metrics are made of, for a part of the rows (``regression_from_parts``
    combines parts: rows held in chunks by several processes). Huber with ``huber_alpha`` takes
    its delta from all the rows at once: its parts do not combine."""
    y = np.asarray(y, dtype=np.float64)
    pred = np.asarray(pred, dtype=np.float64)
    w = _weights(weights, y.shape[0])
    keep = np.isfinite(y) & np.isfinite(pred) & (w != 0)
    y, pred, w = y[keep], pred[keep], w[keep]
    err = pred - y
    with np.errstate(divide="ignore", invalid="ignore"):     # RMSLE in IEEE arithmetic, as H2O-3: NaN when a
        log_err = (np.log1p(pred) - np.log1p(y)) ** 2        # value is below -1, infinite when one is -1
    parts = {"n": int(y.size), "w": float(np.sum(w)), "se": np.sum(w * (err * err)), "ae": np.sum(w * np.abs(err)),
             "sle": np.sum(w * log_err), "y": np.sum(w * y), "yy": np.sum(w * (y * y)), "deviance": None}
    if family is not None and y.size:
        rows_family = distributions.for_rows(family, y, pred, w)
        parts["deviance"] = np.sum(distributions.deviance(rows_family, y, pred, w))
    return parts


def regression_from_parts(parts: list[dict]) -> dict:
    n, total = sum(p["n"] for p in parts), sum(p["w"] for p in parts)
    if n == 0:
        return {"MSE": NAN, "RMSE": NAN, "nobs": 0, "mae": NAN, "rmsle": NAN, "mean_residual_deviance": NAN,
                "r2": NAN}

    def mean(name):
        return float(sum(p[name] for p in parts) / total) if total > 0 else NAN
    mse = mean("se")
    deviance = mse if parts[0]["deviance"] is None else mean("deviance")
    return {"MSE": mse, "RMSE": _sqrt(mse), "nobs": int(n), "mae": mean("ae"), "rmsle": _sqrt(mean("sle")),
            "mean_residual_deviance": deviance, "r2": _r2_of(mse, n, mean("yy"), mean("y"))}


def _r2_of(mse: float, n: int, mean_square: float, mean: float) -> float:
    if n <= 1:
        return NAN
    var = mean_square - mean ** 2
    return 1.0 - mse / var if var > 0 else NAN


# ---------------------------------------------------------------------------- binomial
def _table_rows(curve: auc_module.ThresholdCurve, best: dict[str, int]) -> np.ndarray:
    """Indices of the curve reported in thresholds_and_metric_scores: all of them up to
    MAX_THRESHOLD_ROWS, else evenly spaced ones plus every criterion's best threshold."""
    if curve.size <= MAX_THRESHOLD_ROWS:
        return np.arange(curve.size)
    spaced = np.round(np.linspace(0, curve.size - 1, MAX_THRESHOLD_ROWS)).astype(np.int64)
    extra = np.array([i for i in best.values() if i >= 0], dtype=np.int64)
    return np.unique(np.concatenate((spaced, extra)))


def _threshold_tables(curve: auc_module.ThresholdCurve) -> tuple[dict, dict]:
    crits = auc_module.CRITERIA
    best = {name: curve.max_index(name) for name in crits}
    rows_idx = _table_rows(curve, best)
    position = {int(i): r for r, i in enumerate(rows_idx)}
    values = {name: curve.criterion(name) for name in crits}
    cols = [column("Threshold", "double", "%f")]
    cols += [column(n, "long" if n in auc_module.INT_CRITERIA else "double",
                    "%d" if n in auc_module.INT_CRITERIA else "%f") for n in crits]
    cols.append(column("idx", "int", "%d"))
    rows = []
    for r, i in enumerate(rows_idx):
        cells = [float(curve.thresholds[i])]
        cells += [int(values[n][i]) if n in auc_module.INT_CRITERIA else float(values[n][i]) for n in crits]
        rows.append(cells + [r])
    thresholds = two_dim_table("Metrics for Thresholds", cols, rows,
                               "Binomial metrics as a function of classification thresholds")
    max_cols = [column("Metric", "string"), column("Threshold", "double", "%f"),
                column("Value", "double", "%f"), column("idx", "long", "%d")]
    max_rows = []
    for name in auc_module.MAX_CRITERIA:
        i = best[name]
        max_rows.append([f"max {name}", float(curve.thresholds[i]) if i >= 0 else NAN,
                         float(values[name][i]) if i >= 0 else NAN, position.get(i, -1)])
    maxima = two_dim_table("Maximum Metrics", max_cols, max_rows, "Maximum metrics at their respective thresholds")
    return thresholds, maxima


def binomial_metrics(y_codes, probs, domain, *, thresholds=None, gains_lift_groups: int | None = None,
                     weights=None) -> dict:
    """Binomial metrics of class codes ``y_codes`` (0/1, -1 missing) against ``probs`` [n, 2].
    ``thresholds``: the threshold tables at these thresholds only (else at every distinct
    probability, up to MAX_THRESHOLD_ROWS rows); ``gains_lift_groups``: add the gains/lift table;
    ``weights``: every count is a sum of the rows' weights."""
    domain = [str(d) for d in domain]
    y, probs, w = _labelled(y_codes, probs, 2, weights)
    out = _probability_errors(y, probs, w)
    out["domain"] = domain
    if gains_lift_groups:
        out["gains_lift_table"] = gains_lift.gains_lift_table(y, probs[:, 1], gains_lift_groups, w)
        out["lift_top_group"] = gains_lift.top_group_lift(out["gains_lift_table"])
    curve = auc_module.threshold_curve(y, probs[:, 1], w)
    table_curve = curve if thresholds is None else auc_module.at_thresholds(curve, thresholds)
    out["AUC"], out["pr_auc"] = curve.auc(), curve.pr_auc()
    out["Gini"] = 2.0 * out["AUC"] - 1.0
    idx = curve.max_index(auc_module.DEFAULT_CRITERION) if curve.size else -1
    if idx < 0:
        out.update(classification_error=NAN, mean_per_class_error=NAN, cm=None, threshold=NAN,
                   thresholds_and_metric_scores=None, max_criteria_and_metric_scores=None)
        if table_curve.size:
            out["thresholds_and_metric_scores"], out["max_criteria_and_metric_scores"] = _threshold_tables(table_curve)
        return out
    counts = curve.confusion_counts(idx)
    out["threshold"] = float(curve.thresholds[idx])
    # Predictions label rows at the midpoint between the max-F1 threshold and the next lower
    # probability: the same labels on these rows, but no row sits exactly on the threshold, where
    # any other arithmetic (the POJO's, ONNX's) could round it to the other side.
    below = float(curve.thresholds[idx + 1]) if idx + 1 < curve.size else 0.0
    out["default_threshold"] = (out["threshold"] + below) / 2.0
    out["classification_error"] = float((counts[0, 1] + counts[1, 0]) / counts.sum())
    out["mean_per_class_error"] = float(np.mean(class_errors(counts)))
    out["cm"] = _cm(counts, domain)
    out["thresholds_and_metric_scores"], out["max_criteria_and_metric_scores"] = _threshold_tables(table_curve)
    return out


# ---------------------------------------------------------------------------- multinomial
def hit_ratios(y: np.ndarray, probs: np.ndarray, k_max: int, w: np.ndarray | None = None) -> np.ndarray:
    """Share (by weight) of rows whose actual class is among the top-k probabilities, k = 1..k_max
    (ties ranked by class index)."""
    if y.size == 0 or k_max <= 0:
        return np.full(max(k_max, 0), NAN)
    w = _weights(w, y.size)
    return np.cumsum(_hit_ranks(y, probs, w)[:k_max]) / float(np.sum(w))


def _hit_ranks(y: np.ndarray, probs: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weight of the rows whose actual class ranks 0, 1, ... among their probabilities (ties by class index)."""
    p_act = probs[np.arange(y.size), y][:, None]
    cls = np.arange(probs.shape[1])[None, :]
    rank = np.sum((probs > p_act) | ((probs == p_act) & (cls < y[:, None])), axis=1)
    return np.bincount(rank, weights=w, minlength=probs.shape[1])


def hit_ratio_table(ratios: np.ndarray) -> dict:
    cols = [column("K", "string"), column("Hit Ratio", "float", "%f")]
    rows = [[str(k + 1), float(r)] for k, r in enumerate(ratios)]
    return two_dim_table(f"Top-{len(ratios)} Hit Ratios", cols, rows)


def multinomial_metrics(y_codes, probs, domain, max_hit_ratio_k: int = 10,
                        max_confusion_matrix_size: int = 20, weights=None) -> dict:
    """Multinomial metrics of class codes ``y_codes`` (-1 missing) against ``probs`` [n, K], each
    row counting with its weight."""
    return multinomial_from_parts([multinomial_parts(y_codes, probs, len(domain), weights)], domain,
                                  max_hit_ratio_k, max_confusion_matrix_size)


def multinomial_parts(y_codes, probs, n_classes: int, weights=None) -> dict:
    """The sums and counts multinomial metrics are made of, for a part of the rows."""
    y, probs, w = _labelled(y_codes, probs, n_classes, weights)
    return {**_probability_sums(y, probs, w),
            "cm": confusion_counts(y, probs.argmax(axis=1) if y.size else y, n_classes, w),
            "ranks": _hit_ranks(y, probs, w)}


def multinomial_from_parts(parts: list[dict], domain, max_hit_ratio_k: int = 10,
                           max_confusion_matrix_size: int = 20) -> dict:
    domain = [str(d) for d in domain]
    K = len(domain)
    out = _probability_errors_of(parts)
    n, total = out["nobs"], sum(p["w"] for p in parts)
    counts = sum(p["cm"] for p in parts)
    all_rows = counts.sum()
    out["classification_error"] = float(1.0 - np.trace(counts) / all_rows) if all_rows > 0 else NAN
    out["mean_per_class_error"] = float(np.mean(class_errors(counts))) if all_rows > 0 else NAN
    out["cm"] = _cm(counts, domain, MULTINOMIAL_CM_DESCRIPTION) if K < max_confusion_matrix_size else None
    k_max = min(K, int(max_hit_ratio_k))
    ratios = np.full(max(k_max, 0), NAN) if n == 0 or k_max <= 0 else \
        np.cumsum(sum(p["ranks"] for p in parts)[:k_max]) / total
    out["hit_ratio_table"] = hit_ratio_table(ratios) if k_max > 0 else None
    # auc_type AUTO (resolved to NONE for multinomial models, as H2O-3 3.46) and NONE: no
    # multinomial AUC is computed; H2O-3 then reports NaN and no AUC tables
    out.update(AUC=NAN, pr_auc=NAN, multinomial_auc_table=None, multinomial_aucpr_table=None)
    return out


# ---------------------------------------------------------------------------- autoencoder
def autoencoder_metrics(row_mse, weights=None) -> dict:
    """Autoencoder metrics: the (weighted) mean of the per-row reconstruction MSEs."""
    return autoencoder_from_parts([autoencoder_parts(row_mse, weights)])


def autoencoder_parts(row_mse, weights=None) -> dict:
    row_mse = np.asarray(row_mse, dtype=np.float64)
    w = _weights(weights, row_mse.shape[0])
    keep = np.isfinite(row_mse) & (w != 0)
    row_mse, w = row_mse[keep], w[keep]
    return {"n": int(row_mse.size), "w": float(np.sum(w)), "se": np.sum(w * row_mse)}


def autoencoder_from_parts(parts: list[dict]) -> dict:
    n, total = sum(p["n"] for p in parts), sum(p["w"] for p in parts)
    mse = float(sum(p["se"] for p in parts) / total) if n and total > 0 else NAN
    return {"MSE": mse, "RMSE": _sqrt(mse), "nobs": int(n)}


# ---------------------------------------------------------------------------- accessors
def _number(value):
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def classification_error_of(metrics: dict | None) -> float | None:
    """Classification error (binomial: at the max-F1 threshold); None when absent or NaN."""
    return _number((metrics or {}).get("classification_error"))


def mse_of(metrics: dict | None) -> float | None:
    return _number((metrics or {}).get("MSE"))


def summary(metrics: dict | None) -> dict:
    """The two numbers legacy R prints: ``classification_error`` (None for regression and
    autoencoders) and ``mse``."""
    return {"classification_error": classification_error_of(metrics), "mse": mse_of(metrics)}
