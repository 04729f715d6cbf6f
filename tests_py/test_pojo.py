"""The POJO: Java identifiers, compilation of large networks, and agreement with the server.

Every test that compiles Java skips (with the reason) when no JDK is installed.
"""
from __future__ import annotations

import numpy as np
import pytest

from h2o_backend.engine import activations as A
from h2o_backend.export import pojo, pojo_arith, pojo_runner
from h2o_backend.engine.problems import CLASSIFICATION
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
        softmax_sum=pojo_arith.server_softmax_order(), expf_glibc=pojo_arith.server_expf_is_glibc(), **kw)


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
    orders = (pojo_arith.server_dot_order(), pojo_arith.server_softmax_order())
    assert all(o.exact for o in orders), orders


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


# ------------------------------------------------------------------ trained models against the server
def _mixed_frame(n: int, seed: int, key: str, unseen: bool = False):
    """Two factors (one with missing values), four reals with missing values, and responses."""
    from h2o_backend.frames.frame import Column, Frame
    rng = np.random.default_rng(seed)
    levels = [f"L{i}" for i in range(12)] + (["zz_unseen"] if unseen else [])
    f1 = rng.integers(0, len(levels), n).astype(np.int32)
    f1[rng.random(n) < 0.06] = -1
    f2 = rng.integers(0, 3, n).astype(np.int32)
    X = rng.normal(size=(n, 4)) * [1.0, 5.0, 0.1, 100.0] + [0.0, 10.0, -1.0, 1000.0]
    signal = (X[:, 0] + 0.2 * (X[:, 1] - 10) + np.where(f1 >= 0, f1 % 4, 1) - f2
              + 0.3 * rng.normal(size=n))
    X[rng.random(X.shape) < 0.05] = np.nan
    cuts = np.quantile(signal, [0.2, 0.4, 0.6, 0.8])
    cols = [Column("x0", "real", X[:, 0]), Column("f1", "enum", f1, levels), Column("x1", "real", X[:, 1]),
            Column("f2", "enum", f2, ["a", "b", "c"]), Column("x2", "real", X[:, 2]), Column("x3", "real", X[:, 3]),
            Column("yreg", "real", signal * 3 + 7),
            Column("ybin", "enum", (signal > np.quantile(signal, 0.8)).astype(np.int32), ["no", "yes"]),
            Column("ymul", "enum", np.searchsorted(cuts, signal).astype(np.int32), ["A", "B", "C", "D", "E"])]
    return Frame(key, cols)


MODELS = {
    "regression": dict(response_column="yreg", activation="Rectifier", hidden=[24, 16],
                       ignored_columns=["ybin", "ymul"]),
    "binomial": dict(response_column="ybin", activation="TanhWithDropout", hidden=[20, 20],
                     hidden_dropout_ratios=[0.3, 0.2], use_all_factor_levels=False, balance_classes=True,
                     ignored_columns=["yreg", "ymul"]),
    "multinomial": dict(response_column="ymul", activation="RectifierWithDropout", hidden=[32, 16],
                        input_dropout_ratio=0.1, ignored_columns=["yreg", "ybin"]),
    "maxout": dict(response_column="ymul", activation="Maxout", hidden=[12], ignored_columns=["yreg", "ybin"]),
    "autoencoder": dict(autoencoder=True, activation="Tanh", hidden=[10], ignored_columns=["yreg", "ybin", "ymul"]),
}


@pytest.fixture(scope="module")
def mixed_frames():
    return _mixed_frame(3000, 1, "mixed_train"), _mixed_frame(1000, 2, "mixed_test", unseen=True)


def _server_predictions(model, test, reference=False) -> np.ndarray:
    """The server's prediction frame as an array laid out like the POJO's preds. With
    ``reference``: computed through the per-row reference kernel (engine.sgd.forward, which the
    POJO reproduces bit for bit) instead of the server's matrix products (batch_sgd.forward)."""
    from h2o_backend.engine.sgd import forward as reference_forward
    forward = reference_forward if reference else None
    frame = model.predict(test, "pred", forward=forward)
    cols = [c.data.astype(np.float64) for c in frame.columns]
    if model.problem == "AutoEncoder":
        mse = model.anomaly(test, "mse", forward=forward).columns[0].data.astype(np.float64)
        cols = [mse] + cols
    return np.column_stack(cols)


@needs_java
@pytest.mark.parametrize("kind", sorted(MODELS))
def test_pojo_reproduces_the_server(tmp_path, mixed_frames, kind):
    from h2o_backend.engine.parameters import DeepLearningParameters
    from h2o_backend.engine.training import train_deeplearning
    train, test = mixed_frames
    p = DeepLearningParameters()
    for k, v in dict(MODELS[kind], training_frame=train.key, epochs=3.0, seed=7, reproducible=True).items():
        setattr(p, k, v)
    model = train_deeplearning(p, train, model_id=f"pojo.{kind}-test")
    src = pojo.pojo_source(model)
    cls = java_id(model.model_id)
    assert f"public class {cls} " in src
    pojo_runner.compile_sources({cls: src}, tmp_path)
    preds, _ = pojo_runner.score_rows(tmp_path, cls, pojo_runner.pojo_rows(model.datainfo, test))
    served = _server_predictions(model, test)
    expected = _server_predictions(model, test, reference=True)
    assert preds.shape == expected.shape == served.shape == (1000, len(expected[0]))
    if model.problem in CLASSIFICATION:
        assert np.array_equal(preds[:, 0], expected[:, 0])          # the same class on every row
        assert np.array_equal(preds[:, 0], served[:, 0])            # also as the server predicts
        got, want, fast = preds[:, 1:], expected[:, 1:], served[:, 1:]
    else:
        got, want, fast = preds, expected, served
    rel = np.abs(got - want) / np.maximum(np.abs(want), 1e-12)
    print(f"{kind}: max relative difference {rel.max():.3g}, bit-equal values {np.mean(got == want):.4f}")
    assert rel.max() <= 1e-6
    # the server's matrix products sum in another order than the per-row kernel: float32 rounding
    # (relative to each value, or to its column's largest value for values near 0)
    scale = np.maximum(np.abs(fast), np.abs(fast).max(axis=0) * 0.05)
    fast_rel = np.abs(got - fast) / np.maximum(scale, 1e-300)
    print(f"{kind}: against the matrix-product predictions: max relative difference {fast_rel.max():.3g}")
    assert fast_rel.max() <= 2e-5
    # float32 network outputs are bit-equal; only the autoencoder's reconstruction error (a float64
    # sum the kernel vectorises) may differ in its last bits
    exact = got[:, 1:] if model.problem == "AutoEncoder" else got
    assert np.array_equal(exact, want[:, 1:] if model.problem == "AutoEncoder" else want)


# ------------------------------------------------------------------ the endpoint
def test_unknown_model_is_a_404(client):
    r = client.get("/3/Models.java/no_such_model")
    assert r.status_code == 404
    body = r.get_json()
    assert body["exception_type"] == "H2OKeyNotFoundArgumentException" and "no_such_model" in body["msg"]


@needs_java
def test_endpoint_serves_compilable_source_and_a_preview(client, app, mixed_frames, tmp_path):
    from h2o_backend.engine.parameters import DeepLearningParameters
    from h2o_backend.engine.training import train_deeplearning
    train, test = mixed_frames
    p = DeepLearningParameters()
    for k, v in dict(MODELS["multinomial"], training_frame=train.key, epochs=1.0, seed=3, reproducible=True).items():
        setattr(p, k, v)
    model = train_deeplearning(p, train, model_id="dl model #1")
    app.config["SERVICES"].store.put(model.model_id, model)

    r = client.get("/3/Models.java/dl%20model%20%231")
    assert r.status_code == 200 and r.mimetype == "text/plain"
    assert 'filename="dl_model__1.java"' in r.headers["Content-Disposition"]
    pojo_runner.compile_sources({"dl_model__1": r.get_data(as_text=True)}, tmp_path)
    preds, _ = pojo_runner.score_rows(tmp_path, "dl_model__1", pojo_runner.pojo_rows(model.datainfo, test))
    assert np.array_equal(preds[:, 0], model.predict(test, "p").columns[0].data)

    head = client.get("/3/Models.java/dl%20model%20%231?preview=true")
    assert head.status_code == 200 and "preview:" in head.get_data(as_text=True)
    assert len(head.data) < len(r.data)
    assert client.get("/3/Models.java/dl%20model%20%231?bogus=1").status_code == 412


@needs_java
def test_csv_main_scores_a_file(tmp_path, mixed_frames):
    """java -cp . <Class> in.csv out.csv: levels by label, empty cells missing."""
    from h2o_backend.engine.parameters import DeepLearningParameters
    from h2o_backend.engine.training import train_deeplearning
    train, test = mixed_frames
    p = DeepLearningParameters()
    for k, v in dict(MODELS["binomial"], training_frame=train.key, epochs=1.0, seed=5, reproducible=True).items():
        setattr(p, k, v)
    model = train_deeplearning(p, train, model_id="csv_model")
    pojo_runner.compile_sources({"csv_model": pojo.pojo_source(model)}, tmp_path, with_runner=False)
    lines = ["x3,f1,x0,x1,f2,x2,other"]
    for i in range(20):
        cells = []
        for name in ["x3", "f1", "x0", "x1", "f2", "x2"]:
            c = test.column(name)
            if c.is_enum:
                cells.append("" if c.data[i] < 0 else f'"{c.domain[c.data[i]]}"')
            else:
                cells.append("" if np.isnan(c.data[i]) else repr(float(c.data[i])))
        lines.append(",".join(cells + ["ignored"]))
    (tmp_path / "in.csv").write_text("\n".join(lines) + "\n")
    import subprocess
    subprocess.run(["java", "-cp", str(tmp_path), "csv_model", str(tmp_path / "in.csv"), str(tmp_path / "out.csv")],
                   check=True, timeout=120)
    out = (tmp_path / "out.csv").read_text().splitlines()
    assert out[0] == '"predict","no","yes"'
    from h2o_backend.engine.sgd import forward as reference_forward
    fast = model.predict(test.take_rows(np.arange(20)), "p")
    # the per-row kernel the POJO reproduces
    expected = model.predict(test.take_rows(np.arange(20)), "p", forward=reference_forward)
    assert np.array_equal(fast.columns[0].data, expected.columns[0].data)
    np.testing.assert_allclose(fast.columns[2].data, expected.columns[2].data, rtol=2e-5, atol=1e-7)
    for i, line in enumerate(out[1:]):
        label, p_no, p_yes = line.split(",")
        assert label.strip('"') == expected.columns[0].domain[expected.columns[0].data[i]]
        assert float(p_yes) == expected.columns[2].data[i]


def _count_frame(n: int, seed: int, key: str):
    """Predictors x0, x1, f (categorical), an offset column and positive responses: counts
    (poisson), and a gamma-like amount."""
    from h2o_backend.frames.frame import Column, Frame
    rng = np.random.default_rng(seed)
    x0, x1 = rng.normal(size=n), rng.normal(size=n)
    f = rng.integers(0, 3, n).astype(np.int32)
    off = rng.uniform(-0.5, 0.5, n)
    mu = np.exp(0.4 * x0 - 0.3 * x1 + 0.2 * f + off)
    return Frame(key, [Column("x0", "real", x0), Column("x1", "real", x1), Column("f", "enum", f, ["a", "b", "c"]),
                       Column("off", "real", off), Column("count", "real", rng.poisson(mu).astype(np.float64)),
                       Column("amount", "real", rng.gamma(2.0, mu / 2.0))])


FAMILIES = {
    "poisson_offset": dict(distribution="poisson", response_column="count", offset_column="off",
                           ignored_columns=["amount"]),
    "gamma": dict(distribution="gamma", response_column="amount", ignored_columns=["count", "off"]),
    "tweedie": dict(distribution="tweedie", tweedie_power=1.3, response_column="count", ignored_columns=["amount", "off"]),
}


@needs_java
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_pojo_of_a_log_link_family_predicts_as_the_server(tmp_path, family):
    """The CSV main(): the offset column read from the input, exp of the de-standardised output."""
    import subprocess
    from h2o_backend.engine.parameters import DeepLearningParameters
    from h2o_backend.engine.training import train_deeplearning
    train, test = _count_frame(800, 1, "count_train"), _count_frame(60, 2, "count_test")
    p = DeepLearningParameters()
    for k, v in dict(FAMILIES[family], hidden=[8], epochs=2.0, seed=3, reproducible=True).items():
        setattr(p, k, v)
    model = train_deeplearning(p, train, model_id=f"fam_{family}")
    cls = java_id(model.model_id)
    src = pojo.pojo_source(model)
    assert f'DISTRIBUTION = "{p.distribution}"' in src
    pojo_runner.compile_sources({cls: src}, tmp_path, with_runner=False)
    def cell(name, i):
        return repr(float(test.column(name).data[i]))
    lines = ["x0,x1,f,off"] + [f"{cell('x0', i)},{cell('x1', i)},{'abc'[test.column('f').data[i]]},{cell('off', i)}"
                               for i in range(test.nrows)]
    (tmp_path / "in.csv").write_text("\n".join(lines) + "\n")
    subprocess.run(["java", "-cp", str(tmp_path), cls, str(tmp_path / "in.csv"), str(tmp_path / "out.csv")],
                   check=True, timeout=120)
    got = np.array([float(v) for v in (tmp_path / "out.csv").read_text().splitlines()[1:]])
    served = model.predict(test, "p").column("predict").data
    assert np.all(served > 0)
    np.testing.assert_allclose(got, served, rtol=1e-5)
