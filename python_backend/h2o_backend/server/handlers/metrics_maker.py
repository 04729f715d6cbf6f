"""POST /3/ModelMetrics/predictions_frame/{p}/actuals_frame/{a}: H2O-3's ``make_metrics``, the
metrics of predictions against actual values (computed by engine/metrics/make.py)."""
from __future__ import annotations

from flask import jsonify

from h2o_backend.engine.metrics import gains_lift
from h2o_backend.engine.metrics.make import make_metrics as compute_metrics
from h2o_backend.engine.metrics.make import problem_of
from h2o_backend.server import model_json
from h2o_backend.server.errors import bad_request
from h2o_backend.server.known_params import reject_unknown
from h2o_backend.server.lookup import get_frame
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
    domain = [str(d) for d in get_list(params, "domain", [])]
    problem = problem_of(domain)
    _check_distribution(get_str(params, "distribution"), problem)
    for binomial_only in ("thresholds", "gainslift_bins"):
        if problem != "binomial" and params.get(binomial_only) not in (None, ""):
            raise bad_request(f"{binomial_only} applies to binomial metrics only (a domain of two labels); "
                              f"these are {problem}", field=binomial_only)
    result = compute_metrics(predicted, actual, domain, thresholds=_thresholds(params),
                             gains_lift_groups=get_int(params, "gainslift_bins", gains_lift.DEFAULT_GROUPS, minimum=1))
    return jsonify({"__meta": meta("ModelMetricsMakerSchemaV3", "ModelMetricsMaker"),
                    "predictions_frame": key_ref(predictions_frame, "Key<Frame>"),
                    "actuals_frame": key_ref(actuals_frame, "Key<Frame>"), "model_metrics": model_json.clean(result)})


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


ROUTES = [Route("POST", "/3/ModelMetrics/predictions_frame/{predictions_frame}/actuals_frame/{actuals_frame}",
                make_metrics)]
