"""The R package driven in-process through rpy2 (R embedded in Python): the booklet's functions run
against a server started here, and the R objects they return (S4 slots: key, confusion matrix,
errors, variable importances, predictions) are checked against the server's own JSON for the same
model, so that the R client and the REST layer are held to each other in one test run.

The R package is the one `make test` installs into build/Rlib (R CMD INSTALL of R_package)."""
from __future__ import annotations

import math
import os

import numpy as np
import pytest
import requests

from conftest import DATA, REPO, ServerProcess

R_LIB = REPO / "build" / "Rlib"
ro = None     # rpy2.robjects, imported by the fixture (embedding R changes the environment)


def embed_r():
    """Start R inside this process. R puts its own library folders first in LD_LIBRARY_PATH, where
    a Python started later (the servers of other tests) would load the system's libpython and lose
    its site-packages; the variables are put back once R is loaded."""
    global ro
    saved = {k: os.environ.get(k) for k in ("LD_LIBRARY_PATH", "R_HOME")}
    import rpy2.robjects
    ro = rpy2.robjects
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def r_session():
    assert (R_LIB / "h2o").is_dir(), f"the R package is not installed in {R_LIB} (make test installs it)"
    server = ServerProcess()
    embed_r()
    ro.r(f'.libPaths(c("{R_LIB}", .libPaths())); suppressPackageStartupMessages(library(h2o)); '
         f'options(h2o.quiet = TRUE)')
    ro.r(f'h2o_server <- h2o.init(ip = "127.0.0.1", port = {server.port}, startH2O = FALSE)')
    ro.r(f'prostate.hex <- h2o.uploadFile(h2o_server, path = "{DATA / "prostate.csv"}", key = "prostate.hex")')
    ro.r('model <- h2o.deeplearning(x = 3:9, y = 2, data = prostate.hex, classification = TRUE, hidden = c(8, 8), '
         'epochs = 3, seed = 7, key = "rpy2_dl", validation = prostate.hex, variable_importances = TRUE)')
    yield server
    server.stop()


def r(expr: str):
    with ro.conversion.localconverter(ro.default_converter):
        return ro.r(expr)


def server_model(server, key: str) -> dict:
    return requests.get(f"{server.url}/3/Models/{key}", timeout=30).json()["models"][0]


def test_the_model_object_holds_the_servers_key_errors_and_confusion_matrix(r_session):
    json = server_model(r_session, "rpy2_dl")
    assert r("class(model)")[0] == "H2ODeepLearningModel"
    assert r("model@key")[0] == json["model_id"]["name"] == "rpy2_dl"
    train, valid = json["output"]["training_metrics"], json["output"]["validation_metrics"]
    # the classification error: the confusion matrix's Totals row, Error column (classes, Error, Rate)
    assert r("model@model$train_class_error")[0] == pytest.approx(train["cm"]["table"]["data"][-2][-1], abs=1e-12)
    assert r("model@model$valid_class_error")[0] == pytest.approx(valid["cm"]["table"]["data"][-2][-1], abs=1e-12)
    assert r("model@model$auc")[0] == pytest.approx(valid["AUC"], abs=1e-12)
    table = valid["cm"]["table"]
    counts = np.array([table["data"][j][:2] for j in range(2)]).T      # column-major: [actual, predicted]
    cm = np.array(r("model@model$confusion"))
    np.testing.assert_array_equal(cm[:2, :2], counts)
    assert list(r("dimnames(model@model$confusion)$Actual")) == ["0", "1", "Totals"]


def test_variable_importances_are_the_servers_largest_first(r_session):
    json = server_model(r_session, "rpy2_dl")
    tab = json["output"]["variable_importances"]
    names = [c["name"] for c in tab["columns"]]
    variables = tab["data"][names.index("variable")]
    scaled = tab["data"][names.index("scaled_importance")]
    want = sorted(zip(variables, scaled), key=lambda vs: -vs[1])
    got_names = list(r("names(model@model$varimp)"))
    got_values = list(r("as.numeric(model@model$varimp[1, ])"))
    assert got_names == [v for v, _ in want]
    assert got_values == pytest.approx([s for _, s in want], abs=1e-12)
    assert sorted(got_names) == sorted(["AGE", "RACE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON"])


def test_predictions_in_r_are_the_servers_prediction_frame(r_session):
    r('pred <- h2o.predict(model, prostate.hex); pred_df <- as.data.frame(pred)')
    key = r("pred@key")[0]
    frame = requests.get(f"{r_session.url}/3/Frames/{key}", params={"row_count": 1000}, timeout=30).json()["frames"][0]
    cols = {c["label"]: c for c in frame["columns"]}
    assert [c["label"] for c in frame["columns"]] == ["predict", "0", "1"]
    assert list(r("names(pred_df)")) == ["predict", "X0", "X1"]       # as legacy: read.csv's make.names
    domain = cols["predict"]["domain"]
    assert list(r("as.character(pred_df$predict)")) == [domain[v] for v in cols["predict"]["data"]]
    p1 = [math.nan if v is None else v for v in cols["1"]["data"]]
    assert list(r("pred_df[[3]]")) == pytest.approx(p1, abs=1e-12)
    assert int(r("nrow(pred_df)")[0]) == frame["rows"] == 380


def test_an_r_error_carries_the_servers_message(r_session):
    message = r('tryCatch(h2o.deeplearning(x = 3:9, y = 2, data = prostate.hex, hidden = 5, epochs = -1), '
                'error = function(e) conditionMessage(e))')[0]
    reply = requests.post(f"{r_session.url}/3/ModelBuilders/deeplearning",
                          data={"training_frame": "prostate.hex", "response_column": "CAPSULE", "epochs": "-1"},
                          timeout=30).json()
    assert "epochs" in message
    assert reply["http_status"] in (400, 412) and "epochs" in reply["msg"]
