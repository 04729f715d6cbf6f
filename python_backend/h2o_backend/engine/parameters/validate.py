"""``validate``: every check of legacy_h2o.md §3.2 that can be made before training starts.

Problems are ``{"field", "level", "message"}`` with level ERRR (training must not start), WARN
(a setting has no effect or is replaced) or INFO; messages name the parameter and the allowed
values or range. Checks, in order: each value against its table entry (type, choices, range),
rules between settings, the training frame (response, columns, problem type), the validation
frame, and a checkpoint.
"""
from __future__ import annotations

import math
import numbers
import re

import numpy as np

from h2o_backend.engine.data import datainfo as di
from h2o_backend.engine.parameters import validate_columns, validate_h2o3, validate_structure
from h2o_backend.engine.parameters.table import (CHECKPOINT_FROM_REQUEST, CHECKPOINT_REFUSED, PARAMETERS,
                                                 SPECS, ParamSpec)

KEY_ILLEGAL = re.compile(r"[\s!@#$%^&*()+={}\[\]|\\;:\"'<>,/?]")
NOT_COMPARED_ON_RESTART = CHECKPOINT_FROM_REQUEST | {"response_column", "ignored_columns", "nfolds"}


class Problems:
    def __init__(self):
        self.items: list[dict] = []

    def add(self, field: str, message: str, level: str = "ERRR") -> None:
        self.items.append({"field": field, "level": level, "message": message})

    def warn(self, field: str, message: str) -> None:
        self.add(field, message, "WARN")

    def info(self, field: str, message: str) -> None:
        self.add(field, message, "INFO")

    def has_errors(self) -> bool:
        return any(p["level"] == "ERRR" for p in self.items)


def validate(params, train, valid=None, checkpoint=None) -> list[dict]:
    """All problems of ``params`` for training on ``train`` (a Frame), with an optional validation
    Frame and checkpoint model (an object with ``.datainfo`` and ``.params``)."""
    p = Problems()
    if not check_values(params, p):
        return p.items          # a value of the wrong type: the rules below would not apply
    if getattr(train, "held_on_cluster", False):
        _check_cluster_frame(params, train, p)
        if p.has_errors():
            return p.items      # the column checks below need the values of such columns
    check_settings(params, valid, checkpoint, p)
    validate_structure.check_structure_settings(params, checkpoint, p)
    validate_h2o3.check_h2o3_settings(params, train, p)
    if train is not None:
        info = check_training_frame(params, train, checkpoint, p)
        if valid is not None and info is not None:
            check_validation_frame(params, valid, info, p)
    if checkpoint is not None and train is not None:
        check_checkpoint(params, train, checkpoint, p)
    return p.items


# ---------------------------------------------------------------------------- single values
def _is_number(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def check_value(spec: ParamSpec, v) -> str | None:
    """The problem with one value (type, choices, range), or None."""
    return type_problem(spec, v) or (_range_problem(spec, v) if spec.type in NUMERIC and v is not None else None)


NUMERIC = ("int", "long", "double", "float")


def type_problem(spec: ParamSpec, v) -> str | None:
    """The problem with the type (or enum choice) of one value, or None."""
    if v is None:
        return None if spec.nullable else f"{spec.name} must be given"
    t = spec.type
    if t == "boolean":
        return None if isinstance(v, (bool, np.bool_)) else f"{spec.name} must be true or false, got {v!r}"
    if t == "enum":
        return None if v in spec.choices else f"{spec.name}: '{v}' is not a valid value; expected {spec.range_text()}"
    if t in ("int", "long"):
        ok = _is_number(v) and math.isfinite(v) and v == math.floor(v)
        return None if ok else f"{spec.name} must be an integer, got {v!r}"
    if t in ("double", "float"):
        if not _is_number(v) or math.isnan(v):
            return f"{spec.name} must be a number, got {v!r}"
        if math.isinf(v) and not _may_be_infinite(spec):
            return f"{spec.name} must be a finite number, got {v!r}"
        return None
    if t.endswith("[]"):
        if not isinstance(v, (list, tuple)):
            return f"{spec.name} must be a list, got {v!r}"
        if t == "Key<Frame>[]":         # H2O-3: an entry may be null (that layer starts at random)
            bad = [x for x in v if x is not None and not isinstance(x, str)]
            return f"{spec.name} must be a list of frame keys (or nulls), got {bad[0]!r}" if bad else None
        if t == "string[]":
            bad = [x for x in v if not isinstance(x, str)]
            return f"{spec.name} must be a list of column names, got {bad[0]!r}" if bad else None
        bad = [x for x in v if not _is_number(x) or not math.isfinite(x) or (t == "int[]" and x != math.floor(x))]
        return (f"{spec.name} must be a list of {'integers' if t == 'int[]' else 'finite numbers'}, "
                f"got {bad[0]!r}") if bad else None
    if not isinstance(v, str):
        return f"{spec.name} must be a name, got {v!r}"
    return None


def _may_be_infinite(spec: ParamSpec) -> bool:
    """Only a parameter whose default is infinite (max_w2: no limit) takes an infinite value."""
    return _is_number(spec.default) and math.isinf(spec.default)


def _range_problem(spec: ParamSpec, v) -> str | None:
    low_bad = spec.min is not None and v < spec.min
    high_bad = spec.max is not None and (v >= spec.max if spec.max_exclusive else v > spec.max)
    if low_bad or high_bad:
        return f"{spec.name} must be {spec.range_text()}, got {v!r}"
    return None


def check_values(params, p: Problems) -> bool:
    """Type, choice and range problems of every value; False when some value has a wrong type."""
    types_ok = True
    for spec in PARAMETERS:
        value = getattr(params, spec.name, spec.default)
        problem = type_problem(spec, value)
        types_ok &= problem is None
        problem = problem or (_range_problem(spec, value) if spec.type in NUMERIC and value is not None else None)
        if problem:
            p.add(spec.name, problem)
    return types_ok


# ---------------------------------------------------------------------------- settings
def _dropout_activation(params) -> bool:
    return str(params.activation).endswith("WithDropout")


def check_settings(params, valid, checkpoint, p: Problems) -> None:
    """Rules between settings that need no data."""
    if params.model_id and KEY_ILLEGAL.search(params.model_id):
        p.add("model_id", f"Key '{params.model_id}' contains illegal character! Keys may not contain "
                          "white space or any of !@#$%^&*()+={}[]|\\;:\"'<>,/?")
    hidden = list(params.hidden)
    if any(h <= 0 for h in hidden):      # hidden = [] (no hidden layer) is valid, as in H2O-3
        p.add("hidden", f"Hidden layer size must be > 0, got {hidden}")
    _check_dropout(params, hidden, p)
    has_valid = valid is not None or bool(params.validation_frame)
    if params.nfolds == 1:
        p.add("nfolds", "nfolds must be 0 (no cross-validation) or >= 2, got 1")
    if params.nfolds >= 2 and has_valid:
        p.add("nfolds", "Cannot specify a validation dataset and non-zero number of cross-validation folds.")
    if params.nfolds >= 2 and (checkpoint is not None or params.checkpoint):
        p.add("nfolds", "nfolds must be 0: Cross-validation is not supported during checkpoint restarts.")
    if params.holdout_fraction > 0:
        p.add("holdout_fraction", "holdout_fraction > 0 is not supported: give a validation frame "
                                  "instead; only 0 is accepted")
    if params.sparsity_beta > 0:
        p.add("sparsity_beta", "sparsity_beta > 0 (sparse autoencoder) is not supported; only 0 is accepted")
    elif params.average_activation != 0:
        p.add("average_activation", "average_activation is used only with sparsity_beta > 0 (sparse "
                                    "autoencoder), which is not supported; only 0 is accepted")
    if params.col_major and not params.sparse:
        p.add("col_major", "Cannot use column major storage for non-sparse data handling (col_major needs sparse=true).")
    elif params.sparse:
        p.warn("sparse", "sparse and col_major only choose the data layout in H2O; this engine picks its "
                         "own layout, results are the same")
    if params.autoencoder:
        _check_autoencoder(params, p)
    if params.class_sampling_factors is not None and not params.balance_classes:
        p.warn("class_sampling_factors", "class_sampling_factors are used only with balance_classes=true")
    if params.class_sampling_factors is not None and any(f < 0 for f in params.class_sampling_factors):
        p.add("class_sampling_factors", f"class_sampling_factors must be >= 0, got {params.class_sampling_factors}")
    if params.score_validation_sampling == "Stratified" and not params.balance_classes:
        p.warn("score_validation_sampling", "Stratified validation sampling is used only with "
                                            "balance_classes=true; rows are sampled uniformly")
    _check_averaging(params, p)
    if params.adaptive_rate and (params.momentum_start != 0 or params.momentum_stable != 0):
        p.warn("adaptive_rate", "momentum_start and momentum_stable are not used with adaptive_rate=true "
                                "(they are reported as 0)")


def _check_averaging(params, p: Problems) -> None:
    """The multi-node averaging modes (cluster/averaging.py)."""
    eta = params.block_momentum
    if _is_number(eta) and -1 < eta < 0:
        p.add("block_momentum", f"block_momentum must be -1 (1 - 1/N for N nodes) or in [0, 1), got {eta}")
    if params.elastic_averaging and _is_number(eta) and eta != 0:
        p.add("block_momentum", "Cannot use block_momentum together with elastic averaging: set "
                                "block_momentum = 0 or elastic_averaging = false.")
    if params.elastic_averaging and params.sparse:
        p.add("elastic_averaging", "Cannot use elastic averaging for sparse data handling.")


def _check_dropout(params, hidden, p: Problems) -> None:
    ratios = params.hidden_dropout_ratios
    if ratios is None:
        return
    if hidden and len(ratios) != len(hidden):
        p.add("hidden_dropout_ratios", f"Must have {len(hidden)} hidden layer dropout ratios (one per "
                                       f"hidden layer), got {len(ratios)}")
    bad = [r for r in ratios if not 0 <= r < 1]
    if bad:
        p.add("hidden_dropout_ratios", f"hidden_dropout_ratios must be in [0, 1), got {list(ratios)}")
    if any(r != 0 for r in ratios) and not _dropout_activation(params):
        p.warn("hidden_dropout_ratios", f"hidden_dropout_ratios are used only with the *WithDropout "
                                        f"activations; activation {params.activation} ignores them")


def _check_autoencoder(params, p: Problems) -> None:
    """Autoencoder settings. A validation frame is allowed (legacy H2O refused one): H2O-3 3.46
    scores its reconstruction error as the validation metrics."""
    if params.classification:
        p.add("classification", "An autoencoder is unsupervised: classification must be false (or not given)")
    if params.loss == "CrossEntropy":
        p.add("loss", "Must use MeanSquare loss function for auto-encoder (loss Automatic or MeanSquare).")
    if params.activation == "Maxout":
        p.add("activation", "Maxout activation is not supported for auto-encoder.")
    if params.balance_classes:
        p.warn("balance_classes", "balance_classes has no effect for an autoencoder")
    if params.nfolds >= 2:
        p.warn("nfolds", "Cross-validation of an autoencoder reports reconstruction errors only")


# ---------------------------------------------------------------------------- training frame
def _missing_names(frame, names) -> list[str]:
    return [n for n in names if not frame.has_column(n)]


# what a frame held by the Dask workers cannot be trained with yet: (parameter, is it in use)
CLUSTER_FRAME_REFUSED = (
    ("weights_column", lambda v: bool(v)), ("offset_column", lambda v: bool(v)),
    ("fold_column", lambda v: bool(v)), ("nfolds", lambda v: (v or 0) >= 2),
    ("balance_classes", lambda v: bool(v)), ("checkpoint", lambda v: bool(v)),
)


def _check_cluster_frame(params, train, p: Problems) -> None:
    for name, used in CLUSTER_FRAME_REFUSED:
        if used(getattr(params, name, None)):
            p.add(name, f"{name} is not supported for the frame '{train.key}', which the Dask workers hold; "
                        f"train without it, or on a frame uploaded to the server")


def check_training_frame(params, train, checkpoint, p: Problems):
    """Checks of the training frame; answers the DataInfo of the run (None if it cannot be made)."""
    if train.nrows == 0 or train.ncols == 0:
        p.add("training_frame", f"Cannot build a model on empty dataset! (frame '{train.key}' has no rows)")
        return None
    unknown = _missing_names(train, params.ignored_columns or [])
    if unknown:
        p.add("ignored_columns", f"ignored_columns: column(s) {', '.join(unknown)} not found in the "
                                 f"training frame '{train.key}'")
    if params.mini_batch_size > train.nrows:
        p.add("mini_batch_size", f"mini_batch_size ({params.mini_batch_size}) must not exceed the number of "
                                 f"training rows ({train.nrows})")
    if params.nfolds >= 2 and params.nfolds > train.nrows:
        p.add("nfolds", f"nfolds ({params.nfolds}) must not exceed the number of training rows ({train.nrows})")
    if not params.autoencoder:
        _check_response(params, train, p)
    elif params.response_column and not train.has_column(params.response_column):
        p.add("response_column", f"response_column: column '{params.response_column}' not found in the "
                                 f"training frame '{train.key}'")
    if p.has_errors():
        return None
    sel = di.select_predictors(train, params)
    if sel.strings:
        p.warn("ignored_columns", f"String columns are not used as predictors: {', '.join(sel.strings)}")
    if sel.constant:
        p.info("ignore_const_cols", f"Dropping constant columns: {', '.join(sel.constant)}")
    if not sel.predictors:
        p.add("ignored_columns", "Training data must have at least 2 features (incl. response): no "
                                 "predictor column is left after removing ignored, string and constant columns.")
        return None
    if checkpoint is not None:
        return getattr(checkpoint, "datainfo", None)
    try:
        return di.DataInfo.fit(train, _fit_view(params))
    except ValueError as exc:
        p.add("max_categorical_features", str(exc))
        return None


class _fit_view:
    """The settings DataInfo.fit reads, with the autoencoder's forced use_all_factor_levels."""

    def __init__(self, params):
        self.__dict__.update({s.name: getattr(params, s.name) for s in PARAMETERS})
        if params.autoencoder:
            self.use_all_factor_levels = True


def _check_response(params, train, p: Problems) -> None:
    name = params.response_column
    if not name:
        p.add("response_column", "response_column is required (except for autoencoders)")
        return
    if not train.has_column(name):
        p.add("response_column", f"response_column: column '{name}' not found in the training frame '{train.key}'")
        return
    if name in (params.ignored_columns or []):
        p.add("ignored_columns", f"The response column '{name}' cannot also be in ignored_columns")
    col = train.column(name)
    if col.type == "string":
        p.add("response_column", f"Response column '{name}' is a string column; convert it to a factor (enum)")
        return
    span = di.value_range(col)
    if span is None or span[0] == span[1]:
        p.add("response_column", f"Constant response column! Column '{name}' has "
                                 f"{'no values' if span is None else 'a single value'}.")
        return
    classify = col.is_enum if params.classification is None else bool(params.classification)
    if classify and col.is_numeric and not di.is_integer_valued(col):
        p.add("classification", f"Requested classification on float column! Response '{name}' has "
                                "non-integer values; use classification=false (regression)")
    elif not classify and col.is_enum:
        p.add("classification", f"Requested regression on enum column! Response '{name}' is categorical; "
                                "use classification=true or convert it to numbers")
    elif not classify and params.loss == "CrossEntropy":
        p.add("loss", "Cannot use CrossEntropy loss function for regression (use Automatic or MeanSquare).")
    if classify:
        _check_classes(params, col, p)
    elif params.balance_classes:
        p.warn("balance_classes", "balance_classes is used only for classification; it has no effect")


def _check_classes(params, col, p: Problems) -> None:
    k = len(di.class_labels(col))
    factors = params.class_sampling_factors
    if factors is not None and params.balance_classes and len(factors) != k:
        p.add("class_sampling_factors", f"class_sampling_factors must have {k} elements (one per class of "
                                        f"'{col.name}'), got {len(factors)}")


# ---------------------------------------------------------------------------- validation frame
def check_validation_frame(params, valid, info, p: Problems) -> None:
    if getattr(valid, "held_on_cluster", False):
        p.add("validation_frame", f"Validation frame '{valid.key}' is held by the Dask workers: scoring "
                                  f"on such a frame is not supported yet; use a frame uploaded to the server")
        return
    if valid.nrows == 0:
        p.add("validation_frame", f"Validation frame '{valid.key}' has no rows")
        return
    validate_columns.check_validation_columns(params, valid, p)
    if info.response_name and not valid.has_column(info.response_name):
        p.add("validation_frame", f"Validation set does not have a response column called {info.response_name}")
    missing = info.missing_columns(valid)
    if missing:
        p.add("validation_frame", f"Validation frame '{valid.key}' lacks the predictor column(s): {', '.join(missing)}")
        return
    for c, name in enumerate(info.predictor_names):
        col = valid.column(name)
        if c < info.n_cats:
            codes = di.codes_in_domain(col, info.predictor_domains[c], valid.nrows)
            if np.any(codes < 0) and not info.cat_missing[c] and not info.use_all_factor_levels:
                p.add("validation_frame", di.UNSEEN_LEVEL.format(col=name))
        else:
            try:
                di.numeric_values(col, valid.nrows)
            except ValueError as exc:
                p.add("validation_frame", str(exc))
    if info.is_classifier and valid.has_column(info.response_name):
        resp = valid.column(info.response_name)
        codes = di.codes_in_domain(resp, info.response_domain, valid.nrows)
        unseen = int(np.sum((codes < 0) & ~resp.missing_mask()))
        if unseen:
            p.warn("validation_frame", f"{unseen} validation rows have a response class not seen in training; "
                                       "they are not scored")


# ---------------------------------------------------------------------------- checkpoint
def _checkpoint_epochs(checkpoint) -> float | None:
    output = getattr(checkpoint, "output", None) or {}
    if output.get("epoch_counter") is not None:
        return float(output["epoch_counter"])
    mi = getattr(checkpoint, "model_info", None)
    return float(mi.epoch_counter) if mi is not None and hasattr(mi, "epoch_counter") else None


def check_checkpoint(params, train, checkpoint, p: Problems) -> None:
    info, old = getattr(checkpoint, "datainfo", None), getattr(checkpoint, "params", None)
    if info is None or old is None:
        p.add("checkpoint", "Checkpointed model was not found (not a deep learning model).")
        return
    if getattr(getattr(checkpoint, "model_info", None), "unstable", False):
        p.add("checkpoint", "Checkpointed model was unstable. Not restarting.")
    if info.response_name and params.response_column != info.response_name:
        p.add("response_column", f"response_column must be the same as for the checkpointed model "
                                 f"('{info.response_name}'), got '{params.response_column}'")
    missing = info.missing_columns(train)
    if missing:
        p.add("training_frame", f"Training frame '{train.key}' lacks the checkpointed model's predictor "
                                f"column(s): {', '.join(missing)}")
    elif not p.has_errors():
        now = di.select_predictors(train, params).predictors
        if set(now) != set(info.predictor_names):
            p.warn("ignored_columns", "The columns differ from the checkpointed model's; its predictors are used: "
                                      + ", ".join(info.predictor_names))
    epochs = _checkpoint_epochs(checkpoint)
    if epochs is not None and params.epochs <= epochs:
        p.add("epochs", f"epochs ({params.epochs:g}) must be larger than the checkpointed model's "
                        f"{epochs:g} epochs: on a restart epochs is the total number of epochs")
    for spec in PARAMETERS:
        if spec.checkpoint_modifiable or spec.name in NOT_COMPARED_ON_RESTART:
            continue
        new, before = getattr(params, spec.name), getattr(old, spec.name, None)
        if new != spec.default and new != before and spec.name in CHECKPOINT_REFUSED:
            p.add(spec.name, f"Cannot change parameter {spec.name} on a checkpoint restart: the "
                             f"checkpointed model has {before!r}, the request {new!r}")
        elif new != spec.default and new != before:
            p.warn(spec.name, f"{spec.name} cannot change on a checkpoint restart: the checkpointed "
                              f"model's value {before!r} is used, not {new!r}")


__all__ = ["validate", "check_value", "Problems", "SPECS"]
