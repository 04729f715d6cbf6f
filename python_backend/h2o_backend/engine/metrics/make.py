"""Metrics of predictions that any model (or none) made, against actual values (H2O-3's
``make_metrics``).

The problem follows ``domain``: two labels make it binomial (the predictions are the probability
of the second label: one column, or the last of predict/p0/p1), more make it multinomial (one
probability column per label, after an optional ``predict`` column), none make it regression.
Actual values are a categorical column whose levels are in ``domain``, or numeric class codes.
``weights``: a one-column frame of row weights (H2O-3's ``weights_frame``), every metric weighted
(engine/metrics/model_metrics.py). ``distribution``: the family of the regression deviance, one of
H2O-3's gaussian (AUTO), poisson, gamma, laplace; tweedie, quantile and huber are refused as H2O-3
refuses them (their parameters cannot be given); for classification it must be AUTO or the
problem's own (bernoulli, multinomial).
Bad input raises ``InvalidInput`` naming the argument (``predictions_frame``, ``actuals_frame``,
``weights_frame``, ``domain``, ``distribution``).
"""
from __future__ import annotations

import numpy as np

from h2o_backend.engine import distributions
from h2o_backend.engine.errors import InvalidInput
from h2o_backend.engine.metrics import gains_lift
from h2o_backend.engine.metrics import model_metrics as metrics
from h2o_backend.frames.frame import Column, Frame


CLASSIFIER_DISTRIBUTIONS = {"binomial": ("AUTO", "bernoulli"), "multinomial": ("AUTO", "multinomial")}
REGRESSION_DISTRIBUTIONS = ("AUTO", "gaussian", "poisson", "gamma", "laplace")
NEEDS_PARAMETERS = ("tweedie", "quantile", "huber")


def problem_of(domain: list[str]) -> str:
    if len(domain) == 1:
        raise InvalidInput("domain must name at least two classes (or none, for regression)", "domain")
    return "binomial" if len(domain) == 2 else "multinomial" if len(domain) > 2 else "regression"


def make_metrics(predicted: Frame, actual: Frame, domain: list[str], thresholds: list[float] | None = None,
                 gains_lift_groups: int = gains_lift.DEFAULT_GROUPS, weights: Frame | None = None,
                 distribution: str | None = None) -> dict:
    """H2O-3's metrics dict for the problem ``domain`` implies, with ``model_category`` set."""
    if actual.ncols != 1:
        raise InvalidInput(f"Actual values must be one column; frame '{actual.key}' has {actual.ncols}",
                           "actuals_frame")
    if predicted.nrows != actual.nrows:
        raise InvalidInput(f"Predictions and actuals have different row counts: {predicted.nrows} in "
                           f"'{predicted.key}', {actual.nrows} in '{actual.key}'", "actuals_frame")
    problem = problem_of(domain)
    family = _family(distribution or "AUTO", problem)
    w = None if weights is None else _row_weights(weights, actual.nrows)
    if problem == "regression":
        result = metrics.regression_metrics(_numeric(actual.columns[0], "actuals_frame"),
                                            _regression_predictions(predicted), weights=w, family=family)
        result["description"] = f"Computed on user-given predictions and targets, distribution: {family.name}."
    else:
        codes = _class_codes(actual.columns[0], domain)
        probs = _probabilities(predicted, len(domain))
        if problem == "binomial":
            result = metrics.binomial_metrics(codes, probs, domain, thresholds=thresholds,
                                              gains_lift_groups=gains_lift_groups, weights=w)
        else:
            result = metrics.multinomial_metrics(codes, probs, domain, weights=w)
    return dict(result, model_category=problem.capitalize())


def _family(distribution: str, problem: str) -> distributions.Family | None:
    """The regression family (None for classification) after checking ``distribution`` fits."""
    if problem != "regression":
        allowed = CLASSIFIER_DISTRIBUTIONS[problem]
        if distribution not in allowed:
            raise InvalidInput(f"distribution '{distribution}' does not fit {problem} metrics (domain decides "
                               f"the problem); use one of {', '.join(allowed)}", "distribution")
        return None
    if distribution in NEEDS_PARAMETERS:
        raise InvalidInput(f"distribution '{distribution}' is not supported here, as in H2O-3: its parameter "
                           f"(tweedie_power, quantile_alpha, huber_alpha) cannot be given; use one of "
                           f"{', '.join(REGRESSION_DISTRIBUTIONS)}", "distribution")
    if distribution not in REGRESSION_DISTRIBUTIONS:
        raise InvalidInput(f"distribution '{distribution}' does not fit regression metrics (no domain); use one "
                           f"of {', '.join(REGRESSION_DISTRIBUTIONS)}", "distribution")
    return distributions.Family(distributions.resolve(distribution, "Regression"))


def _row_weights(frame: Frame, nrows: int) -> np.ndarray:
    """The weights of a one-column frame: finite, non-negative, one per actual value."""
    if frame.ncols != 1:
        raise InvalidInput(f"Weights must be one column; frame '{frame.key}' has {frame.ncols}", "weights_frame")
    if frame.nrows != nrows:
        raise InvalidInput(f"Weights and actuals have different row counts: {frame.nrows} in '{frame.key}', "
                           f"{nrows} actual values", "weights_frame")
    w = np.asarray(_numeric(frame.columns[0], "weights_frame"), dtype=np.float64)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise InvalidInput(f"Weights in '{frame.key}' must be finite and non-negative (no missing values)",
                           "weights_frame")
    return w


def _numeric(col: Column, field: str) -> np.ndarray:
    if not col.is_numeric:
        raise InvalidInput(f"Column '{col.name}' must be numeric here, it is {col.type}", field)
    return col.data


def _class_codes(col: Column, domain: list[str]) -> np.ndarray:
    """Codes into ``domain`` (-1 missing) of a categorical column, or of numeric codes 0..K-1."""
    if col.is_enum:
        unknown = sorted(set(col.domain) - set(domain))
        if unknown:
            raise InvalidInput(f"Actual levels {unknown} are not in domain {domain}", "domain")
        mapping = np.array([domain.index(level) for level in col.domain], dtype=np.int64)
        return np.where(col.data >= 0, mapping[np.maximum(col.data, 0)], -1)
    values = _numeric(col, "actuals_frame")
    finite = values[np.isfinite(values)]
    if np.any((finite != np.round(finite)) | (finite < 0) | (finite >= len(domain))):
        raise InvalidInput(f"Numeric actual values must be class codes 0 to {len(domain) - 1} (indices into "
                           f"domain {domain})", "actuals_frame")
    return np.where(np.isfinite(values), values, -1).astype(np.int64)


def _probabilities(frame: Frame, n_classes: int) -> np.ndarray:
    cols = [c for c in frame.columns if c.is_numeric]
    if frame.columns and frame.columns[0].name == "predict":
        cols = [c for c in frame.columns[1:] if c.is_numeric]
    if n_classes == 2 and len(cols) in (1, 2):
        p1 = cols[-1].data
        return np.column_stack((1.0 - p1, p1))
    if len(cols) != n_classes:
        raise InvalidInput(f"Predictions frame '{frame.key}' needs one probability column per class "
                           f"({n_classes}), it has {len(cols)} numeric columns", "predictions_frame")
    return np.column_stack([c.data for c in cols])


def _regression_predictions(frame: Frame) -> np.ndarray:
    if frame.ncols != 1 and not frame.has_column("predict"):
        raise InvalidInput(f"Predictions frame '{frame.key}' must be one column (or have a 'predict' column)",
                           "predictions_frame")
    col = frame.column("predict") if frame.has_column("predict") else frame.columns[0]
    return _numeric(col, "predictions_frame")
