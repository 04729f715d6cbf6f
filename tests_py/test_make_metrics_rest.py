"""POST /3/ModelMetrics/predictions_frame/{p}/actuals_frame/{a}: metrics of given predictions
(H2O-3's make_metrics), each figure checked against a direct computation."""
from __future__ import annotations

import json

import numpy as np
import pytest

from h2o_backend.frames.frame import Column, Frame
from model_rest_helpers import (assert_h2o_error, assert_serving, build, checked, classification_error,
                                import_frame, model_of)

PATH = "/3/ModelMetrics/predictions_frame/{p}/actuals_frame/{a}"


def put(app, key: str, *columns: Column) -> str:
    app.config["SERVICES"].store.put(key, Frame(key, list(columns)))
    return key


def make(client, p: str, a: str, expected: int = 200, **data):
    data = {k: json.dumps(v) if isinstance(v, list) else v for k, v in data.items()}
    path = PATH.format(p=p, a=a)
    if expected == 200:
        return checked(client, "POST", path, data=data)["model_metrics"]
    return client.post(path, data=data)


def table(metrics: dict, name: str) -> dict[str, list]:
    t = metrics[name]
    return {c["name"]: col for c, col in zip(t["columns"], t["data"])}


def mann_whitney_auc(y, p) -> float:
    pos, neg = p[y == 1], p[y == 0]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return greater / (pos.size * neg.size)


@pytest.fixture()
def scored(app):
    rng = np.random.default_rng(11)
    y = rng.integers(0, 2, 300)
    p = np.round(np.clip(0.35 * y + rng.uniform(0, 0.65, 300), 0, 1), 2)     # rounded: many ties
    put(app, "p1", Column("p1", "real", p))
    put(app, "y01", Column("y", "int", y.astype(np.float64)))
    put(app, "yenum", Column("y", "enum", y.astype(np.int32), ["no", "yes"]))
    return y, p


def test_binomial_auc_and_threshold_counts(client, scored):
    y, p = scored
    m = make(client, "p1", "y01", domain=["0", "1"])
    assert m["model_category"] == "Binomial" and m["nobs"] == 300
    assert m["AUC"] == pytest.approx(mann_whitney_auc(y, p), abs=1e-12)
    assert m["Gini"] == pytest.approx(2 * m["AUC"] - 1, abs=1e-12)
    rows = table(m, "thresholds_and_metric_scores")
    assert rows["threshold"] == sorted(set(p.tolist()), reverse=True)      # every distinct probability
    for t, tps, fps in zip(rows["threshold"], rows["tps"], rows["fps"]):
        assert tps == np.sum((p >= t) & (y == 1)) and fps == np.sum((p >= t) & (y == 0))
    # the labels of an enum column give the same metrics
    assert make(client, "p1", "yenum", domain=["no", "yes"])["AUC"] == m["AUC"]


def test_metrics_at_given_thresholds_are_exact(client, scored):
    y, p = scored
    m = make(client, "p1", "y01", domain=["0", "1"], thresholds=[0.3, 0.505, 0.5, 2.0])
    rows = table(m, "thresholds_and_metric_scores")
    assert rows["threshold"] == [2.0, 0.505, 0.5, 0.3]
    for t, tps, fps, tns, fns in zip(rows["threshold"], rows["tps"], rows["fps"], rows["tns"], rows["fns"]):
        assert (tps, fps) == (np.sum((p >= t) & (y == 1)), np.sum((p >= t) & (y == 0)))
        assert (tns, fns) == (np.sum((p < t) & (y == 0)), np.sum((p < t) & (y == 1)))
    best = table(m, "max_criteria_and_metric_scores")
    f1_row = best["metric"].index("max f1")
    assert best["threshold"][f1_row] in (0.3, 0.5, 0.505, 2.0)
    assert rows["f1"][0] == "NaN"           # nothing predicted positive above every probability
    assert best["value"][f1_row] == pytest.approx(max(rows["f1"][1:]))


def test_gains_lift_table(client, app):
    # 10 rows, distinct scores, 5 groups of 2
    p = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1])
    y = np.array([1, 1, 1, 0, 1, 0, 0, 0, 1, 0])
    put(app, "gp", Column("p", "real", p))
    put(app, "gy", Column("y", "int", y.astype(np.float64)))
    g = table(make(client, "gp", "gy", domain=["0", "1"], gainslift_bins="5"), "gains_lift_table")
    assert g["group"] == [1, 2, 3, 4, 5]
    assert g["cumulative_data_fraction"] == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])
    assert g["response_rate"] == pytest.approx([1.0, 0.5, 0.5, 0.0, 0.5])
    assert g["lift"] == pytest.approx([2.0, 1.0, 1.0, 0.0, 1.0])
    assert g["cumulative_capture_rate"] == pytest.approx([0.4, 0.6, 0.8, 0.8, 1.0])
    assert g["lower_threshold"] == pytest.approx([0.9, 0.7, 0.5, 0.3, 0.1])
    assert g["cumulative_lift"][-1] == pytest.approx(1.0)


def test_gains_groups_keep_ties_together(client, app):
    p = np.array([0.9, 0.8, 0.8, 0.8, 0.8, 0.3, 0.2, 0.1])
    y = np.array([1, 1, 0, 1, 0, 0, 1, 0])
    put(app, "tp", Column("p", "real", p))
    put(app, "ty", Column("y", "int", y.astype(np.float64)))
    g = table(make(client, "tp", "ty", domain=["0", "1"], gainslift_bins="4"), "gains_lift_table")
    # nominal groups end after rows 2, 4, 6, 8; the tie at 0.8 pulls the first two ends to row 5
    assert g["cumulative_data_fraction"] == pytest.approx([5 / 8, 6 / 8, 1.0])
    assert g["response_rate"] == pytest.approx([3 / 5, 0.0, 0.5])


def test_model_predictions_give_the_models_training_auc(client, data_dir):
    import_frame(client, data_dir / "prostate.csv", "prostate.hex")
    build(client, training_frame="prostate.hex", response_column="CAPSULE", classification="true",
          ignored_columns='["ID"]', hidden="[5]", epochs="2", model_id="mm")
    pred = client.post("/3/Predictions/models/mm/frames/prostate.hex", data={"predictions_frame": "mm_pred"})
    assert pred.status_code == 200
    client.post("/99/Rapids", data={"ast": "(tmp= capsule (cols_py prostate.hex 1))"})
    m = make(client, "mm_pred", "capsule", domain=["0", "1"])
    assert m["AUC"] == pytest.approx(model_of(client, "mm")["output"]["training_metrics"]["AUC"], abs=1e-12)


def test_regression_and_multinomial(client, app):
    rng = np.random.default_rng(2)
    y, pred = rng.normal(size=50), rng.normal(size=50)
    put(app, "rp", Column("predict", "real", pred))
    put(app, "ry", Column("y", "real", y))
    m = make(client, "rp", "ry")
    assert m["model_category"] == "Regression"
    assert m["MSE"] == pytest.approx(np.mean((pred - y) ** 2)) and m["mae"] == pytest.approx(np.mean(np.abs(pred - y)))
    probs = rng.dirichlet(np.ones(3), size=40)
    labels = rng.integers(0, 3, 40)
    put(app, "mp", *[Column(f"p{k}", "real", probs[:, k]) for k in range(3)])
    put(app, "my", Column("y", "enum", labels.astype(np.int32), ["a", "b", "c"]))
    m = make(client, "mp", "my", domain=["a", "b", "c"])
    assert m["model_category"] == "Multinomial"
    assert m["logloss"] == pytest.approx(-np.mean(np.log(probs[np.arange(40), labels])))
    assert classification_error(m) == pytest.approx(np.mean(probs.argmax(axis=1) != labels))


def test_weights_frame_weighs_every_metric(client, app, scored):
    y, p = scored
    w = np.arange(300) % 4                                   # 0..3: rows of weight 0 included
    put(app, "w", Column("w", "int", w.astype(np.float64)))
    rows = np.repeat(np.arange(300), w)
    put(app, "p1_rep", Column("p1", "real", p[rows]))
    put(app, "y01_rep", Column("y", "int", y[rows].astype(np.float64)))
    weighted = make(client, "p1", "y01", domain=["0", "1"], weights_frame="w", auc_type="NONE")
    repeated = make(client, "p1_rep", "y01_rep", domain=["0", "1"])
    for key in ("AUC", "pr_auc", "MSE", "logloss", "mean_per_class_error"):
        assert weighted[key] == pytest.approx(repeated[key], rel=1e-12), key
    assert weighted["nobs"] == np.count_nonzero(w)
    gains_w, gains_r = table(weighted, "gains_lift_table"), table(repeated, "gains_lift_table")
    assert gains_w.keys() == gains_r.keys()
    for name in gains_r:
        assert gains_w[name] == pytest.approx(gains_r[name], rel=1e-12), name


@pytest.mark.parametrize("distribution", ["poisson", "gamma", "laplace", "gaussian", "AUTO"])
def test_regression_distribution_sets_the_deviance(client, app, distribution):
    rng = np.random.default_rng(5)
    y, pred, w = rng.gamma(2.0, 1.5, 80), rng.gamma(2.0, 1.5, 80), rng.uniform(0, 2, 80)
    put(app, "dp", Column("predict", "real", pred))
    put(app, "dy", Column("y", "real", y))
    put(app, "dw", Column("w", "real", w))
    m = make(client, "dp", "dy", distribution=distribution, weights_frame="dw")
    per_row = {"poisson": -2 * (y * np.log(pred) - pred), "gamma": 2 * (y / pred + np.log(pred)),
               "laplace": np.abs(y - pred)}.get(distribution, (y - pred) ** 2)
    assert m["mean_residual_deviance"] == pytest.approx(np.sum(w * per_row) / np.sum(w), rel=1e-12)
    assert m["MSE"] == pytest.approx(np.sum(w * (y - pred) ** 2) / np.sum(w), rel=1e-12)
    assert m["mae"] == pytest.approx(np.sum(w * np.abs(y - pred)) / np.sum(w), rel=1e-12)
    family = "gaussian" if distribution == "AUTO" else distribution
    assert m["description"] == f"Computed on user-given predictions and targets, distribution: {family}."


@pytest.mark.parametrize("p, a, data, status, needle", [
    ("p1", "nope", {}, 404, "Frame 'nope' not found"),
    ("p1", "y01", {"domain": ["only"]}, 400, "at least two classes"),
    ("p1", "y01", {"domain": ["0", "1", "2"]}, 400, "one probability column per class"),
    ("p1", "yenum", {"domain": ["0", "1"]}, 400, "not in domain"),
    ("p1", "y01", {"domain": ["0", "1"], "distribution": "gaussian"}, 400, "does not fit binomial"),
    ("p1", "y01", {"domain": ["0", "1"], "thresholds": []}, 400, "at least one number"),
    ("p1", "y01", {"domain": ["0", "1"], "gainslift_bins": "0"}, 400, "gainslift_bins"),
    ("p1", "y01", {"domain": ["0", "1"], "auc_type": "MACRO_OVR"}, 400, "auc_type = MACRO_OVR is not supported"),
    ("p1", "y01", {"domain": ["0", "1"], "treatment_frame": "y01"}, 400, "no uplift metrics"),
    ("p1", "y01", {"domain": ["0", "1"], "weights_frame": "nope"}, 404, "Frame 'nope' not found"),
    ("p1", "y01", {"domain": ["0", "1"], "weights_frame": "short"}, 400, "different row counts"),
    ("p1", "y01", {"domain": ["0", "1"], "weights_frame": "negative"}, 400, "non-negative"),
    ("p1", "y01", {"domain": ["0", "1"], "weights_frame": "yenum"}, 400, "must be numeric"),
    ("p1", "y01", {"distribution": "tweedie"}, 400, "tweedie_power"),
    ("p1", "y01", {"distribution": "bernoulli"}, 400, "does not fit regression"),
    ("p1", "y01", {"domain": ["0", "1"], "nonsense": "1"}, 412, "Unknown parameter: nonsense"),
    ("p1", "short", {"domain": ["0", "1"]}, 400, "different row counts"),
    ("p1", "y01", {"gainslift_bins": "5"}, 400, "binomial metrics only"),
    ("p1", "y01", {"thresholds": [0.5]}, 400, "binomial metrics only"),
])
def test_errors(client, app, scored, p, a, data, status, needle):
    put(app, "short", Column("y", "int", np.zeros(3)))
    put(app, "negative", Column("w", "real", np.where(np.arange(300) == 5, -1.0, 1.0)))
    reply = make(client, p, a, status, **data)
    assert_h2o_error(reply, status, needle, path=PATH.format(p=p, a=a), method="POST")
    assert_serving(client)
