"""Checks of the row weights and offsets columns (H2O-3 ``ModelBuilder.separateFeatureVecs``,
``DeepLearningParameters.validate`` and ``Model.adaptTestForTrain``), messages naming the field.

- weights_column: in the training frame, numeric, no missing values, every weight >= 0 and the
  largest > 0; not the response, the offset or the fold column. With balance_classes the weights
  must be binary (0/1), as H2O-3 refuses other weights together with class balancing.
- offset_column: regression only ("Offset is only supported for regression", for an autoencoder
  too: it has no output to shift); in the training frame, numeric, no missing values; not the
  response, the weights or the fold column.
- validation frame: without the weights column its rows weigh 1 (a warning, as H2O-3 substitutes a
  column of 1s); without the offset column it is refused (H2O-3's message).
"""
from __future__ import annotations

import numpy as np

from h2o_backend.engine.data.datainfo import MISSING_OFFSET


def check_special_columns(params, train, problem: str | None, p) -> None:
    """Weights and offset columns of the training frame (module doc)."""
    weights, offset = params.weights_column, params.offset_column
    if weights:
        _check_weights(params, train, p)
    if offset:
        if problem is not None and problem != "Regression":
            p.add("offset_column", f"Offset is only supported for regression (offset_column '{offset}'; this is "
                                   f"a{'n' if problem[0] in 'AEIOU' else ''} {problem} problem).")
        _check_offset(params, train, p)


def _column(params, train, field: str, what: str, p):
    """The named numeric column of ``train``, or None after reporting why not."""
    name = getattr(params, field)
    if train is None:
        return None
    if not train.has_column(name):
        p.add(field, f"{what.capitalize()} column '{name}' not found in the training frame '{train.key}'")
        return None
    if name == params.response_column and not params.autoencoder:
        p.add("response_column", f"Response column must be different from {field} ('{name}')")
        return None
    if name == getattr(params, "fold_column", None):
        p.add("fold_column", f"Fold column must be different from {what} ('{name}')")
        return None
    col = train.column(name)
    if not col.is_numeric:
        p.add(field, f"Invalid {what} column '{name}', {what} must be numeric")
        return None
    if np.any(col.missing_mask()):
        p.add(field, f"{what.capitalize()} cannot have missing values (column '{name}').")
        return None
    return col


def _check_weights(params, train, p) -> None:
    col = _column(params, train, "weights_column", "weights", p)
    if col is None:
        return
    w = col.as_float()
    if w.min() < 0:
        p.add("weights_column", f"Weights must be >= 0 (column '{col.name}' has {w.min():g}).")
    elif w.max() == 0:
        p.add("weights_column", f"Max. weight must be > 0 (column '{col.name}' is all 0).")
    elif params.balance_classes and not np.all((w == 0) | (w == 1)):
        p.add("balance_classes", "Balance classes and observation weights are not currently supported "
                                 f"together (weights column '{col.name}' is not 0/1).")


def _check_offset(params, train, p) -> None:
    if params.offset_column == params.weights_column:
        p.add("offset_column", f"Offset must be different from weights ('{params.offset_column}')")
        return
    _column(params, train, "offset_column", "offset", p)


def check_validation_columns(params, valid, p) -> None:
    """The weights and offset columns of a validation frame (module doc)."""
    if params.offset_column and not valid.has_column(params.offset_column):
        p.add("validation_frame", MISSING_OFFSET.format(name=params.offset_column))
    if params.weights_column and not valid.has_column(params.weights_column):
        p.warn("validation_frame", f"Test/Validation dataset is missing weights column "
                                   f"'{params.weights_column}': substituting in a column of 1s")
    for field in ("weights_column", "offset_column"):
        name = getattr(params, field)
        if name and valid.has_column(name):
            col = valid.column(name)
            if not col.is_numeric:
                p.add("validation_frame", f"Column '{name}' ({field}) of the validation frame must be numeric")
            elif np.any(col.missing_mask()):
                p.add("validation_frame", f"Column '{name}' ({field}) of the validation frame has missing values")
            elif field == "weights_column" and col.as_float().min() < 0:
                p.add("validation_frame", f"Weights must be >= 0 (column '{name}' of the validation frame)")
