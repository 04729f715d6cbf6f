"""Scoring: predictions (a job, waited for by /3/, returned by /4/) and model metrics."""
from __future__ import annotations

from flask import jsonify

from h2o_backend.errors import bad_request
from h2o_backend.server import model_json
from h2o_backend.server.context import services
from h2o_backend.server.handlers.models import get_frame, get_model
from h2o_backend.server.known_params import reject_unknown
from h2o_backend.server.params import get_bool, get_int, get_str, request_params
from h2o_backend.server.routes import Route
from h2o_backend.server.schema import key_ref, meta
from h2o_backend.store import KeyStore


def _has_response(model, frame) -> bool:
    response = model.datainfo.response_name
    return model.output.get("model_category") != "AutoEncoder" and bool(response) and frame.has_column(response)


def _metrics_for(model, frame) -> dict | None:
    if model.output.get("model_category") == "AutoEncoder" or _has_response(model, frame):
        return model_json.metrics_json(model.score(frame), model.model_id, frame.key,
                                       model.output.get("model_category"))
    return None


def _check_columns(model, frame) -> None:
    """H2O-3 scores missing predictors as NA, but refuses a frame sharing none of them."""
    names = model.datainfo.predictor_names
    if names and not any(frame.has_column(n) for n in names):
        raise bad_request(f"Test/Validation dataset has no columns in common with the training set: frame "
                          f"'{frame.key}' has none of the predictors of model '{model.model_id}' "
                          f"({', '.join(names[:10])}{', ...' if len(names) > 10 else ''})",
                          field="frame_id", values={"frame_id": frame.key})


# What H2O-3's deep-learning predictions take; its other options (predict_contributions,
# leaf_node_assignment, exemplar_index, deviances, ...) belong to other algorithms.
PREDICTION_OPTIONS = {"predictions_frame", "reconstruction_error", "reconstruction_error_per_feature",
                      "deep_features_hidden_layer"}


def _prediction_request(model_id: str, frame_id: str):
    model = get_model(model_id)
    frame = get_frame(frame_id, "frame_id")
    _check_columns(model, frame)
    params = request_params()
    reject_unknown(params, PREDICTION_OPTIONS, "ModelMetricsListSchemaV3")
    reconstruction_error = get_bool(params, "reconstruction_error", False)
    per_feature = get_bool(params, "reconstruction_error_per_feature", False)
    deep_features_layer = get_int(params, "deep_features_hidden_layer", -1)
    if per_feature:
        raise bad_request("reconstruction_error_per_feature is not supported; use reconstruction_error=true",
                          field="reconstruction_error_per_feature")
    if deep_features_layer != -1:
        raise bad_request("deep_features_hidden_layer is not supported by this server",
                          field="deep_features_hidden_layer")
    if reconstruction_error and model.output.get("model_category") != "AutoEncoder":
        raise bad_request("Deep Learning Model must be build with autoencoder = true. (reconstruction_error=true "
                          f"asks for an autoencoder's per-row reconstruction MSE; model '{model_id}' is "
                          f"{model.output.get('model_category')})", field="reconstruction_error")
    prefix = "reconstruction_error" if reconstruction_error else "prediction"
    dest = get_str(params, "predictions_frame") or KeyStore.random_key(f"{prefix}_{model_id}")
    return model, frame, reconstruction_error, dest


def _submit(model, frame, reconstruction_error: bool, dest: str):
    store = services().store

    def work(job):
        job.update(0.0, "Scoring")
        result = model.anomaly(frame, dest) if reconstruction_error else model.predict(frame, dest)
        store.put(dest, result)

    return services().jobs.submit(f"Prediction of {model.model_id} on {frame.key}", work,
                                  dest_key=dest, dest_type="Key<Frame>")


def predict_sync(model_id: str, frame_id: str):
    model, frame, reconstruction_error, dest = _prediction_request(model_id, frame_id)
    job = _submit(model, frame, reconstruction_error, dest)
    job.wait()
    if job.status != "DONE":
        raise bad_request(job.exception or f"Prediction was {job.status.lower()}", field="frame_id")
    metrics = _metrics_for(model, frame)
    if metrics is not None:     # as H2O-3: h2o.anomaly finds its frame at model_metrics[0].predictions
        metrics["predictions"] = {"frame_id": key_ref(dest, "Key<Frame>")}
    return jsonify({"__meta": meta("ModelMetricsListSchemaV3", "ModelMetricsList"),
                    "model": key_ref(model_id, "Key<Model>"), "frame": key_ref(frame_id, "Key<Frame>"),
                    "predictions_frame": key_ref(dest, "Key<Frame>"),
                    "model_metrics": [m for m in [metrics] if m is not None]})


def predict_async(model_id: str, frame_id: str):
    from h2o_backend.server.handlers.jobs import job_to_json
    model, frame, reconstruction_error, dest = _prediction_request(model_id, frame_id)
    job = _submit(model, frame, reconstruction_error, dest)
    return jsonify({"__meta": meta("JobV3", "Job"), "job": job_to_json(job),
                    "predictions_frame": key_ref(dest, "Key<Frame>")})


def model_metrics(model_id: str, frame_id: str):
    model = get_model(model_id)
    frame = get_frame(frame_id, "frame_id")
    reject_unknown(request_params(), set(), "ModelMetricsListSchemaV3")
    _check_columns(model, frame)
    metrics = _metrics_for(model, frame)
    if metrics is None:
        raise bad_request(f"Frame '{frame_id}' has no response column '{model.datainfo.response_name}' "
                          "to compute metrics against", field="frame_id")
    return jsonify({"__meta": meta("ModelMetricsListSchemaV3", "ModelMetricsList"),
                    "model": key_ref(model_id, "Key<Model>"), "frame": key_ref(frame_id, "Key<Frame>"),
                    "model_metrics": [metrics]})


ROUTES = [
    Route("POST", "/3/Predictions/models/{model_id}/frames/{frame_id}", predict_sync),
    Route("POST", "/4/Predictions/models/{model_id}/frames/{frame_id}", predict_async),
    Route("GET", "/3/ModelMetrics/models/{model_id}/frames/{frame_id}", model_metrics),
    Route("POST", "/3/ModelMetrics/models/{model_id}/frames/{frame_id}", model_metrics),
]
