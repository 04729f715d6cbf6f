"""Pure helpers of the training loop: iterations (train_samples_per_iteration, row order, scoring
clock, samples), balance_classes, scoring-history formats, fold assignment, model state."""
from __future__ import annotations

import numpy as np
import pytest

from h2o_backend.engine import activations as act
from h2o_backend.engine import iterations
from h2o_backend.engine.data import balance
from h2o_backend.engine.kernels.layout import MAJOR_UNIT
from h2o_backend.engine.model_info import ModelInfo


# ----------------------------------------------------------------------------- iterations
def test_train_samples_per_iteration_semantics():
    assert iterations.resolve_train_samples(0, 1000, 10) == 1000
    assert iterations.resolve_train_samples(-1, 1000, 10) == 1000
    assert iterations.resolve_train_samples(250, 1000, 10) == 250
    assert iterations.resolve_train_samples(50_000, 1000, 10) == 10_000      # at most epochs x rows
    assert iterations.resolve_train_samples(-2, 1000, 10, reproducible=True) == 1000


def test_auto_tuning_caps():
    # MNIST-like: 60k rows, 10 epochs, 60 us per row -> 10 s of work = 166k rows -> 1 epoch cap
    assert iterations.auto_train_samples(60_000, 10, 60.0) == 60_000
    # slow rows: 10 s of work = 10,000 rows
    assert iterations.auto_train_samples(60_000, 10, 999.0) == 10_000
    # tiny data: at least 10 iterations per run, rounded to whole epochs when close
    assert iterations.auto_train_samples(20, 100, 10.0) == 200
    assert iterations.auto_train_samples(1_000_000, 10, 1.0) == 100_000
    assert iterations.auto_train_samples(5, 0.001, 10.0) == 1


def test_row_order_visits_every_row_once_per_epoch():
    order = iterations.RowOrder(np.arange(10, 20), seed=3)
    first = np.concatenate([order.take(4), order.take(4), order.take(2)])
    assert sorted(first) == list(range(10, 20))
    second = order.take(10)
    assert sorted(second) == list(range(10, 20)) and not np.array_equal(first, second)
    again = iterations.RowOrder(np.arange(10, 20), seed=3).take(10)
    assert np.array_equal(first, again)


def test_score_clock_duty_cycle():
    now = [100.0]
    clock = iterations.ScoreClock(5.0, 0.1, clock=lambda: now[0])
    assert clock.due(False)            # the first iteration always scores
    clock.start()
    now[0] += 1.0
    clock.stop()                       # scoring took 1 s
    now[0] += 3.0
    assert not clock.due(False)        # within score_interval
    now[0] += 3.0
    assert not clock.due(False)        # 7 s since the last start, 1/7 > duty cycle 0.1
    now[0] += 4.0
    assert clock.due(False)            # 11 s: 1/11 < 0.1
    assert clock.due(True)             # finished: always


def test_sample_rows():
    assert iterations.sample_rows(100, 0, 1) is None
    assert iterations.sample_rows(100, 100, 1) is None
    rows = iterations.sample_rows(100, 10, 1)
    assert rows.size == 10 and np.array_equal(rows, np.unique(rows))
    assert np.array_equal(rows, iterations.sample_rows(100, 10, 1))
    y = np.array([0] * 90 + [1] * 10)
    strat = iterations.stratified_rows(y, 20, 1)
    assert (y[strat] == 1).sum() == 2 and (y[strat] == 0).sum() == 18


# ----------------------------------------------------------------------------- balance
def test_balance_default_factors_equalise_classes():
    y = np.array([0] * 80 + [1] * 20 + [-1] * 5)
    rows = balance.balance_rows(y, 2, seed=1)
    counts = np.bincount(y[rows])
    assert counts[0] == 80 and counts[1] == 80
    assert np.all(y[rows] >= 0)


def test_balance_user_factors_and_size_cap():
    y = np.array([0] * 50 + [1] * 50)
    rows = balance.balance_rows(y, 2, seed=1, factors=[1.0, 3.0])
    assert np.bincount(y[rows]).tolist() == [50, 150]
    capped = balance.balance_rows(y, 2, seed=1, factors=[1.0, 9.0], max_after_balance_size=1.0)
    assert abs(capped.size - 100) <= 10
    with pytest.raises(ValueError, match="must have 2 elements"):
        balance.sampling_factors(y, 2, factors=[1.0])


def test_probability_correction_undoes_resampling():
    prior, model = np.array([0.8, 0.2]), np.array([0.5, 0.5])
    p = balance.correct_probabilities(np.array([[0.5, 0.5]]), prior, model)
    np.testing.assert_allclose(p, [[0.8, 0.2]])


# ----------------------------------------------------------------------------- model state
@pytest.mark.parametrize("dist", ["UniformAdaptive", "Uniform", "Normal"])
def test_initial_weights_and_biases(dist):
    mi = ModelInfo.create([30, 20, 10, 3], act.ACT_RECTIFIER, act.ACT_SOFTMAX, optimizer="adadelta",
                          distribution=dist, scale=0.1, seed=5, classifier=True, majors=[MAJOR_UNIT, 0, 0])
    w0, w2 = mi.weights(0), mi.weights(2)
    assert w0.shape == (20, 30) and w2.shape == (3, 10)
    if dist == "UniformAdaptive":
        assert np.abs(w0).max() <= np.sqrt(6 / 50) and np.abs(w0).max() > 0.8 * np.sqrt(6 / 50)
        assert np.abs(w2).max() <= 4 * np.sqrt(6 / 13) and np.abs(w2).max() > np.sqrt(6 / 13)
    elif dist == "Uniform":
        assert np.abs(w0).max() <= 0.1
    else:
        assert 0.07 < w0.std() < 0.13
    assert np.all(mi.biases(0) == 0.5) and np.all(mi.biases(1) == 1.0) and np.all(mi.biases(2) == 0)
    same = ModelInfo.create([30, 20, 10, 3], act.ACT_RECTIFIER, act.ACT_SOFTMAX, optimizer="adadelta",
                            distribution=dist, scale=0.1, seed=5, classifier=True)
    np.testing.assert_array_equal(same.weights(0), w0)   # same draws in either storage order


def test_maxout_and_tanh_layers():
    mi = ModelInfo.create([4, 3, 2], act.ACT_MAXOUT, act.ACT_SOFTMAX, optimizer="momentum")
    assert mi.weights(0).shape == (6, 4) and mi.biases(0).shape == (6,) and mi.unit_weights(0).shape == (3, 4)
    assert mi.weights(1).shape == (2, 3) and mi.mom_w.size == mi.w.size and mi.ada_g_w.size == 0
    tanh = ModelInfo.create([4, 3, 2], act.ACT_TANH, act.ACT_LINEAR, optimizer="sgd")
    assert np.all(tanh.biases(0) == 0) and tanh.mom_w.size == 0


def test_model_info_round_trip_and_stability():
    mi = ModelInfo.create([5, 4, 2], act.ACT_TANH, act.ACT_SOFTMAX, optimizer="adadelta", seed=2,
                          majors=[MAJOR_UNIT, 0])
    mi.processed, mi.epoch_counter = 123, 1.5
    back = ModelInfo.from_dict(mi.to_dict())
    np.testing.assert_array_equal(back.w, mi.w)
    assert back.majors == mi.majors and back.processed == 123 and back.epoch_counter == 1.5
    np.testing.assert_array_equal(back.weights(0), mi.weights(0))
    assert mi.check_stable()
    mi.b[0] = np.nan
    assert not mi.check_stable() and mi.unstable


# ----------------------------------------------------------------------------- scoring formats
def test_scoring_history_entry():
    from h2o_backend.engine.metrics import scoring
    e = scoring.history_entry(now_ms=0, training_time_ms=12_345, scoring_time_ms=2_000, setup_time_ms=344,
                              epochs=1.5, iteration=3, samples=100_000, problem="Regression",
                              train_metrics={"RMSE": 2.0, "MSE": 4.0, "mean_residual_deviance": 4.0, "mae": 1.0,
                                             "r2": 0.5}, valid_metrics=None)
    assert e["duration"].strip() == "12.345 sec" and e["training_speed"] == "9998 obs/sec"
    assert e["training_speed_obs"] == pytest.approx(100_000 / 10.002)   # H2O's +1 ms
    assert e["training_mse"] == 4.0 and e["training_deviance"] == 4.0 and "validation_rmse" not in e
    assert scoring.format_duration(62.5).split() == ["1", "min", "2.500", "sec"]


def test_fold_assignment_is_balanced_and_seeded():
    from h2o_backend.engine.crossval import fold_assignment
    f = fold_assignment(103, 5, 7)
    assert sorted(np.bincount(f).tolist()) == [20, 20, 21, 21, 21]
    assert np.array_equal(f, fold_assignment(103, 5, 7)) and not np.array_equal(f, fold_assignment(103, 5, 8))
