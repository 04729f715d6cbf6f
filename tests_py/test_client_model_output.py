"""What the official client reads of a trained model, against what the real H2O-3 3.46 answered
for the same training calls (tests_py/fixtures/h2o3_model_keys.json, recorded by
bench/record_h2o3_model_keys.py): for every model kind (regression, binomial, multinomial,
autoencoder) x (plain, validation frame, nfolds=2), the keys of GET /3/Models/{id} (the model,
its output, the nested metrics and tables, with the kind of every value) and of the metrics JSON
of model_performance; the type every metric accessor answers; print(model), show(), summary()."""
from __future__ import annotations

import io
import json
import math
import sys
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest
import requests

from official_client_helpers import connected_server, plain_failures

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import record_h2o3_model_keys as recorder  # noqa: E402  (the recorder's training calls and shapes)

FIXTURE = json.loads((ROOT / "tests_py" / "fixtures" / "h2o3_model_keys.json").read_text())
CASES = {name: case for name, case in FIXTURE["cases"].items() if "error" not in case}


@pytest.fixture(scope="module")
def srv():
    with connected_server() as proc:
        yield proc


@pytest.fixture(scope="module")
def frames(srv):
    return recorder.load_frames()


@pytest.fixture(scope="module")
def trained(frames):
    """Case name -> (model, test frame), each trained once with the recorded call."""
    return {name: recorder.train(case["call"], frames) for name, case in CASES.items()}


def shape_differences(h2o3, ours, path: str) -> list[str]:
    """Where our shape departs from H2O-3's: a key missing or added (the key sets are equal), or a
    value of another kind where H2O-3's is not null (ours may fill what H2O-3 leaves null)."""
    if isinstance(h2o3, dict) and "keys" in h2o3:
        if not (isinstance(ours, dict) and "keys" in ours):
            return [f"{path}: {json.dumps(ours)} where H2O-3 has an object"]
        out = [f"{path}.{k}: missing" for k in sorted(set(h2o3["keys"]) - set(ours["keys"]))]
        out += [f"{path}.{k}: not in H2O-3" for k in sorted(set(ours["keys"]) - set(h2o3["keys"]))]
        if h2o3["schema"] != ours["schema"]:
            out.append(f"{path}: schema {ours['schema']} where H2O-3 has {h2o3['schema']}")
        for k in sorted(set(h2o3["keys"]) & set(ours["keys"])):
            out += shape_differences(h2o3["keys"][k], ours["keys"][k], f"{path}.{k}")
        return out
    if isinstance(h2o3, dict) and "list_of" in h2o3:
        if not (isinstance(ours, dict) and "list_of" in ours):
            return [f"{path}: {json.dumps(ours)} where H2O-3 has a list of objects"]
        return shape_differences(h2o3["list_of"], ours["list_of"], f"{path}[0]")
    if h2o3 is not None and h2o3 != ours:
        return [f"{path}: {json.dumps(ours)[:300]} where H2O-3 has {json.dumps(h2o3)[:300]}"]
    return []


def our_record(srv, model, test_frame) -> dict:
    model_json = requests.get(f"{srv.url}/3/Models/{model.model_id}").json()["models"][0]
    performance = requests.post(f"{srv.url}/3/ModelMetrics/models/{model.model_id}/frames/"
                                f"{test_frame.frame_id}").json()
    return {"model": sorted(k for k in model_json if k != "__meta"),
            "output": recorder.value_shape(model_json["output"]),
            "performance": recorder.value_shape(performance["model_metrics"][0])}


@pytest.mark.parametrize("name", sorted(CASES))
def test_model_and_metrics_json_have_h2o3_keys(srv, trained, name):
    h2o3 = CASES[name]
    ours = our_record(srv, *trained[name])
    assert set(ours["model"]) == set(h2o3["model"])
    # (the recording keeps the output's keys, not its schema name)
    problems = shape_differences({"keys": h2o3["output"], "schema": ours["output"]["schema"]}, ours["output"],
                                 "output")
    problems += shape_differences(h2o3["performance"], ours["performance"], "performance")
    assert not problems, "\n".join(problems)


def _same_type(h2o3: str, ours: str) -> bool:
    # H2O-3 writes a NaN metric as the string "NaN" (a multinomial AUC, an autoencoder's test
    # MSE): the client then answers a str; a value this server computes is a float
    return h2o3 == ours or (h2o3 == "str" and ours == "float")


@pytest.mark.parametrize("name", sorted(CASES))
def test_metric_accessors_answer_h2o3_types(trained, name):
    model, test_frame = trained[name]
    ours = recorder.accessor_types(model, CASES[name]["call"], test_frame)
    h2o3 = CASES[name]["accessors"]
    assert set(ours) == set(h2o3)
    wrong = [f"{source}.{accessor}: {ours[source].get(accessor)} where H2O-3 answers {answer}"
             for source, answers in h2o3.items() for accessor, answer in answers.items()
             if not _same_type(answer, ours[source].get(accessor))]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name", sorted(CASES))
def test_print_show_summary_and_performance_print(trained, name):
    model, test_frame = trained[name]
    text = io.StringIO()
    with redirect_stdout(text):
        print(model)
        model.show()
        model.summary()
        model.model_performance(test_frame).show()
    printed = text.getvalue()
    assert "Model Details" in printed and "Status of Neuron Layers" in printed
    # what H2O-3's print shows: the summary's description, the metrics by their class
    kind = name.split("/")[0]
    task = "auto-encoder, gaussian" if kind == "autoencoder" else f"predicting {CASES[name]['call']['y']}, "
    assert f"Status of Neuron Layers: {task}" in printed and "training samples, mini-batch size 1" in printed
    metrics_class = {"regression": "Regression", "binomial": "Binomial", "multinomial": "Multinomial",
                     "autoencoder": "AutoEncoder"}[kind]
    assert f"ModelMetrics{metrics_class}: deeplearning" in printed
    lines = {"regression": ["MAE:", "RMSLE:", "Mean Residual Deviance:"], "binomial": ["LogLoss:", "AUC:", "Gini:"],
             "multinomial": ["LogLoss:", "Mean Per-Class Error:"], "autoencoder": ["MSE:"]}[kind]
    assert all(line in printed for line in lines), printed
    if "nfolds" in CASES[name]["call"]["params"]:
        assert "Cross-Validation Metrics Summary" in printed


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("parameter", ["stopping_metric", "categorical_encoding", "fold_assignment"])
def test_auto_parameters_resolve_as_h2o3(trained, name, parameter):
    model, _ = trained[name]
    h2o3 = CASES[name]["actual_params"][parameter]
    ours = model.params[parameter]
    assert ours["default"] == h2o3["default"]
    if h2o3["actual"] is None and parameter == "stopping_metric":
        # H2O-3 leaves a cross-validated main model's stopping_metric null; this server reports
        # the metric it stopped on
        assert ours["actual"] in ("logloss", "deviance", "MSE")
    else:
        assert ours["actual"] == h2o3["actual"]


def test_cross_validation_summary_is_the_folds_held_out_metrics(trained):
    """The summary's per-fold columns are each fold model's metrics on its held-out rows: their
    rows (err_count / err per fold) add up to the combined holdout metrics' rows, and the mean
    and sd are over the folds."""
    model, _ = trained["binomial/cv"]
    summary = model.cross_validation_metrics_summary().as_data_frame().set_index("")
    folds = summary[["cv_1_valid", "cv_2_valid"]].astype(float)
    fold_rows = folds.loc["err_count"] / folds.loc["err"]
    assert fold_rows.sum() == pytest.approx(model.model_performance(xval=True)._metric_json["nobs"])
    assert summary.loc["auc", "mean"] == pytest.approx(folds.loc["auc"].mean())
    assert summary.loc["auc", "sd"] == pytest.approx(folds.loc["auc"].std(ddof=1))
    assert np.allclose(folds.loc["accuracy"], 1 - folds.loc["err"])
    assert math.isnan(summary.loc["aic", "mean"])        # no likelihood, as H2O-3's deep learning


def test_reproducibility_information_names_the_nodes_and_input_frames(srv, trained):
    model, test_frame = trained["regression/validation"]
    out = requests.get(f"{srv.url}/3/Models/{model.model_id}").json()["models"][0]["output"]
    tables = {t["name"]: {c["name"]: v for c, v in zip(t["columns"], t["data"])}
              for t in out["reproducibility_information_table"]}
    assert list(tables) == ["Node Information", "Cluster Configuration", "Input Frames Information"]
    assert tables["Node Information"]["h2o"] == [f"127.0.0.1:{srv.port}"]
    assert tables["Node Information"]["pid"] == [srv.proc.pid]
    frames = tables["Input Frames Information"]
    assert frames["input_frame"] == ["training_frame", "validation_frame"]
    assert frames["checksum"] == [out["training_metrics"]["frame_checksum"], out["validation_metrics"]["frame_checksum"]]
    # a checksum of the content: the test frame scored under another key has the same one
    copy = test_frame[0:test_frame.nrows, :]
    assert (model.model_performance(copy)._metric_json["frame_checksum"]
            == frames["checksum"][1] == model.model_performance(test_frame)._metric_json["frame_checksum"])


def test_regression_rmsle_is_computed(trained):
    model, test_frame = trained["regression/validation"]
    performance = model.model_performance(test_frame)
    predictions = model.predict(test_frame).as_data_frame()["predict"].to_numpy()
    actual = test_frame["AGE"].as_data_frame()["AGE"].to_numpy()
    expected = float(np.sqrt(np.mean((np.log1p(predictions) - np.log1p(actual)) ** 2)))
    assert performance.rmsle() == pytest.approx(expected, rel=1e-6)


def test_grid_over_enum_values_as_the_client_sends_them(frames):
    """The client writes hyper_parameters with unquoted names ({"activation": [Rectifier,Tanh]}),
    which H2O-3 reads leniently."""
    from h2o.estimators.deeplearning import H2ODeepLearningEstimator
    from h2o.grid.grid_search import H2OGridSearch
    train, _ = frames["iris.csv"]
    grid = H2OGridSearch(H2ODeepLearningEstimator(epochs=1, seed=1, hidden=[3]),
                         {"activation": ["Rectifier", "Tanh"], "adaptive_rate": [True, False]})
    grid.train(x=["C1", "C2", "C3", "C4"], y="C5", training_frame=train)
    trained = sorted((m.params["activation"]["actual"], m.params["adaptive_rate"]["actual"]) for m in grid.models)
    assert trained == [("Rectifier", False), ("Rectifier", True), ("Tanh", False), ("Tanh", True)]


def test_lenient_hyper_parameters_errors_name_the_place():
    from h2o_backend.server.lenient_json import LenientJsonError, loads
    assert loads("{'l1': [0, 1e-3], hidden: [[5], [4,4]], x: [True, null]}") == {
        "l1": [0, 1e-3], "hidden": [[5], [4, 4]], "x": ["True", None]}
    with pytest.raises(LenientJsonError, match="expected ']' at character 9"):
        loads("{a: [1,2}")


plain_failures(globals())
