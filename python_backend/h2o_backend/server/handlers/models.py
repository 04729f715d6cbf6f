"""Deep-learning model builders and models: build (a job), validate, list, get, delete, save, load."""
from __future__ import annotations

import os

from flask import jsonify, request

from h2o_backend.errors import ApiError, bad_request, not_found
from h2o_backend.export import saved_model
from h2o_backend.frames import Frame
from h2o_backend.server import model_json
from h2o_backend.server.context import services
from h2o_backend.server.known_params import reject_unknown
from h2o_backend.server.params import get_bool, get_str, request_params
from h2o_backend.server.routes import Route
from h2o_backend.server.schema import meta
from h2o_backend.store import KeyStore


def _engine():
    # Imported lazily so the server starts (and answers /3/Cloud) without compiling kernels.
    from h2o_backend.engine import model as model_module
    from h2o_backend.engine import parameters, training
    return parameters, training, model_module


def get_model(model_id: str):
    _, _, model_module = _engine()
    model = services().store.get(model_id, model_module.DeepLearningModel)
    if model is None:
        raise not_found("Model", model_id, field="model_id")
    return model


def get_frame(key: str, field: str) -> Frame:
    frame = services().store.get(key, Frame)
    if frame is None:
        raise not_found("Frame", key, field=field)
    return frame


def parameter_listing(params, input_params=None) -> list[dict]:
    """H2O-3's ModelParameterSchemaV3 entries, in the engine's declaration order."""
    parameters, _, _ = _engine()
    return [model_json.clean(parameters.describe(spec, params, input_params))
            for spec in parameters.PARAMETERS]


def _resolve_inputs(params, problems: list[dict]):
    """Frames and checkpoint named by the parameters; unknown keys become field problems."""
    store = services().store
    _, _, model_module = _engine()

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
    train = lookup(params.training_frame, Frame, "training_frame", "Frame")
    valid = lookup(params.validation_frame, Frame, "validation_frame", "Frame")
    checkpoint = lookup(params.checkpoint, model_module.DeepLearningModel, "checkpoint", "Checkpoint model")
    return train, valid, checkpoint


def messages_json(problems: list[dict]) -> list[dict]:
    return [{"__meta": meta("ValidationMessageV3", "ValidationMessage"),
             "message_type": p["level"], "field_name": p["field"], "message": p["message"]}
            for p in problems]


def raise_if_errors(problems: list[dict], model_id: str | None) -> None:
    errors = [p for p in problems if p["level"] == "ERRR"]
    if errors:
        details = "; ".join(f"ERRR on field: {p['field']}: {p['message']}" for p in errors)
        name = model_id or "(no model_id given)"
        raise ApiError(412, f"Illegal argument(s) for DeepLearning model: {name}.  Details: {details}",
                       field=errors[0]["field"], exception_type="H2OModelBuilderIllegalArgumentException",
                       messages=messages_json(problems))


def parse_and_resolve(raw: dict, label: str | None = None):
    """(params, train, valid, checkpoint, problems) with each value parsed and each key found, but
    the parameters not yet checked against each other; raises on any error. `label` names the
    request in errors when it has no model_id (a grid's id)."""
    parameters, _, _ = _engine()
    params, problems = parameters.parse_parameters(raw)
    train, valid, checkpoint = _resolve_inputs(params, problems)
    raise_if_errors(problems, params.model_id or label)
    return params, train, valid, checkpoint, problems


def parse_and_validate(raw: dict, default_model_id: str | None = None):
    """(params, train, valid, checkpoint, problems) for a build request; raises on any error.
    `default_model_id` becomes the model id when none is given (so errors name the key the model
    would get, as H2O-3's do)."""
    parameters, _, _ = _engine()
    raw = dict(raw)
    if default_model_id and not get_str(raw, "model_id"):
        raw["model_id"] = default_model_id
    params, train, valid, checkpoint, problems = parse_and_resolve(raw)
    problems += parameters.validate(params, train, valid, checkpoint)
    raise_if_errors(problems, params.model_id)
    return params, train, valid, checkpoint, problems


def store_model(store, model) -> None:
    """Put a trained model in the store with its cross-validation models (their keys are listed in
    output.cross_validation_models; as in H2O-3, each can be fetched by its key)."""
    for cv_model in getattr(model, "cv_models", None) or []:
        store.put(cv_model.model_id, cv_model)
    store.put(model.model_id, model)


def start_training(params, train, valid, checkpoint):
    """Submit the training job; the finished (or cancelled) model lands in the store."""
    _, training, _ = _engine()
    svc = services()
    model_id = params.model_id or KeyStore.random_key("DeepLearning_model")
    params.model_id = model_id

    def work(job):
        model = training.train_deeplearning(params, train, valid, job=job,
                                            checkpoint_model=checkpoint, model_id=model_id)
        store_model(svc.store, model)

    return svc.jobs.submit(f"DeepLearning model {model_id}", work, dest_key=model_id, dest_type="Key<Model>")


def build_deeplearning():
    from h2o_backend.server.handlers.jobs import job_to_json
    params, train, valid, checkpoint, problems = parse_and_validate(
        request_params(), default_model_id=KeyStore.random_key("DeepLearning_model"))
    job = start_training(params, train, valid, checkpoint)
    return jsonify({"__meta": meta("DeepLearningV3", "DeepLearning"), "algo": "deeplearning",
                    "job": job_to_json(job), "messages": messages_json(problems),
                    "error_count": 0, "parameters": parameter_listing(params)})


def validate_deeplearning():
    parameters, _, _ = _engine()
    params, problems = parameters.parse_parameters(request_params())
    train, valid, checkpoint = _resolve_inputs(params, problems)
    if not any(p["level"] == "ERRR" for p in problems) and train is not None:
        problems += parameters.validate(params, train, valid, checkpoint)
    return jsonify({"__meta": meta("DeepLearningV3", "DeepLearning"), "algo": "deeplearning",
                    "messages": messages_json(problems),
                    "error_count": sum(1 for p in problems if p["level"] == "ERRR"),
                    "parameters": parameter_listing(params)})


def describe_builder():
    reject_unknown(request_params(), (), "ModelBuildersV3")
    parameters, _, _ = _engine()
    return jsonify({"__meta": meta("ModelBuildersV3", "ModelBuilders"),
                    "model_builders": {"deeplearning": {
                        "algo": "deeplearning", "algo_full_name": "Deep Learning",
                        "can_build": ["Regression", "Binomial", "Multinomial", "AutoEncoder"],
                        "visibility": "Stable",
                        "parameters": parameter_listing(parameters.DeepLearningParameters())}}})


def list_models():
    reject_unknown(request_params(), (), "ModelsV3")
    _, _, model_module = _engine()
    models = sorted(services().store.values(model_module.DeepLearningModel),
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


def reject_cv_predictions_export(params: dict) -> None:
    if get_bool(params, "export_cross_validation_predictions", False):
        raise bad_request("export_cross_validation_predictions is not supported: this server does not keep "
                          "cross-validation predictions", field="export_cross_validation_predictions")


def save_model(model_id: str):
    model = get_model(model_id)
    params = request_params()
    reject_unknown(params, {"dir", "force", "export_cross_validation_predictions"}, "ModelExportV3")
    reject_cv_predictions_export(params)
    path = get_str(params, "dir", required=True)
    force = get_bool(params, "force", False)
    try:
        written = saved_model.save(model.to_state(), "deeplearning", model.model_id, path, force=force)
    except FileExistsError as exc:
        raise bad_request(str(exc), field="dir", values={"dir": path})
    except OSError as exc:
        raise bad_request(f"Cannot save file {path}: {exc.strerror or exc}", field="dir")
    return jsonify({"__meta": meta("ModelExportV3", "ModelExport"), "model_id": model_json.key_ref(model_id),
                    "dir": written})


def _install_loaded(algo: str, state: dict, source: str):
    _, _, model_module = _engine()
    if algo != "deeplearning":
        raise bad_request(f"{source} holds a '{algo}' model; this server loads deeplearning models",
                          field="dir")
    model = model_module.DeepLearningModel.from_state(state)
    services().store.put(model.model_id, model)
    return jsonify({"__meta": meta("ModelsV3", "Models"),
                    "models": [model_json.model_json(model, parameter_listing(model.params, model.input_params))]})


def load_model():
    params = request_params()
    reject_unknown(params, ("dir",), "ModelImportV3")
    path = get_str(params, "dir", required=True)
    try:
        algo, _, state = saved_model.load(path)
    except FileNotFoundError as exc:
        raise ApiError(404, str(exc), field="dir", values={"dir": path})
    except saved_model.SavedModelError as exc:
        raise bad_request(str(exc), field="dir", values={"dir": path})
    return _install_loaded(algo, state, path)


def upload_model():
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
    Route("DELETE", "/3/Models/{model_id}", delete_model),
    Route("GET", "/99/Models.bin/{model_id}", save_model),
    Route("POST", "/99/Models.bin/", load_model),
    Route("POST", "/99/Models.upload.bin/", upload_model),
]
