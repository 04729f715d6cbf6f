"""Checks of H2O-3's deep-learning parameters that legacy H2O lacked (table.py, after
``ALIASES``): options this engine does not implement are refused by name; the distribution, its
parameters and the stopping metric must fit the problem (classification, regression,
autoencoder) as H2O-3's DeepLearningParameters.validate and ModelBuilder.checkDistributions
say (stopping_metric custom or custom_increasing needs a custom_metric_func, as H2O-3's
ModelBuilder.init); the weights and offset columns: validate_columns.py."""
from __future__ import annotations


import numpy as np

from h2o_backend.engine import stopping
from h2o_backend.engine.data import datainfo as di
from h2o_backend.engine.parameters import validate_columns
from h2o_backend.engine.parameters.table import PARAMETERS
from h2o_backend.engine.problems import CLASSIFICATION

CLASSIFICATION_METRICS = ("logloss", "misclassification", "mean_per_class_error")
BINOMIAL_METRICS = ("AUC", "AUCPR")
REGRESSION_METRICS = ("deviance", "MAE")
CLASSIFICATION_FAMILIES = ("bernoulli", "multinomial")
REGRESSION_FAMILIES = ("gaussian", "poisson", "gamma", "tweedie", "laplace", "quantile", "huber")
NON_NEGATIVE_RESPONSE = {"poisson": "Poisson", "gamma": "Gamma", "tweedie": "Tweedie"}


def _shown(value) -> str:
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def check_supported(params, p) -> None:
    """An H2O-3 option given with a value this engine does not implement: refused by name."""
    for spec in PARAMETERS:
        if not spec.supported:
            continue
        value = getattr(params, spec.name, spec.default)
        if value in spec.supported or (isinstance(value, (list, tuple)) and not value and None in spec.supported):
            continue
        allowed = ", ".join(_shown(v) for v in spec.supported)
        p.add(spec.name, f"{spec.name} = {_shown(value)} is not supported by this server (an H2O-3 option "
                         f"it does not implement); supported: {allowed}")


def _problem_of(params, train) -> str | None:
    """Binomial / Multinomial / Regression / AutoEncoder, or None when the response is unusable
    (check_training_frame reports that)."""
    if params.autoencoder:
        return "AutoEncoder"
    name = params.response_column
    if train is None or not name or not train.has_column(name):
        return None
    col = train.column(name)
    if col.type == "string":
        return None
    classify = col.is_enum if params.classification is None else bool(params.classification)
    if not classify:
        return "Regression"
    return "Binomial" if len(di.class_labels(col)) == 2 else "Multinomial"


def check_h2o3_settings(params, train, p) -> None:
    check_supported(params, p)
    if params.fold_column:
        _check_fold_column(params, train, p)
    if params.max_runtime_secs and params.max_runtime_secs < 0:
        p.add("max_runtime_secs", "max_runtime_secs must be >= 0")
    if params.stopping_metric in stopping.CUSTOM_METRICS and not params.custom_metric_func:
        p.add("custom_metric_func", stopping.NO_CUSTOM_METRIC)      # H2O-3: whatever stopping_rounds is
    problem = _problem_of(params, train)
    validate_columns.check_special_columns(params, train, problem, p)
    if problem is None:
        return
    _check_distribution(params, problem, p)
    if problem == "Regression":
        _check_family_settings(params, train, p)
    if params.fold_assignment == "Stratified" and params.nfolds >= 2 and problem not in CLASSIFICATION:
        p.add("fold_assignment", f"fold_assignment = Stratified needs a classification response; this is a "
                                 f"{problem} problem")
    _check_stopping_metric(params.stopping_metric, problem, p)


def _check_fold_column(params, train, p) -> None:
    name = params.fold_column
    if params.nfolds:
        p.add("fold_column", "Cannot specify both nfolds and fold_column (nfolds must be 0)")
    if params.validation_frame:
        p.add("fold_column", "Cannot specify a validation dataset together with a fold_column")
    if params.checkpoint:
        p.add("fold_column", "Cross-validation (fold_column) is not supported during checkpoint restarts")
    if train is None:
        return
    if not train.has_column(name):
        p.add("fold_column", f"fold_column: column '{name}' not found in the training frame '{train.key}'")
        return
    if name == params.response_column:
        p.add("fold_column", f"The fold column '{name}' cannot be the response column")
    col = train.column(name)
    if col.type == "string" or not (col.is_enum or di.is_integer_valued(col)):
        p.add("fold_column", f"Fold column '{name}' must be categorical or integer-valued")
    elif np.any(col.missing_mask()):
        p.add("fold_column", f"Fold column '{name}' cannot have missing values")
    elif np.unique(col.data if col.is_enum else col.as_float()).size < 2:
        p.add("fold_column", f"Fold column '{name}' must have at least 2 distinct values (folds)")


def _check_distribution(params, problem: str, p) -> None:
    dist, response = params.distribution, params.response_column
    if problem == "AutoEncoder":
        if dist not in ("AUTO", "gaussian"):
            p.add("distribution", f"distribution = {dist} does not apply to an autoencoder (it reconstructs its "
                                  "inputs with the squared error): use AUTO or gaussian")
    elif problem in CLASSIFICATION and dist in REGRESSION_FAMILIES:
        p.add("distribution", f"{dist} distribution is not allowed for classification (response '{response}' "
                              f"makes a {problem} problem).")
    elif problem == "Regression" and dist in CLASSIFICATION_FAMILIES:
        p.add("distribution", f"{dist} distribution is not allowed for regression (response '{response}' is "
                              "numeric).")
    elif dist == "bernoulli" and problem != "Binomial":
        p.add("distribution", f"Binomial requires the response to be a 2-class categorical; response "
                              f"'{response}' makes a {problem} problem (distribution = bernoulli)")


def _check_family_settings(params, train, p) -> None:
    """The loss and response range each regression family allows (H2O-3: deviance families only
    with the Automatic loss; laplace, quantile and huber with Automatic or their own loss, which
    legacy H2O's loss choices lack, so Automatic here)."""
    dist = params.distribution
    if dist in ("poisson", "gamma", "tweedie") and params.loss != "Automatic":
        p.add("distribution", f"Only Automatic loss (deviance) is allowed for {dist} distribution "
                              f"(loss = {params.loss}).")
    elif dist in ("laplace", "quantile", "huber") and params.loss != "Automatic":
        p.add("distribution", f"Only Automatic loss is allowed for {dist} distribution (loss = {params.loss}).")
    if dist == "tweedie" and not 1 < params.tweedie_power < 2:
        p.add("tweedie_power", f"Tweedie power must be between 1 and 2 (exclusive), got {params.tweedie_power}.")
    if dist in NON_NEGATIVE_RESPONSE and train is not None:
        span = di.value_range(train.column(params.response_column))
        if span is not None and span[0] < 0:
            p.add("response_column", f"Response must be non-negative for {NON_NEGATIVE_RESPONSE[dist]} "
                                     f"distribution (response '{params.response_column}' has {span[0]:g}).")


def _check_stopping_metric(metric: str, problem: str, p) -> None:
    classifier = problem in CLASSIFICATION
    if metric in BINOMIAL_METRICS and problem != "Binomial":
        p.add("stopping_metric", f"stopping_metric = {metric} is only for binomial classification, "
                                 f"not {problem}")
    elif metric in CLASSIFICATION_METRICS and not classifier:
        p.add("stopping_metric", f"stopping_metric = {metric} is only for classification, not {problem}")
    elif metric in REGRESSION_METRICS and problem != "Regression":
        p.add("stopping_metric", f"stopping_metric = {metric} is only for regression, not {problem}")


