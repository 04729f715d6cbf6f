"""Predictions and metrics of a frame held by the Dask workers (issue 20).

The predictions are a cluster frame too: each chunk is scored on the worker that holds it (the
model is sent once to every worker), and its predictions stay there as a chunk of the new frame,
whose statistics are combined as for a parsed frame (cluster/frames.py ``built``). The model's
future is kept with the frame, so a lost worker's predictions can be recomputed.

Metrics: the labelled rows of every chunk are prepared and scored where they lie; what comes to
the server is each row's outputs (the class probabilities, the prediction or the reconstruction
error) and its label, never its inputs, and the model's metrics (AUC and gains/lift included) are
computed from those as for a frame the server holds.
"""
from __future__ import annotations

import numpy as np

from h2o_backend.cluster import frames
from h2o_backend.cluster.frame_training import RemoteRows, labelled_count, labels
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
    holders = client.who_has(list(frame.chunks))
    placed = [next(iter(holders.get(c.key, ())), None) for c in frame.chunks]
    local = [client.submit(predict_chunk, c, sent, kind, layer, key, workers=[w] if w else None,
                           allow_other_workers=True, pure=False) for c, w in zip(frame.chunks, placed)]
    return frames.built(cluster, key, local, placed, keep=[sent])


def metrics(cluster, model, frame) -> dict:
    """model.score of ``frame`` (module doc)."""
    client = cluster.client
    info = model.datainfo
    counts = client.gather([client.submit(labelled_count, c, info, pure=False) for c in frame.chunks])
    positions = [np.arange(int(n)) for n in counts]
    remote = RemoteRows(cluster, frame.chunks, info, positions)
    y = None
    if model.problem != "AutoEncoder":
        parts = client.gather([client.submit(labels, c, info, p, pure=False)
                               for c, p in zip(frame.chunks, positions) if p.size])
        if not parts:
            raise ValueError(f"Frame '{frame.key}' has no row with a response to compute metrics on")
        y = np.concatenate(parts)
    result = model.metrics_on(remote, y, forward=remote.forward)
    return provenance.stamp(dict(result, description=None), model, frame)
