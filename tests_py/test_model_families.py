"""H2O-3's model families in training (issue 18 part 3): row weights (a weight of 0 removes the
row, a weight of 2 trains as the row written twice), offsets (the model with an offset is the
model trained on ``y - offset``), poisson and tweedie against gaussian on count data, every
family on both training paths over REST with its effective distribution and deviance, weights on
the Dask cluster, and the refusals of weights and offsets H2O-3 does not take."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from h2o_backend.engine import distributions
from h2o_backend.engine.errors import ValidationError
from h2o_backend.engine.training import train_deeplearning
from h2o_backend.frames.frame import Column, Frame
from model_rest_helpers import assert_h2o_error, assert_serving, build, checked, model_of
from test_engine_training import params

REGRESSION_FAMILIES = ("gaussian", "poisson", "gamma", "tweedie", "laplace", "quantile", "huber")


def counts_frame(n=600, seed=0, key="counts", weights=None, offsets=None) -> Frame:
    """Poisson counts y with log-mean 0.3 + 0.8 x1 - 0.5 x2 (+ the offset), a noise column x3,
    a binary and a three-class response."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    eta = 0.3 + 0.8 * X[:, 0] - 0.5 * X[:, 1] + (0 if offsets is None else offsets)
    y = rng.poisson(np.exp(eta)).astype(np.float64)
    cols = [Column(f"x{i + 1}", "real", X[:, i]) for i in range(3)]
    cols += [Column("y", "real", y), Column("yb", "enum", (y > 1).astype(np.int32), ["low", "high"]),
             Column("ym", "enum", np.minimum(y, 2).astype(np.int32), ["0", "1", "2+"])]
    if weights is not None:
        cols.append(Column("w", "real", np.asarray(weights, np.float64)))
    if offsets is not None:
        cols.append(Column("o", "real", np.asarray(offsets, np.float64)))
    return Frame(key, cols)


def fit(frame, **kw):
    base = dict(response_column="y", hidden=[5], epochs=10, seed=11, reproducible=True,
                score_training_samples=0, ignored_columns=["yb", "ym"])
    return train_deeplearning(params(**{**base, **kw}), frame)


def predictions(model, frame) -> np.ndarray:
    return np.asarray(model.predict(frame, "p").column("predict").data, np.float64)


# ----------------------------------------------------------------------------- weights
@pytest.mark.parametrize("batch", [1, 8])
def test_a_weight_of_zero_trains_like_the_row_removed(batch):
    n = 400
    weights = np.where(np.arange(n) % 5 == 0, 0.0, 1.0)
    weighted = counts_frame(n, weights=weights)
    removed = weighted.take_rows(np.flatnonzero(weights > 0), key="removed")
    kw = dict(distribution="gaussian", mini_batch_size=batch)
    a = fit(weighted, weights_column="w", **kw)
    b = fit(removed, ignored_columns=["yb", "ym", "w"], **kw)
    assert a.datainfo.expanded_names == b.datainfo.expanded_names == ["x1", "x2", "x3"]   # w is no predictor
    assert np.array_equal(a.model_info.w, b.model_info.w) and np.array_equal(a.model_info.b, b.model_info.b)
    assert a.output["training_rows"] == b.output["training_rows"] == removed.nrows
    for key in ("MSE", "mean_residual_deviance"):
        assert a.output["training_metrics"][key] == pytest.approx(b.output["training_metrics"][key], rel=1e-12)


def _shifted_frame(n=300, seed=3):
    """y = x + noise, except the rows with x > 1, whose y is 3 higher (the rows the weights favour)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = x + 0.1 * rng.normal(size=n) + 3.0 * (x > 1)
    return Frame("shifted", [Column("x", "real", x), Column("y", "real", y)])


def test_a_weight_of_two_trains_like_the_row_written_twice():
    """Rows are visited in shuffled epochs on every setting (iterations.RowOrder), so the doubled
    and the weighted run see their rows in different orders: the fits agree up to SGD noise, far
    closer than the unweighted fit."""
    frame = _shifted_frame()
    x = frame.column("x").data
    heavy = np.flatnonzero(x > 1)
    weights = np.where(x > 1, 2.0, 1.0)
    weighted = Frame("weighted", frame.columns + [Column("w", "real", weights)])
    doubled = frame.take_rows(np.concatenate([np.arange(frame.nrows), heavy]), key="doubled")
    kw = dict(hidden=[], epochs=60, ignored_columns=None, distribution="gaussian")
    a = fit(weighted, weights_column="w", **kw)
    b = fit(doubled, **kw)
    c = fit(frame, **kw)
    pa, pb, pc = predictions(a, frame), predictions(b, frame), predictions(c, frame)
    assert np.max(np.abs(pa - pb)) < 0.1 * np.max(np.abs(pa - pc))
    assert np.mean(pa[heavy] - pc[heavy]) > 0.1       # the weighted rows pull the fit up


def test_weights_scale_every_metric():
    """The training metrics are the weighted means of the rows' errors and deviances."""
    frame = counts_frame(300, weights=np.random.default_rng(5).uniform(0.2, 3.0, 300))
    model = fit(frame, weights_column="w", distribution="poisson", hidden=[3], epochs=3)
    y, w, mu = frame.column("y").data, frame.column("w").data, predictions(model, frame)
    tm = model.output["training_metrics"]
    assert tm["MSE"] == pytest.approx(np.sum(w * (y - mu) ** 2) / w.sum(), rel=1e-6)
    family = distributions.Family("poisson")
    assert tm["mean_residual_deviance"] == pytest.approx(distributions.mean_deviance(family, y, mu, w), rel=1e-6)


# ----------------------------------------------------------------------------- offsets
@pytest.mark.parametrize("batch", [1, 8])
def test_a_gaussian_offset_is_the_model_of_the_response_minus_the_offset(batch):
    n = 300
    offsets = np.linspace(-2.0, 4.0, n)
    frame = counts_frame(n, offsets=offsets)
    by_hand = Frame("by_hand", [c for c in frame.columns if c.name not in ("y", "o")]
                    + [Column("y", "real", frame.column("y").data - offsets)])
    a = fit(frame, offset_column="o", distribution="gaussian", mini_batch_size=batch)
    b = fit(by_hand, distribution="gaussian", mini_batch_size=batch)
    assert "o" not in a.datainfo.expanded_names
    np.testing.assert_allclose(predictions(a, frame), predictions(b, by_hand) + offsets, atol=1e-3)
    moved = Frame("moved", [c if c.name != "o" else Column("o", "real", offsets + 1.0) for c in frame.columns])
    np.testing.assert_allclose(predictions(a, moved), predictions(a, frame) + 1.0, atol=1e-9)
    with pytest.raises(ValueError, match="missing offset column 'o'"):
        a.predict(by_hand, "p")


def test_a_poisson_offset_multiplies_the_mean():
    n = 500
    offsets = np.log(np.random.default_rng(2).uniform(1.0, 5.0, n))       # exposures 1..5
    frame = counts_frame(n, offsets=offsets)
    model = fit(frame, offset_column="o", distribution="poisson", hidden=[], epochs=30)
    shifted = Frame("shifted", [c if c.name != "o" else Column("o", "real", offsets + np.log(2.0))
                                for c in frame.columns])
    np.testing.assert_allclose(predictions(model, shifted), 2.0 * predictions(model, frame), rtol=1e-9)


# ----------------------------------------------------------------------------- families
def test_poisson_and_tweedie_beat_gaussian_on_counts():
    """A linear network (no hidden layer) on Poisson counts: the log link is the true model, the
    identity link cannot bend; scored on fresh rows in Poisson deviance."""
    train, test = counts_frame(800, seed=1), counts_frame(800, seed=2, key="test")
    y = test.column("y").data
    poisson = distributions.Family("poisson")
    deviance = {}
    for dist in ("gaussian", "poisson", "tweedie"):
        model = fit(train, distribution=dist, hidden=[], epochs=20)
        deviance[dist] = distributions.mean_deviance(poisson, y, predictions(model, test))
        assert np.isfinite(model.output["training_metrics"]["mean_residual_deviance"])   # H2O-3's: may be < 0
    assert deviance["poisson"] < deviance["gaussian"] and deviance["tweedie"] < deviance["gaussian"], deviance


def test_log_link_families_do_not_standardize_the_response():
    frame = counts_frame(200)
    assert fit(frame, distribution="poisson", epochs=1).datainfo.response_sigma == 1.0
    gaussian = fit(frame, distribution="gaussian", epochs=1).datainfo
    assert gaussian.response_sigma == pytest.approx(np.std(frame.column("y").data, ddof=1))


def test_huber_delta_follows_the_training_residuals():
    frame = counts_frame(300)
    model = fit(frame, distribution="huber", huber_alpha=0.8, epochs=3)
    y, mu = frame.column("y").data, predictions(model, frame)
    assert model.huber_delta == pytest.approx(distributions.huber_delta(y, mu, None, 0.8), rel=1e-9)
    restarted = train_deeplearning(dataclasses.replace(model.input_params, checkpoint=model.model_id, epochs=5),
                                   frame, checkpoint_model=model)
    assert restarted.distribution == "huber" and restarted.huber_delta is not None


def test_checkpoints_keep_the_family_and_refuse_another():
    frame = counts_frame(200)
    first = fit(frame, distribution="tweedie", tweedie_power=1.3, epochs=1)
    with pytest.raises(ValidationError, match="distribution"):
        train_deeplearning(dataclasses.replace(first.input_params, checkpoint="c", distribution="poisson",
                                               epochs=2), frame, checkpoint_model=first)
    again = train_deeplearning(dataclasses.replace(first.input_params, checkpoint="c", epochs=2), frame,
                               checkpoint_model=first)
    assert (again.distribution, again.params.tweedie_power) == ("tweedie", 1.3)


def test_cross_validation_carries_the_weights():
    weights = np.where(np.arange(300) % 3 == 0, 0.0, 1.0)
    frame = counts_frame(300, weights=weights)
    model = fit(frame, weights_column="w", distribution="poisson", nfolds=3, epochs=2)
    cv = model.output["cross_validation_metrics"]
    assert cv["nobs"] == int(weights.sum())
    assert all(m.output["training_rows"] < 200 for m in model.cv_models)    # fold rows, weight 0 left out


def test_balance_classes_with_zero_one_weights_resamples_the_weighted_rows():
    weights = np.where(np.arange(400) % 4 == 0, 0.0, 1.0)
    frame = counts_frame(400, weights=weights)
    model = fit(frame, response_column="yb", ignored_columns=["y", "ym"], weights_column="w",
                balance_classes=True, epochs=1)
    assert model.output["training_rows"] >= int(weights.sum())
    assert model.distribution == "bernoulli"


# ----------------------------------------------------------------------------- refusals
def refusals(frame, **kw) -> dict:
    with pytest.raises(ValidationError) as info:
        fit(frame, **kw)
    return {p["field"]: p["message"] for p in info.value.problems if p["level"] == "ERRR"}


def test_refused_weights_and_offsets_name_the_field():
    w = np.ones(100)
    w[3] = -1.0
    negative = counts_frame(100, weights=w)
    assert "Weights must be >= 0" in refusals(negative, weights_column="w")["weights_column"]
    zero = counts_frame(100, weights=np.zeros(100))
    assert "Max. weight must be > 0" in refusals(zero, weights_column="w")["weights_column"]
    frame = counts_frame(100, weights=np.full(100, 2.0), offsets=np.zeros(100))
    classify = refusals(frame, response_column="yb", ignored_columns=["y", "ym"], offset_column="o")
    assert "Offset is only supported for regression" in classify["offset_column"]
    balanced = refusals(frame, response_column="yb", ignored_columns=["y", "ym"], weights_column="w",
                        balance_classes=True)
    assert "Balance classes and observation weights" in balanced["balance_classes"]
    assert "must be different from weights_column" in refusals(frame, weights_column="y")["response_column"]
    assert "not found" in refusals(frame, offset_column="nope")["offset_column"]
    shifted = Frame("neg", [c if c.name != "y" else Column("y", "real", c.data - 1.0) for c in frame.columns])
    assert "non-negative for Tweedie" in refusals(shifted, distribution="tweedie")["response_column"]
    assert "Only Automatic loss" in refusals(frame, distribution="laplace", loss="MeanSquare")["distribution"]
    assert "not allowed for regression" in refusals(frame, distribution="bernoulli")["distribution"]


# ----------------------------------------------------------------------------- REST
CASES = [(d, "y", d) for d in REGRESSION_FAMILIES] + [
    ("AUTO", "y", "gaussian"), ("AUTO", "yb", "bernoulli"), ("bernoulli", "yb", "bernoulli"),
    ("multinomial", "yb", "multinomial"), ("AUTO", "ym", "multinomial")]


@pytest.fixture()
def rest_counts(app):
    frame = counts_frame(240, key="counts.hex", weights=np.random.default_rng(1).uniform(0.5, 2.0, 240))
    app.config["SERVICES"].store.put("counts.hex", frame)
    return frame


@pytest.mark.parametrize("batch", ["1", "6"])
@pytest.mark.parametrize("distribution, response, actual", CASES)
def test_every_family_trains_on_both_paths_over_rest(client, rest_counts, distribution, response, actual, batch):
    others = [c for c in ("y", "yb", "ym") if c != response]
    model_id = f"fam_{distribution}_{response}_{batch}"
    build(client, training_frame="counts.hex", response_column=response, ignored_columns=str(others),
          distribution=distribution, weights_column="w", mini_batch_size=batch, model_id=model_id,
          epochs="2")
    model = model_of(client, model_id)
    values = {p["name"]: p["actual_value"] for p in model["parameters"]}
    assert values["distribution"] == actual and values["weights_column"]["column_name"] == "w"
    metrics = model["output"]["training_metrics"]
    if response == "y":
        assert np.isfinite(metrics["mean_residual_deviance"])     # (poisson's, as H2O-3 defines it, may be < 0)
    else:
        assert metrics["logloss"] > 0


def test_rest_refuses_what_h2o3_refuses(client, app):
    frame = counts_frame(120, key="bad.hex", weights=np.full(120, -1.0), offsets=np.zeros(120))
    app.config["SERVICES"].store.put("bad.hex", frame)
    base = {"training_frame": "bad.hex", "hidden": "[3]", "epochs": "1"}
    reply = client.post("/3/ModelBuilders/deeplearning", data={**base, "response_column": "y",
                                                                "weights_column": "w"})
    assert_h2o_error(reply, 412, "weights_column", "Weights must be >= 0")
    reply = client.post("/3/ModelBuilders/deeplearning", data={**base, "response_column": "yb",
                                                                "ignored_columns": '["y","ym"]', "offset_column": "o"})
    assert_h2o_error(reply, 412, "offset_column", "Offset is only supported for regression")
    reply = client.post("/3/ModelBuilders/deeplearning", data={**base, "response_column": "y",
                                                                "distribution": "quasibinomial"})
    assert_h2o_error(reply, 412, "distribution")
    assert_serving(client)


def test_rest_predictions_need_the_offset_column(client, app):
    frame = counts_frame(150, key="off.hex", offsets=np.full(150, 0.5))
    app.config["SERVICES"].store.put("off.hex", frame)
    app.config["SERVICES"].store.put("no_off.hex", Frame("no_off.hex", [c for c in frame.columns if c.name != "o"]))
    build(client, training_frame="off.hex", response_column="y", ignored_columns='["yb","ym"]',
          offset_column="o", distribution="poisson", model_id="with_offset")
    reply = client.post("/3/Predictions/models/with_offset/frames/no_off.hex")
    assert_h2o_error(reply, 400, "missing offset column 'o'")
    body = checked(client, "POST", "/3/Predictions/models/with_offset/frames/off.hex")
    assert body["predictions_frame"]["name"]


# ----------------------------------------------------------------------------- Dask
@pytest.fixture(scope="module")
def cluster():
    from h2o_backend.cluster import connect
    c = connect.start(n_workers=2, threads=1)
    yield c
    c.close()


def test_weights_train_on_the_dask_cluster(cluster):
    """Weight 0 on the workers is the row removed (bit for bit, reproducible on one cluster shape);
    heavier rows pull the averaged model towards them."""
    frame = _shifted_frame(200)
    x = frame.column("x").data
    zero_one = Frame("w01", frame.columns + [Column("w", "real", np.where(x > 1, 0.0, 1.0))])
    kw = dict(response_column="y", hidden=[3], epochs=4, seed=5, reproducible=True, score_training_samples=0)
    a = train_deeplearning(params(weights_column="w", **kw), zero_one, cluster=cluster)
    b = train_deeplearning(params(**kw), frame.take_rows(np.flatnonzero(x <= 1), key="kept"), cluster=cluster)
    assert np.array_equal(a.model_info.w, b.model_info.w)
    heavy = Frame("w10", frame.columns + [Column("w", "real", np.where(x > 1, 10.0, 1.0))])
    weighted = train_deeplearning(params(weights_column="w", **kw), heavy, cluster=cluster)
    plain = train_deeplearning(params(**kw), frame, cluster=cluster)
    rows = x > 1
    assert np.mean(predictions(weighted, frame)[rows]) > np.mean(predictions(plain, frame)[rows])
