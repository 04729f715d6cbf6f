"""POST /3/ModelMetrics/predictions_frame/{p}/actuals_frame/{a}: metrics of predictions that any
model (or none) made, against the actual values (H2O-3's ``make_metrics``).

The problem follows ``domain``: two labels make it binomial (the predictions are the probability
of the second label: one column, or the last of predict/p0/p1), more make it multinomial (one
probability column per label, after an optional ``predict`` column), none make it regression.
Actual values are a categorical column whose levels are in ``domain``, or numeric class codes.
"""
from __future__ import annotations

import numpy as np
from flask import jsonify

from h2o_backend.engine import gains_lift, metrics
from h2o_backend.errors import bad_request
from h2o_backend.frames import Column, Frame
from h2o_backend.server import model_json
from h2o_backend.server.handlers.models import get_frame
from h2o_backend.server.known_params import reject_unknown
from h2o_backend.server.params import get_int, get_list, get_str, parse_float, request_params
from h2o_backend.server.routes import Route
from h2o_backend.server.schema import key_ref, meta

DISTRIBUTIONS = {"binomial": ("AUTO", "bernoulli"), "multinomial": ("AUTO", "multinomial"),
                 "regression": ("AUTO", "gaussian")}


def make_metrics(predictions_frame: str, actuals_frame: str):
    params = request_params()
    reject_unknown(params, ("domain", "distribution", "thresholds", "gainslift_bins"), "ModelMetricsMakerSchemaV3")
    predicted = get_frame(predictions_frame, "predictions_frame")
    actual = get_frame(actuals_frame, "actuals_frame")
    if actual.ncols != 1:
        raise bad_request(f"Actual values must be one column; frame '{actuals_frame}' has {actual.ncols}",
                          field="actuals_frame")
    if predicted.nrows != actual.nrows:
        raise bad_request(f"Predictions and actuals have different row counts: {predicted.nrows} in "
                          f"'{predictions_frame}', {actual.nrows} in '{actuals_frame}'", field="actuals_frame")
    domain = [str(d) for d in get_list(params, "domain", [])]
    problem = "binomial" if len(domain) == 2 else "multinomial" if len(domain) > 2 else "regression"
    if len(domain) == 1:
        raise bad_request("domain must name at least two classes (or none, for regression)", field="domain")
    _check_distribution(get_str(params, "distribution"), problem)
    for binomial_only in ("thresholds", "gainslift_bins"):
        if problem != "binomial" and params.get(binomial_only) not in (None, ""):
            raise bad_request(f"{binomial_only} applies to binomial metrics only (a domain of two labels); "
                              f"these are {problem}", field=binomial_only)
    if problem == "regression":
        result = metrics.regression_metrics(_numeric(actual.columns[0], "actuals_frame"),
                                            _regression_predictions(predicted))
    else:
        codes = _class_codes(actual.columns[0], domain)
        probs = _probabilities(predicted, len(domain))
        if problem == "binomial":
            result = metrics.binomial_metrics(codes, probs, domain, thresholds=_thresholds(params),
                                              gains_lift_groups=get_int(params, "gainslift_bins",
                                                                        gains_lift.DEFAULT_GROUPS, minimum=1))
        else:
            result = metrics.multinomial_metrics(codes, probs, domain)
    body = model_json.clean(dict(result, model_category=problem.capitalize()))
    return jsonify({"__meta": meta("ModelMetricsMakerSchemaV3", "ModelMetricsMaker"),
                    "predictions_frame": key_ref(predictions_frame, "Key<Frame>"),
                    "actuals_frame": key_ref(actuals_frame, "Key<Frame>"), "model_metrics": body})


def _check_distribution(distribution: str | None, problem: str) -> None:
    if distribution and distribution not in DISTRIBUTIONS[problem]:
        raise bad_request(f"distribution '{distribution}' does not fit {problem} metrics (domain decides the "
                          f"problem); use one of {', '.join(DISTRIBUTIONS[problem])}", field="distribution")


def _thresholds(params: dict) -> list[float] | None:
    values = get_list(params, "thresholds")
    if values is None:
        return None
    if not values:
        raise bad_request("thresholds must hold at least one number", field="thresholds")
    return [parse_float(v, "thresholds") for v in values]


def _numeric(col: Column, field: str) -> np.ndarray:
    if not col.is_numeric:
        raise bad_request(f"Column '{col.name}' must be numeric here, it is {col.type}", field=field)
    return col.data


def _class_codes(col: Column, domain: list[str]) -> np.ndarray:
    """Codes into ``domain`` (-1 missing) of a categorical column, or of numeric codes 0..K-1."""
    if col.is_enum:
        unknown = sorted(set(col.domain) - set(domain))
        if unknown:
            raise bad_request(f"Actual levels {unknown} are not in domain {domain}", field="domain")
        mapping = np.array([domain.index(level) for level in col.domain], dtype=np.int64)
        return np.where(col.data >= 0, mapping[np.maximum(col.data, 0)], -1)
    values = _numeric(col, "actuals_frame")
    finite = values[np.isfinite(values)]
    if np.any((finite != np.round(finite)) | (finite < 0) | (finite >= len(domain))):
        raise bad_request(f"Numeric actual values must be class codes 0 to {len(domain) - 1} (indices into "
                          f"domain {domain})", field="actuals_frame")
    return np.where(np.isfinite(values), values, -1).astype(np.int64)


def _probabilities(frame: Frame, n_classes: int) -> np.ndarray:
    cols = [c for c in frame.columns if c.is_numeric]
    if frame.columns and frame.columns[0].name == "predict":
        cols = [c for c in frame.columns[1:] if c.is_numeric]
    if n_classes == 2 and len(cols) in (1, 2):
        p1 = cols[-1].data
        return np.column_stack((1.0 - p1, p1))
    if len(cols) != n_classes:
        raise bad_request(f"Predictions frame '{frame.key}' needs one probability column per class "
                          f"({n_classes}), it has {len(cols)} numeric columns", field="predictions_frame")
    return np.column_stack([c.data for c in cols])


def _regression_predictions(frame: Frame) -> np.ndarray:
    if frame.ncols != 1 and not frame.has_column("predict"):
        raise bad_request(f"Predictions frame '{frame.key}' must be one column (or have a 'predict' column)",
                          field="predictions_frame")
    col = frame.column("predict") if frame.has_column("predict") else frame.columns[0]
    return _numeric(col, "predictions_frame")


ROUTES = [Route("POST", "/3/ModelMetrics/predictions_frame/{predictions_frame}/actuals_frame/{actuals_frame}",
                make_metrics)]
