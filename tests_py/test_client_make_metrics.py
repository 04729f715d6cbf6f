"""h2o.make_metrics through the official client (POST /3/ModelMetrics/predictions_frame/.../
actuals_frame/...): what it sends (domain, distribution, weights_frame, auc_type) is honoured, each
figure checked against its formula on the uploaded values."""
from __future__ import annotations

import h2o
import numpy as np
import pandas as pd
import pytest

from official_client_helpers import connected_server, plain_failures

RNG = np.random.default_rng(8)
N = 120


@pytest.fixture(scope="module", autouse=True)
def server():
    with connected_server() as proc:
        yield proc


def upload(**columns) -> h2o.H2OFrame:
    return h2o.H2OFrame(pd.DataFrame(columns))


def test_regression_with_weights_and_a_distribution():
    y, pred = RNG.poisson(3.0, N).astype(np.float64), RNG.gamma(3.0, 1.0, N)
    w = RNG.integers(0, 4, N).astype(np.float64)
    m = h2o.make_metrics(upload(predict=pred), upload(y=y), distribution="poisson", weights=upload(w=w))
    deviance = -2 * (y * np.log(pred) - pred)
    assert m.mean_residual_deviance() == pytest.approx(np.sum(w * deviance) / np.sum(w), rel=1e-10)
    assert m.mse() == pytest.approx(np.sum(w * (y - pred) ** 2) / np.sum(w), rel=1e-10)
    assert m.mae() == pytest.approx(np.sum(w * np.abs(y - pred)) / np.sum(w), rel=1e-10)
    assert m.nobs() == np.count_nonzero(w)
    gaussian = h2o.make_metrics(upload(predict=pred), upload(y=y))
    assert gaussian.mean_residual_deviance() == pytest.approx(np.mean((y - pred) ** 2), rel=1e-10)


def test_binomial_weights_equal_the_rows_repeated():
    y = RNG.integers(0, 2, N)
    p1 = np.round(np.clip(0.3 * y + RNG.uniform(0, 0.7, N), 0, 1), 2)
    w = RNG.integers(0, 3, N)
    rows = np.repeat(np.arange(N), w)
    labels = np.array(["no", "yes"])
    actual = upload(y=labels[y]).asfactor()
    weighted = h2o.make_metrics(upload(p1=p1), actual, weights=upload(w=w.astype(np.float64)))
    repeated = h2o.make_metrics(upload(p1=p1[rows]), upload(y=labels[y[rows]]).asfactor())
    assert weighted.auc() == pytest.approx(repeated.auc(), rel=1e-12)
    assert weighted.logloss() == pytest.approx(repeated.logloss(), rel=1e-12)
    assert weighted.aucpr() == pytest.approx(repeated.aucpr(), rel=1e-12)


def test_multinomial_weights():
    probs = RNG.dirichlet(np.ones(3), N)
    y = RNG.integers(0, 3, N)
    w = RNG.uniform(0, 2, N)
    actual = upload(y=np.array(["a", "b", "c"])[y]).asfactor()
    m = h2o.make_metrics(upload(a=probs[:, 0], b=probs[:, 1], c=probs[:, 2]), actual, weights=upload(w=w))
    p_actual = probs[np.arange(N), y]
    assert m.logloss() == pytest.approx(np.sum(w * -np.log(p_actual)) / np.sum(w), rel=1e-10)
    assert m.mean_per_class_error() >= 0


def test_a_family_that_needs_a_parameter_is_refused_with_h2o3s_reason():
    with pytest.raises(Exception, match="tweedie_power"):
        h2o.make_metrics(upload(predict=[1.0, 2.0]), upload(y=[1.0, 3.0]), distribution="tweedie")


plain_failures(globals())
