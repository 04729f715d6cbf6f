"""The official H2O-3 Python client (h2o 3.46.0.12, unchanged, no mock) against this server: the
workflow of issue 12 that needs no Rapids frame operators (those are in
test_official_client_frames.py), and H2O-3's deep-learning parameters as the client sends them."""
from __future__ import annotations

import io
import math
import os
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import requests

import h2o
from h2o.estimators.deeplearning import H2OAutoEncoderEstimator, H2ODeepLearningEstimator
from h2o.exceptions import H2OResponseError
from h2o.grid.grid_search import H2OGridSearch

from h2o_backend.engine.stopping import stop_early
from protocol_schema import assert_matches_schema
from official_client_helpers import connected_server, plain_failures

DATA = Path(__file__).resolve().parent.parent / "demos" / "data"
NOT_PREDICTORS = ("ChangeTempDir", "ChangeTempMag", "RISK_MM", "RainTomorrow", "Date")


@pytest.fixture(scope="module")
def srv():
    with connected_server() as proc:
        yield proc


@pytest.fixture(scope="module")
def weather(srv):
    return h2o.upload_file(str(DATA / "weather.csv"), destination_frame="weather.hex")


@pytest.fixture(scope="module")
def parts(weather):
    """Training rows 0..274 and test rows 275.. (row slices: no Rapids operator beyond rows)."""
    return weather[:275, :], weather[275:, :]


@pytest.fixture(scope="module")
def x(weather):
    return [c for c in weather.names if c not in NOT_PREDICTORS]


@pytest.fixture(scope="module")
def model(parts, x):
    train, test = parts
    m = H2ODeepLearningEstimator(hidden=[20, 20], epochs=5, seed=1, model_id="client_dl",
                                 variable_importances=True)
    m.train(x=x, y="ChangeTempDir", training_frame=train, validation_frame=test)
    return m


# ------------------------------------------------------------------------------ connecting
def test_connect_reads_the_metadata_and_a_healthy_cloud(srv):
    cluster = h2o.cluster()
    assert cluster.cloud_healthy and cluster.consensus and cluster.cloud_size == 1
    assert cluster.version == h2o.__version__
    fields = requests.get(f"{srv.url}/3/Metadata/schemas/CloudV3").json()["schemas"][0]["fields"]
    assert {"cloud_healthy", "consensus", "version", "nodes"} <= {f["name"] for f in fields}


def test_unknown_schema_metadata_is_a_404_naming_it(srv):
    reply = requests.get(f"{srv.url}/3/Metadata/schemas/NoSuchV3")
    assert reply.status_code == 404 and "NoSuchV3" in reply.json()["msg"]


def test_show_status_prints_the_cluster(srv):
    out = io.StringIO()
    with redirect_stdout(out):
        h2o.cluster().show_status(detailed=True)
    text = out.getvalue()
    assert "H2O_cluster_version" in text and h2o.__version__ in text and srv.url in text


@pytest.mark.parametrize("method, path, template", [
    ("get", "/3/Metadata/schemas/H2OErrorV3", "/3/Metadata/schemas/{schema_name}"),
    ("get", "/3/Metadata/schemas/H2OModelBuilderErrorV3", "/3/Metadata/schemas/{schema_name}"),
    ("get", "/3/Metadata/schemas/Nope", "/3/Metadata/schemas/{schema_name}"),
    ("get", "/3/Metadata/endpoints", None),
    ("post", "/4/sessions", None),
    ("delete", "/4/sessions/_sid_x", "/4/sessions/{session_key}"),
    ("get", "/3/InitID", None),
    ("get", "/3/Capabilities", None),
    ("get", "/3/Capabilities/API", None),
    ("get", "/3/Cloud", None),
])
def test_client_endpoints_answer_as_documented(srv, method, path, template):
    reply = getattr(requests, method)(srv.url + path)
    assert_matches_schema(template or path, method, reply.status_code, reply.json())


def test_metadata_endpoints_lists_the_routes(srv):
    routes = h2o.api("GET /3/Metadata/endpoints").routes
    patterns = {(r.http_method, r.url_pattern) for r in routes}
    assert ("POST", "/3/ModelBuilders/deeplearning") in patterns and ("GET", "/3/Cloud") in patterns


# ------------------------------------------------------------------------------ data
def test_upload_file_shape_types_names_and_pandas(weather):
    expected = pd.read_csv(DATA / "weather.csv")
    assert weather.shape == expected.shape
    assert weather.names == list(expected.columns)
    assert weather.types["ChangeTempDir"] == "enum" and weather.types["Sunshine"] == "real"
    df = weather.as_data_frame()
    assert isinstance(df, pd.DataFrame) and df.shape == expected.shape
    np.testing.assert_allclose(df["Sunshine"].to_numpy(), expected["Sunshine"].to_numpy())
    assert list(df["ChangeTempDir"]) == list(expected["ChangeTempDir"])


def test_head_and_describe(weather):
    head = weather.head(rows=4)
    assert head.shape == (4, weather.ncols)
    expected = pd.read_csv(DATA / "weather.csv").head(4)
    np.testing.assert_allclose(head.as_data_frame()["EvapMM"].to_numpy(), expected["EvapMM"].to_numpy())
    out = io.StringIO()
    with redirect_stdout(out):
        weather.describe()
    assert "Rows:355" in out.getvalue().replace(" ", "") and "Sunshine" in out.getvalue()


def test_import_file_and_folder(srv, tmp_path):
    prostate = h2o.import_file(str(DATA / "prostate.csv"))
    assert prostate.shape == (380, 9)
    lines = [line for line in (DATA / "iris.csv").read_text().splitlines() if line]
    folder = tmp_path / "iris_parts"
    folder.mkdir()
    (folder / "a.csv").write_text("\n".join(lines[:60]) + "\n")
    (folder / "b.csv").write_text("\n".join(lines[60:]) + "\n")
    both = h2o.import_file(str(folder))
    assert both.shape == (150, 5)


# ------------------------------------------------------------------------------ models
def test_train_with_validation_and_progress_bar(parts, x):
    train, test = parts
    out = io.StringIO()
    with redirect_stdout(out):
        m = H2ODeepLearningEstimator(hidden=[5], epochs=2, seed=3)
        m.train(x=x, y="ChangeTempDir", training_frame=train, validation_frame=test)
    assert "deeplearning Model Build progress" in out.getvalue() and "100%" in out.getvalue()
    assert 0 <= m.auc(valid=True) <= 1 and m.logloss(valid=True) > 0


def test_model_performance_on_the_validation_frame_equals_the_validation_metrics(model, parts):
    _, test = parts
    perf = model.model_performance(test)
    assert math.isclose(perf.logloss(), model.logloss(valid=True), rel_tol=1e-9)
    assert math.isclose(perf.auc(), model.auc(valid=True), rel_tol=1e-9)
    cm = perf.confusion_matrix().to_list()
    assert sum(sum(row) for row in cm) == test.nrows


def test_predict_matches_the_class_probabilities(model, parts):
    _, test = parts
    pred = model.predict(test).as_data_frame()
    assert list(pred.columns) == ["predict", "down", "up"] and len(pred) == test.nrows
    np.testing.assert_allclose(pred["down"] + pred["up"], 1.0, atol=1e-6)


def test_scoring_history_varimp_and_plot(model, x):
    history = model.scoring_history()
    assert isinstance(history, pd.DataFrame) and len(history) >= 1
    assert {"epochs", "training_logloss", "validation_logloss"} <= set(history.columns)
    varimp = model.varimp()
    assert varimp and all(len(row) == 4 for row in varimp)
    assert max(row[3] for row in varimp) <= 1 and math.isclose(sum(row[3] for row in varimp), 1.0, rel_tol=1e-6)
    import matplotlib.pyplot as plt
    plt.close("all")
    model.plot()
    assert plt.get_fignums(), "model.plot() drew no figure"
    plt.close("all")


def test_nfolds_cross_validation(weather, x):
    m = H2ODeepLearningEstimator(hidden=[5], epochs=1, nfolds=3, seed=1)
    m.train(x=x, y="ChangeTempDir", training_frame=weather)
    assert m.logloss(xval=True) > 0
    assert len(m.cross_validation_models()) == 3


@pytest.mark.parametrize("assignment", ["modulo", "stratified"])
def test_nfolds_with_fold_assignment(weather, x, assignment):
    m = H2ODeepLearningEstimator(hidden=[3], epochs=1, nfolds=2, seed=1, fold_assignment=assignment)
    m.train(x=x, y="ChangeTempDir", training_frame=weather)
    assert m.logloss(xval=True) > 0
    assert m.actual_params["fold_assignment"] == assignment.capitalize()


def test_kept_cross_validation_predictions_and_fold_assignment(weather, x):
    m = H2ODeepLearningEstimator(hidden=[3], epochs=1, nfolds=3, seed=2, keep_cross_validation_predictions=True,
                                 keep_cross_validation_fold_assignment=True)
    m.train(x=x, y="ChangeTempDir", training_frame=weather)
    folds = m.cross_validation_fold_assignment().as_data_frame()["fold_assignment"].to_numpy()
    assert sorted(set(folds)) == [0, 1, 2] and len(folds) == weather.nrows
    holdout = m.cross_validation_holdout_predictions().as_data_frame()
    per_fold = [f.as_data_frame() for f in m.cross_validation_predictions()]
    assert list(holdout.columns) == ["predict", "down", "up"] and len(per_fold) == 3
    for k, cv_model in enumerate(m.cross_validation_models()):
        own = cv_model.predict(weather).as_data_frame()
        rows = folds == k
        np.testing.assert_allclose(holdout["up"][rows], own["up"][rows], rtol=1e-6)
        np.testing.assert_allclose(per_fold[k]["up"][rows], own["up"][rows], rtol=1e-6)
        assert (per_fold[k]["up"][~rows] == 0).all()


def test_fold_column(weather, x):
    """Each value of the fold column is one fold; the column is not a predictor."""
    expected = pd.read_csv(DATA / "weather.csv")["ChangeWindDirect"]
    m = H2ODeepLearningEstimator(hidden=[3], epochs=1, seed=1, fold_column="ChangeWindDirect")
    m.train(x=[c for c in x if c != "ChangeWindDirect"], y="ChangeTempDir", training_frame=weather)
    cv_models = m.cross_validation_models()
    assert len(cv_models) == expected.nunique()
    # fold model k trained on the rows whose value is not the k-th (sorted) level
    counts = expected.value_counts().sort_index()
    for level, cv in zip(counts.index, cv_models):
        assert cv._model_json["output"]["training_metrics"]._metric_json["nobs"] == len(expected) - counts[level], level
    assert m.logloss(xval=True) > 0
    assert not any(name.startswith("ChangeWindDirect") for name, *_ in m.varimp())


def test_save_and_load_model_predict_alike(model, parts, tmp_path):
    _, test = parts
    path = h2o.save_model(model, path=str(tmp_path), force=True)
    assert os.path.exists(path)
    loaded = h2o.load_model(path)
    assert loaded.model_id == model.model_id
    a = model.predict(test).as_data_frame()
    b = loaded.predict(test).as_data_frame()
    np.testing.assert_allclose(a["up"], b["up"], rtol=1e-6)


def test_autoencoder_anomaly_and_deepfeatures(weather, model, parts, x):
    ae = H2OAutoEncoderEstimator(hidden=[4], epochs=2, seed=1)
    ae.train(x=x, training_frame=weather)
    err = ae.anomaly(weather).as_data_frame()
    assert err.shape == (weather.nrows, 1) and (err.iloc[:, 0] >= 0).all()
    _, test = parts
    features = model.deepfeatures(test, 1)
    assert features.shape == (test.nrows, 20)


def test_grid_over_hidden_and_l1_sorted(parts, x):
    train, test = parts
    grid = H2OGridSearch(H2ODeepLearningEstimator(epochs=1, seed=1),
                         hyper_params={"hidden": [[4], [8]], "l1": [0.0, 1e-4]}, grid_id="client_grid")
    grid.train(x=x, y="ChangeTempDir", training_frame=train, validation_frame=test)
    assert len(grid.models) == 4
    by_logloss = grid.get_grid(sort_by="logloss")
    losses = [m.logloss(valid=True) for m in by_logloss.models]
    assert losses == sorted(losses)
    by_auc = grid.get_grid(sort_by="auc")
    aucs = [m.auc(valid=True) for m in by_auc.models]
    assert aucs == sorted(aucs, reverse=True)
    bad = requests.get(f"{h2o.connection().base_url}/99/Grids/client_grid", params={"sort_by": "bogus"})
    assert bad.status_code == 400 and "sort_by" in bad.json()["msg"]


def test_random_grid_over_an_enum_sorted_by_f1(parts, x):
    train, test = parts
    grid = H2OGridSearch(H2ODeepLearningEstimator(epochs=1, seed=1, hidden=[4]),
                         hyper_params={"activation": ["Rectifier", "Tanh"], "l1": [0.0, 1e-4, 1e-3]},
                         search_criteria={"strategy": "RandomDiscrete", "max_models": 3, "seed": 5},
                         grid_id="client_random_grid")
    grid.train(x=x, y="ChangeTempDir", training_frame=train, validation_frame=test)
    assert len(grid.models) == 3
    f1 = [m.F1(valid=True)[0][1] for m in grid.get_grid(sort_by="f1", decreasing=True).models]
    assert f1 == sorted(f1, reverse=True)


def test_get_model_java_and_remove(srv, model, parts, x):
    assert h2o.get_model("client_dl").model_id == "client_dl"
    java = requests.get(f"{srv.url}/3/Models.java/client_dl")
    assert java.status_code == 200 and "class client_dl" in java.text
    train, _ = parts
    doomed = H2ODeepLearningEstimator(hidden=[3], epochs=1, model_id="doomed_dl")
    doomed.train(x=x, y="ChangeTempDir", training_frame=train)
    h2o.remove(doomed)
    with pytest.raises(H2OResponseError):
        h2o.get_model("doomed_dl")


# ------------------------------------------------------------------------------ H2O-3 parameters
def test_early_stopping_stops_before_the_epochs(parts, x):
    train, test = parts
    m = H2ODeepLearningEstimator(hidden=[5], epochs=500, seed=1, score_each_iteration=True,
                                 train_samples_per_iteration=100, stopping_rounds=2,
                                 stopping_metric="logloss", stopping_tolerance=0.2,
                                 overwrite_with_best_model=False)
    m.train(x=x, y="ChangeTempDir", training_frame=train, validation_frame=test)
    history = m.scoring_history()
    assert history["epochs"].iloc[-1] < 500
    # H2O-3's rule (ScoreKeeper) on the validation logloss: it holds at the last scoring, never before
    values = list(history["validation_logloss"])
    assert stop_early(values, 2, 0.2, more_is_better=False)
    assert not any(stop_early(values[:n], 2, 0.2, more_is_better=False) for n in range(len(values)))


def test_max_runtime_secs_keeps_the_model_so_far(parts, x):
    train, _ = parts
    m = H2ODeepLearningEstimator(hidden=[50, 50], epochs=1e6, seed=1, max_runtime_secs=1, stopping_rounds=0)
    m.train(x=x, y="ChangeTempDir", training_frame=train)
    assert m._model_json["output"]["status"] == "DONE"
    assert m.scoring_history()["epochs"].iloc[-1] < 1e6
    assert m.predict(train).nrows == train.nrows


def test_export_weights_and_biases(parts, x):
    train, _ = parts
    m = H2ODeepLearningEstimator(hidden=[6, 3], epochs=1, seed=1, export_weights_and_biases=True)
    m.train(x=x, y="ChangeTempDir", training_frame=train)
    n_inputs = int(m._model_json["output"]["model_summary"]["units"][0])     # the input layer
    w0, w1, w2 = m.weights(0), m.weights(1), m.weights(2)
    assert w0.shape == (6, n_inputs) and w1.shape == (3, 6) and w2.shape == (2, 3)
    assert m.biases(0).shape == (6, 1) and m.biases(2).shape == (2, 1)
    assert np.abs(w1.as_data_frame().to_numpy()).sum() > 0
    reply = requests.get(f"{h2o.connection().base_url}/3/Models/{m.model_id}")
    assert_matches_schema("/3/Models/{model_id}", "get", reply.status_code, reply.json())


def test_initial_weights_from_exported_frames_predict_the_same(parts, x):
    """H2O-3's round trip: weights(i) / biases(i) of one model as initial_weights / initial_biases
    of another with epochs = 0 give the same predictions; a null entry keeps a layer's random start."""
    train, test = parts
    m = H2ODeepLearningEstimator(hidden=[5], epochs=1, seed=1, export_weights_and_biases=True)
    m.train(x=x, y="ChangeTempDir", training_frame=train)
    copy = H2ODeepLearningEstimator(hidden=[5], epochs=0, seed=2, initial_weights=[m.weights(0), m.weights(1)],
                                    initial_biases=[m.biases(0), m.biases(1)])
    copy.train(x=x, y="ChangeTempDir", training_frame=train)
    a = m.predict(test).as_data_frame()
    b = copy.predict(test).as_data_frame()
    pd.testing.assert_frame_equal(a, b)
    partial = H2ODeepLearningEstimator(hidden=[5], epochs=0, seed=2, initial_weights=[None, m.weights(1)],
                                       initial_biases=[None, m.biases(1)])
    partial.train(x=x, y="ChangeTempDir", training_frame=train)
    assert partial.params["initial_weights"]["actual"][0] is None


def test_no_hidden_layer_and_pretrained_autoencoder(parts, x):
    train, _ = parts
    flat = H2ODeepLearningEstimator(hidden=[], epochs=1, seed=1, export_weights_and_biases=True)
    flat.train(x=x, y="ChangeTempDir", training_frame=train)
    assert flat.weights(0).shape[0] == 2 and len(flat._model_json["output"]["weights"]) == 1
    ae = H2OAutoEncoderEstimator(hidden=[4], epochs=1, seed=1, activation="Tanh")
    ae.train(x=x, training_frame=train)
    tuned = H2ODeepLearningEstimator(hidden=[4], epochs=1, seed=1, activation="Tanh",
                                     pretrained_autoencoder=ae.model_id)
    tuned.train(x=x, y="ChangeTempDir", training_frame=train)
    assert tuned.logloss() > 0


@pytest.mark.parametrize("distribution", ["bernoulli", "multinomial"])
def test_classification_distributions_train(parts, x, distribution):
    train, _ = parts
    m = H2ODeepLearningEstimator(hidden=[4], epochs=1, seed=1, distribution=distribution,
                                 categorical_encoding="one_hot_internal")
    m.train(x=x, y="ChangeTempDir", training_frame=train)
    assert m.logloss() > 0


def _refusal(parts, x, y="ChangeTempDir", **kw) -> str:
    train, _ = parts
    m = H2ODeepLearningEstimator(hidden=[4], epochs=1, **kw)
    with pytest.raises(H2OResponseError) as info:
        m.train(x=x, y=y, training_frame=train)
    return str(info.value)


@pytest.mark.parametrize("setting, named", [
    ({"distribution": "poisson"}, "distribution"),           # not allowed for classification (H2O-3)
    ({"distribution": "gaussian"}, "distribution"),          # the response is categorical
    ({"categorical_encoding": "binary"}, "categorical_encoding"),
    ({"weights_column": "Sunshine"}, "weights_column"),      # Weights cannot have missing values (H2O-3)
    ({"offset_column": "Sunshine"}, "offset_column"),        # Offset is only supported for regression
    ({"stopping_metric": "MAE"}, "stopping_metric"),          # a regression metric
    ({"stopping_metric": "lift_top_group"}, "stopping_metric"),
    ({"fold_column": "Sunshine"}, "fold_column"),               # not integer-valued
    ({"fold_column": "RainToday", "nfolds": 3}, "fold_column"),  # both
])
def test_unsupported_or_unfit_settings_are_refused_by_name(parts, x, setting, named):
    message = _refusal(parts, x, **setting)
    assert f"ERRR on field: {named}" in message


@pytest.mark.parametrize("distribution, offset", [("poisson", None), ("tweedie", None), ("huber", "RainToday"),
                                                  ("gaussian", "RainToday")])
def test_regression_families_train_with_weights_and_offsets(parts, x, distribution, offset):
    train, valid = parts
    predictors = [c for c in x if c not in ("Sunshine", "Cloud9am", "RainToday")]
    m = H2ODeepLearningEstimator(hidden=[4], epochs=2, seed=1, reproducible=True, distribution=distribution,
                                 weights_column="Cloud9am", offset_column=offset)
    m.train(x=predictors, y="RISK_MM", training_frame=train, validation_frame=valid)
    assert m.actual_params["distribution"] == distribution
    assert m.actual_params["weights_column"]["column_name"] == "Cloud9am"
    assert m.mean_residual_deviance(valid=True) is not None
    predicted = m.predict(valid).as_data_frame()["predict"]
    assert len(predicted) == valid.nrows and predicted.notna().all()


def test_gaussian_regression_trains(parts, x):
    train, _ = parts
    m = H2ODeepLearningEstimator(hidden=[4], epochs=1, seed=1, distribution="gaussian",
                                 stopping_metric="MAE")
    m.train(x=[c for c in x if c != "Sunshine"], y="Sunshine", training_frame=train)
    assert m.mse() > 0 and m._model_json["output"]["model_category"] == "Regression"


plain_failures(globals())
