"""Keys -> stored objects for the handlers: a frame, a model or a job, or a 404 naming the key and
the request field it came from. The engine's model class is imported on first use, so the server
starts (and answers /3/Cloud) without loading the numba kernels."""
from __future__ import annotations

from flask import request

from h2o_backend.frames.cluster_frame import ClusterFrame
from h2o_backend.frames.frame import Frame, RawFile
from h2o_backend.jobs import Job
from h2o_backend.server.context import services
from h2o_backend.server.errors import bad_request, not_found


def model_class():
    from h2o_backend.engine.model import DeepLearningModel
    return DeepLearningModel


def get_frame(key: str, field: str = "frame_id", on_cluster: bool = False) -> Frame:
    """The parsed frame under `key`, or a 404 naming it (and saying so when it is a raw file). A
    frame held by the Dask workers is returned only to a request that handles one
    (``on_cluster``); others answer 400 naming the request."""
    store = services().store
    frame = store.get(key, Frame)
    held = store.get(key, ClusterFrame)
    if held is not None:
        if on_cluster:
            return held
        raise bad_request(f"Frame {key} is held by the Dask workers: {request.method} {request.path} is not "
                          f"supported for cluster frames yet", field=field)
    if frame is None:
        err = not_found("Frame", key, field=field)
        if store.get(key, RawFile) is not None:
            err.msg += " (it is a raw file: parse it first)"
        raise err
    return frame


def get_model(model_id: str, field: str = "model_id"):
    model = services().store.get(model_id, model_class())
    if model is None:
        raise not_found("Model", model_id, field=field)
    return model


def get_job(job_id: str) -> Job:
    job = services().store.get(job_id, Job)
    if job is None:
        raise not_found("Job", job_id, field="job_id")
    return job
