"""Serialise deep-learning models, grids and metrics in H2O-3's JSON shapes."""
from __future__ import annotations

import dataclasses
import math

from h2o_backend.server.schema import key_ref, meta, two_dim_table

_TIMING_COLUMNS = [("timestamp", "string"), ("duration", "string"), ("training_speed", "string"),
                   ("epochs", "double"), ("iterations", "int"), ("samples", "double")]
# the metric columns of H2O-3's deep-learning scoring history, per model category, in its order
_HISTORY_METRICS = {
    "Regression": ("rmse", "deviance", "mae", "r2"),
    "Binomial": ("rmse", "logloss", "r2", "auc", "pr_auc", "lift", "classification_error"),
    "Multinomial": ("rmse", "logloss", "r2", "classification_error", "auc", "pr_auc"),
    "AutoEncoder": ("rmse", "mse"),
}
_METRICS_SCHEMAS = {"Binomial": "ModelMetricsBinomialV3", "Multinomial": "ModelMetricsMultinomialV3",
                    "Regression": "ModelMetricsRegressionV3", "AutoEncoder": "ModelMetricsAutoEncoderV3"}
NAN = float("nan")
# what the engine computes beyond H2O-3's metrics JSON: lift_top_group (the scoring history and
# the cross-validation summary; H2O-3's JSON has it only in the gains/lift table),
# classification_error (the scoring history; the JSON has it as the cm's Totals/Error cell), the
# binomial max-F1 threshold (the "max f1" row of max_criteria_and_metric_scores) and the labelling
# threshold below it (predictions use it)
_ENGINE_ONLY_METRICS = ("lift_top_group", "classification_error", "threshold", "default_threshold")


def json_number(value):
    """JSON has no NaN/Infinity: H2O-3 writes them as strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def clean(value):
    """Recursively make a value JSON-safe (numpy scalars, tuples, non-finite floats)."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if hasattr(value, "tolist"):
        return clean(value.tolist())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return clean(dataclasses.asdict(value))
    return json_number(value)


def scoring_history_columns(history: list[dict], category: str) -> list[tuple[str, str]]:
    """H2O-3's columns: the unnamed row-header column, timings, then ``training_*`` (and
    ``validation_*`` when the history has validation scores) metrics of the model category."""
    names = _HISTORY_METRICS.get(category, ())
    if any("training_custom" in e for e in history):          # custom_metric_func (H2O-3's "Training Custom")
        names = names + ("custom",)
    prefixes = ["training"] + (["validation"] if any("validation_rmse" in e for e in history) else [])
    return ([("", "string")] + _TIMING_COLUMNS
            + [(f"{prefix}_{name}", "double") for prefix in prefixes for name in names])


def scoring_history_table(history: list[dict], category: str) -> dict:
    columns = scoring_history_columns(history, category)
    rows = [[""] + [_history_cell(entry.get(n), t) for n, t in columns[1:]] for entry in history]
    return two_dim_table("Scoring History", columns, rows)


def _history_cell(value, type_: str):
    """A metric the entry lacks (the first scoring of a model scored before the metric existed,
    an AUC H2O-3 does not compute) is NaN, as in H2O-3's history."""
    return NAN if value is None and type_ == "double" else value


def variable_importances_table(varimp: list) -> dict | None:
    if not varimp:
        return None
    columns = [("variable", "string"), ("relative_importance", "double"),
               ("scaled_importance", "double"), ("percentage", "double")]
    return two_dim_table("Variable Importances", columns, [list(row) for row in varimp])


def model_key(name: str | None) -> dict | None:
    """H2O-3's ModelKeyV3 (with the URL the client follows)."""
    return typed_key(name, "ModelKeyV3", "Key<Model>", "/3/Models/")


def frame_key(name: str | None) -> dict | None:
    return typed_key(name, "FrameKeyV3", "Key<Frame>", "/3/Frames/")


def typed_key(name, schema: str, type_: str, url: str) -> dict | None:
    if name is None:
        return None
    return {"__meta": meta(schema, type_), "name": name, "type": type_, "URL": f"{url}{name}"}


def metrics_json(metrics: dict | None, model_id: str, frame_id: str | None, category: str) -> dict | None:
    """H2O-3's ModelMetrics*V3 of one metrics dict: the engine's computed fields, plus the fields
    H2O-3 reports that deep learning never fills (no likelihood, so AIC and loglikelihood are
    NaN; no custom metric; no kept predictions)."""
    if not metrics:
        return None
    schema = _METRICS_SCHEMAS.get(category, "ModelMetricsBaseV3")
    # the schema type names the metrics' class (ModelMetricsBinomial, ...): the client's show() prints by it
    body = {"__meta": meta(schema, schema[:-2] if category in _METRICS_SCHEMAS else "ModelMetrics"),
            "model": model_key(model_id), "frame": frame_key(frame_id), "model_category": category,
            "description": None, "scoring_time": None, "model_checksum": None, "frame_checksum": None,
            "custom_metric_name": None, "custom_metric_value": NAN, "predictions": None}
    if category != "AutoEncoder":
        body.update(AIC=NAN, loglikelihood=NAN)
    body.update((k, v) for k, v in metrics.items() if k not in _ENGINE_ONLY_METRICS)
    return clean(body)


def _frame_refs(keys):
    """Frame keys (export_weights_and_biases) as KeyV3 with H2O-3's URL, which the official client
    splits to find the frame."""
    if not keys:
        return None
    return [_frame_ref(k) for k in keys]


def _frame_ref(key):
    return dict(key_ref(key, "Key<Frame>"), URL=f"/3/Frames/{key}") if key else None


def model_json(model, parameter_listing: list[dict]) -> dict:
    """One entry of GET /3/Models: model_id, algo, parameters, output (H2O-3's
    DeepLearningModelOutputV3 fields, exactly its keys: the epochs trained are the scoring
    history's last ``epochs``, a training's warnings are its job's)."""
    out = model.output
    category = out.get("model_category")
    training_frame = getattr(model.params, "training_frame", None)
    validation_frame = getattr(model.params, "validation_frame", None)
    cv_models = out.get("cross_validation_models") or []
    output = {
        "__meta": meta("DeepLearningModelOutputV3", "DeepLearningModelOutput"),
        "model_category": category,
        "names": out.get("names"),
        "original_names": None,
        "column_types": column_types(out.get("domains")),
        "domains": out.get("domains"),
        "default_threshold": default_threshold(out),
        "training_metrics": metrics_json(out.get("training_metrics"), model.model_id, training_frame, category),
        "validation_metrics": metrics_json(out.get("validation_metrics"), model.model_id, validation_frame, category),
        "cross_validation_metrics": metrics_json(out.get("cross_validation_metrics"), model.model_id,
                                                 training_frame, category),
        "cross_validation_metrics_summary": clean(out.get("cross_validation_metrics_summary")),
        "cross_validation_models": [model_key(k) for k in cv_models] or None,
        "cv_scoring_history": [scoring_history_table(h, category) for h in out.get("cv_scoring_history") or []]
                              or None,
        "scoring_history": scoring_history_table(out.get("scoring_history", []), category),
        "variable_importances": variable_importances_table(out.get("variable_importances")),
        "model_summary": clean(out.get("model_summary")),
        "reproducibility_information_table": clean(out.get("reproducibility_information_table")),
        "run_time": out.get("run_time"),
        "start_time": out.get("start_time"),
        "end_time": out.get("end_time"),
        "status": out.get("status"),
        "cross_validation_predictions": _frame_refs(out.get("cross_validation_predictions")),
        "cross_validation_holdout_predictions_frame_id": _frame_ref(out.get("cross_validation_holdout_predictions_frame_id")),
        "cross_validation_fold_assignment_frame_id": _frame_ref(out.get("cross_validation_fold_assignment_frame_id")),
        "weights": _frame_refs(out.get("weights")),
        "biases": _frame_refs(out.get("biases")),
        # H2O-3's standardisation fields, which its deep-learning output leaves null too (the
        # network's own standardisation is in the POJO / saved model)
        "normmul": None, "normsub": None, "normrespmul": None, "normrespsub": None, "catoffsets": None,
    }
    return {
        "__meta": meta("DeepLearningModelV3", "DeepLearningModel"),
        "model_id": model_key(model.model_id),
        "algo": "deeplearning",
        "algo_full_name": "Deep Learning",
        "response_column_name": None if category == "AutoEncoder" else model.datainfo.response_name,
        "treatment_column_name": None,
        "data_frame": frame_key(training_frame),
        "timestamp": out.get("start_time"),
        "have_pojo": True,
        "have_mojo": True,
        "compatible_frames": None,
        "parameters": parameter_listing,
        "output": clean(output),
    }


def column_types(domains: list | None) -> list[str] | None:
    """H2O-3's type names of the model's columns (predictors, then the response)."""
    if domains is None:
        return None
    return ["Numeric" if d is None else "Enum" for d in domains]


def default_threshold(out: dict) -> float:
    """H2O-3's default_threshold: a binomial model's max-F1 threshold of its validation (else
    training) metrics; 0.5 for the other categories."""
    if out.get("model_category") == "Binomial":
        for key in ("validation_metrics", "training_metrics"):
            threshold = (out.get(key) or {}).get("threshold")
            if threshold is not None:
                return threshold
    return 0.5


def grid_json(grid, sorted_ids: list[str]) -> dict:
    return {
        "__meta": meta("GridSchemaV99", "Grid", 99),
        "grid_id": key_ref(grid.grid_id, "Key<Grid>"),
        "model_ids": [key_ref(m, "Key<Model>") for m in sorted_ids],
        "hyper_names": grid.hyper_names,
        "failed_params": clean(grid.failed_params),
        "failure_details": grid.failure_details,
        "failure_stack_traces": ["" for _ in grid.failure_details],
        "warning_details": list(getattr(grid, "warning_details", None) or []),
        "export_checkpoints_dir": None,
        "failed_raw_params": [],
        "training_frame": key_ref(grid.training_frame, "Key<Frame>"),
        "validation_frame": key_ref(grid.validation_frame, "Key<Frame>"),
    }
