"""Predictions and metrics of a frame held by the Dask workers (issue 20).

The predictions are a cluster frame too: each chunk is scored on the worker that holds it (the
model is sent once to every worker), and its predictions stay there as a chunk of the new frame,
whose statistics are combined as for a parsed frame (cluster/frames.py ``built``). The model's
future is kept with the frame, so a lost worker's predictions can be recomputed.

Metrics are reduced on the workers: each chunk's labelled rows are prepared and scored where they
lie, and the worker sends the sums and counts its rows add to the metrics (engine/metrics's
``*_parts``: squared errors, log loss, the confusion matrix, the hit-ratio ranks, ...), which the
server combines (``*_from_parts``) into the metrics a frame held by the server gives. Binomial
metrics (AUC, thresholds, gains/lift) and huber's deviance need every row at once: for those each
row's label and outputs (two or three numbers, never the inputs) come to the server.
"""
from __future__ import annotations

import numpy as np

from h2o_backend.cluster import frames
from h2o_backend.cluster.frame_training import prepared
from h2o_backend.engine.metrics import provenance


def predict_chunk(chunk, model, kind: str, layer: int, key: str):
    """One chunk's predictions (the handlers' kinds: predict, reconstruction_error, deep_features)."""
    if kind == "reconstruction_error":
        return model.anomaly(chunk, key)
    if kind == "deep_features":
        return model.deep_features(chunk, layer + 1, key)
    return model.predict(chunk, key)


def predict(cluster, model, frame, key: str, kind: str = "predict", layer: int = -1):
    """The predictions of ``frame`` as a ClusterFrame under ``key`` (module doc)."""
    client = cluster.client
    sent = client.scatter(model, broadcast=True, hash=False)
    placed = frames.first_holders(cluster, frame)
    local = [frames.submit_on(client, w, predict_chunk, c, sent, kind, layer, key)
             for c, w in zip(frame.chunks, placed)]
    return frames.built(cluster, key, local, placed, keep=[sent, *frame.references()])


def metric_parts(chunk, model):
    """On a worker: what the chunk's labelled rows add to the model's metrics (module doc)."""
    from h2o_backend.engine.metrics import model_metrics as mm
    info = model.datainfo
    X, y = prepared(info, chunk)
    if model.problem == "AutoEncoder":
        return mm.autoencoder_parts(model.outputs(X, row_mse=True)[1])
    if model.problem == "Regression":
        actual, values = info.unstandardize(y), model.regression_values(X, None)
        return (actual, values) if _rows_needed(model) else mm.regression_parts(actual, values, family=model.family())
    probs = model.class_probabilities(X)
    if model.problem == "Binomial":
        return y, probs
    return mm.multinomial_parts(y, probs, len(info.response_domain))


def _rows_needed(model) -> bool:
    """Metrics that need every row at once: binomial (AUC, thresholds, gains/lift) and huber's
    deviance (its delta is a quantile of all the residuals)."""
    if model.problem == "Binomial":
        return True
    family = model.family() if model.problem == "Regression" else None
    return family is not None and family.name == "huber" and family.huber_alpha is not None


def metrics(cluster, model, frame) -> dict:
    """model.score of ``frame``, reduced from the chunks' parts (module doc)."""
    from h2o_backend.engine.metrics import gains_lift
    from h2o_backend.engine.metrics import model_metrics as mm
    client = cluster.client
    sent = client.scatter(model, broadcast=True, hash=False)
    futures = [client.submit(metric_parts, c, sent, pure=False) for c in frame.chunks]
    try:
        parts = client.gather(futures)
    finally:
        client.cancel(futures + [sent])
    p = model.params
    if model.problem == "AutoEncoder":
        result = mm.autoencoder_from_parts(parts)
    elif model.problem == "Multinomial":
        result = mm.multinomial_from_parts(parts, model.datainfo.response_domain, p.max_hit_ratio_k,
                                           p.max_confusion_matrix_size)
    elif not _rows_needed(model):
        result = mm.regression_from_parts(parts)
    else:
        first, second = (np.concatenate([part[i] for part in parts]) for i in (0, 1))
        if model.problem == "Binomial":
            result = mm.binomial_metrics(first, second, list(model.datainfo.response_domain),
                                         gains_lift_groups=gains_lift.DEFAULT_GROUPS)
        else:
            result = mm.regression_metrics(first, second, family=model.family())
    return provenance.stamp(dict(result, description=None), model, frame)
