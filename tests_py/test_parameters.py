"""Deep-learning parameters: defaults, the table, wire parsing, validation messages, H2O's silent
adjustments, the checkpoint-modifiable registry and the REST description (pure Python, no server)."""
from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from h2o_backend.engine import parameters as P
from h2o_backend.engine.parameters import DeepLearningParameters
from h2o_backend.frames.frame import Column, Frame
from h2o_backend.server.parameter_schema import describe
from h2o_backend.server.parameter_wire import parse_parameters

# legacy_h2o.md §3.1 with its "Decisions" table (the engine's defaults, not the booklet's older ones)
SPEC_DEFAULTS = {
    "activation": "Rectifier", "hidden": [200, 200], "epochs": 10.0, "train_samples_per_iteration": -2,
    "seed": -1, "adaptive_rate": True, "rho": 0.99, "epsilon": 1e-8, "rate": 0.005, "rate_annealing": 1e-6,
    "rate_decay": 1.0, "momentum_start": 0.0, "momentum_ramp": 1e6, "momentum_stable": 0.0,
    "nesterov_accelerated_gradient": True, "input_dropout_ratio": 0.0, "hidden_dropout_ratios": None,
    "l1": 0.0, "l2": 0.0, "max_w2": math.inf, "initial_weight_distribution": "UniformAdaptive",
    "initial_weight_scale": 1.0, "loss": "Automatic", "score_interval": 5.0, "score_training_samples": 10000,
    "score_validation_samples": 0, "score_duty_cycle": 0.1, "classification_stop": 0.0,
    "regression_stop": 1e-6, "quiet_mode": False, "max_confusion_matrix_size": 20, "max_hit_ratio_k": 10,
    "balance_classes": False, "class_sampling_factors": None, "max_after_balance_size": 5.0,
    "score_validation_sampling": "Uniform", "diagnostics": True, "variable_importances": False,
    "fast_mode": True, "ignore_const_cols": True, "force_load_balance": True, "replicate_training_data": True,
    "single_node_mode": False, "shuffle_training_data": False, "use_all_factor_levels": True,
    "autoencoder": False, "override_with_best_model": True, "nfolds": 0, "validation_frame": None,
    "checkpoint": None, "reproducible": False, "mini_batch_size": 1, "classification": None, "model_id": None,
    "training_frame": None, "response_column": None, "ignored_columns": None, "sparse": False,
    "col_major": False, "max_categorical_features": 2 ** 31 - 1, "average_activation": 0.0,
    "sparsity_beta": 0.0, "holdout_fraction": 0.0,
}
# H2O-3's parameters that legacy H2O lacked, with H2O-3's defaults (stopping_rounds: 0, legacy's
# behaviour, where H2O-3 has 5; the official client sends 5 itself).
H2O3_DEFAULTS = {
    "score_each_iteration": False, "stopping_rounds": 0, "stopping_metric": "AUTO", "stopping_tolerance": 0.0,
    "max_runtime_secs": 0.0, "distribution": "AUTO", "quantile_alpha": 0.5, "tweedie_power": 1.5,
    "huber_alpha": 0.9, "categorical_encoding": "AUTO", "export_weights_and_biases": False,
    "weights_column": None, "offset_column": None, "pretrained_autoencoder": None, "standardize": True,
    "missing_values_handling": "MeanImputation", "fold_assignment": "AUTO", "fold_column": None,
    "keep_cross_validation_models": True, "keep_cross_validation_predictions": False,
    "keep_cross_validation_fold_assignment": False, "target_ratio_comm_to_comp": 0.05, "initial_weights": None,
    "initial_biases": None, "mini_batch_size": 1, "elastic_averaging": False,
    "elastic_averaging_moving_rate": 0.9, "elastic_averaging_regularization": 0.001,
    "block_momentum": 0.0,
    "export_checkpoints_dir": None, "auc_type": "AUTO", "custom_metric_func": None, "gainslift_bins": -1,
}
SPEC_DEFAULTS = {**SPEC_DEFAULTS, **H2O3_DEFAULTS}
LEGACY_CHECKPOINT_MODIFIABLE = {
    "epochs", "train_samples_per_iteration", "seed", "l1", "l2", "max_w2", "score_interval",
    "score_duty_cycle", "classification_stop", "regression_stop", "quiet_mode", "max_confusion_matrix_size",
    "max_hit_ratio_k", "diagnostics", "variable_importances", "force_load_balance", "replicate_training_data",
    "single_node_mode", "shuffle_training_data", "sparse", "col_major",
    # H2O-3: modifiable on a checkpoint restart
    "score_each_iteration", "stopping_rounds", "stopping_metric", "stopping_tolerance", "max_runtime_secs",
    "target_ratio_comm_to_comp", "export_weights_and_biases",
    "elastic_averaging", "elastic_averaging_moving_rate", "elastic_averaging_regularization"}
H2O3_TYPES = {"enum", "int", "long", "double", "float", "boolean", "int[]", "double[]", "float[]", "string[]",
              "Key<Frame>[]",
              "Key<Frame>", "Key<Model>", "VecSpecifier", "string"}


def params(**kw) -> DeepLearningParameters:
    return dataclasses.replace(DeepLearningParameters(), **kw)


def frame(key="train", n=40, seed=0, **extra) -> Frame:
    """x1, x2 numeric, color enum (3 levels), y binary enum, r real response, k integer 0..2."""
    rng = np.random.default_rng(seed)
    cols = [Column("x1", "real", rng.normal(size=n)), Column("x2", "real", rng.normal(size=n)),
            Column("color", "enum", (np.arange(n) % 3).astype(np.int32), ["red", "green", "blue"]),
            Column("y", "enum", (np.arange(n) % 2).astype(np.int32), ["no", "yes"]),
            Column("r", "real", rng.normal(size=n) * 3 + 1), Column("k", "int", (np.arange(n) % 3).astype(float))]
    cols += [Column(name, *spec) for name, spec in extra.items()]
    return Frame(key, cols)


def errors(problems, field=None):
    return [p for p in problems if p["level"] == "ERRR" and (field is None or p["field"] == field)]


# ----------------------------------------------------------------------------- defaults and table
def test_defaults_equal_the_spec():
    p = DeepLearningParameters()
    assert {k: getattr(p, k) for k in SPEC_DEFAULTS} == SPEC_DEFAULTS


def test_dataclass_fields_follow_the_table():
    names = [f.name for f in dataclasses.fields(DeepLearningParameters)]
    assert names == [s.name for s in P.PARAMETERS] and set(names) == set(SPEC_DEFAULTS)
    assert names.index("activation") < names.index("hidden") < names.index("l1")   # grid enumeration order


def test_list_defaults_are_not_shared_and_replace_works():
    a, b = DeepLearningParameters(), DeepLearningParameters()
    a.hidden.append(5)
    assert b.hidden == [200, 200]
    c = dataclasses.replace(b, hidden=[10], l1=1e-5)
    assert c.hidden == [10] and c.l1 == 1e-5 and b.l1 == 0.0


def test_every_spec_is_complete():
    for s in P.PARAMETERS:
        assert s.type in H2O3_TYPES, s.name
        assert s.level in ("critical", "secondary", "expert"), s.name
        assert isinstance(s.checkpoint_modifiable, bool) and isinstance(s.gridable, bool), s.name
        assert len(s.help) > 20, s.name
        assert not s.choices or s.default in s.choices, s.name


def test_checkpoint_modifiable_registry_is_complete():
    # plus mini_batch_size: a per-sample model may continue on mini-batches and back (issue 10)
    # and block_momentum (this server's averaging extension, like H2O-3's elastic averaging)
    assert P.CHECKPOINT_MODIFIABLE == LEGACY_CHECKPOINT_MODIFIABLE | {"mini_batch_size", "block_momentum"}
    assert P.CHECKPOINT_FROM_REQUEST.isdisjoint(P.CHECKPOINT_MODIFIABLE)
    every = {f.name for f in dataclasses.fields(DeepLearningParameters)}
    classified = {s.name for s in P.PARAMETERS if s.checkpoint_modifiable in (True, False)}
    assert classified == every


# ----------------------------------------------------------------------------- parsing
@pytest.mark.parametrize("name, wire, expected", [
    ("hidden", "[100,200,100]", [100, 200, 100]), ("hidden", "50,50", [50, 50]), ("hidden", "7", [7]),
    ("hidden", [32, 16], [32, 16]), ("hidden", 64, [64]), ("hidden", "1e2", [100]),
    ("activation", "TanhWithDropout", "TanhWithDropout"), ("activation", "rectifier", "Rectifier"),
    ("epochs", "0.5", 0.5), ("epochs", 3, 3.0), ("l1", "1e-5", 1e-5), ("max_w2", "Inf", math.inf),
    ("max_w2", "Infinity", math.inf), ("regression_stop", "-1", -1.0),
    ("adaptive_rate", "false", False), ("adaptive_rate", "1", True), ("adaptive_rate", "TRUE", True),
    ("adaptive_rate", 0, False), ("seed", "1234567890123", 1234567890123), ("seed", 42, 42),
    ("train_samples_per_iteration", "-1", -1), ("hidden_dropout_ratios", "[0.1, 0.2]", [0.1, 0.2]),
    ("hidden_dropout_ratios", "", None), ("class_sampling_factors", "1,0.5", [1.0, 0.5]),
    ("ignored_columns", '["ID","GLEASON"]', ["ID", "GLEASON"]), ("ignored_columns", "ID,GLEASON", ["ID", "GLEASON"]),
    ("ignored_columns", "[ID, GLEASON]", ["ID", "GLEASON"]), ("ignored_columns", ["a"], ["a"]),
    ("response_column", "CAPSULE", "CAPSULE"), ("response_column", {"column_name": "C785"}, "C785"),
    ("training_frame", {"name": "train.hex"}, "train.hex"), ("training_frame", '"train.hex"', "train.hex"),
    ("checkpoint", "", None), ("classification", "", None), ("classification", "0", False),
    ("loss", "crossentropy", "CrossEntropy"), ("nfolds", "5", 5),
])
def test_wire_values_are_typed(name, wire, expected):
    p, problems = parse_parameters({name: wire})
    assert problems == []
    assert getattr(p, name) == expected


@pytest.mark.parametrize("name, wire, words", [
    ("activation", "Sigmoid", ["activation", "Tanh", "MaxoutWithDropout"]),
    ("loss", "Huber", ["loss", "Automatic", "MeanSquare", "CrossEntropy"]),
    ("initial_weight_distribution", "Gauss", ["initial_weight_distribution", "UniformAdaptive"]),
    ("score_validation_sampling", "Random", ["score_validation_sampling", "Stratified"]),
    ("epochs", "ten", ["epochs", "not a number"]), ("epochs", "NaN", ["epochs", "NaN"]),
    ("adaptive_rate", "maybe", ["adaptive_rate", "true/false"]),
    ("seed", "1.5", ["seed", "integer"]), ("nfolds", "two", ["nfolds", "integer"]),
    ("hidden", "[200,abc]", ["hidden", "abc"]), ("hidden", "(200,200),(100,100)", ["hidden", "grid"]),
    ("hidden", [[200, 200], [100]], ["hidden", "hyper_parameters"]), ("l2", True, ["l2", "boolean"]),
])
def test_bad_wire_values_name_the_field(name, wire, words):
    p, problems = parse_parameters({name: wire})
    assert [q["field"] for q in problems] == [name] and problems[0]["level"] == "ERRR"
    for w in words:
        assert w in problems[0]["message"]
    assert getattr(p, name) == SPEC_DEFAULTS[name]


def test_unknown_names_are_errors_and_generic_fields_are_skipped():
    _, problems = parse_parameters({"hiden": "[10]", "_exclude_fields": "x", "hidden": "[10]"})
    assert [(q["field"], q["level"]) for q in problems] == [("hiden", "ERRR")]
    assert "hiden" in problems[0]["message"]


# ----------------------------------------------------------------------------- validation
def check(p, train=None, valid=None, checkpoint=None):
    return P.validate(p, frame() if train is None else train, valid, checkpoint)


def test_a_good_setting_has_no_problems():
    assert errors(check(params(training_frame="train", response_column="y", hidden=[10, 10]))) == []


@pytest.mark.parametrize("kw, field, words", [
    (dict(epochs=-1.0), "epochs", [">= 0", "-1"]),
    (dict(activation="Sigmoid"), "activation", ["Sigmoid", "Tanh, TanhWithDropout"]),
    (dict(loss="Huber"), "loss", ["Huber", "MeanSquare"]),
    (dict(input_dropout_ratio=1.0), "input_dropout_ratio", ["[0, 1)"]),
    (dict(input_dropout_ratio=-0.1), "input_dropout_ratio", ["[0, 1)"]),
    (dict(activation="TanhWithDropout", hidden_dropout_ratios=[0.5]), "hidden_dropout_ratios", ["2", "dropout ratios"]),
    (dict(activation="TanhWithDropout", hidden_dropout_ratios=[0.5, 1.0]), "hidden_dropout_ratios", ["[0, 1)"]),
    (dict(hidden=[10, 0]), "hidden", ["> 0"]), (dict(hidden=[10, -5]), "hidden", ["> 0"]),
    (dict(hidden="10"), "hidden", ["list"]),
    (dict(rho=0.0), "rho", ["[0.01, 1]"]), (dict(epsilon=2.0), "epsilon", ["[1e-15, 1]"]),
    (dict(rate=0.0), "rate", ["[1e-10, 1]"]), (dict(rate_annealing=-1e-6), "rate_annealing", ["[0, 1]"]),
    (dict(momentum_start=1.0), "momentum_start", ["0.9999999999"]), (dict(momentum_ramp=0.5), "momentum_ramp", [">= 1"]),
    (dict(l1=2.0), "l1", ["[0, 1]"]), (dict(l2=-1.0), "l2", ["[0, 1]"]), (dict(max_w2=0.0), "max_w2", [">= 1e-10"]),
    (dict(score_duty_cycle=1.5), "score_duty_cycle", ["[0, 1]"]), (dict(score_interval=-1.0), "score_interval", [">= 0"]),
    (dict(classification_stop=-2.0), "classification_stop", ["[-1, 1]"]),
    (dict(regression_stop=-2.0), "regression_stop", [">= -1"]),
    (dict(train_samples_per_iteration=-3), "train_samples_per_iteration", [">= -2"]),
    (dict(max_after_balance_size=0.0), "max_after_balance_size", [">= 0.001"]),
    (dict(max_hit_ratio_k=-1), "max_hit_ratio_k", [">= 0"]),
    (dict(nfolds=-2), "nfolds", [">= 0"]), (dict(nfolds=1), "nfolds", ["0", ">= 2"]),
    (dict(nfolds=3, validation_frame="valid"), "nfolds", ["validation dataset", "cross-validation"]),
    (dict(seed=1.5), "seed", ["integer"]), (dict(adaptive_rate="yes"), "adaptive_rate", ["true or false"]),
    (dict(holdout_fraction=0.2), "holdout_fraction", ["not supported"]),
    (dict(sparsity_beta=0.1), "sparsity_beta", ["not supported"]),
    (dict(col_major=True), "col_major", ["sparse"]),
    (dict(max_categorical_features=0), "max_categorical_features", [">= 1"]),
    (dict(model_id="my model"), "model_id", ["illegal character"]),
    (dict(response_column="nope"), "response_column", ["nope", "not found"]),
    (dict(response_column=None), "response_column", ["required"]),
    (dict(ignored_columns=["x1", "zz"]), "ignored_columns", ["zz", "not found"]),
    (dict(ignored_columns=["y"]), "ignored_columns", ["response", "y"]),
    (dict(ignored_columns=["x1", "x2", "color", "r", "k"]), "ignored_columns", ["at least 2 features"]),
    (dict(response_column="r", classification=True), "classification", ["classification on float column"]),
    (dict(response_column="y", classification=False), "classification", ["regression on enum column"]),
    (dict(response_column="r", loss="CrossEntropy"), "loss", ["CrossEntropy", "regression"]),
    (dict(balance_classes=True, class_sampling_factors=[1.0, 2.0, 3.0]), "class_sampling_factors", ["2 elements"]),
    (dict(balance_classes=True, class_sampling_factors=[1.0, -2.0]), "class_sampling_factors", [">= 0"]),
    (dict(autoencoder=True, classification=True), "classification", ["autoencoder"]),
    (dict(autoencoder=True, loss="CrossEntropy"), "loss", ["MeanSquare"]),
    (dict(autoencoder=True, activation="Maxout"), "activation", ["Maxout", "auto-encoder"]),
])
def test_bad_settings_name_the_field(kw, field, words):
    base = dict(training_frame="train", response_column="y", hidden=[10, 10])
    base.update(kw)
    problems = errors(check(params(**base)), field)
    assert problems, f"no error on {field} for {kw}"
    for w in words:
        assert w in problems[0]["message"], problems[0]["message"]


def test_constant_and_missing_responses_are_rejected():
    n = 10
    train = frame(n=n, const=("real", np.full(n, 3.0)), empty=("real", np.full(n, np.nan)))
    for name in ("const", "empty"):
        problems = errors(check(params(response_column=name), train))
        assert problems[0]["field"] == "response_column" and "Constant response" in problems[0]["message"]


def test_empty_training_frame_and_string_response():
    empty = frame().take_rows(np.arange(0))
    assert "empty dataset" in errors(check(params(response_column="y"), empty))[0]["message"]
    train = frame(n=4, s=("string", np.array(["a", "b", None, "c"], dtype=object)))
    assert "string column" in errors(check(params(response_column="s"), train), "response_column")[0]["message"]


def test_integer_response_may_be_classified_and_autoencoders_need_no_response():
    assert errors(check(params(response_column="k", classification=True))) == []
    assert errors(check(params(response_column="k"))) == []     # regression by default
    assert errors(check(params(autoencoder=True, response_column=None))) == []


def test_warnings_for_settings_without_effect():
    problems = check(params(response_column="y", hidden=[5, 5], hidden_dropout_ratios=[0.2, 0.2], sparse=True,
                            momentum_start=0.5, class_sampling_factors=[1.0, 1.0]))
    warned = {p["field"] for p in problems if p["level"] == "WARN"}
    assert {"hidden_dropout_ratios", "sparse", "adaptive_rate", "class_sampling_factors"} <= warned
    assert errors(problems) == []


def test_constant_and_string_predictors_are_reported_not_errors():
    n = 12
    train = frame(n=n, c=("real", np.ones(n)), s=("string", np.array(["q"] * n, dtype=object)))
    problems = check(params(response_column="y"), train)
    assert errors(problems) == []
    assert any(p["field"] == "ignore_const_cols" and "c" in p["message"] for p in problems)
    assert any(p["level"] == "WARN" and "String columns" in p["message"] for p in problems)


def test_categorical_inputs_beyond_max_categorical_features_are_refused():
    problems = errors(check(params(response_column="y", max_categorical_features=2)), "max_categorical_features")
    assert "hashing" in problems[0]["message"] and "not supported" in problems[0]["message"]
    assert errors(check(params(response_column="y", max_categorical_features=3))) == []


def test_validation_frame_must_hold_the_response_and_the_predictors():
    base = params(response_column="y", validation_frame="valid")
    no_resp = Frame("valid", [c for c in frame().columns if c.name != "y"])
    assert "response column called y" in errors(check(base, valid=no_resp), "validation_frame")[0]["message"]
    no_x1 = Frame("valid", [c for c in frame().columns if c.name != "x1"])
    assert "x1" in errors(check(base, valid=no_x1), "validation_frame")[0]["message"]
    assert errors(check(base, valid=frame("valid", seed=3))) == []


def test_validation_frame_with_unseen_levels_needs_a_way_to_encode_them():
    valid = frame("valid")
    col = valid.column("color")
    col.domain = ["red", "green", "purple"]
    strict = params(response_column="y", validation_frame="valid", use_all_factor_levels=False)
    assert "use_all_factor_levels=true" in errors(check(strict, valid=valid), "validation_frame")[0]["message"]
    assert errors(check(dataclasses.replace(strict, use_all_factor_levels=True), valid=valid)) == []


class FakeCheckpoint:
    def __init__(self, p, train, epochs=2.0, unstable=False):
        from h2o_backend.engine.data.datainfo import DataInfo
        self.params = P.effective_parameters(p, train=train)
        self.datainfo = DataInfo.fit(train, self.params)
        self.output = {"epoch_counter": epochs}
        self.model_info = type("MI", (), {"unstable": unstable, "epoch_counter": epochs})()


def test_checkpoint_checks():
    train = frame()
    base = params(response_column="y", hidden=[10], epochs=5.0, checkpoint="ck")
    ck = FakeCheckpoint(dataclasses.replace(base, checkpoint=None), train)
    assert errors(check(base, train, checkpoint=ck)) == []
    assert "must be the same" in errors(check(dataclasses.replace(base, response_column="r"), train,
                                              checkpoint=ck), "response_column")[0]["message"]
    assert "larger than" in errors(check(dataclasses.replace(base, epochs=2.0), train, checkpoint=ck), "epochs")[0]["message"]
    lacking = Frame("t2", [c for c in train.columns if c.name != "x2"])
    assert "x2" in errors(check(base, lacking, checkpoint=ck), "training_frame")[0]["message"]
    unstable = FakeCheckpoint(dataclasses.replace(base, checkpoint=None), train, unstable=True)
    assert "unstable" in errors(check(base, train, checkpoint=unstable), "checkpoint")[0]["message"]
    assert "Cross-validation" in errors(check(dataclasses.replace(base, nfolds=3), train, checkpoint=ck), "nfolds")[0]["message"]
    warned = check(dataclasses.replace(base, ignored_columns=["x1"], score_interval=1.0), train, checkpoint=ck)
    assert {p["field"] for p in warned if p["level"] == "WARN"} >= {"ignored_columns"}
    assert errors(warned) == []


def test_checkpoint_restart_refuses_structural_changes_naming_both_values():
    train = frame()
    base = params(response_column="y", hidden=[10], epochs=5.0, checkpoint="ck", activation="Tanh")
    ck = FakeCheckpoint(dataclasses.replace(base, checkpoint=None), train)
    for name, value, shown in (("hidden", [20], "[20]"), ("activation", "Maxout", "'Maxout'"),
                               ("rho", 0.9, "0.9"), ("adaptive_rate", False, "False")):
        problem = errors(check(dataclasses.replace(base, **{name: value}), train, checkpoint=ck), name)
        assert problem, name
        assert "Cannot change parameter" in problem[0]["message"] and shown in problem[0]["message"]
    hidden = errors(check(dataclasses.replace(base, hidden=[20]), train, checkpoint=ck), "hidden")[0]
    assert "[10]" in hidden["message"]


@pytest.mark.parametrize("name,value", [("epochs", float("inf")), ("l1", float("inf")),
                                         ("rate", float("-inf")), ("initial_weight_scale", float("inf")),
                                         ("score_interval", float("inf"))])
def test_non_finite_numbers_are_refused_naming_the_parameter(name, value):
    problem = errors(check(params(response_column="y", **{name: value}), frame()), name)
    assert problem and "finite" in problem[0]["message"]


def test_max_w2_may_be_infinite():
    assert errors(check(params(response_column="y", max_w2=float("inf")), frame()), "max_w2") == []


# ----------------------------------------------------------------------------- effective parameters
def test_effective_adjustments():
    train = frame()
    e = P.effective_parameters(params(response_column="y", momentum_start=0.5, momentum_stable=0.9), train=train)
    assert (e.momentum_start, e.momentum_stable, e.rho, e.epsilon) == (0.0, 0.0, 0.99, 1e-8)
    assert e.loss == "CrossEntropy" and e.classification is True
    assert e.replicate_training_data is False and e.single_node_mode is False
    m = P.effective_parameters(params(response_column="r", adaptive_rate=False, momentum_start=0.5), train=train)
    assert (m.rho, m.epsilon, m.momentum_start) == (0.0, 0.0, 0.5) and m.loss == "MeanSquare"
    assert m.classification is False
    d = P.effective_parameters(params(response_column="y", activation="RectifierWithDropout", hidden=[5, 6, 7]),
                               train=train)
    assert d.hidden_dropout_ratios == [0.5, 0.5, 0.5]
    kept = P.effective_parameters(params(activation="TanhWithDropout", hidden=[5], hidden_dropout_ratios=[0.2]))
    assert kept.hidden_dropout_ratios == [0.2]
    assert P.effective_parameters(params(hidden_dropout_ratios=[0.2, 0.2])).hidden_dropout_ratios is None
    a = P.effective_parameters(params(autoencoder=True, use_all_factor_levels=False), train=train)
    assert a.use_all_factor_levels is True and a.loss == "MeanSquare" and a.classification is False
    cv = P.effective_parameters(params(response_column="k", classification=True, nfolds=3), train=train)
    assert cv.override_with_best_model is False and cv.loss == "CrossEntropy"
    v = P.effective_parameters(params(response_column="r", score_validation_sampling="Stratified"), train=train,
                               valid=train)
    assert v.score_validation_sampling == "Uniform" and v.nfolds == 0


def test_effective_parameters_leave_the_input_alone():
    p = params(response_column="y", momentum_start=0.5)
    P.effective_parameters(p, train=frame())
    assert p.momentum_start == 0.5 and p.loss == "Automatic" and p.classification is None


# ----------------------------------------------------------------------------- REST description
def test_describe_gives_h2o3_parameter_entries():
    p = params(training_frame="train.hex", response_column="y", checkpoint="m1", hidden=[10])
    e = P.effective_parameters(p, train=frame())
    for spec in P.PARAMETERS:
        d = describe(spec, e, p)
        assert set(d) >= {"name", "label", "help", "required", "type", "default_value", "actual_value",
                          "input_value", "level", "values", "gridable"}
        assert d["type"] in H2O3_TYPES and d["level"] in ("critical", "secondary", "expert")
        json.dumps(d, allow_nan=True)
    assert describe("activation", e)["values"] == list(P.ACTIVATIONS)
    assert describe("loss", e, p)["actual_value"] == "CrossEntropy"
    assert describe("loss", e, p)["input_value"] == "Automatic"
    assert describe("training_frame", e)["actual_value"]["name"] == "train.hex"
    assert describe("response_column", e)["actual_value"]["column_name"] == "y"
    assert describe("checkpoint", e)["actual_value"]["type"] == "Key<Model>"
    assert describe("validation_frame", e)["actual_value"] is None
    assert describe("training_frame", e)["required"] is True
    assert describe("hidden", e)["default_value"] == [200, 200]


def test_all_problems_are_reported_at_once():
    problems = errors(check(params(response_column="nope", hidden=[0, 5], l1=2.0, epochs=-1.0, nfolds=1)))
    assert {p["field"] for p in problems} == {"response_column", "hidden", "l1", "epochs", "nfolds"}
    typed = errors(check(params(response_column="y", hidden=[0], l1="x")))
    assert [p["field"] for p in typed] == ["l1"]           # a wrong type stops the rules that need types
