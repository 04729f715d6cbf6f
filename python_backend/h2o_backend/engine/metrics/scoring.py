"""Scoring during training: the fixed scoring samples, one scoring-history entry per event.

The training metrics use a fixed uniform sample of ``score_training_samples`` rows of the
training data (chosen once per model from its seed), the validation metrics
``score_validation_samples`` rows of the validation frame (stratified when balance_classes and
score_validation_sampling=Stratified). History entries follow H2O-3's scoring history: formatted
timestamp, duration and training speed (samples / (training time - scoring - setup)), epochs,
iterations, samples, and ``training_*`` / ``validation_*`` metrics (rmse, logloss, r2,
classification_error, auc, pr_auc, lift (binomial) for classifiers; rmse, mse, deviance, mae, r2 for regression;
rmse, mse for autoencoders), plus the raw numbers under ``*_ms`` / ``*_s`` keys.
"""
from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

import numpy as np

from h2o_backend.engine import iterations
from h2o_backend.engine.problems import CLASSIFICATION

CLASSIFIER_FIELDS = (("rmse", "RMSE"), ("logloss", "logloss"), ("r2", "r2"),
                     ("classification_error", "classification_error"), ("auc", "AUC"), ("pr_auc", "pr_auc"),
                     ("lift", "lift_top_group"))
REGRESSION_FIELDS = (("rmse", "RMSE"), ("mse", "MSE"), ("deviance", "mean_residual_deviance"),
                     ("mae", "mae"), ("r2", "r2"))
AUTOENCODER_FIELDS = (("rmse", "RMSE"), ("mse", "MSE"))


@dataclass
class ScoreSet:
    """Prepared rows to score on: inputs, responses, and how they were chosen."""
    X: np.ndarray
    y: np.ndarray | None
    n_total: int
    w: np.ndarray | None = None         # the rows' weights (None: all 1)
    offsets: np.ndarray | None = None   # the rows' offsets on the response's link scale (None: none)
    forward: object = None              # scores X in place of batch_sgd.forward (rows held elsewhere)

    @property
    def n(self) -> int:
        return self.X.shape[0]

    def description(self, what: str) -> str:
        if self.n != self.n_total:
            return f"Metrics reported on temporary {what} frame with {self.n} samples"
        return f"Metrics reported on full {what} frame"


def score_set(X: np.ndarray, y, rows: np.ndarray | None, n_samples: int, seed: int,
              stratified: bool = False, weights=None, offsets=None) -> ScoreSet:
    """The scoring sample of the labelled rows ``rows`` (None = all rows of X), with the rows'
    ``weights`` and ``offsets`` (arrays over the rows of X, or None)."""
    base = np.arange(X.shape[0]) if rows is None else np.asarray(rows)
    if stratified and y is not None:
        pick = iterations.stratified_rows(np.asarray(y)[base], n_samples, seed)
    else:
        pick = iterations.sample_rows(base.size, n_samples, seed)
    chosen = base if pick is None else base[pick]
    def pick_of(a):
        return None if a is None else np.asarray(a)[chosen]
    return ScoreSet(np.ascontiguousarray(X[chosen]), pick_of(y), int(base.size), pick_of(weights), pick_of(offsets))


def metric_fields(problem: str):
    if problem in CLASSIFICATION:
        return CLASSIFIER_FIELDS
    return REGRESSION_FIELDS if problem == "Regression" else AUTOENCODER_FIELDS


def model_error(m: dict | None, problem: str) -> float:
    """The number best-model keeping and stopping compare: classification error or MSE."""
    from h2o_backend.engine.metrics import model_metrics as metrics
    if not m:
        return math.inf
    value = metrics.classification_error_of(m) if problem in CLASSIFICATION else metrics.mse_of(m)
    return math.inf if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def format_timestamp(ms: float) -> str:
    return datetime.datetime.fromtimestamp(ms / 1000.0).strftime("%Y-%m-%d %H:%M:%S")


def format_duration(seconds: float) -> str:
    """H2O's PrettyPrint.msecs style: ' 0.123 sec', ' 1 min  2.345 sec', ' 1:02:03.456'."""
    if seconds < 60:
        return f"{seconds:6.3f} sec"
    if seconds < 3600:
        m, s = divmod(seconds, 60)
        return f"{int(m):2d} min {s:6.3f} sec"
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h):2d}:{int(m):02d}:{s:06.3f}"


def format_speed(obs_per_sec: float) -> str:
    return f"{int(obs_per_sec)} obs/sec" if obs_per_sec > 10 else f"{obs_per_sec:.3f} obs/sec"


def history_entry(*, now_ms: float, training_time_ms: float, scoring_time_ms: float, setup_time_ms: float,
                  epochs: float, iteration: int, samples: int, problem: str, train_metrics: dict | None,
                  valid_metrics: dict | None) -> dict:
    """One row of the scoring history."""
    busy = 1.0 + training_time_ms - scoring_time_ms - setup_time_ms
    speed = samples / (busy / 1000.0) if busy > 0 else 0.0
    entry = {"timestamp": format_timestamp(now_ms), "duration": format_duration(training_time_ms / 1000.0),
             "training_speed": format_speed(speed), "epochs": float(epochs), "iterations": int(iteration),
             "samples": float(samples), "timestamp_ms": int(now_ms), "duration_s": training_time_ms / 1000.0,
             "training_speed_obs": float(speed)}
    for prefix, m in (("training", train_metrics), ("validation", valid_metrics)):
        if not m:
            continue
        for name, key in metric_fields(problem) + (("custom", "custom_metric_value"),):
            value = m.get(key)
            if value is not None:
                entry[f"{prefix}_{name}"] = float(value) if not isinstance(value, str) else value
    return entry
