"""H2O-3's custom metrics through the official client: h2o.upload_custom_metric (POST /3/PutKey)
and custom_metric_func, evaluated in the server's Python (map/reduce/metric) at every scoring
and shown in the metrics and the scoring history; refused with 403 unless the server was started
with --allow-custom-code, and a broken metric class is a 412 naming the field. stopping_metric
"custom" (less is better) and "custom_increasing" (more is better) stop early on the metric's
value, by H2O-3's rule (ScoreKeeper.stopEarly), and need a custom_metric_func."""
from __future__ import annotations

from pathlib import Path

import h2o
import numpy as np
import pandas as pd
import pytest
import requests
from h2o.estimators import H2ODeepLearningEstimator
from h2o.exceptions import H2OResponseError, H2OServerError

from official_client_helpers import connected_server, plain_failures

DATA = Path(__file__).resolve().parents[1] / "demos" / "data"


class MeanAbsoluteError:
    def map(self, pred, act, w, o, model):
        return [w * abs(act[0] - pred[0]), w]

    def reduce(self, left, right):
        return [left[0] + right[0], left[1] + right[1]]

    def metric(self, last):
        return last[0] / last[1]


class Misclassified:
    def map(self, pred, act, w, o, model):
        return [1.0 if pred[0] != act[0] else 0.0, 1.0]

    def reduce(self, left, right):
        return [left[0] + right[0], left[1] + right[1]]

    def metric(self, last):
        return last[0] / last[1]


@pytest.fixture(scope="module")
def allowed():
    with connected_server("--allow-custom-code") as proc:
        yield proc


def test_a_regression_custom_metric_is_computed_at_every_scoring(allowed):
    fr = h2o.import_file(str(DATA / "prostate.csv"))
    ref = h2o.upload_custom_metric(MeanAbsoluteError, func_name="mae_custom", func_file="mae_custom.py")
    assert ref.startswith("python:mae_custom=")
    model = H2ODeepLearningEstimator(hidden=[5], epochs=3, seed=1, reproducible=True, custom_metric_func=ref,
                                     score_each_iteration=True)
    model.train(x=["AGE", "RACE", "DPROS", "GLEASON"], y="PSA", training_frame=fr)
    metrics = model._model_json["output"]["training_metrics"]._metric_json
    assert metrics["custom_metric_name"] == "mae_custom"
    assert metrics["custom_metric_value"] == pytest.approx(metrics["mae"], rel=1e-9)   # same formula
    history = model.scoring_history()
    assert "training_custom" in history.columns and history["training_custom"].notna().all()


def test_a_classifier_custom_metric_sees_labels_and_class_indices(allowed):
    fr = h2o.import_file(str(DATA / "iris.csv"))
    ref = h2o.upload_custom_metric(Misclassified, func_name="miss", func_file="miss.py")
    model = H2ODeepLearningEstimator(hidden=[4], epochs=2, seed=1, reproducible=True, custom_metric_func=ref)
    model.train(y="C5", training_frame=fr, validation_frame=fr)
    valid = model._model_json["output"]["validation_metrics"]._metric_json
    predicted = model.predict(fr).as_data_frame(use_multi_thread=False)["predict"]
    actual = pd.read_csv(DATA / "iris.csv", header=None)[4]
    assert valid["custom_metric_value"] == pytest.approx(float(np.mean(predicted.to_numpy() != actual.to_numpy())))
    assert valid["custom_metric_value"] == pytest.approx(valid["cm"]["table"]["Error"][-1])   # the Totals row


class Closeness:
    """1 / (1 + mean absolute error): grows as the model improves."""

    def map(self, pred, act, w, o, model):
        return [w * abs(act[0] - pred[0]), w]

    def reduce(self, left, right):
        return [left[0] + right[0], left[1] + right[1]]

    def metric(self, last):
        return 1.0 / (1.0 + last[0] / last[1])


def _rule_says_stop(values: list[float], k: int, tolerance: float, more_is_better: bool) -> bool:
    """H2O-3's ScoreKeeper.stopEarly for positive values: the k+1 moving averages of length k over
    the last 2k scorings; stop unless the best of the last k beats the first by the tolerance."""
    if len(values) - 1 < 2 * k:
        return False
    last = values[-2 * k:]
    averages = [sum(last[i:i + k]) / k for i in range(k + 1)]
    if more_is_better:
        return max(averages[1:]) / averages[0] <= 1 + tolerance
    return min(averages[1:]) / averages[0] >= 1 - tolerance


def _custom_stopping_model(fr, ref: str, metric: str, k: int, tolerance: float):
    model = H2ODeepLearningEstimator(hidden=[5], epochs=200, seed=1, reproducible=True, custom_metric_func=ref,
                                     score_each_iteration=True, train_samples_per_iteration=100,
                                     stopping_metric=metric, stopping_rounds=k, stopping_tolerance=tolerance)
    model.train(x=["AGE", "RACE", "DPROS", "GLEASON"], y="PSA", training_frame=fr)
    history = model.scoring_history()
    values = history.loc[history["samples"] > 0, "training_custom"].tolist()    # the first row has not trained
    return model, values


def _assert_stopped_by_the_rule(values: list[float], k: int, tolerance: float, more_is_better: bool) -> None:
    assert all(v > 0 for v in values)
    assert _rule_says_stop(values, k, tolerance, more_is_better)
    assert not any(_rule_says_stop(values[:n], k, tolerance, more_is_better) for n in range(1, len(values)))


def test_stopping_metric_custom_increasing_stops_when_the_metric_stops_growing(allowed):
    fr = h2o.import_file(str(DATA / "prostate.csv"))
    ref = h2o.upload_custom_metric(Closeness, func_name="closeness", func_file="closeness.py")
    model, values = _custom_stopping_model(fr, ref, "custom_increasing", k=2, tolerance=0.01)
    assert model.scoring_history()["epochs"].iloc[-1] < 200          # stopped early
    assert len(values) > 5 and values[-1] > values[0]                   # it trained while the metric grew
    _assert_stopped_by_the_rule(values, 2, 0.01, more_is_better=True)
    assert model.params["stopping_metric"]["actual"] == "custom_increasing"


def test_stopping_metric_custom_takes_less_as_better(allowed):
    fr = h2o.import_file(str(DATA / "prostate.csv"))
    ref = h2o.upload_custom_metric(MeanAbsoluteError, func_name="mae_stop", func_file="mae_stop.py")
    model, values = _custom_stopping_model(fr, ref, "custom", k=3, tolerance=0.02)
    assert model.scoring_history()["epochs"].iloc[-1] < 200
    assert values[-1] < values[0]
    _assert_stopped_by_the_rule(values, 3, 0.02, more_is_better=False)
    # the same growing metric read as "less is better" stops as soon as the rule can tell (2k+1 scorings)
    ref = h2o.upload_custom_metric(Closeness, func_name="closeness_less", func_file="closeness_less.py")
    _, values = _custom_stopping_model(fr, ref, "custom", k=2, tolerance=0.01)
    assert len(values) == 2 * 2 + 1
    _assert_stopped_by_the_rule(values, 2, 0.01, more_is_better=False)


def test_a_custom_stopping_metric_without_custom_metric_func_is_refused(allowed):
    fr = h2o.import_file(str(DATA / "prostate.csv"))
    for metric in ("custom", "custom_increasing"):
        model = H2ODeepLearningEstimator(hidden=[5], epochs=1, stopping_metric=metric, stopping_rounds=2)
        with pytest.raises(H2OResponseError, match="Custom metric function needs to be defined in order to use "
                                                   "it for early stopping"):
            model.train(x=["AGE", "RACE"], y="PSA", training_frame=fr)
    reply = requests.post(allowed.url + "/3/ModelBuilders/deeplearning", data={
        "training_frame": fr.frame_id, "response_column": "PSA", "stopping_metric": "custom"})
    assert reply.status_code == 412
    assert [m["field_name"] for m in reply.json()["messages"] if m["message_type"] == "ERRR"] == ["custom_metric_func"]


def test_a_metric_class_that_fails_to_load_is_a_412_naming_the_field(allowed):
    ref = h2o.upload_custom_metric("class Broken:\n    def map(self, p, a, w, o, m):\n        return [1]\n",
                                   class_name="Broken", func_name="broken", func_file="broken.py")
    iris = h2o.import_file(str(DATA / "iris.csv")).frame_id
    reply = requests.post(allowed.url + "/3/ModelBuilders/deeplearning", data={
        "training_frame": iris, "response_column": "C5", "custom_metric_func": ref})
    assert reply.status_code == 412 and "has no method reduce()" in reply.text
    assert reply.json()["messages"][0]["field_name"] == "custom_metric_func"
    missing = requests.post(allowed.url + "/3/ModelBuilders/deeplearning", data={
        "training_frame": iris, "response_column": "C5",
        "custom_metric_func": "python:nothing_here=nope.NopeWrapper"})
    assert missing.status_code == 412 and "no uploaded archive under 'nothing_here'" in missing.text


def test_without_allow_custom_code_uploads_and_use_are_403():
    with connected_server() as proc:
        with pytest.raises((H2OResponseError, H2OServerError), match="allow-custom-code"):
            h2o.upload_custom_metric(MeanAbsoluteError, func_name="mae2", func_file="mae2.py")
        fr = h2o.import_file(str(DATA / "iris.csv"))
        reply = requests.post(proc.url + "/3/ModelBuilders/deeplearning", data={
            "training_frame": fr.frame_id, "response_column": "C5",
            "custom_metric_func": "python:mae2=mae2.MeanAbsoluteErrorWrapper"})
        assert reply.status_code == 403 and "--allow-custom-code" in reply.json()["msg"]
        assert requests.get(proc.url + "/3/Cloud").status_code == 200


plain_failures(globals())
