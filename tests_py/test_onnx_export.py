"""ONNX export: the exported graph, run in onnxruntime on 1,000 raw rows of each model kind, gives
what the server's prediction gives (same class on every row, probabilities within 1e-5)."""
from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from h2o_backend.engine.parameters import DeepLearningParameters
from h2o_backend.engine.training import train_deeplearning
from h2o_backend.export.onnx import OPSET, model_to_onnx
from h2o_backend.frames.frame import Column, Frame

N_ROWS = 1000


def params(**kw) -> DeepLearningParameters:
    p = DeepLearningParameters()
    for k, v in {**dict(seed=1, reproducible=True, epochs=3.0, hidden=[16, 8]), **kw}.items():
        setattr(p, k, v)
    return p


def mixed_frame(key: str, n: int, seed: int, *, unseen: bool = False) -> Frame:
    """Two categorical columns (one with missing levels), two numeric ones (one with NaN), and
    three responses: a class of 3 levels, a binary class, a number."""
    rng = np.random.default_rng(seed)
    colour = rng.integers(0, 4, n).astype(np.int32)             # red green blue grey
    shape = rng.integers(-1, 3, n).astype(np.int32)             # -1: missing
    if unseen:
        colour[::7] = 4                                         # a level the model never saw
    x1 = rng.normal(size=n)
    x2 = rng.normal(3.0, 2.0, size=n)
    x2[rng.random(n) < 0.1] = np.nan
    score = x1 + (colour == 1) - 0.5 * (shape == 2) + 0.3 * np.nan_to_num(x2 - 3)
    cls3 = np.digitize(score, np.quantile(score, [1 / 3, 2 / 3])).astype(np.int32)
    return Frame(key, [
        Column("colour", "enum", colour, ["red", "green", "blue", "grey"] + (["pink"] if unseen else [])),
        Column("shape", "enum", shape, ["round", "square", "star"]),
        Column("x1", "real", x1), Column("x2", "real", x2),
        Column("kind", "enum", cls3, ["low", "mid", "high"]),
        Column("flag", "enum", (score > 0.2).astype(np.int32), ["no", "yes"]),
        Column("value", "real", 2.0 * score + 5.0),
    ])


def onnx_inputs(model, frame: Frame) -> dict:
    """Raw columns as the exported graph takes them: float [N,1] (NaN missing), string [N,1] ('' missing)."""
    feeds = {}
    for name in model.datainfo.predictor_names:
        col = frame.column(name)
        if col.is_enum:
            labels = np.array([col.domain[c] if c >= 0 else "" for c in col.data], dtype=object)
            feeds[name] = labels.reshape(-1, 1)
        else:
            feeds[name] = col.data.astype(np.float32).reshape(-1, 1)
    return feeds


def run_onnx(model, frame: Frame) -> dict:
    proto = model_to_onnx(model)
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, onnx_inputs(model, frame))))


@pytest.fixture(scope="module")
def train():
    return mixed_frame("onnx_train", 600, seed=3)


@pytest.fixture(scope="module")
def test():
    return mixed_frame("onnx_test", N_ROWS, seed=4)


def assert_same_classes(model, frame, got):
    want = model.predict(frame, "p")
    labels = [want.column("predict").domain[c] for c in want.column("predict").data]
    assert list(got["predict"].ravel()) == labels
    for level in model.datainfo.response_domain:
        np.testing.assert_allclose(got[level].ravel(), want.column(level).data, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("activation", ["Rectifier", "TanhWithDropout", "Maxout"])
def test_multinomial_with_categoricals_and_missing_values(train, test, activation):
    model = train_deeplearning(params(response_column="kind", ignored_columns=["flag", "value"],
                                      activation=activation, input_dropout_ratio=0.1), train)
    assert model.datainfo.cat_missing == [False, True] or model.datainfo.cat_missing == [True, False]
    assert_same_classes(model, test, run_onnx(model, test))


def test_binomial_label_uses_the_max_f1_threshold_and_balance_correction(train, test):
    model = train_deeplearning(params(response_column="flag", ignored_columns=["kind", "value"],
                                      balance_classes=True), train, valid=train)
    assert model.prior_class_dist is not None
    got = run_onnx(model, test)
    assert_same_classes(model, test, got)
    assert set(got["predict"].ravel()) == {"no", "yes"}


def test_regression_value_on_the_response_scale(train, test):
    model = train_deeplearning(params(response_column="value", ignored_columns=["kind", "flag"]), train)
    got = run_onnx(model, test)["predict"].ravel()
    want = model.predict(test, "p").column("predict").data
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)


def test_autoencoder_reconstruction(train, test):
    model = train_deeplearning(params(autoencoder=True, ignored_columns=["kind", "flag", "value"],
                                      activation="Tanh", hidden=[6]), train)
    got = run_onnx(model, test)
    want = model.predict(test, "p")
    assert list(got) == [c.name for c in want.columns]
    for col in want.columns:
        np.testing.assert_allclose(got[col.name].ravel(), col.data, rtol=1e-5, atol=1e-5)


def test_unseen_levels_switch_on_the_missing_input_as_the_server_does(train):
    model = train_deeplearning(params(response_column="kind", ignored_columns=["flag", "value"],
                                      use_all_factor_levels=True), train)
    scored = mixed_frame("onnx_unseen", 200, seed=5, unseen=True)
    assert_same_classes(model, scored, run_onnx(model, scored))


def test_the_graph_is_valid_onnx_with_one_input_per_column(train):
    model = train_deeplearning(params(response_column="kind", ignored_columns=["flag", "value"]), train)
    proto = model_to_onnx(model)
    onnx.checker.check_model(proto, full_check=True)
    assert {o.domain or "": o.version for o in proto.opset_import} == {"": OPSET, "ai.onnx.ml": 3}
    inputs = {i.name: i.type.tensor_type.elem_type for i in proto.graph.input}
    assert inputs == {"colour": onnx.TensorProto.STRING, "shape": onnx.TensorProto.STRING,
                      "x1": onnx.TensorProto.FLOAT, "x2": onnx.TensorProto.FLOAT}
    assert [o.name for o in proto.graph.output] == ["predict", "low", "mid", "high"]


def test_rest_download_runs_in_onnxruntime(client, train, test):
    model = train_deeplearning(params(response_column="kind", ignored_columns=["flag", "value"]), train,
                               model_id="onnx_rest")
    client.application.config["SERVICES"].store.put("onnx_rest", model)
    r = client.get("/99/Models.onnx/onnx_rest")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == 'attachment; filename="onnx_rest.onnx"'
    session = ort.InferenceSession(r.data, providers=["CPUExecutionProvider"])
    labels = session.run(["predict"], onnx_inputs(model, test))[0].ravel()
    want = model.predict(test, "p").column("predict")
    assert list(labels) == [want.domain[c] for c in want.data]
    missing = client.get("/99/Models.onnx/no_such_model")
    assert missing.status_code == 404 and "no_such_model" in missing.get_json()["msg"]
