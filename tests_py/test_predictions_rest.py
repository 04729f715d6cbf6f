"""Predictions and model metrics over REST: the H2O-style prediction frame of each model category
(predict + one probability column per class, the value for regression, the reconstruction for
autoencoders), metrics when the frame holds the response (and equal to what the frames give),
per-row reconstruction MSE, the asynchronous /4/ variant, and clear errors for unknown keys,
unusable frames and unsupported options."""
from __future__ import annotations

import csv

import numpy as np
import pytest

from model_rest_helpers import (assert_h2o_error, assert_serving, build, checked, classification_error,
                                frame_columns, import_frame, max_f1_threshold, model_of, wait_job)


def predict(client, model_id: str, frame_id: str, **data) -> dict:
    return checked(client, "POST", f"/3/Predictions/models/{model_id}/frames/{frame_id}", data=data)


@pytest.fixture()
def prostate(client, data_dir):
    import_frame(client, data_dir / "prostate.csv", "prostate.hex")
    return "prostate.hex"


@pytest.fixture()
def binomial(client, prostate):
    build(client, training_frame=prostate, response_column="CAPSULE", classification="true",
          ignored_columns='["ID"]', hidden="[4]", epochs="2", model_id="bin")
    return "bin"


def test_binomial_prediction_frame_and_metrics(app, client, prostate, binomial):
    body = predict(client, binomial, prostate)
    assert body["model"]["name"] == binomial and body["frame"]["name"] == prostate
    cols = frame_columns(client, body["predictions_frame"]["name"])
    assert list(cols) == ["predict", "0", "1"]
    p0, p1 = np.array(cols["0"]), np.array(cols["1"])
    assert len(p1) == 380 and np.allclose(p0 + p1, 1, atol=1e-6)
    output = model_of(client, binomial)["output"]
    training = output["training_metrics"]
    threshold = max_f1_threshold(training)
    assert output["default_threshold"] == threshold
    expected = np.where(p1 >= threshold, "1", "0")                      # labels at the max-F1 threshold
    assert cols["predict"] == expected.tolist()
    # predictions use the midpoint below it (the engine's, not in H2O-3's JSON): the same labels,
    # and no row exactly on the threshold
    midpoint = app.config["SERVICES"].store.get(binomial).output["training_metrics"]["default_threshold"]
    assert midpoint < threshold
    assert not np.any(p1 == midpoint)

    [metrics] = body["model_metrics"]
    assert metrics["model_category"] == "Binomial" and metrics["nobs"] == 380
    assert metrics["frame"]["name"] == prostate and metrics["model"]["name"] == binomial
    assert metrics["predictions"]["frame_id"]["name"] == body["predictions_frame"]["name"]
    assert metrics["AUC"] == pytest.approx(training["AUC"]) and metrics["MSE"] == pytest.approx(training["MSE"])
    actual = np.array(frame_columns(client, prostate)["CAPSULE"])
    assert metrics["MSE"] == pytest.approx(np.mean(np.where(actual == 1, 1 - p1, 1 - p0) ** 2))

    fetched = checked(client, "GET", f"/3/ModelMetrics/models/{binomial}/frames/{prostate}")
    [again] = fetched["model_metrics"]
    assert again["MSE"] == metrics["MSE"] and again["AUC"] == metrics["AUC"]
    posted = checked(client, "POST", f"/3/ModelMetrics/models/{binomial}/frames/{prostate}")
    assert posted["model_metrics"][0]["logloss"] == metrics["logloss"]


def test_predictions_are_repeatable_and_go_where_asked(client, prostate, binomial):
    first = predict(client, binomial, prostate, predictions_frame="my_preds")
    assert first["predictions_frame"]["name"] == "my_preds"
    second = predict(client, binomial, prostate)
    assert frame_columns(client, "my_preds") == frame_columns(client, second["predictions_frame"]["name"])


def test_multinomial_prediction_frame(client, data_dir):
    import_frame(client, data_dir / "iris.csv", "iris.hex")
    build(client, training_frame="iris.hex", response_column="C5", hidden="[5]", epochs="3", model_id="multi")
    body = predict(client, "multi", "iris.hex")
    cols = frame_columns(client, body["predictions_frame"]["name"])
    classes = ["Iris-setosa", "Iris-versicolor", "Iris-virginica"]
    assert list(cols) == ["predict"] + classes
    probs = np.column_stack([cols[c] for c in classes])
    assert np.allclose(probs.sum(axis=1), 1, atol=1e-6)
    assert cols["predict"] == [classes[k] for k in probs.argmax(axis=1)]
    [metrics] = body["model_metrics"]
    actual = frame_columns(client, "iris.hex")["C5"]
    assert classification_error(metrics) == pytest.approx(np.mean(np.array(cols["predict"]) != np.array(actual)))
    assert metrics["hit_ratio_table"]["rowcount"] == 3


def test_regression_prediction_and_metrics_agree_with_the_frames(client, prostate):
    build(client, training_frame=prostate, response_column="PSA", ignored_columns='["ID"]', hidden="[3]",
          epochs="2", model_id="reg")
    body = predict(client, "reg", prostate)
    cols = frame_columns(client, body["predictions_frame"]["name"])
    assert list(cols) == ["predict"]
    pred, actual = np.array(cols["predict"]), np.array(frame_columns(client, prostate)["PSA"])
    [metrics] = body["model_metrics"]
    assert metrics["model_category"] == "Regression"
    assert metrics["MSE"] == pytest.approx(np.mean((pred - actual) ** 2), rel=1e-9)
    assert metrics["mae"] == pytest.approx(np.mean(np.abs(pred - actual)), rel=1e-9)
    assert metrics["r2"] == pytest.approx(1 - metrics["MSE"] / np.var(actual), rel=1e-9)


@pytest.fixture()
def autoencoder(client, data_dir):
    import_frame(client, data_dir / "ecg_train.csv", "ecg_train.hex")
    import_frame(client, data_dir / "ecg_test.csv", "ecg_test.hex")
    build(client, training_frame="ecg_train.hex", autoencoder="true", activation="Tanh", hidden="[5]",
          epochs="5", model_id="ae")
    return "ae"


def test_autoencoder_reconstruction(client, autoencoder):
    body = predict(client, autoencoder, "ecg_test.hex")
    cols = frame_columns(client, body["predictions_frame"]["name"])
    assert list(cols) == [f"reconstr_C{i}" for i in range(1, 211)]
    assert all(len(v) == 23 for v in cols.values())
    test = frame_columns(client, "ecg_test.hex")
    recon, original = np.array(cols["reconstr_C1"]), np.array(test["C1"])
    assert np.corrcoef(recon, original)[0, 1] > 0        # de-normalised: on the scale of the inputs
    [metrics] = body["model_metrics"]
    assert metrics["model_category"] == "AutoEncoder" and metrics["nobs"] == 23


def test_autoencoder_reconstruction_error(client, autoencoder):
    body = predict(client, autoencoder, "ecg_test.hex", reconstruction_error="true")
    dest = body["predictions_frame"]["name"]
    cols = frame_columns(client, dest)
    assert list(cols) == ["Reconstruction.MSE"]
    errors = np.array(cols["Reconstruction.MSE"])
    assert errors.shape == (23,) and np.all(errors >= 0)
    [metrics] = body["model_metrics"]
    assert metrics["predictions"]["frame_id"]["name"] == dest      # where h2o.anomaly finds the frame
    assert metrics["MSE"] == pytest.approx(errors.mean(), rel=1e-6)
    fetched = checked(client, "GET", f"/3/ModelMetrics/models/{autoencoder}/frames/ecg_test.hex")
    assert fetched["model_metrics"][0]["MSE"] == pytest.approx(metrics["MSE"])


def test_asynchronous_prediction_job(client, prostate, binomial):
    path = f"/4/Predictions/models/{binomial}/frames/{prostate}"
    body = checked(client, "POST", path)
    dest = body["predictions_frame"]["name"]
    assert body["job"]["dest"]["name"] == dest
    assert wait_job(client, body["job"]["key"]["name"])["status"] == "DONE"
    assert list(frame_columns(client, dest)) == ["predict", "0", "1"]


def test_frame_without_the_response(client, tmp_path, data_dir, binomial):
    with open(data_dir / "prostate.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    keep = [i for i, h in enumerate(rows[0]) if h != "CAPSULE"]
    with open(tmp_path / "unlabelled.csv", "w", newline="") as fh:
        csv.writer(fh).writerows([[r[i] for i in keep] for r in rows[:11]])
    import_frame(client, tmp_path / "unlabelled.csv", "unlabelled.hex")
    body = predict(client, binomial, "unlabelled.hex")
    assert body["model_metrics"] == []
    assert len(frame_columns(client, body["predictions_frame"]["name"])["predict"]) == 10
    path = f"/3/ModelMetrics/models/{binomial}/frames/unlabelled.hex"
    assert_h2o_error(client.get(path), 400, "'unlabelled.hex'", "'CAPSULE'", path=path, method="GET")
    assert_serving(client)


def test_frame_with_no_column_in_common_is_refused(client, data_dir, binomial):
    import_frame(client, data_dir / "iris.csv", "iris.hex")
    path = f"/3/Predictions/models/{binomial}/frames/iris.hex"
    body = assert_h2o_error(client.post(path), 400, "no columns in common", "'iris.hex'", path=path, method="POST")
    assert body["values"]["argument"] == "frame_id"
    assert_serving(client)


@pytest.mark.parametrize("path,status,needles", [
    ("/3/Predictions/models/bin/frames/nope.hex", 404, ["Frame 'nope.hex' not found"]),
    ("/3/Predictions/models/nope/frames/prostate.hex", 404, ["Model 'nope' not found"]),
    ("/4/Predictions/models/bin/frames/nope.hex", 404, ["Frame 'nope.hex' not found"]),
    ("/3/ModelMetrics/models/bin/frames/nope.hex", 404, ["Frame 'nope.hex' not found"]),
    ("/3/ModelMetrics/models/nope/frames/prostate.hex", 404, ["Model 'nope' not found"]),
])
def test_unknown_keys(client, binomial, path, status, needles):
    method = "GET" if "ModelMetrics" in path else "POST"
    body = assert_h2o_error(client.open(path, method=method), status, *needles, path=path, method=method)
    assert body["exception_type"] == "H2OKeyNotFoundArgumentException"
    assert_serving(client)


@pytest.mark.parametrize("data,field", [
    ({"reconstruction_error": "true"}, "reconstruction_error"),
    ({"reconstruction_error_per_feature": "true"}, "reconstruction_error_per_feature"),
    ({"deep_features_hidden_layer": "1"}, "deep_features_hidden_layer"),     # the model has one hidden layer
    ({"reconstruction_error": "maybe"}, "reconstruction_error"),
])
def test_unsupported_prediction_options(client, prostate, binomial, data, field):
    path = f"/3/Predictions/models/{binomial}/frames/{prostate}"
    body = assert_h2o_error(client.post(path, data=data), 400, field, path=path, method="POST")
    assert body["values"]["argument"] == field
    assert_serving(client)


@pytest.mark.parametrize("endpoint, field", [
    ("/3/Predictions", "predict_contributions"),        # options of other algorithms, not ignored
    ("/3/Predictions", "leaf_node_assignment"),
    ("/4/Predictions", "exemplar_index"),
    ("/3/ModelMetrics", "compute_metrics_only"),
])
def test_unknown_options_are_refused_not_ignored(client, prostate, binomial, endpoint, field):
    path = f"{endpoint}/models/{binomial}/frames/{prostate}"
    body = assert_h2o_error(client.post(path, data={field: "true"}), 412, f"Unknown parameter: {field}",
                            path=path, method="POST")
    assert body["values"]["argument"] == field
    assert_serving(client)


def test_deep_features_of_a_hidden_layer(client, app, prostate, binomial):
    body = predict(client, binomial, prostate, deep_features_hidden_layer="0", predictions_frame="df0")
    assert body["predictions_frame"]["name"] == "df0"
    feats = frame_columns(client, "df0")
    assert list(feats) == ["DF.L1.C1", "DF.L1.C2", "DF.L1.C3", "DF.L1.C4"]     # hidden [4], 0-based layer 0
    values = np.array([feats[c] for c in feats], dtype=float).T
    assert values.shape == (380, 4)
    assert np.all(values >= 0) and np.any(values > 0)           # Rectifier activations
    store = app.config["SERVICES"].store
    direct = store.get("bin").deep_features(store.get(prostate), 1, "direct")
    np.testing.assert_array_equal(values, np.column_stack([c.data for c in direct.columns]))   # same rows, same scorer


def test_deep_features_errors(client, prostate, binomial, autoencoder):
    path = f"/3/Predictions/models/{binomial}/frames/{prostate}"
    body = assert_h2o_error(client.post(path, data={"deep_features_hidden_layer": "1"}), 400,
                            "from 0 to 0", "got 1", path=path, method="POST")
    assert body["values"]["argument"] == "deep_features_hidden_layer"
    path = f"/3/Predictions/models/{autoencoder}/frames/ecg_test.hex"
    reply = client.post(path, data={"deep_features_hidden_layer": "0", "reconstruction_error": "true"})
    assert_h2o_error(reply, 400, "give one of them", path=path, method="POST")
