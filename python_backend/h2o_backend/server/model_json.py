"""Serialise deep-learning models, grids and metrics in H2O-3's JSON shapes."""
from __future__ import annotations

import dataclasses
import math

from h2o_backend.server.schema import key_ref, meta, two_dim_table

SCORING_HISTORY_COLUMNS = [
    ("timestamp", "string"), ("duration", "string"), ("training_speed", "string"),
    ("epochs", "double"), ("iterations", "int"), ("samples", "double"),
    ("training_rmse", "double"), ("training_logloss", "double"), ("training_r2", "double"),
    ("training_classification_error", "double"), ("training_auc", "double"),
    ("validation_rmse", "double"), ("validation_logloss", "double"), ("validation_r2", "double"),
    ("validation_classification_error", "double"), ("validation_auc", "double"),
]


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


def scoring_history_table(history: list[dict]) -> dict:
    present = [(n, t) for n, t in SCORING_HISTORY_COLUMNS
               if any(entry.get(n) is not None for entry in history)]
    rows = [[entry.get(n) for n, _ in present] for entry in history]
    return two_dim_table("Scoring History", present, rows)


def variable_importances_table(varimp: list) -> dict | None:
    if not varimp:
        return None
    columns = [("variable", "string"), ("relative_importance", "double"),
               ("scaled_importance", "double"), ("percentage", "double")]
    return two_dim_table("Variable Importances", columns, [list(row) for row in varimp])


def metrics_json(metrics: dict | None, model_id: str, frame_id: str | None, category: str) -> dict | None:
    if not metrics:
        return None
    schema = {"Binomial": "ModelMetricsBinomialV3", "Multinomial": "ModelMetricsMultinomialV3",
              "Regression": "ModelMetricsRegressionV3", "AutoEncoder": "ModelMetricsAutoEncoderV3"}
    body = {"__meta": meta(schema.get(category, "ModelMetricsBaseV3"), "ModelMetrics"),
            "model": key_ref(model_id, "Key<Model>"),
            "frame": key_ref(frame_id, "Key<Frame>") if frame_id else None,
            "model_category": category}
    body.update(metrics)
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
    """One entry of GET /3/Models: model_id, algo, parameters, output."""
    out = model.output
    category = out.get("model_category")
    training_frame = getattr(model.params, "training_frame", None)
    validation_frame = getattr(model.params, "validation_frame", None)
    output = {
        "__meta": meta("DeepLearningModelOutputV3", "DeepLearningModelOutput"),
        "model_category": category,
        "names": out.get("names"),
        "domains": out.get("domains"),
        "response_column_name": None if category == "AutoEncoder" else model.datainfo.response_name,
        "training_metrics": metrics_json(out.get("training_metrics"), model.model_id, training_frame, category),
        "validation_metrics": metrics_json(out.get("validation_metrics"), model.model_id, validation_frame, category),
        "cross_validation_metrics": metrics_json(out.get("cross_validation_metrics"), model.model_id,
                                                 training_frame, category),
        "cross_validation_models": [key_ref(k, "Key<Model>") for k in out.get("cross_validation_models", [])],
        "scoring_history": scoring_history_table(out.get("scoring_history", [])),
        "variable_importances": variable_importances_table(out.get("variable_importances")),
        "model_summary": clean(out.get("model_summary")),
        "run_time": out.get("run_time"),
        "start_time": out.get("start_time"),
        "end_time": out.get("end_time"),
        "status": out.get("status"),
        "epoch_counter": out.get("epoch_counter"),
        "training_rows": out.get("training_rows"),
        "cross_validation_predictions": _frame_refs(out.get("cross_validation_predictions")),
        "cross_validation_holdout_predictions_frame_id": _frame_ref(out.get("cross_validation_holdout_predictions_frame_id")),
        "cross_validation_fold_assignment_frame_id": _frame_ref(out.get("cross_validation_fold_assignment_frame_id")),
        "weights": _frame_refs(out.get("weights")),
        "biases": _frame_refs(out.get("biases")),
        "warnings": list(out.get("warnings") or []) or None,
    }
    return {
        "__meta": meta("DeepLearningModelV3", "DeepLearningModel"),
        "model_id": key_ref(model.model_id, "Key<Model>"),
        "algo": "deeplearning",
        "algo_full_name": "Deep Learning",
        "response_column_name": output["response_column_name"],
        "data_frame": key_ref(training_frame, "Key<Frame>"),
        "timestamp": out.get("start_time"),
        "have_pojo": True,
        "have_mojo": True,
        "parameters": parameter_listing,
        "output": clean(output),
    }


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
