"""Activations and their derivatives, written once for the per-sample and the mini-batch kernels.

Scalar functions (``tanh32``, ``rectifier``, ``maxout``) and loops over one row of units that
dispatch on the activation code once, outside the loop (so each loop vectorises):
``activate_units`` (a hidden layer: z -> a), ``activate_outputs`` (the output layer: Softmax,
Linear, or an autoencoder's Tanh/Rectifier), ``unit_signals`` (a hidden layer's derivative:
errors e -> column signals g) and ``output_derivative`` (the output layer's da/dz for an
autoencoder). H2O's formulas (activations.py): Tanh ``1 - 2/(1+exp(2x))``, derivative ``1 - a^2``;
Rectifier ``max(0, x)``, derivative ``1 if a > 0``; Maxout the larger of 2 pieces, only the
winner learns. A dropped unit (keep 0) gets no signal.

The float order of the forward formulas is the one the POJO export reproduces (export/pojo*.py).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from h2o_backend.engine.activations import ACT_LINEAR, ACT_RECTIFIER, ACT_SOFTMAX, ACT_TANH

JIT = dict(cache=True, fastmath=True, error_model="numpy", _nrt=False)
_ZERO = np.float32(0.0)
_ONE = np.float32(1.0)
_TWO = np.float32(2.0)


@njit(**JIT)
def tanh32(x):
    """H2O's tanh form 1 - 2/(1 + exp(2x)), safe for large |x| in float32."""
    if x > np.float32(20.0):
        return _ONE
    if x < np.float32(-20.0):
        return -_ONE
    return _ONE - _TWO / (_ONE + np.exp(_TWO * x))


@njit(**JIT)
def rectifier(x):
    return x if x > _ZERO else _ZERO


@njit(**JIT)
def maxout(z0, z1):
    return z0 if z0 >= z1 else z1


@njit(**JIT)
def activate_units(code, z, a, n):
    """a[:n] = the hidden activation of the columns z (Maxout: 2 pieces per unit)."""
    if code == ACT_RECTIFIER:
        for j in range(n):
            a[j] = rectifier(z[j])
    elif code == ACT_TANH:
        for j in range(n):
            a[j] = tanh32(z[j])
    else:
        for j in range(n):
            a[j] = maxout(z[2 * j], z[2 * j + 1])


@njit(**JIT)
def softmax_into(z, a, n):
    """a[:n] = softmax(z[:n]), the largest z subtracted first (the order the POJO reproduces)."""
    mx = z[0]
    for c in range(1, n):
        if z[c] > mx:
            mx = z[c]
    for c in range(n):
        a[c] = np.exp(z[c] - mx)
    # A separate loop that only reads: summed in the same loop as the stores above, LLVM
    # guards its vector version with a run-time aliasing check, so the summation order (which
    # the POJO reproduces) would depend on where the buffers lie.
    s = _ZERO
    for c in range(n):
        s += a[c]
    inv = _ONE / s
    for c in range(n):
        a[c] *= inv


@njit(**JIT)
def activate_outputs(code, z, a, n):
    """a[:n] = the output layer's activation of z: Softmax, Linear, or an autoencoder's Tanh/Rectifier."""
    if code == ACT_SOFTMAX:
        softmax_into(z, a, n)
    elif code == ACT_LINEAR:
        for c in range(n):
            a[c] = z[c]
    elif code == ACT_TANH:
        for c in range(n):
            a[c] = tanh32(z[c])
    else:
        for c in range(n):
            a[c] = rectifier(z[c])


@njit(**JIT)
def unit_signals(code, e, a, z, keep, g, n):
    """Column signals g of a hidden layer from its n units' errors e (activations a, pre-activations
    z, dropout mask keep): the error times the activation's derivative."""
    if code == ACT_RECTIFIER:
        for j in range(n):
            g[j] = e[j] if a[j] > _ZERO else _ZERO
    elif code == ACT_TANH:
        for j in range(n):
            g[j] = e[j] * (_ONE - a[j] * a[j]) if keep[j] != _ZERO else _ZERO
    else:  # Maxout: the winning piece carries the error, linearly
        for j in range(n):
            win0 = z[2 * j] >= z[2 * j + 1]
            ej = e[j] if keep[j] != _ZERO else _ZERO
            g[2 * j] = ej if win0 else _ZERO
            g[2 * j + 1] = _ZERO if win0 else ej


@njit(**JIT)
def output_derivative(code, a):
    """da/dz of an output unit from its activation (Linear 1, Tanh 1 - a^2, Rectifier 1 if a > 0)."""
    if code == ACT_TANH:
        return _ONE - a * a
    if code == ACT_RECTIFIER:
        return _ONE if a > _ZERO else _ZERO
    return _ONE
