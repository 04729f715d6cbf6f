"""Backward pass of one row (the per-sample path): error signals, error propagation, fused
per-weight updates.

The output signal is loss.py's, the hidden layers' derivatives act.py's, the update rules
optim.py's (all shared with the mini-batch path). fast_mode skips weights whose input is 0 and
columns whose signal is exactly 0 (also done, as a pure shortcut, for plain SGD without momentum
or L1/L2). The error sent to the previous layer uses the weights before their update. Dropped
units (dropout mask 0) get no error signal and do not learn (H2O still updated dropped Tanh units;
we follow the gradient). ``max_w2`` rescales a column's incoming weights when their squared sum
exceeds it; whether it applies at all (``Settings.rescale``: max_w2 finite) is decided in Python,
since under fastmath ``max_w2 < inf`` is always true.

Model arrays come as a structs.Flat ``p``, settings as a structs.Settings ``s``; ``r`` and ``m``
are the row's rate and momentum. The layer functions are inlined into train.py's row loop
(``inline="always"``, as optim.py's rules), which keeps the per-sample path as fast as the code
with one loop per optimizer it replaced.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from h2o_backend.engine.activations import ACT_RECTIFIER
from h2o_backend.engine.kernels.act import unit_signals
from h2o_backend.engine.kernels.layout import (MAJOR_INPUT, NET_ACT, NET_AIN, NET_AOUT, NET_BOFF, NET_COLS,
                                               NET_MAJOR, NET_NIN, NET_NOUT, NET_WOFF, NET_ZOFF, OPTIM_ADADELTA,
                                               OPTIM_SGD)
from h2o_backend.engine.kernels.loss import output_signals
from h2o_backend.engine.kernels.optim import bias_update, bias_updates, row_update, urow_update

_ZERO = np.float32(0.0)
_ONE = np.float32(1.0)

JIT = dict(cache=True, fastmath=True, error_model="numpy", _nrt=False)


# ---------------------------------------------------------------------------- error signals
@njit(**JIT)
def output_signal(net, s, a, g, x, y_cls, y_reg, weight, offset):
    """Signals of the output columns for one row (target class ``y_cls``, value ``y_reg``, the
    input row ``x`` for an autoencoder; the row's weight and offset)."""
    l = net.shape[0] - 1
    n_out = net[l, NET_NOUT]
    output_signals(s, net[l, NET_ACT], a[net[l, NET_AOUT]:net[l, NET_AOUT] + n_out],
                   g[net[l, NET_ZOFF]:net[l, NET_ZOFF] + n_out], n_out, x, y_cls, y_reg, weight, offset, _ONE)


@njit(**JIT)
def hidden_signal(net, l, a, z, e, keep, g):
    """Signals of weight layer ``l``'s columns from the errors ``e`` of its output units."""
    n_out = net[l, NET_NOUT]
    aout = net[l, NET_AOUT]
    zoff = net[l, NET_ZOFF]
    cols = net[l, NET_COLS]
    unit_signals(net[l, NET_ACT], e[aout:aout + n_out], a[aout:aout + n_out], z[zoff:zoff + cols],
                 keep[aout:aout + n_out], g[zoff:zoff + cols], n_out)


# ---------------------------------------------------------------------------- helpers
@njit(**JIT)
def dot(u, v):
    s = _ZERO
    for c in range(u.shape[0]):
        s += u[c] * v[c]
    return s


@njit(inline="always", **JIT)
def weight_state(s, p):
    """The optimizer state (s1, s2) of the flat weights (optim.py's convention), sliced per row by
    the callers (a call per row would cost as much as a narrow row's update)."""
    if s.optimizer == OPTIM_ADADELTA:
        return p.agw, p.adw
    if s.optimizer == OPTIM_SGD:
        return p.w, p.w          # not used by plain SGD
    return p.mw, p.mw


@njit(inline="always", **JIT)
def bias_state(s, p):
    """The optimizer state (s1, s2) of the flat biases."""
    if s.optimizer == OPTIM_ADADELTA:
        return p.agb, p.adb
    if s.optimizer == OPTIM_SGD:
        return p.b, p.b
    return p.mb, p.mb


@njit(**JIT)
def axpy(y, alpha, x):
    for i in range(y.shape[0]):
        y[i] += alpha * x[i]


@njit(**JIT)
def rescale_row(row, max_w2):
    s = _ZERO
    for i in range(row.shape[0]):
        s += row[i] * row[i]
    if s > max_w2:
        scale = np.sqrt(max_w2 / s)
        for i in range(row.shape[0]):
            row[i] *= scale


@njit(**JIT)
def rescale_max_w2(wl, n_in, C, gl, all_active, max_w2, sq):
    """Scale each updated column whose squared sum exceeds max_w2 back to max_w2."""
    for c in range(C):
        sq[c] = _ZERO
    for i in range(n_in):
        row = wl[i * C:(i + 1) * C]
        for c in range(C):
            sq[c] += row[c] * row[c]
    need = False
    for c in range(C):
        if (all_active or gl[c] != _ZERO) and sq[c] > max_w2:
            sq[c] = np.sqrt(max_w2 / sq[c])
            need = True
        else:
            sq[c] = _ONE
    if need:
        for i in range(n_in):
            row = wl[i * C:(i + 1) * C]
            for c in range(C):
                row[c] *= sq[c]


# ---------------------------------------------------------------------------- one layer
@njit(inline="always", **JIT)
def backprop_input_major(net, l, p, a, g, e, keep, nz, nnz, acc, sq, s, r, m):
    """Input-major layer: per live input row, its error (dot with the signals, before the update)
    and the masked update of its weights to every column."""
    n_in = net[l, NET_NIN]
    C = net[l, NET_COLS]
    woff = net[l, NET_WOFF]
    boff = net[l, NET_BOFF]
    ain = net[l, NET_AIN]
    gl = g[net[l, NET_ZOFF]:net[l, NET_ZOFF] + C]
    need_e = l > 0
    in_act = net[l - 1, NET_ACT] if need_e else -1
    fast_mode = s.fast_mode
    for c in range(C):
        acc[c] = _ZERO
    count = nnz[l] if fast_mode else n_in
    S1, S2 = weight_state(s, p)
    for ii in range(count):
        i = nz[ain + ii] if fast_mode else ii
        xi = a[ain + i]
        lo = woff + i * C
        row = p.w[lo:lo + C]
        if need_e:
            live = keep[ain + i] != _ZERO
            if in_act == ACT_RECTIFIER:
                live = xi > _ZERO
            if live:
                e[ain + i] = dot(gl, row)
        if fast_mode and xi == _ZERO:
            continue
        row_update(s.optimizer, s.nesterov, row, S1[lo:lo + C], S2[lo:lo + C], gl, xi, s.rho, s.eps, r, m, s.l1,
                   s.l2, s.all_active, acc)
    B1, B2 = bias_state(s, p)
    bias_updates(s.optimizer, s.nesterov, p.b[boff:boff + C], B1[boff:boff + C], B2[boff:boff + C], gl, acc, n_in, s.rho, s.eps, r, m, s.l1,
                 s.l2, s.all_active)
    if s.rescale:
        rescale_max_w2(p.w[woff:woff + n_in * C], n_in, C, gl, s.all_active, s.max_w2, sq)


@njit(inline="always", **JIT)
def backprop_unit_major(net, l, p, a, g, e, keep, s, r, m):
    """Unit-major layer: per column with a signal, its contribution to the inputs' errors (before
    the update), the update of its incoming weights, its bias, and max_w2."""
    n_in = net[l, NET_NIN]
    C = net[l, NET_COLS]
    woff = net[l, NET_WOFF]
    boff = net[l, NET_BOFF]
    ain = net[l, NET_AIN]
    gl = g[net[l, NET_ZOFF]:net[l, NET_ZOFF] + C]
    x = a[ain:ain + n_in]
    need_e = l > 0
    el = e[ain:ain + n_in]
    if need_e:
        for i in range(n_in):
            el[i] = _ZERO
    all_inputs = not s.fast_mode
    inv_n = np.float32(1.0 / n_in)
    bl = p.b[boff:boff + C]
    B1, B2 = bias_state(s, p)
    b1, b2 = B1[boff:boff + C], B2[boff:boff + C]
    S1, S2 = weight_state(s, p)
    for c in range(C):
        gc = gl[c]
        if not s.all_active and gc == _ZERO:
            continue
        lo = woff + c * n_in
        row = p.w[lo:lo + n_in]
        if need_e:
            axpy(el, gc, row)
        g2 = urow_update(s.optimizer, s.nesterov, row, S1[lo:lo + n_in], S2[lo:lo + n_in], x, gc, s.rho, s.eps, r,
                         m, s.l1, s.l2, all_inputs) * inv_n
        bias_update(s.optimizer, s.nesterov, bl, b1, b2, c, gc, g2, s.rho, s.eps, r, m, s.l1, s.l2)
        if s.rescale:
            rescale_row(row, s.max_w2)


@njit(inline="always", **JIT)
def backprop_layer(net, l, p, a, g, e, keep, nz, nnz, acc, sq, s, r, m):
    """Propagate layer ``l``'s column signals to its inputs' errors (l > 0, using the weights
    before their update), then update its weights and biases in place."""
    if net[l, NET_MAJOR] == MAJOR_INPUT:
        backprop_input_major(net, l, p, a, g, e, keep, nz, nnz, acc, sq, s, r, m)
    else:
        backprop_unit_major(net, l, p, a, g, e, keep, s, r, m)
