"""The output-layer signal of every regression distribution (kernels/loss.py), with row weights and
offsets, on both training paths, against finite differences of H2O-3's deviance on a float64 NumPy
network: with plain SGD at rate r (no momentum, L1/L2) a step moves every parameter by
``-r/2 * weight * d(deviance)/d(parameter)`` (the mini-batch path: the mean over the batch's
rows). Also: weight 0 trains nothing, a weight scales the step, offsets are refused outside
regression, unknown distributions are refused by name, and networks without a hidden layer."""
from __future__ import annotations

import numpy as np
import pytest

import dl_reference as ref
from h2o_backend.engine import activations as act
from h2o_backend.engine.batch_sgd import BatchRunner, forward as batch_forward
from h2o_backend.engine.model_info import ModelInfo
from h2o_backend.engine.sgd import SGDConfig, SGDRunner, forward as row_forward

N_IN = 5
HIDDEN = {"Tanh": act.ACT_TANH, "Rectifier": act.ACT_RECTIFIER, "Maxout": act.ACT_MAXOUT}
# targets per distribution (positive where the deviance needs it); huber with delta 0.3 has rows
# on both sides of the clip
DISTS = {"gaussian": [0.7, -0.3, 1.2, 0.1], "poisson": [2.0, 0.0, 1.0, 3.0], "gamma": [0.5, 2.0, 1.5, 0.8],
         "tweedie": [0.0, 1.5, 0.4, 2.5], "laplace": [0.9, -1.1, 1.4, -0.6], "quantile": [0.9, -1.1, 1.4, -0.6],
         "huber": [0.95, -1.1, 0.05, -0.6]}
SETTINGS = dict(tweedie_power=1.3, quantile_alpha=0.2, huber_delta=0.3)
WEIGHTS = np.array([1.0, 2.0, 0.5, 1.5], np.float32)
OFFSETS = np.array([0.1, -0.2, 0.0, 0.3], np.float32)


def _net(hidden, units=(4, 3), seed=3):
    return ModelInfo.create([N_IN, *units, 1], HIDDEN[hidden], act.ACT_LINEAR, optimizer="sgd",
                            distribution="Normal", scale=0.4, seed=seed)


def _rows(n=4):
    X = np.random.default_rng(0).normal(size=(n, N_IN)).astype(np.float32)
    X[:, 1] = 0.0
    return X


def _cfg(dist, rate):
    return SGDConfig(out_mode=act.OUT_REGRESSION, optimizer="sgd", rate=rate, rate_annealing=0.0, fast_mode=True,
                     distribution=dist, **SETTINGS)


def _half_deviance_gradient(mi, dist, X, y, rows):
    """Finite differences of sum over ``rows`` of weight/2 * deviance(y, f(x) + offset)."""
    Ws, bs = ref.params_of(mi)

    def total():
        s = 0.0
        for r in rows:
            a, _ = ref.forward(Ws, bs, mi.acts, X[r])
            f = a[-1][0] + float(OFFSETS[r])
            s += float(WEIGHTS[r]) / 2 * ref.deviance(dist, float(y[r]), f, SETTINGS["tweedie_power"],
                                                    SETTINGS["quantile_alpha"], SETTINGS["huber_delta"])
        return s
    return Ws, bs, ref.finite_difference(total, Ws + bs)


def _assert_step(mi, Ws, bs, fd, rate, scale=1.0):
    for l in range(mi.n_layers):
        np.testing.assert_allclose(mi.weights(l) - Ws[l], -rate * scale * fd[l], rtol=3e-3, atol=3e-5)
        np.testing.assert_allclose(mi.biases(l) - bs[l], -rate * scale * fd[mi.n_layers + l], rtol=3e-3, atol=3e-5)


@pytest.mark.parametrize("units", [(4, 3), ()], ids=["two_hidden", "no_hidden"])
@pytest.mark.parametrize("hidden", list(HIDDEN))
@pytest.mark.parametrize("dist", list(DISTS))
def test_per_sample_step_is_half_the_weighted_deviance_gradient(dist, hidden, units):
    mi = _net(hidden, units)
    X, y = _rows(), np.array(DISTS[dist], np.float32)
    rate = 0.5
    Ws, bs, fd = _half_deviance_gradient(mi, dist, X, y, [1])
    SGDRunner(mi, _cfg(dist, rate)).run(np.array([1]), X, y_reg=y, weights=WEIGHTS, offsets=OFFSETS)
    assert np.abs(mi.w - np.concatenate([w.T.ravel() for w in Ws]).astype(np.float32)).max() > 0
    _assert_step(mi, Ws, bs, fd, rate)


@pytest.mark.parametrize("units", [(4, 3), ()], ids=["two_hidden", "no_hidden"])
@pytest.mark.parametrize("hidden", list(HIDDEN))
@pytest.mark.parametrize("dist", list(DISTS))
def test_batch_step_is_the_mean_of_the_rows_weighted_half_deviance_gradients(dist, hidden, units):
    mi = _net(hidden, units)
    X, y = _rows(), np.array(DISTS[dist], np.float32)
    rate = 0.5
    Ws, bs, fd = _half_deviance_gradient(mi, dist, X, y, range(4))
    BatchRunner(mi, _cfg(dist, rate), n_threads=1, batch_size=4).run(np.arange(4), X, y_reg=y, weights=WEIGHTS,
                                                                     offsets=OFFSETS)
    _assert_step(mi, Ws, bs, fd, rate, scale=1 / 4)


MODES = {"gaussian": (act.OUT_REGRESSION, act.ACT_LINEAR, 1), "softmax_ce": (act.OUT_SOFTMAX_CE, act.ACT_SOFTMAX, 3),
         "softmax_mse": (act.OUT_SOFTMAX_MSE, act.ACT_SOFTMAX, 3), "autoencoder": (act.OUT_AUTOENCODER, act.ACT_TANH, N_IN)}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("path", ["per_sample", "batch"])
def test_a_row_weight_scales_its_step_and_weight_zero_trains_nothing(path, mode):
    out_mode, out_act, n_out = MODES[mode]
    X, y = _rows(), np.array(DISTS["gaussian"], np.float32)
    y_cls = np.array([2, 0, 1, 2], np.int32)

    def step(weight):
        mi = ModelInfo.create([N_IN, 4, 3, n_out], act.ACT_TANH, out_act, optimizer="sgd", distribution="Normal",
                              scale=0.4, seed=3, classifier=out_act == act.ACT_SOFTMAX)
        cfg = SGDConfig(out_mode=out_mode, optimizer="sgd", rate=0.1, rate_annealing=0.0)
        w = np.full(4, weight, np.float32)
        runner = SGDRunner(mi, cfg) if path == "per_sample" else BatchRunner(mi, cfg, 1, 1)
        before = mi.w.copy(), mi.b.copy()
        runner.run(np.array([2]), X, y_cls=y_cls, y_reg=y, weights=w)
        return mi.w - before[0], mi.b - before[1]
    one, two, zero = step(1.0), step(2.0), step(0.0)
    assert np.abs(one[0]).max() > 1e-4
    # plain SGD without L1/L2: one step is linear in the signal, so weight 2 steps twice as far
    # (two copies of the row in a row agree only to first order in the rate: the second copy
    # sees the weights the first one moved); the steps are read as differences of float32 weights
    # near 1, so up to one unit in the last place (1.2e-7)
    np.testing.assert_allclose(two[0], 2 * one[0], rtol=1e-5, atol=2.5e-7)
    np.testing.assert_allclose(two[1], 2 * one[1], rtol=1e-5, atol=2.5e-7)
    assert not zero[0].any() and not zero[1].any()


@pytest.mark.parametrize("dist", ["poisson", "huber", "quantile"])
def test_a_batch_of_one_row_is_the_per_sample_path_with_weights_offsets_and_dropout(dist):
    mi = _net("Rectifier", units=(6, 5))
    rng = np.random.default_rng(5)
    X = rng.normal(size=(80, N_IN)).astype(np.float32)
    y = np.abs(rng.normal(size=80)).astype(np.float32) + 0.1
    w = rng.uniform(0, 2, 80).astype(np.float32)
    w[::7] = 0
    o = rng.normal(scale=0.2, size=80).astype(np.float32)
    cfg = SGDConfig(out_mode=act.OUT_REGRESSION, optimizer="adadelta", distribution=dist, input_dropout=0.2,
                    hidden_dropout=[0.3, 0.2], seed=4, **SETTINGS)
    mi.optimizer = "adadelta"
    mi.allocate_optimizer_state()
    per_sample, batch = mi.copy(), mi.copy()
    order = rng.permutation(80)
    SGDRunner(per_sample, cfg).run(order, X, y_reg=y, weights=w, offsets=o)
    BatchRunner(batch, cfg, 1, 1).run(order, X, y_reg=y, weights=w, offsets=o)
    assert np.abs(per_sample.w - mi.w).max() > 1e-3
    np.testing.assert_allclose(batch.w, per_sample.w, rtol=1e-4, atol=2e-5)
    np.testing.assert_allclose(batch.b, per_sample.b, rtol=1e-4, atol=2e-5)


def test_weight_zero_rows_are_skipped_even_with_l2():
    """A row of weight 0 contributes nothing (per-sample: no update, not even L2's decay)."""
    mi = _net("Rectifier")
    before = mi.w.copy()
    cfg = SGDConfig(out_mode=act.OUT_REGRESSION, optimizer="sgd", rate=0.1, l2=0.1)
    SGDRunner(mi, cfg).run(np.arange(4), _rows(), y_reg=np.ones(4, np.float32), weights=np.zeros(4, np.float32))
    assert np.array_equal(mi.w, before) and mi.processed == 4


def test_offsets_outside_regression_and_unknown_distributions_are_refused_by_name():
    mi = ModelInfo.create([N_IN, 3, 2], act.ACT_TANH, act.ACT_SOFTMAX, optimizer="adadelta", classifier=True)
    with pytest.raises(ValueError, match="offset_column"):
        SGDRunner(mi, SGDConfig()).run(np.arange(4), _rows(), np.zeros(4, np.int32), offsets=np.ones(4, np.float32))
    with pytest.raises(ValueError, match="poisson"):
        SGDRunner(mi, SGDConfig(distribution="poisson"))
    with pytest.raises(ValueError, match="modified_huber"):
        BatchRunner(_net("Tanh"), _cfg("modified_huber", 0.1))
    with pytest.raises(ValueError, match="tweedie_power"):
        SGDRunner(_net("Tanh"), SGDConfig(out_mode=act.OUT_REGRESSION, optimizer="sgd", distribution="tweedie",
                                          tweedie_power=2.5))


def test_huber_delta_can_be_updated_between_chunks():
    mi = _net("Tanh")
    runner = SGDRunner(mi, _cfg("huber", 0.1))
    runner.set_huber_delta(0.05)
    assert runner.settings.huber_delta == np.float32(0.05)


@pytest.mark.parametrize("hidden", list(HIDDEN))
def test_a_network_without_hidden_layer_learns_and_scores_on_both_paths(hidden):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, N_IN)).astype(np.float32)
    y = (X[:, 0] - X[:, 2] > 0).astype(np.int32)
    for batch, rate in ((1, 0.01), (16, 0.1)):
        # plain SGD: ADADELTA's slow start barely moves the classifier's large (x4) initial
        # output weights in 3000 samples, with or without a hidden layer
        mi = ModelInfo.create([N_IN, 2], HIDDEN[hidden], act.ACT_SOFTMAX, optimizer="sgd", classifier=True, seed=1)
        assert mi.n_layers == 1
        cfg = SGDConfig(seed=1, optimizer="sgd", rate=rate, input_dropout=0.1)
        runner = SGDRunner(mi, cfg, 2) if batch == 1 else BatchRunner(mi, cfg, 2, batch)
        for _ in range(5):
            runner.run(rng.permutation(600), X, y)
        ratios = np.array([0.1, 0.0], np.float32)
        out, _, _ = row_forward(mi, X, ratios)
        assert (out.argmax(axis=1) == y).mean() > 0.95
        Ws, bs = ref.params_of(mi)
        expected = np.array([ref.forward(Ws, bs, mi.acts, x, scale=[0.9, 1.0])[0][-1] for x in X[:20]])
        np.testing.assert_allclose(out[:20], expected, rtol=2e-5, atol=2e-6)
        np.testing.assert_allclose(batch_forward(mi, X, ratios)[0], out, rtol=1e-5, atol=1e-6)
