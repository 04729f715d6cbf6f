"""Scoring: predictions (a job, waited for by /3/, returned by /4/) and model metrics.

On a server with a Dask cluster, frames of at least ``--dask-predict-min-rows`` rows are scored on
the workers (the cluster's forward, cluster/scoring.py), their predictions and metrics the same."""
from __future__ import annotations

from dataclasses import dataclass

from flask import jsonify

from h2o_backend.engine import memory
from h2o_backend.server.errors import bad_request
from h2o_backend.frames.frame import Frame
from h2o_backend.server import model_json
from h2o_backend.server.context import services
from h2o_backend.server.job_json import job_to_json
from h2o_backend.server.lookup import get_frame, get_model
from h2o_backend.server.known_params import reject_unknown, reject_unsupported_auc_type
from h2o_backend.server.params import get_bool, get_int, get_str, request_params
from h2o_backend.engine.data.datainfo import MISSING_OFFSET
from h2o_backend.server.routes import Route
from h2o_backend.server.schema import key_ref, meta
from h2o_backend.store import KeyStore


def _has_response(model, frame) -> bool:
    response = model.datainfo.response_name
    return model.output.get("model_category") != "AutoEncoder" and bool(response) and frame.has_column(response)


def _held(frame) -> bool:
    return getattr(frame, "held_on_cluster", False)


def _forward_for(frame: Frame):
    """The cluster's forward when the server has one and ``frame`` is large enough, else None
    (the model's local forward)."""
    s = services()
    if s.cluster is not None and frame.nrows >= s.dask_predict_min_rows and not _held(frame):
        return s.cluster.forward
    return None


def _metrics_for(model, frame) -> dict | None:
    if model.output.get("model_category") == "AutoEncoder" or _has_response(model, frame):
        if _held(frame):
            from h2o_backend.cluster import frame_predictions
            scored = frame_predictions.metrics(services().cluster, model, frame)
        else:
            scored = model.score(frame, forward=_forward_for(frame))
        return model_json.metrics_json(scored, model.model_id, frame.key, model.output.get("model_category"))
    return None


def _check_columns(model, frame) -> None:
    """H2O-3 scores missing predictors as NA, but refuses a frame sharing none of them, and a
    frame without the model's offset column."""
    offset = getattr(model.datainfo, "offset_name", None)
    if _held(frame) and (offset or getattr(model.datainfo, "weights_name", None)):
        raise bad_request(f"Frame '{frame.key}' is held by the Dask workers: scoring it with a model that has a "
                          f"weights or offset column is not supported yet", field="frame_id")
    if offset and not frame.has_column(offset):
        raise bad_request(MISSING_OFFSET.format(name=offset), field="frame_id", values={"frame_id": frame.key})
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


@dataclass
class PredictionRequest:
    model: object
    frame: Frame
    dest: str
    kind: str                   # "predict", "reconstruction_error" or "deep_features"
    layer: int = -1             # 0-based hidden layer, for deep features
    forward: object = None      # the cluster's forward for a large frame (None: the local one)
    cluster: object = None      # the Dask cluster that holds a cluster frame


    def score(self) -> Frame:
        if _held(self.frame):          # the predictions stay on the workers, a cluster frame too
            from h2o_backend.cluster import frame_predictions
            return frame_predictions.predict(self.cluster, self.model, self.frame, self.dest, self.kind,
                                             self.layer)
        if self.kind == "reconstruction_error":
            return self.model.anomaly(self.frame, self.dest, forward=self.forward)
        if self.kind == "deep_features":
            return self.model.deep_features(self.frame, self.layer + 1, self.dest, forward=self.forward)
        return self.model.predict(self.frame, self.dest, forward=self.forward)


def _prediction_request(model_id: str, frame_id: str) -> PredictionRequest:
    model = get_model(model_id)
    frame = get_frame(frame_id, "frame_id", on_cluster=True)
    _check_columns(model, frame)
    params = request_params()
    reject_unknown(params, PREDICTION_OPTIONS, "ModelMetricsListSchemaV3")
    reconstruction_error = get_bool(params, "reconstruction_error", False)
    layer = get_int(params, "deep_features_hidden_layer", -1)
    if get_bool(params, "reconstruction_error_per_feature", False):
        raise bad_request("reconstruction_error_per_feature is not supported; use reconstruction_error=true",
                          field="reconstruction_error_per_feature")
    if reconstruction_error and model.output.get("model_category") != "AutoEncoder":
        raise bad_request("Deep Learning Model must be build with autoencoder = true. (reconstruction_error=true "
                          f"asks for an autoencoder's per-row reconstruction MSE; model '{model_id}' is "
                          f"{model.output.get('model_category')})", field="reconstruction_error")
    kind = "reconstruction_error" if reconstruction_error else "predict"
    if layer != -1:
        _check_layer(model, layer, reconstruction_error)
        kind = "deep_features"
    dest = get_str(params, "predictions_frame") or KeyStore.random_key(f"{kind}_{model_id}")
    return PredictionRequest(model, frame, dest, kind, layer, _forward_for(frame), services().cluster)


def _check_layer(model, layer: int, reconstruction_error: bool) -> None:
    n_hidden = len(model.params.hidden)
    if reconstruction_error:
        raise bad_request("deep_features_hidden_layer and reconstruction_error=true ask for different frames; "
                          "give one of them", field="deep_features_hidden_layer")
    if n_hidden == 0:     # H2O-3 refuses too: the layer index must be between 0 and -1
        raise bad_request(f"Model '{model.model_id}' has no hidden layer (hidden = []): there are no deep "
                          f"features to extract (deep_features_hidden_layer {layer})",
                          field="deep_features_hidden_layer")
    if not 0 <= layer < n_hidden:
        raise bad_request(f"deep_features_hidden_layer must be a 0-based hidden layer index from 0 to "
                          f"{n_hidden - 1} (model '{model.model_id}' has {n_hidden}), got {layer}",
                          field="deep_features_hidden_layer")


def _submit(request: PredictionRequest):
    store = services().store

    def work(job):
        job.update(0.0, "Scoring on the Dask workers" if request.forward else "Scoring")
        store.put(request.dest, request.score())

    if not _held(request.frame):       # (a cluster frame's predictions take the workers' memory)
        estimate = memory.prediction_estimate(request.model, request.frame.nrows, request.kind, request.layer)
        work = services().memory.guarded(estimate, work)
    return services().jobs.submit(f"Prediction of {request.model.model_id} on {request.frame.key}", work,
                                  dest_key=request.dest, dest_type="Key<Frame>")


def predict_sync(model_id: str, frame_id: str):
    request = _prediction_request(model_id, frame_id)
    job = _submit(request)
    job.wait()
    if job.status != "DONE":
        raise bad_request(job.exception or f"Prediction was {job.status.lower()}", field="frame_id")
    dest = request.dest
    metrics = _metrics_for(request.model, request.frame)
    if metrics is not None:     # as H2O-3: h2o.anomaly finds its frame at model_metrics[0].predictions
        metrics["predictions"] = {"frame_id": key_ref(dest, "Key<Frame>")}
    return jsonify({"__meta": meta("ModelMetricsListSchemaV3", "ModelMetricsList"),
                    "model": key_ref(model_id, "Key<Model>"), "frame": key_ref(frame_id, "Key<Frame>"),
                    "predictions_frame": key_ref(dest, "Key<Frame>"),
                    "model_metrics": [m for m in [metrics] if m is not None]})


def predict_async(model_id: str, frame_id: str):
    request = _prediction_request(model_id, frame_id)
    job = _submit(request)
    return jsonify({"__meta": meta("JobV3", "Job"), "job": job_to_json(job),
                    "predictions_frame": key_ref(request.dest, "Key<Frame>")})


def model_metrics(model_id: str, frame_id: str):
    model = get_model(model_id)
    frame = get_frame(frame_id, "frame_id", on_cluster=True)
    params = request_params()
    reject_unknown(params, {"auc_type"}, "ModelMetricsListSchemaV3")
    reject_unsupported_auc_type(params)
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
