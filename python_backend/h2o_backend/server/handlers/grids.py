"""Grid search over deep-learning hyper-parameters: one job trains every combination."""
from __future__ import annotations

import dataclasses

from flask import jsonify

from h2o_backend.engine import stopping
from h2o_backend.engine.grid import (SORT_METRICS, STRATEGIES, Grid, SearchCriteria, combinations, ranking_error,
                                     run_grid, sorted_by_metric, sorted_model_ids)
from h2o_backend.server.errors import bad_request, not_found, validation_messages
from h2o_backend.server import model_json
from h2o_backend.server.context import services
from h2o_backend.server import lenient_json, model_builder
from h2o_backend.server.job_json import job_to_json
from h2o_backend.server.known_params import reject_parallel_grid, reject_unknown
from h2o_backend.server.parameter_wire import parse_parameters
from h2o_backend.server.params import get_bool, get_str, request_params
from h2o_backend.server.routes import Route
from h2o_backend.server.schema import meta
from h2o_backend.store import KeyStore

def _hyper_parameters(raw: dict) -> dict[str, list]:
    value = raw.pop("hyper_parameters", None)
    if value in (None, ""):
        raise bad_request("Argument 'hyper_parameters' is required, but not specified", field="hyper_parameters")
    if isinstance(value, str):
        value = _lenient_json(value, "hyper_parameters")
    if not isinstance(value, dict) or not value:
        raise bad_request("Argument 'hyper_parameters' must be a non-empty object of name -> list of values",
                          field="hyper_parameters")
    return {name: values if isinstance(values, list) else [values] for name, values in value.items()}


def _lenient_json(text: str, field: str):
    """JSON as H2O-3 (Gson, lenient) reads it: server/lenient_json.py."""
    try:
        return lenient_json.loads(text)
    except ValueError as exc:
        raise bad_request(f"Argument '{field}' is not a JSON object: {exc}", field=field)


CRITERIA_TYPES = {"strategy": str, "max_models": int, "max_runtime_secs": float, "seed": int,
                  "stopping_rounds": int, "stopping_metric": str, "stopping_tolerance": float}


def _search_criteria(raw: dict) -> SearchCriteria:
    value = raw.pop("search_criteria", None)
    if value in (None, ""):
        return SearchCriteria()
    if isinstance(value, str):
        value = _lenient_json(value, "search_criteria")
    if not isinstance(value, dict):
        raise bad_request("Argument 'search_criteria' must be an object such as {\"strategy\": \"Cartesian\"}",
                          field="search_criteria")
    unknown = sorted(set(value) - set(CRITERIA_TYPES))
    if unknown:
        raise bad_request(f"search_criteria {', '.join(unknown)} unknown; H2O-3's are "
                          f"{', '.join(CRITERIA_TYPES)}", field="search_criteria")
    criteria = SearchCriteria()
    for name, kind in CRITERIA_TYPES.items():
        if name in value and value[name] is not None:
            try:
                setattr(criteria, name, kind(value[name]))
            except (TypeError, ValueError):
                raise bad_request(f"search_criteria {name}: {value[name]!r} is not a {kind.__name__}",
                                  field=f"search_criteria.{name}")
    if criteria.strategy not in STRATEGIES:
        raise bad_request(f"search_criteria strategy '{criteria.strategy}' is not supported; "
                          f"{' and '.join(STRATEGIES)} are", field="search_criteria.strategy")
    if criteria.strategy == "Cartesian" and set(value) - {"strategy"}:
        raise bad_request(f"search_criteria {', '.join(sorted(set(value) - {'strategy'}))} apply to RandomDiscrete; "
                          "Cartesian trains every combination", field="search_criteria")
    if criteria.stopping_metric not in stopping.STOPPING_METRICS_SUPPORTED:
        raise bad_request(f"search_criteria stopping_metric '{criteria.stopping_metric}' is not supported; "
                          f"supported: {', '.join(stopping.STOPPING_METRICS_SUPPORTED)}",
                          field="search_criteria.stopping_metric")
    for name in ("max_models", "max_runtime_secs", "stopping_rounds", "stopping_tolerance"):
        if getattr(criteria, name) < 0:
            raise bad_request(f"search_criteria {name} must be >= 0", field=f"search_criteria.{name}")
    return criteria


# Every model of a grid trains on the request's frames and checkpoint, under a key of its own.
NOT_GRIDDABLE = ("training_frame", "validation_frame", "checkpoint", "model_id")


def _typed_hyper_values(hyper: dict[str, list], grid_id: str) -> dict[str, list]:
    """Each value decoded as a single build's would be, so grids accept what single builds do."""
    typed: dict[str, list] = {}
    for name, values in hyper.items():
        if name in NOT_GRIDDABLE:
            raise bad_request(f"hyper_parameters: '{name}' cannot be searched over; give it once, outside "
                              f"hyper_parameters", field=f"hyper_parameters.{name}")
        typed[name] = []
        for value in values:
            parsed, problems = parse_parameters({name: value})
            model_builder.raise_if_errors([dict(p, field=f"hyper_parameters.{p['field']}") for p in problems],
                                           grid_id)
            typed[name].append(getattr(parsed, name))
    return typed


def build_grid():
    from h2o_backend.engine import parameters
    raw = request_params()
    grid_id = get_str(raw, "grid_id") or KeyStore.random_key("Grid_DeepLearning")
    raw.pop("grid_id", None)
    hyper = _typed_hyper_values(_hyper_parameters(raw), grid_id)
    criteria = _search_criteria(raw)
    reject_parallel_grid(raw)
    base, train, valid, checkpoint, warnings = model_builder.parse_and_resolve(raw, label=grid_id)
    if criteria.stopping_metric in stopping.CUSTOM_METRICS and not base.custom_metric_func:
        raise bad_request(f"search_criteria stopping_metric = {criteria.stopping_metric}: "
                          f"{stopping.NO_CUSTOM_METRIC}", field="search_criteria.stopping_metric")
    order = [spec.name for spec in parameters.PARAMETERS]
    largest = None
    for combo in combinations(hyper, order):
        # Checked with the grid's values in place: the base alone may hold defaults the grid replaces.
        one = dataclasses.replace(base, **combo)
        problems = parameters.validate(one, train, valid, checkpoint)
        model_builder.raise_if_errors(problems, grid_id)
        warnings += [p for p in problems if p not in warnings]
        estimate = model_builder.training_estimate(one, train, valid, checkpoint)
        model_builder.raise_if_errors(model_builder.memory_problems(one, train, valid, checkpoint, estimate),
                                      grid_id)
        largest = estimate if largest is None or estimate.total > largest.total else largest

    svc = services()
    start = model_builder.network_start(base)     # initial_weights / pretrained_autoencoder (not gridable)
    metric = model_builder.custom_metric(base)
    grid = Grid(grid_id, list(hyper), training_frame=base.training_frame, validation_frame=base.validation_frame)

    def train_one(params, progress, model_id):
        from h2o_backend.engine import training
        return training.train_deeplearning(params, train, valid, job=progress,
                                           checkpoint_model=checkpoint, model_id=model_id,
                                           cluster=svc.cluster, start=start, custom_metric=metric)

    def work(job):
        run_grid(grid, base, hyper, order, train_one, lambda m: model_builder.store_model(svc, m), job=job,
                 criteria=criteria)

    # the models train one after another: the largest run is reserved while the grid runs
    work = model_builder.guarded_build(largest, work, grid_id)
    svc.store.put(grid_id, grid)
    job = svc.jobs.submit(f"Grid search {grid_id}", work, dest_key=grid_id, dest_type="Key<Grid>")
    return jsonify({"__meta": meta("DeepLearningGridSearchV99", "GridSearch", 99),
                    "grid_id": model_json.key_ref(grid_id, "Key<Grid>"), "job": job_to_json(job),
                    "hyper_parameters": model_json.clean(hyper),
                    "messages": validation_messages(warnings)})


def _models_by_id() -> dict:
    from h2o_backend.engine.model import DeepLearningModel
    store = services().store
    return {m.model_id: m for m in store.values(DeepLearningModel)}


def fetch_grid(grid_id: str):
    params = request_params()
    reject_unknown(params, ("decreasing", "sort_by"), "GridSchemaV99")
    grid = services().store.get(grid_id, Grid)
    if grid is None:
        raise not_found("Grid", grid_id, field="grid_id")
    models = _models_by_id()
    ids = sorted_model_ids(grid, models)        # by the error (classification error or MSE)
    sort_by = (get_str(params, "sort_by") or "").lower()
    decreasing = get_bool(params, "decreasing", None)
    if sort_by:
        if sort_by not in SORT_METRICS:
            raise bad_request(f"Invalid argument for sort_by: {sort_by}; this server sorts by "
                              f"{', '.join(SORT_METRICS)}", field="sort_by")
        ids = sorted_by_metric(ids, models, sort_by, decreasing)
    elif decreasing:
        ids = list(reversed(ids))
    return jsonify(grid_json_with_errors(grid, ids))


def grid_json_with_errors(grid, ids):
    models = _models_by_id()
    body = model_json.grid_json(grid, ids)
    body["prediction_errors"] = [model_json.json_number(ranking_error(models[m])) for m in ids]
    return body


def list_grids():
    reject_unknown(request_params(), (), "GridsV99")
    store = services().store
    grids = [grid_json_with_errors(g, sorted_model_ids(g, _models_by_id())) for g in store.values(Grid)]
    return jsonify({"__meta": meta("GridsV99", "Grids", 99), "grids": grids})


ROUTES = [
    Route("POST", "/99/Grid/deeplearning", build_grid),
    Route("GET", "/99/Grids", list_grids),
    Route("GET", "/99/Grids/{grid_id}", fetch_grid),
]
