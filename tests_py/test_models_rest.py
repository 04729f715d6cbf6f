"""Model builders and models over REST: binomial, multinomial, regression and autoencoder models
built as jobs, read back with parameters and output, listed, deleted; every bad input of issue 3
refused field by field (412, H2OModelBuilderErrorV3) before any job starts; cancel keeps the
partial model; unknown keys answer 404 in H2O's error shape; the server keeps answering."""
from __future__ import annotations

import csv

import pytest

from model_rest_helpers import (assert_h2o_error, assert_serving, build, checked, classification_error,
                                epochs_trained, import_frame, model_of, wait_job, wait_progress)


def _params(model: dict) -> dict[str, dict]:
    return {p["name"]: p for p in model["parameters"]}


def _table(table: dict) -> dict[str, list]:
    return {c["name"]: table["data"][i] for i, c in enumerate(table["columns"])}


def _write_csv(path, header, rows) -> None:
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture()
def prostate(client, data_dir):
    import_frame(client, data_dir / "prostate.csv", "prostate.hex")
    return "prostate.hex"


def test_binomial_model_end_to_end(client, prostate):
    job = build(client, training_frame=prostate, validation_frame=prostate, response_column="CAPSULE",
                classification="true", ignored_columns='["ID"]', activation="Tanh", hidden="[4]",
                epochs="2", variable_importances="true", model_id="bin")
    assert job["dest"]["name"] == "bin" and job["progress"] == 1.0

    model = model_of(client, "bin")
    assert model["model_id"]["name"] == "bin" and model["algo"] == "deeplearning"
    assert model["response_column_name"] == "CAPSULE" and model["data_frame"]["name"] == prostate
    params = _params(model)
    assert (params["activation"]["default_value"], params["activation"]["actual_value"]) == ("Rectifier", "Tanh")
    assert (params["hidden"]["default_value"], params["hidden"]["actual_value"]) == ([200, 200], [4])
    assert (params["epochs"]["default_value"], params["epochs"]["actual_value"]) == (10.0, 2.0)
    assert params["seed"]["actual_value"] == 7
    assert params["ignored_columns"]["actual_value"] == ["ID"]
    assert "Tanh" in params["activation"]["values"]

    out = model["output"]
    assert out["model_category"] == "Binomial" and out["status"] == "DONE"
    assert out["names"][-1] == "CAPSULE" and out["domains"][-1] == ["0", "1"] and "ID" not in out["names"]
    history = _table(out["scoring_history"])
    assert out["scoring_history"]["rowcount"] >= 1
    assert history["epochs"][-1] == pytest.approx(2.0)
    assert history["samples"][-1] == pytest.approx(2 * 380)
    assert "validation_classification_error" in history and "training_auc" in history
    for metrics in (out["training_metrics"], out["validation_metrics"]):
        assert metrics["model_category"] == "Binomial" and metrics["nobs"] == 380
        assert 0.5 <= metrics["AUC"] <= 1 and metrics["RMSE"] == pytest.approx(metrics["MSE"] ** 0.5)
        assert metrics["cm"]["table"]["rowcount"] == 3
        assert metrics["thresholds_and_metric_scores"]["rowcount"] > 0
    varimp = _table(out["variable_importances"])
    assert sorted(varimp["variable"]) == sorted(n for n in out["names"][:-1])
    assert varimp["scaled_importance"][0] == pytest.approx(1.0)
    assert varimp["relative_importance"] == sorted(varimp["relative_importance"], reverse=True)

    listed = checked(client, "GET", "/3/Models")["models"]
    assert [m["model_id"]["name"] for m in listed] == ["bin"]

    gone = checked(client, "DELETE", "/3/Models/bin")
    assert gone["models"] == []
    assert_h2o_error(client.get("/3/Models/bin"), 404, "bin", path="/3/Models/bin", method="GET")
    assert checked(client, "GET", "/3/Models")["models"] == []


def test_multinomial_model(client, data_dir):
    import_frame(client, data_dir / "iris.csv", "iris.hex")
    build(client, training_frame="iris.hex", response_column="C5", hidden="[5]", epochs="3", model_id="multi")
    out = model_of(client, "multi")["output"]
    assert out["model_category"] == "Multinomial"
    assert out["domains"][-1] == ["Iris-setosa", "Iris-versicolor", "Iris-virginica"]
    metrics = out["training_metrics"]
    assert metrics["model_category"] == "Multinomial" and metrics["nobs"] == 150
    assert metrics["cm"]["table"]["rowcount"] == 4                       # 3 classes + Totals
    hits = _table(metrics["hit_ratio_table"])
    assert hits["k"] == ["1", "2", "3"] and hits["hit_ratio"][-1] == pytest.approx(1.0)
    assert hits["hit_ratio"][0] == pytest.approx(1 - classification_error(metrics))
    # no multinomial AUC (auc_type AUTO resolves to NONE): H2O-3 3.46 writes NaN and no AUC tables
    assert metrics["AUC"] == "NaN" and metrics["pr_auc"] == "NaN"
    assert metrics["multinomial_auc_table"] is None and metrics["multinomial_aucpr_table"] is None


def test_regression_model(client, prostate):
    build(client, training_frame=prostate, validation_frame=prostate, response_column="PSA",
          ignored_columns='["ID"]', hidden="[3]", epochs="2", model_id="reg")
    out = model_of(client, "reg")["output"]
    assert out["model_category"] == "Regression" and out["domains"][-1] is None
    for metrics in (out["training_metrics"], out["validation_metrics"]):
        assert metrics["model_category"] == "Regression"
        assert metrics["mean_residual_deviance"] == pytest.approx(metrics["MSE"])
        assert metrics["r2"] < 1 and metrics["mae"] > 0
    history = _table(out["scoring_history"])
    assert "validation_rmse" in history and "training_classification_error" not in history
    assert history["validation_rmse"][-1] == pytest.approx(out["validation_metrics"]["RMSE"])


def test_autoencoder_model(client, data_dir):
    import_frame(client, data_dir / "ecg_train.csv", "ecg_train.hex")
    build(client, training_frame="ecg_train.hex", autoencoder="true", activation="Tanh", hidden="[5]",
          epochs="3", model_id="ae")
    model = model_of(client, "ae")
    out = model["output"]
    assert out["model_category"] == "AutoEncoder" and model["response_column_name"] is None
    assert out["training_metrics"]["model_category"] == "AutoEncoder" and out["training_metrics"]["nobs"] == 20
    assert out["validation_metrics"] is None
    assert _params(model)["autoencoder"]["actual_value"] is True


def test_parameters_endpoint_validates_without_training(client, prostate):
    jobs_before = len(client.get("/3/Jobs").get_json()["jobs"])
    body = checked(client, "POST", "/3/ModelBuilders/deeplearning/parameters",
                   data={"training_frame": prostate, "response_column": "CAPSULE", "classification": "true",
                         "hidden": "[2,2]", "activation": "Tanh", "hidden_dropout_ratios": "[0.5,0.5]"})
    assert body["error_count"] == 0
    warned = [m for m in body["messages"] if m["message_type"] == "WARN"]
    assert [m["field_name"] for m in warned] == ["hidden_dropout_ratios"]
    assert _params(body)["hidden"]["actual_value"] == [2, 2]
    assert len(client.get("/3/Jobs").get_json()["jobs"]) == jobs_before
    assert client.get("/3/Models").get_json()["models"] == []


def test_builder_lists_every_parameter_with_its_default(client):
    builder = checked(client, "GET", "/3/ModelBuilders/deeplearning")["model_builders"]["deeplearning"]
    params = _params(builder)
    assert params["rho"]["default_value"] == 0.99 and params["epsilon"]["default_value"] == 1e-8
    assert params["train_samples_per_iteration"]["default_value"] == -2
    assert params["loss"]["values"] == ["Automatic", "MeanSquare", "CrossEntropy"]


# ---------------------------------------------------------------------------- bad input

@pytest.fixture()
def bad_input_frames(client, data_dir, tmp_path, prostate):
    """prostate.hex; prostate_no_age.hex (AGE dropped); const.hex (constant response k)."""
    with open(data_dir / "prostate.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    age = rows[0].index("AGE")
    _write_csv(tmp_path / "no_age.csv", [h for i, h in enumerate(rows[0]) if i != age],
               [[v for i, v in enumerate(r) if i != age] for r in rows[1:]])
    import_frame(client, tmp_path / "no_age.csv", "prostate_no_age.hex")
    _write_csv(tmp_path / "const.csv", ["a", "b", "k"], [[i, i % 3, 1] for i in range(20)])
    import_frame(client, tmp_path / "const.csv", "const.hex")


BASE = {"training_frame": "prostate.hex", "response_column": "CAPSULE", "classification": "true",
        "hidden": "[3]", "epochs": "1"}

# (case id, parameters over BASE, field named by the ERRR message, strings the message must hold)
BAD_INPUTS = [
    ("unknown activation", {"activation": "Sigmoid"}, "activation",
     ["'Sigmoid'", "Tanh, TanhWithDropout, Rectifier, RectifierWithDropout, Maxout, MaxoutWithDropout"]),
    ("unknown loss", {"loss": "Huber"}, "loss", ["'Huber'", "Automatic, MeanSquare, CrossEntropy"]),
    ("negative epochs", {"epochs": "-1"}, "epochs", ["epochs", "-1", ">= 0,"]),
    ("input dropout 1", {"input_dropout_ratio": "1"}, "input_dropout_ratio", ["input_dropout_ratio", "[0, 1)"]),
    ("input dropout negative", {"input_dropout_ratio": "-0.1"}, "input_dropout_ratio", ["[0, 1)", "-0.1"]),
    ("hidden dropout 1", {"activation": "RectifierWithDropout", "hidden_dropout_ratios": "[1]"},
     "hidden_dropout_ratios", ["hidden_dropout_ratios", "[0, 1)"]),
    ("hidden dropout negative", {"activation": "TanhWithDropout", "hidden": "[3,3]",
                                 "hidden_dropout_ratios": "[0.2,-0.5]"}, "hidden_dropout_ratios", ["-0.5"]),
    ("zero layer", {"hidden": "[3,0]"}, "hidden", ["Hidden layer size must be > 0", "[3, 0]"]),
    ("negative layer", {"hidden": "[-2]"}, "hidden", ["> 0", "-2"]),
    ("missing response", {"response_column": "nope"}, "response_column", ["'nope'", "prostate.hex"]),
    ("constant response", {"training_frame": "const.hex", "response_column": "k", "classification": ""},
     "response_column", ["Constant response column", "'k'"]),
    ("response among ignored columns", {"ignored_columns": '["ID","CAPSULE"]'}, "ignored_columns",
     ["'CAPSULE'", "ignored_columns"]),
    ("nfolds with validation frame", {"nfolds": "2", "validation_frame": "prostate.hex"}, "nfolds",
     ["validation dataset", "cross-validation folds"]),
    ("autoencoder with classification", {"autoencoder": "true"}, "classification",
     ["autoencoder", "classification must be false"]),
    ("autoencoder with CrossEntropy", {"autoencoder": "true", "classification": "", "loss": "CrossEntropy"},
     "loss", ["MeanSquare", "auto-encoder"]),
    ("CrossEntropy for regression", {"classification": "false", "loss": "CrossEntropy"}, "loss",
     ["CrossEntropy", "regression"]),
    ("validation frame columns differ", {"validation_frame": "prostate_no_age.hex"}, "validation_frame",
     ["'prostate_no_age.hex'", "AGE"]),
    ("checkpoint columns differ", {"training_frame": "prostate_no_age.hex", "checkpoint": "base", "epochs": "3"},
     "training_frame", ["'prostate_no_age.hex'", "checkpoint", "AGE"]),
    ("checkpoint response differs", {"response_column": "RACE", "checkpoint": "base", "epochs": "3"},
     "response_column", ["'CAPSULE'", "'RACE'", "checkpoint"]),
    ("checkpoint hidden differs", {"checkpoint": "base", "epochs": "3", "hidden": "[7]"}, "hidden",
     ["Cannot change parameter", "[3]", "[7]"]),
    ("checkpoint activation differs", {"checkpoint": "base", "epochs": "3", "activation": "Maxout"},
     "activation", ["Cannot change parameter", "'Rectifier'", "'Maxout'"]),
    ("infinite epochs", {"epochs": "inf"}, "epochs", ["epochs", "finite"]),
    ("infinite l2", {"l2": "Infinity"}, "l2", ["l2", "finite"]),
    ("unknown training frame", {"training_frame": "nope.hex"}, "training_frame", ["'nope.hex'", "not found"]),
    ("unknown validation frame", {"validation_frame": "nope.hex"}, "validation_frame", ["'nope.hex'"]),
    ("unknown checkpoint", {"checkpoint": "no_such_model", "epochs": "3"}, "checkpoint", ["'no_such_model'"]),
    ("missing training frame", {"training_frame": ""}, "training_frame", ["training_frame", "required"]),
    ("unknown parameter", {"activations": "Tanh"}, "activations", ["activations"]),
    ("hidden not a list of integers", {"hidden": "[3,x]"}, "hidden", ["'x'"]),
    ("negative nfolds", {"nfolds": "-1"}, "nfolds", ["nfolds", "-1"]),
    ("illegal model id", {"model_id": "a b"}, "model_id", ["'a b'", "illegal character"]),
]


@pytest.mark.parametrize("over,field,needles", [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_refused_field_by_field_before_any_job(client, bad_input_frames, over, field, needles):
    if "checkpoint" in over and over["checkpoint"] == "base":
        build(client, **BASE, model_id="base")
    jobs_before = [j["key"]["name"] for j in client.get("/3/Jobs").get_json()["jobs"]]
    models_before = [m["model_id"]["name"] for m in client.get("/3/Models").get_json()["models"]]
    data = {k: v for k, v in {**BASE, **over}.items() if v != ""}

    reply = client.post("/3/ModelBuilders/deeplearning", data=data)
    body = assert_h2o_error(reply, 412, f"ERRR on field: {field}: ", *needles,
                            path="/3/ModelBuilders/deeplearning", method="POST")
    assert body["__meta"]["schema_name"] == "H2OModelBuilderErrorV3"
    assert "model: None" not in body["msg"]
    assert body["values"]["argument"] == field
    errors = [m for m in body["messages"] if m["message_type"] == "ERRR"]
    assert body["error_count"] == len(errors) >= 1
    named = [m for m in errors if m["field_name"] == field]
    assert named and all(n in " ".join(m["message"] for m in named) for n in needles), errors

    assert [j["key"]["name"] for j in client.get("/3/Jobs").get_json()["jobs"]] == jobs_before
    assert [m["model_id"]["name"] for m in client.get("/3/Models").get_json()["models"]] == models_before

    validated = checked(client, "POST", "/3/ModelBuilders/deeplearning/parameters", data=data)
    assert validated["error_count"] >= 1
    assert field in [m["field_name"] for m in validated["messages"] if m["message_type"] == "ERRR"]
    assert_serving(client)


def test_every_problem_is_reported_at_once(client, prostate):
    """Values of the right type are all checked together (a value of the wrong type, such as an unknown
    enum, stops the later checks as in H2O-3, where it fails while the request is parsed)."""
    reply = client.post("/3/ModelBuilders/deeplearning", data={
        **BASE, "epochs": "-2", "input_dropout_ratio": "2", "hidden": "[0]", "nfolds": "2",
        "validation_frame": prostate, "model_id": "many_problems"})
    body = assert_h2o_error(reply, 412, "DeepLearning model: many_problems.", "epochs", "input_dropout_ratio",
                            "hidden", "nfolds")
    errors = [m for m in body["messages"] if m["message_type"] == "ERRR"]
    assert {m["field_name"] for m in errors} == {"epochs", "input_dropout_ratio", "hidden", "nfolds"}
    assert body["error_count"] == len(errors) == 4


def test_error_names_the_key_the_model_would_get(client, prostate):
    body = assert_h2o_error(client.post("/3/ModelBuilders/deeplearning", data={**BASE, "epochs": "-1"}), 412,
                            "Illegal argument(s) for DeepLearning model: DeepLearning_model_")
    assert "None" not in body["msg"]


def test_malformed_json_body_is_a_clear_error(client):
    reply = client.post("/3/ModelBuilders/deeplearning", data="{not json", content_type="application/json")
    assert_h2o_error(reply, 400, "Malformed JSON body", path="/3/ModelBuilders/deeplearning", method="POST")
    assert_serving(client)


def test_json_body_builds_a_model(client, prostate):
    reply = client.post("/3/ModelBuilders/deeplearning",
                        json={"training_frame": prostate, "response_column": "CAPSULE", "classification": True,
                              "hidden": [2], "epochs": 1, "seed": 3, "reproducible": True, "model_id": "from_json"})
    assert reply.status_code == 200, reply.get_json()
    assert wait_job(client, reply.get_json()["job"]["key"]["name"])["status"] == "DONE"
    assert _params(model_of(client, "from_json"))["hidden"]["actual_value"] == [2]


@pytest.mark.parametrize("method,path", [
    ("GET", "/3/Models/no_such_model"),
    ("DELETE", "/3/Models/no_such_model"),
    ("GET", "/3/Models.java/no_such_model"),
    ("GET", "/99/Models.bin/no_such_model?dir=/tmp/never_written_model"),
])
def test_unknown_model_key_is_404_in_h2o_shape(client, method, path):
    reply = client.open(path, method=method)
    body = assert_h2o_error(reply, 404, "Model 'no_such_model' not found", path=path, method=method)
    assert body["exception_type"] == "H2OKeyNotFoundArgumentException"
    assert body["values"]["key"] == "no_such_model"
    assert_serving(client)


def test_cancelled_training_keeps_the_partial_model(client, prostate):
    started = checked(client, "POST", "/3/ModelBuilders/deeplearning",
                      data={**BASE, "hidden": "[4]", "epochs": "1000000", "model_id": "stopped",
                            "seed": "1", "score_interval": "0"})
    key = started["job"]["key"]["name"]
    running = wait_progress(client, key, lambda job: job["progress"] > 0)
    assert running["status"] == "RUNNING" and running["progress_msg"]
    assert client.get("/3/Cloud").status_code == 200          # answering while training

    cancel = client.post(f"/3/Jobs/{key}/cancel")
    assert cancel.status_code == 200
    final = wait_job(client, key)
    assert final["status"] == "CANCELLED" and final["progress"] < 1

    out = model_of(client, "stopped")["output"]
    assert out["status"] == "CANCELLED"
    assert 0 < epochs_trained(out) < 1_000_000
    assert out["scoring_history"]["rowcount"] >= 1 and out["training_metrics"]["nobs"] == 380
    predicted = client.post("/3/Predictions/models/stopped/frames/prostate.hex")
    assert predicted.status_code == 200, predicted.get_json()


def test_java_export_of_a_model(client, prostate):
    build(client, **BASE, model_id="pojo_me")
    reply = client.get("/3/Models.java/pojo_me")
    assert reply.status_code == 200 and reply.mimetype == "text/plain"
    text = reply.data.decode("ascii")
    assert "class pojo_me" in text and "score0(double[] row, double[] preds)" in text
    assert 'filename="pojo_me.java"' in reply.headers["Content-Disposition"]


@pytest.mark.parametrize("method, path, field", [
    ("GET", "/3/ModelBuilders/deeplearning", "algo"),
    ("GET", "/3/Models", "find_compatible_frames"),
    ("GET", "/99/Grids", "sort_by"),
    ("GET", "/99/Grids/any_grid", "model_ids"),   # sort_by and decreasing are read
    ("POST", "/99/Models.bin/", "force"),
])
def test_read_endpoints_refuse_fields_they_would_ignore(client, method, path, field):
    extra = {"dir": "/tmp/never_read_model"} if "Models.bin" in path else {}
    reply = client.open(path, method=method, query_string={field: "x", **extra})
    body = assert_h2o_error(reply, 412, f"Unknown parameter: {field}", path=path, method=method)
    assert body["values"]["argument"] == field
