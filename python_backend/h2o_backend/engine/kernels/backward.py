"""Backward pass of one row: error signals, error propagation, fused per-weight updates.

Sign convention as H2O: ``g`` is "target minus output" (the negative gradient of the loss with
respect to a column's pre-activation), so updates add. Per weight (legacy_h2o.md §3.3 item 9):
``grad = g_c * a_i - l1 * sign(w) - l2 * w``, then
- ADADELTA: ``E[g2] = rho E[g2] + (1-rho) grad^2; eta = sqrt((E[dx2]+eps)/(E[g2]+eps));
  E[dx2] = rho E[dx2] + (1-rho) eta^2 grad^2; w += eta grad``;
- manual rate ``r`` (already multiplied by ``1 - m``): ``w += r grad``; with momentum ``m``
  ``d = r grad; w += d + m v; v = d``; Nesterov ``v = m v + grad; w += r v``.
Biases use ``g_c - l1 sign(b) - l2 b``; their ADADELTA squared gradient is the mean of ``grad^2``
over the unit's incoming weights. fast_mode skips weights whose input is 0 and columns whose
signal is exactly 0 (also done, as a pure shortcut, for plain SGD without momentum or L1/L2).
The error sent to the previous layer uses the weights before their update. Dropped units (dropout
mask 0) get no error signal and do not learn (H2O still updated dropped Tanh units; we follow the
gradient). ``max_w2`` rescales a column's incoming weights when their squared sum exceeds it;
whether it applies at all (``rescale``: max_w2 finite) is decided in Python, since under fastmath
``max_w2 < inf`` is always true.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from h2o_backend.engine.activations import (ACT_RECTIFIER, ACT_TANH,
                                            OUT_REGRESSION, OUT_SOFTMAX_CE, OUT_SOFTMAX_MSE)
from h2o_backend.engine.kernels.layout import (MAJOR_INPUT, NET_ACT, NET_AIN, NET_AOUT, NET_BOFF, NET_COLS,
                                               NET_MAJOR, NET_NIN, NET_NOUT, NET_WOFF, NET_ZOFF, OPTIM_ADADELTA,
                                               OPTIM_SGD)

_ZERO = np.float32(0.0)
_ONE = np.float32(1.0)

JIT = dict(cache=True, fastmath=True, error_model="numpy", _nrt=False)


# ---------------------------------------------------------------------------- error signals
@njit(**JIT)
def output_signal(net, mode, a, g, x, y_cls, y_reg):
    """Error signal of the output columns for one row (target class ``y_cls``, value ``y_reg``,
    or the original input row ``x`` for an autoencoder)."""
    l = net.shape[0] - 1
    n_out = net[l, NET_NOUT]
    al = a[net[l, NET_AOUT]:net[l, NET_AOUT] + n_out]
    gl = g[net[l, NET_ZOFF]:net[l, NET_ZOFF] + n_out]
    if mode == OUT_SOFTMAX_CE:
        for c in range(n_out):
            t = _ONE if c == y_cls else _ZERO
            gl[c] = t - al[c]
    elif mode == OUT_SOFTMAX_MSE:
        for c in range(n_out):
            t = _ONE if c == y_cls else _ZERO
            gl[c] = (t - al[c]) * (_ONE - al[c]) * al[c]
    elif mode == OUT_REGRESSION:
        gl[0] = np.float32(y_reg) - al[0]
    else:  # OUT_AUTOENCODER: reconstruction error times the output activation's derivative
        actc = net[l, NET_ACT]
        for c in range(n_out):
            d = x[c] - al[c]
            if actc == ACT_TANH:
                d *= _ONE - al[c] * al[c]
            elif actc == ACT_RECTIFIER:
                d = d if al[c] > _ZERO else _ZERO
            gl[c] = d


@njit(**JIT)
def hidden_signal(net, l, a, z, e, keep, g):
    """Signals of weight layer ``l``'s columns from the errors ``e`` of its output units."""
    n_out = net[l, NET_NOUT]
    actc = net[l, NET_ACT]
    aout = net[l, NET_AOUT]
    gl = g[net[l, NET_ZOFF]:net[l, NET_ZOFF] + net[l, NET_COLS]]
    zl = z[net[l, NET_ZOFF]:net[l, NET_ZOFF] + net[l, NET_COLS]]
    al = a[aout:aout + n_out]
    el = e[aout:aout + n_out]
    kl = keep[aout:aout + n_out]
    if actc == ACT_RECTIFIER:
        for j in range(n_out):
            gl[j] = el[j] if al[j] > _ZERO else _ZERO
    elif actc == ACT_TANH:
        for j in range(n_out):
            gl[j] = el[j] * (_ONE - al[j] * al[j]) if kl[j] != _ZERO else _ZERO
    else:  # Maxout: the winning piece carries the error, linearly
        for j in range(n_out):
            win0 = zl[2 * j] >= zl[2 * j + 1]
            ej = el[j] if kl[j] != _ZERO else _ZERO
            gl[2 * j] = ej if win0 else _ZERO
            gl[2 * j + 1] = _ZERO if win0 else ej


# ---------------------------------------------------------------------------- row updates
@njit(**JIT)
def dot(u, v):
    s = _ZERO
    for c in range(u.shape[0]):
        s += u[c] * v[c]
    return s


@njit(**JIT)
def row_adadelta(row, eg, edx, gl, xi, rho, omr, eps, l1, l2, all_active, acc):
    for c in range(row.shape[0]):
        gc = gl[c]
        wv = row[c]
        grad = gc * xi - l1 * np.sign(wv) - l2 * wv
        g2 = grad * grad
        eg_new = rho * eg[c] + omr * g2
        eta = np.sqrt((edx[c] + eps) / (eg_new + eps))
        edx_new = rho * edx[c] + omr * eta * eta * g2
        active = all_active or gc != _ZERO
        eg[c] = eg_new if active else eg[c]
        edx[c] = edx_new if active else edx[c]
        row[c] = wv + eta * grad if active else wv
        acc[c] += g2


@njit(**JIT)
def row_sgd(row, gl, xi, r, l1, l2, all_active):
    for c in range(row.shape[0]):
        gc = gl[c]
        wv = row[c]
        grad = gc * xi - l1 * np.sign(wv) - l2 * wv
        active = all_active or gc != _ZERO
        row[c] = wv + r * grad if active else wv


@njit(**JIT)
def row_momentum(row, mom, gl, xi, r, m, l1, l2, all_active):
    for c in range(row.shape[0]):
        gc = gl[c]
        wv = row[c]
        grad = gc * xi - l1 * np.sign(wv) - l2 * wv
        d = r * grad
        active = all_active or gc != _ZERO
        row[c] = wv + d + m * mom[c] if active else wv
        mom[c] = d if active else mom[c]


@njit(**JIT)
def row_nesterov(row, mom, gl, xi, r, m, l1, l2, all_active):
    for c in range(row.shape[0]):
        gc = gl[c]
        wv = row[c]
        grad = gc * xi - l1 * np.sign(wv) - l2 * wv
        v = m * mom[c] + grad
        active = all_active or gc != _ZERO
        row[c] = wv + r * v if active else wv
        mom[c] = v if active else mom[c]


@njit(**JIT)
def update_bias(bl, egb, edxb, mb, c, gc, g2, optimizer, nesterov, rho, omr, eps, r, m, l1, l2):
    """Update bias ``c`` with signal ``gc``; ``g2`` is the mean squared gradient of the column's
    incoming weights (ADADELTA)."""
    bv = bl[c]
    gb = gc - l1 * np.sign(bv) - l2 * bv
    if optimizer == OPTIM_ADADELTA:
        egb[c] = rho * egb[c] + omr * g2
        eta = np.sqrt((edxb[c] + eps) / (egb[c] + eps))
        edxb[c] = rho * edxb[c] + omr * eta * eta * g2
        bl[c] = bv + eta * gb
    elif optimizer == OPTIM_SGD:
        bl[c] = bv + r * gb
    elif nesterov:
        mb[c] = m * mb[c] + gb
        bl[c] = bv + r * mb[c]
    else:
        d = r * gb
        bl[c] = bv + d + m * mb[c]
        mb[c] = d


@njit(**JIT)
def update_biases(bl, egb, edxb, mb, gl, acc, n_in, optimizer, nesterov, rho, omr, eps, r, m, l1, l2,
                  all_active):
    inv_n = np.float32(1.0 / n_in)
    for c in range(bl.shape[0]):
        gc = gl[c]
        if all_active or gc != _ZERO:
            update_bias(bl, egb, edxb, mb, c, gc, acc[c] * inv_n, optimizer, nesterov, rho, omr, eps, r, m,
                        l1, l2)


# ---------------------------------------------------------------------------- unit-major rows
@njit(**JIT)
def urow_adadelta(row, eg, edx, x, gc, rho, omr, eps, l1, l2, all_inputs):
    """One column's incoming weights (contiguous) with inputs ``x``; returns the sum of grad^2
    over the inputs used."""
    s = _ZERO
    for i in range(row.shape[0]):
        xi = x[i]
        wv = row[i]
        grad = gc * xi - l1 * np.sign(wv) - l2 * wv
        g2 = grad * grad
        eg_new = rho * eg[i] + omr * g2
        eta = np.sqrt((edx[i] + eps) / (eg_new + eps))
        edx_new = rho * edx[i] + omr * eta * eta * g2
        use = all_inputs or xi != _ZERO
        eg[i] = eg_new if use else eg[i]
        edx[i] = edx_new if use else edx[i]
        row[i] = wv + eta * grad if use else wv
        s += g2 if use else _ZERO
    return s


@njit(**JIT)
def urow_sgd(row, x, gc, r, l1, l2, all_inputs):
    for i in range(row.shape[0]):
        xi = x[i]
        wv = row[i]
        grad = gc * xi - l1 * np.sign(wv) - l2 * wv
        use = all_inputs or xi != _ZERO
        row[i] = wv + r * grad if use else wv


@njit(**JIT)
def urow_momentum(row, mom, x, gc, r, m, l1, l2, all_inputs):
    for i in range(row.shape[0]):
        xi = x[i]
        wv = row[i]
        grad = gc * xi - l1 * np.sign(wv) - l2 * wv
        d = r * grad
        use = all_inputs or xi != _ZERO
        row[i] = wv + d + m * mom[i] if use else wv
        mom[i] = d if use else mom[i]


@njit(**JIT)
def urow_nesterov(row, mom, x, gc, r, m, l1, l2, all_inputs):
    for i in range(row.shape[0]):
        xi = x[i]
        wv = row[i]
        grad = gc * xi - l1 * np.sign(wv) - l2 * wv
        v = m * mom[i] + grad
        use = all_inputs or xi != _ZERO
        row[i] = wv + r * v if use else wv
        mom[i] = v if use else mom[i]


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
@njit(**JIT)
def backprop_input_major(net, l, w, b, agw, adw, agb, adb, mw, mb, a, g, e, keep, nz, nnz, acc, sq,
                         optimizer, nesterov, fast_mode, rho, eps, r, m, l1, l2, max_w2, rescale):
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
    plain = optimizer == OPTIM_SGD and l1 == _ZERO and l2 == _ZERO
    all_active = not (fast_mode or plain)
    omr = _ONE - rho
    for c in range(C):
        acc[c] = _ZERO
    count = nnz[l] if fast_mode else n_in
    for ii in range(count):
        i = nz[ain + ii] if fast_mode else ii
        xi = a[ain + i]
        lo = woff + i * C
        row = w[lo:lo + C]
        if need_e:
            live = keep[ain + i] != _ZERO
            if in_act == ACT_RECTIFIER:
                live = xi > _ZERO
            if live:
                e[ain + i] = dot(gl, row)
        if fast_mode and xi == _ZERO:
            continue
        if optimizer == OPTIM_ADADELTA:
            row_adadelta(row, agw[lo:lo + C], adw[lo:lo + C], gl, xi, rho, omr, eps, l1, l2,
                         all_active, acc)
        elif optimizer == OPTIM_SGD:
            row_sgd(row, gl, xi, r, l1, l2, all_active)
        elif nesterov:
            row_nesterov(row, mw[lo:lo + C], gl, xi, r, m, l1, l2, all_active)
        else:
            row_momentum(row, mw[lo:lo + C], gl, xi, r, m, l1, l2, all_active)
    hi = boff + C
    if optimizer == OPTIM_ADADELTA:
        update_biases(b[boff:hi], agb[boff:hi], adb[boff:hi], mb, gl, acc, n_in, optimizer, nesterov,
                      rho, omr, eps, r, m, l1, l2, all_active)
    elif optimizer == OPTIM_SGD:
        update_biases(b[boff:hi], agb, adb, mb, gl, acc, n_in, optimizer, nesterov,
                      rho, omr, eps, r, m, l1, l2, all_active)
    else:
        update_biases(b[boff:hi], agb, adb, mb[boff:hi], gl, acc, n_in, optimizer, nesterov,
                      rho, omr, eps, r, m, l1, l2, all_active)
    if rescale:
        rescale_max_w2(w[woff:woff + n_in * C], n_in, C, gl, all_active, np.float32(max_w2), sq)



@njit(**JIT)
def backprop_unit_major(net, l, w, b, agw, adw, agb, adb, mw, mb, a, g, e, keep, optimizer, nesterov,
                        fast_mode, rho, eps, r, m, l1, l2, max_w2, rescale):
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
    plain = optimizer == OPTIM_SGD and l1 == _ZERO and l2 == _ZERO
    all_active = not (fast_mode or plain)
    all_inputs = not fast_mode
    omr = _ONE - rho
    inv_n = np.float32(1.0 / n_in)
    bl = b[boff:boff + C]
    for c in range(C):
        gc = gl[c]
        if not all_active and gc == _ZERO:
            continue
        lo = woff + c * n_in
        row = w[lo:lo + n_in]
        if need_e:
            axpy(el, gc, row)
        g2 = _ZERO
        if optimizer == OPTIM_ADADELTA:
            g2 = urow_adadelta(row, agw[lo:lo + n_in], adw[lo:lo + n_in], x, gc, rho, omr, eps, l1, l2,
                               all_inputs) * inv_n
            update_bias(bl, agb[boff:boff + C], adb[boff:boff + C], mb, c, gc, g2, optimizer, nesterov,
                        rho, omr, eps, r, m, l1, l2)
        elif optimizer == OPTIM_SGD:
            urow_sgd(row, x, gc, r, l1, l2, all_inputs)
            update_bias(bl, agb, adb, mb, c, gc, g2, optimizer, nesterov, rho, omr, eps, r, m, l1, l2)
        else:
            if nesterov:
                urow_nesterov(row, mw[lo:lo + n_in], x, gc, r, m, l1, l2, all_inputs)
            else:
                urow_momentum(row, mw[lo:lo + n_in], x, gc, r, m, l1, l2, all_inputs)
            update_bias(bl, agb, adb, mb[boff:boff + C], c, gc, g2, optimizer, nesterov, rho, omr, eps, r, m,
                        l1, l2)
        if rescale:
            rescale_row(row, np.float32(max_w2))


@njit(**JIT)
def backprop_layer(net, l, w, b, agw, adw, agb, adb, mw, mb, a, g, e, keep, nz, nnz, acc, sq,
                   optimizer, nesterov, fast_mode, rho, eps, r, m, l1, l2, max_w2, rescale):
    """Propagate layer ``l``'s column signals to its inputs' errors (l > 0, using the weights
    before their update), then update its weights and biases in place."""
    if net[l, NET_MAJOR] == MAJOR_INPUT:
        backprop_input_major(net, l, w, b, agw, adw, agb, adb, mw, mb, a, g, e, keep, nz, nnz, acc, sq,
                             optimizer, nesterov, fast_mode, rho, eps, r, m, l1, l2, max_w2, rescale)
    else:
        backprop_unit_major(net, l, w, b, agw, adw, agb, adb, mw, mb, a, g, e, keep, optimizer, nesterov,
                            fast_mode, rho, eps, r, m, l1, l2, max_w2, rescale)
