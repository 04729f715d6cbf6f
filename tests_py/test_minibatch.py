"""The mini-batch path (mini_batch_size > 1, engine/batch_sgd.py): gradients against finite
differences for every activation and loss, a batch of one row against the per-sample path (with
dropout), the matrix-product scoring against the per-row kernel (its split-invariance:
test_scoring_blocks.py), bit-identical reproducible runs with 2 threads,
checkpoints switching paths, bad values refused over REST, and the per-sample kernel's
instability abort (which fastmath used to compile away)."""
from __future__ import annotations

import numba
import numpy as np
import pytest

import dl_reference as ref
from h2o_backend.engine import activations as act
from h2o_backend.engine.batch_sgd import BatchRunner, forward as batch_forward
from h2o_backend.engine.errors import NumericalInstability
from h2o_backend.engine.model_info import ModelInfo
from h2o_backend.engine.sgd import SGDConfig, SGDRunner, forward as row_forward
from h2o_backend.engine.training import train_deeplearning
from model_rest_helpers import assert_h2o_error, assert_serving, build, import_frame, model_of
from test_engine_kernels import HIDDEN, MODES, N_IN, _net
from test_engine_training import params, synthetic_binary, synthetic_regression

# the same small networks as the per-sample kernel tests; "first_unit": the first layer stored unit-major
MAJORS = dict(argvalues=["input", "first_unit"], ids=["input_major", "unit_major"])


def _rows(n=4, seed=0):
    X = np.random.default_rng(seed).normal(size=(n, N_IN)).astype(np.float32)
    X[:, 1] = 0.0   # an input that is 0 in every row (fast_mode skips it)
    return X


# ----------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("major", **MAJORS)
@pytest.mark.parametrize("hidden", list(HIDDEN))
@pytest.mark.parametrize("mode", list(MODES))
def test_batch_gradient_is_the_mean_of_the_rows_gradients(hidden, mode, major):
    """One batch of 4 rows, plain SGD with rate 1: the weight change is minus the gradient of the
    batch's mean loss (central differences in float64)."""
    mi = _net(hidden, mode, major=major)
    X = _rows()
    y_cls, y_reg = np.array([2, 0, 1, 2], np.int32), np.array([0.7, -0.3, 1.2, 0.1], np.float32)
    Ws, bs = ref.params_of(mi)
    code = MODES[mode]
    signals = None
    if code == act.OUT_SOFTMAX_MSE:
        # H2O's softmax+MeanSquare signal is not a full gradient: check the chain behind it with
        # the linear surrogate -s . z_out (s fixed at the current weights), as test_engine_kernels
        signals = [ref.output_signal(code, mi.output_act, ref.forward(Ws, bs, mi.acts, x)[0][-1], int(t), x)
                   for x, t in zip(X, y_cls)]

    def mean_loss():
        total = 0.0
        for r, x in enumerate(X):
            a, zs = ref.forward(Ws, bs, mi.acts, x)
            if signals is not None:
                total += -float(signals[r] @ zs[-1])
            else:
                target = y_cls[r] if code == act.OUT_SOFTMAX_CE else float(y_reg[r])
                total += ref.loss(code, mi.output_act, a[-1], target, x)
        return total / len(X)

    fd = ref.finite_difference(mean_loss, Ws + bs)
    cfg = SGDConfig(out_mode=code, optimizer="sgd", rate=1.0, rate_annealing=0.0, fast_mode=True)
    BatchRunner(mi, cfg, n_threads=1, batch_size=4).run(np.arange(4), X, y_cls, y_reg)
    for l in range(mi.n_layers):
        np.testing.assert_allclose(mi.weights(l) - Ws[l], -fd[l], rtol=2e-3, atol=2e-5)
        np.testing.assert_allclose(mi.biases(l) - bs[l], -fd[mi.n_layers + l], rtol=2e-3, atol=2e-5)


# ----------------------------------------------------------------------------- batch of one row
ONE_ROW_CASES = {
    "adadelta_l1_l2": dict(optimizer="adadelta", l1=1e-3, l2=1e-3),
    "sgd_annealing_decay": dict(optimizer="sgd", rate=0.05, rate_annealing=0.01, rate_decay=0.5, l2=1e-3),
    "momentum_ramp": dict(optimizer="momentum", nesterov=False, rate=0.02, momentum_start=0.5,
                          momentum_ramp=20, momentum_stable=0.9),
    "nesterov_max_w2": dict(optimizer="momentum", nesterov=True, rate=0.02, momentum_start=0.5,
                            momentum_ramp=20, momentum_stable=0.9, max_w2=2.0),
    "adadelta_slow_mode": dict(optimizer="adadelta", fast_mode=False, l1=1e-4),
}


@pytest.mark.parametrize("major", **MAJORS)
@pytest.mark.parametrize("hidden", list(HIDDEN))
@pytest.mark.parametrize("case", list(ONE_ROW_CASES))
def test_batch_of_one_row_agrees_with_the_per_sample_path(case, hidden, major):
    """With input and hidden dropout: both paths draw a sample's masks from the same stream
    (kernels/rng.py), so a batch of one row is the per-sample path (up to float32 rounding: BLAS
    and the per-row loops sum in different orders)."""
    settings = ONE_ROW_CASES[case]
    cfg = SGDConfig(out_mode=act.OUT_SOFTMAX_CE, seed=5, input_dropout=0.2, hidden_dropout=[0.3, 0.1], **settings)
    mi = _net(hidden, "ce", optimizer=settings["optimizer"], major=major)
    X = np.maximum(np.random.default_rng(2).normal(size=(60, N_IN)), 0).astype(np.float32)
    y = np.random.default_rng(3).integers(0, 3, 60).astype(np.int32)
    per_sample, batch = mi.copy(), mi.copy()
    order = np.random.default_rng(4).permutation(60)
    row_runner = SGDRunner(per_sample, cfg, 1)
    row_runner.run(order, X, y)
    batch_runner = BatchRunner(batch, cfg, n_threads=2, batch_size=1)
    batch_runner.run(order, X, y)
    assert np.abs(per_sample.w - mi.w).max() > 1e-3          # both really trained
    # the last sample's masks are the same (inputs: the dropped-out input row; hidden layers: the
    # masks), and dropout really dropped units
    offsets = np.concatenate([[0], np.cumsum(mi.units)])
    np.testing.assert_array_equal(row_runner.ws.A[0][:N_IN], batch_runner.A[0][0])
    for k in range(1, mi.n_layers):
        np.testing.assert_array_equal(row_runner.ws.KEEP[0][offsets[k]:offsets[k + 1]], batch_runner.KEEP[k][0])
    assert (row_runner.ws.KEEP[0][:offsets[-2]] == 0).any()
    np.testing.assert_allclose(batch.w, per_sample.w, rtol=1e-4, atol=2e-5)
    np.testing.assert_allclose(batch.b, per_sample.b, rtol=1e-4, atol=2e-5)
    for name in ("ada_g_w", "ada_dx_w", "mom_w"):
        np.testing.assert_allclose(getattr(batch, name), getattr(per_sample, name), rtol=1e-3, atol=1e-6)
    assert batch.processed == per_sample.processed == 60


@pytest.mark.parametrize("major", **MAJORS)
@pytest.mark.parametrize("hidden", list(HIDDEN))
@pytest.mark.parametrize("case", list(ONE_ROW_CASES))
def test_a_batch_split_across_threads_trains_as_one_part(case, hidden, major):
    """With 2 threads each batch runs as 2 row parts on 2 threads whose gradients are summed: the
    same model as the batch in one part, up to float32 summation order; dropout masks identical."""
    settings = ONE_ROW_CASES[case]
    cfg = SGDConfig(out_mode=act.OUT_SOFTMAX_CE, seed=5, input_dropout=0.2, hidden_dropout=[0.3, 0.1], **settings)
    mi = _net(hidden, "ce", optimizer=settings["optimizer"], major=major)
    X = np.maximum(np.random.default_rng(2).normal(size=(256, N_IN)), 0).astype(np.float32)
    y = np.random.default_rng(3).integers(0, 3, 256).astype(np.int32)
    one, split = mi.copy(), mi.copy()
    order = np.random.default_rng(4).permutation(256)
    single = BatchRunner(one, cfg, n_threads=1, batch_size=64)
    parts = BatchRunner(split, cfg, n_threads=2, batch_size=64)
    assert (single.max_parts, parts.max_parts) == (1, 2)
    single.run(order, X, y)
    parts.run(order, X, y)
    assert np.abs(one.w - mi.w).max() > 1e-3
    np.testing.assert_array_equal(parts.KEEP[1], single.KEEP[1])
    np.testing.assert_allclose(split.w, one.w, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(split.b, one.b, rtol=1e-4, atol=1e-6)
    for name in ("ada_g_w", "ada_dx_w", "mom_w"):
        np.testing.assert_allclose(getattr(split, name), getattr(one, name), rtol=1e-3, atol=1e-7)


# ----------------------------------------------------------------------------- scoring
@pytest.mark.parametrize("major", **MAJORS)
@pytest.mark.parametrize("hidden", list(HIDDEN))
@pytest.mark.parametrize("mode", ["ce", "regression", "autoencoder"])
def test_matrix_scoring_matches_the_per_row_kernel(hidden, mode, major):
    mi = _net(hidden, mode, major=major)
    ratios = np.array([0.2, 0.5, 0.3, 0.0], np.float32)
    X = np.random.default_rng(1).normal(size=(5000, N_IN)).astype(np.float32)
    ae = mode == "autoencoder"
    want = row_forward(mi, X, ratios, row_mse=ae, hidden_layer=2)
    got = batch_forward(mi, X, ratios, row_mse=ae, hidden_layer=2)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[2], want[2], rtol=1e-5, atol=1e-6)
    if ae:
        np.testing.assert_allclose(got[1], want[1], rtol=1e-5, atol=1e-9)
    empty = batch_forward(mi, X[:0], ratios)[0]
    assert empty.shape == (0, mi.units[-1])


# ----------------------------------------------------------------------------- dropout masks
def test_dropout_masks_follow_the_ratios_and_hidden_layers_share_draws():
    mi = ModelInfo.create([400, 300, 300, 2], act.ACT_RECTIFIER, act.ACT_SOFTMAX, optimizer="adadelta",
                          classifier=True, seed=1)
    cfg = SGDConfig(input_dropout=0.2, hidden_dropout=[0.5, 0.3], seed=9)
    X = np.ones((64, 400), np.float32)
    runner = BatchRunner(mi, cfg, n_threads=2, batch_size=64)
    runner.run(np.arange(64), X, np.zeros(64, np.int32))
    assert abs(1 - runner.A[0].mean() - 0.2) < 0.01                 # inputs kept with 0.8
    k1, k2 = runner.KEEP[1], runner.KEEP[2]
    assert abs(1 - k1.mean() - 0.5) < 0.02 and abs(1 - k2.mean() - 0.3) < 0.02
    assert np.all(k2[k1 == 1] == 1)     # one draw per unit index: kept at 0.5 implies kept at 0.3
    again = BatchRunner(mi.copy(), cfg, n_threads=1, batch_size=16)
    again.mi.processed = 0
    again.run(np.arange(64), X, np.zeros(64, np.int32))
    assert np.array_equal(again.KEEP[1][:16], k1[48:])               # masks depend on the sample, not the batch


# ----------------------------------------------------------------------------- end to end
def _weights(model):
    return np.concatenate([model.model_info.w, model.model_info.b])


@pytest.mark.blas_determinism
def test_reproducible_batch_training_is_bit_identical_with_two_threads():
    """Same machine, same BLAS kernel, same number of threads (2): reruns are bit-identical (the
    synchronous path's results depend on the rows and the thread count only, never on scheduling)."""
    assert numba.config.NUMBA_NUM_THREADS >= 2
    prev = numba.get_num_threads()
    numba.set_num_threads(2)
    try:
        frame = synthetic_binary(n=3000, seed=4)
        p = dict(response_column="y", hidden=[64, 64], epochs=3, seed=1234, reproducible=True,
                 mini_batch_size=32, activation="RectifierWithDropout", input_dropout_ratio=0.1, l1=1e-5)
        first = train_deeplearning(params(**p), frame)
        second = train_deeplearning(params(**p), frame)
        other_seed = train_deeplearning(params(**{**p, "seed": 99}), frame)
    finally:
        numba.set_num_threads(prev)
    assert np.array_equal(_weights(first), _weights(second))
    assert not np.array_equal(_weights(first), _weights(other_seed))
    assert first.output["training_metrics"]["cm"] == second.output["training_metrics"]["cm"]


def test_hogwild_batches_on_two_threads_train_every_row_and_learn_like_the_synchronous_path():
    """Not reproducible: each thread trains whole batches and updates the shared weights without
    waiting. Every row is trained once per pass, and the model learns as well as the synchronous
    (reproducible) split of the same batches."""
    assert numba.config.NUMBA_NUM_THREADS >= 2
    X = np.random.default_rng(7).normal(size=(2000, 4)).astype(np.float32)
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.int32)
    errors = {}
    for hogwild in (True, False):
        mi = ModelInfo.create([X.shape[1], 32, 32, 2], act.ACT_RECTIFIER, act.ACT_SOFTMAX, optimizer="adadelta",
                              classifier=True, seed=2)
        runner = BatchRunner(mi, SGDConfig(seed=3), n_threads=2, batch_size=32, hogwild=hogwild)
        assert runner.hogwild == hogwild
        for epoch in range(5):
            runner.run(np.random.default_rng(epoch).permutation(2000), X, y)
        assert mi.processed == 5 * 2000
        out = batch_forward(mi, X, np.zeros(4, np.float32))[0]
        errors[hogwild] = float(np.mean(out.argmax(1) != y))
    assert errors[True] < 0.08 and errors[False] < 0.08
    assert abs(errors[True] - errors[False]) < 0.03


def test_hogwild_batches_stop_on_a_non_finite_output():
    mi = ModelInfo.create([N_IN, 8, 2], act.ACT_RECTIFIER, act.ACT_SOFTMAX, optimizer="adadelta", classifier=True)
    mi.w[:] = 3e38                      # every pre-activation overflows to infinity
    before = mi.w.copy()
    runner = BatchRunner(mi, SGDConfig(), n_threads=2, batch_size=16, hogwild=True)
    with pytest.raises(NumericalInstability):
        runner.run(np.arange(64), _rows(64), np.zeros(64, np.int32))
    assert mi.unstable and mi.processed == 0
    assert np.array_equal(mi.w, before)         # no batch was applied


@pytest.mark.parametrize("activation", ["Tanh", "RectifierWithDropout", "MaxoutWithDropout"])
def test_batch_training_learns_a_classifier(activation):
    frame = synthetic_binary(n=2000, seed=1)
    model = train_deeplearning(params(response_column="y", hidden=[20, 20], epochs=20, seed=3,
                                      activation=activation, mini_batch_size=16, variable_importances=True,
                                      balance_classes=True, train_samples_per_iteration=10000,
                                      score_each_iteration=True), frame)
    assert model.output["status"] == "DONE"
    from h2o_backend.engine.metrics import scoring
    assert scoring.model_error(model.output["training_metrics"], "Binomial") < 0.06
    assert model.output["variable_importances"] and len(model.output["scoring_history"]) >= 2
    assert model.model_info.processed >= 20 * 2000


def test_batch_training_regression_and_autoencoder():
    reg = train_deeplearning(params(response_column="y", hidden=[20], epochs=30, seed=3, mini_batch_size=8,
                                    adaptive_rate=False, rate=0.01, momentum_start=0.5, momentum_stable=0.9,
                                    momentum_ramp=1000), synthetic_regression(n=300))
    assert reg.output["training_metrics"]["MSE"] < 0.2
    frame = synthetic_binary(n=500, seed=2)
    ae = train_deeplearning(params(autoencoder=True, hidden=[3], epochs=20, seed=3, mini_batch_size=10,
                                   ignored_columns=["y"], activation="Tanh"), frame)
    history = ae.output["scoring_history"]
    assert history[-1]["training_mse"] < history[0]["training_mse"]


def test_checkpoint_switches_between_per_sample_and_batch_training():
    frame = synthetic_binary(n=1000, seed=6)
    base = dict(response_column="y", hidden=[16], seed=5, reproducible=True)
    per_sample = train_deeplearning(params(**base, epochs=2), frame)
    batch = train_deeplearning(params(**base, epochs=4, mini_batch_size=25), frame, checkpoint_model=per_sample)
    back = train_deeplearning(params(**base, epochs=6, mini_batch_size=1), frame, checkpoint_model=batch)
    assert per_sample.model_info.processed == 2000
    assert batch.model_info.processed == 4000 and back.model_info.processed == 6000
    assert not np.array_equal(_weights(per_sample), _weights(batch))
    assert not np.array_equal(_weights(batch), _weights(back))
    assert batch.params.mini_batch_size == 25 and back.params.mini_batch_size == 1
    assert len(back.output["scoring_history"]) > len(batch.output["scoring_history"])


def test_diverging_batch_training_fails_with_the_instability_error():
    frame = synthetic_regression(n=200)
    with pytest.raises(NumericalInstability):
        train_deeplearning(params(response_column="y", hidden=[50, 50], epochs=50, seed=1, mini_batch_size=4,
                                  adaptive_rate=False, rate=1.0, rate_annealing=0, momentum_start=0.99,
                                  momentum_stable=0.99, nesterov_accelerated_gradient=False,
                                  activation="Rectifier", initial_weight_distribution="Uniform",
                                  initial_weight_scale=5.0), frame)


# ----------------------------------------------------------------------------- per-sample abort
def test_per_sample_kernel_aborts_on_a_non_finite_output():
    """The kernel itself stops at the first row whose output is not finite (before updating), not
    only the Python check of the biases after the chunk."""
    mi = _net("Rectifier", "ce", optimizer="adadelta")
    mi.w[:] = 3e38                      # every pre-activation overflows to infinity
    before = mi.w.copy(), mi.b.copy()
    runner = SGDRunner(mi, SGDConfig(out_mode=act.OUT_SOFTMAX_CE), 1)
    X = np.abs(_rows(50)) + 1
    with pytest.raises(NumericalInstability):
        runner.run(np.arange(50), X, np.zeros(50, np.int32))
    assert runner.ws.status.any()       # set by the kernel's check
    assert np.array_equal(mi.w, before[0]) and np.array_equal(mi.b, before[1])   # stopped before updating


# ----------------------------------------------------------------------------- REST
BASE = {"training_frame": "prostate.hex", "response_column": "CAPSULE", "classification": "true",
        "hidden": "[3]", "epochs": "1"}


@pytest.mark.parametrize("value,needles", [("0", [">= 1", "0"]), ("-5", [">= 1", "-5"]),
                                           ("2.5", ["integer"]), ("381", ["380", "training rows"])])
def test_bad_mini_batch_size_is_refused_naming_the_field(client, data_dir, value, needles):
    import_frame(client, data_dir / "prostate.csv", "prostate.hex")
    reply = client.post("/3/ModelBuilders/deeplearning", data={**BASE, "mini_batch_size": value})
    status = reply.status_code
    assert status in (400, 412)
    body = assert_h2o_error(reply, status, "mini_batch_size", *needles)
    assert body["msg"]
    assert_serving(client)


def test_rest_builds_a_batch_model(client, data_dir):
    import_frame(client, data_dir / "prostate.csv", "prostate.hex")
    build(client, **{**BASE, "mini_batch_size": "10", "model_id": "mb10", "epochs": "30", "hidden": "[20]"})
    model = model_of(client, "mb10")
    values = {p["name"]: p["actual_value"] for p in model["parameters"]}
    assert values["mini_batch_size"] == 10
    assert model["output"]["training_metrics"]["AUC"] > 0.6
