"""H2O-3's deep-learning parameters in the engine (pure Python, no server): fold assignments,
refusal by name of options the engine does not implement, fit of distribution, offset and stopping
metric to the problem. (Weights, offsets and the families' own rules: test_model_families.py.)"""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from h2o_backend.engine import crossval
from h2o_backend.engine.parameters import DeepLearningParameters, validate
from h2o_backend.frames.frame import Column, Frame


def frame(n=60) -> Frame:
    rng = np.random.default_rng(0)
    return Frame("t", [Column("x", "real", rng.normal(size=n)),
                       Column("y", "enum", (np.arange(n) % 3 == 0).astype(np.int32), ["no", "yes"]),
                       Column("r", "real", rng.normal(size=n)),
                       Column("k", "int", (np.arange(n) % 3).astype(float))])


def errors(**kw) -> dict:
    kw.setdefault("response_column", "y")
    params = dataclasses.replace(DeepLearningParameters(), training_frame="t", hidden=[3], **kw)
    return {p["field"]: p["message"] for p in validate(params, frame()) if p["level"] == "ERRR"}


def test_modulo_folds_follow_the_row_number():
    assert list(crossval.modulo_folds(7, 3)) == [0, 1, 2, 0, 1, 2, 0]


def test_stratified_folds_keep_each_class_in_proportion():
    classes = np.array([0] * 30 + [1] * 9 + [-1] * 3)
    folds = crossval.stratified_folds(classes, 3, seed=5)
    for c in (0, 1, -1):
        counts = np.bincount(folds[classes == c], minlength=3)
        assert counts.max() - counts.min() <= 1, (c, counts)
    sizes = np.bincount(folds, minlength=3)
    assert sizes.max() - sizes.min() <= 1
    assert list(crossval.stratified_folds(classes, 3, seed=5)) == list(folds)     # seeded


@pytest.mark.parametrize("setting, field", [
    ({"distribution": "quasibinomial"}, "distribution"),        # H2O-3's deep learning does not train it
    ({"distribution": "modified_huber"}, "distribution"),
    ({"categorical_encoding": "Eigen"}, "categorical_encoding"),
    ({"standardize": False}, "standardize"),
    ({"missing_values_handling": "Skip"}, "missing_values_handling"),
    ({"auc_type": "MACRO_OVR"}, "auc_type"),
])
def test_unimplemented_options_are_refused_by_name(setting, field):
    problems = errors(**setting)
    assert field in problems and "not supported by this server" in problems[field]


@pytest.mark.parametrize("setting, field, ok_response, wrong_response", [
    ({"distribution": "gaussian"}, "distribution", "r", "y"),
    ({"distribution": "tweedie"}, "response_column", "k", "r"),     # r has negative values
    ({"distribution": "poisson"}, "distribution", "k", "y"),
    ({"distribution": "huber"}, "distribution", "r", "y"),
    ({"distribution": "bernoulli"}, "distribution", "y", "r"),
    ({"distribution": "multinomial"}, "distribution", "y", "r"),
    ({"offset_column": "x"}, "offset_column", "r", "y"),            # Offset is only supported for regression
    ({"stopping_metric": "AUC"}, "stopping_metric", "y", "r"),
    ({"stopping_metric": "deviance"}, "stopping_metric", "r", "y"),
    ({"fold_assignment": "Stratified", "nfolds": 3}, "fold_assignment", "y", "r"),
])
def test_settings_must_fit_the_problem(setting, field, ok_response, wrong_response):
    assert field in errors(response_column=wrong_response, **setting)
    assert field not in errors(response_column=ok_response, **setting)


def test_fold_column_folds_and_checks():
    col = Column("f", "int", np.array([3.0, 1.0, 3.0, 2.0]))
    assert list(crossval.column_folds(col)) == [2, 0, 2, 1]
    enum = Column("e", "enum", np.array([1, 0, 1], dtype=np.int32), ["a", "b"])
    assert list(crossval.column_folds(enum)) == [1, 0, 1]
    assert "fold_column" in errors(fold_column="x")           # real-valued
    assert "fold_column" in errors(fold_column="nope")        # missing
    assert "fold_column" in errors(fold_column="y")           # the response
    assert "fold_column" not in errors(fold_column="k", response_column="y")


def test_supported_h2o3_values_validate_cleanly():
    assert errors(distribution="multinomial", categorical_encoding="OneHotInternal", stopping_rounds=3,
                  stopping_metric="misclassification", max_runtime_secs=10.0, score_each_iteration=True,
                  export_weights_and_biases=True, fold_assignment="Modulo", nfolds=2, auc_type="NONE") == {}
