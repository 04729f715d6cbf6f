"""POST /3/ModelMetrics/predictions_frame/{p}/actuals_frame/{a}: H2O-3's ``make_metrics``, the
metrics of predictions against actual values (computed by engine/metrics/make.py), with the fields
the official client sends: domain, distribution, weights_frame and auc_type (AUTO or NONE: no
multinomial AUC); treatment_frame (uplift) is refused."""
from __future__ import annotations

from flask import jsonify

from h2o_backend.engine.metrics import gains_lift
from h2o_backend.engine.metrics.make import make_metrics as compute_metrics
from h2o_backend.engine.metrics.make import problem_of
from h2o_backend.server import model_json
from h2o_backend.server.errors import bad_request
from h2o_backend.server.known_params import reject_unknown, reject_unsupported_auc_type
from h2o_backend.server.lookup import get_frame
from h2o_backend.server.params import get_int, get_list, get_str, parse_float, request_params
from h2o_backend.server.routes import Route
from h2o_backend.server.schema import key_ref, meta

UPLIFT_FIELDS = ("treatment_frame", "auuc_type", "auuc_nbins", "custom_auuc_thresholds")


def make_metrics(predictions_frame: str, actuals_frame: str):
    params = request_params()
    reject_unknown(params, ("domain", "distribution", "weights_frame", "auc_type", "thresholds", "gainslift_bins")
                   + UPLIFT_FIELDS, "ModelMetricsMakerSchemaV3")
    reject_unsupported_auc_type(params)
    _reject_uplift(params)
    predicted = get_frame(predictions_frame, "predictions_frame")
    actual = get_frame(actuals_frame, "actuals_frame")
    weights_key = get_str(params, "weights_frame")
    weights = get_frame(weights_key, "weights_frame") if weights_key else None
    domain = [str(d) for d in get_list(params, "domain", [])]
    problem = problem_of(domain)
    for binomial_only in ("thresholds", "gainslift_bins"):
        if problem != "binomial" and params.get(binomial_only) not in (None, ""):
            raise bad_request(f"{binomial_only} applies to binomial metrics only (a domain of two labels); "
                              f"these are {problem}", field=binomial_only)
    result = compute_metrics(predicted, actual, domain, thresholds=_thresholds(params),
                             gains_lift_groups=get_int(params, "gainslift_bins", gains_lift.DEFAULT_GROUPS, minimum=1),
                             weights=weights, distribution=get_str(params, "distribution"))
    return jsonify({"__meta": meta("ModelMetricsMakerSchemaV3", "ModelMetricsMaker"),
                    "predictions_frame": key_ref(predictions_frame, "Key<Frame>"),
                    "actuals_frame": key_ref(actuals_frame, "Key<Frame>"), "model_metrics": _typed(result)})


def _typed(result: dict) -> dict:
    """H2O-3's ModelMetrics*V3 of the result (its __meta makes the official client return the
    metrics class of the problem), for no model and no frame."""
    return model_json.metrics_json(result, None, None, result["model_category"])


def _reject_uplift(params: dict) -> None:
    for field in UPLIFT_FIELDS:
        if params.get(field) not in (None, ""):
            raise bad_request(f"{field} is not supported: this server makes no uplift metrics", field=field)


def _thresholds(params: dict) -> list[float] | None:
    values = get_list(params, "thresholds")
    if values is None:
        return None
    if not values:
        raise bad_request("thresholds must hold at least one number", field="thresholds")
    return [parse_float(v, "thresholds") for v in values]


ROUTES = [Route("POST", "/3/ModelMetrics/predictions_frame/{predictions_frame}/actuals_frame/{actuals_frame}",
                make_metrics)]
