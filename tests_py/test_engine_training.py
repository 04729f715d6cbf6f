"""train_deeplearning end to end on small data: activations, losses, optimizers, dropout,
regularisation, stopping, best model, checkpoint restart, cross-validation, balance_classes,
variable importances, cancel, numerical instability, reproducibility, the ECG autoencoder."""
from __future__ import annotations

import dataclasses

import numpy as np
import pyarrow.csv as pc
import pytest

from h2o_backend.engine.parameters import DeepLearningParameters
from h2o_backend.engine.training import train_deeplearning
from h2o_backend.engine.errors import ValidationError
from h2o_backend.frames.frame import Column, Frame


def csv_frame(path, key, header=False, enums=()) -> Frame:
    table = pc.read_csv(str(path), read_options=pc.ReadOptions(autogenerate_column_names=not header))
    names = table.column_names if header else [f"C{i + 1}" for i in range(table.num_columns)]
    cols = []
    for name, col in zip(names, table.columns):
        values = col.to_numpy(zero_copy_only=False)
        if name in enums or values.dtype.kind in "OU":
            labels = [str(v) for v in values]
            domain = sorted(set(labels))
            cols.append(Column(name, "enum", np.array([domain.index(v) for v in labels], np.int32), domain))
        else:
            cols.append(Column(name, "real", values.astype(np.float64)))
    return Frame(key, cols)


def params(**kw) -> DeepLearningParameters:
    p = DeepLearningParameters()
    for k, v in kw.items():
        setattr(p, k, v)
    return p


@pytest.fixture(scope="module")
def iris(data_dir):
    return csv_frame(data_dir / "iris.csv", "iris")


@pytest.fixture(scope="module")
def ecg(data_dir):
    return csv_frame(data_dir / "ecg_train.csv", "ecg_train"), csv_frame(data_dir / "ecg_test.csv", "ecg_test")


def synthetic_binary(n=400, seed=0, positive=0.5) -> Frame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] > np.quantile(X[:, 0] + 0.5 * X[:, 1], 1 - positive)).astype(np.int32)
    cols = [Column(f"x{i}", "real", X[:, i]) for i in range(4)] + [Column("y", "enum", y, ["no", "yes"])]
    return Frame(f"bin{seed}", cols)


def synthetic_regression(n=300, seed=0) -> Frame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = 3 * X[:, 0] - 2 * X[:, 1] + 10 + 0.1 * rng.normal(size=n)
    return Frame(f"reg{seed}", [Column(f"x{i}", "real", X[:, i]) for i in range(3)] + [Column("y", "real", y)])


def iris_params(**kw):
    base = dict(response_column="C5", training_frame="iris", hidden=[10, 10], epochs=30.0, seed=1,
                reproducible=True)
    base.update(kw)
    return params(**base)


# ----------------------------------------------------------------------------- activations, losses
@pytest.mark.parametrize("activation", ["Tanh", "TanhWithDropout", "Rectifier", "RectifierWithDropout",
                                        "Maxout", "MaxoutWithDropout"])
def test_iris_learns_with_every_activation(iris, activation):
    model = train_deeplearning(iris_params(activation=activation), iris)
    out = model.output
    assert out["status"] == "DONE" and out["model_category"] == "Multinomial"
    assert out["training_metrics"]["classification_error"] < (0.2 if "Dropout" in activation else 0.1)
    pred = model.predict(iris, "pred")
    assert pred.names == ["predict", "Iris-setosa", "Iris-versicolor", "Iris-virginica"]
    probs = np.column_stack([c.data for c in pred.columns[1:]])
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-5)
    entry = out["scoring_history"][-1]
    assert entry["epochs"] == pytest.approx(30.0) and entry["samples"] == 4500
    assert {"timestamp", "duration", "training_speed", "iterations", "training_logloss"} <= set(entry)


@pytest.mark.parametrize("loss", ["CrossEntropy", "MeanSquare"])
def test_binomial_losses(loss):
    fr = synthetic_binary()
    model = train_deeplearning(params(response_column="y", training_frame=fr.key, hidden=[8], epochs=20.0,
                                      loss=loss, seed=3, reproducible=True), fr)
    assert model.output["model_category"] == "Binomial"
    assert model.output["training_metrics"]["classification_error"] < 0.08
    assert model.predict(fr, "p").names == ["predict", "no", "yes"]


def test_regression_predicts_on_the_original_scale():
    fr = synthetic_regression()
    model = train_deeplearning(params(response_column="y", training_frame=fr.key, hidden=[20], epochs=50.0,
                                      activation="Tanh", seed=2, reproducible=True), fr)
    assert model.output["model_category"] == "Regression"
    pred = model.predict(fr, "p").column("predict").data
    assert np.sqrt(np.mean((pred - fr.column("y").data) ** 2)) < 0.6
    assert model.score(fr)["MSE"] < 0.4
    assert "training_deviance" in model.output["scoring_history"][-1]


# ----------------------------------------------------------------------------- optimizers, regularisation
@pytest.mark.parametrize("opt", [dict(adaptive_rate=False, rate=0.01, momentum_start=0.5, momentum_ramp=1000,
                                      momentum_stable=0.9, nesterov_accelerated_gradient=False),
                                 dict(adaptive_rate=False, rate=0.01, momentum_start=0.5, momentum_stable=0.9,
                                      nesterov_accelerated_gradient=True),
                                 dict(adaptive_rate=False, rate=0.05, rate_annealing=1e-4, rate_decay=0.8),
                                 dict(l1=1e-4, l2=1e-4, max_w2=5.0, fast_mode=False)])
def test_optimizer_and_regularisation_modes(iris, opt):
    model = train_deeplearning(iris_params(**opt), iris)
    assert model.output["training_metrics"]["classification_error"] < 0.15
    if "max_w2" in opt:
        w = model.model_info.weights(0)
        assert ((w.astype(np.float64) ** 2).sum(axis=1) <= 5.0 * 1.001).all()


def test_huge_manual_rate_fails_with_the_instability_message(iris):
    with pytest.raises(Exception, match="numerical instability"):
        train_deeplearning(iris_params(adaptive_rate=False, rate=1.0, rate_annealing=0.0, momentum_start=0.9,
                                       momentum_stable=0.99, activation="Rectifier", hidden=[50, 50],
                                       initial_weight_distribution="Normal", initial_weight_scale=10.0,
                                       epochs=50.0), iris)


# ----------------------------------------------------------------------------- reproducibility
@pytest.mark.blas_determinism
def test_reproducible_runs_are_bit_identical(iris):
    """reproducible on the same machine: bit-identical models (training is one thread; the scoring
    that picks the best model is split-invariant, test_scoring_blocks.py)."""
    p = iris_params(activation="RectifierWithDropout", input_dropout_ratio=0.1, l1=1e-5, epochs=5.0, seed=42)
    a, b = train_deeplearning(p, iris), train_deeplearning(p, iris)
    assert np.array_equal(a.model_info.w, b.model_info.w) and np.array_equal(a.model_info.b, b.model_info.b)


# ----------------------------------------------------------------------------- stopping, best model
def test_classification_stop_ends_training_early():
    fr = synthetic_binary(n=200)
    model = train_deeplearning(params(response_column="y", training_frame=fr.key, hidden=[16], epochs=1000.0,
                                      classification_stop=0.05, seed=1, reproducible=True,
                                      train_samples_per_iteration=200, score_interval=0.0,
                                      score_duty_cycle=1.0), fr)
    assert model.output["epoch_counter"] < 1000
    assert model.output["training_metrics"]["classification_error"] <= 0.05


def test_samples_per_iteration_and_scoring_every_iteration(iris):
    model = train_deeplearning(iris_params(epochs=2.0, train_samples_per_iteration=75, score_interval=0.0,
                                           score_duty_cycle=1.0, classification_stop=-1.0,
                                           override_with_best_model=False), iris)
    hist = model.output["scoring_history"]
    assert [e["samples"] for e in hist] == [75, 150, 225, 300]
    assert [e["iterations"] for e in hist] == [1, 2, 3, 4]


def test_override_with_best_model_keeps_the_best_scored_weights(iris):
    settings = dict(epochs=10.0, train_samples_per_iteration=30, score_interval=0.0, score_duty_cycle=1.0,
                    classification_stop=-1.0, adaptive_rate=False, rate=0.1, rate_annealing=0.0)
    plain = train_deeplearning(iris_params(override_with_best_model=False, **settings), iris, valid=iris)
    plain_errors = [e["validation_classification_error"] for e in plain.output["scoring_history"]]
    # the setting only matters when the last iteration is not the best one: make sure it is not
    assert min(plain_errors) < plain_errors[-1]

    best = train_deeplearning(iris_params(override_with_best_model=True, **settings), iris, valid=iris)
    hist = best.output["scoring_history"]
    # the same run up to the end (reproducible), then the best weights restored and scored once more
    assert [e["validation_classification_error"] for e in hist[:-1]] == plain_errors
    assert hist[-1]["validation_classification_error"] == pytest.approx(min(plain_errors))
    assert best.score(iris)["classification_error"] == pytest.approx(min(plain_errors))
    assert plain.score(iris)["classification_error"] == pytest.approx(plain_errors[-1])
    assert not np.array_equal(best.model_info.w, plain.model_info.w)


# ----------------------------------------------------------------------------- checkpoint
def test_checkpoint_restart_continues_history_and_leaves_the_checkpoint_alone(iris):
    first = train_deeplearning(iris_params(epochs=1.0, score_interval=0.0, score_duty_cycle=1.0), iris,
                               model_id="ck1")
    w_before = first.model_info.w.copy()
    more = train_deeplearning(iris_params(epochs=3.0, checkpoint="ck1", score_interval=0.0, score_duty_cycle=1.0),
                              iris, checkpoint_model=first, model_id="ck2")
    epochs = [e["epochs"] for e in more.output["scoring_history"]]
    assert epochs[0] == pytest.approx(first.output["scoring_history"][-1]["epochs"])
    assert all(b > a for a, b in zip(epochs, epochs[1:])) and epochs[-1] == pytest.approx(3.0)
    assert np.array_equal(first.model_info.w, w_before) and first.model_id == "ck1"
    assert more.model_info.processed == 450
    with pytest.raises(ValidationError):
        train_deeplearning(iris_params(epochs=1.0, checkpoint="ck2"), iris, checkpoint_model=more)


# ----------------------------------------------------------------------------- cross-validation
def test_cross_validation_models_and_metrics(iris):
    model = train_deeplearning(iris_params(nfolds=3, epochs=10.0, reproducible=False), iris, model_id="cvm")
    out = model.output
    assert out["cross_validation_models"] == ["cvm_cv_1", "cvm_cv_2", "cvm_cv_3"]
    assert [m.model_id for m in model.cv_models] == out["cross_validation_models"]
    cv = out["cross_validation_metrics"]
    assert cv["nobs"] == 150 and cv["classification_error"] < 0.2
    assert all(m.output["training_rows"] == 100 for m in model.cv_models)


# ----------------------------------------------------------------------------- balance_classes
def test_balance_classes_resamples_and_corrects_probabilities():
    fr = synthetic_binary(n=600, positive=0.1)
    model = train_deeplearning(params(response_column="y", training_frame=fr.key, hidden=[8], epochs=5.0,
                                      balance_classes=True, seed=5, reproducible=True), fr)
    np.testing.assert_allclose(model.model_class_dist, [0.5, 0.5], atol=0.05)
    np.testing.assert_allclose(model.prior_class_dist, [0.9, 0.1], atol=1e-9)
    assert model.output["training_rows"] > 1000
    p_yes = model.predict(fr, "p").column("yes").data
    assert 0.05 < p_yes.mean() < 0.2  # corrected back towards the prior


# ----------------------------------------------------------------------------- variable importances
def test_variable_importances(iris):
    model = train_deeplearning(iris_params(variable_importances=True, epochs=5.0), iris)
    vi = model.output["variable_importances"]
    assert sorted(r[0] for r in vi) == ["C1", "C2", "C3", "C4"]
    assert vi[0][2] == pytest.approx(1.0)


# ----------------------------------------------------------------------------- cancel
class StopAfter:
    def __init__(self, updates):
        self.updates, self.progress, self.messages = updates, 0.0, []

    def update(self, progress, msg=None):
        self.progress = progress
        self.messages.append(msg)
        self.updates -= 1

    @property
    def stop_requested(self):
        return self.updates <= 0


def test_cancel_keeps_the_model_trained_so_far(iris):
    job = StopAfter(3)
    model = train_deeplearning(iris_params(epochs=1000.0, reproducible=True), iris, job=job)
    assert model.output["status"] == "CANCELLED"
    assert 0 < model.model_info.processed < 150_000
    assert model.output["training_metrics"] is not None
    assert model.predict(iris, "p").nrows == 150


# ----------------------------------------------------------------------------- autoencoder (booklet 4.2)
def test_ecg_autoencoder_flags_the_three_anomalies(ecg):
    train, test = ecg
    p = params(training_frame="ecg_train", autoencoder=True, hidden=[50, 20, 50], activation="Tanh", l1=1e-4,
               epochs=100.0, seed=1)
    model = train_deeplearning(p, train)
    assert model.output["model_category"] == "AutoEncoder"
    mse = model.anomaly(test, "anomaly").column("Reconstruction.MSE").data
    assert set(np.argsort(mse)[-3:]) == {20, 21, 22}
    recon = model.predict(test, "recon")
    assert recon.ncols == 210 and recon.names[0] == "reconstr_C1"
    assert model.output["scoring_history"][0]["samples"] == 0   # the null model is scored first


def test_saved_state_round_trip(iris):
    from h2o_backend.engine.model import DeepLearningModel
    model = train_deeplearning(iris_params(epochs=2.0), iris)
    back = DeepLearningModel.from_state(model.to_state())
    a = model.predict(iris, "a").column("Iris-setosa").data
    b = back.predict(iris, "b").column("Iris-setosa").data
    np.testing.assert_array_equal(a, b)      # the same weights scored the same way: bit for bit
    assert dataclasses.asdict(back.params) == dataclasses.asdict(model.params)


def _summary_stats(model) -> list:
    table = model.output["model_summary"]
    cols = {c["name"]: col for c, col in zip(table["columns"], table["data"])}
    return [cols[n][1:] for n in ("mean_weight", "weight_rms", "mean_bias", "bias_rms")]


def test_diagnostics_decides_whether_the_summary_has_layer_statistics():
    frame = synthetic_binary(n=120)
    base = dict(training_frame=frame.key, response_column="y", hidden=[4], epochs=1.0, seed=3, reproducible=True)
    with_stats = train_deeplearning(params(**base), frame)
    without = train_deeplearning(params(**base, diagnostics=False), frame)
    assert all(v is not None for col in _summary_stats(with_stats) for v in col)
    assert all(v is None for col in _summary_stats(without) for v in col)
    # only the report changes, not the model
    np.testing.assert_array_equal(with_stats.model_info.w, without.model_info.w)


def test_quiet_mode_silences_the_scoring_log(caplog):
    frame = synthetic_binary(n=120)
    base = dict(training_frame=frame.key, response_column="y", hidden=[4], epochs=1.0, seed=3, reproducible=True)
    with caplog.at_level("INFO", logger="h2o_backend.engine.training"):
        train_deeplearning(params(**base), frame, model_id="talkative")
    lines = [r.getMessage() for r in caplog.records if r.name == "h2o_backend.engine.training"]
    assert lines and all(line.startswith("talkative: epoch ") and "training error" in line for line in lines)
    caplog.clear()
    with caplog.at_level("INFO", logger="h2o_backend.engine.training"):
        train_deeplearning(params(**base, quiet_mode=True), frame, model_id="quiet")
    assert not [r for r in caplog.records if r.name == "h2o_backend.engine.training"]


def test_average_activation_without_a_sparse_autoencoder_is_refused():
    frame = synthetic_binary(n=60)
    with pytest.raises(ValidationError) as info:
        train_deeplearning(params(training_frame=frame.key, response_column="y", hidden=[3], epochs=1.0,
                                  average_activation=0.1), frame)
    assert [p["field"] for p in info.value.problems if p["level"] == "ERRR"] == ["average_activation"]
