"""Binomial threshold curve: exact AUC, PR AUC and H2O-3's threshold criteria (H2O-3 ``AUC2``).

H2O-3 bins the predicted probabilities into at most 400 histogram bins; here every distinct
probability of class 1 is a threshold, so AUC and the best thresholds are exact. Thresholds run
from the highest probability down; at threshold ``t`` a row is predicted positive when
``p1 >= t``, and ``tps`` / ``fps`` are the cumulative true / false positive counts.

Facts kept from H2O-3: the 18 criteria and their formulas, ``absolute_mcc`` 0 when its numerator
is 0 (capped at 1), AUC by trapezoids (1 when there are no negatives, 0 when there are no
positives), PR AUC by the interpolation H2O-3 takes from XGBoost, the best index of a criterion
being the first (highest) threshold reaching its maximum (NaN never wins; -1 when all are NaN),
and the default threshold the one that maximises F1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CRITERIA = ("f1", "f2", "f0point5", "accuracy", "precision", "recall", "specificity", "absolute_mcc",
            "min_per_class_accuracy", "mean_per_class_accuracy", "tns", "fns", "fps", "tps",
            "tnr", "fnr", "fpr", "tpr")
INT_CRITERIA = frozenset({"tns", "fns", "fps", "tps"})
# H2O-3 3.46's "Maximum Metrics" table lists every criterion (the client's recall() and
# specificity() look up "max tpr" / "max tnr" there)
MAX_CRITERIA = CRITERIA
DEFAULT_CRITERION = "f1"


@dataclass
class ThresholdCurve:
    thresholds: np.ndarray   # distinct probabilities of class 1, descending
    tps: np.ndarray          # cumulative true positives at each threshold (float64)
    fps: np.ndarray          # cumulative false positives at each threshold (float64)
    p: float                 # actual positives
    n: float                 # actual negatives

    @property
    def size(self) -> int:
        return int(self.thresholds.size)

    def criterion(self, name: str) -> np.ndarray:
        """Values of criterion ``name`` at every threshold (NaN where undefined)."""
        if name not in CRITERIA:
            raise ValueError(f"unknown threshold criterion {name!r}; expected one of {list(CRITERIA)}")
        tp, fp = self.tps, self.fps
        fn, tn = self.p - tp, self.n - fp
        with np.errstate(divide="ignore", invalid="ignore"):
            return _CRITERION_FUNCTIONS[name](tp, fp, fn, tn)

    def max_index(self, name: str) -> int:
        """The first threshold index where criterion ``name`` is largest; -1 if it is never defined."""
        values = self.criterion(name)
        if values.size == 0 or np.all(np.isnan(values)):
            return -1
        return int(np.argmax(np.where(np.isnan(values), -np.inf, values)))

    def _degenerate_area(self) -> float | None:
        """The area of a curve without both classes (NaN when empty, 1 with no negatives, 0 with
        no positives); None for a proper curve."""
        if self.size == 0:
            return float("nan")
        if self.fps[-1] == 0:
            return 1.0
        if self.tps[-1] == 0:
            return 0.0
        return None

    def auc(self) -> float:
        degenerate = self._degenerate_area()
        if degenerate is not None:
            return degenerate
        tp0 = np.concatenate(([0.0], self.tps[:-1]))
        fp0 = np.concatenate(([0.0], self.fps[:-1]))
        area = float(np.sum((self.fps - fp0) * (self.tps + tp0) / 2.0))
        return area / self.p / self.n

    def pr_auc(self) -> float:
        degenerate = self._degenerate_area()
        if degenerate is not None:
            return degenerate
        tp, fp = self.tps, self.fps
        prev_tp = np.concatenate(([0.0], tp[:-1]))
        prev_fp = np.concatenate(([0.0], fp[:-1]))
        moved = tp != prev_tp
        with np.errstate(divide="ignore", invalid="ignore"):
            h = np.where(moved, (fp - prev_fp) / np.where(moved, tp - prev_tp, 1.0), 0.0)
            a = np.where(moved, 1.0 + h, 1.0)
            b = np.where(moved, (prev_fp - h * prev_tp) / self.p, 0.0)
            tpp, prev_tpp = tp / self.p, prev_tp / self.p
            logs = np.log(a * tpp + b) - np.log(np.where(b != 0, a * prev_tpp + b, 1.0))
            part = np.where(b != 0, (tpp - prev_tpp - b / a * logs) / a, (tpp - prev_tpp) / a)
        return float(np.sum(part))

    def confusion_counts(self, idx: int) -> np.ndarray:
        """[[tn, fp], [fn, tp]] at threshold index ``idx`` (rows actual, columns predicted)."""
        tp, fp = self.tps[idx], self.fps[idx]
        return np.array([[self.n - fp, fp], [self.p - tp, tp]], dtype=np.float64)


def _mcc(tp, fp, fn, tn):
    num = tp * tn - fp * fn
    mcc = np.abs(num / np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)))
    return np.where(num == 0, 0.0, np.minimum(mcc, 1.0))


def _f(beta2: float):
    def score(tp, fp, fn, tn):
        prec, rec = tp / (tp + fp), tp / (tp + fn)
        return (1 + beta2) * prec * rec / (beta2 * prec + rec)
    return score


_CRITERION_FUNCTIONS = {
    "f1": _f(1.0),
    "f2": _f(4.0),
    "f0point5": _f(0.25),
    "accuracy": lambda tp, fp, fn, tn: (tn + tp) / (tp + fn + tn + fp),
    "precision": lambda tp, fp, fn, tn: tp / (tp + fp),
    "recall": lambda tp, fp, fn, tn: tp / (tp + fn),
    "specificity": lambda tp, fp, fn, tn: tn / (tn + fp),
    "absolute_mcc": _mcc,
    "min_per_class_accuracy": lambda tp, fp, fn, tn: np.minimum(tp / (tp + fn), tn / (tn + fp)),
    "mean_per_class_accuracy": lambda tp, fp, fn, tn: 0.5 * (tp / (tp + fn) + tn / (tn + fp)),
    "tns": lambda tp, fp, fn, tn: tn,
    "fns": lambda tp, fp, fn, tn: fn,
    "fps": lambda tp, fp, fn, tn: fp,
    "tps": lambda tp, fp, fn, tn: tp,
    "tnr": lambda tp, fp, fn, tn: tn / (fp + tn),
    "fnr": lambda tp, fp, fn, tn: fn / (fn + tp),
    "fpr": lambda tp, fp, fn, tn: fp / (fp + tn),
    "tpr": lambda tp, fp, fn, tn: tp / (tp + fn),
}


def threshold_curve(actual: np.ndarray, p1: np.ndarray, weights=None) -> ThresholdCurve:
    """The exact curve of 0/1 ``actual`` against probabilities of class 1 ``p1`` (finite rows
    only); with row ``weights`` the counts are sums of weights (rows of weight 0 leave it)."""
    actual = np.asarray(actual)
    p1 = np.asarray(p1, dtype=np.float64)
    w = np.ones(p1.shape[0]) if weights is None else np.asarray(weights, np.float64)
    keep = np.isfinite(p1) & ((actual == 0) | (actual == 1)) & (w != 0)
    y, p, w = actual[keep].astype(np.float64), p1[keep], w[keep]
    order = np.argsort(-p, kind="stable")
    ps, ys, ws = p[order], y[order], w[order]
    if ps.size == 0:
        empty = np.zeros(0)
        return ThresholdCurve(empty, empty, empty, 0.0, 0.0)
    last = np.concatenate((np.flatnonzero(np.diff(ps) != 0), [ps.size - 1]))
    tps = np.cumsum(ws * ys)[last]
    fps = np.cumsum(ws * (1.0 - ys))[last]
    return ThresholdCurve(ps[last], tps, fps, float(np.sum(ws * ys)), float(np.sum(ws * (1.0 - ys))))


def at_thresholds(curve: ThresholdCurve, thresholds) -> ThresholdCurve:
    """The curve evaluated at the given thresholds only (a row is positive when ``p1 >= t``):
    exact counts, since ``curve`` holds every distinct probability."""
    t = np.unique(np.asarray(thresholds, dtype=np.float64))[::-1]
    # how many of the curve's thresholds (descending) are >= t
    k = np.searchsorted(-curve.thresholds, -t, side="right")
    pick = np.maximum(k - 1, 0)
    tps = np.where(k > 0, curve.tps[pick] if curve.size else 0.0, 0.0)
    fps = np.where(k > 0, curve.fps[pick] if curve.size else 0.0, 0.0)
    return ThresholdCurve(t, tps.astype(np.float64), fps.astype(np.float64), curve.p, curve.n)
