"""Where a new network's weights start: H2O-3's ``initial_weights`` / ``initial_biases`` (one
frame per weight layer) and ``pretrained_autoencoder`` (an autoencoder's input and hidden layers).

``NetworkStart`` holds the frames and the model the parameters name (the caller looks the keys up;
the engine never reads a store). ``apply(mi, start, datainfo, params)`` overwrites a freshly
initialised ModelInfo in place, after the usual random initialisation, as H2O-3's
``DeepLearningModelInfo.initializeMembers`` / ``initializeFromPretrainedModel`` do:

- initial weights: frame ``l`` has one row per unit of layer ``l+1`` (Maxout: per piece) and one
  column per unit of layer ``l`` (H2O-3's ``get_weights(l)`` shape [rows, cols]); the bias frame
  one row per unit and one column. A ``None`` entry keeps that layer's random weights (biases).
  (H2O-3 skips a layer whose weights *or* biases are null; here each is applied on its own.)
- pretrained autoencoder: every weight layer but the output layer is copied (shapes must agree:
  same inputs, ``hidden`` the first layers of the autoencoder's), the hidden biases too; the
  output layer keeps its random weights and 0 biases.

Problems are raised as ``ValidationError`` naming the parameter, with H2O-3's messages.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from h2o_backend.engine.errors import ValidationError

PRETRAINED_KIND = ("The pretrained model must be unsupervised (an autoencoder), and the model to be "
                   "trained must be supervised.")


@dataclass
class NetworkStart:
    initial_weights: list | None = None      # Frame | None per weight layer (None: no list given)
    initial_biases: list | None = None
    pretrained: object | None = None          # a DeepLearningModel (an autoencoder)

    @property
    def empty(self) -> bool:
        return self.initial_weights is None and self.initial_biases is None and self.pretrained is None


def _error(field: str, message: str) -> ValidationError:
    return ValidationError([{"field": field, "level": "ERRR", "message": message}])


def pretrained_problems(params, pretrained) -> list[dict]:
    """Checks of the ``pretrained_autoencoder`` model that need no data (the shapes are checked in
    ``apply``; that this model is supervised, in parameters.validate): an error unless it is an
    autoencoder; a warning when the activations differ (H2O-3 copies the weights anyway)."""
    if pretrained is None:
        return []
    p = []
    if not bool(getattr(pretrained.params, "autoencoder", False)):
        p.append({"field": "pretrained_autoencoder", "level": "ERRR", "message": PRETRAINED_KIND})
        return p
    theirs = str(pretrained.params.activation)
    if theirs != str(params.activation):
        p.append({"field": "pretrained_autoencoder", "level": "WARN", "message":
                  f"The pretrained autoencoder '{pretrained.model_id}' uses activation {theirs}, this model "
                  f"{params.activation}: its weights are copied all the same"})
    if not list(params.hidden):
        p.append({"field": "pretrained_autoencoder", "level": "WARN", "message":
                  "hidden = [] (no hidden layer): nothing is copied from the pretrained autoencoder"})
    return p


def apply(mi, start: NetworkStart | None, datainfo, params) -> None:
    """Overwrite ``mi``'s weights and biases from ``start`` (see the module doc)."""
    if start is None or start.empty:
        return
    if start.pretrained is not None:
        _from_pretrained(mi, start.pretrained, datainfo, params)
        return
    for l in range(mi.n_layers):
        w = _entry(start.initial_weights, l)
        if w is not None:
            mi.weights(l)[:] = _weight_matrix(w, mi.weights(l).shape, l)
        b = _entry(start.initial_biases, l)
        if b is not None:
            mi.biases(l)[:] = _bias_vector(b, mi.biases(l).shape[0], l)


def _entry(frames, l):
    return None if frames is None or l >= len(frames) else frames[l]


def _values(frame, field: str, what: str) -> np.ndarray:
    """The frame as a float64 [rows, cols] matrix (numeric columns without missing values)."""
    cols = []
    for col in frame.columns:
        if not col.is_numeric:
            raise _error(field, f"{what} '{frame.key}' must be numeric: column '{col.name}' is {col.type}")
        cols.append(col.as_float())
    values = np.column_stack(cols) if cols else np.zeros((frame.nrows, 0))
    if not np.isfinite(values).all():
        raise _error(field, f"{what} '{frame.key}' has missing or infinite values")
    return values


def _weight_matrix(frame, shape, l: int) -> np.ndarray:
    values = _values(frame, "initial_weights", f"initial_weights matrix #{l}")
    rows, cols = shape
    if values.shape != (rows, cols):
        raise _error("initial_weights", f"Dimensionality mismatch: initial_weights matrix #{l} should have "
                                        f"{rows} rows and {cols} columns, but has {values.shape[0]} rows and "
                                        f"{values.shape[1]} columns.")
    return values.astype(np.float32)


def _bias_vector(frame, n: int, l: int) -> np.ndarray:
    values = _values(frame, "initial_biases", f"initial_biases vector #{l}")
    if values.shape != (n, 1):
        raise _error("initial_biases", f"Dimensionality mismatch: initial_biases vector #{l} should have {n} "
                                       f"rows and 1 column, but has {values.shape[0]} rows and "
                                       f"{values.shape[1]} column(s).")
    return values[:, 0].astype(np.float32)


def _from_pretrained(mi, pretrained, datainfo, params) -> None:
    for problem in pretrained_problems(params, pretrained):
        if problem["level"] == "ERRR":
            raise ValidationError([problem])
    theirs = pretrained.model_info
    mine_names, their_names = list(datainfo.expanded_names), list(pretrained.datainfo.expanded_names)
    if mine_names != their_names:
        differ = sorted(set(mine_names) ^ set(their_names))[:5] or ["(the order)"]
        raise _error("pretrained_autoencoder",
                     f"The inputs of the pretrained autoencoder '{pretrained.model_id}' ({len(their_names)}) are "
                     f"not this model's ({len(mine_names)}): they differ in {', '.join(differ)}. Use the same "
                     "predictor columns (and ignore_const_cols, use_all_factor_levels) for both models.")
    for l in range(mi.n_layers - 1):                      # every layer but the output layer
        if l >= theirs.n_layers - 1:
            raise _error("pretrained_autoencoder",
                         f"The pretrained autoencoder '{pretrained.model_id}' has {theirs.n_layers - 1} hidden "
                         f"layer(s) {list(theirs.units[1:-1])}; hidden {list(params.hidden)} must be its first "
                         "layers")
        mine, src = mi.weights(l), theirs.weights(l)
        for axis, what in ((0, "rows"), (1, "cols")):
            if mine.shape[axis] != src.shape[axis]:
                raise _error("pretrained_autoencoder",
                             f"Mismatch between weights in pretrained model and this model: {what} in layer {l}: "
                             f"{src.shape[axis]} vs {mine.shape[axis]}. Enable ignored_const_cols for both models "
                             "and/or check categorical levels for consistency.")
        mine[:] = src
        mi.biases(l)[:] = theirs.biases(l)
    mi.biases(mi.n_layers - 1)[:] = 0.0
