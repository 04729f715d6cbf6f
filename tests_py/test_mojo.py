"""MOJO export (export/mojo.py) scored by H2O's own runtime: h2o-genmodel's PredictCsv from the
h2o.jar the `h2o` test extra ships, for every model kind, with categorical inputs, missing values
and unseen levels, the activations, dropout, balance_classes and a log-link family: the same class
on every row as the server, probabilities and values within 1e-5 relative. Also the REST routes
and the refusals (an offset model)."""
from __future__ import annotations

import csv
import io
import os
import subprocess
import zipfile

import numpy as np
import pytest

import h2o

from h2o_backend.engine.parameters import DeepLearningParameters
from h2o_backend.engine.training import train_deeplearning
from h2o_backend.export import mojo
from h2o_backend.frames.frame import Column, Frame

H2O_JAR = os.path.join(os.path.dirname(h2o.__file__), "backend", "bin", "h2o.jar")


def _frame(n: int, seed: int, key: str, unseen: bool = False) -> Frame:
    rng = np.random.default_rng(seed)
    levels = ["red", "green", "blue, dark", 'say "hi"'] + (["violet"] if unseen else [])
    color = rng.integers(0, len(levels), n).astype(np.int32)
    color[rng.random(n) < 0.08] = -1
    size = rng.integers(0, 2, n).astype(np.int32)                      # no missing values in training
    x0, x1 = rng.normal(size=n), rng.gamma(2.0, 3.0, n)
    x0[rng.random(n) < 0.05] = np.nan
    signal = np.nan_to_num(x0) + 0.1 * x1 + np.where(color >= 0, color % 3, 1) - size
    return Frame(key, [
        Column("color", "enum", color, levels), Column("size", "enum", size, ["S", "L"]),
        Column("x0", "real", x0), Column("x1", "real", x1),
        Column("y", "real", 3 * signal + 10),
        Column("count", "real", rng.poisson(np.exp(0.3 * signal)).astype(np.float64)),
        Column("label", "enum", (signal > 1.5).astype(np.int32), ["no", "yes"]),
        Column("grade", "enum", np.digitize(signal, [0.0, 1.0, 2.0]).astype(np.int32), ["a", "b", "c", "d"]),
    ])


TARGETS = ["y", "count", "label", "grade"]
MODELS = {
    "regression_tanh": dict(response_column="y", activation="Tanh", hidden=[9, 6]),
    "binomial_dropout": dict(response_column="label", activation="RectifierWithDropout", hidden=[12, 8],
                             input_dropout_ratio=0.1, hidden_dropout_ratios=[0.3, 0.1], balance_classes=True),
    "binomial_first_level_dropped": dict(response_column="label", activation="Rectifier", hidden=[6],
                                         use_all_factor_levels=False),
    "multinomial_maxout": dict(response_column="grade", activation="MaxoutWithDropout", hidden=[7],
                               hidden_dropout_ratios=[0.2]),
    "poisson": dict(response_column="count", distribution="poisson", activation="Rectifier", hidden=[8]),
    "autoencoder": dict(autoencoder=True, activation="Tanh", hidden=[3], ignored_columns=["color", "size"]),
}


@pytest.fixture(scope="module")
def frames():
    return _frame(1500, 1, "mojo_train"), _frame(300, 2, "mojo_test", unseen=True)


def _train(spec: dict, train: Frame):
    p = DeepLearningParameters()
    ignored = [t for t in TARGETS if t != spec.get("response_column")]
    for k, v in dict(spec, epochs=3.0, seed=11, reproducible=True).items():
        setattr(p, k, v)
    p.ignored_columns = sorted(set(ignored) | set(spec.get("ignored_columns", [])))
    return train_deeplearning(p, train)


def _csv(frame: Frame, path) -> None:
    """The frame's predictors as a CSV as a user writes it: levels by label, empty when missing."""
    names = [c.name for c in frame.columns if c.name not in TARGETS]
    with open(path, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(names)
        for i in range(frame.nrows):
            row = []
            for name in names:
                col = frame.column(name)
                if col.is_enum:
                    row.append("" if col.data[i] < 0 else col.domain[col.data[i]])
                else:
                    row.append("" if np.isnan(col.data[i]) else repr(float(col.data[i])))
            out.writerow(row)


def _predict_csv(tmp_path, model, test: Frame) -> tuple[list[str], np.ndarray]:
    zip_path, csv_in, csv_out = tmp_path / "model.zip", tmp_path / "in.csv", tmp_path / "out.csv"
    zip_path.write_bytes(mojo.mojo_bytes(model))
    _csv(test, csv_in)
    done = subprocess.run(["java", "-cp", H2O_JAR, "hex.genmodel.tools.PredictCsv", "--mojo", str(zip_path),
                           "--input", str(csv_in), "--output", str(csv_out), "--decimal"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = list(csv.reader(io.StringIO(csv_out.read_text())))
    return rows[0], rows[1:]


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_h2o_genmodel_scores_the_mojo_as_the_server(tmp_path, frames, kind):
    train, test = frames
    model = _train(MODELS[kind], train)
    header, rows = _predict_csv(tmp_path, model, test)
    served = model.predict(test, "served")
    if model.problem == "AutoEncoder":
        names = [f"reconstr_{n}" for n in model.datainfo.expanded_names]
        assert header == names
        got = np.array([[float(v) for v in r] for r in rows])
        want = np.column_stack([served.column(n).data for n in names])
    else:
        assert header[0] == "predict"
        if model.is_classifier:
            labels = np.array(served.column("predict").domain)[served.column("predict").data]
            assert [r[0] for r in rows] == labels.tolist()              # the same class on every row
            assert header[1:] == list(model.datainfo.response_domain)
            got = np.array([[float(v) for v in r[1:]] for r in rows])
            want = np.column_stack([served.column(d).data for d in header[1:]])
        else:
            got = np.array([float(r[0]) for r in rows])
            want = served.column("predict").data
    # genmodel computes in double, the server in float32: relative to each value, or to its
    # column's largest value for values near 0
    scale = np.maximum(np.abs(want), np.abs(want).max(axis=0) * 0.05 if want.ndim > 1 else 1e-3)
    assert np.max(np.abs(got - want) / scale) <= 1e-5


def test_the_rest_routes_serve_the_zip_and_refuse_an_offset_model(tmp_path, frames):
    from h2o_backend.server import create_app
    import tempfile
    train, _ = frames
    app = create_app({"spool_dir": tempfile.mkdtemp(prefix="h2o_backend_spool_test_")})
    svc = app.config["SERVICES"]
    model = _train(MODELS["regression_tanh"], train)
    svc.store.put(model.model_id, model)
    client = app.test_client()
    for route in (f"/3/Models/{model.model_id}/mojo", f"/99/Models.mojo/{model.model_id}"):
        reply = client.get(route)
        assert reply.status_code == 200 and reply.mimetype == "application/zip"
        assert f'filename="{model.model_id}.zip"' in reply.headers["Content-Disposition"]
        with zipfile.ZipFile(io.BytesIO(reply.data)) as archive:
            ini = archive.read("model.ini").decode()
            assert "algorithm = Deep Learning" in ini and "[columns]" in ini and "[domains]" in ini
            assert {"domains/d000.txt", "domains/d001.txt"} <= set(archive.namelist())
    assert client.get("/3/Models/nope/mojo").status_code == 404
    p = DeepLearningParameters()
    p.response_column, p.hidden, p.epochs, p.seed = "y", [4], 1.0, 1
    p.ignored_columns = ["count", "label", "grade"]
    train_off = Frame("with_offset", train.columns + [Column("off", "real", np.zeros(train.nrows))])
    p.offset_column = "off"
    offset_model = train_deeplearning(p, train_off)
    svc.store.put(offset_model.model_id, offset_model)
    refused = client.get(f"/3/Models/{offset_model.model_id}/mojo")
    assert refused.status_code == 400 and "offset" in refused.get_json()["msg"]
    svc.jobs.shutdown()
