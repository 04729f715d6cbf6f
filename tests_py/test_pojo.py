"""The POJO: Java identifiers, compilation of large networks, and agreement with the server.

Every test that compiles Java skips (with the reason) when no JDK is installed.
"""
from __future__ import annotations

import numpy as np
import pytest

from h2o_backend.engine import activations as A
from h2o_backend.export import pojo, pojo_arith, pojo_runner
from h2o_backend.export.pojo_java import java_id, java_string

needs_java = pytest.mark.skipif(pojo_runner.java_tools() is None,
                                reason="javac/java not found (Debian: apt-get install default-jdk-headless)")


# ------------------------------------------------------------------ identifiers and literals
@pytest.mark.parametrize("key,expected", [
    ("DeepLearning_model_R_1418945890_2", "DeepLearning_model_R_1418945890_2"),
    ("my model-1.hex", "my_model_1_hex"),
    ("1st", "_1st"),
    ("", "__"),
    ("class", "class_"),
    ("_", "__"),
    ("mnist/dl:200x3", "mnist_dl_200x3"),
    ("modèle", "mod_le"),
])
def test_java_id(key, expected):
    assert java_id(key) == expected


def test_java_string_is_ascii_and_escaped():
    text = java_string('a"b\\c\nd\u00e9\U0001F600\x01')
    assert text.isascii()
    assert text == '"a\\"b\\\\c\\nd\\u00e9\\ud83d\\ude00\\001"'


# ------------------------------------------------------------------ synthetic networks
def _net(units, hidden, out_act, majors, drop, seed):
    drop = [float(np.float32(d)) for d in drop]   # the model keeps dropout ratios as float32
    rng = np.random.default_rng(seed)
    n = len(units) - 1
    pieces = [A.pieces(hidden)] * (n - 1) + [1]
    acts = [hidden] * (n - 1) + [out_act]
    ws, bs = [], []
    for l in range(n):
        cols = units[l + 1] * pieces[l]
        shape = (units[l], cols) if majors[l] == 0 else (cols, units[l])
        ws.append(rng.uniform(-0.3, 0.3, shape).astype(np.float32))
        bs.append(rng.uniform(-0.5, 0.5, cols).astype(np.float32))
    return pojo.NetSpec(units=list(units), pieces=pieces, acts=acts, majors=list(majors), weights=ws,
                        biases=bs, drop=list(drop))


def _plain_spec(net: pojo.NetSpec, model_id="synthetic", **kw) -> pojo.PojoSpec:
    """Numeric inputs passed through unchanged (sub 0, mul 1), so rows are the network's inputs."""
    k = net.units[-1]
    softmax = net.acts[-1] == A.ACT_SOFTMAX
    names = [f"x{i}" for i in range(net.units[0])]
    return pojo.PojoSpec(
        model_id=model_id, category="Multinomial" if softmax else "Regression", names=names,
        domains=[None] * len(names), net=net, response_name="y",
        response_domain=[f"c{i}" for i in range(k)] if softmax else None,
        num_sub=[0.0] * len(names), num_mul=[1.0] * len(names),
        pred_names=["predict"] + ([f"c{i}" for i in range(k)] if softmax else []),
        fma=pojo_arith.server_fuses_multiply_add(), dot=pojo_arith.server_dot_order(),
        softmax_sum=pojo_arith.server_softmax_order(), **kw)


def _kernel_outputs(net: pojo.NetSpec, X: np.ndarray) -> np.ndarray:
    """The server's outputs: the network as a ModelInfo, scored by engine.sgd.forward."""
    from h2o_backend.engine.model_info import ModelInfo
    from h2o_backend.engine.sgd import forward
    mi = ModelInfo.create(net.units, net.acts[0], net.acts[-1], optimizer="sgd", majors=net.majors)
    assert mi.pieces == net.pieces
    for l in range(len(net.weights)):
        mi.w_matrix(l)[:] = net.weights[l]
        mi.biases(l)[:] = net.biases[l]
    return forward(mi, X, np.array(list(net.drop) + [0.0], np.float32))[0]


@needs_java
def test_network_of_784_500_500_500_10_compiles_and_scores(tmp_path):
    net = _net([784, 500, 500, 500, 10], A.ACT_RECTIFIER, A.ACT_SOFTMAX, [0, 0, 0, 0], [0.2, 0.5, 0.5, 0.5], 1)
    spec = _plain_spec(net, model_id="big 500x3")
    src = pojo.render(spec)
    cls = java_id(spec.model_id)
    pojo_runner.compile_sources({cls: src}, tmp_path)
    X = np.random.default_rng(2).random((50, 784)).astype(np.float32)
    preds, _ = pojo_runner.score_rows(tmp_path, cls, X.astype(np.float64))
    expected = _kernel_outputs(net, X)
    np.testing.assert_allclose(preds[:, 1:], expected, rtol=1e-6, atol=0)
    assert np.array_equal(preds[:, 0], expected.argmax(axis=1))


NETWORKS = {
    "rectifier-dropout-input-major": ([60, 40, 30, 6], A.ACT_RECTIFIER, A.ACT_SOFTMAX, [0, 0, 0], [0.2, 0.5, 0.3]),
    "rectifier-unit-major": ([300, 100, 80, 12], A.ACT_RECTIFIER, A.ACT_SOFTMAX, [1, 1, 1], [0.1, 0.5, 0.5]),
    "tanh-mixed": ([717, 70, 10], A.ACT_TANH, A.ACT_SOFTMAX, [1, 0], [0.0, 0.5]),
    "maxout-regression": ([90, 33, 17, 1], A.ACT_MAXOUT, A.ACT_LINEAR, [0, 1, 0], [0.1, 0.0, 0.2]),
    "tanh-many-classes": ([20, 30, 150], A.ACT_TANH, A.ACT_SOFTMAX, [0, 1], [0.0, 0.0]),
    "rectifier-regression-unit-major": ([784, 200, 100, 1], A.ACT_RECTIFIER, A.ACT_LINEAR, [1, 1, 1], [0.2, 0.5, 0.0]),
}


@needs_java
@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_forward_pass_matches_the_scoring_kernel(tmp_path, name):
    units, hidden, out_act, majors, drop = NETWORKS[name]
    net = _net(units, hidden, out_act, majors, drop, seed=len(name))
    spec = _plain_spec(net, model_id=name)
    cls = java_id(name)
    pojo_runner.compile_sources({cls: pojo.render(spec)}, tmp_path)
    rng = np.random.default_rng(3)
    X = rng.standard_normal((400, units[0])).astype(np.float32)
    X[rng.random(X.shape) < 0.3] = 0
    preds, _ = pojo_runner.score_rows(tmp_path, cls, X.astype(np.float64))
    expected = _kernel_outputs(net, X).astype(np.float64)
    got = preds[:, 1:] if out_act == A.ACT_SOFTMAX else preds[:, :1]
    rel = np.abs(got - expected) / np.maximum(np.abs(expected), 1e-300)
    assert rel.max() <= 1e-6
    if out_act == A.ACT_SOFTMAX:
        assert np.array_equal(preds[:, 0], expected.argmax(axis=1))
    if hidden != A.ACT_TANH and out_act != A.ACT_SOFTMAX:
        # no exp anywhere (libm's expf and Java's Math.exp differ in the last bit now and then):
        # the same float operations in the same order give the same bits
        assert np.array_equal(got, expected)


def test_reduction_orders_were_identified():
    assert pojo_arith.server_dot_order().exact
    assert pojo_arith.server_softmax_order().exact


@needs_java
def test_wide_metadata_goes_to_the_blob_and_compiles(tmp_path):
    """5,000 numeric columns and a 20,000-level factor exceed the literal budget."""
    n_num, levels = 5000, 20000
    net = _net([levels - 1 + n_num, 3, 2], A.ACT_TANH, A.ACT_SOFTMAX, [0, 0], [0.0, 0.0], 4)
    names = ["f"] + [f"n{i}" for i in range(n_num)]
    spec = pojo.PojoSpec(
        model_id="wide", category="Binomial", names=names,
        domains=[[f"level \u00e9{i}" for i in range(levels)]] + [None] * n_num, net=net, response_name="y",
        response_domain=["no", "yes"], cat_offsets=[0, levels - 1], cat_missing=[False],
        num_sub=[0.5] * n_num, num_mul=[2.0] * n_num, pred_names=["predict", "no", "yes"])
    src = pojo.render(spec)
    assert "strings(in)" in src and "doubles(in)" in src
    pojo_runner.compile_sources({"wide": src}, tmp_path)
    row = np.zeros((1, len(names)))
    row[0, 0] = 7
    preds, _ = pojo_runner.score_rows(tmp_path, "wide", row)
    assert preds.shape == (1, 3) and abs(preds[0, 1] + preds[0, 2] - 1) < 1e-6
