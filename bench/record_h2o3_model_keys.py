"""Record what the official client reads of a deep-learning model from the real H2O-3 (the pip
``h2o`` package's jar): the shapes (keys, and the kind of every value) of GET /3/Models/{id} and of
the metrics JSON of ``model.model_performance(frame)``, for every model kind (regression,
binomial, multinomial, autoencoder) x (plain, with a validation frame, nfolds=2).

Writes tests_py/fixtures/h2o3_model_keys.json, which tests_py/test_client_model_output.py replays
against our server with the same training calls (stored in the fixture with each case).

Usage: ``python bench/record_h2o3_model_keys.py`` (starts H2O-3 on a free port, 1 thread, 1G);
with ``H2O3_RAW_DIR=dir`` the full JSON answers are also written there, one file per model.
"""
from __future__ import annotations

import io
import json
import os
import re
import sys
from contextlib import redirect_stdout
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from h2o3_reference import H2O3Server  # noqa: E402

FIXTURE = ROOT / "tests_py" / "fixtures" / "h2o3_model_keys.json"
DATA = ROOT / "demos" / "data"

# per kind: data file, response (None: autoencoder), predictors, whether the response is a factor
KINDS = {
    "regression": {"data": "prostate.csv", "y": "AGE", "factor": False,
                   "x": ["RACE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON"]},
    "binomial": {"data": "prostate.csv", "y": "CAPSULE", "factor": True,
                 "x": ["AGE", "RACE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON"]},
    "multinomial": {"data": "iris.csv", "y": "C5", "factor": True, "x": ["C1", "C2", "C3", "C4"]},
    "autoencoder": {"data": "iris.csv", "y": None, "factor": False, "x": ["C1", "C2", "C3", "C4"]},
}
VARIANTS = {"plain": {}, "validation": {"validation": True}, "cv": {"nfolds": 2}}
TRAINING = {"hidden": [5], "epochs": 2, "seed": 1}
SPLIT = {"ratios": [0.75], "seed": 42}
# parameters whose resolved ("actual") value the client shows in model.params
RESOLVED_PARAMS = ("stopping_metric", "categorical_encoding", "fold_assignment", "auc_type",
                   "distribution", "variable_importances")


NON_FINITE = ("NaN", "Infinity", "-Infinity")     # how H2O-3 writes non-finite numbers
# "help": H2O-3's prose documentation of each output field, which no client reads
UNRECORDED = ("__meta", "help")


def value_shape(value):
    """The kind of a JSON value: null/bool/number/string/list, a TwoDimTable (its column names,
    and row names where the first column is a string column), or an object (its keys' shapes)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "number" if value in NON_FINITE else "string"
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return {"list_of": value_shape(value[0])}
        return "list"
    if isinstance(value, dict):
        meta = value.get("__meta") if isinstance(value.get("__meta"), dict) else {}
        if meta.get("schema_type") == "TwoDimTable":
            return table_shape(value)
        return {"keys": {k: value_shape(v) for k, v in sorted(value.items()) if k not in UNRECORDED},
                "schema": meta.get("schema_name")}
    return type(value).__name__


def table_shape(table: dict) -> dict:
    columns = [c["name"] for c in table["columns"]]
    shape = {"table": columns}
    first = table["columns"][0] if table["columns"] else {}
    if first.get("type") == "string" and not first.get("name") and any(table["data"][0]):
        shape["rows"] = list(table["data"][0])
    return shape


def case_call(kind: str, variant: str) -> dict:
    """The training call of one case, as the test replays it."""
    spec = KINDS[kind]
    params = dict(TRAINING)
    if "nfolds" in VARIANTS[variant]:
        params["nfolds"] = VARIANTS[variant]["nfolds"]
    return {"data": spec["data"], "y": spec["y"], "x": spec["x"], "factor": spec["factor"],
            "autoencoder": spec["y"] is None, "validation": bool(VARIANTS[variant].get("validation")),
            "split": SPLIT, "params": params}


def train(call: dict, frames: dict):
    """Train one case through the official client; returns (model, test frame)."""
    from h2o.estimators.deeplearning import H2ODeepLearningEstimator

    train_frame, test_frame = frames[call["data"]]
    estimator = H2ODeepLearningEstimator(autoencoder=call["autoencoder"], **call["params"])
    kwargs = {"x": call["x"], "training_frame": train_frame}
    if call["y"]:
        kwargs["y"] = call["y"]
    if call["validation"]:
        kwargs["validation_frame"] = test_frame
    estimator.train(**kwargs)
    return estimator, test_frame


def load_frames(kinds=KINDS) -> dict:
    """data file -> (train, test) frames, factor responses converted, split as SPLIT says."""
    import h2o

    frames = {}
    for spec in kinds.values():
        if spec["data"] in frames:
            continue
        frame = h2o.upload_file(str(DATA / spec["data"]))
        for other in kinds.values():
            if other["data"] == spec["data"] and other["factor"]:
                frame[other["y"]] = frame[other["y"]].asfactor()
        frames[spec["data"]] = tuple(frame.split_frame(**SPLIT))
    return frames


def model_record(url: str, model, call: dict, test_frame) -> dict:
    """The shapes the client reads of one trained model (raw JSON: ``h2o.api`` converts tables)."""
    model_json = requests.get(f"{url}/3/Models/{model.model_id}").json()["models"][0]
    performance = requests.post(f"{url}/3/ModelMetrics/models/{model.model_id}/frames/{test_frame.frame_id}").json()
    if os.environ.get("H2O3_RAW_DIR"):       # the full answers too, to read values (not recorded)
        raw = Path(os.environ["H2O3_RAW_DIR"]) / f"{model.model_id}.json"
        raw.write_text(json.dumps({"model": model_json, "performance": performance}, indent=1))
    params = {name: model_json_param(model_json, name) for name in RESOLVED_PARAMS}
    with redirect_stdout(io.StringIO()):     # the client prints what it read (a check of the recording)
        model.show()
        model.summary()
        model.model_performance(test_frame).show()
    return {"model": sorted(k for k in model_json if k != "__meta"),
            "accessors": accessor_types(model, call, test_frame),
            "output": value_shape(model_json["output"])["keys"],
            "performance": value_shape(performance["model_metrics"][0]),
            "actual_params": params}


# the client's metric accessors (those a model / metrics object has are called)
ACCESSORS = ("mse", "rmse", "mae", "rmsle", "mean_residual_deviance", "r2", "logloss", "auc", "aucpr", "gini",
             "F1", "F2", "F0point5", "accuracy", "precision", "recall", "specificity", "mcc",
             "max_per_class_error", "mean_per_class_error", "confusion_matrix", "find_threshold_by_max_metric",
             "gains_lift", "hit_ratio_table", "multinomial_auc_table", "multinomial_aucpr_table")


def type_name(value) -> str:
    if isinstance(value, list):
        return f"list[{type_name(value[0])}]" if value else "list[]"
    return type(value).__name__


def _call(obj, name: str, **flag):
    fn = getattr(obj, name)
    try:
        return type_name(fn("f1", **flag) if name == "find_threshold_by_max_metric" else fn(**flag))
    except Exception as exc:  # noqa: BLE001 - an accessor that fails is recorded as failing
        return f"error {type(exc).__name__}"


def accessor_types(model, call: dict, test_frame) -> dict:
    """The type of what every metric accessor answers: on the metrics objects (train, valid,
    xval, and model_performance of the test frame: ``test``) and on the model (train=, valid=,
    xval=; a multinomial model's confusion_matrix takes a frame instead)."""
    flags = ["train"] + (["valid"] if call["validation"] else []) + (["xval"] if "nfolds" in call["params"] else [])
    out = {}
    objects = {flag: model.model_performance(**{flag: True}) for flag in flags}
    objects["test"] = model.model_performance(test_frame)
    for source, metrics in objects.items():
        out[f"metrics.{source}"] = {n: _call(metrics, n) for n in ACCESSORS if hasattr(metrics, n)}
    takes_frame = model._model_json["output"]["model_category"] == "Multinomial"
    for flag in flags:
        out[f"model.{flag}"] = {n: _call(model, n, **{flag: True}) for n in ACCESSORS
                                if hasattr(model, n) and not (takes_frame and n == "confusion_matrix")}
    return out


def model_json_param(model_json: dict, name: str):
    for p in model_json["parameters"]:
        if p["name"] == name:
            return {"default": p["default_value"], "actual": p["actual_value"]}
    return None


def refusal(exc: Exception) -> str:
    """The message of H2O-3's refusal (without its timestamp and model id)."""
    text = " ".join(str(exc).split())
    found = re.search(r"Details: (.*?)' dev_msg", text)
    return found.group(1) if found else text[:300]


def record() -> dict:
    import h2o

    cases = {}
    with H2O3Server(nthreads=1, xmx="1g", name="keys") as server:
        version = h2o.cluster().version
        frames = load_frames()
        for kind in KINDS:
            for variant in VARIANTS:
                call = case_call(kind, variant)
                try:
                    model, test_frame = train(call, frames)
                except Exception as exc:  # noqa: BLE001 - H2O-3 refusing a case is recorded as such
                    cases[f"{kind}/{variant}"] = {"call": call, "error": refusal(exc)}
                    continue
                cases[f"{kind}/{variant}"] = {"call": call, **model_record(server.url, model, call, test_frame)}
                print(kind, variant, "recorded", flush=True)
    return {"h2o3_version": version, "cases": cases}


def main() -> None:
    fixture = record()
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps(fixture, indent=1, sort_keys=True) + "\n")
    print("wrote", os.path.relpath(FIXTURE, ROOT))


if __name__ == "__main__":
    main()
