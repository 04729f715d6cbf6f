"""Deep-learning model builders and models: build (a job), validate, list, get, delete, save, load."""
from __future__ import annotations

import os

from flask import jsonify, request

from h2o_backend.export import saved_model
from h2o_backend.server import housekeeping, model_json
from h2o_backend.server.context import services
from h2o_backend.server.errors import ApiError, bad_request, validation_messages
from h2o_backend.server.job_json import job_to_json
from h2o_backend.server.known_params import reject_cv_predictions_export, reject_unknown
from h2o_backend.server.lookup import get_model, model_class
from h2o_backend.server.model_builder import (memory_problems, parameter_listing, parse_and_validate,
                                              resolve_inputs, start_training)
from h2o_backend.server.parameter_wire import parse_parameters
from h2o_backend.server.params import get_bool, get_str, request_params
from h2o_backend.server.routes import Route
from h2o_backend.server.uploads import limit_body
from h2o_backend.server.schema import meta
from h2o_backend.store import KeyStore


def build_deeplearning():
    params, train, valid, checkpoint, problems = parse_and_validate(
        request_params(), default_model_id=KeyStore.random_key("DeepLearning_model"))
    job = start_training(params, train, valid, checkpoint)
    return jsonify({"__meta": meta("DeepLearningV3", "DeepLearning"), "algo": "deeplearning",
                    "job": job_to_json(job), "messages": validation_messages(problems),
                    "error_count": 0, "parameters": parameter_listing(params)})


def validate_deeplearning():
    from h2o_backend.engine import parameters
    params, problems = parse_parameters(request_params())
    train, valid, checkpoint = resolve_inputs(params, problems)
    if not any(p["level"] == "ERRR" for p in problems) and train is not None:
        problems += parameters.validate(params, train, valid, checkpoint)
        if not any(p["level"] == "ERRR" for p in problems):
            problems += memory_problems(params, train, valid, checkpoint)
    return jsonify({"__meta": meta("DeepLearningV3", "DeepLearning"), "algo": "deeplearning",
                    "messages": validation_messages(problems),
                    "error_count": sum(1 for p in problems if p["level"] == "ERRR"),
                    "parameters": parameter_listing(params)})


def describe_builder():
    reject_unknown(request_params(), (), "ModelBuildersV3")
    from h2o_backend.engine import parameters
    return jsonify({"__meta": meta("ModelBuildersV3", "ModelBuilders"),
                    "model_builders": {"deeplearning": {
                        "algo": "deeplearning", "algo_full_name": "Deep Learning",
                        "can_build": ["Regression", "Binomial", "Multinomial", "AutoEncoder"],
                        "visibility": "Stable",
                        "parameters": parameter_listing(parameters.DeepLearningParameters())}}})


def list_models():
    reject_unknown(request_params(), (), "ModelsV3")
    models = sorted(services().store.values(model_class()),
                    key=lambda m: m.output.get("start_time") or 0)
    return jsonify({"__meta": meta("ModelsV3", "Models"),
                    "models": [model_json.model_json(m, parameter_listing(m.params, m.input_params))
                               for m in models]})


def fetch_model(model_id: str):
    reject_unknown(request_params(), (), "ModelsV3")
    model = get_model(model_id)
    return jsonify({"__meta": meta("ModelsV3", "Models"),
                    "models": [model_json.model_json(model, parameter_listing(model.params, model.input_params))]})


def delete_model(model_id: str):
    """The model and, as in H2O-3, its cross-validation models."""
    reject_unknown(request_params(), (), "ModelsV3")
    model = get_model(model_id)
    store = services().store
    for cv_key in model.output.get("cross_validation_models") or []:
        store.remove(cv_key)
    store.remove(model_id)
    return jsonify({"__meta": meta("ModelsV3", "Models"), "models": []})


def save_model(model_id: str):
    model = get_model(model_id)
    params = request_params()
    reject_unknown(params, {"dir", "force", "export_cross_validation_predictions"}, "ModelExportV3")
    reject_cv_predictions_export(params)
    path = get_str(params, "dir", required=True)
    force = get_bool(params, "force", False)
    target = services().files.check(path, "dir", "write")   # resolved: `..` and links followed
    try:
        written = _save(model, target, force)
    except FileExistsError as exc:
        raise bad_request(str(exc), field="dir", values={"dir": path})
    except OSError as exc:
        raise bad_request(f"Cannot save file {path}: {exc.strerror or exc}", field="dir")
    return jsonify({"__meta": meta("ModelExportV3", "ModelExport"), "model_id": model_json.key_ref(model_id),
                    "dir": written})


def _save(model, target: str, force: bool) -> str:
    """Write the model file atomically to ``target`` (a path already checked and resolved by the
    file-access rules), its folder recorded first (stale temporary files of a killed server are
    removed there at the next start) and the save counted as in flight (a shutdown waits for it)."""
    svc = services()
    if svc.lifecycle.shutting_down.is_set():
        raise ApiError(503, "The server is shutting down: the model was not saved", field="dir",
                       exception_type="H2OServerShuttingDownException")
    with svc.lifecycle.saving():
        os.makedirs(os.path.dirname(target), exist_ok=True)
        housekeeping.record_save_folder(os.path.dirname(target))
        written = saved_model.save(model.to_state(), "deeplearning", model.model_id, target, force=force)
    return written


def _install_loaded(algo: str, state: dict, source: str):
    if algo != "deeplearning":
        raise bad_request(f"{source} holds a '{algo}' model; this server loads deeplearning models",
                          field="dir")
    model = model_class().from_state(state)
    services().store.put(model.model_id, model)
    return jsonify({"__meta": meta("ModelsV3", "Models"),
                    "models": [model_json.model_json(model, parameter_listing(model.params, model.input_params))]})


def load_model():
    params = request_params()
    reject_unknown(params, ("dir",), "ModelImportV3")
    path = get_str(params, "dir", required=True)
    source = services().files.check(path, "dir", "read")
    try:
        algo, _, state = saved_model.load(source)
    except FileNotFoundError as exc:
        raise ApiError(404, str(exc), field="dir", values={"dir": path})
    except saved_model.SavedModelError as exc:
        raise bad_request(str(exc), field="dir", values={"dir": path})
    return _install_loaded(algo, state, path)


def upload_model():
    limit_body(services().max_upload)
    upload = request.files.get("file")
    if upload is None:
        raise bad_request("Missing multipart field 'file' holding the saved model", field="file")
    target = os.path.join(services().spool_dir, KeyStore.random_key("upload_model"))
    upload.save(target)
    try:
        algo, _, state = saved_model.load(target)
    except saved_model.SavedModelError as exc:
        raise bad_request(str(exc).replace(target, upload.filename or "the upload"), field="file")
    finally:
        os.unlink(target)
    return _install_loaded(algo, state, upload.filename or "the upload")


ROUTES = [
    Route("GET", "/3/ModelBuilders/deeplearning", describe_builder),
    Route("POST", "/3/ModelBuilders/deeplearning", build_deeplearning),
    Route("POST", "/3/ModelBuilders/deeplearning/parameters", validate_deeplearning),
    Route("GET", "/3/Models", list_models),
    Route("GET", "/3/Models/{model_id}", fetch_model),
    Route("GET", "/99/Models/{model_id}", fetch_model),
    Route("DELETE", "/3/Models/{model_id}", delete_model),
    Route("GET", "/99/Models.bin/{model_id}", save_model),
    Route("POST", "/99/Models.bin/", load_model),
    Route("POST", "/99/Models.upload.bin/", upload_model),
]
