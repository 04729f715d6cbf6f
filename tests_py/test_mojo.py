"""MOJO export: H2O's own Java runtime (h2o-genmodel's PredictCsv, from the h2o package's h2o.jar)
scores the exported zip of every model kind and gives what the server's prediction gives: the
same class on every row, probabilities and values within 1e-5 relative (genmodel computes in
double from the float32 weights, the server in float32). The rows hold categorical
inputs with missing values and unseen levels, and numeric inputs with missing values.

Skips (with the reason) when java or h2o.jar is missing.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import zipfile

import numpy as np
import pytest

from h2o_backend.engine.parameters import DeepLearningParameters
from h2o_backend.engine.training import train_deeplearning
from h2o_backend.export import mojo
from h2o_backend.frames.frame import Column, Frame


def _h2o_jar() -> str | None:
    try:
        import h2o
    except ImportError:
        return None
    path = os.path.join(os.path.dirname(h2o.__file__), "backend", "bin", "h2o.jar")
    return path if os.path.exists(path) else None


JAR = _h2o_jar()
# make test installs java (default-jdk-headless) and the h2o test extra: without them this fails
assert shutil.which("java") is not None and JAR is not None, \
    "the MOJO tests need java and the h2o package's h2o.jar (h2o-genmodel inside): run make deps"
RTOL = 1e-5

# factor f1 had missing values in training (it has a missing input), f2 had none
MODELS = {
    "regression_rectifier": dict(response_column="yreg", activation="Rectifier", hidden=[12, 8]),
    "regression_tanh_input_dropout": dict(response_column="yreg", activation="Tanh", hidden=[10],
                                          input_dropout_ratio=0.2),
    "binomial_tanh_dropout": dict(response_column="ybin", activation="TanhWithDropout", hidden=[10, 10],
                                  hidden_dropout_ratios=[0.3, 0.2], use_all_factor_levels=False,
                                  balance_classes=True),
    "multinomial_rectifier_dropout": dict(response_column="ymul", activation="RectifierWithDropout",
                                          hidden=[16, 8], input_dropout_ratio=0.1),
    "multinomial_maxout": dict(response_column="ymul", activation="Maxout", hidden=[8, 6]),
    "multinomial_maxout_dropout": dict(response_column="ymul", activation="MaxoutWithDropout", hidden=[8],
                                       hidden_dropout_ratios=[0.25]),
    "poisson": dict(response_column="ycnt", distribution="poisson", activation="Rectifier", hidden=[8]),
    "tweedie": dict(response_column="ycnt", distribution="tweedie", tweedie_power=1.4, activation="Tanh", hidden=[6]),
    "huber": dict(response_column="yreg", distribution="huber", activation="Rectifier", hidden=[8]),
    "autoencoder_tanh": dict(autoencoder=True, activation="Tanh", hidden=[6]),
    "autoencoder_rectifier": dict(autoencoder=True, activation="Rectifier", hidden=[6, 5]),
}
RESPONSES = ("yreg", "ybin", "ymul", "ycnt")


def mixed_frame(key: str, n: int, seed: int, *, scoring: bool = False) -> Frame:
    """Factors f1 (missing values) and f2, three reals with missing values, three responses. The
    scoring frame adds an unseen level to f1 and missing values to f2 (which had none)."""
    rng = np.random.default_rng(seed)
    f1_levels = [f"L{i}" for i in range(6)] + (["never_seen"] if scoring else [])
    f1 = rng.integers(0, len(f1_levels), n).astype(np.int32)
    f1[rng.random(n) < 0.08] = -1
    f2 = rng.integers(0, 3, n).astype(np.int32)
    if scoring:
        f2[rng.random(n) < 0.08] = -1
    X = rng.normal(size=(n, 3)) * [1.0, 5.0, 100.0] + [0.0, 10.0, 1000.0]
    signal = X[:, 0] + 0.2 * (X[:, 1] - 10) + np.where(f1 >= 0, f1 % 3, 1) - (f2 == 1) + 0.3 * rng.normal(size=n)
    X[rng.random(X.shape) < 0.06] = np.nan
    cuts = np.quantile(signal, [0.3, 0.6])
    return Frame(key, [
        Column("x0", "real", X[:, 0]), Column("f1", "enum", f1, f1_levels), Column("x1", "real", X[:, 1]),
        Column("f2", "enum", f2, ["a", "b", "c"]), Column("x2", "real", X[:, 2]),
        Column("yreg", "real", signal * 3 + 7),
        Column("ybin", "enum", (signal > np.quantile(signal, 0.75)).astype(np.int32), ["no", "yes"]),
        Column("ymul", "enum", np.searchsorted(cuts, signal).astype(np.int32), ["A", "B", "C"]),
        Column("ycnt", "real", rng.poisson(np.exp(np.clip(0.3 * signal, -3, 3))).astype(np.float64)),
    ])


def write_csv(frame: Frame, path) -> None:
    """Levels by label, numbers exactly (repr), missing cells empty."""
    cells = []
    for col in frame.columns:
        if col.is_enum:
            cells.append(["" if c < 0 else col.domain[c] for c in col.data])
        else:
            cells.append(["" if np.isnan(v) else repr(float(v)) for v in col.data])
    with open(path, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([c.name for c in frame.columns])
        out.writerows(zip(*cells))


def predict_csv(mojo_path, csv_path, out_path) -> tuple[list[str], list[list[str]]]:
    """H2O's own scorer: java -cp h2o.jar hex.genmodel.tools.PredictCsv ... --decimal."""
    proc = subprocess.run(["java", "-Xmx512m", "-cp", JAR, "hex.genmodel.tools.PredictCsv", "--mojo", str(mojo_path),
                           "--input", str(csv_path), "--output", str(out_path), "--decimal"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    with open(out_path, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def params(kind: str, train: Frame) -> DeepLearningParameters:
    spec = dict(MODELS[kind])
    response = spec.get("response_column")
    spec["ignored_columns"] = [r for r in RESPONSES if r != response]
    p = DeepLearningParameters()
    for k, v in {**spec, "training_frame": train.key, "epochs": 2.0, "seed": 11, "reproducible": True}.items():
        setattr(p, k, v)
    return p


@pytest.fixture(scope="module")
def frames():
    return mixed_frame("mojo_train", 500, 1), mixed_frame("mojo_score", 300, 2, scoring=True)


def scoring_frame(model, frame: Frame) -> Frame:
    """Without use_all_factor_levels the server refuses a missing f2 (it has no missing input):
    those rows are dropped; everything else is scored."""
    if model.datainfo.use_all_factor_levels:
        return frame
    keep = frame.column("f2").data >= 0
    return Frame(frame.key + "_kept", [Column(c.name, c.type, c.data[keep], c.domain) for c in frame.columns])


def assert_close(got: np.ndarray, want: np.ndarray, what: str) -> None:
    """Within RTOL of each value; a value near 0 (an autoencoder's reconstruction, where float32
    sums cancel) within RTOL of 5% of its column's largest magnitude, as tests_py/test_pojo.py."""
    scale = np.maximum(np.abs(want), 0.05 * np.abs(want).max())
    rel = np.abs(got - want) / np.maximum(scale, 1e-300)
    worst = int(np.argmax(rel))
    print(f"{what}: max relative difference {rel.max():.3g}")
    assert rel.max() <= RTOL, f"{what}: row {worst}: MOJO {got[worst]!r}, server {want[worst]!r}"


def mojo_input_names(model) -> list[str]:
    """The server's expanded inputs with a missing(NA) input for every factor, as in the MOJO."""
    di = model.datainfo
    names = []
    for c in range(di.n_cats):
        names += di.expanded_names[di.cat_offsets[c]:di.cat_offsets[c + 1]]
        if not di.cat_missing[c]:
            names.append(f"{di.predictor_names[c]}.missing(NA)")
    return names + di.expanded_names[di.num_offset:]


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_h2o_runtime_scores_the_mojo_as_the_server_predicts(tmp_path, frames, kind):
    train, score = frames
    model = train_deeplearning(params(kind, train), train, model_id=f"mojo_{kind}")
    score = scoring_frame(model, score)
    mojo.write_mojo(model, tmp_path / "model.zip")
    write_csv(score, tmp_path / "in.csv")
    header, rows = predict_csv(tmp_path / "model.zip", tmp_path / "in.csv", tmp_path / "out.csv")
    assert len(rows) == score.nrows
    served = model.predict(score, "served")
    by_name = {c.name: c for c in served.columns}
    if model.is_classifier:
        domain = list(model.datainfo.response_domain)
        assert header == ["predict"] + domain
        labels = by_name["predict"]
        assert [r[0] for r in rows] == [domain[c] for c in labels.data]       # the same class on every row
        for j, level in enumerate(domain):
            assert_close(np.array([float(r[1 + j]) for r in rows]), by_name[level].data, f"p({level})")
    elif model.problem == "Regression":
        assert header == ["predict"]
        assert_close(np.array([float(r[0]) for r in rows]), by_name["predict"].data, "predict")
    else:
        # the MOJO reconstructs a missing(NA) input for every factor: the one added for f2 is 0
        assert header == [f"reconstr_{n}" for n in mojo_input_names(model)]
        for j, name in enumerate(header):
            got = np.array([float(r[j]) for r in rows])
            if name in by_name:
                assert_close(got, by_name[name].data, name)
            else:
                assert name == "reconstr_f2.missing(NA)" and np.all(got == 0)


# ------------------------------------------------------------------ the archive
def test_archive_layout_and_info_keys(frames):
    train, _ = frames
    model = train_deeplearning(params("multinomial_maxout", train), train, model_id="mojo_layout")
    files = mojo.mojo_entries(model, details={"model_id": {"name": "mojo_layout"}})
    assert set(files) == {"model.ini", "domains/d000.txt", "domains/d001.txt", "domains/d002.txt",
                          "experimental/modelDetails.json", "experimental/README.md"}
    ini = files["model.ini"].decode()
    info_text, rest = ini.split("\n[columns]\n")
    info = dict(line.split(" = ", 1) for line in info_text.splitlines()[1:])
    columns, domains = rest.split("\n[domains]\n")
    assert columns.split() == ["f1", "f2", "x0", "x1", "x2", "ymul"]
    assert domains.split("\n")[:3] == ["0: 6 d000.txt", "1: 3 d001.txt", "5: 3 d002.txt"]
    assert files["domains/d001.txt"] == b"a\nb\nc\n"
    assert info["algorithm"] == "Deep Learning" and info["category"] == "Multinomial"
    assert info["mojo_version"] == "1.10" and info["escape_domain_values"] == "true"
    assert info["activation"] == "Maxout" and info["distribution"] == "multinomial"
    # f1: 6 levels + its missing input; f2: 3 levels + the added missing input
    assert info["cat_offsets"] == "[0, 7, 11]" and info["nums"] == "3" and info["cats"] == "2"
    assert info["neural_network_sizes"] == "[14, 8, 6, 3]"
    assert info["hidden_dropout_ratios"] == "[0.0, 0.0, 0.0]"
    assert len(info["weight_layer0"].split(",")) == 14 * 8 * 2


def test_weights_round_trip_bit_for_bit(frames):
    train, _ = frames
    model = train_deeplearning(params("regression_rectifier", train), train, model_id="mojo_bits")
    ini = mojo.mojo_entries(model)["model.ini"].decode()
    info = dict(line.split(" = ", 1) for line in ini.split("\n[columns]\n")[0].splitlines()[1:])
    w1 = np.array([float(v) for v in info["weight_layer1"][1:-1].split(", ")]).astype(np.float32)
    assert np.array_equal(w1, np.asarray(model.model_info.weights(1)).ravel())


def test_domain_levels_with_newlines_are_escaped():
    assert mojo.domain_file(["a\\b", "two\nlines", "cr\r"]) == b"a\\\\b\ntwo\\nlines\ncr\\r\n"


def test_an_offset_model_is_refused(frames):
    """genmodel's deep-learning MOJO reads no offsets: a model trained with one has no MOJO."""
    train, _ = frames
    p = params("regression_rectifier", train)
    p.offset_column = "x2"
    with_offset = Frame(train.key, [c if c.name != "x2" else Column("x2", "real", np.nan_to_num(c.data) / 1000.0)
                                    for c in train.columns])
    model = train_deeplearning(p, with_offset, model_id="mojo_refused")
    assert model.offset_column == "x2"
    with pytest.raises(mojo.MojoExportError, match="offset"):
        mojo.mojo_entries(model)


# ------------------------------------------------------------------ the endpoints
def test_rest_routes_serve_the_zip(client, app, frames, tmp_path):
    train, score = frames
    model = train_deeplearning(params("binomial_tanh_dropout", train), train, model_id="dl mojo#1")
    app.config["SERVICES"].store.put(model.model_id, model)
    for url in ("/3/Models/dl%20mojo%231/mojo", "/99/Models.mojo/dl%20mojo%231"):
        r = client.get(url)
        assert r.status_code == 200 and r.mimetype == "application/zip"
        assert r.headers["Content-Disposition"] == 'attachment; filename="dl_mojo_1.zip"'
        zf = zipfile.ZipFile(io.BytesIO(r.data))
        details = zf.read("experimental/modelDetails.json").decode()
        assert '"dl mojo#1"' in details
    (tmp_path / "m.zip").write_bytes(r.data)
    kept = scoring_frame(model, score)
    write_csv(kept, tmp_path / "in.csv")
    _, rows = predict_csv(tmp_path / "m.zip", tmp_path / "in.csv", tmp_path / "out.csv")
    want = model.predict(kept, "p").column("predict")
    assert [r[0] for r in rows] == [want.domain[c] for c in want.data]
    assert client.get("/3/Models/no_such_model/mojo").status_code == 404
    assert client.get("/3/Models/dl%20mojo%231/mojo?bogus=1").status_code == 412
    assert client.get("/3/Models/dl%20mojo%231").get_json()["models"][0]["have_mojo"] is True
