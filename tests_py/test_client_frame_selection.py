"""The official H2O-3 client's column and row selections, as it sends them to /99/Rapids:
``drop`` (negative exclusion indices ``-(i+1)`` for columns and rows), ``frame[:, -1]``,
``frame[:, [0, 2]]``, ``frame[a:b, :]`` ranges; ``h2o.get_frame(light=True)``
(GET /3/Frames/{id}/light); and legacy H2O's missing-values test (missing
values inserted at 0.25 ... 0.99 into the predictors, then a deep-learning model trained on
each): a column that keeps a few values is kept and mean-imputed, so the model trains. Each
result is compared with pandas on the same CSV."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import requests

import h2o
from h2o.estimators import H2ODeepLearningEstimator

from official_client_helpers import connected_server, plain_failures
from protocol_schema import assert_matches_schema

DATA = Path(__file__).resolve().parents[1] / "demos" / "data"


@pytest.fixture(scope="module")
def srv():
    with connected_server() as proc:
        yield proc


@pytest.fixture(scope="module")
def prostate(srv):
    return h2o.import_file(str(DATA / "prostate.csv"))


@pytest.fixture(scope="module")
def expected():
    return pd.read_csv(DATA / "prostate.csv")


def _frame(fr) -> pd.DataFrame:
    return fr.as_data_frame(use_multi_thread=False)


def test_drop_one_column_by_name_and_by_index(prostate, expected):
    pd.testing.assert_frame_equal(_frame(prostate.drop("ID")), expected.drop(columns=["ID"]))
    pd.testing.assert_frame_equal(_frame(prostate.drop(3)), expected.drop(columns=["RACE"]))


def test_drop_several_columns(prostate, expected):
    got = _frame(prostate.drop(["ID", "PSA", "GLEASON"]))
    pd.testing.assert_frame_equal(got, expected.drop(columns=["ID", "PSA", "GLEASON"]))
    got = _frame(prostate.drop([0, 8]))
    pd.testing.assert_frame_equal(got, expected.drop(columns=["ID", "GLEASON"]))


def test_drop_rows(prostate, expected):
    got = _frame(prostate.drop([0, 5, 379], axis=0))
    want = expected.drop(index=[0, 5, 379]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)


def test_column_selections(prostate, expected):
    pd.testing.assert_frame_equal(_frame(prostate[:, -1]), expected.iloc[:, [-1]])
    pd.testing.assert_frame_equal(_frame(prostate[:, [0, 2]]), expected.iloc[:, [0, 2]])
    pd.testing.assert_frame_equal(_frame(prostate[:, 2:5]), expected.iloc[:, 2:5])
    pd.testing.assert_frame_equal(_frame(prostate[-1]), expected.iloc[:, [-1]])


def test_row_ranges(prostate, expected):
    pd.testing.assert_frame_equal(_frame(prostate[10:20, :]), expected.iloc[10:20].reset_index(drop=True))
    got = _frame(prostate[[1, 3, 7], [1, 2]])
    pd.testing.assert_frame_equal(got, expected.iloc[[1, 3, 7], [1, 2]].reset_index(drop=True))


def test_get_frame_light(srv, prostate, expected):
    light = h2o.get_frame(prostate.frame_id, light=True)
    assert light.names == list(expected.columns)
    assert light.dim == [380, 9]
    pd.testing.assert_frame_equal(_frame(light), expected)
    path = f"/3/Frames/{prostate.frame_id}/light"
    response = requests.get(srv.url + path, params={"row_count": 3})
    assert response.status_code == 200
    assert_matches_schema(path, "GET", 200, response.json())
    assert len(response.json()["frames"][0]["columns"][0]["data"]) == 3
    missing = requests.get(srv.url + "/3/Frames/nope.hex/light")
    assert missing.status_code == 404


@pytest.mark.parametrize("fraction", [0.25, 0.5, 0.75, 0.99])
def test_deep_learning_trains_with_missing_values(srv, fraction):
    data = h2o.import_file(str(DATA / "prostate.csv"))
    data["CAPSULE"] = data["CAPSULE"].asfactor()
    response = data["CAPSULE"]
    predictors = data.drop(["ID", "CAPSULE"])
    predictors.insert_missing_values(fraction=fraction, seed=1234)
    cells = predictors.nrow * predictors.ncol
    assert abs(sum(predictors.nacnt()) / cells - fraction) < 0.05
    train = predictors.cbind(response)
    model = H2ODeepLearningEstimator(hidden=[5], epochs=1, seed=1, reproducible=True)
    model.train(x=predictors.names, y="CAPSULE", training_frame=train)
    assert model.model_performance(train).logloss() > 0


plain_failures(globals())
