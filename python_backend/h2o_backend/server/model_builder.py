"""Building a deep-learning model from a request, shared by the model and grid handlers: decode the
parameters, find the frames and checkpoint they name, validate, and start the training job.
Problems are reported field by field in H2O-3's H2OModelBuilderErrorV3 shape (412)."""
from __future__ import annotations

import numpy as np

from h2o_backend.frames.cluster_frame import ClusterFrame
from h2o_backend.frames.frame import Column, Frame
from h2o_backend.server import model_json
from h2o_backend.server.context import services
from h2o_backend.server.errors import ApiError, model_builder_error
from h2o_backend.server.lookup import model_class
from h2o_backend.server.params import get_str
from h2o_backend.server.parameter_schema import describe
from h2o_backend.server.parameter_wire import parse_parameters
from h2o_backend.store import KeyStore


def parameter_listing(params, input_params=None) -> list[dict]:
    """H2O-3's ModelParameterSchemaV3 entries, in the engine's declaration order."""
    from h2o_backend.engine.parameters import PARAMETERS
    return [model_json.clean(describe(spec, params, input_params)) for spec in PARAMETERS]


def resolve_inputs(params, problems: list[dict]):
    """Frames and checkpoint named by the parameters; unknown keys become field problems."""
    store = services().store

    def lookup(key, kind, field, what):
        if not key:
            return None
        value = store.get(key, kind)
        if value is None:
            problems.append({"field": field, "level": "ERRR", "message": f"{what} '{key}' not found"})
        return value

    if not params.training_frame:
        problems.append({"field": "training_frame", "level": "ERRR",
                         "message": "Argument 'training_frame' is required, but not specified"})
    train = lookup(params.training_frame, (Frame, ClusterFrame), "training_frame", "Frame")
    valid = lookup(params.validation_frame, (Frame, ClusterFrame), "validation_frame", "Frame")
    checkpoint = lookup(params.checkpoint, model_class(), "checkpoint", "Checkpoint model")
    start_problems(params, problems)
    return train, valid, checkpoint


def _start_lookups(params):
    """(field, what, key, stored value) for each frame of initial_weights / initial_biases and the
    pretrained_autoencoder model the parameters name."""
    store = services().store
    for field, what in (("initial_weights", "User-given weight matrix"), ("initial_biases", "User-given bias vector")):
        for i, key in enumerate(getattr(params, field, None) or []):
            if key:
                yield field, f"{what} #{i + 1}", key, store.get(key, Frame)
    key = getattr(params, "pretrained_autoencoder", None)
    if key:
        yield "pretrained_autoencoder", "The pretrained model", key, store.get(key, model_class())


def start_problems(params, problems: list[dict]) -> None:
    """Unknown keys among initial_weights / initial_biases / pretrained_autoencoder, and the
    pretrained model's kind (engine/network_start.py), as field problems."""
    from h2o_backend.engine import network_start
    for field, what, key, value in _start_lookups(params):
        if value is None:
            problems.append({"field": field, "level": "ERRR", "message": f"{what} '{key}' not found"})
        elif field == "pretrained_autoencoder":
            problems.extend(network_start.pretrained_problems(params, value))


def network_start(params):
    """The frames and model the parameters name, for train_deeplearning's ``start``."""
    from h2o_backend.engine.network_start import NetworkStart
    found: dict = {}
    for field, _what, key, value in _start_lookups(params):
        found[(field, key)] = value
    frames = {field: None if getattr(params, field, None) is None else
              [found.get((field, k)) if k else None for k in getattr(params, field)]
              for field in ("initial_weights", "initial_biases")}
    pretrained = found.get(("pretrained_autoencoder", getattr(params, "pretrained_autoencoder", None)))
    return NetworkStart(frames["initial_weights"], frames["initial_biases"], pretrained)


def custom_metric(params):
    """The CustomMetric that custom_metric_func names (None without one): 403 unless the server
    allows custom code, 412 naming the field when the archive is missing or does not load."""
    from h2o_backend.engine.metrics import custom
    from h2o_backend.server.handlers.put_key import UploadedArchive, require_custom_code_allowed
    reference = getattr(params, "custom_metric_func", None)
    if not reference:
        return None
    require_custom_code_allowed("custom_metric_func")
    match = custom.REFERENCE.match(reference)
    archive = services().store.get(match["key"], UploadedArchive) if match else None
    try:
        if match and archive is None:
            raise custom.CustomCodeError(f"custom_metric_func: no uploaded archive under '{match['key']}' "
                                         "(h2o.upload_custom_metric uploads it)")
        return custom.load(reference, archive.files if archive else {})
    except custom.CustomCodeError as exc:
        raise model_builder_error([{"field": "custom_metric_func", "level": "ERRR", "message": str(exc)}],
                                  params.model_id)


def raise_if_errors(problems: list[dict], model_id: str | None) -> None:
    if any(p["level"] == "ERRR" for p in problems):
        raise model_builder_error(problems, model_id)


def parse_and_resolve(raw: dict, label: str | None = None):
    """(params, train, valid, checkpoint, problems) with each value parsed and each key found, but
    the parameters not yet checked against each other; raises on any error. `label` names the
    request in errors when it has no model_id (a grid's id)."""
    params, problems = parse_parameters(raw)
    train, valid, checkpoint = resolve_inputs(params, problems)
    raise_if_errors(problems, params.model_id or label)
    return params, train, valid, checkpoint, problems


def parse_and_validate(raw: dict, default_model_id: str | None = None):
    """(params, train, valid, checkpoint, problems) for a build request; raises on any error.
    `default_model_id` becomes the model id when none is given (so errors name the key the model
    would get, as H2O-3's do)."""
    from h2o_backend.engine import parameters
    raw = dict(raw)
    if default_model_id and not get_str(raw, "model_id"):
        raw["model_id"] = default_model_id
    params, train, valid, checkpoint, problems = parse_and_resolve(raw)
    problems += parameters.validate(params, train, valid, checkpoint)
    raise_if_errors(problems, params.model_id)
    problems += memory_problems(params, train, valid, checkpoint)
    raise_if_errors(problems, params.model_id)
    return params, train, valid, checkpoint, problems


def training_estimate(params, train, valid, checkpoint):
    """What training these parameters will hold (engine/memory.py), for this server's threads."""
    from h2o_backend.engine import memory
    return memory.training_estimate(params, train, valid, checkpoint, n_threads=services().nthreads)


def memory_problems(params, train, valid, checkpoint, estimate=None) -> list[dict]:
    """A problem on the estimate's field (`hidden`, or `mini_batch_size` when the batch buffers are
    the largest part) when the model would not fit in the free part of --max-mem (checked after
    the other validation, so the parameters are known to be consistent)."""
    estimate = estimate or training_estimate(params, train, valid, checkpoint)
    message = services().memory.problem(estimate)
    return [] if message is None else [{"field": estimate.field or "hidden", "level": "ERRR", "message": message}]


def guarded_build(estimate, work, label: str):
    """`work` holding `estimate` against --max-mem while it runs; when a concurrent request took
    the memory since validation, the same 412 field problem as validation gives."""
    try:
        return services().memory.guarded(estimate, work)
    except ApiError as exc:
        raise_if_errors([{"field": estimate.field or "hidden", "level": "ERRR", "message": exc.msg}], label)
        raise


def store_model(svc, model) -> None:
    """Put a trained model in the store with its cross-validation models (their keys are listed in
    output.cross_validation_models; as in H2O-3, each can be fetched by its key), and into the
    recovery folder when there is one; with export_weights_and_biases its layers' weights and
    biases as frames; the model's reproducibility information (the nodes, cloud and input
    frames that trained it) is recorded now."""
    from h2o_backend.server import recovery, reproducibility
    model.output["reproducibility_information_table"] = reproducibility.information_tables(svc, model)
    for cv_model in getattr(model, "cv_models", None) or []:
        svc.store.put(cv_model.model_id, cv_model)
        recovery.persist(svc, cv_model)
    for frame in getattr(model, "cv_frames", None) or []:     # keep_cross_validation_predictions / fold_assignment
        svc.store.put(frame.key, frame)
    if getattr(model.params, "export_weights_and_biases", False):
        export_weights_and_biases(svc.store, model)
    svc.store.put(model.model_id, model)
    recovery.persist(svc, model)


def export_weights_and_biases(store, model) -> None:
    """H2O-3's export_weights_and_biases: layer i's weights as frame `<model_id>.weights.<i>`
    (one row per unit of layer i+1, one column per unit of layer i: layer 0's named after the
    expanded inputs as H2O-3 names them, the others C1..) and its biases as
    `<model_id>.biases.<i>` (one column C1); the keys are listed in output.weights / output.biases."""
    mi = model.model_info
    weights, biases = [], []
    for layer in range(mi.n_layers):
        w = np.asarray(mi.weights(layer), dtype=np.float64)
        b = np.asarray(mi.biases(layer), dtype=np.float64)
        names = list(model.datainfo.expanded_names) if layer == 0 else [f"C{j + 1}" for j in range(w.shape[1])]
        w_frame = Frame(f"{model.model_id}.weights.{layer}",
                        [Column(names[j], "real", np.ascontiguousarray(w[:, j])) for j in range(w.shape[1])])
        b_frame = Frame(f"{model.model_id}.biases.{layer}", [Column("C1", "real", b.copy())])
        for frame, keys in ((w_frame, weights), (b_frame, biases)):
            store.put(frame.key, frame)
            keys.append(frame.key)
    model.output["weights"], model.output["biases"] = weights, biases


def start_training(params, train, valid, checkpoint):
    """Submit the training job; the finished (or cancelled) model lands in the store."""
    from h2o_backend.engine import training
    svc = services()
    model_id = params.model_id or KeyStore.random_key("DeepLearning_model")
    params.model_id = model_id
    start = network_start(params)
    metric = custom_metric(params)

    def work(job):
        model = training.train_deeplearning(params, train, valid, job=job, checkpoint_model=checkpoint,
                                            model_id=model_id, cluster=svc.cluster, start=start,
                                            custom_metric=metric)
        store_model(svc, model)

    work = guarded_build(training_estimate(params, train, valid, checkpoint), work, model_id)
    return svc.jobs.submit(f"DeepLearning model {model_id}", work, dest_key=model_id, dest_type="Key<Model>")
