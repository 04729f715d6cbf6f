"""The official H2O-3 Python client's frame operations, which it sends to /99/Rapids: h2o.init's
timezone, asfactor, column assignment, split_frame, cbind, filtering rows by a condition, h2o.ls,
h2o.remove of a frame. They need the Rapids operators of the shared evaluator
(frames/rapids.py): rm, ls, setTimeZone/getTimeZone, as.factor, :=, h2o.runif, comparisons,
&, cbind, ... Each result is compared with pandas on the same CSV."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import requests

import h2o

from official_client_helpers import connected_server, plain_failures

DATA = Path(__file__).resolve().parent.parent / "demos" / "data"


@pytest.fixture(scope="module")
def srv():
    with connected_server() as proc:
        yield proc


@pytest.fixture()
def prostate(srv):
    return h2o.import_file(str(DATA / "prostate.csv"))


@pytest.fixture(scope="module")
def expected():
    return pd.read_csv(DATA / "prostate.csv")


def test_init_with_url_connects_without_starting_java(srv):
    h2o.init(url=srv.url)           # sets the cluster timezone to UTC through Rapids
    assert h2o.connection().local_server is None
    assert h2o.cluster().timezone == "UTC"


def test_asfactor_in_place(prostate, expected):
    prostate["CAPSULE"] = prostate["CAPSULE"].asfactor()
    assert prostate.types["CAPSULE"] == "enum"
    assert sorted(prostate["CAPSULE"].levels()[0]) == ["0", "1"]
    assert list(prostate.as_data_frame()["CAPSULE"]) == list(expected["CAPSULE"])


def test_column_assignment_new_and_replaced(prostate, expected):
    prostate["AGE2"] = prostate["AGE"] * 2
    prostate["PSA"] = prostate["VOL"]
    got = prostate.as_data_frame()
    np.testing.assert_allclose(got["AGE2"], expected["AGE"] * 2)
    np.testing.assert_allclose(got["PSA"], expected["VOL"])
    assert prostate.ncols == expected.shape[1] + 1


def test_split_frame_partitions_the_rows(prostate, expected):
    train, test = prostate.split_frame(ratios=[0.75], seed=42)
    assert train.nrows + test.nrows == len(expected)
    assert 0.6 < train.nrows / len(expected) < 0.9
    ids = sorted(list(train.as_data_frame()["ID"]) + list(test.as_data_frame()["ID"]))
    assert ids == sorted(expected["ID"])
    again, _ = prostate.split_frame(ratios=[0.75], seed=42)
    assert list(again.as_data_frame()["ID"]) == list(train.as_data_frame()["ID"])


def test_cbind(prostate, expected):
    both = prostate[["AGE"]].cbind(prostate[["PSA"]])
    assert both.names == ["AGE", "PSA"]
    got = both.as_data_frame()
    np.testing.assert_allclose(got["PSA"], expected["PSA"])


def test_filter_rows_by_condition(prostate, expected):
    old = prostate[prostate["AGE"] > 60, :]
    assert old.nrows == int((expected["AGE"] > 60).sum())
    both = prostate[(prostate["AGE"] > 60) & (prostate["RACE"] == 1), :]
    assert both.nrows == int(((expected["AGE"] > 60) & (expected["RACE"] == 1)).sum())
    assert list(old.as_data_frame()["ID"]) == list(expected.loc[expected["AGE"] > 60, "ID"])


def test_ls_and_remove_frame(srv, prostate):
    key = prostate.frame_id
    keys = list(h2o.ls().iloc[:, 0])
    assert key in keys
    h2o.remove(prostate)
    assert key not in list(h2o.ls().iloc[:, 0])
    assert requests.get(f"{srv.url}/3/Frames/{key}").status_code == 404


def test_remove_all(srv):
    h2o.import_file(str(DATA / "iris.csv"))
    h2o.remove_all()
    assert requests.get(f"{srv.url}/3/Frames").json()["frames"] == []


plain_failures(globals())
