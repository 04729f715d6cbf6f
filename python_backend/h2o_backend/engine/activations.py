"""Activation and loss name tables, kernel codes, and NumPy reference functions.

H2O names an activation with an optional ``WithDropout`` suffix; here dropout is a flag on the
layer, not a separate activation. The kernels receive the integer codes below, never names.

Facts (legacy_h2o.md §3.3 items 4-8, H2O-3 ``Neurons.java``):
- Tanh ``1 - 2/(1+exp(2x))``, derivative ``1 - a^2``; biases start at 0.
- Rectifier ``max(0, x)``, derivative ``1 if a > 0``; biases start at 0.5 (first hidden layer), 1.0 after.
- Maxout (H2O-3): each unit outputs the larger of 2 linear pieces ``w_p . x + b_p``; only the winning
  piece learns (derivative 1); biases start like Rectifier.
- Output: Softmax for classification, Linear for regression; an autoencoder's output layer uses the
  hidden activation (Linear for the Maxout family, which has no 1-piece form in H2O-3) without dropout.
"""
from __future__ import annotations

import numpy as np

from h2o_backend.engine.problems import CLASSIFICATION

# activation codes of a layer's output (kernels dispatch on them)
ACT_TANH, ACT_RECTIFIER, ACT_MAXOUT, ACT_LINEAR, ACT_SOFTMAX = 0, 1, 2, 3, 4

# loss codes (the output-layer error signal)
LOSS_CROSS_ENTROPY, LOSS_MEAN_SQUARE = 0, 1

# output modes: which error signal the output layer gets
OUT_SOFTMAX_CE, OUT_SOFTMAX_MSE, OUT_REGRESSION, OUT_AUTOENCODER = 0, 1, 2, 3

FAMILIES = {"Tanh": ACT_TANH, "Rectifier": ACT_RECTIFIER, "Maxout": ACT_MAXOUT}
ACTIVATION_NAMES = ("Tanh", "TanhWithDropout", "Rectifier", "RectifierWithDropout",
                    "Maxout", "MaxoutWithDropout")
LOSS_NAMES = {"CrossEntropy": LOSS_CROSS_ENTROPY, "MeanSquare": LOSS_MEAN_SQUARE}
MAXOUT_PIECES = 2

CODE_NAMES = {ACT_TANH: "Tanh", ACT_RECTIFIER: "Rectifier", ACT_MAXOUT: "Maxout",
              ACT_LINEAR: "Linear", ACT_SOFTMAX: "Softmax"}


def parse_activation(name: str) -> tuple[int, bool]:
    """H2O activation name -> (family code, with_dropout)."""
    if name not in ACTIVATION_NAMES:
        raise ValueError(f"unknown activation {name!r}; expected one of {list(ACTIVATION_NAMES)}")
    dropout = name.endswith("WithDropout")
    family = name[:-len("WithDropout")] if dropout else name
    return FAMILIES[family], dropout


def pieces(code: int) -> int:
    """Linear pieces per unit: 2 for Maxout, 1 otherwise."""
    return MAXOUT_PIECES if code == ACT_MAXOUT else 1


def hidden_bias_init(code: int, hidden_index: int) -> float:
    """Initial bias of hidden layer ``hidden_index`` (0 = first hidden layer)."""
    if code in (ACT_RECTIFIER, ACT_MAXOUT):
        return 0.5 if hidden_index == 0 else 1.0
    return 0.0


def output_activation(problem: str, hidden_code: int) -> int:
    """Activation code of the output layer for a problem type."""
    if problem in CLASSIFICATION:
        return ACT_SOFTMAX
    if problem == "Regression":
        return ACT_LINEAR
    if problem == "AutoEncoder":
        return ACT_LINEAR if hidden_code == ACT_MAXOUT else hidden_code
    raise ValueError(f"unknown problem {problem!r}")


def output_mode(problem: str, loss: str) -> int:
    """Error-signal mode of the output layer (``loss`` is the effective loss, not Automatic)."""
    if problem in CLASSIFICATION:
        return OUT_SOFTMAX_CE if loss == "CrossEntropy" else OUT_SOFTMAX_MSE
    if problem == "Regression":
        return OUT_REGRESSION
    return OUT_AUTOENCODER


# ---------------------------------------------------------------- NumPy references (tests, docs)
def np_activate(code: int, z: np.ndarray) -> np.ndarray:
    """Reference activation of pre-activations ``z`` [..., cols] -> [..., units].

    Maxout columns are ordered (unit, piece): unit j takes max(z[2j], z[2j+1]).
    """
    if code == ACT_TANH:
        return np.tanh(z)
    if code == ACT_RECTIFIER:
        return np.maximum(z, 0)
    if code == ACT_MAXOUT:
        return z.reshape(*z.shape[:-1], -1, MAXOUT_PIECES).max(axis=-1)
    if code == ACT_LINEAR:
        return z
    if code == ACT_SOFTMAX:
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    raise ValueError(f"unknown activation code {code}")


def np_derivative(code: int, a: np.ndarray) -> np.ndarray:
    """Reference derivative da/dz as a function of the activation (not for Maxout/Softmax)."""
    if code == ACT_TANH:
        return 1 - a * a
    if code == ACT_RECTIFIER:
        return (a > 0).astype(a.dtype)
    if code == ACT_LINEAR:
        return np.ones_like(a)
    raise ValueError(f"no elementwise derivative for activation code {code}")


def dropout_ratios(activation: str, input_ratio: float, hidden_ratios, n_hidden: int) -> list[float]:
    """Dropout ratio of every unit layer (input, hidden..., output 0), derived once from H2O's
    parameters: hidden ratios only for a ``*WithDropout`` activation (0 when not given)."""
    _, with_dropout = parse_activation(activation)
    hidden = [float(r) for r in (hidden_ratios or [])] if with_dropout else []
    hidden = hidden or [0.0] * int(n_hidden)
    if len(hidden) != n_hidden:
        raise ValueError(f"need {n_hidden} hidden dropout ratios, got {len(hidden)}")
    return [float(input_ratio)] + hidden + [0.0]
